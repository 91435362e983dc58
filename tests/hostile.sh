#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# A hostile machine copy (an unpacked snapshot someone sent): FIFOs, device
# nodes and planted links go in, a message naming the path comes out, and
# neither the copy nor the host changes. Every run is under `timeout 10`, so a
# hang is a failing test, not a hung suite.
# usage: hostile.sh VFIOKIT FIXTURES
set -u
vfiokit=$1 fixtures=$2
export LC_ALL=C NO_COLOR=1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
n=0
ok() { # ok STATUS NAME [FILE shown on failure]
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		[ -n "${3:-}" ] && [ -f "$3" ] && sed 's/^/# /' "$3" | head -40
	fi
	return 0
}
run() { # run ARGS...: vfiokit with a time limit, output in $tmp/out, status in $rc
	timeout 10 "$vfiokit" "$@" >"$tmp/out" 2>&1
	rc=$?
}
echo "1..36"
a="$tmp/a"
cp -a "$fixtures/article" "$a"

# 1. A FIFO at each file path of the article fixture in turn. check either
# never reads the file (output as without the FIFO) or names it as not a
# regular file; it never hangs. pci.ids is opened by libpci by name
# (src/host/names.c), outside path.c: not covered here.
# The sanitizer build's run (make check sets ASAN_OPTIONS for it alone)
# plants at every third file, the plain build's at every one: the same
# paths looked at for memory errors, at a third of the cost beside the
# reboot suite's QEMUs.
stride=1
[ -z "${ASAN_OPTIONS-}" ] || stride=3
"$vfiokit" check --root "$a" >"$tmp/base" 2>&1
(cd "$a" && find . -type f ! -name pci.ids | sed 's|^\./||' | sort | awk -v s=$stride '(NR - 1) % s == 0') >"$tmp/files"
: >"$tmp/bad"
total=0 named=0
while IFS= read -r f; do
	total=$((total + 1))
	mv "$a/$f" "$a/$f.hostile-orig" && mkfifo "$a/$f" || { echo "cannot plant $f" >>"$tmp/bad"; continue; }
	run check --root "$a"
	rm -f "$a/$f" && mv "$a/$f.hostile-orig" "$a/$f"
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then
		echo "/$f: exit $rc" >>"$tmp/bad"
	elif grep -q ": cannot read.*not a regular file (a FIFO, device node or socket)" "$tmp/out"; then
		named=$((named + 1))
	elif ! cmp -s "$tmp/base" "$tmp/out"; then
		echo "/$f: output changed without naming the FIFO" >>"$tmp/bad"
		sed 's/^/    /' "$tmp/out" >>"$tmp/bad"
	fi
done <"$tmp/files"
echo "# $total FIFOs planted, $named named by check" >>"$tmp/bad"
# (Fewer are named than files planted: most are never read by check, and a
# device's vendor, device, class, revision and subsystem files only when its
# config cannot say.)
[ "$(grep -c -v '^#' "$tmp/bad")" = 0 ] && [ "$total" -gt $((300 / stride)) ] && [ "$named" -gt $((90 / stride)) ]
ok $? "a FIFO at each of the article's files (every $stride): check never hangs; output unchanged or the file named" "$tmp/bad"
diff -r --no-dereference "$fixtures/article" "$a" >"$tmp/d" 2>&1
ok $? "the copy is unchanged after the FIFO runs" "$tmp/d"

# 2. A device node at an attribute path is never opened nor read (/dev/zero's
# numbers: reading it would give NUL bytes, not "not a regular file").
attr="$a/sys/bus/pci/devices/0000:06:00.0/config"
if [ "$(id -u)" = 0 ] && mv "$attr" "$tmp/config.orig" && mknod "$attr" c 1 5 2>/dev/null; then
	run check --root "$a"
	[ "$rc" -le 1 ] &&
		grep -q "^vfiokit: warning: /sys/bus/pci/devices/0000:06:00.0: cannot read config: not a regular file" "$tmp/out"
	ok $? "a character device at an attribute: named, not read" "$tmp/out"
	rm -f "$attr"
	mv "$tmp/config.orig" "$attr"
else
	[ -e "$tmp/config.orig" ] && mv "$tmp/config.orig" "$attr"
	n=$((n + 1)); echo "ok $n # SKIP mknod needs root"
fi

