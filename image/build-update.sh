#!/usr/bin/env bash
# build-update.sh [--no-maven] [--version=VERSION] [--out=DIR] [--sign-key FILE] - builds an update archive for running
# appliances from this tree: DIR/porter-update-VERSION.zip (default DIR: image/target) and beside it
# porter-update-VERSION.zip.sha256 (sha256sum's format) to publish with it. Apply it on the box with
# 'porter upgrade FILE' (as root), or from a stick labelled PORTER-UPDATE (see the README).
#
# The archive: porter-update.txt (the version; the Java release and the Java modules it needs, which
# 'porter upgrade' checks against the box's runtime; the SHA-256 of every file), appliance.jar and
# lib/*.jar. Not the Java runtime: an update that needs a newer one needs a new image. Signed with
# --sign-key FILE (an Ed25519 private key, PKCS#8 PEM; default: porter-update.key in $PORTER_UPDATE_KEY_DIR,
# ~/.config/porter/update-key, where build-image.sh makes one): porter-update.sig over the manifest,
# which holds every file's SHA-256. Boxes take only archives signed by a key their image trusts. The
# whole file's SHA-256 is published too (porter upgrade prints it; --sha256 HEX refuses any other).
# VERSION defaults to the project's version + the UTC time + the git commit (e.g. 0.1.0-SNAPSHOT+20261128.0012.ab12cd3).
set -euo pipefail

HERE=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
ROOT=$(dirname "$HERE")
OUT=$HERE/target
MAVEN=1
VERSION=
SIGN_KEY=
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
    arg=${args[i]}
    case $arg in
        --sign-key=*) SIGN_KEY=${arg#--sign-key=} ;;
        --sign-key) i=$((i + 1)); SIGN_KEY=${args[i]:-} ;;
        --no-maven) MAVEN=0 ;;
        --version=*) VERSION=${arg#--version=} ;;
        --out=*) OUT=${arg#--out=} ;;
        -h|--help) sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "build-update.sh: unknown argument $arg (try --help)" >&2; exit 2 ;;
    esac
done

# shellcheck source=appliance/src/main/sh/find-jdk.sh
. "$ROOT/appliance/src/main/sh/find-jdk.sh"
JAVA_HOME=$(porter_find_jdk)
export JAVA_HOME
APP=$ROOT/appliance/target
if [ $MAVEN = 1 ]; then
    rm -rf "$APP/lib"
    (cd "$ROOT" && mvn -q -B -DskipTests -pl appliance -am package)
fi
[ -f "$APP/appliance.jar" ] && [ -d "$APP/lib" ] || { echo "build-update.sh: no $APP/appliance.jar: build Porter first" >&2; exit 1; }
if [ -z "$VERSION" ]; then
    base=$(unzip -p "$APP/appliance.jar" porter-version.properties | sed -n 's/^version=//p')
    commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo local)
    VERSION=$base+$(date -u +%Y%m%d.%H%M).$commit
fi
# The Java release Porter is compiled for, and the modules it uses (as build/runtime.sh finds them for the image)
java_release=$(sed -n 's:.*<maven.compiler.release>\([0-9]*\)</maven.compiler.release>.*:\1:p' "$ROOT/pom.xml")
release=$("$JAVA_HOME/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
libs=("$APP"/lib/*.jar)
modules=$("$JAVA_HOME/bin/jdeps" -q --multi-release "$release" --ignore-missing-deps --print-module-deps \
            --recursive --class-path "$(IFS=:; echo "${libs[*]}")" "$APP/appliance.jar")
default_key=${PORTER_UPDATE_KEY_DIR:-$HOME/.config/porter/update-key}/porter-update.key
[ -n "$SIGN_KEY" ] || [ ! -f "$default_key" ] || SIGN_KEY=$default_key
sign=()
if [ -n "$SIGN_KEY" ]; then
    [ -r "$SIGN_KEY" ] || { echo "build-update.sh: cannot read the signing key $SIGN_KEY" >&2; exit 1; }
    echo "build-update.sh: signing with $SIGN_KEY" >&2
    sign=(--sign-key "$SIGN_KEY")
else
    echo "build-update.sh: WARNING: not signed (no --sign-key, no $default_key): boxes with update keys refuse it" >&2
fi
mkdir -p "$OUT"
"$JAVA_HOME/bin/java" -cp "$APP/appliance.jar:$APP/lib/*" org.porter.appliance.upgrade.UpdateBuilder "${sign[@]}" \
    "$OUT/porter-update-$VERSION.zip" "$VERSION" "$java_release" "$modules" "$APP/appliance.jar" "${libs[@]}"
