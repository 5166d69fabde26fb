#!/usr/bin/env bash
# disk.sh ROOTFS OUT.img - a bootable raw disk image from a root filesystem folder, with neither
# loop devices nor mounts:
#   sector 0        GRUB's boot.img (the MBR code) + a DOS partition table (sfdisk)
#   sectors 1-2047  GRUB's core.img (grub-mkimage) in the gap before the first partition, where
#                   boot.img looks for it by default (sector 1); core.img knows its own length
#   partition 1     ext4 made from ROOTFS by mkfs.ext4 -d, from 1 MiB to the end, bootable flag
# core.img finds the root partition by its filesystem UUID (whatever BIOS disk number it gets) and
# reads /boot/grub/grub.cfg from it; the kernel command line names the same UUID.
# Free space on the filesystem: PORTER_IMAGE_FREE_MB (default 512) beyond what ROOTFS holds.
set -euo pipefail

R=${1:?usage: disk.sh ROOTFS OUT.img}
OUT=${2:?usage: disk.sh ROOTFS OUT.img}
FREE_MB=${PORTER_IMAGE_FREE_MB:-512}
GRUB=/usr/lib/grub/i386-pc
WORK=$(mktemp -d "${TMPDIR:-/tmp}/porter-disk.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

uuid=$(cat /proc/sys/kernel/random/uuid)
kernel=$(cd "$R/boot" && ls vmlinuz-* | sort -V | tail -n 1)
initrd=initrd.img-${kernel#vmlinuz-}
[ -f "$R/boot/$initrd" ] || { echo "disk.sh: no /boot/$initrd in $R" >&2; exit 1; }

# GRUB's modules on the filesystem too, so its shell can load more (e.g. for a rescue at the box).
mkdir -p "$R/boot/grub/i386-pc"
cp "$GRUB"/*.mod "$GRUB"/*.lst "$R/boot/grub/i386-pc/"
cat >"$R/boot/grub/grub.cfg" <<EOF
# Written by image/build/disk.sh. Output on the screen and on the first serial port (115200 8N1).
serial --unit=0 --speed=115200
terminal_input console serial
terminal_output console serial
set timeout=1
menuentry 'Porter appliance (Debian 12)' {
    search --no-floppy --fs-uuid --set=root $uuid
    linux /boot/$kernel root=UUID=$uuid ro net.ifnames=0 console=tty0 console=ttyS0,115200n8
    initrd /boot/$initrd
}
EOF
cat >"$R/etc/fstab" <<EOF
UUID=$uuid / ext4 errors=remount-ro 0 1
EOF

# core.img: disk access, the partition table, ext4, the search for the UUID, the normal mode (for
# grub.cfg) and Linux; an embedded first config points it at the root partition.
cat >"$WORK/early.cfg" <<EOF
search --no-floppy --fs-uuid --set=root $uuid
set prefix=(\$root)/boot/grub
EOF
grub-mkimage -O i386-pc -o "$WORK/core.img" -c "$WORK/early.cfg" -p /boot/grub \
    biosdisk part_msdos ext2 search search_fs_uuid normal configfile linux echo test serial terminal
core_sectors=$(( ($(stat -c %s "$WORK/core.img") + 511) / 512 ))
[ "$core_sectors" -le 2047 ] || { echo "disk.sh: core.img is $core_sectors sectors: no room before the partition" >&2; exit 1; }

# The filesystem: what the root holds plus 25% (metadata, slack) plus the free space.
used_mb=$(du -sm --apparent-size "$R" | cut -f1)
fs_mb=$(( used_mb * 5 / 4 + FREE_MB ))
mkfs.ext4 -q -F -L porter-root -U "$uuid" -d "$R" "$WORK/root.ext4" "${fs_mb}M"

# The disk: 1 MiB for the MBR and core.img, then the partition.
rm -f "$OUT"
truncate -s $(( (fs_mb + 1) * 1024 * 1024 )) "$OUT"
echo 'label: dos
start=2048, type=83, bootable' | sfdisk -q "$OUT"
dd if="$WORK/root.ext4" of="$OUT" bs=1M seek=1 conv=notrunc,sparse status=none
dd if="$GRUB/boot.img" of="$OUT" bs=440 count=1 conv=notrunc status=none    # code only: keep the table
dd if="$WORK/core.img" of="$OUT" bs=512 seek=1 conv=notrunc status=none
echo "disk.sh: $OUT: ${fs_mb} MiB ext4 (UUID $uuid, ${used_mb} MiB used), kernel $kernel, core.img $core_sectors sectors" >&2
