#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs as /init's payload inside the q35 guest (tests/e2e/boot-q35.sh), as
# root on the real kernel. It only runs vfiokit and prints what happened;
# tests/e2e/check-q35.py on the host side decides pass or fail from the
# serial log. Each case prints
#   === CASE name
#   ... vfiokit's stdout and stderr ...
#   === RC n
#   === STATE            (the driver and driver_override of every PCI device,
#   0000:00:02.0 e1000e (null)     read back from sysfs after the case)
#   === END
export LC_ALL=C NO_COLOR=1

state() {
	echo "=== STATE"
	for d in /sys/bus/pci/devices/*; do
		drv=$(readlink "$d/driver" 2>/dev/null)
		echo "${d##*/} ${drv##*/} $(cat "$d/driver_override")"
	done
	echo "=== VFIO $(ls /dev/vfio 2>/dev/null | tr '\n' ' ')"
	echo "=== BOUND $(ls /run/vfiokit/bound 2>/dev/null | tr '\n' ' ')"
	echo "=== END"
}

run() { # run NAME vfiokit-args...
	name=$1; shift
	echo "=== CASE $name"
	"$@" 2>&1
	echo "=== RC $?"
	state
}

# A read-only copy of a file, mounted over it: writes fail with EROFS, as a
# sysfs write can fail on a real machine, without touching vfiokit.
# (/proc/mounts names the real path, not the /sys/bus/pci/devices link.)
break_file() {
	f=$(realpath "$1")
	cp "$f" "/tmp/ro.$$" 2>/dev/null || : >"/tmp/ro.$$"
	mount -o bind "/tmp/ro.$$" "$f" && mount -o remount,ro,bind "$f" || echo "cannot break $f"
}
mend_file() {
	umount "$(realpath "$1")"
}

# The host uses things, as a real one does: a mounted disk on the chipset's
# AHCI controller, a default route through the first e1000e.
mke2fs -q /dev/sda >/dev/null 2>&1 && mount -t ext2 /dev/sda /mnt
ip link set eth0 up && ip addr add 10.0.2.15/24 dev eth0 && ip route add default via 10.0.2.2 dev eth0
echo "=== NET eth0 $(readlink /sys/class/net/eth0/device)"

run snapshot vfiokit snapshot -o /tmp/snap.tar.gz
echo "=== SNAPSHOT-BEGIN"
base64 /tmp/snap.tar.gz
echo "=== SNAPSHOT-END"

echo "=== KERNEL-GROUPS"
for g in /sys/kernel/iommu_groups/*; do echo "${g##*/} $(ls "$g/devices" | tr '\n' ' ')"; done
echo "=== END"

run groups-json vfiokit groups -J -o NAME,GROUP,DRIVER,HOSTUSE
run check-json vfiokit check -J

# Refusals: each exits 1 and changes nothing.
run refuse-display vfiokit bind group:3
run refuse-mounted vfiokit bind 00:1f.2
run refuse-route vfiokit bind 00:02.0
run refuse-host-bridge vfiokit bind group:0
run refuse-nonviable vfiokit bind --only 00:06.1
# Bad input.
run bad-bridge vfiokit bind 00:08.0
run bad-address vfiokit bind 0000:00:1e.0
run bad-id vfiokit bind 1234:9999
run bad-syntax vfiokit bind bogus
run bad-driver vfiokit bind --driver no-such-driver 00:03.0
# A kernel without vfio-pci: its module tables say nothing of it.
dep=/lib/modules/$(uname -r)/modules.dep
grep -v vfio "$dep" >/tmp/dep.novfio && mount -o bind /tmp/dep.novfio "$dep"
run bad-no-vfio vfiokit bind 00:03.0
umount "$dep"
echo 'nobody:x:65534:65534:nobody:/tmp:/bin/sh' >>/etc/passwd
echo 'nogroup:x:65534:' >>/etc/group
run bad-nonroot su -s /bin/sh nobody -c 'vfiokit bind 00:03.0'
run dry-run vfiokit bind --dry-run --allow-display group:3

# Option ROMs through sysfs: the e1000e's is QEMU's efi-e1000e.rom; the boot
# VGA's is the firmware's shadow copy; the xHCI controller has none.
run rom-dump vfiokit rom dump 00:03.0 -o /tmp/nic.rom
echo "=== ROM-SHA $(sha256sum /tmp/nic.rom | cut -d' ' -f1)"
cat /sys/bus/pci/devices/0000:00:03.0/rom >/dev/null 2>&1
echo "=== ROM-DISABLED $?"
run rom-again vfiokit rom dump 00:03.0 -o /tmp/nic.rom
run rom-bootvga vfiokit rom 00:06.0
run rom-none vfiokit rom 00:07.0
run rom-nonroot su -s /bin/sh nobody -c 'vfiokit rom 00:03.0'

# Injected failures, one per step of binding group 3 (VGA 06.0 on
# bochs-drm, HDA 06.1 on snd_hda_intel): every touched device must be back.
mkdir -p /run/vfiokit/bound
mount -t tmpfs -o ro tmpfs /run/vfiokit/bound
run fail-save-state vfiokit bind --allow-display group:3
umount /run/vfiokit/bound

