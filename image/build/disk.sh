#!/usr/bin/env bash
# disk.sh ROOTFS OUT.img - a raw disk image that boots both on a BIOS (legacy/CSM) and on a UEFI
# machine, made from a root filesystem folder with neither loop devices nor mounts:
#   sector 0        protective MBR carrying GRUB's boot.img code (BIOS), GPT header and entries after it
#   partition 1     BIOS boot partition (1 MiB at 1 MiB): GRUB's core.img for i386-pc; boot.img and
#                   core.img's first sector are patched with where it lies (what grub-install does)
#   partition 2     EFI system partition (FAT32, 38 MiB at 2 MiB): GRUB for x86_64-efi as
#                   \EFI\BOOT\BOOTX64.EFI, the removable-media path that UEFI firmware boots without
#                   any NVRAM boot entry (made by mkfs.vfat on a file, filled by mtools' mcopy)
#   partition 3     ext4 made from ROOTFS by mkfs.ext4 -d, from 40 MiB to the end
# Both GRUBs find the root partition by its filesystem UUID and read the same /boot/grub/grub.cfg;
# the kernel command line names the same UUID. No Secure Boot (GRUB is not signed): turn it off.
# Free space on the filesystem: PORTER_IMAGE_FREE_MB (default 512) beyond what ROOTFS holds.
set -euo pipefail

