# shellcheck shell=bash
# Sourced by android/host-test.sh, android/ktx-test.sh and android/robolectric-test.sh: the steps the
# host-JVM suites share, so they install, resolve, build and judge a run the same way.
#
#   ensure_jvm_tools                          a JDK 17 or newer and Maven; apt-get installs them when missing
#   resolve_jars NAME                         the jars android/toolchain/NAME/pom.xml names, with their
#                                             dependencies, from Maven Central into build/jvm/NAME
#   maven_jar NAME FILE_PREFIX                path of build/jvm/NAME/FILE_PREFIX-<version>.jar (one match)
#   java8_lint                                -Xlint with every category on, for --release 8 builds that
#                                             read JSpecify's annotations (see there)
#   build_host_library NAME                   the host libmapi.so with the JNI exports, in $LIB_DIR
#                                             (also as libmapi_simulator.so)
#   run_junit NAME LOG LIB_DIR CLASSPATH CLASS...   (extra JVM options: the array JUNIT_JVM_ARGS)
#
# The suites take JUnit, Hamcrest, the Kotlin compiler, kotlinx-coroutines and Robolectric from Maven
# Central at the versions the poms under android/toolchain pin; once resolved, a run needs no network.
#
# run_junit exits the calling script with 1 when a test fails, the JVM ends before JUnit reports, or the
# JVM prints any JNI problem; otherwise prints "N passed, 0 failed" and returns. On failure the whole
# log is printed; on success only its "leak check:" lines (the JVM suite's measured counts).
JVM_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LIB_DIR="${CARGO_TARGET_DIR:-target}/debug"
JUNIT_JVM_ARGS=()

java_major() {
    # "17.0.15" → 17, "1.8.0_392" → 8 (javac -version prints "javac 17.0.15").
    local version
    version="$(javac -version 2>&1 | awk '{print $2}')"
    case "$version" in
        1.*) echo "${version#1.}" | cut -d. -f1 ;;
        *) echo "$version" | cut -d. -f1 ;;
    esac
}

# Robolectric 4.17 runs Android 15's framework only on Java 17 or newer, and the suites compile with
# --release 8, which javac 17 still accepts.
ensure_jvm_tools() {
    local need=()
    if ! command -v javac >/dev/null 2>&1 || [ "$(java_major)" -lt 17 ]; then
        need+=(openjdk-17-jdk-headless)
    fi
    command -v mvn >/dev/null 2>&1 || need+=(maven)
    if [ "${#need[@]}" -gt 0 ]; then
        if [ "$(id -u)" -ne 0 ]; then
            echo "missing: ${need[*]} (as root: apt-get update && apt-get install ${need[*]})" >&2
            exit 1
        fi
        echo "== apt-get install ${need[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
    fi
    # An older default JDK may stay first on PATH after the install.
    if [ "$(java_major)" -lt 17 ]; then
        local jdk
        jdk="$(find /usr/lib/jvm -maxdepth 1 -name 'java-17-openjdk-*' | sort | head -n 1)"
        if [ -z "$jdk" ]; then
            echo "no JDK 17 found under /usr/lib/jvm" >&2
            exit 1
        fi
        export JAVA_HOME="$jdk"
        export PATH="$jdk/bin:$PATH"
    fi
}

# The copy is keyed on the pom's content: a changed version re-resolves, an unchanged pom reuses the
# jars without asking Maven (no network, no ~/.m2 needed).
resolve_jars() {
    local name="$1"
    local pom="$JVM_ROOT/android/toolchain/$name/pom.xml"
    local out="$JVM_ROOT/build/jvm/$name"
    local key
    key="$(sha256sum "$pom" | cut -d' ' -f1)"
    if [ "$(cat "$out/.resolved" 2>/dev/null || true)" = "$key" ]; then
        return 0
    fi
    ensure_jvm_tools
    echo "== mvn: $name (android/toolchain/$name/pom.xml) from Maven Central into build/jvm/$name"
    rm -rf "$out"
    mkdir -p "$out"
    if ! mvn -B -q -f "$pom" -Djvm.out="$out" > "$out/mvn.log" 2>&1; then
        cat "$out/mvn.log" >&2
        echo "resolving android/toolchain/$name/pom.xml failed" >&2
        exit 1
    fi
    echo "$key" > "$out/.resolved"
}

