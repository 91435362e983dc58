#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# What setup --apply must not drop without a word: a boot loader's file that
# is there but cannot be read (a symbolic link to nothing, one that leaves the
# machine copy, a FIFO) gives the kernel parameters no command line to reach,
# so the plan says "by hand" for it instead of reporting success. A journal
# manifest with a line vfiokit cannot read (a damaged "file" line) is shown
# as damaged and refused, never undone without the change that line held.
# A mount table that is empty, lacks "/" or has a line that cannot be read
# does not say the SATA controller holding / is free: bind refuses; nor does
# a mount whose block device /sys/dev/block does not show, nor a DRM
# connector whose status cannot be read, nor a default route through an
# interface /sys/class/net does not show.
# usage: trust2.sh VFIOKIT FIXTURES
set -u
vfiokit=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") fixtures=$(cd "$2" && pwd)
export LC_ALL=C NO_COLOR=1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
n=0 fail=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; [ -n "${3-}" ] && sed 's/^/# /' "$3" | head -40; fi; }

# The article's machine with GRUB (update-grub) and initramfs-tools.
base="$tmp/base"
cp -a "$fixtures/hosts/article" "$base"
mkdir -p "$base/etc/default" "$base/etc/initramfs-tools" "$base/usr/sbin"
printf 'GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX_DEFAULT="quiet"\nGRUB_CMDLINE_LINUX=""\n' >"$base/etc/default/grub"
: >"$base/etc/initramfs-tools/modules"
: >"$base/usr/sbin/update-grub"
: >"$base/usr/sbin/update-initramfs"
echo "1..13"

# 1-3: /etc/default/grub there (GRUB is the boot loader) but unreadable.
i=0
for shape in dangling escaping fifo; do
	c="$tmp/$shape"
	cp -a "$base" "$c"
	rm "$c/etc/default/grub"
	case $shape in
	dangling) ln -s ../grub.gone "$c/etc/default/grub" ;;
	escaping) cp "$base/etc/default/grub" "$tmp/grub.outside" && ln -s ../../../grub.outside "$c/etc/default/grub" ;;
	fifo) mkfifo "$c/etc/default/grub" ;;
	esac
	timeout 20 "$vfiokit" setup --gpu 06:00.0 --root "$c" --apply >"$tmp/out" 2>"$tmp/err"
	rc=$?
	cat "$tmp/err" >>"$tmp/out"
	[ $rc = 0 ] && grep -q '^# by hand: GRUB: /etc/default/grub could not be read.*add "intel_iommu=on" to GRUB_CMDLINE_LINUX_DEFAULT' "$tmp/out" &&
		! grep -q "update-grub" "$tmp/out"
	ok $? "/etc/default/grub $shape: the kernel parameters are said to be added by hand, not dropped" "$tmp/out"
done

