// The terminal simulator for app tests as an Android library (the mapi-sdk-testing AAR): the public
// simulator API of src/main/java (eu.ccvlab.mapi.testing.TerminalSimulator…) and its own native
// library, libmapi_simulator.so: the crate built with the simulator, exporting only
// TerminalSimulator's natives (android/build-native.sh --library mapi_simulator --only-exports …).
// It ADDS to :mapi-sdk, which it depends on: an app keeps the SDK in every build and adds this one to
// its test builds, e.g.
//     implementation("eu.ccvlab.mapi:mapi-sdk:<version>")
//     androidTestImplementation("eu.ccvlab.mapi:mapi-sdk-testing:<version>")
// No class of the SDK is in it and the SDK's libmapi.so keeps no simulator: one class per name, and
// a release build has no test hooks. Not run on the machine that wrote it (no Android SDK there):
// android/build-aar.sh --testing assembles the same AAR without Gradle.
plugins {
    alias(libs.plugins.android.library)
    `maven-publish`
}

val rustJniLibs: File = layout.buildDirectory.dir("rust/jniLibs").get().asFile

android {
    // Not the SDK's namespace: both modules are in one build and one app.
    namespace = "eu.ccvlab.mapi.testing"
    compileSdk = libs.versions.compileSdk.get().toInt()
    ndkVersion = libs.versions.ndk.get()

    defaultConfig {
        minSdk = libs.versions.minSdk.get().toInt()
        consumerProguardFiles("consumer-rules.pro")
        testInstrumentationRunner = "androidx.test.runner.AndroidJUnitRunner"
    }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_1_8
        targetCompatibility = JavaVersion.VERSION_1_8
    }

    sourceSets {
        getByName("main") {
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

    publishing {
        singleVariant("release") {
            withSourcesJar()
            withJavadocJar()
        }
    }
}

val cargoBuild by tasks.registering(Exec::class) {
    group = "build"
    description = "Builds libmapi_simulator.so for every ABI (android/build-native.sh)."
    val ndkDirectory = androidComponents.sdkComponents.ndkDirectory
    val repo = rootProject.projectDir
    inputs.files(fileTree(repo.resolve("src")), repo.resolve("Cargo.toml"), repo.resolve("Cargo.lock"))
    outputs.dir(rustJniLibs)
    workingDir = repo
    commandLine(
        "bash", "android/build-native.sh",
        "--out", rustJniLibs.absolutePath,
        "--features", "jni simulator",
        "--library", "mapi_simulator",
        "--only-exports", "Java_eu_ccvlab_mapi_testing_TerminalSimulator_",
    )
    doFirst {
        environment("ANDROID_NDK_HOME", ndkDirectory.get().asFile.absolutePath)
    }
}

tasks.named("preBuild") {
    dependsOn(cargoBuild)
}

dependencies {
    // api: TerminalSimulator's signatures use the SDK's types (ExternalTerminal), and the POM says so.
    api(project(":mapi-sdk"))
    androidTestImplementation(libs.junit)
    androidTestImplementation(libs.androidx.test.runner)
    androidTestImplementation(libs.androidx.test.ext.junit)
}

publishing {
    publications {
        register<MavenPublication>("release") {
            artifactId = "mapi-sdk-testing"
            afterEvaluate { from(components["release"]) }
            pom {
                name.set("mapi-sdk-testing")
                description.set("Terminal simulator for app tests of mapi-sdk: TerminalSimulator and libmapi_simulator.so")
                licenses {
                    license {
                        name.set("Apache-2.0")
                        url.set("https://www.apache.org/licenses/LICENSE-2.0")
                    }
                }
            }
        }
    }
    repositories {
        maven {
            name = "local"
            url = uri(rootProject.layout.buildDirectory.dir("maven-repo"))
        }
    }
}
