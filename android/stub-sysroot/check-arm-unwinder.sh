#!/usr/bin/env bash
# Runs the armeabi-v7a library's unwinder on ARM code, under qemu-user (no device, no NDK needed):
#
#   bash android/stub-sysroot/check-arm-unwinder.sh
#
# The unwinder object is made by arm-unwinder.sh exactly as for the Android link, then linked into
# two armhf (armv7-unknown-linux-gnueabihf, glibc) programs that qemu-arm runs:
#   1. unwind-check/: 3 panics caught by catch_unwind, 18 destructors run on the way (as
#      check-unwinder.sh on the host for arm64/x86_64);
#   2. libmapi.so with the test seams (features "jni simulator test-hooks"), release profile as shipped, linked
#      with that unwinder as an archive under --exclude-libs,ALL as on Android, loaded by
#      jni-panic-check/, which calls its EngineFaults.panicNow export through a JNIEnv of its own
#      three times (twice on the main thread, once on another): each call must return normally with
#      java/lang/RuntimeException thrown, its message naming the panic.
# Both must neither import nor export an _Unwind_* symbol and must not need libgcc_s, so the
# unwinding that happened was this object's, not glibc's libgcc_s.so.1.
#
# What differs from a device: glibc instead of bionic (libc calls, dl_iterate_phdr), the
# hard-float calling convention instead of soft-float in the Rust code, qemu instead of a CPU,
# and a stand-in JNIEnv instead of ART (docs/android-armv7.md).
#
# needs: qemu-user, libc6-dev-armhf-cross, libgcc-12-dev-armhf-cross, clang-14, lld-14, llvm-14;
# rustup target armv7-unknown-linux-gnueabihf (added when missing)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$repo/target}"
triple=armv7-unknown-linux-gnueabihf
env_triple="$(tr 'a-z-' 'A-Z_' <<<"$triple")"
sysroot=/usr/arm-linux-gnueabihf
work="$CARGO_TARGET_DIR/arm-unwind-check"
mkdir -p "$work"
unset RUSTFLAGS CARGO_ENCODED_RUSTFLAGS

for tool in qemu-arm clang-14 ld.lld-14 llvm-nm-14 llvm-readelf-14; do
    command -v "$tool" >/dev/null || { echo "check-arm-unwinder.sh: $tool missing" >&2; exit 1; }
done
[ -f "$sysroot/lib/crt1.o" ] || { echo "check-arm-unwinder.sh: $sysroot/lib/crt1.o missing (apt-get install libc6-dev-armhf-cross)" >&2; exit 1; }
rustup target list --installed | grep -qx "$triple" || rustup target add "$triple"

# The Android clang target, so that the object is byte for byte the one in the armeabi-v7a library.
"$here/arm-unwinder.sh" armv7a-linux-androideabi23 "$work/unwind.o"
rm -f "$work/libarmunwind.a"
llvm-ar-14 rcs "$work/libarmunwind.a" "$work/unwind.o"

# A definition in an object beats libgcc_s.so wherever it comes on the command line (lld).
# shellcheck disable=SC2054 # the commas belong to the -Wl, arguments
link=(--target="$triple" -fuse-ld=lld -Wl,--whole-archive "$work/libarmunwind.a" -Wl,--no-whole-archive
    -Wl,--exclude-libs,ALL)
# Cargo does not see the archive: its digest in the flags makes a changed unwinder relink.
rustflags="--cfg mapi_arm_unwinder=\"$(sha256sum "$work/unwind.o" | cut -c1-16)\""
for arg in "${link[@]}"; do rustflags="$rustflags -C link-arg=$arg"; done
build() {
    env "CARGO_TARGET_${env_triple}_LINKER=clang-14" "CARGO_TARGET_${env_triple}_RUSTFLAGS=$rustflags" \
        cargo build --quiet --release --target "$triple" "$@"
}

uses_own_unwinder() {
    local file="$1"
    if llvm-nm-14 -D "$file" | grep -q ' _Unwind_'; then
        echo "check-arm-unwinder.sh: $file imports or exports _Unwind_* symbols" >&2
        return 1
    fi
    if llvm-readelf-14 -d "$file" | grep -q 'NEEDED.*libgcc_s'; then
        echo "check-arm-unwinder.sh: $file needs libgcc_s" >&2
        return 1
    fi
}

run() {
    qemu-arm -L "$sysroot" "$@"
}

echo "== armv7 unwinder under qemu-arm: panics and destructors ($triple)"
(cd "$here/unwind-check" && build --locked)
program="$CARGO_TARGET_DIR/$triple/release/mapi-android-unwind-check"
uses_own_unwinder "$program"
if ! output="$(run "$program")"; then
    echo "check-arm-unwinder.sh: $program failed (an abort: a panic the unwinder could not unwind)" >&2
    exit 1
fi
expected=$'caught 3\ndropped 18'
if [ "$output" != "$expected" ]; then
    printf 'check-arm-unwinder.sh: expected\n%s\ngot\n%s\n' "$expected" "$output" >&2
    exit 1
fi
echo "   3 panics caught by catch_unwind, 18 destructors run while unwinding"

echo "== armv7 unwinder under qemu-arm: a panic in a JNI export of libmapi.so becomes a Java exception"
(cd "$repo" && build --lib --no-default-features --features "jni simulator test-hooks")
library="$work/libmapi.so"
cp "$CARGO_TARGET_DIR/$triple/release/libmapi.so" "$library"
uses_own_unwinder "$library"
# The stand-in JVM is an ordinary armhf program: its own std may use libgcc_s as usual.
(cd "$here/jni-panic-check" &&
    env "CARGO_TARGET_${env_triple}_LINKER=clang-14" \
        "CARGO_TARGET_${env_triple}_RUSTFLAGS=-C link-arg=--target=$triple -C link-arg=-fuse-ld=lld" \
        cargo build --quiet --release --locked --target "$triple")
if ! output="$(run "$CARGO_TARGET_DIR/$triple/release/mapi-android-jni-panic-check" "$library" 2>"$work/jni-panic-check.stderr")"; then
    echo "check-arm-unwinder.sh: the stand-in JVM failed; its stderr:" >&2
    cat "$work/jni-panic-check.stderr" >&2
    exit 1
fi
expected_exception="thrown java/lang/RuntimeException: internal error in the mapi native library: panic injected by a test"
expected="call 1: $expected_exception"$'\n'"call 2: $expected_exception"$'\n'"call 3, another thread: $expected_exception"
if [ "$output" != "$expected" ]; then
    printf 'check-arm-unwinder.sh: expected\n%s\ngot\n%s\nstderr:\n' "$expected" "$output" >&2
    cat "$work/jni-panic-check.stderr" >&2
    exit 1
fi
echo "   3 calls of EngineFaults.panicNow returned with java/lang/RuntimeException thrown"
