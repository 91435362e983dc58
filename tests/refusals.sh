#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# setup refuses what bind refuses (plan/refuse.c), for every device vfio-pci
# would take at boot: the article's boot GPU with its connected screen, the
# shared-group host's boot GPU on the EFI framebuffer, the root disk's
# controller and the default-route NIC taken along by --include-group or
# --with, and a use that could not be read (fail closed, naming the file).
# Each is lifted by bind's --allow-* option, said as a warning. A refused
# --apply writes nothing. vm says a lifted refusal as bind does.
# usage: refusals.sh VFIOKIT FIXTURES_DIR
set -u
vfiokit=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") fixtures=$(cd "$2" && pwd)
export LC_ALL=C NO_COLOR=1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
n=0 fail=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; [ -n "${3-}" ] && sed 's/^/# /' "$3"; fi; }
article="$fixtures/hosts/article" shared="$fixtures/hosts/shared-group"

# refused NAME ROOT MESSAGE OPTION ARGS...: exit 1, the refusal with its
# option on stderr, no plan on stdout.
refused() {
	name=$1 root=$2 msg=$3 opt=$4
	shift 4
	"$vfiokit" setup "$@" --root "$root" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ $rc = 1 ] && grep -qxF "vfiokit: refused: $msg. To do it anyway: --$opt" "$tmp/err" &&
		grep -qx "vfiokit: nothing was changed" "$tmp/err" && [ ! -s "$tmp/out" ]
	ok $? "$name: refused (exit $rc), naming --$opt" "$tmp/err"
}
# lifted NAME ROOT MESSAGE OPTION DEVICES ARGS...: exit 0, a warning, and
# the plan gives vfio-pci the devices.
lifted() {
	name=$1 root=$2 msg=$3 opt=$4 devs=$5
	shift 5
	"$vfiokit" setup "$@" --root "$root" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ $rc = 0 ] && grep -qxF "vfiokit: warning: $msg (allowed by --$opt)" "$tmp/err" &&
		! grep -q "refused" "$tmp/err" && grep -qxF "# devices for vfio-pci: $devs" "$tmp/out"
	ok $? "$name: with --$opt (exit $rc), said as a warning" "$tmp/err"
}

echo "1..18"
igd="0000:00:02.0 drives a display of this host (it is the boot GPU): connector card0-DP-1 is connected and enabled; framebuffer fb0 (i915drmfb)"
refused "the boot GPU with a connected screen" "$article" "$igd" allow-display --gpu 00:02.0
lifted "the boot GPU with a connected screen" "$article" "$igd" allow-display 0000:00:02.0 --gpu 00:02.0 --allow-display

efifb="0000:0a:00.0 drives a display of this host (it is the boot GPU): boot framebuffer at 0xe0000000"
refused "the boot GPU on the EFI framebuffer" "$shared" "$efifb" allow-display --gpu 0a:00.0
lifted "the boot GPU on the EFI framebuffer" "$shared" "$efifb" allow-display "0000:0a:00.0 0000:0a:00.1" \
	--gpu 0a:00.0 --allow-display

# --include-group takes the shared group whole: its SATA controller holds /
# and /boot/efi, its NIC the default route. Each option lifts its own.
sata="0000:02:00.1 holds mounted filesystems or swap of this host: / (/dev/mapper/vg0-root); /boot/efi (/dev/sda1)"
igb="0000:05:00.0 carries this host's default route via br0: binding it cuts the host off the network"
whole="0000:02:00.0 0000:02:00.1 0000:05:00.0 0000:06:00.0 0000:06:00.1"
refused "--include-group with the root disk's controller" "$shared" "$sata" allow-mounted --gpu 06:00.0 --include-group
refused "--include-group with the default-route NIC" "$shared" "$igb" allow-default-route --gpu 06:00.0 --include-group
refused "--include-group, --allow-mounted only: the NIC still" "$shared" "$igb" allow-default-route \
	--gpu 06:00.0 --include-group --allow-mounted
