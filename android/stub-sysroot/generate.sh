#!/usr/bin/env bash
# Generates the stub Android sysroot for one ABI, used by android/build-native.sh to validate the
# link of libmapi.so on a machine without the Android NDK:
#   libc.so libm.so libdl.so liblog.so  stub shared objects with bionic's sonames, exporting the
#                                      names listed in symbols/<lib>.txt (empty function bodies:
#                                      only the symbol table matters, the device's real libraries
#                                      are loaded at run time)
#   libunwind.a                        aarch64/x86_64: the pure-Rust DWARF unwinder (unwind/,
#                                      `unwinding` crate) with only its _Unwind_* symbols global;
#                                      armv7: libgcc's ARM EHABI unwinder (arm-unwinder.sh)
# No crt objects: a Rust cdylib references nothing from crtbegin_so/crtend_so (__dso_handle,
# __cxa_finalize registration), so the link passes -nostdlib and names every library itself.
#
# usage: generate.sh <rust-triple> <clang-target> <out-dir>
# needs: clang-14, lld-14 (ld.lld), llvm-14 (llvm-ar, llvm-objcopy, llvm-nm), cargo with the target;
# for armv7 also libgcc-12-dev-armhf-cross
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
triple="$1"
clang_target="$2"
out="$3"
mkdir -p "$out"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$(cd "$here/../.." && pwd)/target}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# One C file per library: `void stub_N(void) __asm__("name")` gives each listed name a definition
# without clashing with the compiler's own declarations of memcpy, abort, …
stub_library() {
    local list="$1" soname="$2" c="$work/$2.c" n=0 name kind
    : > "$c"
    while read -r name kind _; do
        case "$name" in '' | '#'*) continue ;; esac
        n=$((n + 1))
        if [ "${kind:-}" = object ]; then
            printf 'char stub_%d[16] __asm__("%s");\n' "$n" "$name" >> "$c"
        else
            printf 'void stub_%d(void) __asm__("%s");\nvoid stub_%d(void) {}\n' "$n" "$name" "$n" >> "$c"
        fi
    done < "$list"
    clang-14 --target="$clang_target" -fuse-ld=lld -nostdlib -shared -fPIC -O1 \
        -Wl,-soname,"$soname" -o "$out/$soname.tmp" "$c"
    mv "$out/$soname.tmp" "$out/$soname"
}

for lib in libc.so libm.so libdl.so liblog.so; do
    stub_library "$here/symbols/$lib.txt" "$lib"
done

case "$triple" in
aarch64-* | x86_64-*)
    # Built as a Rust staticlib (LTO: one object plus compiler-builtins members). Only that object
    # is kept, with every global except _Unwind_* made local so that nothing in it can clash with
    # libmapi's own copy of core.
    (cd "$here/unwind" && cargo build --quiet --release --locked --target "$triple")
    archive="$CARGO_TARGET_DIR/$triple/release/libmapi_android_unwind.a"
    member="$(llvm-ar-14 t "$archive" | grep '^mapi_android_unwind-' || true)"
    if [ "$(printf '%s\n' "$member" | grep -c .)" -ne 1 ]; then
        echo "generate.sh: expected one LTO object in $archive, found: ${member:-none}" >&2
        exit 1
    fi
    (cd "$work" && llvm-ar-14 x "$archive" "$member")
    llvm-objcopy-14 --wildcard --keep-global-symbol='_Unwind_*' "$work/$member" "$work/unwind.o"
    ;;
armv7-*)
    "$here/arm-unwinder.sh" "$clang_target" "$work/unwind.o"
    ;;
*)
    echo "generate.sh: no unwinder for $triple" >&2
    exit 1
    ;;
esac
rm -f "$out/libunwind.a"
llvm-ar-14 rcs "$out/libunwind.a" "$work/unwind.o"
