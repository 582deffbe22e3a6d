#!/usr/bin/env bash
# Builds libmapi.so (release, feature `jni`, no simulator) for Android.
#
#   android/build-native.sh [--out DIR] [--features "jni simulator"] [--library NAME
#                           [--only-exports PREFIX]] [ABI...]
#
# --features "jni simulator" builds the simulator's natives in (instrumented tests of the SDK
# itself), never for an app's release.
# --library NAME names the file and soname libNAME.so (default mapi). --only-exports PREFIX keeps
# JNI_OnLoad and the natives whose names start with PREFIX as the only dynamic exports (a linker
# version script): the mapi-sdk-testing AAR's libmapi_simulator.so is the crate with the simulator,
# reduced to TerminalSimulator's natives, loaded next to the SDK's own libmapi.so (see package.sh).
#
# ABIs: arm64-v8a (PAX IM30 and every current device), armeabi-v7a (devices with 32-bit
# userspace), x86_64 (emulators); default all three. The .so files land in DIR/<abi>/libNAME.so
# (default build/android/jniLibs), the layout of an AAR's jni/ folder and of Gradle's jniLibs.
#
# With ANDROID_NDK_HOME set, the NDK's clang links (what app builds and an Android CI do).
# Without it, the link is *validated* against a stub sysroot that android/stub-sysroot/generate.sh
# makes from the symbol lists in android/stub-sysroot/symbols (stub libc/libm/libdl/liblog with
# bionic's sonames, Debian's clang-14 + lld, `-Wl,--no-undefined`): the result is a real, complete
# ELF whose undefined symbols are exactly the bionic ones listed. Its unwinder, linked statically,
# is the pure-Rust `unwinding` crate on arm64/x86_64 and libgcc's ARM EHABI unwinder from Debian's
# armhf cross packages on armv7 (android/stub-sysroot/arm-unwinder.sh, docs/android-armv7.md).
#
# Environment: ANDROID_NDK_HOME (optional), MAPI_ANDROID_API (default 23, the SDK's minSdk),
# CARGO_TARGET_DIR (default ./target). RUSTFLAGS is folded into the per-target flags.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"

out="$repo/build/android/jniLibs"
features="jni"
library=mapi
only_exports=""
abis=()
while [ $# -gt 0 ]; do
    case "$1" in
    --out) out="$(mkdir -p "$2" && cd "$2" && pwd)"; shift 2 ;;
    --features) features="$2"; shift 2 ;;
    --library) library="$2"; shift 2 ;;
    --only-exports) only_exports="$2"; shift 2 ;;
    -h | --help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    -*) echo "build-native.sh: unknown option $1" >&2; exit 2 ;;
    *) abis+=("$1"); shift ;;
    esac
done
[ ${#abis[@]} -gt 0 ] || abis=(arm64-v8a armeabi-v7a x86_64)
api="${MAPI_ANDROID_API:-23}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$repo/target}"
# Any other feature set (the testing flavour's "jni simulator") builds in a subdirectory of its own:
# the cdylib's file name carries no feature hash, so two feature sets in one target directory would
# overwrite each other's libmapi.so and relink on every switch. The production set keeps the plain
# directory, so its build is exactly what it was.
if [ "$features" != jni ]; then
    CARGO_TARGET_DIR="$CARGO_TARGET_DIR/features-$(tr -cs 'a-z0-9' '-' <<<"$features" | sed 's/-*$//')"
fi
# Another library name links differently (soname, exports): its own directory for the same reason.
if [ "$library" != mapi ]; then
    CARGO_TARGET_DIR="$CARGO_TARGET_DIR/library-$library"
fi
user_rustflags="${RUSTFLAGS:-}"
unset RUSTFLAGS CARGO_ENCODED_RUSTFLAGS # they would override the per-target flags below

# rust triple, clang target (the NDK's names), for one ABI
rust_triple() {
    case "$1" in
    arm64-v8a) echo aarch64-linux-android ;;
    armeabi-v7a) echo armv7-linux-androideabi ;;
    x86_64) echo x86_64-linux-android ;;
    *) echo "build-native.sh: unknown ABI $1 (arm64-v8a, armeabi-v7a, x86_64)" >&2; return 1 ;;
    esac
}
clang_target() {
    case "$1" in
    arm64-v8a) echo aarch64-linux-android ;;
    armeabi-v7a) echo armv7a-linux-androideabi ;;
    x86_64) echo x86_64-linux-android ;;
    esac
}

ndk_bin=""
if [ -n "${ANDROID_NDK_HOME:-}" ]; then
    case "$(uname -s)" in
    Linux) host=linux-x86_64 ;;
    Darwin) host=darwin-x86_64 ;; # the NDK ships this one for Intel and Apple silicon alike
    *) echo "build-native.sh: unsupported build host $(uname -s)" >&2; exit 1 ;;
    esac
    ndk_bin="$ANDROID_NDK_HOME/toolchains/llvm/prebuilt/$host/bin"
    [ -d "$ndk_bin" ] || { echo "build-native.sh: no LLVM toolchain under $ndk_bin" >&2; exit 1; }
    echo "== linking with the NDK at $ANDROID_NDK_HOME (API $api)"
