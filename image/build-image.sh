#!/usr/bin/env bash
# build-image.sh [--no-maven] [--variant=test] [--update-key=FILE.pub]... - builds image/target/porter.img: a raw disk image of the Porter
# appliance that boots on its own on BIOS and UEFI machines (GPT, GRUB for both, one ext4 partition
# with Debian 12, a jlink runtime, Porter and its systemd units), and porter.qcow2, the same disk for
# hypervisors. No loop devices, no mounts: the filesystems are made from a folder (mkfs.ext4 -d) and a
# file (mkfs.vfat + mcopy), GRUB's boot sectors are written with dd.
#
# Steps (each its own script under build/ where it is more than a few lines):
#   1. Porter's jars: mvn -pl appliance -am package (skipped with --no-maven: Maven's reactor has
#      just built them, as in "mvn verify", where the image module depends on the appliance module)
#   2. the Debian root filesystem (build/rootfs.sh, ~2-3 min), cached in $PORTER_IMAGE_CACHE
#      (default /var/cache/porter-image) under a hash of what makes it; a jlink runtime
#      (build/runtime.sh) is made meanwhile
#   3. Porter, the runtime, the rootfs/ overlay (units, scripts, network), the porter user, the
#      appliance's port settings
#   4. the filesystem images, the partition table and GRUB (build/disk.sh); the qcow2 (qemu-img)
# It leaves a copy of the runtime in image/target/runtime: build-update.sh makes updates' AOT caches on it.
# Updates: the image trusts the Ed25519 public keys given with --update-key (copied to
# /etc/porter/update-keys/; 'porter upgrade' then takes only archives signed by one of them). Without
# --update-key, the key pair in $PORTER_UPDATE_KEY_DIR (default ~/.config/porter/update-key, outside the
# repository) is used, and made there first when there is none: porter-update.key (private: sign updates
# with build-update.sh --sign-key, keep it safe) and porter-update.pub.
# --variant=test builds image/target/porter-test.img (and .qcow2) for the image tests instead: the same image plus
# build/packages-test.txt (an ISP's Postfix, masked) and src/test/image-overlay (a root shell on ttyS3).
# Needs root (chroot, file ownership). Installs the Debian tools it needs when they are missing.
set -euo pipefail

HERE=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
ROOT=$(dirname "$HERE")
TARGET=$HERE/target
WORK=$TARGET/work
CACHE=${PORTER_IMAGE_CACHE:-/var/cache/porter-image}
MAVEN=1
VARIANT=appliance
UPDATE_KEYS=()
for arg in "$@"; do
    case $arg in
        --update-key=*) UPDATE_KEYS+=("${arg#--update-key=}") ;;
        --no-maven) MAVEN=0 ;;
        --variant=test|--variant-test) VARIANT=test ;;
        -h|--help) sed -n '2,25p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "build-image.sh: unknown argument $arg (try --help)" >&2; exit 2 ;;
    esac
done
[ "$(id -u)" -eq 0 ] || { echo "build-image.sh: needs root (chroot, file ownership in the image)" >&2; exit 1; }

log() { printf '%s build-image: %s\n' "$(date +%T)" "$*" >&2; }
# set -e stops at the first failing command without a word: say which
trap 'log "FAILED (exit $?) at line $LINENO: $BASH_COMMAND"' ERR
started=$SECONDS

# Host tools, installed when missing (./run-tests installs the same list first).
tools=(mmdebstrap fdisk e2fsprogs grub-pc-bin grub-efi-amd64-bin dosfstools mtools qemu-utils)
missing=()
for p in "${tools[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# shellcheck source=appliance/src/main/sh/find-jdk.sh
. "$ROOT/appliance/src/main/sh/find-jdk.sh"
JAVA_HOME=$(porter_find_jdk)
export JAVA_HOME

# 1. Porter's jars
APP=$ROOT/appliance/target
if [ $MAVEN = 1 ]; then
    log "building Porter (mvn -pl appliance -am package)"
    rm -rf "$APP/lib"       # copy-dependencies only adds: no jars of versions no longer used
    (cd "$ROOT" && mvn -q -B -DskipTests -pl appliance -am package)
fi
[ -f "$APP/appliance.jar" ] && [ -d "$APP/lib" ] || { echo "build-image.sh: no $APP/appliance.jar: build Porter first" >&2; exit 1; }

# 2. The Debian root filesystem (cached) and, meanwhile, the runtime
# shellcheck source=image/build/mirrors.sh
. "$HERE/build/mirrors.sh"
PACKAGE_LISTS=("$HERE/build/packages.txt")
OUT=$TARGET/porter.img
if [ $VARIANT = test ]; then
    PACKAGE_LISTS+=("$HERE/build/packages-test.txt")
    OUT=$TARGET/porter-test.img
    WORK=$TARGET/work-test