# 3. rom dump and rom ADDR read the sysfs rom file: a FIFO there.
mkfifo "$a/sys/bus/pci/devices/0000:01:00.0/rom"
run rom dump 01:00.0 -o "$tmp/r.rom" --root "$a"
[ "$rc" = 1 ] && [ ! -e "$tmp/r.rom" ] &&
	grep -q "cannot read /sys/bus/pci/devices/0000:01:00.0/rom: not a regular file" "$tmp/out"
ok $? "rom dump: a FIFO as the ROM is named, nothing written" "$tmp/out"
run rom 01:00.0 --root "$a"
[ "$rc" = 1 ] && grep -q "cannot read /sys/bus/pci/devices/0000:01:00.0/rom: not a regular file" "$tmp/out"
ok $? "rom ADDR: a FIFO as the ROM is named" "$tmp/out"
rm -f "$a/sys/bus/pci/devices/0000:01:00.0/rom"
mkfifo "$tmp/fifo.rom"
run rom "$tmp/fifo.rom"
[ "$rc" = 1 ] && grep -q "fifo.rom: not a regular file" "$tmp/out"
ok $? "rom FILE: a FIFO given as the file is refused by name" "$tmp/out"

# 4. setup reads the files it edits; journal and undo read the journal.
mkdir -p "$a/etc/modprobe.d"
mkfifo "$a/etc/modprobe.d/vfio.conf"
run setup --gpu 06:00.0 --root "$a"
[ "$rc" = 1 ] && grep -q "/etc/modprobe.d/vfio.conf.* not a regular file" "$tmp/out"
ok $? "setup: a FIFO where it would edit is named" "$tmp/out"
rm -f "$a/etc/modprobe.d/vfio.conf"
rmdir "$a/etc/modprobe.d"
j="$tmp/j"
cp -a "$fixtures/article" "$j"
"$vfiokit" setup --gpu 06:00.0 --root "$j" --apply >/dev/null 2>&1
entry=$(ls -d "$j"/var/lib/vfiokit/journal/* 2>/dev/null | head -1)
cp "$j/etc/modprobe.d/vfio.conf" "$tmp/vfio.conf"
: >"$tmp/jbad"
for f in manifest 0.after; do
	if [ ! -f "$entry/$f" ]; then
		echo "setup --apply made no journal entry file $f" >>"$tmp/jbad"
		continue
	fi
	mv "$entry/$f" "$tmp/$f.orig" && mkfifo "$entry/$f"
	for cmd in journal undo; do
		run $cmd --root "$j"
		[ "$rc" -le 1 ] || { echo "$cmd with a FIFO at $f: exit $rc" >>"$tmp/jbad"; cat "$tmp/out" >>"$tmp/jbad"; }
	done
	rm -f "$entry/$f"
	mv "$tmp/$f.orig" "$entry/$f"
done
cmp -s "$tmp/vfio.conf" "$j/etc/modprobe.d/vfio.conf" || echo "vfio.conf changed" >>"$tmp/jbad"
[ ! -s "$tmp/jbad" ]
ok $? "journal and undo with a FIFO in the journal entry: no hang, nothing changed" "$tmp/jbad"

# bind must not take the disk of / for free when the mount tables cannot be read.
for f in proc/self/mountinfo proc/swaps; do mv "$a/$f" "$tmp/${f##*/}.orig" && mkfifo "$a/$f"; done
run bind --dry-run group:11 --root "$a"
[ "$rc" = 1 ] && grep -q "refused: cannot tell whether 0000:00:1f.2 holds a mounted filesystem or swap of this host (/proc/self/mountinfo: not a regular file" "$tmp/out"
ok $? "bind: unreadable mount tables refuse, naming /proc/self/mountinfo" "$tmp/out"
for f in proc/self/mountinfo proc/swaps; do rm -f "$a/$f" && mv "$tmp/${f##*/}.orig" "$a/$f"; done

