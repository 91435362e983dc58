#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Proof on real reboots. A real Debian 12 system disk (boot-image.sh: built
# from the package registry, cached under BUILD_DIR/e2e-boot) boots under
# QEMU (TCG, q35, emulated Intel IOMMU, an Intel CPU) through its own
# bootloader, and inside it, live: `vfiokit setup --gpu 00:02.0 --apply`
# (an e1000e in its own IOMMU group), reboot, `vfiokit verify` exits 0 with
# the device on vfio-pci and intel_iommu=on in /proc/cmdline; `vfiokit
# undo`, reboot, the device is back on e1000e, intel_iommu=on gone and every
# boot file byte for byte what it was.
# Two families: GRUB + initramfs-tools on SeaBIOS, systemd-boot +
# kernel-install + initramfs-tools on OVMF. The guest side is boot-agent.sh;
# each family boots three times (systemctl reboot in the guest, QEMU
# started again for each boot).
# Timings (2 cores, both families side by side, other jobs on the machine
# at load about 5; see the "# FAMILY:" lines each run prints): 9 min wall,
# about 770 core-seconds. GRUB disk 136 s (its first boot, for grub-install
# and update-grub, 98 s), systemd-boot disk 40 s (all in a chroot); the
# three boots 351 s (GRUB) and 363 s (systemd-boot): the agent starts 27 to
# 44 s after the kernel, setup's boot ends at 131 to 139 s of uptime, verify
# + undo at 118 to 136 s, most of it update-initramfs under TCG. Guests boot
# with mitigations=off: page-table isolation would flush TCG's TLB at every
# system call (agent 42 s -> 25 s, mkinitramfs 80 s -> 67 s).
# usage: boot.sh BUILD_DIR [FAMILY...]     (prints TAP)
set -u
build=$(cd "$1" && pwd)
shift
# Both families by default; VFIOKIT_E2E_BOOT_FAMILIES=grub (or boot.sh
# BUILD_DIR grub) runs one.
families=${*:-${VFIOKIT_E2E_BOOT_FAMILIES:-grub sdboot}}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/boot-lib.sh"
command -v qemu-system-x86_64 >/dev/null || { echo "1..0 # SKIP qemu-system-x86 missing"; exit 0; }
for tool in mmdebstrap sfdisk mkfs.vfat qemu-img; do
	command -v $tool >/dev/null || { echo "1..0 # SKIP $tool missing (mmdebstrap, fdisk, dosfstools, qemu-utils)"; exit 0; }
done
[ -f /usr/share/OVMF/OVMF_CODE_4M.fd ] || { echo "1..0 # SKIP ovmf missing"; exit 0; }
[ "$(id -u)" -eq 0 ] || { echo "1..0 # SKIP mmdebstrap builds the image as root"; exit 0; }
cache=${VFIOKIT_E2E_BOOT_CACHE:-$build/e2e-boot}
work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT INT TERM
# Each family runs in the background (one QEMU each: TCG uses one core) and
# writes unnumbered TAP lines; they are numbered at the end.
ok() { echo "ok - $1"; }
nok() { echo "not ok - $1"; }
# t FAMILY DESCRIPTION COMMAND...: one case, judged by COMMAND's status.
t() { d="$1: $2"; shift 2; if "$@"; then ok "$d"; else nok "$d"; failed=1; fi; }
# The lines of one stage's boot, the E2E- prefix taken off the agent's.
sect() { awk -v s="E2E-STAGE $1" '$0 == s {on = 1; next} /^E2E-STAGE / {on = 0} on {sub(/^E2E-/, ""); print}' "$log"; }
has() { sect "$1" | grep -q -- "$2"; }
hasnt() { ! has "$@"; }

