#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# A hostile pci.ids in the machine copy: a malformed line, a NUL byte, a line
# of 2 KiB, gzip, a link to /dev/zero, an absolute link to a file outside the
# root. groups, check, vm create and snapshot must not crash; they name the
# file in one warning and show the devices by number, and nothing from outside
# the root appears. A root without pci.ids is named from this system's, said
# in one line. libpci is handed only the blocks that can name the devices
# (src/host/names.c): the names are lspci's from the whole file, a bad line is
# reported at the file's own line number, and a bad line in another vendor's
# block changes nothing.
# usage: pci-ids.sh VFIOKIT FIXTURES
set -u
vfiokit=$(realpath "$1") fixtures=$(realpath "$2")
export LC_ALL=C NO_COLOR=1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); echo "not ok $n - $1"; [ -s "$tmp/why" ] && sed 's/^/# /' "$tmp/why"; }
skip() { n=$((n + 1)); echo "ok $n # SKIP $1"; }

canary=CANARY-outside-the-root-$$
printf '8086  %s\n\t0158  %s\n' "$canary" "$canary" >"$tmp/canary"

# NAME|WARNING (a part of the one line that names the file)
cases='
malformed|not usable: line 3: Parse error
nul|holds NUL bytes
long-line|not usable: line 1: Line too long
gzip|holds NUL bytes
dev-zero|cannot be read
outside|leads nowhere inside the root
'
make_root() { # NAME: a copy of the article host with that pci.ids
	r="$tmp/$1"
	rm -rf "$r"; cp -a "$fixtures/article" "$r"
	# vm refuses a guest whose fit in RAM it cannot tell: give the copy its RAM.
	printf 'MemTotal:       16363840 kB\nMemAvailable:   12000000 kB\n' >"$r/proc/meminfo"
	ids="$r/usr/share/misc/pci.ids"
	case $1 in
	malformed) printf '8086  Intel Corporation\n\t0158  DRAM Controller\nthis is no pci.ids line\n' >"$ids" ;;
	nul) printf '8086  Intel\000Corporation\n' >"$ids" ;;
	long-line) { printf '8086  '; head -c 2048 /dev/zero | tr '\0' I; echo; } >"$ids" ;;
	gzip) gzip -c "$fixtures/article/usr/share/misc/pci.ids" >"$tmp/ids.gz" && mv "$tmp/ids.gz" "$ids" ;;
	dev-zero) rm "$ids"; ln -s /dev/zero "$ids"; mknod "$r/dev/zero" c 1 5 2>/dev/null || return 1 ;;
	outside) rm "$ids"; ln -s "$tmp/canary" "$ids" ;;
	esac
}
# run NAME OUT ARGS...: no signal, no usage error, the warning once, no canary
run() {
	name=$1 out=$2; shift 2
	(cd "$tmp" && "$vfiokit" "$@") >"$out" 2>"$out.err"; rc=$?
	{ echo "exit $rc"; cat "$out.err"; } >"$tmp/why"
	[ "$rc" -le 1 ] || return 1
	[ "$(grep -c 'pci.ids: ' "$out.err")" -eq 1 ] && grep -q "pci.ids: .*$want.*devices are shown by number" "$out.err" ||
		return 1
	! grep -q "$canary" "$out" "$out.err"
}
echo "1..$(( $(echo "$cases" | grep -c .) * 5 + 8 ))"
while IFS='|' read -r name want; do
	[ -n "$name" ] || continue
	if ! make_root "$name"; then
		for c in groups check "vm create" snapshot roundtrip; do skip "$name: $c (mknod needs root)"; done
		continue
	fi
	r="$tmp/$name"
	: >"$tmp/why"
	if run "$name" "$tmp/g" groups --root "$r" && grep -q 'Device 8086:0158' "$tmp/g" &&
	   grep -q 'Device 10de:13c2' "$tmp/g"; then ok "$name: groups shows the devices by number"
	else nok "$name: groups"; fi
	if run "$name" "$tmp/c" check --root "$r"; then ok "$name: check"; else nok "$name: check"; fi
	if run "$name" "$tmp/v" vm create win10 --gpu 06:00.0 --root "$r" && grep -q '<domain' "$tmp/v"; then
		ok "$name: vm create"
	else nok "$name: vm create"; fi
	if run "$name" "$tmp/s" snapshot --root "$r" -o "$tmp/$name.tar.gz"; then ok "$name: snapshot"
	else nok "$name: snapshot"; fi
	# The snapshot names the devices the same way (by number), records the
	# problem, and holds nothing from outside the root.
	mkdir "$tmp/$name.snap" && tar -xzf "$tmp/$name.tar.gz" -C "$tmp/$name.snap" 2>/dev/null &&
		"$vfiokit" groups --root "$tmp/$name.snap" >"$tmp/g2" 2>/dev/null
	if diff "$tmp/g" "$tmp/g2" >"$tmp/why" 2>&1 && ! grep -rq "$canary" "$tmp/$name.snap" &&
	   grep -q "^problem: /usr/share/misc/pci.ids: .*$want" "$tmp/$name.snap/vfiokit-snapshot.txt"; then
		ok "$name: the snapshot gives the same output and records the problem"
	else nok "$name: the snapshot"; fi
