#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Output safety on a hostile machine copy: the article's machine with ESC
# [31m, OSC and BEL and invalid UTF-8 in a vendor name (pci.ids), a driver
# name, os-release, a group member's name and a firmware path. No command
# may write a raw control byte or invalid UTF-8 (they are shown as \xHH,
# as lsblk does), groups -J must be valid UTF-8 JSON, and vm create must
# refuse such text rather than write ill-formed XML.
# usage: output.sh VFIOKIT FIXTURES
set -u
vfiokit=$1 fixtures=$2
export LC_ALL=C NO_COLOR=1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); failed=1; echo "not ok $n - $1"; sed 's/^/# /' "$tmp/out" | head -20; }

ESC=$(printf '\033') BEL=$(printf '\007') FF=$(printf '\377') FE=$(printf '\376')
h=$tmp/host
cp -a "$fixtures/article" "$h"
sed -i "s/^10de  .*/10de  NVIDIA${ESC}[31m Corp${BEL} ${FF}${FE} ${ESC}]0;owned${BEL}/" "$h/usr/share/misc/pci.ids"
drv="nouveau${ESC}]0;pwn${BEL}"
mv "$h/sys/bus/pci/drivers/nouveau" "$h/sys/bus/pci/drivers/$drv"
ln -sfn "../../../../bus/pci/drivers/$drv" "$h/sys/devices/pci0000:00/0000:00:1c.4/0000:06:00.0/driver"
sed -i "s/^PRETTY_NAME=.*/PRETTY_NAME=\"Arch${ESC}[2J Linux${FF}\"/" "$h/etc/os-release"
# What setup edits (as make demo adds them).
mkdir -p "$h/boot/loader/entries"
printf 'MODULES=()\n# \033]0;pwn\007 \377\nBINARIES=()\nFILES=()\nHOOKS=(base udev autodetect modconf kms keyboard block filesystems fsck)\n' \
	>"$h/etc/mkinitcpio.conf"
printf 'title   Arch Linux\nlinux   /vmlinuz-linux\ninitrd  /initramfs-linux.img\noptions root=LABEL=arch rw\n' \
	>"$h/boot/loader/entries/arch.conf"
# The same with a group member whose name carries a CSI.
g=$tmp/group
cp -a "$h" "$g"
ln -s "../../../../devices/pci0000:00/0000:00:1c.4/0000:06:00.${ESC}[31m" \
	"$g/sys/kernel/iommu_groups/13/devices/0000:06:00.${ESC}[31m"
# The same with an OSC in the kernel's release.
k=$tmp/kernel
cp -a "$h" "$k"
printf '6.6.10-arch1-1\033]0;k\007\n' >"$k/proc/sys/kernel/osrelease"
# The same with a firmware descriptor whose image path carries a CSI.
f=$tmp/firmware
cp -a "$h" "$f"
cp "$f/usr/share/edk2/x64/OVMF_CODE.4m.fd" "$f/usr/share/edk2/x64/${ESC}[31mCODE.fd"
cat >"$f/usr/share/qemu/firmware/10-evil.json" <<'EOF'
{ "description": "OVMF with a CSI in its path", "interface-types": [ "uefi" ],
  "mapping": { "device": "flash",
    "executable": { "filename": "/usr/share/edk2/x64/\u001b[31mCODE.fd", "format": "raw" },
    "nvram-template": { "filename": "/usr/share/edk2/x64/OVMF_VARS.4m.fd", "format": "raw" } },
  "targets": [ { "architecture": "x86_64", "machines": [ "pc-q35-*" ] } ], "features": [ ], "tags": [ ] }
EOF

# clean FILE: no control byte but newline, no invalid UTF-8.
clean() {
	! LC_ALL=C grep -qaP '[\x00-\x09\x0b-\x1f\x7f]' "$1" &&
		python3 -c 'import sys; open(sys.argv[1], "rb").read().decode("utf-8")' "$1" 2>/dev/null
}
# safe NAME ROOT WANT_EXIT PATTERN -- ARGS: stdout and stderr clean, and the
# hostile text shown escaped (PATTERN, fixed string) rather than left out.
safe() {
	name=$1 root=$2 want=$3 pat=$4; shift 5
	"$vfiokit" "$@" --root "$root" >"$tmp/raw" 2>&1
	rc=$?
	sed "s|$tmp|TMP|g" "$tmp/raw" >"$tmp/out"
	if [ $rc -eq "$want" ] && clean "$tmp/out" && grep -qF -- "$pat" "$tmp/out"; then
		ok "$name: no raw control byte or invalid UTF-8; shown as $pat"
	else
		echo "exit $rc" >>"$tmp/out"; od -c "$tmp/out" | grep -m3 '033\|007\|377' >>"$tmp/out"
		nok "$name"
	fi
}
# names.c shows a pci.ids name's control characters as '?' (the name is in the
# model, and may reach XML); the invalid UTF-8 left is escaped on output.
safe "groups" "$h" 0 'NVIDIA?[31m Corp? \xff\xfe ?]0;owned?' -- groups
safe "groups: the driver" "$h" 0 'nouveau\x1b]0;pwn\x07' -- groups
safe "groups -r" "$h" 0 'nouveau\x1b]0;pwn\x07' -- groups -r
safe "groups: a diagnostic" "$g" 0 'lists 0000:06:00.\x1b[31m, which is not a PCI address' -- groups
safe "groups: a shared group's member" "$g" 0 '  0000:06:00.\x1b[31m (listed in the group' -- groups
safe "groups --group" "$h" 0 'nouveau\x1b]0;pwn\x07' -- groups --group 13
safe "check" "$h" 0 'IOMMU' -- check
safe "check: a detail" "$k" 0 '/lib/modules/6.6.10-arch1-1\x1b]0;k\x07 is missing' -- check
safe "bind --dry-run: the steps" "$h" 0 '/sys/bus/pci/drivers/nouveau\x1b]0;pwn\x07/unbind' -- bind --dry-run group:13
# (refused, exit 1: a member the group lists but /sys/bus/pci lacks.)
safe "bind --dry-run: a warning" "$g" 1 'warning: /sys/kernel/iommu_groups/13/devices: lists 0000:06:00.\x1b[31m' -- \
	bind --dry-run 06:00.0
