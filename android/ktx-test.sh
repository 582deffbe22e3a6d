#!/usr/bin/env bash
# Host-JVM tests of the Kotlin coroutine extensions (android/sdk-ktx) against the real native library and the
# real simulator:
#   1. installs the Kotlin compiler from the npm registry (package kotlin-compiler, pinned) under build/kotlin
#      when missing; its lib/ ships kotlinx-coroutines-core-jvm.jar, the only library the extensions need,
#      and JUnit 4 + Hamcrest from Debian when missing,
#   2. builds the host libmapi with the JNI bridge (cargo build --features jni; honours CARGO_TARGET_DIR),
#   3. compiles the SDK (all but the Android-only eu/ccvlab/api_android) and the three test-support classes
#      the Kotlin tests use as Java 8 bytecode, then the extensions (explicit API mode, warnings are errors)
#      and their tests with -jvm-target 1.8,
#   4. runs every *Test class of android/sdk-ktx/src/test/kotlin with JUnit 4 under -Xcheck:jni.
# Fails when a test fails or when the JVM reports any JNI problem. Output goes under target/ktx/.
# Run from anywhere (normally the repository root): bash android/ktx-test.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=android/host-jvm.sh
source android/host-jvm.sh

KOTLIN_VERSION=2.4.20
KOTLIN_HOME="$ROOT/build/kotlin/node_modules/kotlin-compiler"
KOTLINC="$KOTLIN_HOME/bin/kotlinc"
STDLIB="$KOTLIN_HOME/lib/kotlin-stdlib.jar"
COROUTINES="$KOTLIN_HOME/lib/kotlinx-coroutines-core-jvm.jar"
SDK=android/sdk/src
KTX=android/sdk-ktx/src
OUT=target/ktx

# 1. Tools. npm install is idempotent, but skipping it keeps the script offline once the compiler is there.
installed="$(cat "$KOTLIN_HOME/build.txt" 2>/dev/null || true)"
if [ "$installed" != "$KOTLIN_VERSION" ] || [ ! -x "$KOTLINC" ] || [ ! -f "$COROUTINES" ]; then
    echo "== installing kotlin-compiler@$KOTLIN_VERSION from npm into build/kotlin"
    mkdir -p build/kotlin
    npm install --prefix build/kotlin --no-audit --no-fund --no-save "kotlin-compiler@$KOTLIN_VERSION"
    chmod +x "$KOTLIN_HOME"/bin/*
fi
if [ ! -f "$COROUTINES" ]; then
    echo "ktx-test: $COROUTINES is missing from the Kotlin distribution" >&2
    exit 1
fi
ensure_junit

# 2. The host build of libmapi, with the JNI exports and the simulator bridge.
build_host_library ktx-test

# 3. Compile. Only the test-support classes the Kotlin tests use, so that a change in the Java tests cannot
#    break these.
echo "== javac (Java 8 bytecode) and kotlinc $KOTLIN_VERSION (-jvm-target 1.8)"
rm -rf "$OUT/main" "$OUT/support" "$OUT/ktx" "$OUT/ktx-test"
mkdir -p "$OUT/main" "$OUT/support" "$OUT/ktx" "$OUT/ktx-test"
find "$SDK/main/java" -name '*.java' -not -path '*/eu/ccvlab/api_android/*' | sort > "$OUT/main-sources.txt"
javac --release 8 -Xlint:all -Werror -encoding UTF-8 -d "$OUT/main" @"$OUT/main-sources.txt"
SUPPORT="$SDK/test/java/eu/ccvlab/mapi/testing"
javac --release 8 -Xlint:all -Werror -encoding UTF-8 -cp "$OUT/main:$JUNIT:$HAMCREST" -d "$OUT/support" \
    "$SUPPORT/SimulatedTerminal.java" "$SUPPORT/SimulatorBridge.java" "$SUPPORT/Fixtures.java"
"$KOTLINC" -jvm-target 1.8 -Xjdk-release=1.8 -Werror -Xexplicit-api=strict -module-name mapi-ktx \
    -cp "$OUT/main:$COROUTINES" -d "$OUT/ktx" "$KTX/main/kotlin"
"$KOTLINC" -jvm-target 1.8 -Xjdk-release=1.8 -module-name mapi-ktx-test \
    -cp "$OUT/main:$OUT/support:$OUT/ktx:$COROUTINES:$JUNIT:$HAMCREST" -d "$OUT/ktx-test" "$KTX/test/kotlin"

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
    "$OUT/main:$OUT/support:$OUT/ktx:$OUT/ktx-test:$STDLIB:$COROUTINES:$JUNIT:$HAMCREST" \
    "${TEST_CLASSES[@]}"
