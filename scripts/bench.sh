#!/usr/bin/env bash
# Runs every benchmark of the project and prints one summary table (measure, value, baseline,
# ratio, target, pass/fail):
#   1. abort → AbortRequest on the wire, Rust API and Java API (JNI), vs the loopback TCP round trip
#      of a 100-byte message between two plain tokio sockets (p50), measured in the same run;
#   2. abort → success callback, the terminal answering at once, same baseline;
#   3. parse + serialise of a CardServiceResponse and a 40-line receipt DeviceRequest
#      (benches/data) vs Simple XML 2.7 and the JDK's DOM + Transformer, same bytes, JIT warmed up;
#   4. the stripped arm64 libmapi.so (android/build-native.sh's output when present, else a
#      clearly labelled host build of the same features as a proxy);
#   5. idle cost after init and one payment: SDK threads and their wake-ups;
#   6. soak: payment/abort cycles against the simulator, RSS and counts at cycle 1,000 vs the end
#      (Rust API), JNI global refs and native handles (Java API).
#
#   scripts/bench.sh [--quick]      # --quick: fewer samples, 10,000 + 2,000 soak cycles (~4.5 min)
#
# Installs what it needs on Debian (a JDK, Simple XML). Not part of ./run-tests.sh: a full run takes
# ~5 minutes on a 2-core machine (~10 from a cold build). Environment: CARGO_TARGET_DIR (default ./target),
# MAPI_SOAK_CYCLES / MAPI_JAVA_SOAK_CYCLES / MAPI_BENCH_SAMPLES override the sizes below.
# All output goes to $CARGO_TARGET_DIR/bench/bench.log as well; the table to .../summary.md.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

QUICK=0
for arg in "$@"; do
    case "$arg" in
    --quick) QUICK=1 ;;
    -h | --help) sed -n '2,21p' "$0"; exit 0 ;;
    *) echo "bench.sh: unknown argument $arg" >&2; exit 2 ;;
    esac
done
if [ "$QUICK" = 1 ]; then
    SAMPLES="${MAPI_BENCH_SAMPLES:-1000}"
    SOAK="${MAPI_SOAK_CYCLES:-10000}"
    JAVA_SOAK="${MAPI_JAVA_SOAK_CYCLES:-2000}"
    BATCHES=20
else
    SAMPLES="${MAPI_BENCH_SAMPLES:-3000}"
    SOAK="${MAPI_SOAK_CYCLES:-100000}"
    JAVA_SOAK="${MAPI_JAVA_SOAK_CYCLES:-20000}"
    BATCHES=50
fi

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
OUT="$CARGO_TARGET_DIR/bench"
mkdir -p "$OUT"
LOG="$OUT/bench.log"
: > "$LOG"
SIMPLE_XML=/usr/share/java/simple-xml.jar
STARTED=$SECONDS
declare -A PART_SECONDS=()

say() { echo "== $*" | tee -a "$LOG"; }
# Runs a command, appending its output to the log (and showing it).
run() { "$@" 2>&1 | tee -a "$LOG"; }
timed() {
    local name="$1"; shift
    local t0=$SECONDS
    "$@"
    PART_SECONDS[$name]=$((SECONDS - t0))
}

