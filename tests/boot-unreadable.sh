#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# A boot backend whose file is there but cannot be read (no permission, a
# directory, a FIFO, a symbolic link to nothing, one leaving the machine
# copy): setup names the file and why (a warning), plans that backend only
# as a line to add by hand, and still plans the other backends; the exit
# status is the one of any plan with lines by hand (0). For GRUB, rEFInd,
# Limine and a systemd-boot entry (beside a readable entry, left alone).
# usage: boot-unreadable.sh VFIOKIT FIXTURES
set -u
vfiokit=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") fixtures=$(cd "$2" && pwd)
export LC_ALL=C NO_COLOR=1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp" # root bypasses file permissions: the permission case runs as nobody
n=0 fail=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; [ -n "${3-}" ] && sed 's/^/# /' "$3" | head -40; fi; }

# The article's machine with initramfs-tools, and GRUB unless GRUB is the
# backend under test (then rEFInd's file is there, readable).
mkbase() {
	rm -rf "$2"
	cp -a "$fixtures/hosts/article" "$2"
	mkdir -p "$2/etc/default" "$2/etc/initramfs-tools" "$2/usr/sbin" "$2/boot/loader/entries"
	: >"$2/etc/initramfs-tools/modules"
	: >"$2/usr/sbin/update-initramfs"
	if [ "$1" = grub ]; then
		printf '"Boot" "ro root=/dev/sda2 quiet"\n' >"$2/boot/refind_linux.conf"
	else
		printf 'GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX_DEFAULT="quiet"\n' >"$2/etc/default/grub"
		: >"$2/usr/sbin/update-grub"
	fi
}

echo "1..21"
for be in grub refind limine bls; do
	case $be in
	grub) file=etc/default/grub name=GRUB other=boot/refind_linux.conf ;;
	refind) file=boot/refind_linux.conf name=rEFInd other=etc/default/grub ;;
	limine) file=boot/limine.conf name=Limine other=etc/default/grub ;;
	bls) file=boot/loader/entries/b.conf name=systemd-boot other=etc/default/grub ;;
	esac
	for shape in permission directory fifo dangling escaping; do
		c="$tmp/$be-$shape"
		mkbase $be "$c"
		if [ $be = bls ]; then
			: >"$c/boot/loader/loader.conf"
			printf 'title A\nlinux /vmlinuz\noptions root=/dev/sda2 rw\n' >"$c/boot/loader/entries/a.conf"
			cp "$c/boot/loader/entries/a.conf" "$tmp/a.conf"
		fi
		case $shape in
		permission) printf 'whatever\n' >"$c/$file" && chmod 000 "$c/$file" && why="Permission denied" ;;
		directory) mkdir "$c/$file" && why="Is a directory" ;;
		fifo) mkfifo "$c/$file" && why="not a regular file" ;;
		dangling) ln -s gone.conf "$c/$file" && why="a symbolic link to a file that is not there" ;;
		escaping) printf 'whatever\n' >"$tmp/outside" && ln -s ../../../../../outside "$c/$file" &&
			why="a symbolic link out of the root (../../../../../outside)" ;;
		esac
		run=
		[ $shape = permission ] && [ "$(id -u)" = 0 ] && run="setpriv --reuid=65534 --regid=65534 --clear-groups"
		timeout 20 $run "$vfiokit" setup --gpu 06:00.0 --root "$c" >"$tmp/out" 2>"$tmp/err"
		rc=$?
		cat "$tmp/err" >>"$tmp/out"
		[ $rc = 0 ] &&
			grep -q "^# by hand: $name: /$file could not be read ($why.*): add \"intel_iommu=on\" to " "$tmp/out" &&
			grep -q "^vfiokit: warning: /$file: cannot read: $why" "$tmp/out" &&
			grep -q "^+++ /$other\$" "$tmp/out" && grep -q "^+++ /etc/initramfs-tools/modules\$" "$tmp/out" &&
			! grep -q "^+++ /$file\$" "$tmp/out" && ! grep -q "^+++ /boot/loader/entries/a.conf\$" "$tmp/out"
		ok $? "$name: /$file $shape: named with the reason, by hand; the other backends still plan" "$tmp/out"
	done
done

# 21: with --apply the other backends' edits are made, the bad entry's
# backend touches nothing (its readable entry keeps its bytes).
c="$tmp/bls-dangling"
"$vfiokit" setup --gpu 06:00.0 --root "$c" --apply >"$tmp/out" 2>&1
rc=$?
[ $rc = 0 ] && grep -q "intel_iommu=on" "$c/etc/default/grub" && grep -qx vfio_pci "$c/etc/initramfs-tools/modules" &&
	cmp -s "$tmp/a.conf" "$c/boot/loader/entries/a.conf" && [ -L "$c/boot/loader/entries/b.conf" ]
ok $? "apply: GRUB and initramfs-tools edited, the systemd-boot entries left as they were" "$tmp/out"
exit $fail
