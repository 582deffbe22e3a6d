#!/usr/bin/env bash
# Runs every libFuzzer target in fuzz/ for a fixed number of executions and stops at the first
# finding (the reproducer lands in fuzz/artifacts/<target>/; copy it to fuzz/regressions/<target>/
# once fixed, so `cargo test` replays it forever through tests/hardening_fuzz_replay.rs).
#
#   scripts/fuzz.sh                               CI mode: 20,000 executions per target
#   FUZZ_RUNS=10000000 scripts/fuzz.sh            a long run (the figures in docs/reliability.md)
#   FUZZ_TARGETS="session" scripts/fuzz.sh        some targets only
#   FUZZ_SANITIZER=none scripts/fuzz.sh           without AddressSanitizer (about 2x faster; the
#                                                 crate has no unsafe code outside the JNI bridge)
#   FUZZ_TRACE_COMPARES=0 scripts/fuzz.sh         without compare tracing (faster again: on the
#                                                 session target ~60% of the time goes to it; for
#                                                 long runs that start from a grown corpus)
#
# Targets: frame_decoder (arbitrary bounds and read splits against a reference reading, memory
# bound), message_parse (any bytes; parse → serialise → parse is identity), session (the sans-IO
# session fed interleavings of commands, connection events, frames and clock steps; exactly one
# outcome per command, no answer attributed to the wrong request, recovery asked when needed).
#
# Toolchain: cargo-fuzz passes nightly-only flags (-Zsanitizer, sancov passes). RUSTC_BOOTSTRAP=1
# makes a stable toolchain accept them; the ASan runtime ships with stable rust-std on
# x86_64-unknown-linux-gnu. cargo-fuzz itself is installed from crates.io when missing; libFuzzer
# is compiled from the libfuzzer-sys crate (needs a C++ compiler).
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${FUZZ_RUNS:-20000}
targets=${FUZZ_TARGETS:-"frame_decoder message_parse session"}
sanitizer=${FUZZ_SANITIZER:-address}
build_flags=()
if [ "${FUZZ_TRACE_COMPARES:-1}" = "0" ]; then
    build_flags+=(--no-trace-compares)
fi
target_dir=$(realpath -m "${FUZZ_TARGET_DIR:-fuzz/target}")
export RUSTC_BOOTSTRAP=1

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "== installing cargo-fuzz"
    cargo install cargo-fuzz --locked
fi

echo "== seed corpora"
mkdir -p fuzz/corpus/frame_decoder fuzz/corpus/message_parse fuzz/corpus/session
cp tests/data/golden/*.xml fuzz/corpus/message_parse/
# frame_decoder input: bound (0x0FFF → 4096), 3 read sizes (1, 7, 255), then framed golden messages.
for file in tests/data/golden/*.xml; do
    size=$(stat -c %s "$file")
    {
        printf '\x0f\xff\x02\x01\x07\xff'
        printf "$(printf '\\x%02x\\x%02x\\x%02x\\x%02x' $((size >> 24 & 255)) $((size >> 16 & 255)) $((size >> 8 & 255)) $((size & 255)))"
        cat "$file"
        printf '\x00\x00\x00\x00\xff\xff\xff\xff'
    } >"fuzz/corpus/frame_decoder/$(basename "$file" .xml).bin"
done
(cd fuzz && CARGO_TARGET_DIR="$target_dir" cargo run --quiet --example write_seeds -- corpus/session)

status=0
for target in $targets; do
    case $target in
        frame_decoder) max_len=8192 ;;
        message_parse) max_len=16384 ;;
        *) max_len=4096 ;;
    esac
    echo "== $target: $runs executions (sanitizer: $sanitizer)"
    log=$(mktemp)
    if ! cargo fuzz run --sanitizer "$sanitizer" ${build_flags[@]+"${build_flags[@]}"} --target-dir "$target_dir" "$target" \
        "fuzz/corpus/$target" "fuzz/regressions/$target" -- \
        -runs="$runs" -max_len="$max_len" -dict=fuzz/opi.dict -timeout=10 \
        -rss_limit_mb=2048 -print_final_stats=1 >"$log" 2>&1; then
        tail -n 60 "$log"
        if grep -q 'libFuzzer: run interrupted' "$log"; then
            echo "== $target: interrupted (a signal stopped the run; no finding)" >&2
        else
            echo "== $target: FINDING (reproducer in fuzz/artifacts/$target/)" >&2
        fi
        status=1
    else
        grep -E '^(Done|stat::number_of_executed_units|stat::peak_rss_mb)' "$log" || tail -n 5 "$log"
    fi
    rm -f "$log"
    [ "$status" -eq 0 ] || break
done
exit "$status"
