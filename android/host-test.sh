#!/usr/bin/env bash
# Host-JVM tests of the Java SDK against the real native library and the real simulator:
#   1. installs a JDK and Maven when missing (apt-get), and resolves JUnit 4.13.2 + Hamcrest from Maven Central
#      (android/toolchain/test/pom.xml) into build/jvm/test once, and the SDK's own compile dependency, the
#      JSpecify nullness annotations (android/toolchain/sdk/pom.xml), into build/jvm/sdk,
#   2. builds the host libmapi with the JNI bridge (cargo build --features jni),
#   3. compiles the SDK (all but the Android-only eu/ccvlab/api_android) and its tests as Java 8 bytecode,
#      warnings are errors, and every public/protected member of the SDK must have Javadoc; the same for the
#      testing artifact (android/sdk-testing: TerminalSimulator) and its tests, which compile against the SDK
#      and JUnit only (not the SDK's own test helpers), as in an app's project,
#   4. runs every *Test class of both test roots with JUnit 4 under -Xcheck:jni.
# Fails when a test fails or when the JVM reports any JNI problem. Output goes under target/java/.
# Run from anywhere (normally the repository root): bash android/host-test.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=android/host-jvm.sh
source android/host-jvm.sh

SDK=android/sdk/src
TESTING=android/sdk-testing/src
OUT=target/java

# 1. Tools.
ensure_jvm_tools
resolve_jars test
resolve_jars sdk
JUNIT="$(maven_jar test junit)"
HAMCREST="$(maven_jar test hamcrest-core)"
JSPECIFY="$(maven_jar sdk jspecify)"
LINT="$(java8_lint)"

# 2. The host build of libmapi, with the JNI exports and the simulator bridge.
build_host_library host-test

# 3. Compile. The Android-only class never reaches the host JVM.
echo "== javac (Java 8 bytecode, -Xlint:all -Werror)"
rm -rf "$OUT/main" "$OUT/test" "$OUT/testing-main" "$OUT/testing-test"
mkdir -p "$OUT/main" "$OUT/test" "$OUT/testing-main" "$OUT/testing-test"
find "$SDK/main/java" -name '*.java' -not -path '*/eu/ccvlab/api_android/*' | sort > "$OUT/main-sources.txt"
find "$SDK/test/java" -name '*.java' | sort > "$OUT/test-sources.txt"
javac --release 8 "$LINT" -Werror -Xdoclint:all/protected -encoding UTF-8 \
    -cp "$JSPECIFY" -d "$OUT/main" @"$OUT/main-sources.txt"
# The testing artifact first: the SDK's own tests drive the simulator through it, as apps do.
find "$TESTING/main/java" -name '*.java' | sort > "$OUT/testing-main-sources.txt"
find "$TESTING/test/java" -name '*.java' | sort > "$OUT/testing-test-sources.txt"
javac --release 8 "$LINT" -Werror -Xdoclint:all/protected -encoding UTF-8 \
    -cp "$OUT/main:$JSPECIFY" -d "$OUT/testing-main" @"$OUT/testing-main-sources.txt"
javac --release 8 "$LINT" -Werror -encoding UTF-8 \
    -cp "$OUT/main:$OUT/testing-main:$JSPECIFY:$JUNIT:$HAMCREST" -d "$OUT/test" @"$OUT/test-sources.txt"
javac --release 8 "$LINT" -Werror -encoding UTF-8 \
    -cp "$OUT/main:$OUT/testing-main:$JSPECIFY:$JUNIT:$HAMCREST" -d "$OUT/testing-test" @"$OUT/testing-test-sources.txt"

# 4. Run every test class.
TEST_CLASSES=()
for root in "$SDK/test/java" "$TESTING/test/java"; do
    found=0
    while IFS= read -r source; do
        class="${source#"$root/"}"
        class="${class%.java}"
        TEST_CLASSES+=("${class//\//.}")
        found=1
    done < <(find "$root" -name '*Test.java' | sort)
    if [ "$found" -eq 0 ]; then
        echo "host-test: no test classes found under $root" >&2
        exit 1
    fi
done

run_junit host-test "$OUT/junit.log" "$LIB_DIR" \
    "$OUT/main:$OUT/test:$OUT/testing-main:$OUT/testing-test:$JSPECIFY:$JUNIT:$HAMCREST" \
    "${TEST_CLASSES[@]}"
