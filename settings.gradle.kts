// Gradle entry for users with the Android SDK and NDK (docs/android.md). The Rust engine is built
// by cargo, called from the SDK module; this build only adds the Android packaging around it.
pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
}

dependencyResolutionManagement {
    repositoriesMode.set(RepositoriesMode.FAIL_ON_PROJECT_REPOS)
    repositories {
        google()
        mavenCentral()
    }
}

rootProject.name = "mapi"

include(":mapi-sdk")
project(":mapi-sdk").projectDir = file("android/sdk")

// Kotlin coroutine extensions of the SDK.
include(":mapi-sdk-ktx")
project(":mapi-sdk-ktx").projectDir = file("android/sdk-ktx")

// The terminal simulator for app tests: adds to :mapi-sdk (its own classes and libmapi_simulator.so).
include(":mapi-sdk-testing")
project(":mapi-sdk-testing").projectDir = file("android/sdk-testing")

include(":demo")
project(":demo").projectDir = file("android/demo")