lifted "--include-group, the root disk's controller" "$shared" "$sata" allow-mounted "$whole" \
	--gpu 06:00.0 --include-group --allow-mounted --allow-default-route
lifted "--include-group, the default-route NIC" "$shared" "$igb" allow-default-route "$whole" \
	--gpu 06:00.0 --include-group --allow-mounted --allow-default-route

# --with: the article's AHCI controller (group 11, with the LPC and SMBus
# functions) and its NIC.
ahci="0000:00:1f.2 holds mounted filesystems or swap of this host: / (/dev/sda2); /boot (/dev/sda1); swap (/dev/sda3)"
refused "--with the root disk's controller" "$article" "$ahci" allow-mounted --gpu 06:00.0 --with 00:1f.2 --include-group
r8169="0000:05:00.0 carries this host's default route via enp5s0: binding it cuts the host off the network"
refused "--with the default-route NIC" "$article" "$r8169" allow-default-route --gpu 06:00.0 --with 05:00.0
lifted "--with the default-route NIC" "$article" "$r8169" allow-default-route "0000:06:00.0 0000:06:00.1 0000:05:00.0" \
	--gpu 06:00.0 --with 05:00.0 --allow-default-route

# Fail closed: what cannot be read refuses the guest GPU too, naming the file.
c="$tmp/c"
cp -a "$article" "$c"
echo "Filename				Type		Size		Used		Priority" >"$c/proc/swaps"
rm "$c/proc/self/mountinfo"
unknown="cannot tell whether 0000:06:00.0 holds a mounted filesystem or swap of this host (/proc/self/mountinfo: absent)"
refused "mountinfo absent" "$c" "$unknown" allow-mounted --gpu 06:00.0
lifted "mountinfo absent" "$c" "$unknown" allow-mounted "0000:06:00.0 0000:06:00.1" --gpu 06:00.0 --allow-mounted
rm -rf "$c" && cp -a "$article" "$c" && rm "$c/proc/net/route"
refused "route table absent" "$c" "cannot tell whether 0000:06:00.0 carries this host's default route (/proc/net/route: absent)" \
	allow-default-route --gpu 06:00.0

# A refused --apply writes nothing in the machine copy, journal included
# (run/vfiokit/lock is the lock every --apply takes before reading).
rm -rf "$c" "$tmp/before" && cp -a "$article" "$c" && cp -a "$article" "$tmp/before"
"$vfiokit" setup --gpu 00:02.0 --root "$c" --apply >"$tmp/out" 2>"$tmp/err"
[ $? = 1 ] && grep -q "refused: 0000:00:02.0 drives a display" "$tmp/err" && [ ! -e "$c/var/lib/vfiokit" ] &&
	rm -f "$c/run/vfiokit/lock" && rmdir "$c/run/vfiokit" "$c/run" &&
	diff -r --no-dereference "$tmp/before" "$c" >>"$tmp/err" 2>&1
ok $? "a refused --apply: exit 1, the copy unchanged" "$tmp/err"

# Viability is bind's runtime rule: at boot every endpoint goes to vfio-pci.
"$vfiokit" setup --gpu 06:00.0 --allow-nonviable --root "$article" >"$tmp/out" 2>"$tmp/err"
[ $? = 2 ] && grep -q "allow-nonviable is an option of bind and vm" "$tmp/err" && [ ! -s "$tmp/out" ]
ok $? "--allow-nonviable: a usage error" "$tmp/err"

# vm: the same refusal, lifted, is said as a warning (as bind and setup do).
"$vfiokit" vm create g --gpu 00:02.0 --memory 1G --allow-display --root "$article" >"$tmp/out" 2>"$tmp/err"
[ $? = 0 ] && grep -qxF "vfiokit: warning: $igd (allowed by --allow-display)" "$tmp/err" && grep -q "<domain" "$tmp/out"
ok $? "vm create --allow-display: the lifted refusal said as a warning" "$tmp/err"
exit $fail
