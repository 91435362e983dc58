#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The IOMMU step (the article's "Enabling IOMMU"): vfiokit setup with no
# device plans the IOMMU's parameters alone; the parameter follows the
# firmware's ACPI table (DMAR, IVRS), not the CPU vendor; what is there is
# judged in the boot files, not in /proc/cmdline; with devices while the
# IOMMU is off, they are taken by ID and verify judges their groups after
# the reboot. Machine copies of tests/fixtures/hosts with Debian's real
# /etc/default/grub (grub2-common, fetched with apt-get download).
# usage: setup-iommu.sh VFIOKIT FIXTURES EXPECTED [--update]
set -u
vfiokit=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") fixtures=$(cd "$2" && pwd) expected=$3 update=${4:-}
export LC_ALL=C NO_COLOR=1
cache=${VFIOKIT_E2E_CACHE:-/var/tmp/vfiokit-e2e}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
n=0 fail=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; [ -n "${3-}" ] && sed 's/^/# /' "$3"; fi; }

mkdir -p "$cache"
deb=$(ls "$cache/grub2-common_"*.deb 2>/dev/null | head -1)
if [ -z "$deb" ]; then
	(cd "$cache" && flock .download apt-get download grub2-common >/dev/null 2>&1)
	deb=$(ls "$cache/grub2-common_"*.deb 2>/dev/null | head -1)
fi
[ -n "$deb" ] || { echo "1..0 # SKIP cannot apt-get download grub2-common (run apt-get update)"; exit 0; }
dpkg-deb -x "$deb" "$tmp/grub2-common"
grub_default="$tmp/grub2-common/usr/share/grub/default/grub"

# copy NAME HOST: HOST with GRUB as Debian installs it.
copy() {
	cp -a "$fixtures/hosts/$2" "$tmp/$1"
	mkdir -p "$tmp/$1/etc/default" "$tmp/$1/usr/sbin"
	cp "$grub_default" "$tmp/$1/etc/default/grub"
	: >"$tmp/$1/usr/sbin/update-grub"
}
# run ROOT ARGS...: stdout then stderr in $tmp/out, the exit status in $rc.
run() {
	root=$1; shift
	"$vfiokit" setup "$@" --root "$root" >"$tmp/stdout" 2>"$tmp/stderr"
	rc=$?
	cat "$tmp/stdout" "$tmp/stderr" >"$tmp/out"
}
golden() { # golden NAME: the last run against tests/expected/setup-iommu/NAME.out
	{ cat "$tmp/stdout"; echo "--- exit $rc"; echo "--- stderr"; cat "$tmp/stderr"; } | sed "s|$tmp|TMP|g" >"$tmp/g"
	if [ "$update" = --update ]; then
		mkdir -p "$expected/setup-iommu"
		cp "$tmp/g" "$expected/setup-iommu/$1.out"
	fi
	diff -u "$expected/setup-iommu/$1.out" "$tmp/g" >"$tmp/d" 2>&1
}
grub_line() { grep '^GRUB_CMDLINE_LINUX_DEFAULT=' "$1/etc/default/grub"; }

# iommu-off: Intel, VT-d in the firmware (DMAR), no intel_iommu=on, no groups.
copy off iommu-off
cp -a "$tmp/off" "$tmp/off.pristine"
run "$tmp/off"
golden off-plan
[ $rc = 0 ] && [ ! -s "$tmp/d" ] && grep -q '^+GRUB_CMDLINE_LINUX_DEFAULT="quiet intel_iommu=on"$' "$tmp/out" &&
	[ "$(grep '^+++ ' "$tmp/out")" = "+++ /etc/default/grub" ]
ok $? "no device, IOMMU off, DMAR: intel_iommu=on in GRUB's line and nothing else (golden off-plan)" "$tmp/d"

run "$tmp/off" --apply
[ $rc = 0 ] && [ "$(grub_line "$tmp/off")" = 'GRUB_CMDLINE_LINUX_DEFAULT="quiet intel_iommu=on"' ] &&
	grep -q "reboot; then 'vfiokit check' shows the IOMMU on" "$tmp/out" && [ ! -e "$tmp/off/etc/modprobe.d/vfio.conf" ]
