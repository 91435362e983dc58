#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# A real Debian 12 system disk for the reboot test (boot.sh), made bootable
# from the root file system boot-rootfs.sh makes from the package registry.
# FAMILY is
#   grub    MBR, one ext4 partition; grub-pc + initramfs-tools; SeaBIOS.
#           systemd-boot is purged. GRUB is installed from inside: one
#           first boot (QEMU, direct kernel boot) runs grub-install and
#           update-grub, which must see the disk it writes to.
#   sdboot  GPT, an ESP at /boot/efi and ext4 root; systemd-boot installed
#           with bootctl, its entry written by kernel-install from
#           /etc/kernel/cmdline; initramfs-tools; OVMF. GRUB is purged.
#           No first boot: all of it is done in a chroot.
# The initramfs is made in a chroot (mkinitramfs with MODULES=list and
# SOURCE_DATE_EPOCH: the same bytes as the guest makes from the same files,
# which boot.sh checks after undo). No loop device: the root file system is
# made with mkfs.ext4 -d, the ESP with mkfs.vfat -C and filled with mcopy,
# and both are copied into a raw disk file at the offsets sfdisk gave them.
# The image is cached as CACHE/FAMILY-KEY.raw, KEY a hash of the rootfs
# tarball's name (itself a hash of the package list) and of this script.
# Prints the image's path. usage: boot-image.sh FAMILY CACHE_DIR
set -eu
family=$1
cache=$2
here=$(cd "$(dirname "$0")" && pwd)
case $family in grub | sdboot) ;; *) echo "boot-image.sh: unknown family '$family' (grub or sdboot)" >&2; exit 2 ;; esac
mkdir -p "$cache"
tarball=$(sh "$here/boot-rootfs.sh" "$cache")
exec 9>"$cache/.lock-$family"
flock 9
key=$(printf '%s\n' "${tarball##*/}" | cat - "$0" | sha256sum | cut -c1-16)
img=$cache/$family-$key.raw
[ -f "$img" ] && { echo "$img"; exit 0; }
for tool in sfdisk mkfs.ext4 mkfs.vfat mcopy unshare; do
	command -v $tool >/dev/null || { echo "boot-image.sh: $tool is missing" >&2; exit 1; }