# Every lint category of the javac at hand, as -Xlint:none,<each>: the checks of -Xlint:all without the
# "unknown enum constant ElementType.MODULE" warning that --release 8 prints whenever javac reads
# JSpecify's @NullMarked (its @Target names MODULE, a Java 9 constant). No lint category controls that
# warning, and under -Werror it would fail every build of the SDK; naming the categories one by one
# keeps them all on. Read from javac itself, so a newer javac's new categories are on too.
java8_lint() {
    local categories
    categories="$(javac --help-lint | awk '/^    [a-z]/ && $1 != "all" && $1 != "none" { print $1 }' | paste -sd,)"
    echo "-Xlint:none,$categories"
}

maven_jar() {
    local matches=("$JVM_ROOT/build/jvm/$1/$2"-[0-9]*.jar)
    if [ "${#matches[@]}" -ne 1 ] || [ ! -f "${matches[0]}" ]; then
        echo "expected one $2-<version>.jar in build/jvm/$1, found: ${matches[*]}" >&2
        exit 1
    fi
    echo "${matches[0]}"
}

# With the simulator (a default feature): the suites start it through its JNI bridge.
build_host_library() {
    # test-hooks: the repository's own JVM tests inject panics (EngineFaults); no AAR has them.
    echo "== cargo build --features \"jni test-hooks\""
    cargo build --features "jni test-hooks"
    if [ ! -f "$LIB_DIR/libmapi.so" ]; then
        echo "$1: $LIB_DIR/libmapi.so was not built (does Cargo.toml list cdylib in crate-type?)" >&2
        exit 1
    fi
    # TerminalSimulator loads "mapi_simulator", a library of its own on Android (the testing AAR's).
    # This host build already holds its natives; the JVM identifies a library by its canonical path,
    # so through the link it is the same library, loaded and initialised once.
    ln -sfn libmapi.so "$LIB_DIR/libmapi_simulator.so"
}

run_junit() {
    local name="$1" log="$2" lib_dir="$3" classpath="$4"
    shift 4
    echo "== JUnit: $*"
    local status=0
    java -Xcheck:jni "${JUNIT_JVM_ARGS[@]}" -Djava.library.path="$lib_dir" -cp "$classpath" \
        org.junit.runner.JUnitCore "$@" > "$log" 2>&1 || status=$?

    local jni_problems summary
    jni_problems="$(grep -E 'WARNING in native method|FATAL ERROR in native method|JNI warning|WARNING: JNI local refs' "$log" || true)"
    summary="$(grep -E '^(OK \([0-9]+ tests?\)|Tests run: [0-9]+, +Failures: [0-9]+)' "$log" | tail -n 1 || true)"

    if [ "$status" -ne 0 ] || [ -n "$jni_problems" ] || [ -z "$summary" ]; then
        cat "$log"
    else
        grep -E '^leak check:' "$log" || true
    fi

    echo "== JUnit summary: ${summary:-none (the JVM ended before JUnit finished; exit status $status)}"
    # A closing line in the plain form CI tools read: "N passed, N failed".
    if [[ "$summary" =~ ^OK\ \(([0-9]+)\ tests?\) ]]; then
        echo "${BASH_REMATCH[1]} passed, 0 failed"
    elif [[ "$summary" =~ ^Tests\ run:\ ([0-9]+),\ +Failures:\ ([0-9]+) ]]; then
        echo "$(( ${BASH_REMATCH[1]} - ${BASH_REMATCH[2]} )) passed, ${BASH_REMATCH[2]} failed"
    fi

    if [ -n "$jni_problems" ]; then
        echo "$name: FAILED: the JVM reported JNI problems under -Xcheck:jni:" >&2
        echo "$jni_problems" | sort | uniq -c >&2
        exit 1
    fi
    if [ "$status" -ne 0 ] || [ -z "$summary" ]; then
        echo "$name: FAILED: JUnit exit status $status (full log: $log)" >&2
        exit 1
    fi
    echo "$name: OK (full log: $log)"
}
