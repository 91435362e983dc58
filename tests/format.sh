#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The C sources keep the style .clang-format describes (clang-format 14).
# Every file in src/ must come out of clang-format unchanged, except the
# ones tests/format-legacy.txt lists (written before .clang-format, by
# hand, in the same style but wrapped otherwise): of those, only the lines
# changed in the work tree (git diff HEAD) are checked. A listed file that
# now complies is said, to be taken off the list.
# usage: format.sh SOURCE
set -u
src=$1
cd "$src" || exit 1
cf=$(command -v clang-format-14 || command -v clang-format)
cfd=$(command -v clang-format-diff-14 || command -v clang-format-diff)
if [ -z "$cf" ] || ! "$cf" --version | grep -q 'version 14\.'; then
	echo "1..0 # SKIP clang-format 14 is not installed (.clang-format is written for it)"
	exit 0
fi
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	files=$(git ls-files -co --exclude-standard -- 'src/*.c' 'src/*.h')
	git=1
else
	files=$(find src -name '*.[ch]' | sort)
	git=
fi
legacy=tests/format-legacy.txt
echo "1..$(echo "$files" | wc -w)"
n=0 fail=0
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
# One clang-format run over every file: the files it would change (its
# warnings name them); only those are formatted again, to show the diff.
# A clang-format that cannot read .clang-format or a file fails the test
# (it would otherwise warn about nothing).
if ! "$cf" --style=file --dump-config >"$tmp/config" 2>&1; then
	echo "Bail out! $cf cannot read .clang-format: $(head -1 "$tmp/config")"
	exit 1
fi
# shellcheck disable=SC2086
"$cf" --style=file --dry-run --ferror-limit=1 $files >"$tmp/out" 2>&1
rc=$?
sed -n 's/^\([^:]*\):[0-9]*:[0-9]*: warning: code should be clang-formatted.*/\1/p' "$tmp/out" | sort -u >"$tmp/unformatted"
if grep -q "error:" "$tmp/out" || { [ $rc != 0 ] && [ ! -s "$tmp/unformatted" ]; }; then
	echo "Bail out! $cf failed (exit $rc): $(grep -m1 "error:" "$tmp/out")"
	exit 1
fi
# The files changed since HEAD (of the listed ones, only those can fail).
if [ -n "$git" ]; then
	git diff --name-only --no-ext-diff HEAD -- 'src/*.c' 'src/*.h' >"$tmp/changed" 2>/dev/null
	git ls-files -o --exclude-standard -- 'src/*.c' 'src/*.h' >>"$tmp/changed"
else
	: >"$tmp/changed"
fi
for f in $files; do
	n=$((n + 1))
	if ! grep -qxF "$f" "$tmp/unformatted"; then
		if grep -qxF "$f" "$legacy"; then
			echo "ok $n - $f is formatted # take it off $legacy"
		else
			echo "ok $n - $f is formatted"
		fi
	elif ! grep -qxF "$f" "$legacy"; then
		"$cf" --style=file "$f" | diff -u "$f" - >"$tmp/diff"
		echo "not ok $n - $f is not formatted as .clang-format says (run: clang-format -i $f):"
		sed 's/^/#   /' "$tmp/diff"
		fail=$((fail + 1))
	elif [ -n "$git" ] && [ -n "$cfd" ] && grep -qxF "$f" "$tmp/changed" &&
		git diff -U0 --no-ext-diff HEAD -- "$f" | "$cfd" -p1 -binary "$cf" >"$tmp/diff" && [ -s "$tmp/diff" ]; then
		echo "not ok $n - $f: the lines changed since HEAD are not formatted as .clang-format says:"
		sed 's/^/#   /' "$tmp/diff"
		fail=$((fail + 1))
	else
		echo "ok $n - $f: listed in $legacy; its changed lines are formatted"
	fi
done
[ "$fail" = 0 ]
