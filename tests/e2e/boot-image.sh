#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# A real Debian 12 system disk for the reboot test (boot.sh): the root file
# system boot-rootfs.sh makes from the package registry, made bootable, then
# booted once (QEMU, direct kernel boot) to install its own bootloader.
# FAMILY is
#   grub    MBR, one ext4 partition; grub-pc + initramfs-tools; SeaBIOS
#   sdboot  GPT, an ESP at /boot/efi and ext4 root; systemd-boot installed
#           with bootctl, its entry written by kernel-install from
#           /etc/kernel/cmdline; initramfs-tools; OVMF
# No loop device: the root file system is made with mkfs.ext4 -d from the
# unpacked tarball, the ESP with mkfs.vfat -C, and both are copied into a
# raw disk file at the offsets sfdisk gave them.
# The image is cached as CACHE/FAMILY-KEY.raw, KEY a hash of the rootfs
# tarball's name (itself a hash of the package list) and of this script.
# Prints the image's path. usage: boot-image.sh FAMILY CACHE_DIR
set -eu
family=$1
cache=$2
here=$(cd "$(dirname "$0")" && pwd)
case $family in grub | sdboot) ;; *) echo "boot-image.sh: unknown family '$family' (grub or sdboot)" >&2; exit 2 ;; esac
mkdir -p "$cache"
exec 9>"$cache/.lock-$family"
flock 9
tarball=$(sh "$here/boot-rootfs.sh" "$family" "$cache")
key=$(printf '%s\n' "${tarball##*/}" | cat - "$0" | sha256sum | cut -c1-16)
img=$cache/$family-$key.raw
[ -f "$img" ] && { echo "$img"; exit 0; }
for tool in sfdisk mkfs.ext4 mkfs.vfat; do
	command -v $tool >/dev/null || { echo "boot-image.sh: $tool is missing" >&2; exit 1; }
