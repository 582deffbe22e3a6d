// Kotlin coroutine extensions of the SDK as an Android library (the mapi-sdk-ktx AAR): Kotlin only,
// no native code or resources of its own. Depends on :mapi-sdk and kotlinx-coroutines-core (the only
// library the extensions need). Not run on the machine that wrote it (no Android SDK there):
// android/ktx-test.sh compiles and tests the same sources on the host JVM, and
// android/publish-local.sh assembles the same AAR without Gradle.
plugins {
    alias(libs.plugins.android.library)
    alias(libs.plugins.kotlin.android)
    `maven-publish`
}

android {
    namespace = "eu.ccvlab.mapi.ktx"
    compileSdk = libs.versions.compileSdk.get().toInt()

    defaultConfig {
        minSdk = libs.versions.minSdk.get().toInt()
    }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_1_8
        targetCompatibility = JavaVersion.VERSION_1_8
    }

    // The host suite (android/ktx-test.sh) runs src/test/kotlin against a host libmapi; a Gradle
    // unit test would need that library too.
    sourceSets {
        getByName("test") {
            java.setSrcDirs(emptyList<String>())
            kotlin.setSrcDirs(emptyList<String>())
        }
    }

    publishing {
        singleVariant("release") {
            withSourcesJar()
            withJavadocJar()
        }
    }
}

kotlin {
    // As android/ktx-test.sh compiles: every public declaration states its visibility and type.
    explicitApi()
    compilerOptions {
        jvmTarget.set(org.jetbrains.kotlin.gradle.dsl.JvmTarget.JVM_1_8)
        allWarningsAsErrors.set(true)
        // The SDK's JSpecify nullness as real Kotlin types, a mismatch an error: as android/ktx-test.sh.
        freeCompilerArgs.add("-Xjspecify-annotations=strict")
    }
}

dependencies {
    api(project(":mapi-sdk"))
    // api: suspend functions and Flow are in the extensions' signatures.
    api(libs.kotlinx.coroutines.core)
}

publishing {
    publications {
        register<MavenPublication>("release") {
            artifactId = "mapi-sdk-ktx"
            afterEvaluate { from(components["release"]) }
            pom {
                name.set("mapi-sdk-ktx")
                description.set("Kotlin coroutine extensions of mapi-sdk")
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
