#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# vfiokit vm on the article's machine, with real parts: the i7-8700K topology
# of the article (fixtures/mkcpu.py), a real /proc/meminfo, and the OVMF
# images and QEMU firmware descriptors of Debian's ovmf package (copied into
# the machine copy). Every domain vfiokit writes must pass libvirt's schema
# (virt-xml-validate) and be defined and read back by libvirt's test driver
# through the C API (vfiokit vm create --define --connect test:///default).
# vm edit runs on a domain as virt-manager writes it, through a test-driver
# node file. Golden outputs in tests/expected/vm/NAME.out; --update rewrites.
# usage: vm.sh VFIOKIT FIXTURES_DIR EXPECTED_DIR [--update]
set -u
vfiokit=$(realpath "$1") fixtures=$(realpath "$2") expected=$3/vm update=${4:-}
# A run that talks to libvirt's test driver leaves libvirt's threads at exit,
# where LeakSanitizer's tracer crashed now and then under load ("Tracer caught
# signal 11", the run aborted after it had passed): those runs go without the
# leak check in the sanitizer build; every other vm run keeps it.
vk() {
	case " $* " in
	*" test:///default "*) ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" "$vfiokit" "$@" ;;
	*) "$vfiokit" "$@" ;;
	esac
}
# A guest name with everything that breaks XML, shell, file names and QEMU options.
hostile='a b"c$(touch x)<&>'"'"'d,e'

export LC_ALL=C NO_COLOR=1
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); failed=1; echo "not ok $n - $1"; [ -s "$tmp/why" ] && sed 's/^/# /' "$tmp/why" | head -40; }
for tool in virt-xml-validate virsh; do
	command -v $tool >/dev/null || { echo "1..0 # SKIP $tool missing (libvirt-clients)"; exit 0; }