family() {
	fam=$1
	case $fam in
	grub) what="GRUB + initramfs-tools, SeaBIOS" loader="BIOS BOOT_IMAGE=" ;;
	sdboot) what="systemd-boot + kernel-install + initramfs-tools, OVMF" loader="systemd-boot" ;;
	*) nok "unknown family $fam"; return ;;
	esac
	start=$(date +%s)
	if ! img=$(sh "$here/boot-image.sh" "$fam" "$cache" 2>"$work/$fam.image"); then
		nok "$fam: build and first-boot the Debian 12 disk ($what) before the reboot cases"
		sed 's/^/# /' "$work/$fam.image"
		return
	fi
	built=$(( $(date +%s) - start ))
	sed -n "s/^boot-image.sh: /# $fam: /p" "$work/$fam.image"
	disk=$work/$fam.qcow2
	qemu-img create -q -f qcow2 -b "$img" -F raw "$disk"
	mkdir "$work/$fam.ctl"
	cp "$here/boot-agent.sh" "$work/$fam.ctl/agent"
	cp "$build/src/vfiokit" "$work/$fam.ctl/vfiokit"
	echo setup >"$work/$fam.ctl/stage"
	e2e_ctl_disk "$work/$fam.ctl" "$work/$fam.ctl.img"
	log=$work/$fam.log
	t0=$(date +%s)
	# The guest reboots with systemctl reboot; QEMU (-no-reboot) then exits
	# and starts again on the same disk and variable store: firmware,
	# bootloader, kernel from scratch. (OVMF under TCG did not come back
	# from a warm reset in the same QEMU.) Until the last stage has ended,
	# or a boot did not get to the end of its stage.
	: >"$log"
	boots=0
	while [ $boots -lt 3 ]; do
		boots=$((boots + 1))
		e2e_qemu $fam "$disk" "$work/$fam.ctl.img" "$work/$fam.vars" "$log.$boots" -no-reboot
		qrc=$?
		tr -d '\r' <"$log.$boots" >>"$log"
		grep -q '^E2E-END after' "$log" && break
		tr -d '\r' <"$log.$boots" | grep -q '^E2E-END ' || break
	done
	echo "# $fam: image ready in $built s; $boots boots (last QEMU exit $qrc) in $(( $(date +%s) - t0 )) s"
	# Where a boot's time goes: the guest's uptime when the agent starts and
	# when its stage ends.
	tr -d '\r' <"$log" | awk -v f="$fam" '/^E2E-STAGE / {s = $2} /^E2E-UPTIME / {u = $2}
		/^E2E-END / {printf "# %s: boot %s: agent started %s s after the kernel, stage ended at %s s\n", f, s, u, $4}'
	failed=0
	t $fam "boot 1 through the disk's own bootloader ($loader): 00:02.0 on e1000e, no intel_iommu=on" \
		eval 'has setup "^LOADER $loader" && has setup "^DRIVER e1000e$" && hasnt setup "^CMDLINE .*intel_iommu=on"'
	t $fam "vfiokit setup --gpu 00:02.0 --apply exits 0 (live, no --root)" has setup '^SETUP-RC 0$'
	t $fam "reboot: /proc/cmdline has intel_iommu=on, booted by $loader" \
		eval 'has verify "^CMDLINE .*intel_iommu=on" && has verify "^LOADER $loader"'
	t $fam "reboot: 00:02.0 is on vfio-pci" has verify '^DRIVER vfio-pci$'
	t $fam "reboot: vfiokit verify exits 0" has verify '^VERIFY-RC 0$'
	t $fam "vfiokit undo exits 0" has verify '^UNDO-RC 0$'
	t $fam "second reboot: 00:02.0 is back on e1000e, intel_iommu=on gone from /proc/cmdline" \
		eval 'has after "^DRIVER e1000e$" && hasnt after "^CMDLINE .*intel_iommu=on"'
	t $fam "second reboot: every boot file is byte-identical to before setup" has after '^SAME$'
	sect after | grep '^FILES ' | sed "s/^/# $fam: boot files compared: /"
	[ $failed -eq 0 ] || { echo "# $fam: serial log:"; sed 's/^/# /' "$log" | tail -150; }
}

for fam in $families; do
	family "$fam" >"$work/$fam.tap" 2>&1 &
done
wait
for fam in $families; do cat "$work/$fam.tap"; done |
	awk '/^(not )?ok - / {n++; sub(/ok - /, "ok " n " - ")} /^not ok / {bad = 1} !/^(not )?ok [0-9]|^#/ {$0 = "# " $0} {print} END {print "1.." n; exit bad}'
