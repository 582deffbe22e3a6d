// The testing flavour of the SDK as an Android library (the mapi-sdk-testing AAR): the SDK's Java API
// (../sdk/src/main/java) plus the terminal simulator's public API (src/main/java,
// eu.ccvlab.mapi.testing.TerminalSimulator), with a libmapi.so that cargo builds with the simulator
// (android/build-native.sh --features "jni simulator"). An app uses it INSTEAD of :mapi-sdk in its test
// or debug builds (e.g. debugImplementation(project(":mapi-sdk-testing")) and
// releaseImplementation(project(":mapi-sdk"))): both hold a libmapi.so and the same classes, and a process
// loads one native engine. Mirrors android/sdk/build.gradle.kts; not run on the machine that wrote it
// (no Android SDK there): android/build-aar.sh --testing assembles the same AAR without Gradle.
plugins {
    alias(libs.plugins.android.library)
}

val rustJniLibs: File = layout.buildDirectory.dir("rust/jniLibs").get().asFile

android {
    // Not the SDK's namespace: Gradle may configure both modules in one build.
    namespace = "eu.ccvlab.mapi.testing"
    compileSdk = libs.versions.compileSdk.get().toInt()
    ndkVersion = libs.versions.ndk.get()

    defaultConfig {
        minSdk = libs.versions.minSdk.get().toInt()
        consumerProguardFiles("../sdk/consumer-rules.pro", "consumer-rules.pro")
        testInstrumentationRunner = "androidx.test.runner.AndroidJUnitRunner"
    }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_1_8
        targetCompatibility = JavaVersion.VERSION_1_8
    }

    sourceSets {
        getByName("main") {
            // The SDK's own sources and manifest, not a copy: the testing AAR is the SDK plus the simulator.
            java.srcDirs("../sdk/src/main/java", "src/main/java")
            manifest.srcFile("../sdk/src/main/AndroidManifest.xml")
            jniLibs.srcDir(rustJniLibs)
        }
        // TerminalSimulatorTest, which android/host-test.sh runs on the host JVM, runs unchanged on an
        // emulator or device.
        getByName("androidTest") {
            java.srcDir("src/test/java")
        }
        getByName("test") {
            java.setSrcDirs(emptyList<String>())
        }
    }
}

val cargoBuild by tasks.registering(Exec::class) {
    group = "build"
    description = "Builds libmapi.so with the terminal simulator for every ABI (android/build-native.sh)."
    val ndkDirectory = androidComponents.sdkComponents.ndkDirectory
    val repo = rootProject.projectDir
    inputs.files(fileTree(repo.resolve("src")), repo.resolve("Cargo.toml"), repo.resolve("Cargo.lock"))
    outputs.dir(rustJniLibs)
    workingDir = repo
    commandLine(
        "bash", "android/build-native.sh",
        "--out", rustJniLibs.absolutePath,
        "--features", "jni simulator",
    )
    doFirst {
        environment("ANDROID_NDK_HOME", ndkDirectory.get().asFile.absolutePath)
    }
}

tasks.named("preBuild") {
    dependsOn(cargoBuild)
}

dependencies {
    androidTestImplementation(libs.junit)
    androidTestImplementation(libs.androidx.test.runner)
    androidTestImplementation(libs.androidx.test.ext.junit)
}
