#!/usr/bin/env bash
# The whole Android packaging, with every check that can run without the Android SDK:
#
#   bash android/package.sh
#
#   1. installs what is missing (Debian: clang-14, lld-14, llvm-14, android.jar API 23, dx, aapt,
#      apksigner, zipalign, and without an NDK libgcc-12-dev-armhf-cross (the armv7 unwinder),
#      libc6-dev-armhf-cross and qemu-user (its check); rustup: the three Android targets),
#   2. android/stub-sysroot/check-unwinder.sh (without an NDK): the unwinder linked into the
#                                arm64/x86_64 stub-sysroot builds catches panics and runs
#                                destructors on this host,
#      android/stub-sysroot/check-arm-unwinder.sh (without an NDK): the armv7 one, under qemu-arm:
#                                the same, and a panic in a JNI export of an armhf libmapi.so
#                                comes back as a Java exception (docs/android-armv7.md),
#      android/build-native.sh   libmapi.so for arm64-v8a, armeabi-v7a, x86_64 (NDK if
#                                ANDROID_NDK_HOME is set, else the stub-sysroot link validation),
#   3. android/check-elf.sh      NEEDED, imports, exports, 16 KB LOAD alignment, soname, size per ABI,
#   4. android/build-aar.sh      build/android/mapi-sdk-<version>.aar, listed, manifest via aapt, dx,
#   5. android/demo/build-apk.sh build/android/mapi-demo-<version>-debug.apk, signed and verified,
#   6. the testing artifact: libmapi_simulator.so (the crate with --features "jni simulator",
#      exporting only TerminalSimulator's natives; arm64-v8a, x86_64) into
#      build/android/testing/jniLibs, its ELF checks (check-elf.sh --testing), and
#      build/android/mapi-sdk-testing-<version>.aar (build-aar.sh --testing), which adds to the SDK
#      AAR and never touches the production files above,
#   7. android/publish-local.sh  the local Maven repository build/android/maven-repo: mapi-sdk,
#                                mapi-sdk-ktx, mapi-sdk-testing with POMs, sources and javadoc jars,
#   8. android/consumer-test.sh  a Maven consumer resolves the three from it and compiles CCV's
#                                snippets, the Kotlin extensions and the simulator's use against them
#                                (docs/android-publishing.md).
#
# Idempotent: a second run rebuilds nothing that is up to date (cargo) and takes seconds.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
started=$SECONDS

android_jar=/usr/lib/android-sdk/platforms/android-23/android.jar

# Debian packages by the file or command they provide.
missing_packages() {
    local need=()
    command -v javac >/dev/null || need+=(openjdk-17-jdk-headless)
    command -v mvn >/dev/null || need+=(maven) # resolves the SDK's JSpecify jar (build-aar.sh)
    command -v zip >/dev/null || need+=(zip)
    command -v unzip >/dev/null || need+=(unzip)
    if [ -z "${ANDROID_NDK_HOME:-}" ]; then
        command -v clang-14 >/dev/null || need+=(clang-14)
        command -v ld.lld-14 >/dev/null || need+=(lld-14)
        command -v llvm-objcopy-14 >/dev/null || need+=(llvm-14)
        compgen -G '/usr/lib/gcc-cross/arm-linux-gnueabihf/*/libgcc_eh.a' >/dev/null ||
            need+=(libgcc-12-dev-armhf-cross)
        [ -f /usr/arm-linux-gnueabihf/lib/crt1.o ] || need+=(libc6-dev-armhf-cross)
        command -v qemu-arm >/dev/null || need+=(qemu-user)
    fi
    command -v llvm-readelf-14 >/dev/null || command -v llvm-readelf >/dev/null || need+=(llvm-14)
    [ -f "$android_jar" ] || need+=(libandroid-23-java)
    command -v dalvik-exchange >/dev/null || need+=(dalvik-exchange)
    command -v aapt >/dev/null || need+=(aapt)
    command -v apksigner >/dev/null || need+=(apksigner)
    command -v zipalign >/dev/null || need+=(zipalign)
    printf '%s\n' "${need[@]}" | sort -u | grep . || true
}