done <<EOF
$cases
EOF

# Names with control characters (an escape sequence, a tab) are printed with
# '?' for them: a name cannot redraw the terminal. groups --gpu prints the
# devices sharing the card's group as plain text (shared-group: an Intel I211).
r="$tmp/escapes"
cp -a "$fixtures/shared-group" "$r"
printf '8086  Intel\033[2J\033]0;owned\007 Corp\n\t1539  I211\tGigabit\n' >"$r/usr/share/misc/pci.ids"
"$vfiokit" groups --gpu --root "$r" >"$tmp/g" 2>&1
if grep -q '05:00.0 \[8086:1539\] .*Intel?\[2J?\]0;owned? Corp I211?Gigabit' "$tmp/g" &&
   ! LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177]')" "$tmp/g"
then ok "control characters in names are shown as '?'"
else cat -v "$tmp/g" | grep 8086 >"$tmp/why"; nok "control characters in names"; fi

# No pci.ids in the root: this system's, as lspci does, and one line says so.
r="$tmp/none"
cp -a "$fixtures/article" "$r"; rm "$r/usr/share/misc/pci.ids"
"$vfiokit" groups --root "$r" >"$tmp/g" 2>"$tmp/g.err"; rc=$?
{ echo "exit $rc"; cat "$tmp/g.err"; } >"$tmp/why"
if [ -f /usr/share/misc/pci.ids ]; then
	intel=$(sed -n 's/^8086  //p' /usr/share/misc/pci.ids)
	if [ $rc -eq 0 ] && [ "$(wc -l <"$tmp/g.err")" -eq 1 ] &&
	   grep -q "^vfiokit: warning: /usr/share/misc/pci.ids: not in the root: devices are named from this system's /usr/share/misc/pci.ids$" "$tmp/g.err" &&
	   grep -q "Host bridge: $intel " "$tmp/g"; then
		ok "no pci.ids in the root: this system's, said in one line"
	else nok "no pci.ids in the root: this system's"; fi
	# A snapshot of it holds no pci.ids, and names the same way.
	"$vfiokit" snapshot --root "$r" -o "$tmp/none.tar.gz" >/dev/null 2>&1 && mkdir "$tmp/none.snap" &&
		tar -xzf "$tmp/none.tar.gz" -C "$tmp/none.snap" && "$vfiokit" groups --root "$tmp/none.snap" >"$tmp/g2" 2>&1
	cat "$tmp/g.err" "$tmp/g" >"$tmp/g1"
	if diff "$tmp/g1" "$tmp/g2" >"$tmp/why" 2>&1 && [ ! -e "$tmp/none.snap/usr/share/misc/pci.ids" ]; then
		ok "no pci.ids in the root: the snapshot has none either, and names the same"
	else nok "no pci.ids in the root: snapshot"; fi