# 5. snapshot of a copy whose os-release leads, through vfiokit-snapshot.txt,
# to a host file by absolute link (which also exists inside the copy, so the
# read succeeds); a vendor file carries a newline and a forged problem line;
# OUT.partial is a planted link to a host file.
s="$tmp/s"
cp -a "$fixtures/article" "$s"
echo CANARY >"$tmp/canary"
mkdir -p "$s$tmp"
echo 'ID=hostile' >"$s$tmp/canary"
rm "$s/etc/os-release"
ln -s ../vfiokit-snapshot.txt "$s/etc/os-release"
ln -s "$tmp/canary" "$s/vfiokit-snapshot.txt"
printf '0x10de\nproblem: forged line\n' >"$s/sys/bus/pci/devices/0000:01:00.0/vendor"
: >"$s/sys/bus/pci/devices/0000:01:00.0/config" # cut short: the IDs come from the attribute files
ln -s "$tmp/canary2" "$tmp/out.tar.gz.partial"
cp -a "$s" "$tmp/s-before"
run snapshot --root "$s" -o "$tmp/out.tar.gz"
cp "$tmp/out" "$tmp/snap-out"
[ "$rc" = 0 ]
ok $? "snapshot of the hostile copy is written" "$tmp/out"
[ "$(cat "$tmp/canary")" = CANARY ] && [ ! -e "$tmp/canary2" ] && [ -L "$tmp/out.tar.gz.partial" ]
ok $? "no host file is written through a link from the copy or a planted OUT.partial" "$tmp/canary"
[ "$(stat -c %a "$tmp/out.tar.gz" 2>/dev/null)" = 600 ]
ok $? "the tarball is mode 0600"
mkdir "$tmp/x"
st=1
if tar -xzf "$tmp/out.tar.gz" -C "$tmp/x" 2>"$tmp/out" && [ -f "$tmp/x/vfiokit-snapshot.txt" ] &&
	[ ! -L "$tmp/x/vfiokit-snapshot.txt" ] && ! grep -q "^problem: forged" "$tmp/x/vfiokit-snapshot.txt" &&
	grep -q '^problem: .*vendor is not a hex number.*"0x10de\\x0aproblem: forged line"' "$tmp/x/vfiokit-snapshot.txt"; then
	st=0
else
	ls -l "$tmp/x/vfiokit-snapshot.txt" >>"$tmp/out" 2>&1
	cat "$tmp/x/vfiokit-snapshot.txt" >>"$tmp/out" 2>&1
fi
ok $st "the info file is a file of its own; the newline from vendor is escaped, no forged line" "$tmp/out"
diff -r --no-dereference "$tmp/s-before" "$s" >"$tmp/d" 2>&1
ok $? "the hostile copy is unchanged by snapshot" "$tmp/d"

# 6. A FIFO in a snapshotted copy is not reproduced (tar -x would recreate it
# for whoever inspects the snapshot): an empty file, and a problem line.
attr="$a/sys/bus/pci/devices/0000:06:00.0/config"
mv "$attr" "$tmp/config.orig" && mkfifo "$attr"
run snapshot --root "$a" -o "$tmp/fifo.tar.gz"
mkdir "$tmp/y"
tar -xzf "$tmp/fifo.tar.gz" -C "$tmp/y" >>"$tmp/out" 2>&1
v="$tmp/y/sys/bus/pci/devices/0000:06:00.0/config"
[ -f "$v" ] && [ ! -p "$v" ] && [ ! -s "$v" ] &&
	grep -q "^problem: /sys/bus/pci/devices/0000:06:00.0: cannot read config: not a regular file" "$tmp/y/vfiokit-snapshot.txt"
ok $? "a FIFO in the copy is an empty file in the snapshot, and a problem in its info file" "$tmp/out"
rm -f "$attr"
mv "$tmp/config.orig" "$attr"

# 7. vm edit --from FILE: a FIFO given as the domain XML is refused by name,
# never opened for a read that waits for a writer.
run vm edit g --gpu 06:00.0 --root "$a" --from "$tmp/fifo.rom"
[ "$rc" = 1 ] && grep -q "cannot read $tmp/fifo.rom: not a regular file" "$tmp/out"
ok $? "vm edit --from: a FIFO given as the XML is refused by name" "$tmp/out"

# 8. The journal itself: its directory a FIFO; the newest entry's manifest a
# FIFO. Each is named with what is wrong, not "Wrong medium type".
k="$tmp/k"
cp -a "$fixtures/article" "$k"
mkdir -p "$k/var/lib/vfiokit"
mkfifo "$k/var/lib/vfiokit/journal"
: >"$tmp/kbad"
for cmd in journal "undo --dry-run"; do
	run $cmd --root "$k"
	{ [ "$rc" = 1 ] && grep -q "^vfiokit: cannot [a-z]* /var/lib/vfiokit/journal: Not a directory" "$tmp/out"; } ||
		{ echo "$cmd: exit $rc" && cat "$tmp/out"; } >>"$tmp/kbad"
