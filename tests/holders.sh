#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# What holds a GPU (src/host/holders.c), read from the single-gpu fixture:
# the HOLDERS column of `groups` and check's gpu-holders line. Nodes are
# matched by device number (udev's dev/char links in a copy), never by name;
# what cannot be read is "unknown: ...", never nothing; hostile names come
# out escaped. Every run is under `timeout 10`.
# usage: holders.sh VFIOKIT FIXTURES
set -u
sh "$(dirname "$0")/fixtures/restore-empty-dirs.sh"
vfiokit=$1 fixtures=$2
export LC_ALL=C NO_COLOR=1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
n=0
ok() { # ok STATUS NAME [FILE shown on failure]
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		[ -n "${3:-}" ] && [ -f "$3" ] && sed 's/^/# /' "$3" | head -40
	fi
	return 0
}
holders() { # holders ROOT: the HOLDERS cells of 00:06.0, one a line
	timeout 10 "$vfiokit" groups --device 00:06.0 -r -n -o NAME,HOLDERS --root "$1" >"$tmp/raw" 2>"$tmp/err"
	rc=$?
	timeout 10 "$vfiokit" groups --device 00:06.0 -o HOLDERS -n --root "$1" >"$tmp/out" 2>>"$tmp/err"
}
fresh() { rm -rf "$tmp/h" && cp -a "$fixtures/single-gpu" "$tmp/h"; }
echo "1..12"

fresh
holders "$tmp/h"
cat >"$tmp/want" <<'X'
pid 1433 (firefox-esr, app-firefox\x5cx2desr-1433.scope) has /dev/dri/renderD128 open
pid 812 (Xorg, lightdm.service) has /dev/dri/card0 open
framebuffer fb0
boot framebuffer efi-framebuffer.0 (efi-framebuffer) at 0xfd000000
fbcon bound to vtcon1
display manager lightdm.service
module bochs: 3 users
X
sed 's/ *$//' "$tmp/out" | grep -v '^$' >"$tmp/got"
[ "$rc" = 0 ] && diff "$tmp/want" "$tmp/got" >"$tmp/d"
ok $? "single-gpu: processes by node number, fb0, efifb in BAR0, fbcon, display manager, module users" "$tmp/d"

# Matched by number: udev's 226:0 link names card7, so a process holding
# /dev/dri/card7 holds card0's device; one holding a /dev/dri/card0 whose
# number nothing says is not taken as card0's by its name.
fresh
rm "$tmp/h/dev/char/226:0" && ln -s ../dri/card7 "$tmp/h/dev/char/226:0" && rm "$tmp/h/dev/dri/card0"
ln -s /dev/dri/card7 "$tmp/h/proc/1500/fd/9"
holders "$tmp/h"
grep -q '^pid 1500 (bash, session-2.scope) has /dev/dri/card7 open' "$tmp/out" &&
	! grep -q '^pid 812 ' "$tmp/out" &&
	grep -q 'unknown: processes: /dev/dri/card0: pid 812 has /dev/dri/card0 open, a node whose device number cannot be read' "$tmp/out"
ok $? "nodes are matched by device number, never by name alone" "$tmp/out"

# A process whose fd directory cannot be listed: unknown, never "nothing".
fresh
rm -rf "$tmp/h/proc/812/fd" && : >"$tmp/h/proc/812/fd"
holders "$tmp/h"
grep -q '^unknown: processes: /proc/812/fd: cannot read: Not a directory' "$tmp/out" && [ "$rc" = 0 ]
ok $? "an fd directory that cannot be listed is unknown" "$tmp/out"

# /proc/iomem past 1 MiB and /proc/iomem as a user sees it (every range 0-0).
fresh
awk 'BEGIN { for (i = 0; i < 40000; i++) printf "%08x-%08x : Reserved\n", i * 4096, i * 4096 + 4095 }' >"$tmp/h/proc/iomem"
holders "$tmp/h"
grep -q '^unknown: boot framebuffer: /proc/iomem: too large' "$tmp/out" && ! grep -q '^boot framebuffer' "$tmp/out"
ok $? "a huge /proc/iomem: the boot framebuffer is unknown" "$tmp/out"
fresh
sed 's/^\( *\)[0-9a-f]*-[0-9a-f]* :/\100000000-00000000 :/' "$fixtures/single-gpu/proc/iomem" >"$tmp/h/proc/iomem"
holders "$tmp/h"
grep -q '^unknown: boot framebuffer: /proc/iomem: its addresses are hidden (read as root)' "$tmp/out"
ok $? "/proc/iomem with hidden addresses: the boot framebuffer is unknown" "$tmp/out"

