#!/usr/bin/env bash
# Checks built Android libraries: android/check-elf.sh [--testing] [path/<abi>/libmapi.so ...]
# (default: every libmapi.so under build/android/jniLibs; with --testing, every
# libmapi_simulator.so under build/android/testing/jniLibs).
#
# --testing checks mapi-sdk-testing's own library (android/build-native.sh --library
# mapi_simulator): the same checks, with soname libmapi_simulator.so and an exact export list of
# JNI_OnLoad and TerminalSimulator's natives only: none of the SDK's (the SDK's libmapi.so serves
# those in the same app) and none of the SDK's own test hooks (EngineFaults).
#
# Per library: the ELF machine matches the ABI folder (on armeabi-v7a, not marked hard-float);
# NEEDED ⊆ {libc.so, libm.so, libdl.so, liblog.so} (what every Android device has); every
# undefined dynamic symbol is a bionic name (the lists in android/stub-sysroot/symbols, or with
# ANDROID_NDK_HOME set what the NDK's libc, libm, libdl and liblog export at MAPI_ANDROID_API,
# default 23), or a weak reference named below that may stay unresolved; the dynamic symbol
# table exports JNI_OnLoad and the NativeEngine and NativeTrace natives and nothing else (no
# simulator test hooks, no Rust or unwinder symbols); every LOAD segment aligned to 16 KB; soname
# libmapi.so; no text relocations; stripped (no .symtab). Prints the size. Exits non-zero on the
# first library that fails.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"

readelf=""
for tool in llvm-readelf-14 llvm-readelf; do
    if command -v "$tool" >/dev/null; then readelf="$tool"; break; fi
done
[ -n "$readelf" ] || { echo "check-elf.sh: llvm-readelf missing (apt-get install llvm-14)" >&2; exit 1; }

allowed_needed="libc.so libm.so libdl.so liblog.so"
expected_exports="JNI_OnLoad"
for native in payment abort operation recoverPayment answerAsk listenPort liveHandleCount globalRefCount; do
    expected_exports="$expected_exports Java_eu_ccvlab_mapi_internal_NativeEngine_$native"
done
for native in setRecoveryDelegate pendingPayments resolvePending; do
    expected_exports="$expected_exports Java_eu_ccvlab_mapi_internal_NativeRecovery_$native"
done
for native in enable disable export; do
    expected_exports="$expected_exports Java_eu_ccvlab_mapi_internal_NativeTrace_$native"
done
page=16384
api="${MAPI_ANDROID_API:-23}"

# Weak references that may stay unresolved on a device (the dynamic linker binds them to null):
# std's copy_file_range and splice, whose absence it handles; on armeabi-v7a, libgcc's unwinder's
# hooks into a C++ runtime, called only for C++ exceptions, which libmapi.so never sees.
allowed_weak="copy_file_range splice"
allowed_weak_armv7="__cxa_begin_cleanup __cxa_call_unexpected __cxa_type_match"

# The names bionic exports for one ABI, one a line, sorted.
bionic_names() {
    local abi="$1" ndk_triple lib dir
    if [ -z "${ANDROID_NDK_HOME:-}" ]; then
        awk '!/^#/ && NF { print $1 }' "$repo"/android/stub-sysroot/symbols/*.txt | LC_ALL=C sort -u
        return
    fi
    case "$abi" in
    arm64-v8a) ndk_triple=aarch64-linux-android ;;
    armeabi-v7a) ndk_triple=arm-linux-androideabi ;;
    x86_64) ndk_triple=x86_64-linux-android ;;
    x86) ndk_triple=i686-linux-android ;;
    esac
    dir="$(find "$ANDROID_NDK_HOME/toolchains/llvm/prebuilt" -maxdepth 5 -type d \
        -path "*/sysroot/usr/lib/$ndk_triple/$api" | head -n 1)"
    [ -n "$dir" ] || { echo "check-elf.sh: no NDK libraries for $ndk_triple API $api" >&2; return 1; }
    for lib in libc.so libm.so libdl.so liblog.so; do
        "$readelf" --dyn-syms -W "$dir/$lib" |
            awk '$7 != "UND" && $7 != "Ndx" && $8 != "" { sub(/@.*/, "", $8); print $8 }'
    done | LC_ALL=C sort -u
}

testing=0
library=libmapi.so
if [ "${1:-}" = --testing ]; then
    testing=1
    shift
    library=libmapi_simulator.so
    expected_exports="JNI_OnLoad"
    for native in nativeStart nativePort nativeSetPosPort nativeSetScenario nativeRelease nativeWaitForStep \
        nativeReceivedFrames nativeClearReceived nativeStop; do
        expected_exports="$expected_exports Java_eu_ccvlab_mapi_testing_TerminalSimulator_$native"
    done
fi

