#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The build and the tests write only under the build directory and temp
# dirs, never into the source tree. Meson runs this twice, alone: first
# ("record", before every other test) to note the tree's new and changed
# files, then ("check", after every other test) to compare: a file that
# appeared, went away or changed since is a failure, named. Two things are
# failures whenever they are there, as a clean checkout never has them and
# so the build or a test made them (configure time included): an ignored
# file, and an empty directory (git keeps none). The build directories
# (build, build-*, and BUILD wherever it is) are left out.
# usage: clean-tree.sh record|check SOURCE BUILD
set -u
mode=$1 src=$2 build=$3
state="$build/clean-tree.state"
echo "1..1"
if ! git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	echo "ok 1 - # SKIP $src is not a git work tree"
	exit 0
fi
top=$(git -C "$src" rev-parse --show-toplevel) || exit 1
rel=$(realpath -m --relative-to="$top" "$build")
# What git sees: new and changed files, and the tracked files' content.
snapshot() {
	cd "$top" || return 1
	git status --porcelain=v1 --untracked-files=all -- . \
		':(exclude)build' ':(exclude,glob)build-*' ":(exclude)$rel" || return 1
	echo "tracked content $(git diff HEAD --no-ext-diff --binary -- . ':(exclude,glob)build-*' | cksum)"
}
# What is never in a clean checkout: ignored files, empty directories.
strays() {
	cd "$top" || return 1
	git status --porcelain=v1 --ignored=matching --untracked-files=all -- . \
		':(exclude)build' ':(exclude,glob)build-*' ":(exclude)$rel" | sed -n 's/^!! /ignored file /p' |
		grep -v -x -e 'ignored file build/' -e 'ignored file build-[^/]*/' | grep -v -x -F "ignored file $rel/"
	find . -path ./.git -prune -o -path ./build -prune -o -path './build-*' -prune -o \
		-path "./$rel" -prune -o -type d -empty -print | sed 's/^\.\//empty directory /'
}
case $mode in
record)
	rm -f "$state"
	if snapshot >"$state.new" && mv "$state.new" "$state"; then
		echo "ok 1 - the source tree noted in $state"
	else
		echo "not ok 1 - cannot note the source tree $top in $state"
		exit 1
	fi
	;;
check)
	bad=$(strays) || { echo "not ok 1 - cannot read the source tree $top"; exit 1; }
	if [ -f "$state" ]; then
		now=$(snapshot) || { echo "not ok 1 - cannot read the source tree $top"; exit 1; }
		bad=$(printf '%s\n' "$bad"; printf '%s\n' "$now" | diff "$state" - | sed -n 's/^> /new or changed since the tests began: /p; s/^< /gone or changed since the tests began: /p')
		rm -f "$state"
	fi
	bad=$(printf '%s\n' "$bad" | sed '/^$/d')
	if [ -z "$bad" ]; then
		echo "ok 1 - the build and the tests left the source tree $top as it was"
	else
		echo "not ok 1 - the build or the tests wrote into the source tree $top:"
		printf '%s\n' "$bad" | sed 's/^/#   /'
		exit 1
	fi
	;;
*)
	echo "usage: clean-tree.sh record|check SOURCE BUILD" >&2
	exit 2
	;;
esac