ok $? "--apply writes /etc/default/grub only, and says what comes after the reboot" "$tmp/out"
run "$tmp/off"
[ $rc = 0 ] && grep -q "nothing to do" "$tmp/out" && ! grep -q "^[-+][^-+]" "$tmp/out" &&
	grep -q "the boot files already have intel_iommu=on, yet the IOMMU is off (no IOMMU groups): reboot" "$tmp/out"
ok $? "again before the reboot: nothing to do, and the reboot it waits for is said" "$tmp/out"
"$vfiokit" undo --root "$tmp/off" >/dev/null 2>"$tmp/d"
[ $? = 0 ] && diff -r --no-dereference -x var -x run "$tmp/off.pristine" "$tmp/off" >>"$tmp/d" 2>&1
ok $? "undo: the copy is byte for byte as before" "$tmp/d"

# With a device while the IOMMU is off: by ID, the device alone, a warning.
run "$tmp/off" --gpu 01:00.0
golden off-device
[ $rc = 0 ] && [ ! -s "$tmp/d" ] && grep -q "^# devices for vfio-pci: 0000:01:00.0$" "$tmp/out" &&
	grep -q "the IOMMU is off (no IOMMU groups): the devices are taken by ID as named" "$tmp/out" &&
	grep -q "'vfiokit verify' judges each device's group" "$tmp/out" && grep -q "intel_iommu=on" "$tmp/out"
ok $? "a device while the IOMMU is off: taken by ID alone, groups left to verify (golden off-device)" "$tmp/d"

# While the IOMMU is off the refusals hold as ever: the host's boot GPU
# (i915, its screen) is not taken by ID, unless --allow-display.
run "$tmp/off" --gpu 00:02.0
[ $rc = 1 ] && grep -q "0000:00:02.0" "$tmp/stderr" && grep -q "allow-display" "$tmp/stderr" &&
	diff -r --no-dereference -x var -x run "$tmp/off.pristine" "$tmp/off" >/dev/null
ok $? "the boot GPU while the IOMMU is off: refused as at any time, nothing written" "$tmp/out"
run "$tmp/off" --gpu 00:02.0 --allow-display
[ $rc = 0 ] && grep -q "(allowed by --allow-display)" "$tmp/stderr"
ok $? "... and planned with --allow-display, the refusal shown as a warning" "$tmp/out"

# An AMD CPU over an Intel IOMMU (QEMU's q35 with intel-iommu and an AMD
# host CPU shows this): the DMAR table decides.
cp -a "$tmp/off.pristine" "$tmp/amdcpu"
sed -i 's/GenuineIntel/AuthenticAMD/' "$tmp/amdcpu/proc/cpuinfo"
run "$tmp/amdcpu"
[ $rc = 0 ] && grep -q '^+GRUB_CMDLINE_LINUX_DEFAULT="quiet intel_iommu=on"$' "$tmp/out" &&
	grep -q "^# IOMMU: Intel VT-d (the firmware's DMAR table)" "$tmp/out"
ok $? "an AMD CPU with a DMAR table: intel_iommu=on" "$tmp/out"
# A Zhaoxin CPU (VT-d, a vendor the CPU check does not know).
cp -a "$tmp/off.pristine" "$tmp/zhaoxin"
sed -i 's/GenuineIntel/  Shanghai  /' "$tmp/zhaoxin/proc/cpuinfo"
run "$tmp/zhaoxin"
[ $rc = 0 ] && grep -q '^+GRUB_CMDLINE_LINUX_DEFAULT="quiet intel_iommu=on"$' "$tmp/out" && ! grep -q "vendor is unknown" "$tmp/out"
ok $? "a Zhaoxin CPU with a DMAR table: intel_iommu=on" "$tmp/out"

# IVRS (AMD-Vi): no parameter; a guide's amd_iommu=on is removed, even
# under an Intel CPU string.
cp -a "$tmp/off.pristine" "$tmp/ivrs"
mv "$tmp/ivrs/sys/firmware/acpi/tables/DMAR" "$tmp/ivrs/sys/firmware/acpi/tables/IVRS"
run "$tmp/ivrs"
[ $rc = 0 ] && grep -q "nothing to do" "$tmp/out" && ! grep -q "intel_iommu" "$tmp/out" &&
	grep -q "though AMD-Vi needs no parameter" "$tmp/out"
