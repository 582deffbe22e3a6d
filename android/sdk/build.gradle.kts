// The SDK as an Android library (AAR): the Java API of src/main/java plus libmapi.so, which cargo
// builds for arm64-v8a, armeabi-v7a and x86_64 with this build's NDK (android/build-native.sh)
// before every build; cargo itself skips the work when nothing changed.
plugins {
    alias(libs.plugins.android.library)
    `maven-publish`
}

val rustJniLibs: File = layout.buildDirectory.dir("rust/jniLibs").get().asFile

// -Pmapi.simulator=true adds the terminal simulator's test hooks to libmapi.so. connectedAndroidTest
// needs them (the suite drives an in-process simulator); a release AAR must not have them.
val withSimulator: Boolean = providers.gradleProperty("mapi.simulator").map { it.toBoolean() }.getOrElse(false)

android {
    namespace = "eu.ccvlab.mapi"
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
        // The JUnit 4 suite that android/host-test.sh runs on the host JVM runs unchanged on an
        // emulator or device: the same source folder, executed by AndroidJUnitRunner.
        getByName("androidTest") {
            java.srcDir("src/test/java")
        }
        // Not also as Gradle local unit tests: those would need a host build of libmapi.
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

// <mapi.group>:mapi-sdk:<crate version> (gradle.properties, root build.gradle.kts);
// ./gradlew :mapi-sdk:publishReleasePublicationToLocalRepository writes build/maven-repo. Without
// Gradle, android/publish-local.sh writes the same coordinates into build/android/maven-repo.
publishing {
    publications {
        register<MavenPublication>("release") {
            artifactId = "mapi-sdk"
            afterEvaluate { from(components["release"]) }
            pom {
                name.set("mapi-sdk")
                description.set("Open drop-in engine for CCV's Android payment SDK (mAPI): Java API and libmapi.so")
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

val cargoBuild by tasks.registering(Exec::class) {
    group = "build"
    description = "Builds libmapi.so for every ABI with cargo and the NDK (android/build-native.sh)."
    val ndkDirectory = androidComponents.sdkComponents.ndkDirectory
    val repo = rootProject.projectDir
    inputs.files(fileTree(repo.resolve("src")), repo.resolve("Cargo.toml"), repo.resolve("Cargo.lock"))
    inputs.property("simulator", withSimulator)
    outputs.dir(rustJniLibs)
    workingDir = repo
    commandLine(
        "bash", "android/build-native.sh",
        "--out", rustJniLibs.absolutePath,
        "--features", if (withSimulator) "jni simulator" else "jni",
    )
    doFirst {
        environment("ANDROID_NDK_HOME", ndkDirectory.get().asFile.absolutePath)
    }
}

tasks.named("preBuild") {
    dependsOn(cargoBuild)
}

dependencies {
    // Nullness of the public API (@NullMarked packages, @Nullable): `api`, so that an app's Kotlin code
    // compiles against the same annotations and sees String? where the SDK may return null. The same
    // version as android/toolchain/sdk/pom.xml. Nothing reads the annotations at run time, and R8 strips
    // them from an app.
    api("org.jspecify:jspecify:1.0.0")
    androidTestImplementation(libs.junit)
    androidTestImplementation(libs.androidx.test.runner)
    androidTestImplementation(libs.androidx.test.ext.junit)
}
