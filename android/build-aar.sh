#!/usr/bin/env bash
# Assembles and checks the SDK's AAR without Gradle: build/android/mapi-sdk-<version>.aar
#
#   android/build-aar.sh [--jnilibs DIR]     (default build/android/jniLibs, from build-native.sh)
#   android/build-aar.sh --testing [--jnilibs DIR]
#
# --testing assembles build/android/mapi-sdk-testing-<version>.aar instead: only the public
# simulator API of android/sdk-testing/src/main/java (eu.ccvlab.mapi.testing.TerminalSimulator…),
# compiled against the SDK AAR's classes.jar (build it first), and libmapi_simulator.so (default
# --jnilibs build/android/testing/jniLibs; package.sh builds it). It ADDS to mapi-sdk, which an
# app's test build keeps: no class of the SDK is in it, and its library exports only
# TerminalSimulator's natives, next to the SDK's libmapi.so in the same APK.
#
# Contents (the AAR format Android Gradle Plugin consumes):
#   classes.jar          every source under android/sdk/src/main/java, `javac --release 8`
#                        against android.jar API 23 (Debian's libandroid-23-java) and the JSpecify
#                        annotations (android/toolchain/sdk/pom.xml, from Maven Central; not bundled:
#                        a consumer gets them as the SDK's dependency, see android/sdk/build.gradle.kts)
#   AndroidManifest.xml  namespace eu.ccvlab.mapi, minSdk 23, INTERNET (from src/main/AndroidManifest.xml);
#                        testing: eu.ccvlab.mapi.testing, minSdk 23 (INTERNET merges in from the SDK)
#   jni/<abi>/libmapi.so every ABI in --jnilibs (testing: libmapi_simulator.so)
#   proguard.txt         consumer R8 rules (android/sdk/consumer-rules.pro; testing: android/sdk-testing's)
#   R.txt                empty: the SDK has no resources
# Checks: the entry list, that the manifest is accepted by aapt, that classes.jar holds the JNI
# contract classes and no test code (testing: no class the SDK's classes.jar has), and that the
# dexer (dx) turns it into valid Dalvik bytecode.
#
# Needs: javac/jar (JDK 17+), Maven (resolves JSpecify once), zip, unzip, aapt, dalvik-exchange (dx)
# and android.jar API 23; see android/package.sh, which installs them.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"

jnilibs=""
testing=0
while [ $# -gt 0 ]; do
    case "$1" in
    --jnilibs) jnilibs="$(cd "$2" && pwd)"; shift 2 ;;
    --testing) testing=1; shift ;;
    -h | --help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "build-aar.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done

android_jar=/usr/lib/android-sdk/platforms/android-23/android.jar
min_sdk=23
for need in javac jar zip unzip aapt dalvik-exchange "$android_jar"; do
    if ! command -v "$need" >/dev/null && [ ! -f "$need" ]; then
        echo "build-aar.sh: $need missing (run android/package.sh, which installs the tools)" >&2
        exit 1
    fi
done

# shellcheck source=android/host-jvm.sh
source android/host-jvm.sh
resolve_jars sdk
jspecify="$(maven_jar sdk jspecify)"