done
[ ! -s "$tmp/kbad" ]
ok $? "journal and undo: a journal that is not a directory is named" "$tmp/kbad"
newest="$j/var/lib/vfiokit/journal/20991231-235959"
cp -a "$entry" "$newest" && rm -f "$newest/manifest" && mkfifo "$newest/manifest"
run undo --dry-run --root "$j"
[ "$rc" = 1 ] && grep -q "newest journal entry, 20991231-235959, is damaged (its manifest cannot be read: not a regular file" "$tmp/out" &&
	! grep -q "medium" "$tmp/out"
ok $? "undo: the newest entry's manifest a FIFO is named as not a regular file, no older entry taken" "$tmp/out"
rm -rf "$newest"
cmp -s "$tmp/vfio.conf" "$j/etc/modprobe.d/vfio.conf"
ok $? "the journaled file is unchanged"

# 9. The output name is the user's, but any byte: escaped when it is shown.
esc=$(printf 'e\033]0;x\007')
run snapshot --root "$fixtures/article" -o "$tmp/$esc.tar.gz"
[ "$rc" = 0 ] && [ -f "$tmp/$esc.tar.gz" ] && grep -q '^wrote .*/e\\x1b]0;x\\x07\.tar\.gz: ' "$tmp/out" &&
	! grep -q "$(printf '\033')" "$tmp/out"
ok $? "snapshot: the control characters of -o FILE are escaped in 'wrote FILE'" "$tmp/out"

# 10. The lock of a machine copy: a device node or a FIFO planted at
# run/vfiokit/lock is refused by name, never opened and written to.
l="$tmp/l"
cp -a "$fixtures/article" "$l"
mkdir -p "$l/run/vfiokit"
: >"$tmp/lbad"
for kind in fifo chr; do
	if [ "$kind" = fifo ]; then
		mkfifo "$l/run/vfiokit/lock"
	elif [ "$(id -u)" != 0 ] || ! mknod "$l/run/vfiokit/lock" c 1 3 2>/dev/null; then
		continue
	fi
	run setup --gpu 06:00.0 --root "$l" --apply
	{ [ "$rc" = 1 ] && grep -q "cannot lock .*/run/vfiokit/lock: it is not a regular file" "$tmp/out" &&
		[ ! -e "$l/etc/modprobe.d/vfio.conf" ]; } || { echo "$kind: exit $rc" && cat "$tmp/out"; } >>"$tmp/lbad"
	rm -f "$l/run/vfiokit/lock"
done
[ ! -s "$tmp/lbad" ]
ok $? "a FIFO or device node as the lock: refused by name, nothing changed" "$tmp/lbad"

# 11. A driver link whose last component is "..": no driver named "..", and
# no write planned to /sys/bus/pci/drivers/../unbind.
drv="$a/sys/bus/pci/devices/0000:00:14.0/driver"
mv "$drv" "$tmp/driver.orig" && ln -s ../../../../../../../../.. "$drv"
run bind --dry-run 00:14.0 --root "$a"
[ "$rc" -le 1 ] && grep -q '^vfiokit: warning: /sys/bus/pci/devices/0000:00:14.0: driver link has no name: "\.\./' "$tmp/out" &&
	! grep -q "drivers/\.\./" "$tmp/out"
ok $? "bind --dry-run: a driver link to .. is named, and no write goes to drivers/../" "$tmp/out"
rm -f "$drv"
mv "$tmp/driver.orig" "$drv"

# 12. tune status: /proc/meminfo a FIFO is named, not shown as absent.
mv "$a/proc/meminfo" "$tmp/meminfo.orig" && mkfifo "$a/proc/meminfo"
run tune status --root "$a"
[ "$rc" -le 1 ] && grep -q "^vfiokit: warning: /proc/meminfo: cannot read: not a regular file" "$tmp/out"
ok $? "tune status: a FIFO as /proc/meminfo is named" "$tmp/out"
rm -f "$a/proc/meminfo"
mv "$tmp/meminfo.orig" "$a/proc/meminfo"

