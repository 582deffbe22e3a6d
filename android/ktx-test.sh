#!/usr/bin/env bash
# Host-JVM tests of the Kotlin coroutine extensions (android/sdk-ktx) against the real native library and the
# real simulator:
#   1. installs a JDK and Maven when missing (apt-get), and resolves from Maven Central, at the versions the
#      poms pin, the Kotlin compiler (android/toolchain/kotlinc: kotlin-compiler-embeddable and its runtime
#      dependencies, run as org.jetbrains.kotlin.cli.jvm.K2JVMCompiler) into build/jvm/kotlinc, and the Kotlin
#      stdlib, kotlinx-coroutines-core-jvm (the only library the extensions need), JUnit 4 and Hamcrest
#      (android/toolchain/test) into build/jvm/test, and the SDK's JSpecify annotations
#      (android/toolchain/sdk) into build/jvm/sdk; once resolved, nothing is fetched again,
#   2. builds the host libmapi with the JNI bridge (cargo build --features jni; honours CARGO_TARGET_DIR),
#   3. compiles the SDK (all but the Android-only eu/ccvlab/api_android) and the three test-support classes
#      the Kotlin tests use as Java 8 bytecode, then the extensions (explicit API mode, warnings are errors,
#      the SDK's JSpecify nullness enforced: -Xjspecify-annotations=strict) and their tests with
#      -jvm-target 1.8,
#   4. runs every *Test class of android/sdk-ktx/src/test/kotlin with JUnit 4 under -Xcheck:jni.
# Fails when a test fails or when the JVM reports any JNI problem. Output goes under target/ktx/.
# Run from anywhere (normally the repository root): bash android/ktx-test.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=android/host-jvm.sh
source android/host-jvm.sh

SDK=android/sdk/src
KTX=android/sdk-ktx/src
OUT=target/ktx

# 1. Tools.
ensure_jvm_tools
resolve_jars kotlinc
resolve_jars test
resolve_jars sdk
KOTLINC_CP="$(find "$ROOT/build/jvm/kotlinc" -name '*.jar' | sort | paste -sd:)"
STDLIB="$(maven_jar test kotlin-stdlib)"
COROUTINES="$(maven_jar test kotlinx-coroutines-core-jvm)"
JUNIT="$(maven_jar test junit)"
HAMCREST="$(maven_jar test hamcrest-core)"
JSPECIFY="$(maven_jar sdk jspecify)"
LINT="$(java8_lint)"
KOTLIN_VERSION="$(basename "$STDLIB" .jar)"
KOTLIN_VERSION="${KOTLIN_VERSION#kotlin-stdlib-}"

# The embeddable compiler has no Kotlin home to take the stdlib from: -no-stdlib -no-reflect, and the
# stdlib of the pinned version goes on the classpath like any other library.
kotlinc() {
    java -cp "$KOTLINC_CP" org.jetbrains.kotlin.cli.jvm.K2JVMCompiler -no-stdlib -no-reflect "$@"
}

# 2. The host build of libmapi, with the JNI exports and the simulator bridge.
build_host_library ktx-test

# 3. Compile. Only the test-support classes the Kotlin tests use, so that a change in the Java tests cannot
#    break these.
echo "== javac (Java 8 bytecode) and kotlinc $KOTLIN_VERSION (-jvm-target 1.8)"
rm -rf "$OUT/main" "$OUT/support" "$OUT/ktx" "$OUT/ktx-test"
mkdir -p "$OUT/main" "$OUT/support" "$OUT/ktx" "$OUT/ktx-test"
find "$SDK/main/java" -name '*.java' -not -path '*/eu/ccvlab/api_android/*' | sort > "$OUT/main-sources.txt"
javac --release 8 "$LINT" -Werror -encoding UTF-8 -cp "$JSPECIFY" -d "$OUT/main" @"$OUT/main-sources.txt"
SUPPORT="$SDK/test/java/eu/ccvlab/mapi/testing"
javac --release 8 "$LINT" -Werror -encoding UTF-8 -cp "$OUT/main:$JSPECIFY:$JUNIT:$HAMCREST" -d "$OUT/support" \
    "$SUPPORT/SimulatedTerminal.java" "$SUPPORT/Fixtures.java" \
    $(find android/sdk-testing/src/main/java -name '*.java' | sort)
# A Java type the SDK declares @Nullable is a nullable Kotlin type and a mismatch is a compile error: the
# extensions are the check that the SDK's annotations say what its Kotlin users need.
kotlinc -jvm-target 1.8 -Xjdk-release=1.8 -Werror -Xexplicit-api=strict -Xjspecify-annotations=strict \
    -module-name mapi-ktx -cp "$OUT/main:$JSPECIFY:$STDLIB:$COROUTINES" -d "$OUT/ktx" "$KTX/main/kotlin"
kotlinc -jvm-target 1.8 -Xjdk-release=1.8 -Xjspecify-annotations=strict -module-name mapi-ktx-test \
    -cp "$OUT/main:$OUT/support:$OUT/ktx:$JSPECIFY:$STDLIB:$COROUTINES:$JUNIT:$HAMCREST" -d "$OUT/ktx-test" \
    "$KTX/test/kotlin"

# 4. Run every test class.
TEST_CLASSES=()
while IFS= read -r source; do
    class="${source#"$KTX/test/kotlin/"}"
    class="${class%.kt}"
    TEST_CLASSES+=("${class//\//.}")
done < <(find "$KTX/test/kotlin" -name '*Test.kt' | sort)
if [ "${#TEST_CLASSES[@]}" -eq 0 ]; then
    echo "ktx-test: no test classes found under $KTX/test/kotlin" >&2
    exit 1
fi

run_junit ktx-test "$OUT/junit.log" "$LIB_DIR" \
    "$OUT/main:$OUT/support:$OUT/ktx:$OUT/ktx-test:$JSPECIFY:$STDLIB:$COROUTINES:$JUNIT:$HAMCREST" \
    "${TEST_CLASSES[@]}"