break_file /sys/bus/pci/devices/0000:00:06.1/driver_override
run fail-override vfiokit bind --allow-display group:3
mend_file /sys/bus/pci/devices/0000:00:06.1/driver_override

break_file /sys/bus/pci/drivers/snd_hda_intel/unbind
run fail-unbind vfiokit bind --allow-display group:3
mend_file /sys/bus/pci/drivers/snd_hda_intel/unbind

break_file /sys/bus/pci/drivers_probe
run fail-probe vfiokit bind --allow-display group:3
mend_file /sys/bus/pci/drivers_probe

mount -t tmpfs tmpfs /dev/vfio
run fail-vfio-node vfiokit bind --allow-display group:3
umount /dev/vfio

# The real thing, then again (nothing to do), then back.
run bind vfiokit bind --allow-display -J group:3
run groups-bound vfiokit groups --group 3 -r -o NAME,DRIVER,BOUND
run next-bound vfiokit next -J
run bind-again vfiokit bind --allow-display group:3
# unbind fails part-way (snd_hda_intel refuses 06.1): both go back on vfio-pci.
break_file /sys/bus/pci/drivers/snd_hda_intel/bind
run fail-unbind-rebind vfiokit unbind group:3
mend_file /sys/bus/pci/drivers/snd_hda_intel/bind
run unbind vfiokit unbind group:3

# A device bound without state (by hand, or state lost): unbind gives it to
# the driver its modalias matches, through driver_override.
run bind-nic vfiokit bind 00:03.0
rm -f /run/vfiokit/bound/0000:00:03.0
run unbind-nostate vfiokit unbind 00:03.0
# Bound at boot by vfio-pci.ids= (imitated with new_id: the same dynamic ID
# table): a plain reprobe would go straight back to vfio-pci.
run bind-nic-ids vfiokit bind 00:03.0
rm -f /run/vfiokit/bound/0000:00:03.0
echo "8086 10d3" >/sys/bus/pci/drivers/vfio-pci/new_id
run unbind-ids vfiokit unbind 00:03.0
echo "8086 10d3" >/sys/bus/pci/drivers/vfio-pci/remove_id
# One lock per root: while another run holds /run/vfiokit/lock, bind waits,
# then fails naming the holder its record names, and changes nothing.
echo "=== LOCK-HOLDER"
mkdir -p /run/vfiokit
printf 'pid=4242\ncommand=vfiokit setup --apply\nsince=2026-01-01T00:00:00Z\n' >/run/vfiokit/lock
flock /run/vfiokit/lock sh -c ': >/tmp/held; i=0; while [ ! -e /tmp/release ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done' &
i=0; while [ ! -e /tmp/held ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
echo "=== LOCK-HELD $(ls /tmp/held 2>&1)"
run locked vfiokit bind 00:03.0
: >/tmp/release
wait

# Single-GPU handover of the boot VGA (06.0, bochs-drm with fbcon on its
# framebuffer) while a process holds /dev/dri/card0. Each case also prints
# what shows the console: framebuffers, and fbcon's vtconsole bind.
display() {
	fbs=0
	for f in /sys/class/graphics/fb[0-9]*; do [ -e "$f" ] && fbs=$((fbs + 1)); done
	vt=none
	for v in /sys/class/vtconsole/vtcon*; do
		grep -q "frame buffer" "$v/name" 2>/dev/null && vt="${v##*/}=$(cat "$v/bind")"
	done
	echo "DISPLAY fb=$fbs fbcon=$vt record=$(ls /run/vfiokit/handover 2>/dev/null | tr '\n' ' ')"
}
hrun() { # hrun NAME vfiokit-args...: run, with the display state before RC
	name=$1; shift
	echo "=== CASE $name"
	"$@" 2>&1
	rc=$?
	display
	echo "=== RC $rc"
	state
}
ho_start=$(date +%s)
sleep 600 3</dev/dri/card0 &
holder=$!
echo "=== HOLDER-PID $holder"
hrun ho-holders vfiokit groups --device 00:06.0 -r -n -o NAME,HOLDERS
hrun ho-refuse vfiokit handover take 00:06.0
break_file "$(grep -l 'frame buffer' /sys/class/vtconsole/vtcon*/name | head -1 | sed 's/name$/bind/')"
hrun ho-fail-fbcon vfiokit handover take --ignore-holders 00:06.0
mend_file "$(grep -l 'frame buffer' /sys/class/vtconsole/vtcon*/name | head -1 | sed 's/name$/bind/')"
break_file /sys/bus/pci/drivers_probe
hrun ho-fail-bind vfiokit handover take --ignore-holders 00:06.0
mend_file /sys/bus/pci/drivers_probe
hrun ho-take vfiokit handover take --ignore-holders 00:06.0
hrun ho-take-again vfiokit handover take --ignore-holders 00:06.0
hrun ho-give vfiokit handover give 00:06.0
kill "$holder"
echo "=== HANDOVER-SECONDS $(( $(date +%s) - ho_start ))"
