#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# One lock per root: a vfiokit run that changes a machine copy holds
# DIR/run/vfiokit/lock from before it reads the copy until its last command
# has run. A second run waits a little, then fails naming the holder (pid,
# command, since when) and changes nothing; runs one after the other both
# succeed. The first run is paused for real: its update-initramfs (a busybox
# script run with --chroot inside the copy) waits on a FIFO.
# usage: lock.sh VFIOKIT FIXTURES_DIR
set -u
vfiokit=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") fixtures=$(cd "$2" && pwd)
export LC_ALL=C NO_COLOR=1
tmp=$(mktemp -d) || exit 1
holder=
trap '[ -n "$holder" ] && kill "$holder" 2>/dev/null; rm -rf "$tmp"' EXIT
n=0 fail=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; [ -n "${3-}" ] && sed 's/^/# /' "$3"; fi; }
# Wait (at most 30 s) until a file exists.
await() { i=0; while [ ! -e "$1" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done; [ -e "$1" ]; }

if [ ! -x /bin/busybox ] || [ "$(id -u)" != 0 ] || ! command -v flock >/dev/null; then
	echo "1..0 # SKIP needs root (chroot), busybox-static and flock(1)"
	exit 0
fi

# The article's machine with GRUB and initramfs-tools, a CPU topology for
# tune hook, and an update-initramfs that pauses while /wait is a FIFO.
c="$tmp/root"
cp -a "$fixtures/hosts/article" "$c"
python3 "$fixtures/mkcpu.py" "$fixtures/cpus/article-ryzen5-1600.lscpu" "$c" || exit 1
mkdir -p "$c/etc/default" "$c/etc/initramfs-tools" "$c/usr/sbin" "$c/bin" "$c/usr/lib/systemd" "$c/sys/fs/cgroup"
: >"$c/usr/lib/systemd/libsystemd-shared-252.so"
: >"$c/sys/fs/cgroup/cgroup.controllers"
printf 'GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX_DEFAULT="quiet"\nGRUB_CMDLINE_LINUX=""\n' >"$c/etc/default/grub"
: >"$c/etc/initramfs-tools/modules"
cp /bin/busybox "$c/bin/busybox" && ln -s busybox "$c/bin/sh"
printf '#!/bin/sh\nif [ -p /wait ]; then : >/started; read x </wait; fi\nexit 0\n' >"$c/usr/sbin/update-initramfs"
printf '#!/bin/sh\nexit 0\n' >"$c/usr/sbin/update-grub"
chmod +x "$c/usr/sbin/update-initramfs" "$c/usr/sbin/update-grub"
lock="$c/run/vfiokit/lock"
echo "1..16"

# 1-4: a first setup --apply paused inside update-initramfs holds the lock.
mkfifo "$c/wait"
"$vfiokit" setup --gpu 06:00.0 --root "$c" --apply --chroot >/dev/null 2>"$tmp/first.err" &
first=$!
holder=$first
await "$c/started"
flock -n "$lock" true
[ $? = 1 ] && grep -qx "pid=$first" "$lock" && grep -qx "command=vfiokit setup --apply" "$lock"
ok $? "the first run holds DIR/run/vfiokit/lock, inside the machine copy, and records its pid and command" "$tmp/first.err"
cp "$c/etc/default/grub" "$tmp/grub.mid"
"$vfiokit" setup --gpu 06:00.0 --root "$c" --apply --chroot >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc = 1 ] && grep -q "^vfiokit: $lock is locked by pid $first (vfiokit setup --apply) since 20[0-9-]*T[0-9:]*Z; waited 3 s. Nothing was changed" "$tmp/err" &&
	[ ! -s "$tmp/out" ] && cmp -s "$tmp/grub.mid" "$c/etc/default/grub" && [ "$(ls "$c/var/lib/vfiokit/journal" | wc -l)" = 1 ]
ok $? "a second setup --apply waits, then fails naming the holder, and writes nothing" "$tmp/err"
"$vfiokit" undo --root "$c" >/dev/null 2>"$tmp/err"
[ $? = 1 ] && grep -q "is locked by pid $first (vfiokit setup --apply)" "$tmp/err"
ok $? "undo while setup --apply runs: refused the same way" "$tmp/err"
"$vfiokit" setup --gpu 06:00.0 --root "$c" >/dev/null 2>"$tmp/err"
ok $? "setup without --apply changes nothing and does not wait for the lock" "$tmp/err"
echo >"$c/wait"
wait "$first"
rc=$?
holder=
rm -f "$c/wait" "$c/started"

# 5-6: one after the other, both succeed.
[ $rc = 0 ] && grep -q "journal entry" "$tmp/first.err" && [ ! -s "$lock" ]
ok $? "the first run finishes and leaves an empty record" "$tmp/first.err"
"$vfiokit" setup --gpu 06:00.0 --root "$c" --apply --chroot >/dev/null 2>"$tmp/err" &&
	grep -q "nothing to do" "$tmp/err" && "$vfiokit" undo --root "$c" --chroot >/dev/null 2>>"$tmp/err"
