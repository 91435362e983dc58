#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# unbind of devices that are on vfio-pci with no state from 'vfiokit bind'
# (bound at boot by vfio-pci.ids=): a plain reprobe would give them straight
# back to vfio-pci, so the plan hands each to the driver its modalias
# matches through driver_override, or says why it cannot.
# usage: unbind-nostate.sh VFIOKIT FIXTURES_DIR
set -u
vfiokit=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") fixtures=$(cd "$2" && pwd)
export LC_ALL=C NO_COLOR=1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
n=0 fail=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; [ -n "${3-}" ] && sed 's/^/# /' "$3"; fi; }

echo "1..3"
c="$tmp/c"
cp -a "$fixtures/hosts/vfio-bound" "$c"
sed -i 's/$/ vfio-pci.ids=10de:1381,10de:0fbc/' "$c/proc/cmdline"
mkdir -p "$c/etc/modprobe.d" && echo "options vfio-pci ids=10de:1381,10de:0fbc" >"$c/etc/modprobe.d/vfio.conf"
"$vfiokit" unbind --dry-run 01:00.0 --root "$c" >"$tmp/out" 2>"$tmp/err"
[ $? = 0 ] && [ "$(sed -n 1,3p "$tmp/out")" = "echo nouveau > /sys/bus/pci/devices/0000:01:00.0/driver_override
echo 0000:01:00.0 > /sys/bus/pci/drivers/vfio-pci/unbind
echo 0000:01:00.0 > /sys/bus/pci/drivers_probe" ] &&
	grep -q "^echo snd_hda_intel > /sys/bus/pci/devices/0000:01:00.1/driver_override$" "$tmp/out" &&
	grep -q "0000:01:00.0 has no state .*: it goes to nouveau, the driver its modalias matches, and its driver_override stays nouveau so that vfio-pci does not take it back" "$tmp/err"
ok $? "ids= at boot, no state: driver_override to the modalias-matched driver (nouveau, snd_hda_intel), kept" "$tmp/out"
# None of the matching drivers loaded: the plain reprobe, and why it may come back.
rm -rf "$c/sys/bus/pci/drivers/nouveau"
"$vfiokit" unbind --dry-run 01:00.0 --root "$c" >"$tmp/out" 2>"$tmp/err"
[ $? = 0 ] && grep -q "^echo > /sys/bus/pci/devices/0000:01:00.0/driver_override$" "$tmp/out" &&
	grep -q "0000:01:00.0 has no state from 'vfiokit bind' and no loaded driver matches its modalias (module n[a-z]* is not loaded: modprobe it, then unbind again): the kernel chooses, and vfio-pci takes it back if its ids= name it" "$tmp/err"
ok $? "no matching driver loaded: a plain reprobe, and the warning says why and what to do" "$tmp/err"
# A device with state still goes back exactly to what the state says.
"$vfiokit" unbind --dry-run 06:00.0 --root "$c" >"$tmp/out" 2>"$tmp/err"
[ $? = 0 ] && ! grep -q "modalias" "$tmp/err" && grep -q "drivers/nouveau/bind\|drivers_probe" "$tmp/out"
ok $? "a device with state: unchanged, its recorded driver" "$tmp/out"
exit $fail