ok $? "IVRS: no parameter, nothing to write (the IOMMU off said)" "$tmp/out"
sed -i 's/^GRUB_CMDLINE_LINUX_DEFAULT=.*/GRUB_CMDLINE_LINUX_DEFAULT="amd_iommu=on quiet"/' "$tmp/ivrs/etc/default/grub"
run "$tmp/ivrs" --iommu-pt
golden ivrs-stale
[ $rc = 0 ] && [ ! -s "$tmp/d" ] && grep -q '^+GRUB_CMDLINE_LINUX_DEFAULT="quiet iommu=pt"$' "$tmp/out" &&
	grep -q "amd_iommu=on is removed" "$tmp/out"
ok $? "IVRS: amd_iommu=on removed, --iommu-pt added, no intel_iommu=on (golden ivrs-stale)" "$tmp/d"

# Neither table: refused, nothing written; --iommu overrides.
cp -a "$tmp/off.pristine" "$tmp/none"
rm "$tmp/none/sys/firmware/acpi/tables/DMAR"
cp -a "$tmp/none" "$tmp/none.before"
for a in "" "--gpu 01:00.0" "--apply"; do
	# shellcheck disable=SC2086
	run "$tmp/none" $a
	[ $rc = 1 ] && grep -q "the firmware reports no IOMMU: neither DMAR (Intel VT-d) nor IVRS (AMD-Vi) among the 7 ACPI tables in /sys/firmware/acpi/tables" "$tmp/out" &&
		grep -q "name the IOMMU with --iommu intel or --iommu amd" "$tmp/out" && ! grep -q "^+" "$tmp/out" &&
		diff -r --no-dereference -x run "$tmp/none.before" "$tmp/none" >"$tmp/d" 2>&1
	ok $? "neither DMAR nor IVRS${a:+ ($a)}: refused, naming the tables and --iommu; nothing written" "$tmp/out"
done
run "$tmp/none" --iommu intel
[ $rc = 0 ] && grep -q '^+GRUB_CMDLINE_LINUX_DEFAULT="quiet intel_iommu=on"$' "$tmp/out"
ok $? "--iommu intel overrides the detection" "$tmp/out"
run "$tmp/none" --iommu amd
[ $rc = 0 ] && grep -q "nothing to do" "$tmp/out" && ! grep -q "intel_iommu" "$tmp/out"
ok $? "--iommu amd: no parameter" "$tmp/out"
run "$tmp/off" --iommu amd
[ $rc = 0 ] && grep -q "warning: --iommu amd overrides the firmware, which reports DMAR (Intel VT-d)" "$tmp/out"
ok $? "--iommu against the firmware's table: said" "$tmp/out"
# The tables cannot be read (not there in the copy).
rm -rf "$tmp/none/sys/firmware/acpi/tables"
run "$tmp/none"
[ $rc = 1 ] && grep -q "no ACPI table could be read in /sys/firmware/acpi/tables: cannot tell whether the IOMMU is Intel VT-d (DMAR) or AMD-Vi (IVRS)" "$tmp/out"
ok $? "ACPI tables unreadable: refused (fail closed), naming them" "$tmp/out"

# iommu=off in GRUB's line turns either IOMMU off: removed (intel_iommu=off
# is set to on in place).
cp -a "$tmp/off.pristine" "$tmp/offparam"
sed -i 's/^GRUB_CMDLINE_LINUX_DEFAULT=.*/GRUB_CMDLINE_LINUX_DEFAULT="iommu=off intel_iommu=off quiet"/' "$tmp/offparam/etc/default/grub"
run "$tmp/offparam"
[ $rc = 0 ] && grep -q '^+GRUB_CMDLINE_LINUX_DEFAULT="intel_iommu=on quiet"$' "$tmp/out" &&
	grep -q "iommu=off is removed from the kernel command line: it turns the IOMMU off" "$tmp/out"
ok $? "iommu=off removed, intel_iommu=off set to on" "$tmp/out"

# A parameter the running kernel has, typed at the boot menu, in no boot
# file: still written, with the note.
cp -a "$tmp/off.pristine" "$tmp/typed"
sed -i 's/ quiet / quiet intel_iommu=on /' "$tmp/typed/proc/cmdline"
run "$tmp/typed"
[ $rc = 0 ] && grep -q '^+GRUB_CMDLINE_LINUX_DEFAULT="quiet intel_iommu=on"$' "$tmp/out" &&
	grep -q "the running kernel has intel_iommu=on (typed at the boot menu, or set where setup does not look), but no boot file setup edits has it: setup writes it (/etc/default/grub)" "$tmp/out"
