#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The shell completions (shell-completion/gen.py) against the program: for
# every command, bash completes exactly the options its --help lists (read
# here with grep, not gen.py's parser), each of which getopt accepts; the
# sub-commands of tune, vm and rom; commands after `vfiokit` and `help`;
# --root completes directories. zsh and fish parse their files (where the
# shells are installed) and name every option too.
# usage: completions.sh VFIOKIT BASH_FILE ZSH_FILE FISH_FILE
set -u
abs() { echo "$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"; }
vfiokit=$(abs "$1") bashc=$(abs "$2") zshc=$(abs "$3") fishc=$(abs "$4")
export LC_ALL=C NO_COLOR=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 fail=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; [ -n "${3-}" ] && sed 's/^/# /' "$3"; fi; }

# What bash completes for the words given (the last one being completed).
complete_bash() {
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=(); _vfiokit; printf "%s\n" "${COMPREPLY[@]}"' \
		sh "$bashc" "$@" | sort -u
}

verbs=$("$vfiokit" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p')
[ -n "$verbs" ]
ok $? "the commands read from vfiokit --help: $(echo $verbs)"
complete_bash vfiokit '' >"$tmp/top"
missing=$(for v in $verbs; do grep -qx "$v" "$tmp/top" || echo "$v"; done)
[ -z "$missing" ]
ok $? "vfiokit <TAB>: every command" "$tmp/top"

for v in $verbs; do
	[ "$v" = help ] && continue
	# The options of the help's option lines (at most 8 blanks, then a dash).
	"$vfiokit" "$v" --help | grep -E '^ {1,8}-' | sed 's/^ *//; s/  .*//' | grep -oE -- '(^|[ ,])--?[A-Za-z0-9][A-Za-z0-9-]*' |
		sed 's/^[ ,]//' | sort -u >"$tmp/help-$v"
	complete_bash vfiokit "$v" - >"$tmp/bash-$v"
	diff "$tmp/help-$v" "$tmp/bash-$v" >"$tmp/diff" 2>&1
	ok $? "vfiokit $v -<TAB>: the $(wc -l <"$tmp/help-$v") options of its --help, no other" "$tmp/diff"
	: >"$tmp/rejected"
	while read -r o; do
		"$vfiokit" "$v" "$o" </dev/null >/dev/null 2>"$tmp/err"
		grep -q 'unrecognized option' "$tmp/err" && echo "$o" >>"$tmp/rejected"
	done <"$tmp/bash-$v"
	[ ! -s "$tmp/rejected" ]
	ok $? "vfiokit $v: getopt accepts every completed option" "$tmp/rejected"
	# zsh's and fish's files name each option of the command too.
	: >"$tmp/absent"
	while read -r o; do
		grep -q -- "'$o\[" "$zshc" || echo "zsh: $o" >>"$tmp/absent"
		case $o in
		--*) grep -qE -- "from $v' -l ${o#--}( |$)" "$fishc" || echo "fish: $o" >>"$tmp/absent" ;;
		*) grep -qE -- "from $v' -s ${o#-}( |$)" "$fishc" || echo "fish: $o" >>"$tmp/absent" ;;
		esac
	done <"$tmp/help-$v"
	[ ! -s "$tmp/absent" ]
	ok $? "vfiokit $v: zsh's and fish's completions name every option" "$tmp/absent"
done

for v in tune vm rom; do
	"$vfiokit" "$v" --help | sed -n "s/^\(Usage:\)\{0,1\} *vfiokit $v \([a-z][a-z-]*\) .*/\2/p" | sort -u >"$tmp/subs"
	complete_bash vfiokit "$v" '' >"$tmp/got"
	[ -s "$tmp/subs" ] && diff "$tmp/subs" "$tmp/got" >"$tmp/diff" 2>&1
	ok $? "vfiokit $v <TAB>: its sub-commands ($(echo $(cat "$tmp/subs")))" "$tmp/diff"
done
complete_bash vfiokit help '' >"$tmp/got"
grep -qx setup "$tmp/got" && ! grep -qx help "$tmp/got"
ok $? "vfiokit help <TAB>: the commands" "$tmp/got"
mkdir -p "$tmp/roots/host-a" "$tmp/roots/host-b"
: >"$tmp/roots/host-file"
(cd "$tmp" && complete_bash vfiokit groups --root roots/ho) >"$tmp/got"
printf 'roots/host-a\nroots/host-b\n' | diff - "$tmp/got" >"$tmp/diff" 2>&1
ok $? "vfiokit groups --root <TAB>: directories only" "$tmp/diff"
complete_bash vfiokit setup --iommu '' >"$tmp/got"
printf 'amd\nintel\n' | diff - "$tmp/got" >"$tmp/diff" 2>&1
ok $? "vfiokit setup --iommu <TAB>: intel and amd" "$tmp/diff"

if command -v zsh >/dev/null; then
	zsh -n "$zshc" 2>"$tmp/err"
	ok $? "zsh -n: the zsh completion parses" "$tmp/err"
else
	n=$((n + 1)); echo "ok $n # SKIP zsh not installed: its completion not parsed"
fi
if command -v fish >/dev/null; then
	fish --no-execute "$fishc" 2>"$tmp/err"
	ok $? "fish --no-execute: the fish completion parses" "$tmp/err"
else
	n=$((n + 1)); echo "ok $n # SKIP fish not installed: its completion not parsed"
fi
bash -n "$bashc" 2>"$tmp/err"
ok $? "bash -n: the bash completion parses" "$tmp/err"
echo "1..$n"
exit $fail