# 4-5: a damaged "file" line in the manifest.
c="$tmp/damaged"
cp -a "$base" "$c"
"$vfiokit" setup --gpu 06:00.0 --root "$c" --apply >/dev/null 2>"$tmp/err" || cat "$tmp/err"
m=$(ls "$c"/var/lib/vfiokit/journal/*/manifest)
sed -i '0,/^file /s//fxle /' "$m"
cp "$c/etc/modprobe.d/vfio.conf" "$tmp/vfio.conf"
"$vfiokit" journal -n -o STATE --root "$c" >"$tmp/out" 2>&1
[ "$(cat "$tmp/out")" = damaged ]
ok $? "journal: an entry with a line it cannot read is damaged" "$tmp/out"
"$vfiokit" undo --root "$c" >"$tmp/out" 2>&1
[ $? = 1 ] && grep -q "has a line vfiokit cannot read: 'fxle 0 " "$tmp/out" && cmp -s "$tmp/vfio.conf" "$c/etc/modprobe.d/vfio.conf"
ok $? "undo: refused, naming the line; the file that line named is not left behind as undone" "$tmp/out"

# 6-9: bind 00:1f.2 (AHCI, holds / and /boot) with a mount table it cannot
# trust; swap and /boot are on no disk here, so only / could refuse.
for shape in empty no-root unreadable-line; do
	c="$tmp/mounts-$shape"
	cp -a "$fixtures/hosts/article" "$c"
	printf 'Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n' >"$c/proc/swaps"
	sed -i '/ \/boot /d' "$c/proc/self/mountinfo"
	case $shape in
	empty) : >"$c/proc/self/mountinfo" ;;
	no-root) sed -i '/ \/ \/ /d' "$c/proc/self/mountinfo" ;;
	unreadable-line) sed -i '/ \/ \/ /s/ - / = /' "$c/proc/self/mountinfo" ;;
	esac
	"$vfiokit" bind 00:1f.2 --dry-run --root "$c" >"$tmp/out" 2>&1
	[ $? = 1 ] && grep -q "^vfiokit: refused: cannot tell whether 0000:00:1f.2 holds a mounted filesystem or swap of this host (/proc/self/mountinfo: [a-z /]*). To do it anyway: --allow-mounted" "$tmp/out" &&
		! grep -q "drivers/ahci/unbind" "$tmp/out"
	ok $? "bind: mountinfo $shape: the controller that holds / is refused as unknown" "$tmp/out"
done
"$vfiokit" bind 00:1f.2 --dry-run --allow-mounted --root "$c" >"$tmp/out" 2>&1
[ $? = 0 ] && grep -q "drivers/ahci/unbind" "$tmp/out"
ok $? "bind: with --allow-mounted it goes ahead" "$tmp/out"

# 10: / on 8:2, and no /sys/dev/block/8:2 to say which disk that is.
c="$tmp/no-block-link"
cp -a "$fixtures/hosts/article" "$c"
printf 'Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n' >"$c/proc/swaps"
sed -i '/ \/boot /d' "$c/proc/self/mountinfo"
rm "$c/sys/dev/block/8:2"
"$vfiokit" bind 00:1f.2 --dry-run --root "$c" >"$tmp/out" 2>&1
[ $? = 1 ] && grep -q "^vfiokit: refused: cannot tell whether 0000:00:1f.2 holds a mounted filesystem or swap of this host (/sys/dev/block/8:2: absent)" "$tmp/out" &&
	! grep -q "drivers/ahci/unbind" "$tmp/out"
ok $? "bind: a mount whose block device sysfs does not show: refused as unknown" "$tmp/out"

# 11-12: the GTX 970's DVI connector with a status that cannot be read.
c="$tmp/drm-status"
cp -a "$fixtures/hosts/article" "$c"
rm "$c/sys/class/drm/card1-DVI-D-1/status"
mkfifo "$c/sys/class/drm/card1-DVI-D-1/status"
timeout 20 "$vfiokit" bind 06:00.0 --dry-run --root "$c" >"$tmp/out" 2>&1
[ $? = 1 ] && grep -q "^vfiokit: refused: cannot tell whether 0000:06:00.0 drives a display of this host (/sys/class/drm/card1-DVI-D-1/status: not a regular file.*). To do it anyway: --allow-display" "$tmp/out" &&
	! grep -q "drivers/nouveau/unbind" "$tmp/out"
ok $? "bind: a DRM connector whose status cannot be read: refused as unknown" "$tmp/out"
timeout 20 "$vfiokit" bind 06:00.0 --dry-run --allow-display --root "$c" >"$tmp/out" 2>&1
[ $? = 0 ] && grep -q "drivers/nouveau/unbind" "$tmp/out"
ok $? "bind: with --allow-display it goes ahead" "$tmp/out"

# 13: the default route is via enp5s0, and /sys/class/net/enp5s0 is gone.
c="$tmp/no-iface"
cp -a "$fixtures/hosts/article" "$c"
rm "$c/sys/class/net/enp5s0"
"$vfiokit" bind 05:00.0 --dry-run --root "$c" >"$tmp/out" 2>&1
[ $? = 1 ] && grep -q "^vfiokit: refused: cannot tell whether 0000:05:00.0 carries this host's default route (/sys/class/net/enp5s0: absent). To do it anyway: --allow-default-route" "$tmp/out" &&
	! grep -q "drivers/r8169/unbind" "$tmp/out"
ok $? "bind: the default route's interface absent from sysfs: refused as unknown" "$tmp/out"
exit $fail
