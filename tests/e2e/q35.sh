#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The end-to-end test, one boot: a real kernel in QEMU (TCG) on a q35 machine
# with an emulated Intel IOMMU (boot-q35.sh) runs guest-bind.sh as root;
# check-q35.py judges vfiokit's output and the sysfs state read back after
# every case; last, the snapshot the guest took must show the groups,
# drivers and verdicts the committed tests/fixtures/hosts/q35-e2e holds.
# usage: q35.sh BUILD_DIR     (prints TAP)
set -u
build=$1
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
command -v qemu-system-x86_64 >/dev/null && [ -x /bin/busybox ] || { echo "1..0 # SKIP qemu-system-x86 or busybox-static missing"; exit 0; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
start=$(date +%s)
if ! sh "$here/boot-q35.sh" "$build" "$here/guest-bind.sh" "$tmp/log" 2>"$tmp/boot"; then
	echo "1..1"; echo "not ok 1 - the guest ran guest-bind.sh to the end"; sed 's/^/# /' "$tmp/boot"; exit 1
fi
echo "# $(cat "$tmp/boot"); whole boot $(( $(date +%s) - start )) s"
python3 "$here/check-q35.py" "$tmp/log" "$tmp/snap.tar.gz" >"$tmp/tap"
rc=$?
grep -v '^1\.\.' "$tmp/tap"
n=$(grep -c '^\(not \)\?ok ' "$tmp/tap")
n=$((n + 1))
mkdir "$tmp/fresh"
cols=NAME,VERDICT,ID,CLASS,DRIVER,RESET,BOOTVGA,ROLE,GROUP
if tar -xzf "$tmp/snap.tar.gz" -C "$tmp/fresh" 2>"$tmp/d" &&
	LC_ALL=C "$build/src/vfiokit" groups -J -o $cols --root "$build/tests/fixtures/hosts/q35-e2e" >"$tmp/committed" &&
	LC_ALL=C "$build/src/vfiokit" groups -J -o $cols --root "$tmp/fresh" >"$tmp/now" &&
	diff -u "$tmp/committed" "$tmp/now" >"$tmp/d"; then
	echo "ok $n - the real kernel makes the groups the committed q35-e2e fixture holds"
else
	echo "not ok $n - groups differ from the committed q35-e2e fixture"; sed 's/^/# /' "$tmp/d"; rc=1
fi
echo "1..$n"
[ $rc -eq 0 ] || sed 's/^/# /' "$tmp/log" | tail -60
exit $rc
