#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/summary.py, the closing line CI reads: a missing or empty meson log
# is a failure (a build configured without tests must never pass as green).
# usage: summary-test.sh SUMMARY_PY
set -u
summary=$1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
n=0
t() { # t NAME EXPECTED_LINE ARGS...
	name=$1 want=$2; shift 2
	n=$((n + 1))
	got=$(python3 "$summary" "$@" 2>/dev/null)
	if [ "$got" = "$want" ]; then echo "ok $n - $name"; else echo "not ok $n - $name: got '$got', want '$want'"; fi
}
printf '{"result": "OK"}\n{"result": "SKIP"}\n{"result": "FAIL"}\n' >"$tmp/a.json"
: >"$tmp/empty.json"
echo "1..5"
t "counts a log" "1 passed, 1 failed, 1 skipped" "$tmp/a.json"
t "missing log is a failure" "1 passed, 2 failed, 1 skipped" "$tmp/a.json" "$tmp/none.json"
t "empty log is a failure" "0 passed, 1 failed, 0 skipped" "$tmp/empty.json"
t "extra runs" "1 passed, 2 failed, 1 skipped" "$tmp/a.json" --extra fuzz=1
n=$((n + 1))
if python3 "$summary" "$tmp/none.json" 2>&1 >/dev/null | grep -q "no test ran"; then
	echo "ok $n - missing log named on stderr"; else echo "not ok $n - missing log not named"; fi
