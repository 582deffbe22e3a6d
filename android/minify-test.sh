#!/usr/bin/env bash
# A minified app on the host JVM: proves the SDK's consumer keep rules (android/sdk/consumer-rules.pro)
# keep what libmapi.so binds to by name, and that each of them is needed.
#   1. installs a JDK and Maven when missing (apt-get), and resolves JUnit (android/toolchain/test) and
#      ProGuard (android/toolchain/proguard, pinned) from Maven Central into build/jvm once,
#   2. builds the host libmapi with the JNI bridge and the simulator (cargo build --features jni),
#   3. compiles the SDK (all but the Android-only eu/ccvlab/api_android), the testing artifact
#      (TerminalSimulator) and the test app (android/minify/src) as Java 8 bytecode into one jar,
#   4. runs the app's flows on that jar unshrunk, as a control,
#   5. shrinks, optimizes and obfuscates the jar with ProGuard under the SDK's and the testing artifact's
#      consumer rules plus the app's entry points (android/minify/app-rules.pro) and nothing else; checks
#      that the SDK classes whose names survive are exactly the JNI-bound ones,
#   6. runs the flows on the shrunk jar with JUnit 4 under -Xcheck:jni (must pass),
#   7. removes each rule of android/sdk/consumer-rules.pro in turn, shrinks again and runs the flows
#      (each variant must fail: a rule no flow needs is reported as unproven, and the script fails).
# Output goes under target/minify/ (the shrunk jar, ProGuard's mapping, seeds and usage, logs).
# Run from anywhere (normally the repository root): bash android/minify-test.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=android/host-jvm.sh
source android/host-jvm.sh

OUT=target/minify
SDK_RULES=android/sdk/consumer-rules.pro
TESTING_RULES=android/sdk-testing/consumer-rules.pro
APP_RULES=android/minify/app-rules.pro
TEST_CLASS=eu.ccvlab.mapi.minify.MinifiedAppTest
# The SDK classes native code finds by name (src/jni: the Java_eu_ccvlab_mapi_internal_* exports, and
# FindClass in JNI_OnLoad). A new JNI-bound class belongs here and in the consumer rules.
EXPECTED_KEPT_NAMES="eu.ccvlab.mapi.internal.NativeCallbacks
eu.ccvlab.mapi.internal.NativeEngine
eu.ccvlab.mapi.internal.NativeRecovery
eu.ccvlab.mapi.internal.NativeTerminal
eu.ccvlab.mapi.internal.NativeTrace"
# An ablated variant whose flows hang (a callback that never comes) still ends, as a failure.
VARIANT_TIMEOUT_SECONDS=120

started=$SECONDS

# 1. Tools.
ensure_jvm_tools
resolve_jars test
resolve_jars proguard
JUNIT="$(maven_jar test junit)"
HAMCREST="$(maven_jar test hamcrest-core)"
maven_jar proguard proguard-base > /dev/null
# The SDK's own compile-time libraries (JSpecify's annotations), from the pom host-test.sh compiles the SDK
# with; a tree without that pom compiles the SDK with nothing else. As a classpath suffix (":a.jar:b.jar").
SDK_LIBS=""
if [ -f android/toolchain/sdk/pom.xml ]; then
    resolve_jars sdk
    SDK_LIBS="$(find "$ROOT/build/jvm/sdk" -name '*.jar' | sort | sed 's/^/:/' | tr -d '\n')"
fi
PROGUARD_CP="$ROOT/build/jvm/proguard/*"

# ProGuard needs the JDK's own classes as library classes; a JDK 9+ keeps them in jmods.
JAVA_HOME_DIR="$(java -XshowSettings:properties -version 2>&1 | awk -F' = ' '/^ *java\.home = /{print $2}')"
for module in java.base java.logging; do
    if [ ! -f "$JAVA_HOME_DIR/jmods/$module.jmod" ]; then
        echo "minify-test: $JAVA_HOME_DIR/jmods/$module.jmod not found (a full JDK with jmods is needed)" >&2
        exit 1
    fi
done

# 2. The host build of libmapi, with the JNI exports and the simulator.
build_host_library minify-test

# 3. Compile into one jar: what an app's release build hands to the shrinker.
echo "== javac (Java 8 bytecode): SDK, testing artifact, test app"
rm -rf "$OUT"
mkdir -p "$OUT/classes/sdk" "$OUT/classes/testing" "$OUT/classes/app" "$OUT/variants"
find android/sdk/src/main/java -name '*.java' -not -path '*/eu/ccvlab/api_android/*' | sort > "$OUT/sdk-sources.txt"
find android/sdk-testing/src/main/java -name '*.java' | sort > "$OUT/testing-sources.txt"
find android/minify/src -name '*.java' | sort > "$OUT/app-sources.txt"
# Lint and Javadoc are host-test.sh's to judge; here only the bytecode matters.
javac --release 8 -encoding UTF-8 -nowarn -cp "$OUT/classes/sdk$SDK_LIBS" -d "$OUT/classes/sdk" \
    @"$OUT/sdk-sources.txt"