# Hostile names: an fd link and a comm with control bytes, a cgroup line
# with escapes and a newline in a unit: escaped, one line each.
fresh
ln -s "$(printf '/dev/dri/\033]0;owned\007card0\nx')" "$tmp/h/proc/1500/fd/7"
printf 'ba\033[2Jsh\n' >"$tmp/h/proc/812/comm"
printf '1:name=systemd:/\n0::/system.slice/a\\x2fb\033.service\n' >"$tmp/h/proc/812/cgroup"
holders "$tmp/h"
! grep -q "$(printf '\033')" "$tmp/out" "$tmp/raw" && ! grep -q "$(printf '\007')" "$tmp/out" &&
	grep -q '^pid 812 (ba\\x1b\[2Jsh, a\\x5cx2fb\\x1b.service) has /dev/dri/card0 open' "$tmp/out" &&
	grep -q 'a node whose device number cannot be read' "$tmp/out"
ok $? "control bytes in an fd link, a comm and a cgroup come out escaped" "$tmp/out"

# No display manager is not an error; fbcon unbound is not a holder.
fresh
rm "$tmp/h/etc/systemd/system/display-manager.service"
echo 0 >"$tmp/h/sys/devices/virtual/vtconsole/vtcon1/bind"
holders "$tmp/h"
[ "$rc" = 0 ] && ! grep -q 'display manager\|fbcon' "$tmp/out" && grep -q '^pid 812 (Xorg' "$tmp/out" && ! [ -s "$tmp/err" ]
ok $? "no display manager and an unbound fbcon: neither listed, no error" "$tmp/out"

# A vtconsole whose bind cannot be read: fbcon unknown.
fresh
rm "$tmp/h/sys/devices/virtual/vtconsole/vtcon1/bind"
holders "$tmp/h"
grep -q '^unknown: fbcon: /sys/class/vtconsole/vtcon1/bind: absent' "$tmp/out"
ok $? "an unreadable vtconsole bind: fbcon unknown" "$tmp/out"

# A module refcnt that is not a count.
fresh
echo lots >"$tmp/h/sys/module/bochs/refcnt"
holders "$tmp/h"
grep -q '^unknown: module: /sys/module/bochs/refcnt: not a count' "$tmp/out"
ok $? "a refcnt that is not a count: module users unknown" "$tmp/out"

# check: the same facts; unknown ones are a warning.
fresh
timeout 10 "$vfiokit" check --root "$tmp/h" >"$tmp/out" 2>&1
grep -q '^PASS  What holds the GPUs  *0000:00:06.0: pid 1433 .*; module bochs: 3 users$' "$tmp/out"
ok $? "check lists the holders" "$tmp/out"
rm -rf "$tmp/h/proc/812/fd" && : >"$tmp/h/proc/812/fd"
timeout 10 "$vfiokit" check -J --root "$tmp/h" >"$tmp/out" 2>&1
python3 -c 'import json,sys; c=[x for x in json.load(open(sys.argv[1]))["checks"] if x["id"]=="gpu-holders"][0]; sys.exit(not (c["status"]=="warn" and "unknown: processes: /proc/812/fd" in c["detail"]))' "$tmp/out"
ok $? "check -J: an unknown holder is a warning" "$tmp/out"

# A snapshot keeps the processes that hold the GPU (their fd link, comm,
# cgroup), never the names of other files processes have open; the same
# HOLDERS come out of it.
fresh
timeout 20 "$vfiokit" snapshot -o "$tmp/snap.tar.gz" --root "$tmp/h" >"$tmp/out" 2>&1 &&
	mkdir "$tmp/s" && tar -xzf "$tmp/snap.tar.gz" -C "$tmp/s" &&
	tar -tzf "$tmp/snap.tar.gz" >"$tmp/list" &&
	grep -q 'proc/812/fd/12$' "$tmp/list" && grep -q 'proc/1433/fd/40$' "$tmp/list" &&
	! grep -q 'proc/1433/fd/41\|proc/812/fd/13\|proc/812/fd/0$\|proc/1500/.' "$tmp/list" &&
	timeout 10 "$vfiokit" groups --device 00:06.0 -o HOLDERS -n --root "$tmp/s" >"$tmp/a" &&
	timeout 10 "$vfiokit" groups --device 00:06.0 -o HOLDERS -n --root "$tmp/h" >"$tmp/b" && diff "$tmp/b" "$tmp/a" >"$tmp/d"
ok $? "a snapshot keeps only the processes that hold the GPU, and shows the same HOLDERS" "$tmp/d"