ok $? "then a second setup --apply (nothing to do) and undo run, one after the other" "$tmp/err"

# 7-10: a lock held by another program (flock(1)), no record or a hostile one.
hold() { # hold SECONDS-TO-WAIT-FOR-release
	rm -f "$tmp/held" "$tmp/release"
	flock "$lock" sh -c ': >"$1/held"; i=0; while [ ! -e "$1/release" ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done' sh "$tmp" &
	holder=$!
	await "$tmp/held"
}
release() { : >"$tmp/release"; wait "$holder"; holder=; }
hold
"$vfiokit" tune hook g --vcpus 2 --no-sleep --root "$c" --apply >/dev/null 2>"$tmp/err"
[ $? = 1 ] && grep -q "^vfiokit: $lock is locked by another process; waited 3 s" "$tmp/err" &&
	[ ! -e "$c/etc/libvirt/hooks/qemu.d/vfiokit-g" ]
ok $? "tune hook --apply: refused while another process holds the lock, nothing written" "$tmp/err"
# No leak check where libvirt's threads may run at exit (see vk() in tests/vm.sh).
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" "$vfiokit" vm create g --gpu 06:00.0 --root "$c" --define --connect test:///default >/dev/null 2>"$tmp/err"
[ $? = 1 ] && grep -q "is locked by another process" "$tmp/err" && ! grep -q "defined" "$tmp/err"
ok $? "vm create --define: refused while the lock is held, nothing defined" "$tmp/err"
release
printf 'pid=12\ncommand=vfiokit \033[31mred\nsince=now\n' >"$lock"
hold
"$vfiokit" undo --root "$c" >/dev/null 2>"$tmp/err"
[ $? = 1 ] && grep -q "is locked by pid 12 since now; waited" "$tmp/err" && ! grep -q "red" "$tmp/err"
ok $? "a record with control characters: its pid and time shown, never its bytes" "$tmp/err"
release
: >"$lock"
# The holder lets go while the second run waits: that run goes ahead.
hold
"$vfiokit" tune hook g --vcpus 2 --no-sleep --root "$c" --apply >/dev/null 2>"$tmp/err" &
second=$!
: >"$tmp/release"
wait "$second"
rc=$?
wait "$holder"
holder=
[ $rc = 0 ] && [ -x "$c/etc/libvirt/hooks/qemu.d/vfiokit-g" ]
ok $? "a run that finds the lock held waits for it and then goes ahead" "$tmp/err"

# 11: only root opens it.
[ -f "$lock" ] && [ "$(stat -c %a "$lock")" = 600 ]
ok $? "the lock file is in the machine copy, mode 0600"

# 12-13: the record truncates the lock file, so the lock file must be
# vfiokit's own: a hard link to a file of the copy (its bytes would be
# lost) or a FIFO is refused by name, and nothing is changed.
rm -f "$lock"
ln "$c/etc/initramfs-tools/modules" "$lock"
printf 'vfio\n# mine\n' >"$lock"
cp "$c/etc/default/grub" "$tmp/grub.before"
"$vfiokit" setup --gpu 06:00.0 --root "$c" --apply >/dev/null 2>"$tmp/err"
[ $? = 1 ] && grep -q "^vfiokit: cannot lock $lock: it is a hard link to another file" "$tmp/err" &&
	[ "$(cat "$c/etc/initramfs-tools/modules")" = "$(printf 'vfio\n# mine')" ] && cmp -s "$tmp/grub.before" "$c/etc/default/grub"
ok $? "a lock file hard-linked to a file of the copy: refused, that file keeps its bytes" "$tmp/err"
rm -f "$lock" && mkfifo "$lock"
timeout 20 "$vfiokit" undo --root "$c" >/dev/null 2>"$tmp/err"
[ $? = 1 ] && grep -q "^vfiokit: cannot lock $lock: it is not a regular file" "$tmp/err"
ok $? "a FIFO in place of the lock file: refused at once, named" "$tmp/err"

# 14-16: a symbolic link at run, run/vfiokit or the lock (inside the copy)
# would put the lock where it points: refused by name, nothing made there.
for at in run run/vfiokit run/vfiokit/lock; do
	rm -rf "$c/run" "$c/elsewhere"
	mkdir -p "$c/elsewhere" "$c/$(dirname $at)"
	ln -s /elsewhere "$c/$at" # absolute: it resolves inside the copy
	"$vfiokit" setup --gpu 06:00.0 --root "$c" --apply >/dev/null 2>"$tmp/err"
	[ $? = 1 ] && grep -q "^vfiokit: cannot lock $lock: /run, /run/vfiokit or the lock is a symbolic link" "$tmp/err" &&
		[ -z "$(ls -A "$c/elsewhere")" ] && cmp -s "$tmp/grub.before" "$c/etc/default/grub"
	ok $? "$at a symbolic link: refused by name, nothing made where it points" "$tmp/err"
done
exit $fail
