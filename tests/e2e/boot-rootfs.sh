#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The Debian 12 root file system of the reboot test's disks, from the
# package registry with mmdebstrap (minbase and the packages below, no
# documentation), as a tarball cached as CACHE/rootfs-KEY.tar, KEY a hash of
# this script (the package list is in it). One tarball for both families:
# it has GRUB and systemd-boot, and boot-image.sh purges the one a family
# does not boot with. The .deb files are kept in $VFIOKIT_E2E_CACHE/debs
# (default /var/tmp/vfiokit-e2e/debs), so a rebuild downloads only what
# changed in the registry. The kernel's postinst makes its initramfs with
# MODULES=list (conf.d/modules): quick, and boot-image.sh makes the one the
# disk boots with anyway. Two callers at once: the second waits for the
# first's tarball.
# Prints the tarball's path. usage: boot-rootfs.sh CACHE_DIR
set -eu
cache=$1
debs=${VFIOKIT_E2E_CACHE:-/var/tmp/vfiokit-e2e}/debs
suite=bookworm
mirror=${VFIOKIT_E2E_MIRROR:-http://deb.debian.org/debian}
security=${VFIOKIT_E2E_SECURITY:-http://deb.debian.org/debian-security}
# What vfiokit links (ldd build/src/vfiokit), what a booting system needs,
# and zstd, which initramfs-tools recommends (its default compressor; without
# it mkinitramfs falls back to gzip, several times slower under TCG).
pkgs=linux-image-amd64,initramfs-tools,zstd,kmod,udev,systemd-sysv,e2fsprogs,libpci3,libsmartcols1,libxml2,libvirt0,libjson-c5,pci.ids
pkgs=$pkgs,grub-pc,systemd-boot,dosfstools
key=$(sha256sum <"$0" | cut -c1-16)
tarball=$cache/rootfs-$key.tar
mkdir -p "$cache" "$debs"
exec 8>"$cache/.lock-rootfs"
flock 8
[ -f "$tarball" ] && { echo "$tarball"; exit 0; }
command -v mmdebstrap >/dev/null || { echo "boot-rootfs.sh: mmdebstrap is missing" >&2; exit 1; }
log=$(mktemp)
trap 'rm -f "$log" "$tarball.part"' EXIT INT TERM
start=$(date +%s)
nice -n 10 mmdebstrap --variant=minbase --mode=root --format=tar --skip=essential/unlink \
	--include="$pkgs" \
	--dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
	--dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-exclude=/usr/share/info/*' \
	--setup-hook='mkdir -p "$1"/var/cache/apt/archives/' \
	--essential-hook='mkdir -p "$1"/etc/initramfs-tools/conf.d && printf "MODULES=list\n" >"$1"/etc/initramfs-tools/conf.d/modules' \
	--setup-hook="sync-in $debs /var/cache/apt/archives/" \
	--customize-hook="sync-out /var/cache/apt/archives $debs" \
	--customize-hook='rm -f "$1"/var/cache/apt/archives/*.deb' \
	"$suite" "$tarball.part" "deb $mirror $suite main" "deb $mirror $suite-updates main" \
	"deb $security $suite-security main" >"$log" 2>&1 ||
	{ tail -30 "$log" >&2; echo "boot-rootfs.sh: mmdebstrap failed" >&2; exit 1; }
mv "$tarball.part" "$tarball"
echo "boot-rootfs.sh: root file system made in $(( $(date +%s) - start )) s" >&2
echo "$tarball"
