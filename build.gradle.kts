// Root of the Gradle build (see settings.gradle.kts): plugin versions, and the coordinates every
// published module shares (docs/android-publishing.md).
plugins {
    alias(libs.plugins.android.library) apply false
    alias(libs.plugins.android.application) apply false
    alias(libs.plugins.kotlin.android) apply false
}

// The crate's version is the SDK's: one number for libmapi.so and the Java API around it.
val cargoVersion: String = file("Cargo.toml").readLines()
    .first { it.startsWith("version") }
    .substringAfter('"').substringBefore('"')

subprojects {
    group = providers.gradleProperty("mapi.group").get()
    version = cargoVersion
}