# ---- 0. what the script needs (fresh Debian: a JDK and Simple XML; Rust is the project's toolchain)
need_apt=()
command -v javac >/dev/null 2>&1 || need_apt+=(openjdk-17-jdk-headless)
[ -f "$SIMPLE_XML" ] || need_apt+=(libsimple-xml-java)
if [ ${#need_apt[@]} -gt 0 ]; then
    say "installing ${need_apt[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y --no-install-recommends "${need_apt[@]}"
fi

# ---- build
build() {
    say "building the benches (release profile: what ships) and the host libmapi for the JVM"
    cargo bench --no-run 2>&1 | tail -n 3
    # The JVM runs need the JNI exports and the simulator (TerminalSimulator, for the Java soak).
    cargo build --release --lib --features jni 2>&1 | tail -n 1
    mkdir -p "$OUT/lib" "$OUT/classes"
    cp "$CARGO_TARGET_DIR/release/libmapi.so" "$OUT/lib/libmapi.so"
    # TerminalSimulator loads "mapi_simulator": on the host it is the same library (see host-jvm.sh).
    ln -sfn libmapi.so "$OUT/lib/libmapi_simulator.so"
    find android/sdk/src/main/java -name '*.java' -not -path '*/eu/ccvlab/api_android/*' > "$OUT/sources.txt"
    find android/sdk-testing/src/main/java -name '*.java' >> "$OUT/sources.txt"
    find android/bench/src -name '*.java' >> "$OUT/sources.txt"
    rm -rf "$OUT/classes" && mkdir -p "$OUT/classes"
    javac -nowarn -encoding UTF-8 -cp "$SIMPLE_XML" -d "$OUT/classes" @"$OUT/sources.txt"
}
timed build build
JAVA=(java -Djava.library.path="$OUT/lib" -cp "$OUT/classes:$SIMPLE_XML")
MAIN=eu.ccvlab.mapi.bench.JvmBench

# ---- 3. codec (first: no soak or latency run has warmed the disk caches or the CPU yet)
codec() {
    say "codec: Rust (criterion's summary mode), then Simple XML 2.7 and DOM on the same bytes"
    MAPI_BENCH_MODE=summary MAPI_BENCH_BATCHES=$BATCHES run cargo bench -q --bench codec
    run "${JAVA[@]}" -Dmapi.bench.batches="$BATCHES" "$MAIN" codec benches/data
}
timed codec codec

# ---- 1 + 2. abort latency: Rust (baseline interleaved), then a fresh baseline right before the JVM run
abort_latency() {
    say "abort latency, Rust API: $SAMPLES rounds interleaved with the loopback baseline"
    MAPI_BENCH_MODE=summary MAPI_BENCH_SAMPLES=$SAMPLES run cargo bench -q --bench abort_latency
    say "abort latency, Java API: loopback baseline ($SAMPLES samples), then $SAMPLES JVM rounds"
    MAPI_BENCH_MODE=baseline MAPI_BENCH_SAMPLES=$SAMPLES cargo bench -q --bench abort_latency 2>&1 |
        sed 's/baseline\.loopback_rtt/java_baseline.loopback_rtt/' | tee -a "$LOG"
    run "${JAVA[@]}" "$MAIN" abort "$SAMPLES"
}
timed abort abort_latency

# ---- 5. idle
idle() {
    say "idle cost after init and one payment"
    run cargo bench -q --bench idle
}
timed idle idle

# ---- 4. size of the shipped library
size() {
    local so="$ROOT/build/android/jniLibs/arm64-v8a/libmapi.so"
    local label size_file stripped
    if [ -f "$so" ]; then
        label="arm64-v8a libmapi.so (android/build-native.sh)"
        size_file="$so"
    else
        label="PROXY: host x86_64 libmapi.so, --no-default-features --features jni (no arm64 build found)"
        say "no $so: building the host proxy"
        CARGO_TARGET_DIR="$CARGO_TARGET_DIR/size-proxy" cargo build -q --release --lib --no-default-features --features jni
        size_file="$CARGO_TARGET_DIR/size-proxy/release/libmapi.so"
    fi
    stripped="$OUT/libmapi.stripped.so"
    cp "$size_file" "$stripped"
    local strip_tool=""
    for tool in llvm-strip-14 llvm-strip strip; do
        if command -v "$tool" >/dev/null 2>&1; then strip_tool="$tool"; break; fi
    done
    # GNU strip cannot read an arm64 ELF on an x86 host; the release profile already strips.
    [ -n "$strip_tool" ] && "$strip_tool" --strip-all "$stripped" 2>/dev/null || cp "$size_file" "$stripped"
    local bytes
    bytes=$(wc -c < "$stripped" | tr -d ' ')
    say "size: $label: $bytes bytes stripped ($(wc -c < "$size_file" | tr -d ' ') as built)"
    echo "MAPI-RESULT size.bytes $bytes" >> "$LOG"
    echo "MAPI-RESULT size.label $label" >> "$LOG"
}
timed size size

# ---- 6. soak
soak() {
    say "soak, Rust API: $SOAK payment/abort cycles against the simulator (child process)"
    MAPI_SOAK_CYCLES=$SOAK run cargo bench -q --bench soak
    say "soak, Java API: $JAVA_SOAK payment/abort cycles against the simulator (JNI counters)"
    run "${JAVA[@]}" "$MAIN" soak "$JAVA_SOAK" 1000
}
timed soak soak

# ---- the table
value() { # the last value reported under key $1
    awk -v k="$1" '$1 == "MAPI-RESULT" && $2 == k { $1 = ""; $2 = ""; sub(/^  /, ""); v = $0 } END { print v }' "$LOG"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 == 0) print "-"; else printf "%.2f", a / b }'; }
pass_le() { awk -v r="$1" -v t="$2" 'BEGIN { print (r != "-" && r + 0 <= t + 0) ? "PASS" : "FAIL" }'; }
pass_ge() { awk -v r="$1" -v t="$2" 'BEGIN { print (r != "-" && r + 0 >= t + 0) ? "PASS" : "FAIL" }'; }
eq() { [ "$1" = "$2" ] && [ -n "$1" ] && echo PASS || echo FAIL; }

base=$(value baseline.loopback_rtt.p50_us)
base99=$(value baseline.loopback_rtt.p99_us)
jbase=$(value java_baseline.loopback_rtt.p50_us)
rows=()
row() { rows+=("| $1 | $2 | $3 | $4 | $5 | $6 |"); }

r=$(ratio "$base99" "$base")
row "loopback floor itself: tokio RTT p99 (noise of this machine)" "${base99} µs" "p50 ${base} µs" "${r}×" "(info)" "-"
for api in rust java; do
    b=$base
    [ "$api" = java ] && b=$jbase
    w99=$(value "$api.abort_to_wire.p99_us"); w50=$(value "$api.abort_to_wire.p50_us")
    e99=$(value "$api.abort_end_to_end.p99_us"); e50=$(value "$api.abort_end_to_end.p50_us")
    r=$(ratio "$w99" "$b")
    row "abort call → AbortRequest on the wire, ${api^} API: p99 (p50)" "${w99} µs (${w50})" "RTT p50 ${b} µs" "${r}×" "≤ 1.5×" "$(pass_le "$r" 1.5)"
    r=$(ratio "$e99" "$b")
    row "abort call → success callback, ${api^} API: p99 (p50)" "${e99} µs (${e50})" "RTT p50 ${b} µs" "${r}×" "≤ 3×" "$(pass_le "$r" 3)"
done
ours=$(value codec.rust.both_ns)
for other in simplexml dom; do
    theirs=$(value "codec.$other.both_ns")
    name="Simple XML 2.7"
    [ "$other" = dom ] && name="JDK DOM + Transformer"
    r=$(ratio "$theirs" "$ours")
    row "parse+serialize CardServiceResponse + 40-line DeviceRequest vs $name (CPU time)" "$(ratio "$ours" 1000) µs" "$(ratio "$theirs" 1000) µs" "${r}× faster" "≥ 10×" "$(pass_ge "$r" 10)"
done
bytes=$(value size.bytes)
row "stripped libmapi.so: $(value size.label)" "$bytes bytes" "-" "-" "≤ 1 MiB (1048576)" "$(awk -v b="$bytes" 'BEGIN { print (b + 0 > 0 && b + 0 <= 1048576) ? "PASS" : "FAIL" }')"
row "idle: threads the SDK created after init + one payment" "$(value idle.sdk_threads) ($(value idle.sdk_thread_names))" "-" "-" "exactly 1" "$(eq "$(value idle.sdk_threads)" 1)"
row "idle: wake-ups of those threads" "$(value idle.wakeups) in $(value idle.seconds) s" "-" "$(value idle.wakeups_per_s)/s" "0/s" "$(eq "$(value idle.wakeups)" 0)"
mid=$(value soak.rss_mid_kib); end=$(value soak.rss_end_kib); delta=$(value soak.rss_delta_pct)
row "soak, Rust API, $(value soak.cycles) cycles: RSS at cycle $(value soak.checkpoint) → end" "$mid → $end KiB" "$mid KiB" "${delta} %" "±5 %" "$(awk -v d="$delta" 'BEGIN { print (d != "" && d + 0 <= 5 && d + 0 >= -5) ? "PASS" : "FAIL" }')"
row "soak, Rust API: threads / open fds at cycle 1,000 → end" "$(value soak.threads_end) / $(value soak.fds_end)" "$(value soak.threads_mid) / $(value soak.fds_mid)" "-" "equal" "$(eq "$(value soak.threads_mid)/$(value soak.fds_mid)" "$(value soak.threads_end)/$(value soak.fds_end)")"
row "soak, Java API, $(value java.soak.cycles) cycles: JNI global refs / live handles at 1,000 → end" "$(value java.soak.global_refs_end) / $(value java.soak.handles_end)" "$(value java.soak.global_refs_mid) / $(value java.soak.handles_mid)" "-" "equal" "$(eq "$(value java.soak.global_refs_mid)/$(value java.soak.handles_mid)" "$(value java.soak.global_refs_end)/$(value java.soak.handles_end)")"

{
    echo
    echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') on $(nproc) cores ($(uname -m)), $( [ "$QUICK" = 1 ] && echo quick || echo full ) run, load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo
    echo "| measure | value | baseline | ratio | target | result |"
    echo "|---|---|---|---|---|---|"
    printf '%s\n' "${rows[@]}"
    echo
    printf 'time per part: build %ss, codec %ss, abort latency %ss, idle %ss, size %ss, soak %ss; total %ss\n' \
        "${PART_SECONDS[build]}" "${PART_SECONDS[codec]}" "${PART_SECONDS[abort]}" "${PART_SECONDS[idle]}" \
        "${PART_SECONDS[size]}" "${PART_SECONDS[soak]}" "$((SECONDS - STARTED))"
    echo "soak rates: Rust $(value soak.cycles_per_s) cycles/s; Java $(value java.soak.cycles) cycles in $(value java.soak.seconds) s"
} | tee "$OUT/summary.md"
