// Root of the Gradle build (see settings.gradle.kts): plugin versions only.
plugins {
    alias(libs.plugins.android.library) apply false
    alias(libs.plugins.android.application) apply false
}
