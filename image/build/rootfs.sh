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

# The appliance has no use for docs, man pages, translations or glibc's iconv modules (Java has its
# own charsets): dpkg never unpacks them.
# Kernel modules for hardware a mail box in an office never has (GPUs, Wi-Fi, sound, cameras,
# InfiniBand, Fibre Channel and iSCSI adapters, data-centre NICs, staging drivers) and for
# filesystems it never mounts (cluster, network, other roots) are dropped after install; the rest is
# compressed with zstd (kmod reads it, quick to unpack even on an emulated CPU), depmod sees the
# result, and the initramfs is made again from it (smaller, and less for udev to try at boot).
# udev's hardware database (names of vendors and models for device properties: nothing a mail server
# reads; its sources are shipped under /lib, dpkg matches that path) and apt's lists and caches go too.
# Perl (48 MB) came only for usrmerge, whose conversion mmdebstrap has already made: usr-is-merged
# (packages.txt) stands in for it, and usrmerge and Perl are purged (perl-base, essential, stays).
# shellcheck disable=SC2016  # the hooks are expanded by mmdebstrap's shell, with $1 = the root
mmdebstrap --mode=root --variant=minbase --format=tar \
    --include="$(IFS=,; echo "${packages[*]}")" \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/info/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-include=/usr/share/locale/locale.alias' \
    --dpkgopt='path-exclude=/usr/share/lintian/*' --dpkgopt='path-exclude=/usr/share/bash-completion/*' \
    --dpkgopt='path-exclude=/usr/share/zsh/*' \
    --dpkgopt='path-exclude=/usr/lib/x86_64-linux-gnu/gconv/*' \
    --dpkgopt='path-exclude=/lib/udev/hwdb.d/*' --dpkgopt='path-exclude=/usr/lib/udev/hwdb.d/*' \
    --aptopt='Acquire::Languages "none"' \
    --customize-hook='for k in "$1"/usr/lib/modules/*/kernel; do
        rm -rf "$k"/drivers/gpu "$k"/drivers/net/wireless "$k"/drivers/media "$k"/drivers/infiniband \
               "$k"/drivers/staging "$k"/sound "$k"/net/wireless "$k"/net/mac80211 "$k"/drivers/bluetooth \
               "$k"/net/bluetooth "$k"/drivers/iio "$k"/drivers/isdn/hardware/mISDN \
               "$k"/drivers/comedi "$k"/drivers/target "$k"/drivers/mtd "$k"/drivers/fpga "$k"/drivers/nfc \
               "$k"/drivers/net/can "$k"/net/can "$k"/drivers/net/wwan "$k"/drivers/net/ieee802154 \
               "$k"/net/ieee802154 "$k"/net/mac802154 "$k"/net/nfc "$k"/drivers/net/hamradio "$k"/net/ax25 \
               "$k"/net/netrom "$k"/net/rose "$k"/drivers/atm "$k"/net/atm "$k"/drivers/scsi/lpfc \
               "$k"/drivers/scsi/qla2xxx "$k"/drivers/scsi/qla4xxx "$k"/drivers/scsi/bfa "$k"/drivers/scsi/bnx2fc \
               "$k"/drivers/scsi/bnx2i "$k"/drivers/scsi/csiostor "$k"/drivers/scsi/cxgbi "$k"/drivers/scsi/fnic \
               "$k"/drivers/scsi/qedf "$k"/drivers/scsi/qedi "$k"/drivers/scsi/be2iscsi "$k"/drivers/scsi/fcoe \
               "$k"/drivers/scsi/libfc "$k"/drivers/scsi/elx "$k"/drivers/scsi/mpi3mr \
               "$k"/drivers/net/ethernet/mellanox "$k"/drivers/net/ethernet/chelsio "$k"/drivers/net/ethernet/qlogic \
               "$k"/drivers/net/ethernet/cavium "$k"/drivers/net/ethernet/netronome "$k"/drivers/net/ethernet/huawei \
               "$k"/drivers/net/ethernet/sfc "$k"/drivers/net/ethernet/emulex "$k"/drivers/net/ethernet/brocade \
               "$k"/drivers/net/ethernet/pensando "$k"/drivers/net/ethernet/fungible "$k"/drivers/net/ethernet/marvell/octeontx2 \
               "$k"/drivers/net/ethernet/intel/ice "$k"/drivers/net/ethernet/intel/i40e "$k"/drivers/net/ethernet/intel/iavf \
               "$k"/drivers/net/ethernet/broadcom/bnx2x "$k"/drivers/net/ethernet/broadcom/bnxt \
               "$k"/fs/btrfs "$k"/fs/xfs "$k"/fs/ocfs2 "$k"/fs/gfs2 "$k"/fs/ceph "$k"/fs/nfs "$k"/fs/nfsd \
               "$k"/fs/smb "$k"/fs/f2fs "$k"/fs/nilfs2 "$k"/fs/jfs "$k"/fs/reiserfs "$k"/fs/ubifs "$k"/fs/afs \
               "$k"/fs/coda "$k"/fs/orangefs "$k"/fs/zonefs "$k"/fs/dlm "$k"/fs/cachefiles "$k"/fs/fscache \
               "$k"/fs/netfs "$k"/fs/lockd "$k"/fs/nfs_common "$k"/fs/9p "$k"/fs/gfs2 "$k"/net/ceph "$k"/net/sunrpc \
               "$k"/net/rds "$k"/net/tipc "$k"/net/rxrpc "$k"/net/9p "$k"/net/batman-adv "$k"/net/openvswitch \
               "$k"/net/smc "$k"/net/6lowpan
        find "$k" -name "*.ko" -print0 | xargs -0 -r -P 2 -n 64 zstd -q --rm -19
        chroot "$1" depmod -a "$(basename "$(dirname "$k")")"
      done
      chroot "$1" update-initramfs -u -k all' \
    --customize-hook='chroot "$1" dpkg --purge usrmerge libfile-find-rule-perl libnumber-compare-perl \
        libtext-glob-perl perl libperl5.36 perl-modules-5.36
      rm -f "$1"/usr/lib/udev/hwdb.bin "$1"/etc/udev/hwdb.bin' \
    --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin "$1"/var/cache/apt/archives/*.deb \
        "$1"/var/log/*.log "$1"/var/cache/debconf/*-old "$1"/var/lib/dpkg/*-old' \
    bookworm "$OUT" "${sources[@]}"
