# SPDX-License-Identifier: GPL-2.0-or-later
# Shared by boot-image.sh and boot.sh (sourced).

# e2e_ctl_disk DIR IMG: the control disk (/dev/vdb in the guest), an ext4
# file system made from DIR without a loop device.
e2e_ctl_disk() {
	rm -f "$2"
	truncate -s 64M "$2"
	mkfs.ext4 -q -F -L e2e -d "$1" "$2"
}

# e2e_qemu FAMILY DISK CTL VARS LOG [QEMU ARGS...]: one boot to poweroff
# under TCG on q35 with an emulated Intel IOMMU and an Intel CPU, the serial
# line in LOG. grub boots with SeaBIOS, sdboot with OVMF (VARS: the
# machine's variable store, copied from OVMF_VARS_4M.fd when missing). A
# reboot restarts the machine in the same QEMU unless -no-reboot is among
# the QEMU ARGS. The e1000e at 00:02.0 is the device the test passes through
# (no option ROM: iPXE would only slow the firmware down). Its variables are
# q_*, so that the callers' own (log, disk...) are left alone.
e2e_qemu() {
	q_fam=$1 q_disk=$2 q_ctl=$3 q_vars=$4 q_log=$5
	shift 5
	case $q_disk in *.qcow2) q_fmt=qcow2 ;; *) q_fmt=raw ;; esac
	q_fw=
	if [ "$q_fam" = sdboot ]; then
		[ -f "$q_vars" ] || cp /usr/share/OVMF/OVMF_VARS_4M.fd "$q_vars"
		q_fw="-drive if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd -drive if=pflash,format=raw,file=$q_vars"
	fi
	# shellcheck disable=SC2086
	timeout "${VFIOKIT_E2E_BOOT_TIMEOUT:-1800}" qemu-system-x86_64 -machine q35,kernel-irqchip=split -accel tcg \
		-cpu qemu64,vendor=GenuineIntel -m 1G -smp 1 \
		-device intel-iommu,intremap=on,caching-mode=on $q_fw \
		-nographic -nodefaults -serial stdio \
		-device e1000e,addr=02.0,romfile= \
		-drive file="$q_disk",format=$q_fmt,if=none,id=d0,cache=unsafe -device virtio-blk-pci,drive=d0,addr=04.0 \
		-drive file="$q_ctl",format=raw,if=none,id=d1,cache=unsafe -device virtio-blk-pci,drive=d1,addr=05.0 \
		"$@" </dev/null >"$q_log" 2>&1
}
