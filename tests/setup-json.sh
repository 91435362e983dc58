#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# vfiokit setup -J: one JSON document on standard output, whose "changed"
# tells "nothing to change" apart (what a configuration manager reports as
# changed or ok): a dry run (changed, nothing written), --apply (applied, the
# journal entry), a second run (changed false, no diff); the diff is the one
# the text shows; a machine copy's invalid UTF-8 comes out as valid JSON;
# with --chroot, the commands' own output goes to standard error, never
# into the document.
# usage: setup-json.sh VFIOKIT FIXTURES_DIR
set -u
vfiokit=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") fixtures=$(cd "$2" && pwd)
export LC_ALL=C NO_COLOR=1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
n=0 fail=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; [ -n "${3-}" ] && sed 's/^/# /' "$3"; fi; }
# jq-like: python3 EXPR over the document in $1 (as d); prints the value
# (a tuple's values with a space between them).
get() {
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
v = eval(sys.argv[2])
print(" ".join(str(x) for x in v) if isinstance(v, tuple) else v)' "$1" "$2"
}

# The article's machine with GRUB and initramfs-tools.
h="$tmp/host"
cp -a "$fixtures/hosts/article" "$h"
mkdir -p "$h/etc/default" "$h/etc/initramfs-tools" "$h/usr/sbin"
printf 'GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX_DEFAULT="quiet"\nGRUB_CMDLINE_LINUX=""\n' >"$h/etc/default/grub"
: >"$h/etc/initramfs-tools/modules"
: >"$h/usr/sbin/update-grub"
: >"$h/usr/sbin/update-initramfs"
cp -a "$h" "$tmp/pristine"
echo "1..9"

"$vfiokit" setup --gpu 06:00.0 --root "$h" -J >"$tmp/dry.json" 2>"$tmp/err"
rc=$?
diff -r --no-dereference "$tmp/pristine" "$h" >"$tmp/d" 2>&1
[ $rc = 0 ] && [ "$(get "$tmp/dry.json" 'd["changed"], d["applied"], d["journal"]')" = "True False None" ] &&
	[ "$(get "$tmp/dry.json" 'd["devices"], d["params_add"], d["regenerate"]')" = \
		"['0000:06:00.0', '0000:06:00.1'] ['intel_iommu=on'] ['update-initramfs -u -k all', 'update-grub']" ] &&
	[ ! -s "$tmp/d" ] && grep -q "nothing was changed; run again with --apply" "$tmp/err"
ok $? "a dry run: changed (there is something to change), not applied, nothing written" "$tmp/dry.json"

# The diff in the document is the text's, without the lines around it.
"$vfiokit" setup --gpu 06:00.0 --root "$h" >"$tmp/text" 2>/dev/null
grep -v '^# ' "$tmp/text" >"$tmp/text.diff"
get "$tmp/dry.json" 'd["diff"]' >"$tmp/json.diff"
# print() added one newline after the diff's own last one.
printf '\n' >>"$tmp/text.diff"
cmp -s "$tmp/text.diff" "$tmp/json.diff" && grep -q '^+options vfio-pci ids=10de:13c2,10de:0fbb$' "$tmp/json.diff"
ok $? "its diff is the one the text shows" "$tmp/json.diff"

"$vfiokit" setup --gpu 06:00.0 --root "$h" -J --apply >"$tmp/apply.json" 2>"$tmp/err"
rc=$?
id=$(get "$tmp/apply.json" 'd["journal"]')
[ $rc = 0 ] && [ "$(get "$tmp/apply.json" 'd["changed"], d["applied"]')" = "True True" ] &&
	"$vfiokit" journal --root "$h" -n -o ID | grep -qx "$id" && grep -q "^options vfio-pci" "$h/etc/modprobe.d/vfio.conf" &&
	[ "$(get "$tmp/apply.json" 'd["todo"]')" = "['update-initramfs -u -k all', 'update-grub']" ]