ok $? "intel_iommu=on only in /proc/cmdline: written to /etc/default/grub, and said" "$tmp/out"

# The IOMMU on and the parameter in /etc/default/grub: nothing to do.
copy on article
sed -i 's/^GRUB_CMDLINE_LINUX_DEFAULT=.*/GRUB_CMDLINE_LINUX_DEFAULT="quiet intel_iommu=on"/' "$tmp/on/etc/default/grub"
run "$tmp/on"
[ $rc = 0 ] && grep -q "nothing to do" "$tmp/out" && ! grep -q "^[-+][^-+]" "$tmp/out" && ! grep -q "warning" "$tmp/out" &&
	grep -q "^# IOMMU: Intel VT-d (the firmware's DMAR table), on (IOMMU groups exist)$" "$tmp/out"
ok $? "the IOMMU on, intel_iommu=on in /etc/default/grub: nothing to do, no diff" "$tmp/out"

# Usage.
"$vfiokit" setup --with 00:14.0 --root "$tmp/on" >"$tmp/out" 2>&1
[ $? = 2 ] && grep -q "\-\-with and --include-group need --gpu ADDR" "$tmp/out"
ok $? "--with without --gpu: usage error" "$tmp/out"
"$vfiokit" setup --iommu arm --root "$tmp/on" >"$tmp/out" 2>&1
[ $? = 2 ] && grep -q "\-\-iommu takes intel or amd, not 'arm'" "$tmp/out"
ok $? "--iommu arm: usage error" "$tmp/out"

# verify after the reboot judges the groups a setup by ID could not see:
# 06:00.0 on vfio-pci, the other function of its group still on snd_hda_intel.
cp -a "$fixtures/hosts/vfio-bound" "$tmp/half"
mkdir -p "$tmp/half/etc/modprobe.d"
printf 'options vfio-pci ids=10de:13c2\n' >"$tmp/half/etc/modprobe.d/vfio.conf"
ln -sfn ../../../../bus/pci/drivers/snd_hda_intel "$(readlink -f "$tmp/half/sys/bus/pci/devices/0000:06:00.1")/driver"
"$vfiokit" verify --root "$tmp/half" -o DEVICE,DRIVER,VERDICT,CAUSE >"$tmp/out" 2>&1
[ $? = 1 ] && grep -q "^0000:06:00.0 vfio-pci FAIL .*IOMMU group 13 is not viable: it also holds 0000:06:00.1 (on snd_hda_intel)" "$tmp/out"
ok $? "verify: on vfio-pci, but a group whose other device stays on the host: FAIL, the group named" "$tmp/out"
printf 'options vfio-pci ids=10de:13c2,10de:0fbb\n' >"$tmp/half/etc/modprobe.d/vfio.conf"
rm "$(readlink -f "$tmp/half/sys/bus/pci/devices/0000:06:00.1")/driver"
"$vfiokit" verify --root "$tmp/half" -o DEVICE,VERDICT,CAUSE >"$tmp/out" 2>&1
[ $? = 1 ] && grep -q "^0000:06:00.0 ok" "$tmp/out" && grep -q "^0000:06:00.1 FAIL .*no driver" "$tmp/out" &&
	! grep -q "not viable" "$tmp/out"
ok $? "verify: a group member with no driver keeps the group viable" "$tmp/out"

# intel_iommu=on,igfx_off (kernel-parameters.txt's comma-separated options):
# VT-d is on already; the igfx_off the user set is kept, not replaced.
copy igfx iommu-off
sed -i 's/^GRUB_CMDLINE_LINUX_DEFAULT=.*/GRUB_CMDLINE_LINUX_DEFAULT="quiet intel_iommu=on,igfx_off"/' "$tmp/igfx/etc/default/grub"
cp -a "$tmp/igfx" "$tmp/igfx.before"
run "$tmp/igfx" --apply
[ $rc = 0 ] && grep -q "nothing to do" "$tmp/out" && grep -q "already have intel_iommu=on,igfx_off" "$tmp/out" &&
	diff -r --no-dereference -x run -x var "$tmp/igfx.before" "$tmp/igfx" >>"$tmp/out" 2>&1
ok $? "intel_iommu=on,igfx_off in the boot files: kept, nothing to do" "$tmp/out"
echo "1..$n"
exit $fail
