#!/usr/bin/env bash
# Runs the stub sysroot's unwinder on this machine: builds unwind/ for the host, makes every
# global but _Unwind_* local exactly as generate.sh does for Android, links unwind-check/ with it
# and runs it. Passes when 3 panics are caught with 18 destructors run (3 × 6 frames) and the
# program imports no _Unwind_* symbol (so they came from this unwinder, not libgcc_s).
# Hosts: x86_64 or aarch64 Linux (what `unwinding` supports). Needs llvm-14 and a host C linker.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$(cd "$here/../.." && pwd)/target}"
host="$(rustc -vV | sed -n 's/^host: //p')"
work="$CARGO_TARGET_DIR/unwind-check"
mkdir -p "$work"

(cd "$here/unwind" && cargo build --quiet --release --locked --target "$host")
archive="$CARGO_TARGET_DIR/$host/release/libmapi_android_unwind.a"
member="$(llvm-ar-14 t "$archive" | grep '^mapi_android_unwind-')"
(cd "$work" && llvm-ar-14 x "$archive" "$member" &&
    llvm-objcopy-14 --wildcard --keep-global-symbol='_Unwind_*' "$member" unwind.o && rm -f "$member")

(cd "$here/unwind-check" &&
    env "CARGO_TARGET_$(echo "$host" | tr 'a-z-' 'A-Z_')_RUSTFLAGS=-C link-arg=$work/unwind.o" \
        cargo build --quiet --release --target "$host")
program="$CARGO_TARGET_DIR/$host/release/mapi-android-unwind-check"

if llvm-nm-14 -D --undefined-only "$program" | grep -q '_Unwind_'; then
    echo "check-unwinder.sh: the program still imports _Unwind_* symbols" >&2
    exit 1
fi
output="$("$program")"
expected=$'caught 3\ndropped 18'
if [ "$output" != "$expected" ]; then
    printf 'check-unwinder.sh: expected\n%s\ngot\n%s\n' "$expected" "$output" >&2
    exit 1
fi
echo "unwinder ok on $host: 3 panics caught by catch_unwind, 18 destructors run while unwinding"