# dx (dalvik-exchange) and android.jar API 23 are in Debian bullseye, not bookworm: add that suite
# from the same mirror the machine already uses, pinned low so that it only supplies packages the
# machine's own suites do not have.
add_bullseye_suite() {
    local list=/etc/apt/sources.list.d/mapi-android-bullseye.sources mirror=""
    [ -f "$list" ] && return 0
    if compgen -G '/etc/apt/sources.list.d/*.sources' >/dev/null; then
        mirror="$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i ~ /\/debian\/?$/) { print $i; exit } }' \
            /etc/apt/sources.list.d/*.sources)"
    fi
    if [ -z "$mirror" ] && [ -f /etc/apt/sources.list ]; then
        mirror="$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^(https?|file|ftp):/ && $i ~ /\/debian\/?$/) { print $i; exit } }' \
            /etc/apt/sources.list)"
    fi
    [ -n "$mirror" ] || { echo "package.sh: no Debian mirror found in the apt sources" >&2; return 1; }
    echo "== adding Debian bullseye (main) from $mirror for dalvik-exchange and libandroid-23-java"
    printf 'Types: deb\nURIs: %s\nSuites: bullseye\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
        "$mirror" >"$list"
    printf 'Package: *\nPin: release n=bullseye\nPin-Priority: 100\n' >/etc/apt/preferences.d/mapi-android-bullseye
}

install_tools() {
    local packages=()
    mapfile -t packages < <(missing_packages)
    [ ${#packages[@]} -gt 0 ] || return 0
    if [ "$(id -u)" -ne 0 ]; then
        echo "package.sh: missing Debian packages (install them as root): ${packages[*]}" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    if printf '%s\n' "${packages[@]}" | grep -qE '^(dalvik-exchange|libandroid-23-java)$' &&
        ! apt-cache policy dalvik-exchange | grep -q 'Candidate: [0-9]'; then
        add_bullseye_suite
        apt-get update -qq
    fi
    echo "== apt-get install ${packages[*]}"
    apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
}

install_tools
for triple in aarch64-linux-android armv7-linux-androideabi x86_64-linux-android; do
    rustup target list --installed | grep -qx "$triple" || rustup target add "$triple"
done

if [ -z "${ANDROID_NDK_HOME:-}" ]; then
    echo "== the stub sysroot's pure-Rust unwinder, run on this machine"
    case "$(uname -s)-$(uname -m)" in
    Linux-x86_64 | Linux-aarch64) bash android/stub-sysroot/check-unwinder.sh ;;
    *) echo "   skipped: needs an x86_64 or aarch64 Linux host" ;;
    esac
    case "$(uname -s)" in
    Linux)
        arm_check_started=$SECONDS
        bash android/stub-sysroot/check-arm-unwinder.sh
        echo "   armv7 check done in $((SECONDS - arm_check_started)) s"
        ;;
    *) echo "   armv7 check skipped: needs Linux (qemu-user, Debian's armhf cross packages)" ;;
    esac
fi
bash android/build-native.sh
echo "== ELF checks"
bash android/check-elf.sh
bash android/build-aar.sh
version="$(awk -F'"' '/^\[/ { section = $0 } section == "[package]" && /^version *=/ { print $2; exit }' Cargo.toml)"
# A device installs the app only if the AAR has its ABI: 32-bit userspace needs armeabi-v7a.
aar_listing="$(unzip -l "build/android/mapi-sdk-$version.aar")"
for abi in arm64-v8a armeabi-v7a x86_64; do
    grep -q " jni/$abi/libmapi.so\$" <<<"$aar_listing" || {
        echo "package.sh: build/android/mapi-sdk-$version.aar lacks jni/$abi/libmapi.so" >&2
        exit 1
    }
done
bash android/demo/build-apk.sh
echo "== testing artifact (the terminal simulator in its own library; for app test builds only)"
# A libmapi.so here is the combined library older runs built; nothing reads it any more.
rm -f build/android/testing/jniLibs/*/libmapi.so
bash android/build-native.sh --features "jni simulator" --library mapi_simulator \
    --only-exports Java_eu_ccvlab_mapi_testing_TerminalSimulator_ --out build/android/testing/jniLibs arm64-v8a x86_64
bash android/check-elf.sh --testing
bash android/build-aar.sh --testing
bash android/publish-local.sh
bash android/consumer-test.sh

echo "== Android packaging done in $((SECONDS - started)) s"
for so in build/android/jniLibs/*/libmapi.so build/android/testing/jniLibs/*/libmapi_simulator.so; do
    [ -f "$so" ] && printf '   %-48s %9d bytes\n' "$so" "$(wc -c <"$so")"
done
for file in "build/android/mapi-sdk-$version.aar" "build/android/mapi-demo-$version-debug.apk" \
    "build/android/mapi-sdk-testing-$version.aar"; do
    printf '   %-48s %9d bytes\n' "$file" "$(wc -c <"$file")"
done
