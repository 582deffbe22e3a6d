#!/usr/bin/env bash
# A local Maven repository of the three Android libraries, without Gradle:
#
#   bash android/publish-local.sh        (android/package.sh runs it after the AARs)
#
# build/android/maven-repo/<mapi.group as path>/
#   mapi-sdk/<version>/          the SDK AAR (build-aar.sh), its POM (JSpecify as a dependency when
#                                the sources use it), sources jar, javadoc jar (the JDK's javadoc)
#   mapi-sdk-ktx/<version>/      an AAR of android/sdk-ktx/src/main/kotlin compiled here with the
#                                pinned Kotlin compiler (android/toolchain/kotlinc) against the SDK
#                                AAR's classes.jar; POM: mapi-sdk, kotlinx-coroutines-core-jvm,
#                                kotlin-stdlib; sources jar; a javadoc jar with an index of the public
#                                declarations only (no Dokka here, see docs/android-publishing.md)
#   mapi-sdk-testing/<version>/  the testing AAR (build-aar.sh --testing: TerminalSimulator and
#                                libmapi_simulator.so); POM: mapi-sdk; sources and javadoc jars
# each with maven-metadata.xml and .md5/.sha1 files, written by Maven's own deploy:deploy-file to a
# file:// URL, as a remote repository has them. The group comes from gradle.properties (mapi.group),
# the version from Cargo.toml, the third-party versions from the poms under android/toolchain, so
# Gradle and this script publish the same coordinates.
#
# Checks: every file and checksum is there and matches, each POM names exactly the dependencies
# above, the ktx classes.jar holds only eu/ccvlab/mapi/ktx and dx accepts it. The consumer check
# (android/consumer-test.sh) then resolves the repository with Maven.
#
# Needs the SDK and testing AARs in build/android (package.sh), a JDK 17 and Maven (installed by
# host-jvm.sh's helpers when missing); Maven Central once for the deploy plugin and the Kotlin
# compiler, offline afterwards.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
# shellcheck source=android/host-jvm.sh
source android/host-jvm.sh
started=$SECONDS