done
[ -f /usr/share/qemu/firmware/60-edk2-x86_64.json ] || { echo "1..0 # SKIP Debian's ovmf package missing"; exit 0; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

# The machine copy.
root=$tmp/host
sh "$fixtures/mkvmhost.sh" "$fixtures" "$root" || exit 1
# Block devices: the root disk (sda: /boot, / and swap) and a second disk
# (sdb) nothing of the host uses, with their by-id names.
ln -s ../../devices/pci0000:00/0000:00:1f.2/ata2/host1/target1:0:0/1:0:0:0/block/sdb "$root/sys/class/block/sdb"
mkdir -p "$root/dev/disk/by-id"
for b in sda sda1 sda2 sda3 sdb; do : >"$root/dev/$b"; done
ln -s ../../sda3 "$root/dev/disk/by-id/ata-ST1000DM003_Z1D5K2XY-part3"
ln -s ../../sdb "$root/dev/disk/by-id/wwn-0x50014ee2b5c2d1a3"
ln -s ../../sdb "$root/dev/disk/by-id/ata-WDC_WD20EZRZ_WD-WCC4M1234567"
# The root partition under other names: a by-uuid link, a file name that
# links to it, and a link that climbs above / (where it leads cannot be told).
mkdir -p "$root/dev/disk/by-uuid" "$root/srv"
ln -s ../../sda2 "$root/dev/disk/by-uuid/0f3c2b7e-5d1a-4c9e-8f6b-2a7d9e1c4b50"
ln -s /dev/sda2 "$root/srv/root.img"
ln -s ../../../sda2 "$root/srv/up.img"
# Installer images: no xorriso or genisoimage on the build machines, so
# the El Torito structures (ECMA-119 volume descriptors, a boot record,
# the catalog's validation entry, default entry, section header and entry)
# are written here byte by byte: Win10.iso as Windows' (BIOS default entry,
# an EFI section), bios.iso (BIOS only), plain.iso (no boot record), and a
# damaged catalog.
mkdir -p "$root/srv"
python3 - "$root/srv" <<'PY' || exit 1
import struct, sys
def iso(path, catalog, boot_record=True, checksum_ok=True, cut=None, lba=20):
    s = lambda t, body=b"": (bytes([t]) + b"CD001\x01" + body).ljust(2048, b"\0")
    vds = [s(1)]
    if boot_record:
        vds.append(s(0, b"EL TORITO SPECIFICATION".ljust(32, b"\0") + b"\0" * 32 + struct.pack("<I", lba)))
    vds.append(s(255))
    data = b"\0" * 16 * 2048 + b"".join(vds)
    data = data.ljust(20 * 2048, b"\0") + catalog.ljust(2048, b"\0")
    open(path, "wb").write(data[:cut])
def validation(platform, ok=True):
    e = bytearray(32); e[0] = 1; e[1] = platform; e[4:12] = b"vfiokit!"; e[30] = 0x55; e[31] = 0xaa
    s = sum(struct.unpack("<16H", bytes(e))) & 0xffff
    e[28:30] = struct.pack("<H", (-s) & 0xffff if ok else (1 - s) & 0xffff)
    return bytes(e)
entry = bytes([0x88]) + b"\0" * 5 + struct.pack("<HI", 4, 30) + b"\0" * 20
section = lambda last, platform, n: bytes([0x91 if last else 0x90, platform]) + struct.pack("<H", n) + b"\0" * 28
d = sys.argv[1]
iso(d + "/Win10.iso", validation(0) + entry + section(True, 0xef, 1) + entry)
iso(d + "/bios.iso", validation(0) + entry)
iso(d + "/plain.iso", b"", boot_record=False)
iso(d + "/damaged.iso", validation(0, ok=False) + entry + section(True, 0xef, 1) + entry)
iso(d + "/efi-only.iso", validation(0xef) + entry)
# Cut short: among the descriptors, inside the catalog (before and after
# its EFI section), and a catalog sector past the end of the file.
win10 = validation(0) + entry + section(True, 0xef, 1) + entry
iso(d + "/cut-descriptors.iso", win10, cut=17 * 2048)
iso(d + "/cut-catalog.iso", win10, cut=20 * 2048 + 64)
iso(d + "/cut-after-entries.iso", win10, cut=20 * 2048 + 128)
iso(d + "/catalog-past-end.iso", win10, lba=0xffffffff)
open(d + "/notes.txt", "w").write("not an image\n" * 3000)
PY
# A host bridge beside the NIC (enp5s0) of the machine copy; Debian 12's
# libvirt qemu.conf (libvirt-daemon-system 9.0.0).
mkdir -p "$root/sys/class/net/br0/bridge" "$root/etc/libvirt"
cp "$fixtures/libvirt/qemu.conf-debian12" "$root/etc/libvirt/qemu.conf"
# Option ROMs, real ones from Debian's ipxe-qemu and seabios: iPXE's EFI
# e1000e ROM (8086:10d3), the same with the guest GPU's IDs (10de:13c2) in
# every image's PCIR (gpu.rom), a legacy-only VGA BIOS, and a FIFO.
cp /usr/lib/ipxe/qemu/efi-e1000e.rom "$root/srv/e1000e.rom" && cp /usr/share/seabios/vgabios-stdvga.bin "$root/srv/stdvga.rom" &&
	mkfifo "$root/srv/fifo.rom" || exit 1
python3 - "$root/srv" <<'PY' || exit 1
import struct, sys
d = sys.argv[1]
b = bytearray(open(d + "/e1000e.rom", "rb").read())
off = 0
while b[off:off + 2] == b"\x55\xaa":
    p = off + struct.unpack_from("<H", b, off + 0x18)[0]
    struct.pack_into("<HH", b, p + 4, 0x10de, 0x13c2)
    off += struct.unpack_from("<H", b, p + 0x10)[0] * 512
    if b[p + 0x15] & 0x80:
        break
open(d + "/gpu.rom", "wb").write(b)
PY
mkdir -p "$root/usr/share/vgabios" && cp "$root/srv/gpu.rom" "$root/usr/share/vgabios/gpu.rom"
mkdir -p "$tmp/out"
# gpu.rom's copy is named by its sha256, whose bytes are ipxe-qemu's: the
# golden files say ROMSHA256, ROMSHA12 and ROMSIZE.
romsum=$(sha256sum "$root/srv/gpu.rom" | cut -c1-64) romsize=$(stat -c %s "$root/srv/gpu.rom")
romcopy=/usr/share/vgabios/10de-13c2-$(echo "$romsum" | cut -c1-12).rom
unrom() { sed "s/$romsum/ROMSHA256/g; s/$(echo "$romsum" | cut -c1-12)/ROMSHA12/g; s/ $romsize bytes/ ROMSIZE bytes/g"; }
# The same machine without OVMF (nor descriptors), and without input devices.
cp -a "$root" "$tmp/nofw"; rm -rf "$tmp/nofw/usr/share/OVMF" "$tmp/nofw/usr/share/qemu"
cp -a "$root" "$tmp/noinput"; rm -rf "$tmp/noinput/dev/input"

# NAME|ARGS (after "vm create"; the guest name is the first word). Outputs are
# stdout then stderr, the machine copy's path written as ROOT.
cases='
basic|win10 --gpu 06:00.0
full|win10 --gpu 06:00.0 --vcpus 6 --memory 16G --disk /dev/disk/by-id/ata-Samsung_SSD_840_EVO_1TB_S1D9NSAF206396F --iso /srv/Win10.iso --virtio-iso /srv/virtio-win.iso --evdev auto --usb 046d:c52b --looking-glass 1920x1080 --audio pulseaudio --uid 1000 --user alice --rom /var/lib/vfiokit/gtx970.rom --hide-kvm --vendor-id 1234567890ab
pinned|win10 --gpu 06:00.0 --vcpus 6 --memory 8G --pin --hugepages --disk /var/lib/libvirt/images/win10.qcow2
secure|win11 --gpu 06:00.0 --secure-boot --network none
pipewire-old|win10 --gpu 06:00.0 --audio pipewire --uid 1000 --libvirt-version 9.0.0
pipewire-new|win10 --gpu 06:00.0 --audio pipewire --uid 1000 --libvirt-version 9.10.0
lg-spice|win10 --gpu 06:00.0 --looking-glass 2560x1440 --lg-spice --user alice
hostile|HOSTILE --gpu 06:00.0 --disk "/srv/a b,c.img" --iso "/srv/it'"'"'s.iso"
qemu|@win10 --gpu 06:00.0 --vcpus 6 --pin --hugepages --memory 8G --disk /srv/w,in.img --iso /srv/Win10.iso --evdev auto --usb 046d:c52b --looking-glass 1920x1080 --audio pipewire --uid 1000 --rom /srv/gtx970.rom --hide-kvm
qemu-tcg|@HOSTILE --gpu 06:00.0 --accel tcg --memory 256M --vcpus 1 --network none
qemu-secure|@sb --gpu 06:00.0 --secure-boot
disk-sdx|win10 --gpu 06:00.0 --disk /dev/sdb
disk-scsi|win10 --gpu 06:00.0 --vcpus 6 --disk /dev/disk/by-id/ata-WDC_WD20EZRZ_WD-WCC4M1234567 --disk-bus scsi --iso /srv/Win10.iso
qemu-scsi|@win10 --gpu 06:00.0 --disk /srv/win10.img --disk-bus scsi
grab-toggle|win10 --gpu 06:00.0 --evdev auto --evdev /dev/input/event1 --grab-toggle scrolllock
usb-twice|win10 --gpu 06:00.0 --with 00:1a.0 --usb 04f2:b217 --usb 046d:c52b
host-input-allowed|win10 --gpu 06:00.0 --with 00:14.0 --allow-host-input
install-display|win10 --gpu 06:00.0 --install-display
net-bridge|win10 --gpu 06:00.0 --vcpus 6 --bridge br0 --net-queues auto
net-macvtap|win10 --gpu 06:00.0 --macvtap enp5s0
net-connect|win10 --gpu 06:00.0 --connect test:///default --network default --net-queues 2
!net-missing|win10 --gpu 06:00.0 --connect test:///default --network nosuch
!net-not-bridge|win10 --gpu 06:00.0 --bridge enp5s0
!net-no-nic|win10 --gpu 06:00.0 --macvtap eth9
!net-two-nics|win10 --gpu 06:00.0 --network default --bridge br0
host-files|win10 --gpu 06:00.0 --looking-glass 1920x1080 --user alice --audio pulseaudio --uid 1000 --hdmi-audio-host
lg-root-shown|win10 --gpu 06:00.0 --looking-glass 1920x1080 --user root
!lg-root-apply|win10 --gpu 06:00.0 --looking-glass 1920x1080 --user root --apply --connect test:///default
lg-kvmfr|win10 --gpu 06:00.0 --looking-glass 1920x1080 --lg-kvmfr --user alice
!lg-kvmfr-alone|win10 --gpu 06:00.0 --lg-kvmfr --user alice
rom-gpu|win10 --gpu 06:00.0 --rom /srv/gpu.rom
rom-in-vgabios|win10 --gpu 06:00.0 --rom /usr/share/vgabios/gpu.rom
!rom-other-device|win10 --gpu 06:00.0 --rom /srv/e1000e.rom
!rom-legacy-only|win10 --gpu 06:00.0 --rom /srv/stdvga.rom
!rom-fifo|win10 --gpu 06:00.0 --rom /srv/fifo.rom
!rom-directory|win10 --gpu 06:00.0 --rom /srv
!net-queues-qemu|win10 --gpu 06:00.0 --net-queues auto --qemu /dev/null
!qemu-and-xml|win10 --gpu 06:00.0 --xml --qemu /dev/null
!disk-root|win10 --gpu 06:00.0 --disk /dev/sda2
!disk-whole|win10 --gpu 06:00.0 --disk /dev/sda
!disk-swap-by-id|win10 --gpu 06:00.0 --disk /dev/disk/by-id/ata-ST1000DM003_Z1D5K2XY-part3
!disk-root-by-uuid|win10 --gpu 06:00.0 --disk /dev/disk/by-uuid/0f3c2b7e-5d1a-4c9e-8f6b-2a7d9e1c4b50
!disk-root-dotdot|win10 --gpu 06:00.0 --disk //srv/../dev/sda2
!disk-root-link|win10 --gpu 06:00.0 --disk /srv/root.img
!disk-link-above-root|win10 --gpu 06:00.0 --disk /srv/up.img
!evdev-power-button|win10 --gpu 06:00.0 --evdev /dev/input/by-id/acpi-Power_Button-event-kbd
!evdev-unplugged|win10 --gpu 06:00.0 --evdev /dev/input/by-id/usb-Unplugged-event-kbd
!grab-toggle-bad|win10 --gpu 06:00.0 --evdev auto --grab-toggle ctrl-alt
!host-input|win10 --gpu 06:00.0 --with 00:14.0
!lg-spice-alone|win10 --gpu 06:00.0 --lg-spice
iso-efi-only|win10 --gpu 06:00.0 --iso /srv/efi-only.iso
!iso-bios|win10 --gpu 06:00.0 --iso /srv/bios.iso
!iso-plain|win10 --gpu 06:00.0 --iso /srv/plain.iso
!iso-damaged|win10 --gpu 06:00.0 --iso /srv/damaged.iso
!iso-cut-descriptors|win10 --gpu 06:00.0 --iso /srv/cut-descriptors.iso
!iso-cut-catalog|win10 --gpu 06:00.0 --iso /srv/cut-catalog.iso
!iso-cut-after-entries|win10 --gpu 06:00.0 --iso /srv/cut-after-entries.iso
!iso-catalog-past-end|win10 --gpu 06:00.0 --iso /srv/catalog-past-end.iso
!iso-not-iso|win10 --gpu 06:00.0 --iso /srv/notes.txt
!hugepages-short|win10 --gpu 06:00.0 --memory 12G --hugepages
!too-much-memory|win10 --gpu 06:00.0 --memory 64G
!host-display|win10 --gpu 00:02.0
!bad-name|a/b --gpu 06:00.0
!control-name|HOSTILE_NL --gpu 06:00.0
!vendor-id|win10 --gpu 06:00.0 --vendor-id 1234567890abc
!not-a-device|win10 --gpu 07:00.0
!bridge|win10 --gpu 00:01.0
!relative-disk|win10 --gpu 06:00.0 --disk win10.img
!evdev-none|win10 --gpu 06:00.0 --evdev auto --root-no-inputs
!no-firmware|win10 --gpu 06:00.0 --root-no-firmware
'
check_golden() { # NAME FILE
	if [ "$update" = --update ]; then
		mkdir -p "$expected"; cp "$2" "$expected/$1.out"; return 0
	fi
	diff -u "$expected/$1.out" "$2" >"$tmp/why" 2>&1
}
echo "$cases" | while IFS='|' read -r name args; do
	[ -n "$name" ] || continue
	: >"$tmp/why"
	qemu=; case $args in @*) qemu=1; args=${args#@};; esac
	eval "set -- $args"
	guest=$1; shift
	[ "$guest" = HOSTILE ] && guest=$hostile
	[ "$guest" = HOSTILE_NL ] && guest="$(printf 'a\nb')"
	fail=; case $name in !*) fail=1; name=${name#!};; esac
	r=$root
	case "$*" in
	*--root-no-firmware*) r=$tmp/nofw; set -- "$1" "$2";;
	*--root-no-inputs*) r=$tmp/noinput; set -- "$1" "$2" "$3" "$4";;
	esac
	if [ -n "$fail" ]; then
		(cd "$tmp" && vk vm create "$guest" "$@" --root "$r" >"$tmp/out/$name.stdout" 2>"$tmp/out/$name.err")
		rc=$?
		{ cat "$tmp/out/$name.stdout"; echo "--- stderr (exit $rc)"; sed "s|$tmp|TMP|g" "$tmp/out/$name.err"; } >"$tmp/out/$name.out"
		if [ $rc -ne 0 ] && [ ! -s "$tmp/out/$name.stdout" ] && check_golden "$name" "$tmp/out/$name.out"; then
			ok "vm create ($name): refused with a clear error, nothing written"
		else nok "vm create ($name): must fail"; fi
		continue
	fi
	if [ -n "$qemu" ]; then
		(cd "$tmp" && vk vm create "$guest" "$@" --root "$root" --qemu "$tmp/out/$name.sh" >"$tmp/out/$name.stdout" 2>"$tmp/out/$name.err")
		rc=$?
		[ $rc -eq 0 ] || cp "$tmp/out/$name.err" "$tmp/why"
		{ cat "$tmp/out/$name.sh" 2>/dev/null; echo "--- stderr (exit $rc)"; sed "s|$tmp|TMP|g" "$tmp/out/$name.err"; } >"$tmp/out/$name.out"
		if [ $rc -eq 0 ] && sh -n "$tmp/out/$name.sh" 2>"$tmp/why" && check_golden "$name" "$tmp/out/$name.out"; then
			ok "vm create --qemu ($name): the script is valid sh and as expected"
		else nok "vm create --qemu ($name)"; fi
		continue
	fi
	(cd "$tmp" && vk vm create "$guest" "$@" --root "$root" >"$tmp/out/$name.xml" 2>"$tmp/out/$name.err")
	rc=$?
	{ cat "$tmp/out/$name.xml"; echo "--- stderr (exit $rc)"; sed "s|$tmp|TMP|g" "$tmp/out/$name.err"; } | unrom >"$tmp/out/$name.out"
	[ $rc -eq 0 ] || cp "$tmp/out/$name.err" "$tmp/why"
	if [ $rc -eq 0 ] && check_golden "$name" "$tmp/out/$name.out"; then ok "vm create ($name): as expected"
	else nok "vm create ($name)"; continue; fi
	if [ "$name" = pipewire-new ]; then
		# libvirt 9.0's schema has no pipewire: it must refuse exactly that.
		if ! virt-xml-validate "$tmp/out/$name.xml" domain >"$tmp/why" 2>&1 &&
			sed 's/type="pipewire"/type="pulseaudio"/; s/ runtimeDir="[^"]*"//' "$tmp/out/$name.xml" >"$tmp/pw.xml" &&
			virt-xml-validate "$tmp/pw.xml" domain >"$tmp/why" 2>&1; then
			ok "vm create ($name): for libvirt >= 9.10 only; this libvirt's schema refuses only the audio type"
		else nok "vm create ($name): schema"; fi
		continue
	fi
	if virt-xml-validate "$tmp/out/$name.xml" domain >"$tmp/why" 2>&1; then ok "vm create ($name): libvirt's schema accepts it"
	else nok "vm create ($name): virt-xml-validate"; fi
	(cd "$tmp" && vk vm create "$guest" "$@" --root "$root" --define --connect test:///default --xml \
		>"$tmp/out/$name.stored" 2>"$tmp/why")
	if [ $? -eq 0 ] && grep -q "defined '.*' on test:///default (uuid " "$tmp/why" &&
		[ "$(grep -c '<hostdev ' "$tmp/out/$name.stored")" = "$(grep -c '<hostdev ' "$tmp/out/$name.xml")" ] &&
		grep -q "<loader readonly='yes'.*>/usr/share/OVMF/OVMF_CODE_4M" "$tmp/out/$name.stored"; then
		ok "vm create ($name): libvirt's test driver defines it and reads back the hostdevs and OVMF"
	else nok "vm create ($name): define through the test driver"; fi
