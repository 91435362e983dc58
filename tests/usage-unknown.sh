#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Refusals fail closed: on copies of the article's machine where what the
# host uses cannot be read (the file absent, a directory in its place, a NUL
# byte in it, too large, a table line not as the kernel writes it, a table
# without its header), bind --dry-run refuses with "cannot tell whether
# ..." and the option that lifts it, and goes ahead with that option. A
# kernel known to have no DRM or no IPv6 is not unknown. vm refuses a guest
# whose size it cannot check against /proc/meminfo.
# usage: usage-unknown.sh VFIOKIT FIXTURES_DIR
set -u
vfiokit=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") fixtures=$(cd "$2" && pwd)
export LC_ALL=C NO_COLOR=1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
n=0 fail=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; [ -n "${3-}" ] && sed 's/^/# /' "$3"; fi; }

# case NAME TARGET OPTION MESSAGE: run in $c (prepared by the caller).
case_() {
	"$vfiokit" bind --dry-run "$2" --root "$c" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ $rc = 1 ] && grep -qF "vfiokit: refused: cannot tell whether $4. To do it anyway: --$3" "$tmp/err" &&
		grep -q "nothing was changed" "$tmp/err" && [ ! -s "$tmp/out" ]
	ok $? "$1: refused, naming what could not be read and --$3" "$tmp/err"
	"$vfiokit" bind --dry-run "$2" "--$3" --root "$c" >"$tmp/out" 2>"$tmp/err"
	[ $? = 0 ] && grep -qF "vfiokit: warning: cannot tell whether $4 (allowed by --$3)" "$tmp/err" &&
		grep -q "drivers_probe" "$tmp/out"
	ok $? "$1: with --$3 it goes ahead" "$tmp/err"
}
fresh() { rm -rf "$tmp/c"; cp -a "$fixtures/hosts/article" "$tmp/c"; c="$tmp/c"; }
# /proc/swaps with only its header: then only mountinfo tells about the AHCI controller.
noswap() { echo "Filename				Type		Size		Used		Priority" >"$c/proc/swaps"; }
ahci="0000:00:1f.2 holds a mounted filesystem or swap of this host"