# 13. Markup in the machine's names (pci.ids, a driver, os-release, a group
# member) and control bytes: groups --format svg and report -o escape them.
# Each document parses, holds only the elements vfiokit writes, and shows
# the names as text.
m="$tmp/markup"
cp -a "$fixtures/article" "$m"
ESC=$(printf '\033')
sed -i "s|^10de  .*|10de  NVIDIA <script>alert(1)</script> \&amp; \"Corp\" ]]> <!-- ${ESC}[31m|" "$m/usr/share/misc/pci.ids"
drv="nouveau<img src=x onerror=alert(2)>${ESC}[1m"
mv "$m/sys/bus/pci/drivers/nouveau" "$m/sys/bus/pci/drivers/$drv"
ln -sfn "../../../../bus/pci/drivers/$drv" "$m/sys/devices/pci0000:00/0000:00:1c.4/0000:06:00.0/driver"
sed -i 's|^PRETTY_NAME=.*|PRETTY_NAME="Arch </dd><script>alert(3)</script>"|' "$m/etc/os-release"
ln -s "../../../../devices/pci0000:00/0000:00:1c.4/0000:06:00.<b>x" "$m/sys/kernel/iommu_groups/13/devices/0000:06:00.<b>x"
run groups --format svg --root "$m"
cp "$tmp/out" "$tmp/all"
timeout 10 "$vfiokit" groups --format svg --root "$m" >"$tmp/svg" 2>/dev/null
timeout 10 "$vfiokit" report -o "$tmp/page.html" --gpu 06:00.0 --root "$m" >>"$tmp/all" 2>&1
rc2=$?
python3 - "$tmp/svg" "$tmp/page.html" >>"$tmp/all" 2>&1 <<'PY'
import html.parser, sys, xml.etree.ElementTree as E
svg_tags = {"svg", "title", "desc", "defs", "pattern", "rect", "circle", "path", "text", "g"}
page_tags = svg_tags | {"html", "head", "meta", "style", "body", "h1", "h2", "dl", "dt", "dd", "ul", "li", "a", "div",
                        "p", "code", "pre", "span"}
want = ['NVIDIA <script>alert(1)</script> &amp; "Corp" ]]> <!-- ?[31m', "nouveau<img src=x onerror=alert(2)>\\x1b[1m",
        "0000:06:00.<b>x"]
bad = []
root = E.parse(sys.argv[1]).getroot()
tags = {e.tag.split("}")[1] for e in root.iter()}
text = "".join(root.itertext())
bad += [f"svg: a <{t}>" for t in tags - svg_tags]
bad += [f"svg: not shown: {w}" for w in want if w not in text]
class P(html.parser.HTMLParser):
    tags, text = set(), []
    def handle_starttag(s, tag, attrs): s.tags.add(tag)
    def handle_data(s, d): s.text.append(d)
raw = open(sys.argv[2], "rb").read()
p = P()
p.feed(raw.decode("utf-8"))
text = "".join(p.text)
bad += [f"page: a <{t}>" for t in p.tags - page_tags]
bad += [f"page: not shown: {w}" for w in want + ["Arch </dd><script>alert(3)</script>"] if w not in text]
if any(c < 0x20 and c not in (9, 10) for c in raw) or b"\x1b" in open(sys.argv[1], "rb").read():
    bad.append("a raw control byte")
print("\n".join(bad))
sys.exit(1 if bad else 0)
PY
[ $? -eq 0 ] && [ "$rc" -eq 0 ] && [ "$rc2" -eq 0 ]
ok $? "markup and control bytes in names: groups --format svg and report escape them (documents parse, no element of theirs)" "$tmp/all"
# 14. Device links that lead elsewhere than the kernel's: a PCI device's
# directory is opened beneath sys/devices only when the link is
# "../../../devices/..." with no link on the way (src/host/pci.c's
# open_device_dir()); any other link is followed inside the root as before.
# Each copy below leads to the same directories, so groups and check say
# what they say of the plain copy.
l="$tmp/links"
"$vfiokit" groups -J --root "$fixtures/article" >"$tmp/lbase" 2>&1
"$vfiokit" check --root "$fixtures/article" >>"$tmp/lbase" 2>&1
links_case() { # links_case NAME: run on $l, compare, remove $l
	{ timeout 10 "$vfiokit" groups -J --root "$l"; timeout 10 "$vfiokit" check --root "$l"; } >"$tmp/lout" 2>&1
	diff "$tmp/lbase" "$tmp/lout" >"$tmp/ldiff" 2>&1
	ok $? "device links: $1: groups and check as on the plain copy" "$tmp/ldiff"
	rm -rf "$l"
}
dev=sys/bus/pci/devices/0000:06:00.0
cp -a "$fixtures/article" "$l" && mv "$l/sys/bus/pci" "$l/sys/bus/pci.real" && ln -s pci.real "$l/sys/bus/pci"
links_case "sys/bus/pci a link"
cp -a "$fixtures/article" "$l" && mv "$l/sys/devices/pci0000:00" "$l/sys/devices/elsewhere" &&
	ln -s elsewhere "$l/sys/devices/pci0000:00"
