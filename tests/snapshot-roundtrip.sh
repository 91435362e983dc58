#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# `vfiokit snapshot` of each fixture host, unpacked, must give the same output
# as the host itself for every command: it took exactly what vfiokit reads.
# usage: snapshot-roundtrip.sh VFIOKIT FIXTURES
set -u
vfiokit=$1 fixtures=$2
export LC_ALL=C NO_COLOR=1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
commands="groups -J -o NAME,VERDICT,ID,SUBSYS,CLASS,REV,TYPE,VENDOR,PRODUCT,DRIVER,MODULES,RESET,BOOTVGA,ROLE,NUMA,GROUP,SHARED
groups --usb
groups
check -J
check
inventory -J"
hosts=$(cd "$fixtures" && ls -d */ | tr -d /)
echo "1..$(( $(echo "$hosts" | wc -w) * 3 ))"
for host in $hosts; do
	snap="$tmp/$host.tar.gz" dir="$tmp/$host"
	if "$vfiokit" snapshot --root "$fixtures/$host" -o "$snap" >"$tmp/log" 2>&1 && mkdir "$dir" &&
	   tar -xzf "$snap" -C "$dir"; then
		echo "ok - $host: snapshot taken and unpacked ($(wc -c <"$snap") bytes)"
	else
		echo "not ok - $host: snapshot failed"; sed 's/^/# /' "$tmp/log"; continue
	fi
	same=ok
	echo "$commands" | while read -r args; do
		# shellcheck disable=SC2086
		"$vfiokit" $args --root "$fixtures/$host" >"$tmp/a" 2>&1; echo "exit $?" >>"$tmp/a"
		# shellcheck disable=SC2086
		"$vfiokit" $args --root "$dir" >"$tmp/b" 2>&1; echo "exit $?" >>"$tmp/b"
		diff -u "$tmp/a" "$tmp/b" >"$tmp/d" || { echo "# $args:"; sed 's/^/# /' "$tmp/d"; echo "differs" >"$tmp/bad"; }
	done
	if [ -e "$tmp/bad" ]; then echo "not ok - $host: output from the snapshot differs"; rm "$tmp/bad"
	else echo "ok - $host: every command gives the same output from the snapshot"; fi
	# Nothing secret, nothing it did not read.
	if [ -e "$dir/etc/shadow" ] || [ -e "$dir/etc/passwd" ] || [ -e "$dir/home" ]; then
		echo "not ok - $host: snapshot holds a denied path"
	else
		echo "ok - $host: no credentials or home directories in the snapshot"
	fi
done