files=("$@")
if [ ${#files[@]} -eq 0 ]; then
    shopt -s nullglob
    if [ "$testing" -eq 1 ]; then
        files=("$repo"/build/android/testing/jniLibs/*/libmapi_simulator.so)
    else
        files=("$repo"/build/android/jniLibs/*/libmapi.so)
    fi
    shopt -u nullglob
fi
[ ${#files[@]} -gt 0 ] || { echo "check-elf.sh: no $library to check (run android/build-native.sh)" >&2; exit 1; }

fail() {
    echo "FAIL $1: $2" >&2
    exit 1
}

sorted_words() { tr ' ' '\n' | grep -v '^$' | LC_ALL=C sort -u; }

for so in "${files[@]}"; do
    abi="$(basename "$(dirname "$so")")"
    [ -f "$so" ] || fail "$so" "missing"
    case "$abi" in
    arm64-v8a) machine=AArch64 class=ELF64 ;;
    armeabi-v7a) machine=ARM class=ELF32 ;;
    x86_64) machine="Advanced Micro Devices X86-64" class=ELF64 ;;
    x86) machine="Intel 80386" class=ELF32 ;;
    *) fail "$so" "unknown ABI folder '$abi'" ;;
    esac

    header="$("$readelf" -h "$so")"
    grep -q "Class:[[:space:]]*$class\$" <<<"$header" || fail "$so" "not $class"
    grep -q "Machine:[[:space:]]*$machine\$" <<<"$header" || fail "$so" "machine is not $machine"
    grep -q "Type:[[:space:]]*DYN" <<<"$header" || fail "$so" "not a shared object"
    if [ "$abi" = armeabi-v7a ]; then
        # armeabi-v7a passes floating-point arguments in core registers (soft-float calling convention)
        flags="$(sed -n 's/.*Flags:[[:space:]]*\(0x[0-9a-fA-F]*\).*/\1/p' <<<"$header")"
        (( (flags & 0x400) == 0 )) || fail "$so" "ELF flags $flags mark the hard-float calling convention"
    fi

    dynamic="$("$readelf" -d "$so")"
    needed="$(sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' <<<"$dynamic" | tr '\n' ' ')"
    for lib in $needed; do
        case " $allowed_needed " in *" $lib "*) ;; *) fail "$so" "NEEDED $lib is not one of: $allowed_needed" ;; esac
    done
    soname="$(sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p' <<<"$dynamic")"
    [ "$soname" = "$library" ] || fail "$so" "soname is '${soname:-unset}', expected $library"
    if grep -q '(TEXTREL)' <<<"$dynamic" || grep -q 'TEXTREL' <<<"$(grep '(FLAGS)' <<<"$dynamic" || true)"; then
        fail "$so" "has text relocations (Android refuses them from API 23)"
    fi

    # .dynsym columns: Num Value Size Type Bind Vis Ndx Name.
    undefined="$("$readelf" --dyn-syms -W "$so" | awk '$7 == "UND" && $8 != "" { sub(/@.*/, "", $8); print $5, $8 }')"
    weak_ok=" $allowed_weak "
    [ "$abi" = armeabi-v7a ] && weak_ok="$weak_ok$allowed_weak_armv7 "
    outside="$(awk '{ print $2 }' <<<"$undefined" | LC_ALL=C sort -u | LC_ALL=C comm -23 - <(bionic_names "$abi"))"
    weak_unresolved=0
    for name in $outside; do
        weak_unresolved=$((weak_unresolved + 1))
        bind="$(awk -v n="$name" '$2 == n { print $1; exit }' <<<"$undefined")"
        if [ "$bind" != WEAK ] || [[ "$weak_ok" != *" $name "* ]]; then
            fail "$so" "imports $name ($bind), which bionic does not export and which may not stay unresolved"
        fi
    done

    # exported = defined, GLOBAL/WEAK, DEFAULT/PROTECTED visibility.
    exports="$("$readelf" --dyn-syms -W "$so" |
        awk '$7 != "UND" && $7 != "Ndx" && ($5 == "GLOBAL" || $5 == "WEAK") && ($6 == "DEFAULT" || $6 == "PROTECTED") && $8 != "" { sub(/@.*/, "", $8); print $8 }' |
        sorted_words)"
    want="$(sorted_words <<<"$expected_exports")"
    if [ "$exports" != "$want" ]; then
        missing="$(comm -13 <(echo "$exports") <(echo "$want") | tr '\n' ' ')"
        extra="$(comm -23 <(echo "$exports") <(echo "$want") | tr '\n' ' ')"
        fail "$so" "exports differ from the JNI contract; missing: [${missing}] unexpected: [${extra}]"
    fi

    # Program headers: Type Offset VirtAddr PhysAddr FileSiz MemSiz Flg... Align (last column).
    loads="$("$readelf" -lW "$so" | awk '$1 == "LOAD" { print $2, $3, $NF }')"
    [ -n "$loads" ] || fail "$so" "no LOAD segment"
    while read -r offset vaddr align; do
        (( align >= page && align % page == 0 )) || fail "$so" "LOAD at $vaddr aligned to $align, not 16 KB"
        (( offset % page == vaddr % page )) || fail "$so" "LOAD at $vaddr: offset $offset not congruent to its address mod 16 KB"
    done <<<"$loads"

    if "$readelf" -SW "$so" | grep -q ' \.symtab '; then
        fail "$so" "not stripped (.symtab present)"
    fi

    size="$(wc -c <"$so" | tr -d ' ')"
    printf 'ok   %-12s %9d bytes (%s KiB) stripped; NEEDED: %s; %d imports (bionic; %d weak ones allowed unresolved); %d exports; %d LOAD segments, 16 KB aligned\n' \
        "$abi" "$size" "$((size / 1024))" "${needed% }" "$(grep -c . <<<"$undefined")" "$weak_unresolved" "$(wc -w <<<"$exports")" "$(wc -l <<<"$loads")"
done