safe "bind --dry-run: a refusal" "$g" 1 'refused: group 13 may not be viable: it lists 0000:06:00.\x1b[31m, which' -- \
	bind --dry-run 06:00.0
safe "setup: the header" "$h" 0 '# machine: Arch\x1b[2J Linux\xff, ' -- setup --gpu 06:00.0
safe "setup: a file's line in the diff" "$h" 0 ' # \x1b]0;pwn\x07 \xff' -- setup --gpu 06:00.0
# --root itself in the journal's messages: apply, then undo.
r="$tmp/r${ESC}[31m"
cp -a "$h" "$r"
safe "setup --apply: the machine copy's name" "$r" 0 "TMP/r\\x1b[31m is a machine copy" -- setup --gpu 06:00.0 --apply
safe "undo: the machine copy's name" "$r" 0 "TMP/r\\x1b[31m is a machine copy" -- undo
# A domain's comment with U+009B (CSI to some terminals) and DEL, both
# allowed in XML 1.0, in vm edit's diff.
C1=$(printf '\302\233') DEL=$(printf '\177')
sed "s|</devices>|<!-- ${C1}31m ${DEL} --></devices>|" "$fixtures/../libvirt/win10-virt-manager.xml" >"$tmp/dom.xml"
safe "vm edit: the diff" "$h" 0 '<!-- \xc2\x9b31m \x7f -->' -- vm edit win10 --gpu 06:00.0 --from "$tmp/dom.xml"
safe "vm create: a warning" "$h" 0 'not on vfio-pci: 0000:06:00.0 (nouveau\x1b]0;pwn\x07)' -- vm create w --gpu 06:00.0
safe "an error repeats the argument escaped" "$h" 2 '06\x1b[31m' -- vm create w --gpu "06${ESC}[31m"
safe "a usage error repeats the argument escaped" "$h" 2 "not '1\\xff'" -- vm create w --gpu 06:00.0 --vcpus "1${FF}"

EFI=/usr/lib/ipxe/qemu/efi-e1000e.rom
if [ -f "$EFI" ]; then
	cp "$EFI" "$tmp/a${ESC}[31m.rom"
	"$vfiokit" rom "$tmp/a${ESC}[31m.rom" >"$tmp/out" 2>&1
	if [ $? -eq 0 ] && clean "$tmp/out" && grep -qF 'a\x1b[31m.rom: UEFI-ready' "$tmp/out"; then
		ok "rom: a file name with an ESC is shown escaped"
	else nok "rom: a file name with an ESC"; fi
	{ head -c 1536 /dev/zero | tr '\0' 'N'; cat "$EFI"; } >"$tmp/h${BEL}.rom"
	"$vfiokit" rom strip "$tmp/h${BEL}.rom" "$tmp/s${BEL}.rom" >"$tmp/out" 2>&1
	if [ $? -eq 0 ] && clean "$tmp/out" && grep -qF 's\x07.rom: '"$(stat -c %s "$EFI")"' bytes from offset 0x600 of' "$tmp/out"; then
		ok "rom strip: file names with a BEL are shown escaped"
	else nok "rom strip: file names with a BEL"; fi
else n=$((n + 2)); echo "ok $((n - 1)) # SKIP ipxe-qemu missing"; echo "ok $n # SKIP ipxe-qemu missing"; fi

# groups -J: valid UTF-8 JSON (python's json.tool alone would take the
# invalid bytes as surrogate escapes), the names kept.
for root in "$h" "$g"; do
	"$vfiokit" groups -J --root "$root" >"$tmp/out.json" 2>"$tmp/out"
	if [ $? -eq 0 ] && python3 - "$tmp/out.json" >"$tmp/out" 2>&1 <<'EOF'