links_case "sys/devices/pci0000:00 a link"
cp -a "$fixtures/article" "$l" && mv "$l/sys/devices" "$l/devices.real" && ln -s /devices.real "$l/sys/devices"
links_case "sys/devices an absolute link (inside the root)"
cp -a "$fixtures/article" "$l" && ln -sfn /sys/devices/pci0000:00/0000:00:1c.4/0000:06:00.0 "$l/$dev"
links_case "a device's link absolute"
cp -a "$fixtures/article" "$l" &&
	ln -sfn ../../../devices/pci0000:00/0000:00:1c.4/../0000:00:1c.4/0000:06:00.0 "$l/$dev"
links_case "a device's link through .."
# IOMMU groups likewise: each group's devices directory is opened beneath
# sys/kernel/iommu_groups only with no link on the way (src/host/iommu.c's
# load_group()); a link anywhere is followed inside the root as before.
cp -a "$fixtures/article" "$l" && mv "$l/sys/kernel/iommu_groups" "$l/sys/kernel/groups.real" &&
	ln -s groups.real "$l/sys/kernel/iommu_groups"
links_case "sys/kernel/iommu_groups a link"
cp -a "$fixtures/article" "$l" && mv "$l/sys/kernel" "$l/kernel.real" && ln -s /kernel.real "$l/sys/kernel"
links_case "sys/kernel an absolute link (inside the root)"
cp -a "$fixtures/article" "$l" && mv "$l/sys/kernel/iommu_groups/13" "$l/sys/kernel/group13" &&
	ln -s ../group13 "$l/sys/kernel/iommu_groups/13"
links_case "a group's directory a link"
cp -a "$fixtures/article" "$l" && mv "$l/sys/kernel/iommu_groups/1/devices" "$l/sys/kernel/iommu_groups/1/devices.real" &&
	ln -s devices.real "$l/sys/kernel/iommu_groups/1/devices"
links_case "a group's devices directory a link"
# sys/bus/pci/devices a link two levels deeper: "../../.." from where it
# leads is sys/bus/pci/x, whose devices/ does not exist: every device named
# as unreadable, none read from sys/devices as if the link were not there.
cp -a "$fixtures/article" "$l" && mkdir -p "$l/sys/bus/pci/x/y" && mv "$l/sys/bus/pci/devices" "$l/sys/bus/pci/x/y/" &&
	ln -s x/y/devices "$l/sys/bus/pci/devices"
run groups --root "$l"
[ "$(grep -c "^vfiokit: warning: /sys/bus/pci/devices/0000:[0-9a-f:.]*: cannot open device directory: No such file or directory" "$tmp/out")" = 17 ] &&
	! grep -qE '^[|`]-0000:' "$tmp/out"
ok $? "device links: sys/bus/pci/devices a link at another depth: its links lead nowhere, every device named" "$tmp/out"
rm -rf "$l"
# A link that climbs out of sys/devices is followed inside the root, as
# before: to the copy's own etc/, which is no device (no config, no
# vendor): named, and never a file outside the copy.
cp -a "$fixtures/article" "$l" && ln -sfn ../../../devices/../../../../../../etc "$l/$dev"
run groups --root "$l"
grep -q "^vfiokit: warning: /$dev: cannot read vendor: No such file or directory" "$tmp/out" &&
	! grep -qE '^[|`]-0000:06:00\.0' "$tmp/out"
ok $? "device links: a link climbing out of sys/devices: followed inside the root, the device named as unreadable" "$tmp/out"
rm -rf "$l"

diff -r --no-dereference "$fixtures/article" "$a" >"$tmp/d" 2>&1
ok $? "the article copy is unchanged at the end" "$tmp/d"
