#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# What setup --apply must not drop without a word: a boot loader's file that
# is there but cannot be read (a symbolic link to nothing, one that leaves the
# machine copy, a FIFO) gives the kernel parameters no command line to reach,
# so the plan says "by hand" for it instead of reporting success. A journal
# manifest with a line vfiokit cannot read (a damaged "file" line) is shown
# as damaged and refused, never undone without the change that line held.
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
echo "1..5"

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
exit $fail
