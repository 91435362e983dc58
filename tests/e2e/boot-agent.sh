# SPDX-License-Identifier: GPL-2.0-or-later
# Runs inside the guest at every boot (the vfiokit-e2e unit of the image made
# by boot-image.sh), from the control disk mounted on /run/e2e, on ttyS0.
# The stage file there says what this boot does; each stage ends with a real
# reboot, the last with poweroff:
#   setup   hash the boot files, `vfiokit setup --gpu 00:02.0 --apply`
#   verify  `vfiokit verify`, then `vfiokit undo`
#   after   hash the boot files again and compare
# boot.sh judges the E2E-* lines.
cd /run/e2e || exit 1
dev=0000:00:02.0
stage=$(cat stage)
export LC_ALL=C NO_COLOR=1 PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
# mkinitramfs makes the same bytes from the same files when given a time.
export SOURCE_DATE_EPOCH=1700000000
drv() { d=$(readlink "/sys/bus/pci/devices/$dev/driver") && basename "$d" || echo none; }
# Every file a boot reads or the setup may edit, but systemd-boot's random
# seed, which the loader and systemd-boot-system-token replace at each boot.
hashes() {
	find /boot /etc/default/grub /etc/kernel /etc/modprobe.d /etc/modules-load.d /etc/initramfs-tools \
		/etc/dracut.conf.d -type f ! -path /boot/efi/loader/random-seed 2>/dev/null |
		LC_ALL=C sort | xargs -r sha256sum
}
loader() {
	v=/sys/firmware/efi/efivars/LoaderInfo-4a67b082-0a4c-41cf-b6c7-440b29bb8c4f
	# efivarfs: 4 bytes of attributes, then UTF-16 (read whole: no seeking)
	if [ -f $v ]; then cat $v | tr -cd '[:print:]'; echo
	elif [ -d /sys/firmware/efi ]; then echo "UEFI, no LoaderInfo"
	else echo "BIOS $(tr ' ' '\n' </proc/cmdline | grep '^BOOT_IMAGE=')"; fi
}
# systemd-udev-settle gives up after 180 s; a starved boot may need longer
# before every device has its driver.
udevadm settle --timeout=900
echo "E2E-STAGE $stage"
echo "E2E-UPTIME $(cut -d" " -f1 /proc/uptime) s at the start of the stage"
echo "E2E-LOADER $(loader)"
# printf, not echo: systemd-boot's initrd= path has backslashes.
printf 'E2E-CMDLINE %s\n' "$(cat /proc/cmdline)"
echo "E2E-DRIVER $(drv)"
echo "E2E-GROUPS $(ls /sys/kernel/iommu_groups 2>/dev/null | wc -l)"
dmesg | grep -E 'DMAR: (IOMMU enabled|Intel.*IOMMU|Host address)|DMAR-IR: Enabled' | sed 's/^/E2E-DMESG /'
next=reboot
case $stage in
setup)
	hashes >before.sha
	install -m 0755 vfiokit /usr/local/bin/vfiokit
	vfiokit setup --gpu 00:02.0 --apply 2>&1
	echo "E2E-SETUP-RC $?"
	echo verify >stage
	;;
verify)
	vfiokit verify 2>&1
	echo "E2E-VERIFY-RC $?"
	vfiokit undo 2>&1
	echo "E2E-UNDO-RC $?"
	echo after >stage
	;;
after)
	hashes >after.sha
	echo "E2E-FILES $(wc -l <after.sha)"
	if cmp -s before.sha after.sha; then echo E2E-SAME; else diff before.sha after.sha | sed 's/^/E2E-DIFF /'; fi
	echo done >stage
	next=poweroff
	;;
*)
	echo "E2E-UNKNOWN-STAGE $stage"
	next=poweroff
	;;
esac
echo "E2E-END $stage at $(cut -d" " -f1 /proc/uptime) s"
sync
systemctl --no-block $next