javac --release 8 -encoding UTF-8 -nowarn -cp "$OUT/classes/sdk$SDK_LIBS" -d "$OUT/classes/testing" \
    @"$OUT/testing-sources.txt"
javac --release 8 -encoding UTF-8 -nowarn -cp "$OUT/classes/sdk:$OUT/classes/testing:$JUNIT$SDK_LIBS" \
    -d "$OUT/classes/app" @"$OUT/app-sources.txt"
jar cf "$OUT/app.jar" -C "$OUT/classes/sdk" . -C "$OUT/classes/testing" . -C "$OUT/classes/app" .

JUNIT_JVM_ARGS=("-Dminify.stateDirectories=$ROOT/$OUT/state")

# Runs the flows on a jar without judging them; prints JUnit's summary line, or why there is none.
run_flows() {
    local jar="$1" log="$2" status=0
    timeout "$VARIANT_TIMEOUT_SECONDS" java -Xcheck:jni "${JUNIT_JVM_ARGS[@]}" -Djava.library.path="$LIB_DIR" \
        -cp "$jar:$JUNIT:$HAMCREST$SDK_LIBS" org.junit.runner.JUnitCore "$TEST_CLASS" > "$log" 2>&1 || status=$?
    if [ "$status" -eq 124 ]; then
        echo "timed out after ${VARIANT_TIMEOUT_SECONDS} s"
    else
        grep -E '^(OK \([0-9]+ tests?\)|Tests run: [0-9]+, +Failures: [0-9]+)' "$log" | tail -n 1 \
            || echo "no JUnit summary (exit status $status)"
    fi
}

# 4. Control: the flows pass before shrinking, so a failure below is the shrinker's doing.
echo "== control: the flows on the unshrunk jar"
control="$(run_flows "$OUT/app.jar" "$OUT/unshrunk.log")"
if [[ "$control" != OK* ]]; then
    cat "$OUT/unshrunk.log"
    echo "minify-test: FAILED: the flows fail even unshrunk ($control); see host-test.sh first" >&2
    exit 1
fi
echo "unshrunk: $control"

# 5. Shrink. -repackageclasses and -allowaccessmodification only let the shrinker move and merge more
# (as R8's full mode does); they keep nothing.
shrink() {
    local sdk_rules="$1" out_jar="$2" prefix="$3"
    java -cp "$PROGUARD_CP" proguard.ProGuard \
        -injars "$OUT/app.jar" \
        -outjars "$out_jar" \
        -libraryjars "$JAVA_HOME_DIR/jmods/java.base.jmod(!**.jar;!module-info.class)" \
        -libraryjars "$JAVA_HOME_DIR/jmods/java.logging.jmod(!**.jar;!module-info.class)" \
        -libraryjars "$JUNIT" \
        -libraryjars "$HAMCREST" \
        ${SDK_LIBS:+-libraryjars "${SDK_LIBS#:}"} \
        -include "$sdk_rules" \
        -include "$TESTING_RULES" \
        -include "$APP_RULES" \
        -repackageclasses '' \
        -allowaccessmodification \
        -printmapping "$prefix.mapping.txt" \
        -printseeds "$prefix.seeds.txt" \
        -printusage "$prefix.usage.txt" \
        > "$prefix.proguard.log" 2>&1
}

class_count() {
    jar tf "$1" | grep -c '\.class$'
}

echo "== ProGuard $(basename "$(maven_jar proguard proguard-base)" .jar | sed 's/^proguard-base-//'): shrink, optimize, obfuscate under $SDK_RULES + $TESTING_RULES + $APP_RULES"
shrink_started=$SECONDS
if ! shrink "$SDK_RULES" "$OUT/app-shrunk.jar" "$OUT/shrunk"; then
    cat "$OUT/shrunk.proguard.log"
    echo "minify-test: FAILED: ProGuard did not finish" >&2
    exit 1
fi
echo "shrunk in $((SECONDS - shrink_started)) s: $(class_count "$OUT/app.jar") classes, $(stat -c %s "$OUT/app.jar") bytes" \
    "→ $(class_count "$OUT/app-shrunk.jar") classes, $(stat -c %s "$OUT/app-shrunk.jar") bytes"

