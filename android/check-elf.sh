#!/usr/bin/env bash
# Checks built Android libraries: android/check-elf.sh [--testing] [path/<abi>/libmapi.so ...]
# (default: every libmapi.so under build/android/jniLibs and build/android/link-check; with
# --testing, under build/android/testing/jniLibs).
#
# --testing checks the testing flavour (features "jni simulator", for mapi-sdk-testing): the same
# checks, with the simulator's natives (SimulatorBridge, TerminalSimulator) added to the exact export list.
#
# Per library: the ELF machine matches the ABI folder; NEEDED ⊆ {libc.so, libm.so, libdl.so,
# liblog.so} (what every Android device has); the dynamic symbol table exports JNI_OnLoad and the
# NativeEngine and NativeTrace natives and nothing else (no simulator test hooks, no Rust or unwinder symbols);
# every LOAD segment aligned to 16 KB; soname libmapi.so; no text relocations; stripped (no
# .symtab). Prints the size. Exits non-zero on the first library that fails.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"

readelf=""
for tool in llvm-readelf-14 llvm-readelf; do
    if command -v "$tool" >/dev/null; then readelf="$tool"; break; fi
done
[ -n "$readelf" ] || { echo "check-elf.sh: llvm-readelf missing (apt-get install llvm-14)" >&2; exit 1; }

allowed_needed="libc.so libm.so libdl.so liblog.so"
expected_exports="JNI_OnLoad"
for native in payment abort administration recoverPayment answerAsk listenPort liveHandleCount globalRefCount; do
    expected_exports="$expected_exports Java_eu_ccvlab_mapi_internal_NativeEngine_$native"
done
for native in setRecoveryDelegate pendingPayments resolvePending; do
    expected_exports="$expected_exports Java_eu_ccvlab_mapi_internal_NativeRecovery_$native"
done
for native in enable disable export; do
    expected_exports="$expected_exports Java_eu_ccvlab_mapi_internal_NativeTrace_$native"
done
page=16384

testing=0
if [ "${1:-}" = --testing ]; then
    testing=1
    shift
    for native in start port setPosPort release waitForStep receivedXml injectEnginePanic panicNow stop; do
        expected_exports="$expected_exports Java_eu_ccvlab_mapi_testing_SimulatorBridge_$native"
    done
    for native in nativeStart nativePort nativeSetPosPort nativeSetScenario nativeRelease nativeWaitForStep \
        nativeReceivedFrames nativeClearReceived nativeStop; do
        expected_exports="$expected_exports Java_eu_ccvlab_mapi_testing_TerminalSimulator_$native"
    done
fi

files=("$@")
if [ ${#files[@]} -eq 0 ]; then
    shopt -s nullglob
    if [ "$testing" -eq 1 ]; then
        files=("$repo"/build/android/testing/jniLibs/*/libmapi.so)
    else
        files=("$repo"/build/android/jniLibs/*/libmapi.so "$repo"/build/android/link-check/*/libmapi.so)
    fi
    shopt -u nullglob
fi
[ ${#files[@]} -gt 0 ] || { echo "check-elf.sh: no libmapi.so to check (run android/build-native.sh)" >&2; exit 1; }

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

    dynamic="$("$readelf" -d "$so")"
    needed="$(sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' <<<"$dynamic" | tr '\n' ' ')"
    for lib in $needed; do
        case " $allowed_needed " in *" $lib "*) ;; *) fail "$so" "NEEDED $lib is not one of: $allowed_needed" ;; esac
    done
    soname="$(sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p' <<<"$dynamic")"
    [ "$soname" = libmapi.so ] || fail "$so" "soname is '${soname:-unset}', expected libmapi.so"
    if grep -q '(TEXTREL)' <<<"$dynamic" || grep -q 'TEXTREL' <<<"$(grep '(FLAGS)' <<<"$dynamic" || true)"; then
        fail "$so" "has text relocations (Android refuses them from API 23)"
    fi

    # .dynsym columns: Num Value Size Type Bind Vis Ndx Name; exported = defined, GLOBAL/WEAK,
    # DEFAULT/PROTECTED visibility.
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
    printf 'ok   %-12s %9d bytes (%s KiB) stripped; NEEDED: %s; %d exports; %d LOAD segments, 16 KB aligned\n' \
        "$abi" "$size" "$((size / 1024))" "${needed% }" "$(wc -w <<<"$exports")" "$(wc -l <<<"$loads")"
done
