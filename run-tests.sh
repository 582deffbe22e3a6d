#!/usr/bin/env bash
# Runs every test of the project: the Rust suite (unit, sans-IO session, golden messages,
# client ↔ simulator over loopback, the H2A crash test, wire traces, the pay CLI), the JVM suite that
# loads the real native library, the Kotlin coroutine extensions, the SDK on Android's framework classes
# (Robolectric), and the Android packaging checks
# (ELF, dex, APK signature). Exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")"

echo "== message + session build without tokio (--no-default-features)"
cargo build --quiet --no-default-features --lib
if cargo tree --no-default-features -e normal --prefix none | grep -q '^tokio '; then
    echo "tokio leaked into the --no-default-features build" >&2
    exit 1
fi

echo "== formatting and lints"
cargo fmt --all -- --check
cargo clippy --quiet --all-targets -- -D warnings
# The JNI bridge is behind a feature: lint it too.
cargo clippy --quiet --features jni --all-targets -- -D warnings

echo "== cargo test"
cargo test
# The JNI bridge's own tests (its operation table against NativeEngine.java) need the feature.
cargo test --quiet --features jni --lib jni::

echo "== fuzzing, CI mode (libFuzzer, 20,000 executions per target)"
bash scripts/fuzz.sh

# The JVM suites install a JDK and Maven when missing (apt-get, as root) and take JUnit, Hamcrest, the
# Kotlin compiler, kotlinx-coroutines and Robolectric from Maven Central at the versions pinned by the poms
# under android/toolchain; resolved once into build/jvm, later runs need no network.
echo "== JVM tests (JUnit 4, -Xcheck:jni, real native library)"
bash android/host-test.sh

echo "== Kotlin coroutine extensions (Kotlin compiler from Maven Central, JUnit 4 against the simulator)"
bash android/ktx-test.sh

echo "== Robolectric: MAPI.initialize, main-Looper callbacks, payments, aborts, recovery on Android 15 classes"
bash android/robolectric-test.sh

echo "== Minified app: the SDK and an app shrunk and obfuscated by ProGuard under the consumer rules alone, flows on libmapi.so, each rule shown needed"
bash android/minify-test.sh

echo "== Android packaging: arm64/x86_64 libmapi.so + ELF checks, AAR + dx, demo APK"
bash android/package.sh