fi
export PORTER_IMAGE_PACKAGE_LISTS="${PACKAGE_LISTS[*]}"
key=$( { cat "$HERE/build/rootfs.sh" "${PACKAGE_LISTS[@]}"; porter_image_sources; } | sha256sum | cut -c1-16)
BASE=$CACHE/rootfs-$key.tar
rm -rf "$WORK"
mkdir -p "$WORK" "$CACHE"
log "making the jlink runtime (build/runtime.sh)"
"$HERE/build/runtime.sh" "$JAVA_HOME" "$WORK/runtime" "$APP/appliance.jar" "$APP"/lib/*.jar >"$WORK/runtime.log" 2>&1 &
runtime_pid=$!
# The cache is shared by every checkout on the machine (and their builds may run at once): the base
# is made under an exclusive lock and opened before the lock is let go, so no other build's clean-up
# can pull it away before tar has read it. Bases of other package lists are dropped only when no
# build has used them for a week (another checkout may be on another branch).
exec 9>"$CACHE/.lock"
flock 9
if [ ! -f "$BASE" ]; then
    log "no cached root filesystem $BASE: making it (build/rootfs.sh, ~2-3 min)"
    "$HERE/build/rootfs.sh" "$BASE.part" >"$WORK/rootfs.log" 2>&1 || { tail -n 30 "$WORK/rootfs.log" >&2; exit 1; }
    mv "$BASE.part" "$BASE"
else
    log "using the cached root filesystem $BASE"
fi
touch "$BASE"
find "$CACHE" -maxdepth 1 -name 'rootfs-*.tar' ! -name "$(basename "$BASE")" -mtime +7 -delete
exec 8<"$BASE"
flock -u 9
exec 9>&-
R=$WORK/rootfs
mkdir -p "$R"
tar -C "$R" --numeric-owner --xattrs --xattrs-include='*' -xpf - <&8
exec 8<&-
wait $runtime_pid || { cat "$WORK/runtime.log" >&2; exit 1; }

# 3. Porter, the overlay, the user, the settings
log "installing Porter into the root filesystem"
mkdir -p "$R/opt/porter/lib"
mv "$WORK/runtime" "$R/opt/porter/runtime"
# A copy for build-update.sh, which makes updates' AOT caches against this runtime (its default --runtime)
rm -rf "$TARGET/runtime.new" && cp -a "$R/opt/porter/runtime" "$TARGET/runtime.new"
rm -rf "$TARGET/runtime" && mv "$TARGET/runtime.new" "$TARGET/runtime"
cp "$APP/appliance.jar" "$R/opt/porter/"
cp "$APP"/lib/*.jar "$R/opt/porter/lib/"
cp -r --preserve=mode "$HERE/rootfs/." "$R/"
if [ $VARIANT = test ]; then
    log "WARNING: test image: a root shell on ttyS3, Postfix installed (masked)"
    cp -r --preserve=mode "$HERE/src/test/image-overlay/." "$R/"
    chroot "$R" systemctl mask --quiet postfix.service
    chroot "$R" systemctl enable --quiet porter-test-shell.service
fi
# pppd reads a peers file with the caller's permissions: porter is in group dip, like /etc/ppp/peers
chroot "$R" sh -c 'chown root:dip /etc/ppp/peers/porter && chmod 640 /etc/ppp/peers/porter'
chroot "$R" useradd --system --user-group --groups dialout,dip --home-dir /var/lib/porter --no-create-home \
    --shell /usr/sbin/nologin --comment "Porter mail server" porter
# The update keys this box trusts (porter upgrade refuses archives not signed by one of them)
if [ ${#UPDATE_KEYS[@]} -eq 0 ]; then
    keydir=${PORTER_UPDATE_KEY_DIR:-$HOME/.config/porter/update-key}
    if [ ! -f "$keydir/porter-update.pub" ]; then
        log "no --update-key: making an update key pair in $keydir"
        mkdir -p "$keydir" && chmod 700 "$keydir"
        "$JAVA_HOME/bin/java" -cp "$APP/appliance.jar" org.porter.appliance.upgrade.UpdateKeys new \
            "$keydir/porter-update.key" "$keydir/porter-update.pub" >/dev/null
    fi
    UPDATE_KEYS=("$keydir/porter-update.pub")
    log "updates must be signed with $keydir/porter-update.key (build-update.sh --sign-key FILE): keep it safe"
fi
mkdir -p "$R/etc/porter/update-keys"
for key in "${UPDATE_KEYS[@]}"; do
    grep -q -- '-----BEGIN PUBLIC KEY-----' "$key" || { echo "build-image.sh: $key is not a PEM public key" >&2; exit 1; }
    install -m 644 -o root -g root "$key" "$R/etc/porter/update-keys/$(basename "${key%.pub}").pub"
    log "trusted update key: $key"
done
chroot "$R" systemctl enable --quiet porter.service porter-setup.service porter-admin-login.service \
    porter-support.path porter-support.service systemd-networkd.service systemd-resolved.service
ln -sf ../run/systemd/resolve/stub-resolv.conf "$R/etc/resolv.conf"
# The appliance's defaults: the standard ports. Set here, by the real CLI on the runtime just made,
# so the first boot has nothing to do but start. The database is only files: it moves with the image.
mkdir -p "$R/var/lib/porter"
# The web admin on HTTPS 443 with the box's certificate; plain HTTP (80) only redirects there.
# One CLI run for all of them (each run is a JVM start: seconds on a busy build machine).
PORTER_HOME=$R/opt/porter "$R/usr/local/bin/porter" config set submission.port 587 smtps.port 465 pop3s.port 995 \
    admin.tls-port 443 admin.http-redirect true ppp.peer porter --data "$R/var/lib/porter"
chroot "$R" chown -R porter:porter /var/lib/porter
# JDK 25+: an AOT cache from a training run of serve inside the image's own root (the class path must
# be the one used at run time), in namespaces of its own: /proc for the java launcher, a network with
# only a loopback (ephemeral ports, nothing reachable). 'serve --aot-training N' sends N messages through
# SMTP into a mailbox, relays some to a sink of its own, reads them all with POP3 and opens the admin,
# then stops: the cache holds the classes loaded and linked and the hot methods' profiles (JEP 515), so
# the box compiles its hot paths at once instead of after thousands of slow messages (see ./porter).
# PORTER_AOT_TRAINING_MESSAGES (default 2000) sets N (the image tests use fewer: they check that the box
# starts from the cache, not how well it was trained). Best effort: without it the box starts and warms up
# slower. On by default (PORTER_IMAGE_AOT=0 leaves it out). History: the JVM in the booted image once crashed (SIGSEGV in C1-compiled DigestBase.engineDigest,
# during SMTP AUTH's PBKDF2) under qemu's multi-threaded TCG, first with a cache, later without one: it
# follows qemu's emulation, not the cache. The tests run TCG single-threaded.
if [ "${PORTER_IMAGE_AOT:-1}" = 1 ] \
        && [ "$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$R/opt/porter/runtime/release")" -ge 25 ]; then
    log "training run of 'porter serve' for the AOT cache (${PORTER_AOT_TRAINING_MESSAGES:-2000} messages)"
    train=/tmp/porter-train
    mkdir -p "$R$train"
    # the JVM options of the box's service (heap), so that the training runs as the box will
    service_opts=$(sed -n 's/^Environment="PORTER_JAVA_OPTS=\(.*\)"$/\1/p' "$R/etc/systemd/system/porter.service")
    # shellcheck disable=SC2016  # expanded by the shell inside the chroot
    timeout 600 unshare --fork --pid --mount --net --mount-proc="$R/proc" chroot "$R" /bin/bash -c '
        ip link set lo up
        PORTER_JAVA_OPTS="$2 -XX:AOTCacheOutput=/opt/porter/porter.aot" /usr/local/bin/porter serve \
            --aot-training "$1" --data "$0" --listen 127.0.0.1 --smtp-port 0 --pop3-port 0 --admin-port 0 \
            >/tmp/train.log 2>&1' "$train" "${PORTER_AOT_TRAINING_MESSAGES:-2000}" "$service_opts" >"$WORK/train.log" 2>&1 \
        || rm -f "$R/opt/porter/porter.aot"
    cat "$R/tmp/train.log" >>"$WORK/train.log" 2>/dev/null || true
    rm -rf "${R:?}$train" "$R/tmp/train.log" "$R/opt/porter/porter.aot.config"
    if [ -f "$R/opt/porter/porter.aot" ]; then
        log "AOT cache: $(du -h "$R/opt/porter/porter.aot" | cut -f1); $(grep -m1 'AOT training done' "$WORK/train.log")"
    else
        tail -n 20 "$WORK/train.log" >&2
        log "WARNING: no AOT cache (training run failed, log above): the appliance will start slower"
    fi
fi
chmod 750 "$R/var/lib/porter"
# For development only (PORTER_IMAGE_DEBUG_SHELL=1): a root shell on the first serial port, no password.
if [ "${PORTER_IMAGE_DEBUG_SHELL:-0}" = 1 ]; then
    log "WARNING: PORTER_IMAGE_DEBUG_SHELL=1: root logs in on ttyS0 without a password"
    mkdir -p "$R/etc/systemd/system/serial-getty@ttyS0.service.d"
    printf '[Service]\nExecStart=\nExecStart=-/sbin/agetty --autologin root --keep-baud 115200,57600,38400,9600 %%I $TERM\n' \
        >"$R/etc/systemd/system/serial-getty@ttyS0.service.d/autologin.conf"
fi
# Each appliance gets its own machine id (journal, DHCP client id) at its first boot.
: >"$R/etc/machine-id"
rm -f "$R/var/lib/dbus/machine-id"

# 4. The disk, raw and as qcow2 (for hypervisors: only the used blocks, grows on write)
"$HERE/build/disk.sh" "$R" "$OUT"
rm -rf "$WORK"
QCOW=${OUT%.img}.qcow2
rm -f "$QCOW"
qemu-img convert -f raw -O qcow2 "$OUT" "$QCOW"
log "done in $((SECONDS - started)) s: $OUT ($(du -h --apparent-size "$OUT" | cut -f1), $(du -h "$OUT" | cut -f1) used), $QCOW ($(du -h "$QCOW" | cut -f1))"