else
	skip "this system has no /usr/share/misc/pci.ids"; skip "this system has no /usr/share/misc/pci.ids"
fi

# A bad line in the Intel block, after 3,000 lines of another vendor's block
# that libpci is not handed: the warning gives the line as the file numbers it.
r="$tmp/far"
cp -a "$fixtures/article" "$r"
ids="$r/usr/share/misc/pci.ids"
{
	echo "# a comment"
	echo "1234  Another vendor"
	i=0; while [ $i -lt 3000 ]; do printf '\t%04x  Device %d\n' $i $i; i=$((i + 1)); done
	sed -n '/^8086 /,$p' "$fixtures/article/usr/share/misc/pci.ids" | sed '3a\
\tthis is no pci.ids line'
} >"$ids.new" && mv "$ids.new" "$ids"
bad=$(grep -n 'this is no pci.ids line' "$ids" | cut -d: -f1)
"$vfiokit" groups --root "$r" >"$tmp/g" 2>"$tmp/g.err"
{ echo "bad line $bad"; cat "$tmp/g.err"; } >"$tmp/why"
if [ "$bad" -gt 3000 ] && grep -q "pci.ids: the PCI ID database is not usable: line $bad: Parse error" "$tmp/g.err" &&
   grep -q 'Device 8086:0158' "$tmp/g"; then
	ok "a bad line far into the file is reported at its own line ($bad)"
else nok "a bad line far into the file: its own line number"; fi

# A bad line inside another vendor's block: no name here comes from it.
r="$tmp/elsewhere"
cp -a "$fixtures/article" "$r"
ids="$r/usr/share/misc/pci.ids"
{ cat "$fixtures/article/usr/share/misc/pci.ids"; printf '1234  Another vendor\n\tthis is no pci.ids line\n'; } >"$ids.new" &&
	mv "$ids.new" "$ids"
"$vfiokit" groups --root "$r" >"$tmp/g" 2>"$tmp/g.err"
"$vfiokit" groups --root "$fixtures/article" >"$tmp/g0" 2>&1
{ cat "$tmp/g.err"; diff "$tmp/g0" "$tmp/g"; } >"$tmp/why"
if [ ! -s "$tmp/g.err" ] && cmp -s "$tmp/g0" "$tmp/g"; then
	ok "a bad line in another vendor's block: the same names, no warning"
else nok "a bad line in another vendor's block"; fi

# same_as_lspci ROOT: vfiokit's class, vendor and device names are those
# lspci -vmm gives from the root's whole pci.ids (exit 2: lspci read no device).
same_as_lspci() {
	"$vfiokit" groups -J -o NAME,ID,TYPE,VENDOR,PRODUCT --root "$1" >"$tmp/ours.json" 2>"$tmp/ours.err"
	lspci -vmm -nn -D -A linux-sysfs -O sysfs.path="$1/sys/bus/pci" -i "$1/usr/share/misc/pci.ids" \
		>"$tmp/lspci.txt" 2>/dev/null
	python3 - "$tmp/ours.json" "$tmp/lspci.txt" <<'PY'
import json, re, sys
ours = {}
def walk(rows):
    for r in rows:
        if r.get("id"):
            ours[r["name"]] = (r["type"], r["vendor"], r["product"])
        walk(r.get("children", []))
try:
    walk(json.load(open(sys.argv[1]))["groups"])
except (ValueError, KeyError):
    sys.exit("%s: no JSON" % sys.argv[1])
theirs = {}
for rec in open(sys.argv[2]).read().split("\n\n"):
    f = dict(l.split(":\t", 1) for l in rec.splitlines() if ":\t" in l)
    if "Slot" in f:
        # lspci's words for an ID pci.ids lacks: "Vendor [1234]", "Class [ff00]"
        name = lambda k, unknown: (lambda v: None if v in ("", unknown) else v)(
            re.sub(r" \[[0-9a-f]+\]$", "", f.get(k, "")))
        theirs[f["Slot"]] = (name("Class", "Class"), name("Vendor", "Vendor"), name("Device", "Device"))
# Devices lspci does not list (a malformed fixture's) are left out.
bad = [(a, ours[a], theirs[a]) for a in ours if a in theirs and theirs[a] != ours[a]]
for b in bad:
    print("%s: vfiokit %s, lspci %s" % b)
# 2: lspci could not read this host (malformed sysfs): nothing to compare.
sys.exit(1 if bad or not ours else 2 if not set(ours) & set(theirs) else 0)
PY
}

