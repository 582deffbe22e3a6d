#!/usr/bin/env bash
# The published libraries as an app's build sees them: bash android/consumer-test.sh
# (after android/publish-local.sh; android/package.sh runs both).
#
#   1. Maven resolves android/consumer-test/pom.xml (mapi-sdk and mapi-sdk-ktx, mapi-sdk-testing in
#      test scope, all by coordinates) from build/android/maven-repo (file://) and, for what their
#      POMs declare, Maven Central, with checksums enforced (-C), into a Maven local repository of
#      its own (build/android/consumer-test/m2) from which this repository's artifacts are deleted
#      first, so nothing stale is used. After the first run no network is needed.
#   2. The resolved graph must be exactly: mapi-sdk, mapi-sdk-ktx, JSpecify (when the SDK's POM names
#      it), kotlinx-coroutines-core-jvm and kotlin-stdlib at the versions the POMs name, JetBrains'
#      annotations (theirs, any version); mapi-sdk-testing in test scope. Each of the three also resolves its sources and javadoc jars.
#   3. What an Android build would reject: a class in two artifacts, or a native library path
#      (jni/<abi>/lib*.so) in two AARs.
#   4. Compiles the consumer's sources against what Maven resolved: javac (Java 8, warnings are
#      errors) for the abort snippets of CCV's page (src/main/java), kotlinc for the Kotlin
#      extensions' use (src/main/kotlin), javac for the simulator's use in a test (src/test/java).
#      Maven cannot put an AAR on javac's classpath; as Android's Gradle plugin does, the script
#      takes each AAR's classes.jar (docs/android-publishing.md).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
# shellcheck source=android/host-jvm.sh
source android/host-jvm.sh
started=$SECONDS