# The mapping's class lines read "original -> obfuscated:"; a name that survived maps to itself.
kept_names="$(grep -E '^eu\.ccvlab\.' "$OUT/shrunk.mapping.txt" \
    | awk '$1 ":" == $3 { print $1 }' \
    | grep -v -E '^eu\.ccvlab\.mapi\.(testing|minify)\.' | sort || true)"
sdk_classes_out="$(grep -E '^eu\.ccvlab\.mapi\.' "$OUT/shrunk.mapping.txt" \
    | grep -c -v -E '^eu\.ccvlab\.mapi\.(testing|minify)\.' || true)"
# The SDK's share of the shrunk jar: its classes' new names, looked up in the jar's listing (sizes uncompressed).
sdk_bytes_in="$(find "$OUT/classes/sdk" -name '*.class' -printf '%s\n' | awk '{ sum += $1 } END { print sum }')"
sdk_bytes_out="$(jar tvf "$OUT/app-shrunk.jar" | awk -v mapping="$OUT/shrunk.mapping.txt" '
    BEGIN {
        while ((getline line < mapping) > 0) {
            if (line ~ /^eu\.ccvlab\.mapi\./ && line !~ /^eu\.ccvlab\.mapi\.(testing|minify)\./) {
                split(line, part, " ")
                name = substr(part[3], 1, length(part[3]) - 1)
                gsub(/\./, "/", name)
                sdk[name ".class"] = 1
            }
        }
    }
    ($NF in sdk) { sum += $1 }
    END { print sum + 0 }')"
echo "SDK alone: $(find "$OUT/classes/sdk" -name '*.class' | grep -c .) classes, $sdk_bytes_in bytes →" \
    "$sdk_classes_out classes, $sdk_bytes_out bytes; $(echo "$kept_names" | grep -c .) keep their names:" \
    "$(echo "$kept_names" | tr '\n' ' ')"
if [ "$kept_names" != "$EXPECTED_KEPT_NAMES" ]; then
    echo "minify-test: FAILED: the rules keep the names of other SDK classes than native code needs." >&2
    echo "expected:" >&2
    echo "$EXPECTED_KEPT_NAMES" >&2
    echo "kept:" >&2
    echo "$kept_names" >&2
    exit 1
fi

# 6. The flows on the shrunk jar.
run_junit minify-test "$OUT/junit.log" "$LIB_DIR" "$OUT/app-shrunk.jar:$JUNIT:$HAMCREST$SDK_LIBS" \
    "$TEST_CLASS"

# 7. Each rule of the SDK's consumer rules is needed: without it, some flow fails. A rule is a line that
# starts with '-', with its { … } block when it opens one.
rule_count="$(grep -c '^-' "$SDK_RULES")"
echo "== each of the $rule_count rules of $SDK_RULES removed in turn: the flows must fail"
unproven=0
for n in $(seq 1 "$rule_count"); do
    variant="$OUT/variants/without-rule-$n"
    awk -v skip="$n" '
        /^-/ { rule++; inside = (rule == skip) }
        { if (!inside) print }
        inside && (/}/ || (/^-/ && !/{/)) { inside = 0 }
    ' "$SDK_RULES" > "$variant.pro"
    first_line="$(grep '^-' "$SDK_RULES" | sed -n "${n}p")"
    if ! shrink "$variant.pro" "$variant.jar" "$variant"; then
        echo "rule $n ($first_line): ProGuard failed without it (see $variant.proguard.log)"
        continue
    fi
    summary="$(run_flows "$variant.jar" "$variant.junit.log")"
    if [[ "$summary" == OK* ]]; then
        echo "rule $n ($first_line): UNPROVEN, the flows pass without it ($summary)"
        unproven=$((unproven + 1))
        continue
    fi
    # Native code's own complaint when it has one (JNI_OnLoad names what it could not resolve), else the
    # first failure's message (JUnit numbers them "1) test(class)", the exception on the next line).
    why="$(grep -m1 -o 'mapi ERROR mapi::jni: .*' "$variant.junit.log" || true)"
    if [ -z "$why" ]; then
        why="$(grep -A1 -m1 -E '^1\) ' "$variant.junit.log" | tail -n 1)"
    fi
    why="$(echo "$why" | cut -c1-220)"
    echo "rule $n ($first_line): needed; without it: $summary; first failure: ${why:-see $variant.junit.log}"
done
if [ "$unproven" -gt 0 ]; then
    echo "minify-test: FAILED: $unproven rule(s) of $SDK_RULES are needed by no flow: drop them, or add the" \
        "flow that needs them to android/minify/src" >&2
    exit 1
fi
echo "minify-test: OK in $((SECONDS - started)) s (shrunk jar, mapping and logs: $OUT)"
