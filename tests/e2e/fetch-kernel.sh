#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Unpack the kernel Debian's linux-image-amd64 points at into DIR/k (with
# modules.dep made by depmod) and print its release. The package comes from
# the package registry with `apt-get download`, cached in $VFIOKIT_E2E_CACHE
# (default /var/tmp/vfiokit-e2e), one download at a time.
# With --shared, DIR/k is a symbolic link to one unpacked tree in the cache
# (unpacked/PACKAGE_VERSION, made once, under a lock, and renamed into place
# whole), for callers that only read it: unpacking and depmod cost about
# 12 s of CPU a boot, which the e2e tests that boot in parallel would each pay.
# usage: fetch-kernel.sh [--shared] DIR
set -eu
shared=
[ "$1" = --shared ] && { shared=1; shift; }
dir=$1
cache=${VFIOKIT_E2E_CACHE:-/var/tmp/vfiokit-e2e}
mkdir -p "$cache"
pkg=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
[ -n "$pkg" ] || { echo "cannot tell which kernel linux-image-amd64 depends on (run apt-get update)" >&2; exit 1; }
deb=$(ls "$cache/${pkg}_"*.deb 2>/dev/null | head -1 || true)
if [ -z "$deb" ]; then
	(cd "$cache" && flock .download sh -c "ls ${pkg}_*.deb >/dev/null 2>&1 || apt-get download $pkg" >&2)
	deb=$(ls "$cache/${pkg}_"*.deb | head -1)
fi
release=${pkg#linux-image-}
if [ -n "$shared" ]; then
	tree="$cache/unpacked/$(basename "$deb" .deb)"
	if [ ! -d "$tree" ]; then
		mkdir -p "$cache/unpacked"
		# The package leaves modules.dep and modules.alias to depmod at install time.
		flock "$cache/unpacked/.lock" sh -c '
			[ -d "$1" ] && exit 0
			rm -rf "$1.part" && mkdir "$1.part" &&
			dpkg-deb -x "$2" "$1.part/k" && /sbin/depmod -b "$1.part/k" "$3" && mv "$1.part" "$1"' \
			sh "$tree" "$deb" "$release" >&2
	fi
	ln -s "$tree/k" "$dir/k"
else
	dpkg-deb -x "$deb" "$dir/k"
	# The package leaves modules.dep and modules.alias to depmod at install time.
	/sbin/depmod -b "$dir/k" "$release"
fi
echo "$release"