android_jar=/usr/lib/android-sdk/platforms/android-23/android.jar
version="$(awk -F'"' '/^\[/ { section = $0 } section == "[package]" && /^version *=/ { print $2; exit }' Cargo.toml)"
group="$(sed -n 's/^mapi\.group=//p' gradle.properties)"
local_repo="$repo/build/android/maven-repo"
out="$repo/build/android/consumer-test"
m2="$out/m2"
project=android/consumer-test
[ -d "$local_repo/${group//.//}/mapi-sdk/$version" ] ||
    { echo "consumer-test.sh: no mapi-sdk $version in $local_repo (run android/publish-local.sh)" >&2; exit 1; }
[ -f "$android_jar" ] || { echo "consumer-test.sh: $android_jar missing (run android/package.sh)" >&2; exit 1; }

ensure_jvm_tools
resolve_jars kotlinc

rm -rf "${m2:?}/${group//.//}" "$out/classes" "$out/aar" "$out/docs" "$out/deps.txt"
mkdir -p "$out/classes" "$out/aar"
mvn_args=(-B -C -f "$project/pom.xml" "-Dmaven.repo.local=$m2" "-Dmapi.repo=file://$local_repo"
    "-Dmapi.group=$group" "-Dmapi.version=$version")
# Online mode, but after the first run nothing comes from Maven Central: the third-party artifacts and
# plugins stay in this check's Maven repository, and only the file:// repository is read again.
maven() {
    local log="$1"
    shift
    if ! mvn "${mvn_args[@]}" "$@" >"$log" 2>&1; then
        cat "$log" >&2
        echo "consumer-test.sh: Maven failed: $*" >&2
        exit 1
    fi
}
echo "== mvn: resolve $project/pom.xml from file://$local_repo"
maven "$out/mvn.log" dependency:list "-DoutputFile=$out/deps.txt" -DoutputAbsoluteArtifactFilename=true \
    dependency:copy@docs "-Dmapi.docs=$out/docs"

# deps.txt lines: group:artifact:type:version:scope:/absolute/path (Maven may append " -- module …").
resolved="$(awk -F: 'NF >= 6 && $1 ~ /^ *[a-z]/ { sub(/^ */, "", $1); sub(/ .*$/, "", $6); print $1 ":" $2 ":" $3 ":" $4 ":" $5 }' \
    "$out/deps.txt" | LC_ALL=C sort)"
while read -r line; do echo "   $line"; done <<<"$resolved"
# Third-party versions as the published POMs declare them.
pom_version() {
    awk -v a="<artifactId>$2</artifactId>" 'index($0, a) { found = 1; next }
        found && /<version>/ { gsub(/.*<version>|<\/version>.*/, ""); print; exit }' \
        "$local_repo/${group//.//}/$1/$version/$1-$version.pom"
}
expected="$group:mapi-sdk-ktx:aar:$version:compile
$group:mapi-sdk-testing:aar:$version:test
$group:mapi-sdk:aar:$version:compile
org.jetbrains.kotlin:kotlin-stdlib:jar:$(pom_version mapi-sdk-ktx kotlin-stdlib):compile
org.jetbrains.kotlinx:kotlinx-coroutines-core-jvm:jar:$(pom_version mapi-sdk-ktx kotlinx-coroutines-core-jvm):compile
$(grep '^org\.jetbrains:annotations:jar:[^:]*:compile$' <<<"$resolved")"
jspecify_version="$(pom_version mapi-sdk jspecify)"
[ -z "$jspecify_version" ] || expected="$expected
org.jspecify:jspecify:jar:$jspecify_version:compile"
expected="$(LC_ALL=C sort <<<"$expected")"
if [ "$resolved" != "$expected" ]; then
    diff <(echo "$expected") <(echo "$resolved") >&2 || true
    echo "consumer-test.sh: the resolved dependencies differ from the expected graph (< expected, > resolved)" >&2
    exit 1
fi
for artifact in mapi-sdk mapi-sdk-ktx mapi-sdk-testing; do
    for classifier in sources javadoc; do
        file="$out/docs/$artifact-$version-$classifier.jar"
        [ -s "$file" ] || { echo "consumer-test.sh: Maven did not resolve $artifact's $classifier jar" >&2; exit 1; }
    done
done
echo "   each artifact's sources and javadoc jars resolved"

# Classpaths from the resolved files; an AAR contributes its classes.jar.
main_cp="$android_jar"
test_cp=""
while IFS=: read -r _ artifact type _ scope path; do
    path="${path%% *}"
    if [ "$type" = aar ]; then
        unzip -q -o "$path" classes.jar -d "$out/aar/$artifact"
        { unzip -Z1 "$path" | grep '^jni/' || true; } | sed "s|\$| $artifact|" >>"$out/aar/native.txt"
        path="$out/aar/$artifact/classes.jar"
    fi
    if [ "$scope" = test ]; then test_cp="$test_cp:$path"; else main_cp="$main_cp:$path"; fi
done < <(awk -F: 'NF >= 6 && $1 ~ /^ *[a-z]/' "$out/deps.txt")

echo "== duplicate classes and native libraries across the artifacts"
for jar in "${main_cp#"$android_jar":}" "${test_cp#:}"; do tr ':' '\n' <<<"$jar"; done | grep . |
    while read -r jar; do unzip -Z1 "$jar" | grep '\.class$' | grep -v '^META-INF/' | grep -vx 'module-info.class'; done |
    LC_ALL=C sort | uniq -d >"$out/duplicates.txt"
if [ -s "$out/duplicates.txt" ]; then
    head "$out/duplicates.txt" >&2
    echo "consumer-test.sh: $(wc -l <"$out/duplicates.txt") classes are in more than one artifact" >&2
    exit 1
fi
native_paths="$(awk '$1 ~ /\.so$/ { print $1 }' "$out/aar/native.txt" | LC_ALL=C sort)"
if [ -n "$(uniq -d <<<"$native_paths")" ]; then
    echo "consumer-test.sh: native libraries in two AARs: $(uniq -d <<<"$native_paths" | tr '\n' ' ')" >&2
    exit 1
fi
awk '$1 ~ /\.so$/ { print "   " $2 ": " $1 }' "$out/aar/native.txt" | LC_ALL=C sort
echo "   no class or library path in two artifacts"

echo "== compile the consumer against the resolved artifacts"
find "$project/src/main/java" -name '*.java' | LC_ALL=C sort >"$out/main-sources.txt"
javac --release 8 -encoding UTF-8 -Xlint:all -Xlint:-options -Werror -cp "$main_cp" \
    -d "$out/classes/main" @"$out/main-sources.txt"
echo "   javac: $(wc -l <"$out/main-sources.txt") Java sources (CCV's abort snippets, MAPI.initialize)"
KOTLINC_CP="$(find "$repo/build/jvm/kotlinc" -name '*.jar' | sort | paste -sd:)"
# The stdlib and coroutines on this classpath are the ones Maven resolved through mapi-sdk-ktx's POM.
java -cp "$KOTLINC_CP" org.jetbrains.kotlin.cli.jvm.K2JVMCompiler -no-stdlib -no-reflect \
    -jvm-target 1.8 -Xjdk-release=1.8 -Werror -Xjspecify-annotations=strict -module-name consumer-test \
    -cp "$main_cp:$out/classes/main" -d "$out/classes/kotlin" "$project/src/main/kotlin"
echo "   kotlinc: $(find "$project/src/main/kotlin" -name '*.kt' | wc -l) Kotlin sources (mapi-sdk-ktx)"
find "$project/src/test/java" -name '*.java' | LC_ALL=C sort >"$out/test-sources.txt"
javac --release 8 -encoding UTF-8 -Xlint:all -Xlint:-options -Werror -cp "$main_cp$test_cp:$out/classes/main" \
    -d "$out/classes/test" @"$out/test-sources.txt"
echo "   javac: $(wc -l <"$out/test-sources.txt") test sources (mapi-sdk-testing's TerminalSimulator)"
echo "== consumer check done in $((SECONDS - started)) s"
