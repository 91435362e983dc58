#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Boot the real kernel again (make-q35-fixture.sh), take a fresh snapshot
# inside it, and check that vfiokit sees the same groups, devices, drivers
# and verdicts as in the committed tests/fixtures/hosts/q35-e2e.
# usage: q35-snapshot.sh BUILD_DIR
# Exit 77 (skipped) when QEMU or busybox is not installed.
set -u
build=$1
top=$(cd "$(dirname "$0")/../.." && pwd)
command -v qemu-system-x86_64 >/dev/null && [ -x /bin/busybox ] || { echo "1..0 # SKIP qemu-system-x86 or busybox-static missing"; exit 0; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
echo "1..2"
start=$(date +%s)
if sh "$top/tests/e2e/make-q35-fixture.sh" "$build" "$tmp/fresh" >"$tmp/log" 2>&1; then
	echo "ok 1 - snapshot taken inside the guest ($(( $(date +%s) - start )) s: $(grep 'guest ran' "$tmp/log"))"
else
	echo "not ok 1 - the guest gave no snapshot"; sed 's/^/# /' "$tmp/log"; exit 1
fi
cols=NAME,VERDICT,ID,CLASS,DRIVER,RESET,BOOTVGA,ROLE,GROUP
LC_ALL=C "$build/src/vfiokit" groups -J -o $cols --root "$top/tests/fixtures/hosts/q35-e2e" >"$tmp/committed"
LC_ALL=C "$build/src/vfiokit" groups -J -o $cols --root "$tmp/fresh" >"$tmp/now"
if diff -u "$tmp/committed" "$tmp/now" >"$tmp/d"; then
	echo "ok 2 - the real kernel makes the groups the committed fixture holds"
else
	echo "not ok 2 - groups differ from the committed fixture"; sed 's/^/# /' "$tmp/d"
fi