version="$(awk -F'"' '/^\[/ { section = $0 } section == "[package]" && /^version *=/ { print $2; exit }' Cargo.toml)"
[ -n "$version" ] || { echo "build-aar.sh: no [package] version in Cargo.toml" >&2; exit 1; }
sdk=android/sdk
testing_sdk=android/sdk-testing
sdk_aar="$repo/build/android/mapi-sdk-$version.aar"
if [ "$testing" -eq 1 ]; then
    [ -n "$jnilibs" ] || jnilibs="$repo/build/android/testing/jniLibs"
    work="$repo/build/android/aar-testing"
    aar="$repo/build/android/mapi-sdk-testing-$version.aar"
    library=mapi_simulator
    namespace=eu.ccvlab.mapi.testing
else
    [ -n "$jnilibs" ] || jnilibs="$repo/build/android/jniLibs"
    work="$repo/build/android/aar"
    aar="$sdk_aar"
    library=mapi
    namespace=eu.ccvlab.mapi
fi
rm -rf "$work"
mkdir -p "$work/classes" "$work/tree"

echo "== classes.jar (javac --release 8, android.jar API $min_sdk)"
classpath="$android_jar:$jspecify"
if [ "$testing" -eq 1 ]; then
    # Compiled as an app's module would be: against the SDK artifact it depends on.
    [ -f "$sdk_aar" ] || { echo "build-aar.sh: --testing needs $sdk_aar (run build-aar.sh first)" >&2; exit 1; }
    mkdir -p "$work/sdk"
    unzip -q -o "$sdk_aar" classes.jar -d "$work/sdk"
    classpath="$classpath:$work/sdk/classes.jar"
    find "$testing_sdk/src/main/java" -name '*.java' | LC_ALL=C sort >"$work/sources.txt"
else
    find "$sdk/src/main/java" -name '*.java' | LC_ALL=C sort >"$work/sources.txt"
fi
javac --release 8 -encoding UTF-8 "$(java8_lint)",-options -Werror \
    -cp "$classpath" -d "$work/classes" @"$work/sources.txt"
# fixed timestamps: the same sources give the same classes.jar
jar --create --file "$work/tree/classes.jar" --date=2000-01-01T00:00:00Z -C "$work/classes" .

echo "== AndroidManifest.xml, proguard.txt, R.txt, jni/"
# What AGP's manifest merger writes into a library's AAR: the source manifest plus the namespace
# (package) and <uses-sdk> that AGP 8 keeps in build.gradle.kts.
permissions="$(grep '<uses-permission' "$sdk/src/main/AndroidManifest.xml")"
[ "$testing" -eq 0 ] || permissions=""
cat >"$work/tree/AndroidManifest.xml" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<manifest xmlns:android="http://schemas.android.com/apk/res/android"
    package="$namespace">

    <uses-sdk android:minSdkVersion="$min_sdk" />

$permissions

</manifest>
EOF
if [ "$testing" -eq 1 ]; then
    cp "$testing_sdk/consumer-rules.pro" "$work/tree/proguard.txt"
else
    cp "$sdk/consumer-rules.pro" "$work/tree/proguard.txt"
fi
: >"$work/tree/R.txt"
shopt -s nullglob
abis=()
for so in "$jnilibs"/*/"lib$library.so"; do
    abi="$(basename "$(dirname "$so")")"
    mkdir -p "$work/tree/jni/$abi"
    cp "$so" "$work/tree/jni/$abi/lib$library.so"
    abis+=("$abi")
done
shopt -u nullglob
[ ${#abis[@]} -gt 0 ] || { echo "build-aar.sh: no lib$library.so under $jnilibs (see android/package.sh)" >&2; exit 1; }

rm -f "$aar"
(cd "$work/tree" && find . -type f | LC_ALL=C sort | sed 's|^\./||' >"$work/entries.txt" &&
    find . -exec touch -d @946684800 {} + && zip -X -q -D "$aar" -@ <"$work/entries.txt")

echo "== checks"
unzip -l "$aar"
for entry in classes.jar AndroidManifest.xml proguard.txt R.txt; do
    grep -qx "$entry" "$work/entries.txt" || { echo "build-aar.sh: $entry missing from the AAR" >&2; exit 1; }
done
classes="$(unzip -Z1 "$work/tree/classes.jar")"
if [ "$testing" -eq 1 ]; then
    for class in eu/ccvlab/mapi/testing/TerminalSimulator eu/ccvlab/mapi/testing/Scenario \
        eu/ccvlab/mapi/testing/ReceivedFrame; do
        grep -qx "$class.class" <<<"$classes" || { echo "build-aar.sh: $class missing from classes.jar" >&2; exit 1; }
    done
    # Two AARs with one class fail an app's build (duplicate class): this one holds only its package.
    if grep '\.class$' <<<"$classes" | grep -v '^eu/ccvlab/mapi/testing/'; then
        echo "build-aar.sh: the classes above are outside eu.ccvlab.mapi.testing" >&2
        exit 1
    fi
    duplicates="$(LC_ALL=C comm -12 <(grep '\.class$' <<<"$classes" | LC_ALL=C sort) \
        <(unzip -Z1 "$work/sdk/classes.jar" | grep '\.class$' | LC_ALL=C sort))"
    [ -z "$duplicates" ] || { echo "build-aar.sh: classes also in the SDK: $duplicates" >&2; exit 1; }
    # the SDK's own test helpers and tests stay out of the artifact
    if grep -qE '^eu/ccvlab/mapi/testing/(EngineFaults|SimulatedTerminal|RecordingDelegate|Fixtures|.*Test)(\$.*)?\.class$' <<<"$classes"; then
        echo "build-aar.sh: test code leaked into the testing classes.jar" >&2
        exit 1
    fi
else
    for class in eu/ccvlab/api_android/MAPI eu/ccvlab/mapi/internal/NativeEngine \
        eu/ccvlab/mapi/internal/NativeTerminal eu/ccvlab/mapi/internal/NativeCallbacks \
        eu/ccvlab/mapi/api/PaymentService eu/ccvlab/mapi/api/TokenService; do
        grep -qx "$class.class" <<<"$classes" || { echo "build-aar.sh: $class missing from classes.jar" >&2; exit 1; }
    done
    if grep -q '^eu/ccvlab/mapi/testing/' <<<"$classes"; then
        echo "build-aar.sh: test classes leaked into classes.jar" >&2
        exit 1
    fi
fi
# aapt compiles the manifest as an app build would (fails on malformed XML or attributes).
aapt package -f -M "$work/tree/AndroidManifest.xml" -I "$android_jar" -F "$work/manifest-check.apk" >/dev/null
echo "aapt accepts AndroidManifest.xml (package $namespace, minSdk $min_sdk)"
# dx has no desugaring: default interface methods (the delegates' API) need min-sdk 24 and lambdas
# (invokedynamic) 26. D8 in an app's Gradle build desugars both for minSdk 23.
dalvik-exchange --dex --min-sdk-version=26 --output="$work/classes.dex" "$work/tree/classes.jar"
echo "dx: classes.jar → classes.dex OK ($(grep -c '\.class$' <<<"$classes") classes, $(wc -c <"$work/classes.dex" | tr -d ' ') bytes of dex)"
echo "AAR: $aar ($(wc -c <"$aar" | tr -d ' ') bytes; ABIs: ${abis[*]})"
