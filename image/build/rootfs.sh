#!/usr/bin/env bash
# rootfs.sh OUT.tar - the slow step of the image build (~3 min): Debian 12 minbase plus the packages
# in packages.txt, from the Debian mirror this machine's apt uses, as one tarball.
# build-image.sh caches its output keyed by a hash of this script, packages.txt and the mirror
# list, so it reruns only when one of them changes. Needs root (mmdebstrap's root mode: chroot + mounts).
set -euo pipefail

HERE=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
OUT=${1:?usage: rootfs.sh OUT.tar}

# shellcheck source=image/build/mirrors.sh
. "$HERE/mirrors.sh"
# shellcheck disable=SC2086  # a list of files
mapfile -t packages < <(sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^$/d' ${PORTER_IMAGE_PACKAGE_LISTS:-$HERE/packages.txt})
mapfile -t sources < <(porter_image_sources)

# The appliance has no use for docs, man pages or translations: dpkg never unpacks them.
# Kernel modules for hardware a mail box in an office never has (GPUs, Wi-Fi, sound, cameras,
# InfiniBand, staging drivers) are dropped after install; depmod then sees the rest.
# shellcheck disable=SC2016  # the hooks are expanded by mmdebstrap's shell, with $1 = the root
mmdebstrap --mode=root --variant=minbase --format=tar \
    --include="$(IFS=,; echo "${packages[*]}")" \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/info/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-include=/usr/share/locale/locale.alias' \
    --aptopt='Acquire::Languages "none"' \
    --customize-hook='for k in "$1"/usr/lib/modules/*/kernel; do
        rm -rf "$k"/drivers/gpu "$k"/drivers/net/wireless "$k"/drivers/media "$k"/drivers/infiniband \
               "$k"/drivers/staging "$k"/sound "$k"/net/wireless "$k"/net/mac80211 "$k"/drivers/bluetooth \
               "$k"/net/bluetooth "$k"/drivers/iio "$k"/drivers/isdn/hardware/mISDN
        chroot "$1" depmod -a "$(basename "$(dirname "$k")")"
      done' \
    --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin "$1"/var/log/*.log' \
    bookworm "$OUT" "${sources[@]}"
