// The demo app (one screen, built in code): ./gradlew :demo:installDebug
plugins {
    alias(libs.plugins.android.application)
}

// The app's version follows the crate's.
val cargoVersion: String = rootProject.file("Cargo.toml").readLines()
    .first { it.startsWith("version") }
    .substringAfter('"').substringBefore('"')

android {
    namespace = "eu.ccvlab.mapi.demo"
    compileSdk = libs.versions.compileSdk.get().toInt()

    defaultConfig {
        applicationId = "eu.ccvlab.mapi.demo"
        minSdk = libs.versions.minSdk.get().toInt()
        targetSdk = libs.versions.compileSdk.get().toInt()
        versionCode = 1
        versionName = cargoVersion
    }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_1_8
        targetCompatibility = JavaVersion.VERSION_1_8
    }
}

dependencies {
    implementation(project(":mapi-sdk"))
}
