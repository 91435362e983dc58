#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Make tests/fixtures/hosts/q35-e2e: boot Debian's kernel in QEMU on the q35
# machine of boot-q35.sh, let guest-bind.sh take `vfiokit snapshot` before it
# changes anything (with a mounted disk and a default route in place), and
# unpack what it took.
#
# usage: tests/e2e/make-q35-fixture.sh BUILD_DIR [OUT_DIR]
#   BUILD_DIR  a meson build dir holding src/vfiokit
#   OUT_DIR    default tests/fixtures/hosts/q35-e2e
set -eu
build=$1
here=$(cd "$(dirname "$0")" && pwd)
out=${2:-$here/../fixtures/hosts/q35-e2e}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

sh "$here/boot-q35.sh" "$build" "$here/guest-bind.sh" "$work/serial.log"
sh "$here/snapshot-from-log.sh" "$work/serial.log" "$work/snap.tar.gz"
rm -rf "$out"
mkdir -p "$out"
tar -xzf "$work/snap.tar.gz" -C "$out"
echo "wrote $out" >&2