# Every fixture host named from this system's whole pci.ids: the class, vendor
# and device names are lspci's (lspci -vmm, which parses the whole file).
if [ -f /usr/share/misc/pci.ids ] && command -v lspci >/dev/null; then
	: >"$tmp/why"; good=0; bad=0
	for h in "$fixtures"/*/; do
		h=${h%/}; [ -d "$h/sys/bus/pci/devices" ] || continue
		r="$tmp/whole-${h##*/}"
		cp -a "$h" "$r"; mkdir -p "$r/usr/share/misc"
		rm -f "$r/usr/share/misc/pci.ids"; cp /usr/share/misc/pci.ids "$r/usr/share/misc/pci.ids"
		if same_as_lspci "$r" >>"$tmp/why"
		then good=$((good + 1))
		elif [ $? -ne 2 ]; then bad=$((bad + 1)); echo "# ^ ${h##*/}" >>"$tmp/why"; fi
	done
	if [ $bad -eq 0 ] && [ $good -gt 5 ]; then ok "$good fixture hosts: the names from the whole pci.ids are lspci's"
	else nok "names from the whole pci.ids against lspci ($bad hosts differ)"; fi
else skip "no /usr/share/misc/pci.ids or no lspci here"; fi

# Files lspci reads whole that a part could read otherwise: a generic
# subsystem block of a vendor that is only a subsystem vendor here (libpci
# checks that the vendor was read), and a line over 1,023 bytes whose rest,
# after a carriage return, libpci reads as a vendor line of its own.
if command -v lspci >/dev/null; then
	r="$tmp/s-block"
	cp -a "$fixtures/article" "$r"
	printf 'S 1043\n\t84ca  P8 series board (generic)\n' >>"$r/usr/share/misc/pci.ids"
	if same_as_lspci "$r" >"$tmp/why" && [ ! -s "$tmp/ours.err" ] && grep -q NVIDIA "$tmp/ours.json"
	then ok "a generic subsystem block of a subsystem vendor: lspci's names, no warning"
	else cat "$tmp/ours.err" >>"$tmp/why"; nok "a generic subsystem block of a subsystem vendor"; fi
	r="$tmp/cr-long"
	cp -a "$fixtures/article" "$r"
	ids="$fixtures/article/usr/share/misc/pci.ids"
	{ sed '/^10de  NVIDIA Corporation$/,$d' "$ids"
	  printf '1234  Other\r'; head -c 1011 /dev/zero | tr '\0' x; printf '10de  Another NVIDIA\n'
	  sed -n '/^10de  NVIDIA Corporation$/,$p' "$ids" | tail -n +2; } >"$r/usr/share/misc/pci.ids"
	if same_as_lspci "$r" >"$tmp/why" && grep -q 'Another NVIDIA' "$tmp/ours.json"
	then ok "a line libpci cuts in two at 1,023 bytes: lspci's names"
	else cat "$tmp/ours.err" >>"$tmp/why"; nok "a line libpci cuts in two at 1,023 bytes"; fi
else skip "no lspci here"; skip "no lspci here"; fi
