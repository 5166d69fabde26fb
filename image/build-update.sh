#!/usr/bin/env bash
# build-update.sh [--no-maven] [--version=VERSION] [--out=DIR] [--sign-key FILE] [--runtime=DIR|--no-aot] - builds an update archive for running
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
# With it (JDK 25+), porter.aot: the JVM's AOT cache for these jars, from a training run of 'porter serve' on
# the images' Java runtime (--runtime=DIR; default image/target/runtime, which build-image.sh leaves there)
# with the jars laid out as on the box (/opt/porter/releases/VERSION, unpacked by the box's own code; needs
# root or user namespaces for unshare's mount namespace). The
# updated Porter then starts as fast as the image's own. It holds only for that runtime (the same JDK build
# and modules) and Porter's launcher from this change on; elsewhere the JVM says so and starts without it.
# +~50 MB unpacked, ~15 MB in the archive; --no-aot leaves it out.
set -euo pipefail

HERE=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
ROOT=$(dirname "$HERE")
OUT=$HERE/target
MAVEN=1
VERSION=
SIGN_KEY=
AOT=1
RUNTIME=$HERE/target/runtime
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
    arg=${args[i]}
    case $arg in
        --sign-key=*) SIGN_KEY=${arg#--sign-key=} ;;
        --sign-key) i=$((i + 1)); SIGN_KEY=${args[i]:-} ;;
        --no-maven) MAVEN=0 ;;
        --version=*) VERSION=${arg#--version=} ;;
        --out=*) OUT=${arg#--out=} ;;
        --runtime=*) RUNTIME=${arg#--runtime=} ;;
        --no-aot) AOT=0 ;;
        -h|--help) sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
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
ZIP=$OUT/porter-update-$VERSION.zip
builder=("$JAVA_HOME/bin/java" -cp "$APP/appliance.jar:$APP/lib/*" org.porter.appliance.upgrade.UpdateBuilder)
"${builder[@]}" "${sign[@]}" "$ZIP" "$VERSION" "$java_release" "$modules" "$APP/appliance.jar" "${libs[@]}"
[ $AOT = 1 ] || exit 0

# The AOT cache: a training run of serve with the runtime and the jars at the very paths they have on the
# box (/opt/porter/runtime, /opt/porter/releases/VERSION: bind mounts over a /opt of its own, in a mount
# namespace), in a network namespace with only a loopback (ephemeral ports, nothing reachable). Not at other
# paths: the JVM takes a cache made at another prefix, but one made under a longer one failed to start
# ("sealing violation" of Derby's sealed packages, "Error occurred during initialization of VM").
# 'serve --aot-training' sends mail through every hot path and stops (build-image.sh says more, also of
# PORTER_AOT_TRAINING_MESSAGES). Best
# effort, as in build-image.sh: without a cache the update starts and warms up slower.
if [ ! -x "$RUNTIME/bin/java" ] || [ "$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$RUNTIME/release")" -lt 25 ]; then
    echo "build-update.sh: WARNING: no AOT cache: no JDK 25+ runtime of the images in $RUNTIME (build-image.sh" \
        "leaves it there; --runtime=DIR): the update starts slower" >&2
    exit 0
fi
namespaces=()
if [ -d /opt ] && unshare --mount --net true 2>/dev/null; then namespaces=(unshare --mount --net)
elif [ -d /opt ] && unshare -rmn true 2>/dev/null; then namespaces=(unshare -rmn)
else
    echo "build-update.sh: WARNING: no AOT cache: cannot make a mount namespace with /opt (unshare, as root)" >&2
    exit 0
fi
started=$SECONDS
stage=$(mktemp -d "${TMPDIR:-/tmp}/porter-update-aot.XXXXXX")
trap 'rm -rf "$stage"' EXIT
home=$stage/porter
"${builder[@]}" unpack "$ZIP" "$home/releases/$VERSION" >/dev/null
launcher=$HERE/rootfs/usr/local/bin/porter
# the JVM options of the box's service (heap), so that the training runs as the box will
service_opts=$(sed -n 's/^Environment="PORTER_JAVA_OPTS=\(.*\)"$/\1/p' "$HERE/rootfs/etc/systemd/system/porter.service")
# shellcheck disable=SC2016  # expanded by the inner shell
timeout 600 "${namespaces[@]}" bash -c '
    set -e
    release=$0 launcher=$1 data=$2 log=$3 version=$4 runtime=$5 service_opts=$6 messages=$7
    mount -t tmpfs -o mode=755 porter-aot /opt
    mkdir -p /opt/porter/runtime "/opt/porter/releases/$version"
    mount --bind "$runtime" /opt/porter/runtime
    mount --bind "$release" "/opt/porter/releases/$version"
    ln -s "releases/$version" /opt/porter/current
    ip link set lo up 2>/dev/null || true
    PORTER_HOME=/opt/porter PORTER_JAVA_OPTS="$service_opts -XX:AOTCacheOutput=/opt/porter/releases/$version/porter.aot" \
        "$launcher" serve --aot-training "$messages" --data "$data" --listen 127.0.0.1 --smtp-port 0 --pop3-port 0 \
        --admin-port 0 >"$log" 2>&1 || rm -f "/opt/porter/releases/$version/porter.aot"' \
    "$home/releases/$VERSION" "$launcher" "$stage/data" "$stage/train.log" "$VERSION" "$(readlink -f "$RUNTIME")" "$service_opts" \
    "${PORTER_AOT_TRAINING_MESSAGES:-2000}" >"$stage/namespace.log" 2>&1 || true
if [ ! -f "$home/releases/$VERSION/porter.aot" ]; then
    tail -n 20 "$stage/namespace.log" "$stage/train.log" >&2
    echo "build-update.sh: WARNING: no AOT cache (the training run failed, log above): the update starts slower" >&2
    exit 0
fi
"${builder[@]}" "${sign[@]}" add-aot-cache "$ZIP" "$home/releases/$VERSION/porter.aot"
echo "build-update.sh: AOT cache for $(readlink -f "$RUNTIME") made in $((SECONDS - started)) s" \
    "($(du -h "$home/releases/$VERSION/porter.aot" | cut -f1)); $(du -h "$ZIP" | cut -f1) in all" >&2
