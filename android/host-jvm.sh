# Sourced by android/host-test.sh and android/ktx-test.sh: the steps both host-JVM suites share, so
# they install, build and judge a run the same way.
#
#   ensure_junit                              JUnit 4 + Hamcrest from Debian when missing
#   build_host_library NAME                   the host libmapi.so with the JNI exports, in $LIB_DIR
#   run_junit NAME LOG LIB_DIR CLASSPATH CLASS...
#
# Exits the calling script with 1 when a test fails, the JVM ends before JUnit reports, or the JVM
# prints any JNI problem; otherwise prints "N passed, 0 failed" and returns. On failure the whole
# log is printed; on success only its "leak check:" lines (the JVM suite's measured counts).
JUNIT=/usr/share/java/junit4.jar
HAMCREST=/usr/share/java/hamcrest-core.jar
LIB_DIR="${CARGO_TARGET_DIR:-target}/debug"

# Debian's junit4 pulls no hamcrest on its own: its manifest only points at hamcrest-core.jar.
ensure_junit() {
    if [ ! -f "$JUNIT" ] || [ ! -f "$HAMCREST" ]; then
        echo "== installing junit4 and libhamcrest-java"
        apt-get update
        apt-get install -y --no-install-recommends junit4 libhamcrest-java
    fi
}

# With the simulator (a default feature): the suites start it through its JNI bridge.
build_host_library() {
    echo "== cargo build --features jni"
    cargo build --features jni
    if [ ! -f "$LIB_DIR/libmapi.so" ]; then
        echo "$1: $LIB_DIR/libmapi.so was not built (does Cargo.toml list cdylib in crate-type?)" >&2
        exit 1
    fi
}

run_junit() {
    local name="$1" log="$2" lib_dir="$3" classpath="$4"
    shift 4
    echo "== JUnit: $*"
    local status=0
    java -Xcheck:jni -Djava.library.path="$lib_dir" -cp "$classpath" \
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
