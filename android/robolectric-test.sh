#!/usr/bin/env bash
# The SDK on Android's framework classes: Robolectric tests of MAPI.initialize(context), main-Looper delivery,
# the state directory, the seed's snippets, payments, every abort form and recovery, against the real host
# libmapi.so and the real simulator:
#   1. installs a JDK and Maven when missing (apt-get), and resolves from Maven Central, at the versions
#      android/toolchain/robolectric/pom.xml pins, Robolectric with JUnit and Hamcrest into
#      build/jvm/robolectric/classpath and the framework jar of one SDK level (android-all-instrumented) into
#      build/jvm/robolectric/android-all, and the SDK's JSpecify annotations (android/toolchain/sdk/pom.xml)
#      into build/jvm/sdk; once resolved, nothing is fetched again,
#   2. builds the host libmapi with the JNI bridge (cargo build --features jni; honours CARGO_TARGET_DIR),
#   3. compiles the SDK as Java 8 bytecode, its Android class (eu/ccvlab/api_android/MAPI) too, against the
#      android-all jar, the test-support classes of android/sdk/src/test the suite uses, and the suite
#      (android/sdk/src/robolectric, Java 17 like Robolectric),
#   4. runs every *Test class of the suite with JUnit 4 under -Xcheck:jni, Robolectric offline
#      (robolectric.offline=true, robolectric.dependency.dir=build/jvm/robolectric/android-all).
# How the native library and Robolectric's sandbox class loader fit together is explained in
# eu.ccvlab.mapi.robolectric.MapiRobolectricRunner and docs/android-verification.md.
# Fails when a test fails or when the JVM reports any JNI problem. Output goes under target/robolectric/.
# Run from anywhere (normally the repository root): bash android/robolectric-test.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=android/host-jvm.sh
source android/host-jvm.sh

SDK=android/sdk/src
SUITE="$SDK/robolectric/java"
OUT=target/robolectric
DEPS="$ROOT/build/jvm/robolectric"

# 1. Tools.
ensure_jvm_tools
resolve_jars robolectric
resolve_jars sdk
JSPECIFY="$(maven_jar sdk jspecify)"
LINT="$(java8_lint)"
ANDROID_ALL="$(find "$DEPS/android-all" -name 'android-all-instrumented-*.jar' | head -n 1)"
if [ -z "$ANDROID_ALL" ]; then
    echo "robolectric-test: no android-all-instrumented jar in $DEPS/android-all" >&2
    exit 1
fi
# Two of Robolectric's dependencies are Android libraries (AAR): their classes.jar is what a JVM can load,
# which is what an Android build takes from them too.
mkdir -p "$DEPS/aar-classes"
for aar in "$DEPS"/classpath/*.aar; do
    [ -e "$aar" ] || continue
    classes="$DEPS/aar-classes/$(basename "$aar" .aar).jar"
    [ -f "$classes" ] || unzip -p "$aar" classes.jar > "$classes"
done
DEPS_CP="$(find "$DEPS/classpath" "$DEPS/aar-classes" -name '*.jar' | sort | paste -sd:)"

# 2. The host build of libmapi, with the JNI exports and the simulator bridge.
build_host_library robolectric-test

# 3. Compile.
echo "== javac: SDK (Java 8 bytecode), MAPI against $(basename "$ANDROID_ALL"), the Robolectric suite"
rm -rf "$OUT/main" "$OUT/android" "$OUT/support" "$OUT/test"
mkdir -p "$OUT/main" "$OUT/android" "$OUT/support" "$OUT/test"
find "$SDK/main/java" -name '*.java' -not -path '*/eu/ccvlab/api_android/*' | sort > "$OUT/main-sources.txt"
javac --release 8 "$LINT" -Werror -encoding UTF-8 -cp "$JSPECIFY" -d "$OUT/main" @"$OUT/main-sources.txt"
# The instrumented framework classes implement Robolectric's ShadowedObject and carry annotations whose
# classes it does not ship: Robolectric goes on the classpath, and -Xlint:-classfile silences the
# "Cannot find annotation method" notes about those jars (every other warning is still an error).
ANDROID_CP="$JSPECIFY:$DEPS_CP:$ANDROID_ALL"
javac --release 8 "$LINT",-classfile -Werror -encoding UTF-8 -cp "$OUT/main:$ANDROID_CP" -d "$OUT/android" \
    "$SDK"/main/java/eu/ccvlab/api_android/*.java
SUPPORT="$SDK/test/java/eu/ccvlab/mapi/testing"
javac --release 8 "$LINT" -Werror -encoding UTF-8 -cp "$OUT/main:$JSPECIFY:$DEPS_CP" -d "$OUT/support" \
    "$SUPPORT/SimulatedTerminal.java" "$SUPPORT/Fixtures.java" "$SUPPORT/RecordingDelegate.java" \
    $(find android/sdk-testing/src/main/java -name '*.java' | sort)
# The suite compiles for Java 17, as Robolectric's own classes it calls into are.
find "$SUITE" -name '*.java' | sort > "$OUT/test-sources.txt"
javac --release 17 -Xlint:all,-classfile -Werror -encoding UTF-8 \
    -cp "$OUT/main:$OUT/android:$OUT/support:$ANDROID_CP" -d "$OUT/test" @"$OUT/test-sources.txt"

# 4. Run every test class. Robolectric's sandbox loads the framework from robolectric.dependency.dir, but the
#    application class loader needs Android types too: JUnit loads each test class there (the verifier needs
#    the Android types it uses) before Robolectric re-loads it in the sandbox, and reading @Config needs
#    android.app.Application. The same android-all jar therefore also goes last on the classpath (a Gradle
#    unit test has android.jar there). Those outside copies are never initialized, with one exception:
#    Conscrypt, which Robolectric keeps out of the sandbox, probes android.os.Build$VERSION through its own
#    loader and would initialize an instrumented class outside a sandbox (ExceptionInInitializerError). The
#    suite needs no TLS: Conscrypt is off (robolectric.conscryptMode=OFF). Nor SQLite nor graphics: in their
#    LEGACY modes Robolectric loads no native runtime of its own (its libandroid_runtime trips -Xcheck:jni in
#    its JNI_OnLoad), so -Xcheck:jni judges libmapi's JNI alone, as in the plain JUnit suite.
TEST_CLASSES=()
while IFS= read -r source; do
    class="${source#"$SUITE/"}"
    class="${class%.java}"
    TEST_CLASSES+=("${class//\//.}")
done < <(find "$SUITE" -name '*Test.java' | sort)
if [ "${#TEST_CLASSES[@]}" -eq 0 ]; then
    echo "robolectric-test: no test classes found under $SUITE" >&2
    exit 1
fi

JUNIT_JVM_ARGS=(-Drobolectric.offline=true "-Drobolectric.dependency.dir=$DEPS/android-all"
    -Drobolectric.conscryptMode=OFF -Drobolectric.sqliteMode=LEGACY -Drobolectric.graphicsMode=LEGACY)
run_junit robolectric-test "$OUT/junit.log" "$LIB_DIR" \
    "$OUT/main:$OUT/android:$OUT/support:$OUT/test:$JSPECIFY:$DEPS_CP:$ANDROID_ALL" \
    "${TEST_CLASSES[@]}"
