#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# snapshot -o OUT never replaces an OUT without --force, even one made while
# the snapshot was taken: tests/fault/failat.c makes OUT appear just before
# the final rename (FAILAT_PLANT), with renameat2's RENAME_NOREPLACE and
# with the link fallback of file systems that lack it (FAILAT_NO_RENAME2).
# usage: snapshot-out.sh VFIOKIT FIXTURES (FAILAT_SO in the environment)
set -u
vfiokit=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") fixtures=$(cd "$2" && pwd)
export LC_ALL=C NO_COLOR=1
# The preloaded failat.so is not built with ASan (make check runs this under it).
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
n=0 fail=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; [ -n "${3-}" ] && sed 's/^/# /' "$3" | head -20; fi; }
if [ -z "${FAILAT_SO-}" ] || [ ! -e "$FAILAT_SO" ]; then
	echo "1..0 # SKIP FAILAT_SO (tests/fault/failat.c, built by meson) is not set"
	exit 0
fi
out="$tmp/out.tar.gz"
# No file left beside OUT but OUT.
alone() { [ "$(ls "$tmp" | grep -c '^out\.tar\.gz')" = "$1" ]; }
echo "1..5"

for fallback in "" 1; do
	rm -f "$out"
	FAILAT_PLANT="$out" FAILAT_NO_RENAME2=$fallback LD_PRELOAD="$FAILAT_SO" \
		"$vfiokit" snapshot -o "$out" --root "$fixtures/article" >"$tmp/log" 2>&1
	rc=$?
	[ $rc = 1 ] && grep -q "^vfiokit: $out exists (made while the snapshot was taken); use --force to replace it" "$tmp/log" &&
		[ "$(cat "$out")" = planted ] && alone 1
	ok $? "an OUT made meanwhile is kept${fallback:+ (link fallback)}, named, no temporary file left" "$tmp/log"
done
rm -f "$out"
FAILAT_NO_RENAME2=1 LD_PRELOAD="$FAILAT_SO" "$vfiokit" snapshot -o "$out" --root "$fixtures/article" >"$tmp/log" 2>&1
[ $? = 0 ] && tar -tzf "$out" >/dev/null && [ "$(stat -c %a "$out")" = 600 ] && [ "$(stat -c %h "$out")" = 1 ] && alone 1
ok $? "link fallback: the tarball written, mode 0600, one name" "$tmp/log"
rm -f "$out"
FAILAT_PLANT="$out" LD_PRELOAD="$FAILAT_SO" "$vfiokit" snapshot -o "$out" --force --root "$fixtures/article" >"$tmp/log" 2>&1
[ $? = 0 ] && tar -tzf "$out" >/dev/null && alone 1
ok $? "--force: an OUT made meanwhile is replaced" "$tmp/log"
"$vfiokit" snapshot -o "$out" --root "$fixtures/article" >"$tmp/log" 2>&1
[ $? = 1 ] && grep -q "use --force" "$tmp/log" && tar -tzf "$out" >/dev/null
ok $? "an OUT there before is kept" "$tmp/log"
exit $fail
