#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# undo --chroot runs the commands a journal entry records inside the machine
# copy, and a journal inside a copy may come from anyone: only the commands
# vfiokit setup records (the backends' regenerate commands, kernelstub's and
# rpm-ostree's forms) run; another is refused before anything changes,
# shown, and runs only with --allow-unknown-commands. The copy's own
# update-initramfs and update-grub (busybox scripts) log that they ran.
# usage: undo-commands.sh VFIOKIT FIXTURES_DIR
set -u
vfiokit=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") fixtures=$(cd "$2" && pwd)
export LC_ALL=C NO_COLOR=1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
n=0 fail=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; [ -n "${3-}" ] && sed 's/^/# /' "$3" | head -30; fi; }
if [ ! -x /bin/busybox ] || [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP needs root (chroot) and busybox-static"
	exit 0
fi

c="$tmp/root"
cp -a "$fixtures/hosts/article" "$c"
mkdir -p "$c/etc/default" "$c/etc/initramfs-tools" "$c/usr/sbin" "$c/bin"
printf 'GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX_DEFAULT="quiet"\n' >"$c/etc/default/grub"
cp "$c/etc/default/grub" "$tmp/grub.orig"
: >"$c/etc/initramfs-tools/modules"
cp /bin/busybox "$c/bin/busybox" && ln -s busybox "$c/bin/sh" && ln -s busybox "$c/bin/touch"
printf '#!/bin/sh\necho update-grub >>/ran\n' >"$c/usr/sbin/update-grub"
printf '#!/bin/sh\necho update-initramfs >>/ran\n' >"$c/usr/sbin/update-initramfs"
chmod +x "$c/usr/sbin/update-grub" "$c/usr/sbin/update-initramfs"
apply() { "$vfiokit" setup --gpu 06:00.0 --root "$c" --apply --chroot >/dev/null 2>"$tmp/err" || cat "$tmp/err"; rm -f "$c/ran"; }
# The manifest of the one entry applied (two entries may share a second).
applied() { grep -l '^state applied$' "$c"/var/lib/vfiokit/journal/*/manifest; }
state() { "$vfiokit" journal -n -o STATE --root "$c" | tail -1; }
echo "1..6"

# 1: vfiokit's own entry: its regenerate commands run.
apply
"$vfiokit" undo --root "$c" --chroot >"$tmp/out" 2>&1
[ $? = 0 ] && [ "$(cat "$c/ran")" = "$(printf 'update-initramfs\nupdate-grub')" ] && cmp -s "$tmp/grub.orig" "$c/etc/default/grub"
ok $? "an entry setup wrote: undone, update-initramfs and update-grub run in the copy" "$tmp/out"

# 2-3: a regenerate command replaced in the manifest.
rm -f "$c/ran"
apply
sed -i 's/^regen update-grub$/regen touch\\040\/pwned/' "$(applied)"
cp "$c/etc/default/grub" "$tmp/grub.applied"
"$vfiokit" undo --root "$c" --chroot >"$tmp/out" 2>&1
[ $? = 1 ] && grep -q "^vfiokit: journal entry [0-9-]* would run 'touch /pwned', which is not a command vfiokit records (the journal may not be vfiokit's); nothing was changed. Read the entry .*--allow-unknown-commands runs it anyway" "$tmp/out" &&
	[ ! -e "$c/pwned" ] && [ ! -e "$c/ran" ] && cmp -s "$tmp/grub.applied" "$c/etc/default/grub" && [ "$(state)" = applied ]
ok $? "a command vfiokit does not record: refused, shown, nothing run or changed" "$tmp/out"
"$vfiokit" undo --root "$c" --chroot --allow-unknown-commands >"$tmp/out" 2>&1
[ $? = 0 ] && [ -e "$c/pwned" ] && cmp -s "$tmp/grub.orig" "$c/etc/default/grub" && [ "$(state)" = undone ]
ok $? "--allow-unknown-commands: undone, the command run" "$tmp/out"

# 4: an inverse command added to the manifest (kernelstub's form to apply,
# anything to undo).
rm -f "$c/ran" "$c/pwned"
apply
printf 'exec kernelstub\\040-a\\040iommu=pt touch\\040/pwned\n' >>"$(applied)"
"$vfiokit" undo --root "$c" --chroot >"$tmp/out" 2>&1
[ $? = 1 ] && grep -q "would run 'touch /pwned', which is not a command vfiokit records" "$tmp/out" && [ ! -e "$c/pwned" ] &&
	[ "$(state)" = applied ]
ok $? "an inverse that is not kernelstub's: refused" "$tmp/out"

# 5: without --chroot nothing runs (the commands are listed): no refusal.
"$vfiokit" undo --root "$c" >"$tmp/out" 2>&1
[ $? = 0 ] && grep -q "^  touch /pwned" "$tmp/out" && [ ! -e "$c/pwned" ]
ok $? "undo of a copy without --chroot lists the commands, runs none" "$tmp/out"

# 6
"$vfiokit" undo --root "$c" --allow-unknown-commands >"$tmp/out" 2>&1
[ $? = 2 ] && grep -q "goes with --chroot" "$tmp/out"
ok $? "--allow-unknown-commands without --chroot: a usage error" "$tmp/out"
exit $fail