echo "1..35"
fresh; noswap; rm "$c/proc/self/mountinfo"
case_ "mountinfo absent" group:11 allow-mounted "$ahci (/proc/self/mountinfo: absent)"
fresh; noswap; rm "$c/proc/self/mountinfo" && mkdir "$c/proc/self/mountinfo"
case_ "mountinfo a directory" group:11 allow-mounted "$ahci (/proc/self/mountinfo: a directory)"
fresh; noswap; printf '40 27 8:2 / / rw - ext4 /dev/sda2 rw\0\n' >"$c/proc/self/mountinfo"
case_ "mountinfo with a NUL byte" group:11 allow-mounted "$ahci (/proc/self/mountinfo: it holds a NUL byte)"
# A mount table whose / is on no disk (as in an initramfs): only swaps could tell.
nodisk() { { grep -v sda "$fixtures/hosts/article/proc/self/mountinfo"; echo '1 1 0:2 / / rw - rootfs rootfs rw'; } >"$c/proc/self/mountinfo"; }
fresh; rm "$c/proc/swaps"; nodisk
case_ "swaps absent" group:11 allow-mounted "$ahci (/proc/swaps: absent)"
fresh; { cat "$fixtures/hosts/article/proc/swaps"; head -c 1100000 /dev/zero | tr '\0' ' '; } >"$c/proc/swaps"
nodisk
case_ "swaps too large" group:11 allow-mounted "$ahci (/proc/swaps: too large)"
fresh; rm "$c/proc/net/route"
case_ "route absent" 05:00.0 allow-default-route "0000:05:00.0 carries this host's default route (/proc/net/route: absent)"
fresh; printf 'x\0' >>"$c/proc/net/ipv6_route"
case_ "ipv6_route with a NUL byte" 06:00.0 allow-default-route "0000:06:00.0 carries this host's default route (/proc/net/ipv6_route: it holds a NUL byte)"
fresh; rm "$c/proc/net/ipv6_route"; mkdir -p "$c/proc/sys/net/ipv6"
case_ "ipv6_route absent while IPv6 is on" 06:00.0 allow-default-route "0000:06:00.0 carries this host's default route (/proc/net/ipv6_route: absent)"
# Tables read line by line: a line not as the kernel writes it, or a
# missing header, is a route or swap area not seen.
fresh; printf 'enp6s0\t00000000\t0101A8C0\n' >>"$c/proc/net/route"
case_ "route with a truncated line" 06:00.0 allow-default-route "0000:06:00.0 carries this host's default route (/proc/net/route: line 4 is not as the kernel writes it)"
fresh; sed -i 1d "$c/proc/net/route"
case_ "route without its header" 05:00.0 allow-default-route "0000:05:00.0 carries this host's default route (/proc/net/route: line 1 is not its header)"
# Empty is what the kernel shows before its main table exists (no address,
# no route: the L1 guest of tests/e2e/nested.sh): no default route, no refusal.
fresh; : >"$c/proc/net/route"
"$vfiokit" bind 05:00.0 --dry-run --root "$c" >"$tmp/out" 2>&1
[ $? = 0 ] && ! grep -q "cannot tell" "$tmp/out"
ok $? "route empty (no main table yet): no default route there, bind of the NIC planned" "$tmp/out"
fresh; printf '00000000000000000000000000000000 00 00000000000000000000000000000000 00 fe800000000000000000000000000001\n' >>"$c/proc/net/ipv6_route"
case_ "ipv6_route with a truncated line" 06:00.0 allow-default-route "0000:06:00.0 carries this host's default route (/proc/net/ipv6_route: line 3 is not as the kernel writes it)"
fresh; nodisk; printf 'Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n/dev/sda3\n' >"$c/proc/swaps"
case_ "swaps with a truncated line" group:11 allow-mounted "$ahci (/proc/swaps: line 2 is not as the kernel writes it)"
fresh; nodisk; sed -i 1d "$c/proc/swaps"
case_ "swaps without its header" group:11 allow-mounted "$ahci (/proc/swaps: line 1 is not its header)"
fresh; nodisk; : >"$c/proc/swaps"
case_ "swaps empty (no header)" group:11 allow-mounted "$ahci (/proc/swaps: line 1 is not its header)"
fresh; rm -rf "$c/sys/class/drm"; : >"$c/sys/class/drm"
case_ "sys/class/drm a file" 06:00.0 allow-display "0000:06:00.0 drives a display of this host (/sys/class/drm: Not a directory)"
fresh; rm -rf "$c/sys/class/drm"; mkdir -p "$c/sys/module/drm"
case_ "sys/class/drm absent with the drm module loaded" 06:00.0 allow-display "0000:06:00.0 drives a display of this host (/sys/class/drm: absent)"

# Known to have none: no refusal.
fresh; rm -rf "$c/sys/class/drm" "$c/proc/net/ipv6_route"
"$vfiokit" bind --dry-run 06:00.0 --root "$c" >"$tmp/out" 2>"$tmp/err"
[ $? = 0 ] && ! grep -q "refused\|cannot tell" "$tmp/err" && grep -q drivers_probe "$tmp/out"
ok $? "no drm class or module, no IPv6 table or sysctls: none there, nothing refused" "$tmp/err"

# vm: no MemTotal, no guest.
fresh; rm "$c/proc/meminfo"
"$vfiokit" vm create g --gpu 06:00.0 --memory 4G --root "$c" >"$tmp/out" 2>"$tmp/err"
[ $? = 1 ] && grep -q "cannot tell whether the guest's 4096 MiB fit in this host's RAM: /proc/meminfo could not be read" "$tmp/err" &&
	[ ! -s "$tmp/out" ]
ok $? "vm create --memory without /proc/meminfo: refused" "$tmp/err"
exit $fail
