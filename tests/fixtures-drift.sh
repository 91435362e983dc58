#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The committed fixture trees are exactly what tests/fixtures/mkhost.py makes
# from tests/fixtures/specs: no hand edits drift away from their description.
# usage: fixtures-drift.sh FIXTURES_SRC (tests/fixtures)
set -u
src=$1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
specs=$(ls "$src"/specs/*.json)
echo "1..$(echo "$specs" | wc -w)"
for spec in $specs; do
	host=$(basename "$spec" .json)
	python3 "$src/mkhost.py" "$spec" "$tmp/$host" --ids "$src/hosts/$host/usr/share/misc/pci.ids" &&
	if diff -r --no-dereference "$src/hosts/$host" "$tmp/$host" >"$tmp/d" 2>&1; then
		echo "ok - $host matches its spec"
	else
		echo "not ok - $host differs from what its spec makes"; sed 's/^/# /' "$tmp/d"
	fi
done