ok $? "--apply: applied, the journal entry named, the commands left to run inside the copy in todo" "$tmp/apply.json"

cp -a "$h" "$tmp/applied"
"$vfiokit" setup --gpu 06:00.0 --root "$h" -J --apply >"$tmp/again.json" 2>"$tmp/err"
rc=$?
diff -r --no-dereference "$tmp/applied" "$h" >"$tmp/d" 2>&1
[ $rc = 0 ] && [ "$(get "$tmp/again.json" 'd["changed"], d["applied"], d["journal"], repr(d["diff"])')" = "False False None ''" ] &&
	[ ! -s "$tmp/d" ] && grep -q "nothing to do" "$tmp/err"
ok $? "a second --apply: changed false, no diff, no entry, nothing written" "$tmp/again.json"

"$vfiokit" setup --gpu 06:00.0 --root "$h" --json >"$tmp/again-dry.json" 2>/dev/null
[ "$(get "$tmp/again-dry.json" 'd["changed"]')" = False ]
ok $? "a dry run after it: changed false (--json)" "$tmp/again-dry.json"

# A refusal: exit 1, the reason on standard error, no document.
"$vfiokit" setup --gpu 00:02.0 --root "$h" -J >"$tmp/out" 2>"$tmp/err"
[ $? = 1 ] && [ ! -s "$tmp/out" ] && grep -q "nothing was changed" "$tmp/err"
ok $? "a refusal (the host's own GPU): exit 1, nothing on standard output" "$tmp/err"

# Tuning alone, kvm.conf's other lines kept: an exec-less plan with a file.
"$vfiokit" undo --root "$h" >/dev/null 2>&1
mkdir -p "$h/etc/modprobe.d"
printf 'options kvm nx_huge_pages=off\n\377\376 bytes\n' >"$h/etc/modprobe.d/kvm.conf"
"$vfiokit" setup --ignore-msrs --root "$h" -J >"$tmp/tune.json" 2>"$tmp/err"
rc=$?
python3 -c 'import sys; sys.stdin.buffer.read().decode("utf-8")' <"$tmp/tune.json" &&
	get "$tmp/tune.json" 'd["diff"]' | grep -q '^ \\xff\\xfe bytes$' && [ $rc = 0 ] &&
	[ "$(get "$tmp/tune.json" 'd["changed"]')" = True ]
ok $? "a file with invalid UTF-8 in the diff: the document stays valid UTF-8 (\\xHH)" "$tmp/tune.json"

# --chroot: update-initramfs and update-grub print on standard output, as
# the real ones do; the document still parses, their lines on stderr.
if [ -x /bin/busybox ] && [ "$(id -u)" = 0 ]; then
	ch="$tmp/chroot"
	cp -a "$tmp/pristine" "$ch"
	mkdir -p "$ch/bin"
	cp /bin/busybox "$ch/bin/busybox" && ln -s busybox "$ch/bin/sh"
	for c in update-initramfs update-grub; do
		printf '#!/bin/sh\necho "%s: generating"\n' "$c" >"$ch/usr/sbin/$c"
		chmod +x "$ch/usr/sbin/$c"
	done
	"$vfiokit" setup --gpu 06:00.0 --root "$ch" -J --apply --chroot >"$tmp/chroot.json" 2>"$tmp/err"
	rc=$?
	[ $rc = 0 ] && [ "$(get "$tmp/chroot.json" 'd["applied"], d["todo"]')" = "True []" ] &&
		grep -q "^update-grub: generating$" "$tmp/err" && ! grep -q generating "$tmp/chroot.json"
	ok $? "--chroot: the commands' output on standard error, the document whole" "$tmp/err"
else
	n=$((n + 1)); echo "ok $n # SKIP needs root (chroot) and busybox-static"
fi

"$vfiokit" setup --help | grep -q "^  -J, --json "
ok $? "--help names -J, --json"
exit $fail