import json, sys
d = json.loads(open(sys.argv[1], "rb").read().decode("utf-8"))
devs = [x for g in d["groups"] for x in g.get("children", [])]
gpu = [x for x in devs if x["name"] == "0000:06:00.0"][0]
assert gpu["driver"] == "nouveau\x1b]0;pwn\x07", gpu["driver"]
assert "NVIDIA?[31m Corp? \\xff\\xfe ?]0;owned? GM204" in gpu["description"], gpu["description"]
EOF
	then ok "groups -J ($(basename "$root")): valid UTF-8 JSON, the driver and the vendor kept (\\u001b, \\\\xff)"
	else cat "$tmp/out.json" >>"$tmp/out"; nok "groups -J ($(basename "$root"))"; fi
	if clean "$tmp/out.json"; then ok "groups -J ($(basename "$root")): no raw control byte"
	else cp "$tmp/out.json" "$tmp/out"; nok "groups -J ($(basename "$root")): raw bytes"; fi
done
"$vfiokit" bind --dry-run -J group:13 --root "$h" >"$tmp/out.json" 2>"$tmp/out"
if [ $? -eq 0 ] && clean "$tmp/out.json" &&
	python3 -c 'import json,sys; json.loads(open(sys.argv[1],"rb").read().decode("utf-8"))' "$tmp/out.json" 2>>"$tmp/out"
then ok "bind --dry-run -J: valid UTF-8 JSON"
else cat "$tmp/out.json" >>"$tmp/out"; nok "bind --dry-run -J"; fi

# vm create: text that libvirt's XML cannot hold is refused, named, nothing
# written on stdout.
# refuse NAME ROOT WANT_EXIT PATTERN -- ARGS
refuse() {
	name=$1 root=$2 want=$3 pat=$4; shift 5
	"$vfiokit" "$@" --root "$root" >"$tmp/stdout" 2>"$tmp/out"
	rc=$?
	if [ $rc -eq "$want" ] && [ ! -s "$tmp/stdout" ] && clean "$tmp/out" && grep -qF -- "$pat" "$tmp/out"; then
		ok "$name: refused (exit $want), named"
	else
		{ echo "exit $rc; stdout:"; cat "$tmp/stdout"; } >>"$tmp/out"; nok "$name"
	fi
}
refuse "vm create --disk with an ESC" "$h" 2 \
	'--disk /srv/a\x1b[31mb.img: it contains a control character; a libvirt domain cannot hold it' -- \
	vm create w --gpu 06:00.0 --disk "/srv/a${ESC}[31mb.img"
refuse "vm create --iso with invalid UTF-8" "$h" 2 '--iso /srv/\xff.iso: it is not valid UTF-8' -- \
	vm create w --gpu 06:00.0 --iso "/srv/${FF}.iso"
refuse "vm create --rom with a newline" "$h" 2 '--rom /srv/a\x0ab.rom: it contains a control character' -- \
	vm create w --gpu 06:00.0 --rom "/srv/a
b.rom"
refuse "vm create --evdev with a BEL" "$h" 2 'it contains a control character' -- \
	vm create w --gpu 06:00.0 --evdev "/dev/input/by-id/k${BEL}-event-kbd"
refuse "vm create --network with an OSC" "$h" 2 '--network n\x1b]0;x\x07' -- \
	vm create w --gpu 06:00.0 --network "n${ESC}]0;x${BEL}"
refuse "vm create: a name with invalid UTF-8" "$h" 2 'bad guest name: it is not valid UTF-8' -- \
	vm create "w${FF}" --gpu 06:00.0
refuse "vm create --qemu: a path with an ESC" "$h" 2 '--disk /srv/\x1b[31m.img' -- \
	vm create w --gpu 06:00.0 --disk "/srv/${ESC}[31m.img" --qemu "$tmp/never.sh"
[ ! -e "$tmp/never.sh" ] && ok "vm create --qemu: refused, no script written" || { : >"$tmp/out"; nok "vm create --qemu wrote a script"; }
refuse "vm create: a firmware path from the machine with an ESC" "$f" 1 \
	'the firmware from usr/share/qemu/firmware/10-evil.json: /usr/share/edk2/x64/\x1b[31mCODE.fd: it contains a control character' -- \
	vm create w --gpu 06:00.0
# A sound name still gives a domain libvirt's schema takes.
"$vfiokit" vm create "Caf$(printf '\303\251')" --gpu 06:00.0 --disk "/srv/$(printf '\303\251').img" --root "$h" \
	>"$tmp/ok.xml" 2>"$tmp/out"
if [ $? -eq 0 ] && grep -q "<name>Caf$(printf '\303\251')</name>" "$tmp/ok.xml" &&
	{ ! command -v virt-xml-validate >/dev/null || virt-xml-validate "$tmp/ok.xml" domain >>"$tmp/out" 2>&1; }; then
	ok "vm create: UTF-8 names and paths are kept, the XML valid"
else nok "vm create with UTF-8"; fi

echo "1..$n"
exit $failed
