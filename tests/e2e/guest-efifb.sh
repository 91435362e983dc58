#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs as /init's payload inside the OVMF guest (tests/e2e/boot-q35.sh's
# efifb machine), as root on the real kernel: the std VGA at 00:06.0 has no
# driver (bochs is not loaded) and the console is fbcon on the boot
# framebuffer OVMF's GOP left on its BAR 0 (efifb). It only runs vfiokit and
# prints what happened; tests/e2e/check-efifb.py judges the serial log.
# Each case prints
#   === CASE name
#   ... vfiokit's stdout and stderr ...
#   === DISPLAY              (what shows the console, read back after the case)
#   iomem <the lines of the VGA's BAR 0 and what lies inside it>
#   platform efi-framebuffer.0 <its driver, "none", or "gone">
#   fb 0 EFI VGA             (/proc/fb, one line each)
#   vtcon vtcon1 (M) frame buffer device 1
#   drivers <00:06.0's driver> <00:06.1's driver>
#   record <the handover record's lines, or none>
#   === RC n
export LC_ALL=C NO_COLOR=1
GPU=0000:00:06.0

display() {
	echo "=== DISPLAY"
	# BAR 0 (its start in the first line of sysfs' resource) and the ranges
	# nested in it: efifb's is the next line, indented deeper.
	bar=$(head -1 "/sys/bus/pci/devices/$GPU/resource" | cut -d' ' -f1 | sed 's/^0x0*//')
	awk -v bar="$bar" '
		{ line = $0; sub(/^ */, "", line); split(line, r, "-") }
		inbar && length($0) - length(line) > depth { print "iomem " line; next }
		{ inbar = 0 }
		r[1] ~ "^0*" bar "$" && index(line, "'"$GPU"'") { inbar = 1; depth = length($0) - length(line); print "iomem " line }
	' /proc/iomem
	p=/sys/bus/platform/devices/efi-framebuffer.0
	if [ -e "$p" ]; then
		drv=$(readlink "$p/driver" 2>/dev/null) || drv=none
		echo "platform efi-framebuffer.0 ${drv##*/}"
	else
		echo "platform efi-framebuffer.0 gone"
	fi
	sed 's/^/fb /' /proc/fb
	for v in /sys/class/vtconsole/vtcon*; do
		[ -e "$v" ] && echo "vtcon ${v##*/} $(cat "$v/name") $(cat "$v/bind")"
	done
	d0=$(readlink "/sys/bus/pci/devices/$GPU/driver") || d0=none
	d1=$(readlink /sys/bus/pci/devices/0000:00:06.1/driver) || d1=none
	echo "drivers ${d0##*/} ${d1##*/}"
	if [ -e "/run/vfiokit/handover/$GPU" ]; then
		sed 's/^/record /' "/run/vfiokit/handover/$GPU"
	else
		echo "record none"
	fi
}
run() { # run NAME vfiokit-args...
	name=$1; shift
	echo "=== CASE $name"
	"$@" 2>&1
	rc=$?
	display
	echo "=== RC $rc"
}
# A read-only copy of a file mounted over it: writes fail with EROFS, as
# tests/e2e/guest-bind.sh breaks sysfs files, without touching vfiokit.
break_file() {
	f=$(realpath "$1")
	cp "$f" "/tmp/ro.$$" 2>/dev/null || : >"/tmp/ro.$$"
	mount -o bind "/tmp/ro.$$" "$f" && mount -o remount,ro,bind "$f" || echo "cannot break $f"
}

start=$(date +%s)
echo "=== CASE boot"
display
echo "=== RC 0"
run holders vfiokit groups --device 00:06.0 -r -n -o NAME,DRIVER,HOLDERS
# Fails at bind's probe, after efifb was released and before vfio-pci has
# the device: efifb must be bound again on the same memory, fbcon on it.
break_file /sys/bus/pci/drivers_probe
run fail-bind vfiokit handover take 00:06.0
umount "$(realpath /sys/bus/pci/drivers_probe)"
run take vfiokit handover take 00:06.0
run holders-taken vfiokit groups --device 00:06.0 -r -n -o NAME,DRIVER,HOLDERS
run give-dry vfiokit handover give --dry-run 00:06.0
run give vfiokit handover give 00:06.0
echo "=== EFIFB-SECONDS $(( $(date +%s) - start ))"