done
. "$here/boot-lib.sh"
work=$(mktemp -d "$cache/build-$family.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
root=$work/root
start=$(date +%s)
mkdir "$root"
tar -C "$root" --numeric-owner -xpf "$tarball"

if [ $family = grub ]; then
	rootdev=/dev/vda1
	printf '/dev/vda1 / ext4 errors=remount-ro 0 1\n' >"$root/etc/fstab"
	# GRUB on the serial line, no menu wait; the kernel's console there too.
	# no_timer_check: under TCG on a busy machine the kernel's check of the
	# timer through the interrupt-remapped IO-APIC can fail, and it panics.
	sed -i -e 's/^GRUB_TIMEOUT=.*/GRUB_TIMEOUT=0/' \
		-e 's/^GRUB_CMDLINE_LINUX=.*/GRUB_CMDLINE_LINUX="console=ttyS0 no_timer_check quiet"/' "$root/etc/default/grub"
	printf 'GRUB_TERMINAL=serial\nGRUB_SERIAL_COMMAND="serial --unit=0 --speed=115200"\n' >>"$root/etc/default/grub"
else
	rootdev=/dev/vda2
	printf '/dev/vda2 / ext4 errors=remount-ro 0 1\n/dev/vda1 /boot/efi vfat umask=0077 0 2\n' >"$root/etc/fstab"
	mkdir -p "$root/boot/efi" "$root/etc/kernel"
	printf 'root=/dev/vda2 ro console=ttyS0 no_timer_check quiet\n' >"$root/etc/kernel/cmdline"
fi
echo vfiokit-e2e >"$root/etc/hostname"
# A small initramfs: it is rebuilt under TCG.
sed -i 's/^MODULES=.*/MODULES=dep/' "$root/etc/initramfs-tools/initramfs.conf"
for u in serial-getty@ttyS0.service getty@tty1.service systemd-timesyncd.service apt-daily.timer \
	apt-daily-upgrade.timer e2scrub_all.timer fstrim.timer; do
	ln -sf /dev/null "$root/etc/systemd/system/$u"
done
# At every boot, the agent on the control disk (/dev/vdb) when there is one:
# it does one stage and reboots or powers the machine off.
cat >"$root/etc/systemd/system/vfiokit-e2e.service" <<'EOF'
[Unit]
Description=vfiokit reboot test stage
After=local-fs.target systemd-udev-settle.service systemd-modules-load.service
Wants=systemd-udev-settle.service
ConditionPathExists=/dev/vdb
[Service]
Type=oneshot
ExecStart=/bin/sh -c 'mkdir -p /run/e2e && mount /dev/vdb /run/e2e && exec sh /run/e2e/agent'
StandardOutput=tty
StandardError=tty
TTYPath=/dev/ttyS0
[Install]
WantedBy=multi-user.target
EOF
mkdir -p "$root/etc/systemd/system/multi-user.target.wants"
ln -sf /etc/systemd/system/vfiokit-e2e.service "$root/etc/systemd/system/multi-user.target.wants/"
kver=$(ls "$root/lib/modules")
cp "$root/boot/vmlinuz-$kver" "$root/boot/initrd.img-$kver" "$work/"

# A raw disk: 2 GiB, sparse; partitions from 1 MiB.
truncate -s 2G "$work/disk.raw"
if [ $family = grub ]; then
	printf 'label: dos\nstart=2048, type=83, bootable\n' | sfdisk -q "$work/disk.raw"
else
	printf 'label: gpt\nstart=2048, size=260096, type=U\nstart=262144, type=L\n' | sfdisk -q "$work/disk.raw"
	mkfs.vfat -F 32 -n ESP -C "$work/esp.img" 130048 >/dev/null
	dd if="$work/esp.img" of="$work/disk.raw" bs=512 seek=2048 conv=notrunc,sparse status=none
fi
n=${rootdev#/dev/vda}
set -- $(sfdisk -d "$work/disk.raw" | sed -n "s|^$work/disk.raw$n : start= *\([0-9]*\), size= *\([0-9]*\),.*|\1 \2|p")
off=$1 size=$2
truncate -s $((size * 512)) "$work/root.img"
mkfs.ext4 -q -F -L root -d "$root" "$work/root.img"
dd if="$work/root.img" of="$work/disk.raw" bs=512 seek="$off" conv=notrunc,sparse status=none
rm -rf "$root" "$work/root.img" "$work/esp.img"

# First boot, direct: install the bootloader from inside, then power off.
# SOURCE_DATE_EPOCH: the initramfs is the same bytes when rebuilt from the
# same files (boot.sh compares them after undo).
if [ $family = grub ]; then
	first='grub-install /dev/vda && update-initramfs -u && update-grub'
else
	first='bootctl install --no-variables && update-initramfs -u && kernel-install add "$(uname -r)" "/boot/vmlinuz-$(uname -r)" "/boot/initrd.img-$(uname -r)" && find /boot/efi -type f'
fi
mkdir "$work/ctl"
cat >"$work/ctl/agent" <<EOF
echo E2E-FIRSTBOOT-START
export SOURCE_DATE_EPOCH=1700000000
( set -ex; $first; echo done >/run/e2e/first.ok ) 2>&1
echo "E2E-FIRSTBOOT-RC \$(cat /run/e2e/first.ok 2>/dev/null || echo failed) after \$(cut -d' ' -f1 /proc/uptime) s"
sync
systemctl --no-block poweroff
EOF
e2e_ctl_disk "$work/ctl" "$work/ctl.img"
made=$(date +%s)
e2e_qemu $family "$work/disk.raw" "$work/ctl.img" "$work/vars.fd" "$work/first.log" -no-reboot \
	-kernel "$work/vmlinuz-$kver" -initrd "$work/initrd.img-$kver" -append "root=$rootdev ro console=ttyS0 no_timer_check quiet"
tr -d '\r' <"$work/first.log" | grep -q '^E2E-FIRSTBOOT-RC done' ||
	{ tail -40 "$work/first.log" >&2; echo "boot-image.sh: the first boot did not install the bootloader" >&2; exit 1; }
mv "$work/disk.raw" "$img"
echo "boot-image.sh: $family image made in $(( $(date +%s) - start )) s, of which the first boot (bootloader, initramfs) $(( $(date +%s) - made )) s" >&2
echo "$img"
