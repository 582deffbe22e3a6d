#!/usr/bin/env bash
# Builds the demo app into a signed debug APK without the Android SDK:
#   build/android/mapi-demo-<version>-debug.apk
# from the pieces android/build-aar.sh leaves in build/android/aar/tree (classes.jar, jni/<abi>/)
# and the demo's own sources, with Debian's tools: javac (against android.jar API 23), dx,
# aapt (packages the manifest only: the screen is built in code), zipalign, apksigner. The debug
# key is generated on first use into build/android/debug.keystore and never committed.
#
# minSdk of this APK is 26, not the SDK's 23: dx cannot desugar the default interface methods
# (the delegates' API) and lambdas that the SDK and the demo use, so its dex needs API 26. A Gradle
# build (android/demo/build.gradle.kts, D8 desugaring) produces the same app for minSdk 23.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$repo"

android_jar=/usr/lib/android-sdk/platforms/android-23/android.jar
dex_min_sdk=26
package=eu.ccvlab.mapi.demo
for need in javac aapt dalvik-exchange zipalign apksigner keytool "$android_jar"; do
    if ! command -v "$need" >/dev/null && [ ! -f "$need" ]; then
        echo "build-apk.sh: $need missing (run android/package.sh, which installs the tools)" >&2
        exit 1
    fi
done
aar_tree="$repo/build/android/aar/tree"
[ -f "$aar_tree/classes.jar" ] || { echo "build-apk.sh: run android/build-aar.sh first" >&2; exit 1; }

# The SDK's classes carry JSpecify annotations: javac reads them when it compiles against classes.jar.
# shellcheck source=android/host-jvm.sh
source android/host-jvm.sh
resolve_jars sdk
jspecify="$(maven_jar sdk jspecify)"

version="$(awk -F'"' '/^\[/ { section = $0 } section == "[package]" && /^version *=/ { print $2; exit }' Cargo.toml)"
work="$repo/build/android/demo"
apk="$repo/build/android/mapi-demo-$version-debug.apk"
keystore="$repo/build/android/debug.keystore"
rm -rf "$work"
mkdir -p "$work/classes" "$work/apk"

echo "== demo: javac, dx"
find android/demo/src/main/java -name '*.java' | LC_ALL=C sort >"$work/sources.txt"
javac --release 8 -encoding UTF-8 "$(java8_lint)",-options -Werror \
    -cp "$android_jar:$aar_tree/classes.jar:$jspecify" -d "$work/classes" @"$work/sources.txt"
dalvik-exchange --dex --min-sdk-version="$dex_min_sdk" --output="$work/apk/classes.dex" \
    "$work/classes" "$aar_tree/classes.jar"

echo "== demo: aapt package, native libraries, zipalign, apksigner"
# The package name is not in the source manifest (AGP 8 takes it from the namespace): add it here.
sed "s|<manifest xmlns:android=\"http://schemas.android.com/apk/res/android\">|<manifest xmlns:android=\"http://schemas.android.com/apk/res/android\" package=\"$package\">|" \
    android/demo/src/main/AndroidManifest.xml >"$work/AndroidManifest.xml"
grep -q "package=\"$package\"" "$work/AndroidManifest.xml" || { echo "build-apk.sh: could not set the package" >&2; exit 1; }
aapt package -f -M "$work/AndroidManifest.xml" -I "$android_jar" -F "$work/unsigned.apk" \
    --min-sdk-version "$dex_min_sdk" --target-sdk-version "$dex_min_sdk" \
    --version-code 1 --version-name "$version"
abis=()
for so in "$aar_tree"/jni/*/libmapi.so; do
    abi="$(basename "$(dirname "$so")")"
    mkdir -p "$work/apk/lib/$abi"
    cp "$so" "$work/apk/lib/$abi/libmapi.so"
    abis+=("lib/$abi/libmapi.so")
done
(cd "$work/apk" && aapt add "$work/unsigned.apk" classes.dex "${abis[@]}" >/dev/null)
zipalign -f -p 4 "$work/unsigned.apk" "$work/aligned.apk"

if [ ! -f "$keystore" ]; then
    keytool -genkeypair -noprompt -keystore "$keystore" -storetype PKCS12 -storepass android \
        -keypass android -alias androiddebugkey -keyalg RSA -keysize 2048 -validity 10000 \
        -dname "CN=Android Debug,O=Android,C=US" >/dev/null 2>&1
fi
rm -f "$apk"
apksigner sign --ks "$keystore" --ks-pass pass:android --key-pass pass:android \
    --ks-key-alias androiddebugkey --out "$apk" "$work/aligned.apk"

echo "== demo: checks"
zipalign -c 4 "$apk"
apksigner verify --min-sdk-version "$dex_min_sdk" --verbose "$apk" | grep -E '^Verifies|^Verified using'
aapt list "$apk"
badging="$(aapt dump badging "$apk")"
grep -E "^package:|^sdkVersion|^targetSdkVersion|^launchable-activity|^native-code|^uses-permission" <<<"$badging"
grep -q "^package: name='$package'" <<<"$badging" || { echo "build-apk.sh: wrong package" >&2; exit 1; }
grep -q "^launchable-activity: name='$package.DemoActivity'" <<<"$badging" || { echo "build-apk.sh: no launcher activity" >&2; exit 1; }
grep -q "uses-permission: name='android.permission.INTERNET'" <<<"$badging" || { echo "build-apk.sh: INTERNET permission missing" >&2; exit 1; }
grep -q "^native-code:.*'arm64-v8a'" <<<"$badging" || { echo "build-apk.sh: no arm64-v8a library" >&2; exit 1; }
echo "APK: $apk ($(wc -c <"$apk" | tr -d ' ') bytes)"