done >"$tmp/tap"

# vm edit on a domain as virt-manager writes it (Windows 10, q35, SPICE, QXL,
# tablet, USB redirection, SPICE audio), through libvirt's test driver.
vm=$fixtures/libvirt/win10-virt-manager.xml
{ echo "<node>"; cat "$vm"; echo "</node>"; } >"$tmp/node.xml"
edit() { (cd "$tmp" && vk vm edit "$@" --root "$root"); }
{
	: >"$tmp/why"
	edit win10 --gpu 06:00.0 --from "$vm" --evdev auto --audio pulseaudio --uid 1000 >"$tmp/out/edit.stdout" 2>"$tmp/out/edit.err"
	rc=$?
	{ sed "s|$fixtures|FIXTURES|g" "$tmp/out/edit.stdout"; echo "--- stderr (exit $rc)"; cat "$tmp/out/edit.err"; } >"$tmp/out/edit.out"
	if [ $rc -eq 0 ] && check_golden edit "$tmp/out/edit.out"; then ok "vm edit --from: the diff is as expected"
	else nok "vm edit --from"; fi
	edit win10 --gpu 06:00.0 --connect "test://$tmp/node.xml" --define --xml >"$tmp/out/edited.xml" 2>"$tmp/why"
	rc=$?
	if [ $rc -eq 0 ] && [ "$(grep -c '<hostdev ' "$tmp/out/edited.xml")" = 2 ] &&
		! grep -q "qxl\|spicevmc\|type='tablet'\|graphics" "$tmp/out/edited.xml" &&
		grep -q "libosinfo:os id=.http://microsoft.com/win/10" "$tmp/out/edited.xml" &&
		grep -q "win10.qcow2" "$tmp/out/edited.xml" && grep -q "52:54:00:6b:3c:58" "$tmp/out/edited.xml" &&
		virt-xml-validate "$tmp/out/edited.xml" domain >>"$tmp/why" 2>&1; then
		ok "vm edit --define: the test driver takes it; hostdevs in, SPICE/QXL/tablet out, disk, MAC and metadata kept"
	else nok "vm edit --define"; fi
	b=$(ls "$root/var/lib/vfiokit/libvirt/"win10.*.xml 2>/dev/null | head -1)
	if [ -n "$b" ] && virsh -q -c "test://$tmp/node.xml" dumpxml --inactive win10 | diff -q - "$b" >/dev/null 2>"$tmp/why"; then
		ok "vm edit --define kept the old definition byte for byte under var/lib/vfiokit/libvirt"
	else nok "vm edit --define backup ($b)"; fi
	edit win10 --gpu 06:00.0 --from "$tmp/out/edited.xml" >"$tmp/out/again" 2>"$tmp/why"
	if [ $? -eq 0 ] && [ ! -s "$tmp/out/again" ] && grep -q "already has all of it" "$tmp/why"; then
		ok "vm edit a second time changes nothing"
	else nok "vm edit twice"; fi
	# The same with every device edit adds: USB and evdev are not added twice,
	# Looking Glass and audio stay where they are; layout from &#10; is not kept.
	opts="--usb 046d:c52b --evdev auto --audio pipewire --uid 1000 --looking-glass 1920x1080 --lg-spice"
	sed 's|<devices>|<devices>\&#10;|' "$vm" >"$tmp/charref.xml"
	edit win10 --gpu 06:00.0 $opts --from "$tmp/charref.xml" --xml >"$tmp/out/all.xml" 2>"$tmp/why" &&
		edit win10 --gpu 06:00.0 $opts --from "$tmp/out/all.xml" >"$tmp/out/again" 2>"$tmp/why"
	if [ $? -eq 0 ] && [ ! -s "$tmp/out/again" ] && grep -q "already has all of it" "$tmp/why" &&
		[ "$(grep -c '<vendor id="0x046d"' "$tmp/out/all.xml")" = 1 ] && [ "$(grep -c 'type="evdev"' "$tmp/out/all.xml")" = 2 ]; then
		ok "vm edit twice with USB, evdev, audio and Looking Glass changes nothing the second time"
	else { cat "$tmp/out/again"; } >>"$tmp/why"; nok "vm edit twice with USB, evdev, audio and Looking Glass"; fi
	# An empty <devices> with only layout inside (found by fuzz-vm-edit): the
	# edit's output reads back as itself, so a second edit changes nothing.
	sed '/<devices>/,/<\/devices>/c\  <devices>\n  </devices>' "$vm" >"$tmp/nodevs.xml"
	edit win10 --gpu 06:00.0 $opts --from "$tmp/nodevs.xml" --xml >"$tmp/out/nodevs.xml" 2>"$tmp/why" &&
		edit win10 --gpu 06:00.0 $opts --from "$tmp/out/nodevs.xml" >"$tmp/out/again" 2>>"$tmp/why"
	if [ $? -eq 0 ] && [ ! -s "$tmp/out/again" ] && grep -q "already has all of it" "$tmp/why" &&
		grep -q '^    <hostdev ' "$tmp/out/nodevs.xml"; then
		ok "vm edit on an empty <devices> with layout inside: indented, and the second edit changes nothing"
	else { cat "$tmp/out/again"; } >>"$tmp/why"; nok "vm edit on an empty <devices> with layout inside"; fi
	# A SeaBIOS domain (no <loader>): refused, or given OVMF with a warning.
	grep -v '<loader\|<nvram' "$vm" >"$tmp/seabios.xml"
	edit win10 --gpu 06:00.0 --from "$tmp/seabios.xml" >"$tmp/out/seabios" 2>"$tmp/why"
	if [ $? -eq 1 ] && [ ! -s "$tmp/out/seabios" ] && grep -q "boots with SeaBIOS.*--convert-ovmf" "$tmp/why"; then
		ok "vm edit: a SeaBIOS domain is refused, naming --convert-ovmf"
	else nok "vm edit: a SeaBIOS domain"; fi
	edit win10 --gpu 06:00.0 --from "$tmp/seabios.xml" --convert-ovmf --xml >"$tmp/out/seabios.xml" 2>"$tmp/why"
	if [ $? -eq 0 ] && grep -q "change: firmware: SeaBIOS replaced by OVMF (--convert-ovmf). Warning" "$tmp/why" &&
		grep -A1 '<type ' "$tmp/out/seabios.xml" | grep -q '<loader readonly="yes" type="pflash">/usr/share/OVMF/OVMF_CODE_4M' &&
		grep -q '<nvram template=' "$tmp/out/seabios.xml" && virt-xml-validate "$tmp/out/seabios.xml" domain >>"$tmp/why" 2>&1; then
		ok "vm edit --convert-ovmf: OVMF loader and variable store after <type>, with the warning; libvirt's schema accepts it"
	else nok "vm edit --convert-ovmf"; fi
	# The install display stays through later edits until --remove-install-display.
	(cd "$tmp" && vk vm create win10 --gpu 06:00.0 --install-display --root "$root") >"$tmp/inst.xml" 2>"$tmp/why" &&
		edit win10 --gpu 06:00.0 --from "$tmp/inst.xml" --usb 046d:c52b --xml >"$tmp/out/inst2.xml" 2>>"$tmp/why" &&
		edit win10 --gpu 06:00.0 --from "$tmp/out/inst2.xml" --remove-install-display --xml >"$tmp/out/inst3.xml" 2>>"$tmp/why"
	if [ $? -eq 0 ] && grep -q 'type="qxl"' "$tmp/out/inst2.xml" && grep -q '<graphics type="spice"' "$tmp/out/inst2.xml" &&
		grep -q '<vendor id="0x046d"' "$tmp/out/inst2.xml" && ! grep -q 'qxl\|<graphics' "$tmp/out/inst3.xml" &&
		grep -q '<model type="none"/>' "$tmp/out/inst3.xml" && virt-xml-validate "$tmp/out/inst2.xml" domain >>"$tmp/why" 2>&1 &&
		virt-xml-validate "$tmp/out/inst3.xml" domain >>"$tmp/why" 2>&1; then
		ok "vm edit keeps the install display until --remove-install-display takes SPICE and QXL out"
	else nok "vm edit --remove-install-display"; fi
	printf '<domain type="kvm"><name>win10</name><devices>' >"$tmp/broken.xml"
	printf '<network><name>win10</name></network>' >"$tmp/net.xml"
	printf '<!DOCTYPE d [<!ENTITY e SYSTEM "file:///etc/passwd">]><domain><name>win10</name><description>&e;</description></domain>' >"$tmp/xxe.xml"
	printf '<!DOCTYPE d [<!ENTITY e "x">]><domain><name>win10</name><description>&e;</description></domain>' >"$tmp/dtd.xml"
	for bad in broken net xxe dtd; do
		cp "$tmp/$bad.xml" "$tmp/$bad.orig"
		edit win10 --gpu 06:00.0 --from "$tmp/$bad.xml" >"$tmp/out/$bad" 2>"$tmp/why"
		rc=$?
		if [ "$bad" = xxe ]; then
			# Entities are never expanded: /etc/passwd must not appear.
			if ! grep -q "root:" "$tmp/out/$bad"; then ok "vm edit never expands an external entity"
			else nok "vm edit expanded an external entity"; fi
			continue
		fi
		if [ $rc -eq 1 ] && [ ! -s "$tmp/out/$bad" ] && grep -q "vfiokit: .*$bad.xml: not" "$tmp/why" &&
			cmp -s "$tmp/$bad.xml" "$tmp/$bad.orig"; then ok "vm edit: $bad XML is refused by name, the file untouched"
		else nok "vm edit: $bad XML"; fi
	done
	edit other --gpu 06:00.0 --from "$vm" >"$tmp/out/other" 2>"$tmp/why"
	if [ $? -eq 1 ] && grep -q "holds the domain 'win10', not 'other'" "$tmp/why"; then ok "vm edit: a name that is not the file's domain is refused"
	else nok "vm edit: name mismatch"; fi
	# <memory unit=...> with libvirt's units (decimal ones are powers of
	# 1000), <vcpu> that does not fit: the host has 24105 MiB.
	for c in "MB|30000|1|more than this host's RAM (24105 MiB)|--memory 28610 MiB" \
		"TB|1|1|more than this host's RAM|--memory 953674 MiB" "TiB|1|1|more than this host's RAM|--memory 1048576 MiB" \
		"PiB|1|1|more than this host's RAM|--memory 1073741824 MiB" \
		"G|17179869184|1|<memory unit='G'>17179869184</memory>: more than libvirt takes|mem.xml: " \
		"furlong|16|1|<memory unit='furlong'>16</memory>: expected a number and a libvirt unit|mem.xml: " \
		"GiB|16|0||" "GB|16|0||" "KiB|8388608|0||"; do
		IFS='|' read -r u v want p1 p2 <<-EOF
		$c
		EOF
		sed "s|<memory unit=\"KiB\">8388608</memory>|<memory unit=\"$u\">$v</memory>|" "$vm" >"$tmp/mem.xml"
		edit win10 --gpu 06:00.0 --from "$tmp/mem.xml" >"$tmp/out/mem" 2>"$tmp/why"
		rc=$?
		if [ $rc -eq "$want" ] && { [ "$want" = 0 ] || { [ ! -s "$tmp/out/mem" ] && grep -qF -- "$p1" "$tmp/why" &&
			grep -qF -- "$p2" "$tmp/why"; }; }; then
			ok "vm edit: <memory unit='$u'>$v</memory> read as libvirt does (exit $want)"
		else echo "exit $rc" >>"$tmp/why"; nok "vm edit: <memory unit='$u'>$v</memory>"; fi
	done
	sed 's|<vcpu placement="static">4</vcpu>|<vcpu placement="static">4294967297</vcpu>|' "$vm" >"$tmp/vcpu.xml"
	edit win10 --gpu 06:00.0 --from "$tmp/vcpu.xml" >"$tmp/out/vcpu" 2>"$tmp/why"
	if [ $? -eq 1 ] && [ ! -s "$tmp/out/vcpu" ] &&
		grep -qF "$tmp/vcpu.xml: <vcpu>4294967297</vcpu>: expected a count from 1 to 4096" "$tmp/why"; then
		ok "vm edit: <vcpu>4294967297</vcpu> is refused, not read as 1"
	else nok "vm edit: <vcpu>4294967297</vcpu>"; fi
	for c in "--memory 18446744073709551615|--memory: at most 8 EiB, what libvirt takes" \
		"--memory 18446744073709551616|--memory 18446744073709551616 is too large" \
		"--memory 16Gjunk|--memory takes a size like 16G" "--libvirt-version 9.10.0junk|--libvirt-version takes a version" \
		"--vcpus 4294967297|--vcpus takes a number from 1 to 4096" "--looking-glass 4294967616x1080|--looking-glass takes"; do
		opt=${c%%|*} pat=${c#*|}
		(cd "$tmp" && vk vm create win10 --gpu 06:00.0 $opt --root "$root") >"$tmp/out/num" 2>"$tmp/why"
		if [ $? -eq 2 ] && [ ! -s "$tmp/out/num" ] && grep -qF -- "$pat" "$tmp/why"; then ok "vm create $opt: refused, named"
		else nok "vm create $opt"; fi
	done
	# --apply: the host's side through the journal, in a copy of the machine;
	# a second run has nothing to change; undo gives the files back.
	cp -a "$root" "$tmp/applied"
	a=$tmp/applied
	hostopts="--looking-glass 1920x1080 --user alice --audio pulseaudio --uid 1000 --hdmi-audio-host"
	(cd "$tmp" && vk vm create win10 --gpu 06:00.0 $hostopts --apply --connect test:///default --root "$a") \
		>"$tmp/out/apply1" 2>"$tmp/why" &&
		(cd "$tmp" && vk vm create win10 --gpu 06:00.0 $hostopts --apply --connect test:///default --root "$a") \
		>"$tmp/out/apply2" 2>"$tmp/out/apply2.err"
	if [ $? -eq 0 ] && grep -qx 'f /dev/shm/looking-glass 0660 alice kvm -' "$a/etc/tmpfiles.d/10-looking-glass.conf" &&
		grep -A1 '^#user = "libvirt-qemu"$' "$a/etc/libvirt/qemu.conf" | grep -qx 'user = "+1000"' &&
		[ "$(grep -c '^user' "$a/etc/libvirt/qemu.conf")" = 1 ] &&
		grep -qx 'options snd-hda-core gpu_bind=0' "$a/etc/modprobe.d/vfiokit-hdmi-audio.conf" &&
		grep -qx 'options snd-hda-codec-hdmi enable_acomp=n' "$a/etc/modprobe.d/vfiokit-hdmi-audio.conf" &&
		grep -q "journal entry" "$tmp/why" && grep -q "defined 'win10' on test:///default" "$tmp/why" &&
		grep -q "nothing to do" "$tmp/out/apply2.err" && ! grep -q '^[-+]' "$tmp/out/apply2"; then
		ok "vm create --apply: tmpfiles.d, qemu.conf user= and the HDMI audio options through the journal; a second run changes nothing"
	else cat "$tmp/out/apply2.err" >>"$tmp/why" 2>/dev/null; nok "vm create --apply: host files"; fi
	"$vfiokit" undo --root "$a" >"$tmp/out/undo" 2>"$tmp/why"
	if [ $? -eq 0 ] && cmp -s "$a/etc/libvirt/qemu.conf" "$fixtures/libvirt/qemu.conf-debian12" &&
		[ ! -e "$a/etc/tmpfiles.d/10-looking-glass.conf" ] && [ ! -e "$a/etc/modprobe.d/vfiokit-hdmi-audio.conf" ]; then
		ok "vfiokit undo after vm create --apply: qemu.conf byte for byte, the new files gone"
	else nok "undo of vm create --apply"; fi
	# kvmfr: a size change updates the module's option and the domain; the
	# same size again changes nothing.
	# (libvirt's test driver drops qemu:commandline, which only its QEMU
	# driver keeps: the domain is checked as vfiokit writes it.)
	kv() { (cd "$tmp" && vk vm create win10 --gpu 06:00.0 --looking-glass "$1" --lg-kvmfr --user alice ${2:-} \
		--root "$a"); }
	kv 1920x1080 "--apply --connect test:///default" >"$tmp/out/kv1" 2>"$tmp/why" && kv 1920x1080 >"$tmp/out/kv1.xml" 2>>"$tmp/why" &&
		kv 2560x1440 "--apply --connect test:///default" >"$tmp/out/kv2" 2>>"$tmp/why" &&
		kv 2560x1440 >"$tmp/out/kv2.xml" 2>>"$tmp/why" &&
		kv 2560x1440 "--apply --connect test:///default" >"$tmp/out/kv3" 2>"$tmp/out/kv3.err"
	if [ $? -eq 0 ] && grep -q 'static_size_mb=32' "$tmp/out/kv1" && grep -q 'size&quot;:33554432,' "$tmp/out/kv1.xml" &&
		[ "$(grep -c '^options kvmfr' "$a/etc/modprobe.d/kvmfr.conf")" = 1 ] &&
		grep -qx 'options kvmfr static_size_mb=64' "$a/etc/modprobe.d/kvmfr.conf" && grep -q 'size&quot;:67108864,' "$tmp/out/kv2.xml" &&
		grep -qx 'SUBSYSTEM=="kvmfr", OWNER="alice", GROUP="kvm", MODE="0660"' "$a/etc/udev/rules.d/99-kvmfr.rules" &&
		grep -qx kvmfr "$a/etc/modules-load.d/kvmfr.conf" && grep -q "nothing to do" "$tmp/out/kv3.err" &&
		! grep -q '<shmem' "$tmp/out/kv2.xml" && virt-xml-validate "$tmp/out/kv2.xml" domain >>"$tmp/why" 2>&1; then
		ok "vm create --lg-kvmfr --apply: a size change updates kvmfr's static_size_mb and the domain; the same again changes nothing"
	else cat "$tmp/out/kv3.err" >>"$tmp/why" 2>/dev/null; nok "vm create --lg-kvmfr --apply"; fi
	# Never through a link: one to another file of the machine is refused.
	mkdir -p "$a/etc/tmpfiles.d" && ln -sf ../shadow "$a/etc/tmpfiles.d/10-looking-glass.conf"
	echo 'root:*:1::::::' >"$a/etc/shadow"
	(cd "$tmp" && vk vm create win10 --gpu 06:00.0 $hostopts --apply --connect test:///default --root "$a") \
		>"$tmp/out/link" 2>"$tmp/why"
	if [ $? -eq 1 ] && grep -q "10-looking-glass.conf is a symbolic link" "$tmp/why" &&
		[ "$(cat "$a/etc/shadow")" = 'root:*:1::::::' ] && [ ! -e "$a/etc/modprobe.d/vfiokit-hdmi-audio.conf" ]; then
		ok "vm create --apply refuses a host file that is a symbolic link, writing nothing"
	else nok "vm create --apply through a link"; fi
	# --rom: the copy in /usr/share/vgabios through the journal (journal.sh
	# kills it at each change); the same bytes there already change nothing;
	# other bytes there are refused, named; the QEMU script keeps the file;
	# libvirt's real AppArmor abstraction (Debian's libvirt-daemon-system)
	# read from the root, with its rule and without it.
	rr=$tmp/romroot
	rm -rf "$rr" && cp -a "$root" "$rr"
	vr() { (cd "$tmp" && vk vm create win10 --gpu 06:00.0 --rom /srv/gpu.rom --root "$rr" "$@"); }
	vr --apply --connect test:///default >"$tmp/out/rom1" 2>"$tmp/why" &&
		vr --apply --connect test:///default --xml >"$tmp/out/rom2.xml" 2>"$tmp/out/rom2.err"
	if [ $? -eq 0 ] && cmp -s "$rr$romcopy" "$root/srv/gpu.rom" && grep -q "journal entry" "$tmp/why" &&
		! grep -q "journal entry\|host's side" "$tmp/out/rom2.err" && grep -q "<rom file='$romcopy'/>" "$tmp/out/rom2.xml" &&
		virt-xml-validate "$tmp/out/rom2.xml" domain >>"$tmp/why" 2>&1; then
		ok "vm create --rom --apply: the ROM copied to $romcopy; again: the same bytes there, nothing to write; libvirt stores <rom file> naming the copy"
	else cat "$tmp/out/rom2.err" >>"$tmp/why"; nok "vm create --rom --apply, twice"; fi
	"$vfiokit" undo --root "$rr" >/dev/null 2>"$tmp/why"
	cp /usr/lib/ipxe/qemu/efi-virtio.rom "$rr$romcopy" 2>/dev/null || { mkdir -p "$rr/usr/share/vgabios" && cp /usr/lib/ipxe/qemu/efi-virtio.rom "$rr$romcopy"; }
	vr --apply --connect test:///default >"$tmp/out/rom3" 2>"$tmp/why"
	if [ $? -eq 1 ] && grep -q "$romcopy is there with other bytes (sha256 $(sha256sum /usr/lib/ipxe/qemu/efi-virtio.rom | cut -c1-64)): vfiokit does not write over it" "$tmp/why" &&
		cmp -s "$rr$romcopy" /usr/lib/ipxe/qemu/efi-virtio.rom && [ "$(ls "$rr/var/lib/vfiokit/journal" | wc -l)" = 1 ]; then
		ok "vm create --rom --apply: another file at the copy's name is refused, named with its sha256, not written over"
	else nok "vm create --rom: other bytes at the copy's name"; fi
	(cd "$tmp" && vk vm create win10 --gpu 06:00.0 --rom /srv/gpu.rom --root "$root" --qemu "$tmp/out/rom.sh") >/dev/null 2>"$tmp/why"
	if [ $? -eq 0 ] && grep -q "romfile=/srv/gpu.rom" "$tmp/out/rom.sh" && ! grep -q "host's side\|vgabios" "$tmp/why"; then
		ok "vm create --qemu --rom: the script names the file itself (QEMU as root), no copy"
	else nok "vm create --qemu --rom"; fi
	cache=${VFIOKIT_E2E_CACHE:-/var/tmp/vfiokit-e2e}
	mkdir -p "$cache"
	deb=$(ls "$cache"/libvirt-daemon-system_*.deb 2>/dev/null | head -1)
	[ -n "$deb" ] || { (cd "$cache" && flock .download apt-get download libvirt-daemon-system >/dev/null 2>&1); deb=$(ls "$cache"/libvirt-daemon-system_*.deb 2>/dev/null | head -1); }
	if [ -n "$deb" ] && dpkg-deb -x "$deb" "$tmp/lds"; then
		aa=etc/apparmor.d/abstractions/libvirt-qemu
		rm -f "$rr$romcopy"
		mkdir -p "$rr/etc/apparmor.d/abstractions" && cp "$tmp/lds/$aa" "$rr/$aa"
		line=$(grep -n '^ *"*/usr/share/vgabios/\*\* *r,' "$rr/$aa" | cut -d: -f1)
		vr >"$tmp/out/aa.xml" 2>"$tmp/why"
		rc=$?
		grep -v '/usr/share/vgabios/' "$tmp/lds/$aa" >"$rr/$aa"
		vr >/dev/null 2>"$tmp/out/aa-no.err"
		rc2=$?
		if [ $rc -eq 0 ] && [ $rc2 -eq 0 ] && [ -n "$line" ] && grep -q "note: AppArmor: /$aa line $line lets QEMU read /usr/share/vgabios/" "$tmp/why" &&
			grep -q "warning: AppArmor: /$aa has no rule that lets QEMU read /usr/share/vgabios/" "$tmp/out/aa-no.err"; then
			ok "vm create --rom: Debian's AppArmor abstraction read from the root: its rule named (line $line); without it, a warning"
		else cat "$tmp/out/aa-no.err" >>"$tmp/why"; nok "vm create --rom: the AppArmor abstraction"; fi
	else
		ok "# SKIP cannot apt-get download libvirt-daemon-system"
	fi
	# As root with neither SUDO_UID nor --uid, audio is not given uid 0.
	if [ "$(id -u)" = 0 ]; then
		(cd "$tmp" && env -u SUDO_UID "$vfiokit" vm create win10 --gpu 06:00.0 --audio pipewire --libvirt-version 9.10.0 \
			--root "$root") >"$tmp/out/audio-root" 2>"$tmp/why"
		if [ $? -eq 2 ] && [ ! -s "$tmp/out/audio-root" ] && grep -q -- "--audio: run as root.*give --uid N" "$tmp/why"; then
			ok "vm create --audio as root without --uid or SUDO_UID: refused, asking for --uid"
		else nok "vm create --audio as root"; fi
	fi
	edit nosuch --gpu 06:00.0 --connect test:///default >/dev/null 2>"$tmp/why"
	if [ $? -eq 1 ] && grep -q "no domain called 'nosuch' on test:///default" "$tmp/why"; then ok "vm edit: an unknown domain is named"
	else nok "vm edit: unknown domain"; fi
} >>"$tmp/tap"
awk '/^(not )?ok [0-9]+ /{ sub(/ok [0-9]+ /, "ok " ++i " ") } { print }' "$tmp/tap"
n=$(grep -c '^\(not \)\?ok ' "$tmp/tap")
grep -q '^not ok' "$tmp/tap" && failed=1
[ ! -e "$tmp/x" ] && n=$((n + 1)) && echo "ok $n - no \$(...) in a guest name ever ran" || { n=$((n + 1)); echo "not ok $n - \$(touch x) ran"; failed=1; }
echo "1..$n"
exit $failed
