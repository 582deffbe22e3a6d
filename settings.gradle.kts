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

include(":demo")
project(":demo").projectDir = file("android/demo")
