#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The Debian 12 root file system of the reboot test's disks, from the
# package registry with mmdebstrap (minbase and the packages below, no
# documentation), as a tarball cached as CACHE/rootfs-FAMILY-KEY.tar, KEY a
# hash of this script (the package list is in it). The .deb files are kept
# in $VFIOKIT_E2E_CACHE/debs (default /var/tmp/vfiokit-e2e/debs), so a
# rebuild downloads only what changed in the registry.
# Prints the tarball's path. usage: boot-rootfs.sh FAMILY CACHE_DIR
set -eu
family=$1
cache=$2
debs=${VFIOKIT_E2E_CACHE:-/var/tmp/vfiokit-e2e}/debs
suite=bookworm
mirror=${VFIOKIT_E2E_MIRROR:-http://deb.debian.org/debian}
security=${VFIOKIT_E2E_SECURITY:-http://deb.debian.org/debian-security}
# What vfiokit links (ldd build/src/vfiokit) and what a booting system needs.
common=linux-image-amd64,initramfs-tools,kmod,udev,systemd-sysv,e2fsprogs,libpci3,libsmartcols1,libxml2,libvirt0,libjson-c5,pci.ids
case $family in
grub) pkgs=$common,grub-pc ;;
sdboot) pkgs=$common,systemd-boot,dosfstools ;;
*) echo "boot-rootfs.sh: unknown family '$family' (grub or sdboot)" >&2; exit 2 ;;
esac
key=$(printf '%s\n' "$family" | cat - "$0" | sha256sum | cut -c1-16)
tarball=$cache/rootfs-$family-$key.tar
mkdir -p "$cache" "$debs"
[ -f "$tarball" ] && { echo "$tarball"; exit 0; }
command -v mmdebstrap >/dev/null || { echo "boot-rootfs.sh: mmdebstrap is missing" >&2; exit 1; }
log=$(mktemp)
trap 'rm -f "$log" "$tarball.part"' EXIT INT TERM
nice -n 10 mmdebstrap --variant=minbase --mode=root --format=tar --skip=essential/unlink \
	--include="$pkgs" \
	--dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
	--dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-exclude=/usr/share/info/*' \
	--setup-hook='mkdir -p "$1"/var/cache/apt/archives/' \
	--setup-hook="sync-in $debs /var/cache/apt/archives/" \
	--customize-hook="sync-out /var/cache/apt/archives $debs" \
	--customize-hook='rm -f "$1"/var/cache/apt/archives/*.deb' \
	"$suite" "$tarball.part" "deb $mirror $suite main" "deb $mirror $suite-updates main" \
	"deb $security $suite-security main" >"$log" 2>&1 ||
	{ tail -30 "$log" >&2; echo "boot-rootfs.sh: mmdebstrap failed" >&2; exit 1; }
mv "$tarball.part" "$tarball"
echo "$tarball"