R=${1:?usage: disk.sh ROOTFS OUT.img}
OUT=${2:?usage: disk.sh ROOTFS OUT.img}
FREE_MB=${PORTER_IMAGE_FREE_MB:-512}
PC=/usr/lib/grub/i386-pc
EFI=/usr/lib/grub/x86_64-efi
BIOS_BOOT_MIB=1   # at 1 MiB, 1 MiB long
ESP_MIB=2         # at 2 MiB, 38 MiB long
ESP_SIZE_MIB=38
ROOT_MIB=40       # the tests' guestLogs reads the root filesystem from here
WORK=$(mktemp -d "${TMPDIR:-/tmp}/porter-disk.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

uuid=$(cat /proc/sys/kernel/random/uuid)
kernel=$(cd "$R/boot" && ls vmlinuz-* | sort -V | tail -n 1)
initrd=initrd.img-${kernel#vmlinuz-}
[ -f "$R/boot/$initrd" ] || { echo "disk.sh: no /boot/$initrd in $R" >&2; exit 1; }

# GRUB's modules on the filesystem too (both platforms), so its shell can load more (a rescue at the box).
mkdir -p "$R/boot/grub/i386-pc" "$R/boot/grub/x86_64-efi"
cp "$PC"/*.mod "$PC"/*.lst "$R/boot/grub/i386-pc/"
cp "$EFI"/*.mod "$EFI"/*.lst "$R/boot/grub/x86_64-efi/"
# One grub.cfg for both. It says which GRUB runs ("pc" or "efi"): the boot test checks it on the console.
cat >"$R/boot/grub/grub.cfg" <<EOF
# Written by image/build/disk.sh. Output on the screen and on the first serial port (115200 8N1).
serial --unit=0 --speed=115200
terminal_input console serial
terminal_output console serial
set timeout=1
echo "Porter GRUB: platform \$grub_platform"
if [ "\$grub_platform" = efi ]; then
    # UEFI has no text mode: hand the firmware's framebuffer (GOP) to the kernel for the screen console
    insmod all_video
    set gfxpayload=keep
fi
menuentry 'Porter appliance (Debian 12)' {
    search --no-floppy --fs-uuid --set=root $uuid
    linux /boot/$kernel root=UUID=$uuid ro net.ifnames=0 console=tty0 console=ttyS0,115200n8
    initrd /boot/$initrd
}
EOF
cat >"$R/etc/fstab" <<EOF
UUID=$uuid / ext4 errors=remount-ro 0 1
EOF

# Both GRUB images: the partition table, ext4, the search for the UUID, the normal mode (for
# grub.cfg) and Linux; an embedded first config points them at the root partition.
cat >"$WORK/early.cfg" <<EOF
search --no-floppy --fs-uuid --set=root $uuid
set prefix=(\$root)/boot/grub
EOF
modules=(part_gpt ext2 search search_fs_uuid normal configfile linux echo test serial terminal)
grub-mkimage -O i386-pc -o "$WORK/core.img" -c "$WORK/early.cfg" -p /boot/grub biosdisk "${modules[@]}"
grub-mkimage -O x86_64-efi -o "$WORK/BOOTX64.EFI" -c "$WORK/early.cfg" -p /boot/grub "${modules[@]}"
core_sectors=$(( ($(stat -c %s "$WORK/core.img") + 511) / 512 ))
[ "$core_sectors" -le $((BIOS_BOOT_MIB * 2048)) ] || { echo "disk.sh: core.img is $core_sectors sectors: too big for the BIOS boot partition" >&2; exit 1; }

# The EFI system partition: FAT32 (what the UEFI specification asks of a disk's ESP; 512-byte
# clusters give 38 MiB the 65525 clusters FAT32 needs), \EFI\BOOT\BOOTX64.EFI.
mkfs.vfat -F 32 -s 1 -n PORTER-EFI -C "$WORK/esp.fat" $((ESP_SIZE_MIB * 1024)) >/dev/null
mmd -i "$WORK/esp.fat" ::/EFI ::/EFI/BOOT
mcopy -i "$WORK/esp.fat" "$WORK/BOOTX64.EFI" ::/EFI/BOOT/BOOTX64.EFI

# The root filesystem: what the root holds plus 25% (metadata, slack) plus the free space.
used_mb=$(du -sm --apparent-size "$R" | cut -f1)
fs_mb=$(( used_mb * 5 / 4 + FREE_MB ))
mkfs.ext4 -q -F -L porter-root -U "$uuid" -d "$R" "$WORK/root.ext4" "${fs_mb}M"

# The disk: the partitions, then 1 MiB at the end for the backup GPT.
rm -f "$OUT"
truncate -s $(( (ROOT_MIB + fs_mb + 1) * 1024 * 1024 )) "$OUT"
sfdisk -q "$OUT" <<EOF
label: gpt
start=$((BIOS_BOOT_MIB * 2048)), size=$((BIOS_BOOT_MIB * 2048)), type=21686148-6449-6E6F-744E-656564454649, name="BIOS boot"
start=$((ESP_MIB * 2048)), size=$((ESP_SIZE_MIB * 2048)), type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name="EFI system"
start=$((ROOT_MIB * 2048)), size=$((fs_mb * 2048)), type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, name="porter-root"
EOF
dd if="$WORK/root.ext4" of="$OUT" bs=1M seek=$ROOT_MIB conv=notrunc,sparse status=none
dd if="$WORK/esp.fat" of="$OUT" bs=1M seek=$ESP_MIB conv=notrunc,sparse status=none
# BIOS: boot.img's code (not the protective MBR's table after byte 440) with the sector where
# core.img starts (a 64-bit number at 0x5c); core.img's first sector (diskboot) loads the rest from
# the blocklist at its offset 0x1f4 (first sector, 64 bits), which grub-mkimage fills for core.img at
# sector 1 (the rest from sector 2).
core_sector=$((BIOS_BOOT_MIB * 2048))
le64() { printf "$(printf '%016x' "$1" | sed -E 's/(..)(..)(..)(..)(..)(..)(..)(..)/\\x\8\\x\7\\x\6\\x\5\\x\4\\x\3\\x\2\\x\1/')"; }
le64 $((core_sector + 1)) | dd of="$WORK/core.img" bs=1 seek=$((0x1f4)) conv=notrunc status=none
cp "$PC/boot.img" "$WORK/boot.img"
le64 "$core_sector" | dd of="$WORK/boot.img" bs=1 seek=$((0x5c)) conv=notrunc status=none
dd if="$WORK/boot.img" of="$OUT" bs=440 count=1 conv=notrunc status=none
dd if="$WORK/core.img" of="$OUT" bs=512 seek="$core_sector" conv=notrunc status=none
echo "disk.sh: $OUT: GPT, BIOS boot + ESP + ${fs_mb} MiB ext4 (UUID $uuid, ${used_mb} MiB used), kernel $kernel, core.img $core_sectors sectors, BOOTX64.EFI $(( $(stat -c %s "$WORK/BOOTX64.EFI") / 1024 )) KiB" >&2
