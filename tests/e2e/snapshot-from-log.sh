#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Cut the snapshot tarball guest-bind.sh printed (base64 between
# "=== SNAPSHOT-BEGIN" and "=== SNAPSHOT-END") out of a serial log.
# usage: snapshot-from-log.sh SERIAL_LOG OUT.tar.gz
set -eu
sed -n '/^=== SNAPSHOT-BEGIN/,/^=== SNAPSHOT-END/p' "$1" | tr -d '\r' | grep -v '^=== SNAPSHOT' >"$2.b64"
if ! base64 -d "$2.b64" >"$2" 2>/dev/null || ! [ -s "$2" ]; then
	rm -f "$2.b64"
	echo "no snapshot in $1; the serial console said:" >&2
	tail -40 "$1" >&2
	exit 1
fi
rm -f "$2.b64"
