#!/usr/bin/env bash
# Makes the ARM EHABI unwinder that the stub-sysroot link puts into the armeabi-v7a libmapi.so:
#
#   arm-unwinder.sh <clang-target> <out.o>
#
# One relocatable object: libgcc's ARM unwinder (unwind-arm.o, libunwind.o, pr-support.o from
# libgcc_eh.a of Debian's libgcc-N-dev-armhf-cross) plus unwind-arm-exidx.c, with every global
# made local except what Rust's std and the compiler's exception index entries call:
# _Unwind_*, __gnu_unwind_frame and the personality routines __aeabi_unwind_cpp_pr0/1/2.
# check-arm-unwinder.sh links this very file into armhf programs and runs them under qemu-user.
#
# libgcc, not LLVM's libunwind: Debian ships it prebuilt for ARMv7 (Thumb-2, VFPv3-D16, the
# armeabi-v7a baseline), where LLVM's would have to be built from a source tree with libc headers
# that do not exist for Android without the NDK. Its licence (GPL with the GCC Runtime Library
# Exception) allows linking it into a program compiled by another compiler. Debian builds it for
# the hard-float calling convention and Android uses soft-float; the difference is only in how
# floating-point arguments are passed, and no function of the unwinder takes or returns one.
#
# needs: libgcc-12-dev-armhf-cross (or another version's), clang-14, lld-14, llvm-14
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
clang_target="$1"
out="$2"

libgcc_eh="$(find /usr/lib/gcc-cross/arm-linux-gnueabihf -name libgcc_eh.a 2>/dev/null | sort -V | tail -n 1)"
if [ -z "$libgcc_eh" ]; then
    echo "arm-unwinder.sh: libgcc_eh.a for arm-linux-gnueabihf missing (apt-get install libgcc-12-dev-armhf-cross)" >&2
    exit 1
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

members=(unwind-arm.o libunwind.o pr-support.o)
(cd "$work" && llvm-ar-14 x "$libgcc_eh" "${members[@]}")
clang-14 --target="$clang_target" -march=armv7-a -mthumb -ffreestanding -O2 -fPIC -Wall -Wextra -Werror \
    -c "$here/unwind-arm-exidx.c" -o "$work/exidx.o"
(cd "$work" && ld.lld-14 -r -o merged.o "${members[@]}" exidx.o)
# Without its build attributes the object no longer claims the hard-float calling convention
# (Tag_ABI_VFP_args), which lld would otherwise write into libmapi.so's ELF header as
# EF_ARM_ABI_FLOAT_HARD; the Rust objects' own attributes still give lld the architecture (ARMv7).
llvm-objcopy-14 --wildcard --keep-global-symbol='_Unwind_*' --keep-global-symbol=__gnu_unwind_frame \
    --keep-global-symbol='__aeabi_unwind_cpp_pr[012]' --remove-section=.ARM.attributes \
    "$work/merged.o" "$work/unwind.o"

# The exception index lookup must be this project's: a libgcc without the weak reference, or one
# that defines the function itself, would change which code finds the tables.
if ! llvm-nm-14 "$work/unwind.o" | grep -q ' t __gnu_Unwind_Find_exidx$'; then
    echo "arm-unwinder.sh: __gnu_Unwind_Find_exidx is not the local definition from unwind-arm-exidx.c" >&2
    exit 1
fi
mkdir -p "$(dirname "$out")"
mv "$work/unwind.o" "$out"
