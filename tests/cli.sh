#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Command-line behaviour: usage errors, exit codes, bad --root, write errors.
# usage: cli.sh VFIOKIT FIXTURES
set -u
sh "$(dirname "$0")/fixtures/restore-empty-dirs.sh"
vfiokit=$1 fixtures=$2
export LC_ALL=C NO_COLOR=1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
n=0
t() { # t NAME EXPECTED_EXIT GREP_PATTERN -- ARGS...
	name=$1 want=$2 pat=$3; shift 4
	n=$((n + 1))
	"$@" >"$tmp/out" 2>&1; rc=$?
	if [ "$rc" -ne "$want" ]; then
		echo "not ok $n - $name: exit $rc, expected $want"; sed 's/^/# /' "$tmp/out"
	elif [ -n "$pat" ] && ! grep -q -- "$pat" "$tmp/out"; then
		echo "not ok $n - $name: output lacks '$pat'"; sed 's/^/# /' "$tmp/out"
	else
		echo "ok $n - $name"
	fi
}
A="$fixtures/article"
echo "1..24"
t "no command" 2 "Usage: vfiokit" -- "$vfiokit"
t "--version" 0 "^vfiokit [0-9]" -- "$vfiokit" --version
t "--help lists commands" 0 "snapshot" -- "$vfiokit" --help
t "help groups" 0 "Usage: vfiokit groups" -- "$vfiokit" help groups
t "help unknown" 2 "unknown command" -- "$vfiokit" help frobnicate
t "unknown command" 2 "not a vfiokit command" -- "$vfiokit" frobnicate
t "abbreviated command refused" 2 "not a vfiokit command" -- "$vfiokit" grou
t "groups --help" 0 "Columns:" -- "$vfiokit" groups --help
t "check --help" 0 "Exit status" -- "$vfiokit" check --help
t "snapshot --help" 0 "never taken" -- "$vfiokit" snapshot --help
t "nonexistent --root" 2 "--root $tmp/nope: no such directory" -- "$vfiokit" groups --root "$tmp/nope"
t "--root is a file" 2 "not a directory" -- "$vfiokit" check --root "$A/proc/cmdline"
t "bad --group" 2 "group number" -- "$vfiokit" groups --group x --root "$A"
t "missing --group" 1 "no IOMMU group 99" -- "$vfiokit" groups --group 99 --root "$A"
t "bad --device" 2 "PCI address" -- "$vfiokit" groups --device 6:0.0 --root "$A"
t "unknown --device" 1 "no PCI device 0000:99:00.0" -- "$vfiokit" groups --device 0000:99:00.0 --root "$A"
t "--device without a group" 1 "in no IOMMU group" -- "$vfiokit" groups --device 01:00.0 --root "$fixtures/iommu-off"
t "unknown column" 2 "unknown column 'BOGUS'" -- "$vfiokit" groups -o NAME,BOGUS --root "$A"
t "stray argument" 2 "unexpected argument" -- "$vfiokit" check extra --root "$A"
t "check fails on iommu-off" 1 "FAIL  IOMMU active" -- "$vfiokit" check --root "$fixtures/iommu-off"
t "snapshot needs -o" 2 "-o FILE is required" -- "$vfiokit" snapshot --root "$A"
: >"$tmp/exists.tar.gz"
t "snapshot keeps an existing file" 1 "use --force" -- "$vfiokit" snapshot -o "$tmp/exists.tar.gz" --root "$A"
t "write error on stdout" 1 "write error" -- sh -c "'$vfiokit' groups --root '$A' >/dev/full"
t "closed pipe is not an error" 0 "" -- sh -c "'$vfiokit' groups --root '$A' | head -1 >/dev/null"