done
. "$here/boot-lib.sh"
work=$(mktemp -d "$cache/build-$family.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
root=$work/root
start=$(date +%s)
mkdir "$root"
tar -C "$root" --numeric-owner -xpf "$tarball"

# in_root [--esp] SCRIPT: run SCRIPT (sh) in a chroot of the image's root,
# with the host's /proc, /sys and /dev and, with --esp, a tmpfs as the ESP at
# /boot/efi (its own file system, as kernel-install wants), whose files are
# then copied into the ESP image. All mounts are in a mount namespace of
# their own: they go away with it.
in_root() {
	esp=
	[ "$1" = --esp ] && { esp=$work/esp.img; shift; }
	unshare -m sh -eu -c '
		root=$1 esp=$2 script=$3
		for d in proc sys dev; do mount --bind /$d "$root/$d"; done
		[ -z "$esp" ] || mount -t tmpfs -o mode=0700 esp "$root/boot/efi"
		LC_ALL=C SOURCE_DATE_EPOCH=1700000000 SYSTEMD_RELAX_ESP_CHECKS=1 DEBIAN_FRONTEND=noninteractive \
			chroot "$root" /bin/sh -eu -c "$script"
		[ -z "$esp" ] || mcopy -s -p -Q -i "$esp" "$root"/boot/efi/* ::/' in_root "$root" "$esp" "$1"
}

if [ $family = grub ]; then
	in_root 'dpkg --purge systemd-boot systemd-boot-efi >/dev/null'
	rootdev=/dev/vda1
	printf '/dev/vda1 / ext4 errors=remount-ro 0 1\n' >"$root/etc/fstab"
	# GRUB on the serial line, no menu wait; the kernel's console there too.
	# no_timer_check: under TCG on a busy machine the kernel's check of the
	# timer through the interrupt-remapped IO-APIC can fail, and it panics.
	# mitigations=off: the emulated CPU looks vulnerable to Meltdown, and
	# page-table isolation makes every system call flush TCG's software
	# TLB; without it the guest runs a quarter faster (mkinitramfs 67 s
	# instead of 80, the agent up at 25 s instead of 42). What is tested
	# (the IOMMU, vfio-pci, the boot files) does not depend on it.
	sed -i -e 's/^GRUB_TIMEOUT=.*/GRUB_TIMEOUT=0/' \
		-e 's/^GRUB_CMDLINE_LINUX=.*/GRUB_CMDLINE_LINUX="console=ttyS0 no_timer_check mitigations=off"/' "$root/etc/default/grub"
	printf 'GRUB_TERMINAL=serial\nGRUB_SERIAL_COMMAND="serial --unit=0 --speed=115200"\n' >>"$root/etc/default/grub"
else
	in_root 'dpkg --purge grub-pc grub-pc-bin grub2-common grub-common >/dev/null'
	rootdev=/dev/vda2
	printf '/dev/vda2 / ext4 errors=remount-ro 0 1\n/dev/vda1 /boot/efi vfat umask=0077 0 2\n' >"$root/etc/fstab"
	mkdir -p "$root/boot/efi" "$root/etc/kernel"
	printf 'root=/dev/vda2 ro console=ttyS0 no_timer_check mitigations=off quiet\n' >"$root/etc/kernel/cmdline"
	# kernel-install's depmod plugin reads every module again at each
	# update-initramfs (30 s and more under TCG); the kernel package's
	# postinst has run depmod already. Masked the way kernel-install reads.
	mkdir -p "$root/etc/kernel/install.d"
	ln -s /dev/null "$root/etc/kernel/install.d/50-depmod.install"
fi
echo vfiokit-e2e >"$root/etc/hostname"
# Under TCG on a busy machine a boot can be starved for minutes: no timeout
# of systemd's may end it (it would wait 90 s for a device, then go to
# emergency mode). Not rootdelay=: initramfs-tools sleeps that long first.
mkdir -p "$root/etc/systemd/system.conf.d"
printf '[Manager]\nDefaultTimeoutStartSec=15min\n' >"$root/etc/systemd/system.conf.d/e2e-timeouts.conf"
# A fixed machine ID: kernel-install names the ESP's directory after it, and
# it must be the same ID in the chroot and in the booted guest.
echo 4f9e2c1d7b3a45e8a6c0d2b4e8f1a3c5 >"$root/etc/machine-id"
# A small initramfs, quick to make under TCG (it is made twice in the
# guest): the modules the root needs, zstd at level 1. Nothing is probed on
# the machine that runs mkinitramfs (the chroot's host, or the guest): the
# root's type is given, and there is no resume device.
printf 'virtio_pci\nvirtio_blk\next4\n' >>"$root/etc/initramfs-tools/modules"
printf 'MODULES=list\nCOMPRESS=zstd\nCOMPRESSLEVEL=1\nFSTYPE=ext4\n' >"$root/etc/initramfs-tools/conf.d/modules"
printf 'RESUME=none\n' >"$root/etc/initramfs-tools/conf.d/resume"
for u in serial-getty@ttyS0.service getty@tty1.service systemd-timesyncd.service apt-daily.timer \
	apt-daily-upgrade.timer e2scrub_all.timer fstrim.timer; do
	ln -sf /dev/null "$root/etc/systemd/system/$u"
done
# At every boot, the agent on the control disk (/dev/vdb) when there is one:
# it does one stage and reboots or powers the machine off.
cat >"$root/etc/systemd/system/vfiokit-e2e.service" <<'UNIT'
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
UNIT
mkdir -p "$root/etc/systemd/system/multi-user.target.wants"
ln -sf /etc/systemd/system/vfiokit-e2e.service "$root/etc/systemd/system/multi-user.target.wants/"
kver=$(ls "$root/lib/modules")

# A raw disk: 2 GiB, sparse; partitions from 1 MiB.
truncate -s 2G "$work/disk.raw"
if [ $family = grub ]; then
	printf 'label: dos\nstart=2048, type=83, bootable\n' | sfdisk -q "$work/disk.raw"
	in_root 'update-initramfs -u -k all >/dev/null'
else
	printf 'label: gpt\nstart=2048, size=260096, type=U\nstart=262144, type=L\n' | sfdisk -q "$work/disk.raw"
	mkfs.vfat -F 32 -n ESP -C "$work/esp.img" 130048 >/dev/null
	# The ESP: systemd-boot, and the entry and the kernel and initramfs that
	# update-initramfs hands to kernel-install (Debian's post-update hook).
	in_root --esp 'bootctl install --esp-path=/boot/efi --no-variables >/dev/null 2>&1 &&
		update-initramfs -u -k all >/dev/null && ls /boot/efi/loader/entries/*.conf >/dev/null'
	dd if="$work/esp.img" of="$work/disk.raw" bs=512 seek=2048 conv=notrunc,sparse status=none
fi
cp "$root/boot/vmlinuz-$kver" "$root/boot/initrd.img-$kver" "$work/"
n=${rootdev#/dev/vda}
set -- $(sfdisk -d "$work/disk.raw" | sed -n "s|^$work/disk.raw$n : start= *\([0-9]*\), size= *\([0-9]*\),.*|\1 \2|p")
off=$1 size=$2
truncate -s $((size * 512)) "$work/root.img"
mkfs.ext4 -q -F -L root -d "$root" "$work/root.img"
dd if="$work/root.img" of="$work/disk.raw" bs=512 seek="$off" conv=notrunc,sparse status=none
rm -rf "$root" "$work/root.img" "$work/esp.img"

if [ $family = grub ]; then
	# First boot, direct: install GRUB from inside, then power off.
	mkdir "$work/ctl"
	cat >"$work/ctl/agent" <<'AGENT'
echo E2E-FIRSTBOOT-START
( set -ex; grub-install /dev/vda && update-grub; echo done >/run/e2e/first.ok ) 2>&1
echo "E2E-FIRSTBOOT-RC $(cat /run/e2e/first.ok 2>/dev/null || echo failed) after $(cut -d' ' -f1 /proc/uptime) s"
sync
systemctl --no-block poweroff
AGENT
	e2e_ctl_disk "$work/ctl" "$work/ctl.img"
	made=$(date +%s)
	e2e_qemu $family "$work/disk.raw" "$work/ctl.img" "$work/vars.fd" "$work/first.log" -no-reboot \
		-kernel "$work/vmlinuz-$kver" -initrd "$work/initrd.img-$kver" -append "root=$rootdev ro console=ttyS0 no_timer_check mitigations=off quiet"
	tr -d '\r' <"$work/first.log" | grep -q '^E2E-FIRSTBOOT-RC done' ||
		{ tail -40 "$work/first.log" >&2; echo "boot-image.sh: the first boot did not install GRUB" >&2; exit 1; }
	echo "boot-image.sh: the first boot (grub-install, update-grub) took $(( $(date +%s) - made )) s" >&2
fi
mv "$work/disk.raw" "$img"
echo "boot-image.sh: $family image made in $(( $(date +%s) - start )) s" >&2
echo "$img"