else
    for tool in clang-14 ld.lld-14 llvm-ar-14 llvm-objcopy-14; do
        command -v "$tool" >/dev/null || {
            echo "build-native.sh: $tool missing (apt-get install clang-14 lld-14 llvm-14), or set ANDROID_NDK_HOME" >&2
            exit 1
        }
    done
    echo "== no ANDROID_NDK_HOME: validating the link against the stub sysroot (android/stub-sysroot)"
fi

# Flags for every link: fail on any symbol the Android libraries do not provide, 16 KB pages
# (Android 15+ devices may use them; 4 KB devices load such libraries too), the soname
# System.loadLibrary("mapi") finds, and no symbol of a static library (libunwind.a) exported.
# shellcheck disable=SC2054 # the commas belong to the -Wl, arguments
common_link_args=(
    -Wl,--no-undefined
    -Wl,-z,max-page-size=16384
    "-Wl,-soname,lib$library.so"
    -Wl,--exclude-libs,ALL
)

# rustc exports every #[no_mangle] function of the crate through a version script of its own that
# names each one as global. Listing the unwanted ones by name as local overrides that (lld assigns
# exact local patterns first); a wildcard would not. The names come from the sources, so a new
# native is covered; android/check-elf.sh checks the resulting export list exactly either way.
if [ -n "$only_exports" ]; then
    mkdir -p "$CARGO_TARGET_DIR"
    exports_map="$CARGO_TARGET_DIR/exports.map"
    {
        echo "{ global: JNI_OnLoad;"
        grep -rhoE 'extern "system" fn (Java|JNI)_[A-Za-z0-9_]+' src/jni | awk '{ print $4 }' |
            LC_ALL=C sort -u | awk -v keep="$only_exports" '
                $1 == "JNI_OnLoad" { next }
                index($1, keep) == 1 { global = global " " $1 ";"; next }
                { local = local " " $1 ";" }
                END { print global; print "local:" local " *; };" }'
    } >"$exports_map.tmp"
    grep -q "$only_exports" "$exports_map.tmp" ||
        { echo "build-native.sh: no native starts with $only_exports" >&2; exit 1; }
    # The digest in the file name: cargo relinks when the list changes, not on every run.
    listed="$exports_map.tmp"
    exports_map="$CARGO_TARGET_DIR/exports-$(sha256sum "$listed" | cut -c1-16).map"
    mv "$listed" "$exports_map"
    # Natives behind a feature this build leaves off (test-hooks) are listed but not defined; rustc
    # asks lld to reject that (--no-undefined-version), and the later flag wins.
    common_link_args+=("-Wl,--version-script=$exports_map" -Wl,--undefined-version)
fi

for abi in "${abis[@]}"; do
    triple="$(rust_triple "$abi")"
    ctarget="$(clang_target "$abi")"
    env_triple="$(echo "$triple" | tr 'a-z-' 'A-Z_')"
    rustup target list --installed 2>/dev/null | grep -qx "$triple" || rustup target add "$triple"

    link_args=("${common_link_args[@]}")
    dest="$out/$abi"
    if [ -n "$ndk_bin" ]; then
        linker="$ndk_bin/${ctarget}${api}-clang"
        [ -x "$linker" ] || { echo "build-native.sh: $linker not found (API $api too old for this NDK?)" >&2; exit 1; }
    else
        sysroot="$repo/build/android/stub-sysroot/$abi"
        "$repo/android/stub-sysroot/generate.sh" "$triple" "$ctarget$api" "$sysroot"
        linker=clang-14
        link_args+=("--target=$ctarget$api" -fuse-ld=lld -nostdlib "-L$sysroot")
    fi

    rustflags="$user_rustflags"
    if [ -z "$ndk_bin" ]; then
        # Cargo does not see the sysroot's files: their digest in the flags relinks libmapi.so when
        # the unwinder or a stub changes (an armv7 build from before the ARM unwinder would
        # otherwise be reused as up to date, with placeholders that abort on the first panic).
        digest="$(cat "$sysroot"/*.so "$sysroot/libunwind.a" | sha256sum | cut -c1-16)"
        rustflags="$rustflags --cfg mapi_stub_sysroot=\"$digest\""
    fi
    for arg in "${link_args[@]}"; do
        rustflags="$rustflags -C link-arg=$arg"
    done

    echo "== $abi ($triple), features: $features"
    env "CARGO_TARGET_${env_triple}_LINKER=$linker" "CARGO_TARGET_${env_triple}_RUSTFLAGS=$rustflags" \
        cargo build --release --lib --no-default-features --features "$features" --target "$triple"

    mkdir -p "$dest"
    cp "$CARGO_TARGET_DIR/$triple/release/libmapi.so" "$dest/lib$library.so.tmp"
    mv "$dest/lib$library.so.tmp" "$dest/lib$library.so"
    echo "   $dest/lib$library.so ($(wc -c < "$dest/lib$library.so" | tr -d " ") bytes)"
done