android_jar=/usr/lib/android-sdk/platforms/android-23/android.jar
deploy_plugin=org.apache.maven.plugins:maven-deploy-plugin:3.1.4
version="$(awk -F'"' '/^\[/ { section = $0 } section == "[package]" && /^version *=/ { print $2; exit }' Cargo.toml)"
group="$(sed -n 's/^mapi\.group=//p' gradle.properties)"
if [ -z "$version" ] || [ -z "$group" ]; then
    echo "publish-local.sh: no version (Cargo.toml) or mapi.group (gradle.properties)" >&2
    exit 1
fi
out="$repo/build/android/maven-repo"
work="$repo/build/android/publish"
sdk_aar="$repo/build/android/mapi-sdk-$version.aar"
testing_aar="$repo/build/android/mapi-sdk-testing-$version.aar"
for need in "$sdk_aar" "$testing_aar" "$android_jar"; do
    [ -f "$need" ] || { echo "publish-local.sh: $need missing (run android/package.sh)" >&2; exit 1; }
done

ensure_jvm_tools
resolve_jars kotlinc
resolve_jars test
resolve_jars sdk

# <version> of an artifact in an android/toolchain pom (a literal or ${kotlin.version}).
pinned() {
    local pom="android/toolchain/$1/pom.xml" artifact="$2" v
    v="$(awk -v a="<artifactId>$artifact</artifactId>" 'index($0, a) { found = 1; next }
        found && /<version>/ { gsub(/.*<version>|<\/version>.*/, ""); print; exit }' "$pom")"
    # shellcheck disable=SC2016 # the pom's own placeholder, literally
    if [ "$v" = '${kotlin.version}' ]; then
        v="$(sed -n 's:.*<kotlin.version>\(.*\)</kotlin.version>.*:\1:p' "$pom")"
    fi
    [ -n "$v" ] || { echo "publish-local.sh: no version of $artifact in $pom" >&2; exit 1; }
    echo "$v"
}
kotlin_version="$(pinned test kotlin-stdlib)"
coroutines_version="$(pinned test kotlinx-coroutines-core-jvm)"
stdlib="$(maven_jar test kotlin-stdlib)"
coroutines="$(maven_jar test kotlinx-coroutines-core-jvm)"
jspecify_jar="$(maven_jar sdk jspecify)"
jspecify_dep=""
# Only when the SDK's signatures carry its annotations: then Kotlin consumers need the jar to read them.
if grep -rqs 'org\.jspecify' android/sdk/src/main/java; then
    jspecify_dep="org.jspecify:jspecify:$(pinned sdk jspecify):jar"
fi

rm -rf "$work" "$out"
mkdir -p "$work" "$out"
unzip -q "$sdk_aar" classes.jar -d "$work/sdk"

# A jar with fixed timestamps: the same inputs give the same bytes.
jar_of() {
    local dest="$1" dir="$2"
    rm -f "$dest"
    jar --create --file "$dest" --date=2000-01-01T00:00:00Z -C "$dir" .
}

echo "== mapi-sdk-ktx: kotlinc $kotlin_version against the SDK AAR's classes.jar"
ktx="$work/ktx"
mkdir -p "$ktx/classes" "$ktx/tree"
KOTLINC_CP="$(find "$repo/build/jvm/kotlinc" -name '*.jar' | sort | paste -sd:)"
# The flags of android/ktx-test.sh (explicit API, warnings are errors, Java 8 bytecode); the module
# name is the artifact's, so its .kotlin_module cannot collide with an app's.
java -cp "$KOTLINC_CP" org.jetbrains.kotlin.cli.jvm.K2JVMCompiler -no-stdlib -no-reflect \
    -jvm-target 1.8 -Xjdk-release=1.8 -Werror -Xexplicit-api=strict -Xjspecify-annotations=strict \
    -module-name mapi-sdk-ktx \
    -cp "$work/sdk/classes.jar:$jspecify_jar:$stdlib:$coroutines" -d "$ktx/classes" android/sdk-ktx/src/main/kotlin
jar_of "$ktx/tree/classes.jar" "$ktx/classes"
ktx_classes="$(unzip -Z1 "$ktx/tree/classes.jar" | grep '\.class$')"
if grep -v '^eu/ccvlab/mapi/ktx/' <<<"$ktx_classes"; then
    echo "publish-local.sh: the classes above are outside eu.ccvlab.mapi.ktx" >&2
    exit 1
fi
cat >"$ktx/tree/AndroidManifest.xml" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<manifest xmlns:android="http://schemas.android.com/apk/res/android"
    package="eu.ccvlab.mapi.ktx">

    <uses-sdk android:minSdkVersion="23" />

</manifest>
EOF
# Kotlin metadata and coroutines need no keep rule of their own; the SDK's rules come with mapi-sdk.
: >"$ktx/tree/proguard.txt"
: >"$ktx/tree/R.txt"
ktx_aar="$work/mapi-sdk-ktx-$version.aar"
(cd "$ktx/tree" && find . -exec touch -d @946684800 {} + &&
    printf '%s\n' AndroidManifest.xml R.txt classes.jar proguard.txt | zip -X -q -D "$ktx_aar" -@)
dalvik-exchange --dex --min-sdk-version=26 --output="$ktx/classes.dex" "$ktx/tree/classes.jar"
echo "   $(wc -l <<<"$ktx_classes") classes, dx OK; $(wc -c <"$ktx_aar" | tr -d ' ') bytes"

echo "== sources jars"
jar_of "$work/mapi-sdk-sources.jar" android/sdk/src/main/java
jar_of "$work/mapi-sdk-ktx-sources.jar" android/sdk-ktx/src/main/kotlin
jar_of "$work/mapi-sdk-testing-sources.jar" android/sdk-testing/src/main/java

echo "== javadoc jars (javadoc of JDK $(java_major); warnings allowed, errors fail)"
javadoc_of() {
    local name="$1" sources="$2" classpath="$3" title="$4"
    find "$sources" -name '*.java' | LC_ALL=C sort >"$work/$name-javadoc-sources.txt"
    if ! javadoc --release 8 -quiet -encoding UTF-8 -charset UTF-8 -notimestamp -Xdoclint:all,-missing \
        -doctitle "$title" -windowtitle "$title" -cp "$classpath" -d "$work/$name-javadoc" \
        @"$work/$name-javadoc-sources.txt" >"$work/$name-javadoc.log" 2>&1; then
        cat "$work/$name-javadoc.log" >&2
        echo "publish-local.sh: javadoc of $name failed" >&2
        exit 1
    fi
    echo "   $name: $(grep -c '^warning:\|: warning:' "$work/$name-javadoc.log" || true) warnings, $(find "$work/$name-javadoc" -name '*.html' | wc -l) pages"
    jar_of "$work/$name-javadoc.jar" "$work/$name-javadoc"
}
javadoc_of mapi-sdk android/sdk/src/main/java "$android_jar:$jspecify_jar" "mapi-sdk $version"
javadoc_of mapi-sdk-testing android/sdk-testing/src/main/java "$android_jar:$jspecify_jar:$work/sdk/classes.jar" \
    "mapi-sdk-testing $version"
# Without Dokka: one page listing each public declaration by file; the KDoc itself is in the sources
# jar, which IDEs show.
mkdir -p "$work/mapi-sdk-ktx-javadoc"
{
    echo "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>mapi-sdk-ktx $version</title></head><body>"
    echo "<h1>mapi-sdk-ktx $version: package eu.ccvlab.mapi.ktx</h1>"
    echo "<p>Kotlin coroutine extensions of mapi-sdk. This page lists the public declarations; their KDoc is in"
    echo "mapi-sdk-ktx-$version-sources.jar.</p>"
    find android/sdk-ktx/src/main/kotlin -name '*.kt' | LC_ALL=C sort | while read -r source; do
        echo "<h2>$(basename "$source")</h2><ul>"
        grep -E '^public ' "$source" | sed -e 's/ *[{=].*$//' -e 's/&/\&amp;/g; s/</\&lt;/g; s/>/\&gt;/g' \
            -e 's/^/<li><code>/' -e 's/$/<\/code><\/li>/' || true
        echo "</ul>"
    done
    echo "</body></html>"
} >"$work/mapi-sdk-ktx-javadoc/index.html"
jar_of "$work/mapi-sdk-ktx-javadoc.jar" "$work/mapi-sdk-ktx-javadoc"

# POM of one artifact: packaging aar, then each dependency as group:artifact:version:type (scope compile,
# as Gradle's `api` publishes).
write_pom() {
    local artifact="$1" description="$2" dep g a v t
    shift 2
    {
        cat <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 https://maven.apache.org/xsd/maven-4.0.0.xsd">
  <modelVersion>4.0.0</modelVersion>
  <groupId>$group</groupId>
  <artifactId>$artifact</artifactId>
  <version>$version</version>
  <packaging>aar</packaging>
  <name>$artifact</name>
  <description>$description</description>
  <licenses>
    <license>
      <name>Apache-2.0</name>
      <url>https://www.apache.org/licenses/LICENSE-2.0</url>
    </license>
  </licenses>
  <dependencies>
EOF
        for dep in "$@"; do
            IFS=: read -r g a v t <<<"$dep"
            printf '    <dependency>\n      <groupId>%s</groupId>\n      <artifactId>%s</artifactId>\n      <version>%s</version>\n' "$g" "$a" "$v"
            [ "$t" = jar ] || printf '      <type>%s</type>\n' "$t"
            printf '      <scope>compile</scope>\n    </dependency>\n'
        done
        printf '  </dependencies>\n</project>\n'
    } >"$work/$artifact.pom"
}
sdk_deps=()
[ -z "$jspecify_dep" ] || sdk_deps+=("$jspecify_dep")
write_pom mapi-sdk "Open drop-in engine for CCV's Android payment SDK (mAPI): Java API and libmapi.so" \
    "${sdk_deps[@]}"
write_pom mapi-sdk-ktx "Kotlin coroutine extensions of mapi-sdk" "$group:mapi-sdk:$version:aar" \
    "org.jetbrains.kotlinx:kotlinx-coroutines-core-jvm:$coroutines_version:jar" \
    "org.jetbrains.kotlin:kotlin-stdlib:$kotlin_version:jar"
write_pom mapi-sdk-testing "Terminal simulator for app tests of mapi-sdk: TerminalSimulator and libmapi_simulator.so" \
    "$group:mapi-sdk:$version:aar"

echo "== mvn deploy:deploy-file → file://$out"
deploy() {
    local artifact="$1" file="$2"
    if ! mvn -B -q "$deploy_plugin:deploy-file" -Durl="file://$out" -DrepositoryId=mapi-local \
        -Dfile="$file" -DpomFile="$work/$artifact.pom" -Dpackaging=aar \
        -Dsources="$work/$artifact-sources.jar" -Djavadoc="$work/$artifact-javadoc.jar" \
        >"$work/deploy-$artifact.log" 2>&1; then
        cat "$work/deploy-$artifact.log" >&2
        echo "publish-local.sh: deploying $artifact failed" >&2
        exit 1
    fi
}
deploy mapi-sdk "$sdk_aar"
deploy mapi-sdk-ktx "$ktx_aar"
deploy mapi-sdk-testing "$testing_aar"

echo "== checks"
group_path="${group//.//}"
for artifact in mapi-sdk mapi-sdk-ktx mapi-sdk-testing; do
    dir="$out/$group_path/$artifact"
    for file in "$version/$artifact-$version.aar" "$version/$artifact-$version.pom" \
        "$version/$artifact-$version-sources.jar" "$version/$artifact-$version-javadoc.jar" maven-metadata.xml; do
        [ -f "$dir/$file" ] || { echo "publish-local.sh: $dir/$file missing" >&2; exit 1; }
        for sum in md5 sha1; do
            [ -f "$dir/$file.$sum" ] || { echo "publish-local.sh: $dir/$file.$sum missing" >&2; exit 1; }
        done
        [ "$(cut -d' ' -f1 <"$dir/$file.sha1")" = "$(sha1sum "$dir/$file" | cut -d' ' -f1)" ] ||
            { echo "publish-local.sh: $dir/$file.sha1 does not match" >&2; exit 1; }
    done
    grep -q "<version>$version</version>" "$dir/maven-metadata.xml" ||
        { echo "publish-local.sh: $dir/maven-metadata.xml lacks $version" >&2; exit 1; }
done
# The dependencies each POM declares, as group:artifact:version, against what this script means.
declared() {
    awk 'function text(line) { gsub(/^ *<[^>]*>|<[^>]*> *$/, "", line); return line }
        /<dependency>/ { inside = 1; g = a = v = ""; next }
        /<\/dependency>/ { inside = 0; print g ":" a ":" v; next }
        inside && /<groupId>/ { g = text($0) }
        inside && /<artifactId>/ { a = text($0) }
        inside && /<version>/ { v = text($0) }' \
        "$out/$group_path/$1/$version/$1-$version.pom" | LC_ALL=C sort | paste -sd' '
}
expect() {
    local got
    got="$(declared "$1")"
    [ "$got" = "$2" ] || { echo "publish-local.sh: $1's POM declares [$got], expected [$2]" >&2; exit 1; }
    echo "   $1 → ${got:-no dependencies}"
}
expect mapi-sdk "${jspecify_dep%:jar}"
expect mapi-sdk-ktx "$group:mapi-sdk:$version org.jetbrains.kotlin:kotlin-stdlib:$kotlin_version org.jetbrains.kotlinx:kotlinx-coroutines-core-jvm:$coroutines_version"
expect mapi-sdk-testing "$group:mapi-sdk:$version"

echo "== local Maven repository done in $((SECONDS - started)) s: $out"
(cd "$out" && find . -type f -name '*.aar' -o -type f -name '*.jar' | LC_ALL=C sort | while read -r file; do
    printf '   %-72s %9d bytes\n' "${file#./}" "$(wc -c <"$file")"
done)
