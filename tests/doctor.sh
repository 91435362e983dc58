#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# vfiokit doctor on real message formats: one log per signature under
# tests/fixtures/logs (NAME.log and NAME--variant.log give finding NAME and
# nothing else), the healthy boot and guest logs give nothing, each
# timestamp form, the fixes for the fixture machines, bad input (binary
# garbage, an unknown format, a FIFO, a directory, a missing kernel log),
# a log of 256 MiB made here (read in bounded memory), and the logs a
# snapshot carries read back with --root.
# usage: doctor.sh VFIOKIT FIXTURES
set -u
vfiokit=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") fixtures=$(cd "$2" && pwd)
hosts=$fixtures/hosts logs=$fixtures/logs
export LC_ALL=C NO_COLOR=1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
n=0 fail=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; [ -n "${3-}" ] && sed 's/^/# /' "$3" | head -30; fi; }
# The finding IDs of a -J output, sorted, one line.
ids() { python3 -c 'import json,sys; print(" ".join(sorted(set(f["id"] for f in json.load(open(sys.argv[1]))["findings"]))))' "$1"; }
field() { python3 -c 'import json,sys; print("\n".join(str(f.get(sys.argv[2])) for f in json.load(open(sys.argv[1]))["findings"]))' "$1" "$2"; }
doctor() { "$vfiokit" doctor "$@" >"$tmp/out" 2>"$tmp/err"; echo $? >"$tmp/rc"; cat "$tmp/err" >>"$tmp/out.all" 2>/dev/null; }
rc() { cat "$tmp/rc"; }

# 1. Each signature's log: that finding, no other; exit 1 for an error.
for f in "$logs"/*.log; do
	name=$(basename "$f" .log)
	case $name in healthy-*) continue ;; esac
	want=${name%%--*}
	host=article
	[ "$want" = amd-reset-bug ] && host=shared-group
	doctor -J --root "$hosts/$host" --log "$f"
	got=$(ids "$tmp/out" 2>>"$tmp/err")
	sev=$(field "$tmp/out" severity 2>/dev/null | sort -u)
	exp_rc=0
	[ "$sev" = error ] && exp_rc=1
	[ "$got" = "$want" ] && [ "$(rc)" = $exp_rc ] && [ ! -s "$tmp/err" ]
	ok $? "$name.log: finding $want only (got '$got'), exit $exp_rc" "$tmp/err"
done

# 2. The healthy logs (ecap hiding, vgaarb decodes, vfio_pci add, ignored
# rdmsr, an FLR that waited and came back, BARs assigned): nothing.
doctor --root "$hosts/article" --log "$logs/healthy-boot.log" --log "$logs/healthy-guest.log"
[ "$(rc)" = 0 ] && grep -q '^summary: 0 errors, 0 warnings, 0 info; 54 lines read from 2 logs$' "$tmp/out" &&
	[ "$(wc -l <"$tmp/out")" = 1 ] && [ ! -s "$tmp/err" ]
ok $? "healthy boot and guest logs: no finding, exit 0" "$tmp/out"
doctor -J --root "$hosts/article" --log "$logs/healthy-boot.log"
[ "$(rc)" = 0 ] && [ "$(ids "$tmp/out")" = "" ]
ok $? "healthy boot log, -J: an empty findings array" "$tmp/out"

# 3. One message in every timestamp form doctor strips.
msg='vfio-pci 0000:06:00.0: BAR 3: can'"'"'t reserve [mem 0xf0000000-0xf1ffffff 64bit pref]'
{
	echo "[  112.930114] $msg"
	echo "[Mon Nov 30 21:02:11 2026] $msg"
	echo "Nov 30 21:02:11 vfiohost kernel: $msg"
	echo "Nov  3 21:02:11.930114 vfiohost kernel: $msg"
	echo "2026-11-30T21:02:11+0000 vfiohost kernel: $msg"
	echo "2026-11-30T21:02:11.930114+00:00 vfiohost kernel: $msg"
	echo "Nov 30 21:02:11 vfiohost kernel: [  112.930114] $msg"
	echo "3,1437,112930114,-;$msg"
	echo "$msg"
} >"$tmp/forms.log"
doctor -J --root "$hosts/article" --log "$tmp/forms.log"
[ "$(ids "$tmp/out")" = bar-reserved ] && [ "$(field "$tmp/out" count)" = 9 ] &&
	[ "$(field "$tmp/out" device)" = 0000:06:00.0 ] && [ ! -s "$tmp/err" ]
ok $? "dmesg, dmesg -T, journalctl short/precise/iso, kern.log, /dev/kmsg, -o cat: 9 lines, one finding" "$tmp/out"
printf '%s\r\n' "$msg" >"$tmp/crlf.log"
doctor -J --root "$hosts/article" --log "$tmp/crlf.log"
python3 -c 'import json,sys; e = json.load(open(sys.argv[1]))["findings"][0]["evidence"]; sys.exit(e != [sys.argv[2]])' \
	"$tmp/out" "$tmp/crlf.log:1: $msg"
ok $? "a CRLF line: the evidence without the CR" "$tmp/out"

# 4. The fix for this machine, from the host model.
doctor --root "$hosts/article" --log "$logs/group-not-viable.log"
grep -q '^  fix:      group 13: 0000:06:00.0 (nouveau), 0000:06:00.1 (snd_hda_intel) not on vfio-pci; vfiokit bind group:13' "$tmp/out"
ok $? "group not viable: names the members still on host drivers and the bind command" "$tmp/out"
doctor --root "$hosts/vfio-bound" --log "$logs/group-not-viable.log"
grep -q 'every member of group 13 is on vfio-pci now' "$tmp/out"
ok $? "group not viable on a machine where it is bound now: says so" "$tmp/out"
doctor --root "$hosts/iommu-off" --log "$logs/no-interrupt-remapping.log"
grep -q '^  cause:    the IOMMU is off on this machine' "$tmp/out" && ! grep -q '^  fix:.*allow_unsafe' "$tmp/out"
ok $? "no interrupt remapping with the IOMMU off: the IOMMU blamed, not interrupt remapping" "$tmp/out"
doctor --root "$hosts/shared-group" --log "$logs/amd-reset-bug.log"
grep -q '0000:06:00.0 is an AMD Polaris 10 GPU' "$tmp/out" && grep -q 'install vendor-reset' "$tmp/out"
ok $? "Unknown PCI header type '127' on an RX 580: vendor-reset" "$tmp/out"
grep -q 'echo device_specific > /sys/bus/pci/devices/0000:06:00.0/reset_method' "$tmp/out"
ok $? "... and, on kernel 5.15 and later, device_specific in its reset_method" "$tmp/out"
cp -a "$hosts/shared-group" "$tmp/vr"
echo 'vendor_reset 16384 0 - Live 0x0000000000000000' >>"$tmp/vr/proc/modules"
echo 'device_specific bus' >"$tmp/vr/sys/bus/pci/devices/0000:06:00.0/reset_method"
doctor --root "$tmp/vr" --log "$logs/amd-reset-bug.log"
grep -q "vendor_reset is loaded and 0000:06:00.0's reset_method has device_specific: reboot the host once" "$tmp/out"
ok $? "... with vendor_reset loaded and device_specific set: reboot once" "$tmp/out"
"$vfiokit" check --root "$tmp/vr" >"$tmp/out" 2>&1
! grep -q 'needs vendor-reset' "$tmp/out"
ok $? "check: no 'needs vendor-reset' once vendor_reset is loaded" "$tmp/out"
"$vfiokit" check --root "$hosts/shared-group" >"$tmp/out" 2>&1
grep -q 'needs vendor-reset: 0000:06:00.0 (AMD Polaris 10)' "$tmp/out"
ok $? "check reports the same card as needing vendor-reset" "$tmp/out"
doctor --root "$hosts/article" --log "$logs/bar-reserved.log"
grep -q '^  fix:      add initcall_blacklist=sysfb_init to the kernel command line (video=efifb:off before 5.15), or echo 1 > /sys/bus/pci/devices/0000:00:1c.4/remove' "$tmp/out" &&
	[ "$(grep -c "bar-reserved.log:[34]: \[  112.93" "$tmp/out")" = 2 ]
ok $? "BAR reserved: the parameter and the bridge above the card" "$tmp/out"
cp -a "$hosts/article" "$tmp/msrs"
mkdir -p "$tmp/msrs/sys/module/kvm/parameters" && echo Y >"$tmp/msrs/sys/module/kvm/parameters/ignore_msrs"
doctor --root "$tmp/msrs" --log "$logs/unhandled-msr.log"
grep -q "kvm's ignore_msrs is on now" "$tmp/out" && [ "$(rc)" = 0 ]
ok $? "unhandled rdmsr with ignore_msrs on now: says so; a warning (exit 0)" "$tmp/out"
echo N >"$tmp/msrs/sys/module/kvm/parameters/ignore_msrs"
doctor --root "$tmp/msrs" --log "$logs/unhandled-msr.log"
grep -q 'vfiokit setup --ignore-msrs --apply .*(it is off now)' "$tmp/out"
ok $? "unhandled rdmsr with ignore_msrs off: setup --ignore-msrs" "$tmp/out"
doctor --root "$hosts/vfio-bound" --log "$logs/healthy-boot.log"
[ "$(rc)" = 0 ] && [ "$(grep -c '^warning no-reset-method 0000:06:00\.[01]$' "$tmp/out")" = 2 ]
ok $? "devices on vfio-pci without a reset method: warnings from the model alone" "$tmp/out"

cp -a "$hosts/vfio-bound" "$tmp/irq"
cat >>"$tmp/irq/proc/interrupts" <<'IRQ'
 150:      88120          0  IR-PCI-MSI 3145728-edge      vfio-msi[0](0000:06:00.0)
  17:       4410          0  IR-IO-APIC   17-fasteoi   vfio-intx(0000:06:00.1)
 151:          0          0  IR-PCI-MSI 3145729-edge      vfio-msix[1](0000:01:00.0)
IRQ
doctor -J --root "$tmp/irq" --log "$logs/healthy-boot.log"
[ "$(rc)" = 0 ] && python3 -c 'import json,sys
f = [(x["id"], x["device"]) for x in json.load(open(sys.argv[1]))["findings"] if x["id"] == "guest-intx"]
sys.exit(f != [("guest-intx", "0000:06:00.1")])' "$tmp/out"
ok $? "a guest driving 06:00.1 with INTx (vfio-intx in /proc/interrupts): a warning for it alone" "$tmp/out"

# A resizable BAR on the GPU on vfio-pci (Linux 6.1+ resourceN_resize, the
# kernel's "%016llx\n" mask, bit k for 2^k MiB), its size from resource.
cp -a "$hosts/vfio-bound" "$tmp/rebar"
gpu=$tmp/rebar/sys/bus/pci/devices/0000:06:00.0
printf '%s\n' '0x00000000f6000000 0x00000000f6ffffff 0x0000000000040200' \
	'0x0000006000000000 0x00000061ffffffff 0x000000000014220c' \
	'0x0000000000000000 0x0000000000000000 0x0000000000000000' \
	'0x0000006200000000 0x0000006201ffffff 0x000000000014220c' \
	'0x0000000000000000 0x0000000000000000 0x0000000000000000' \
	'0x000000000000e000 0x000000000000e07f 0x0000000000040101' \
	'0x00000000f7000000 0x00000000f707ffff 0x0000000000046200' >"$gpu/resource"
echo 0000000000003f00 >"$gpu/resource1_resize"
echo 0000000000000000 >"$gpu/resource3_resize"
doctor -J --root "$tmp/rebar" --log "$logs/healthy-boot.log"
[ "$(rc)" = 0 ] && [ ! -s "$tmp/err" ] && python3 -c 'import json,sys
f = [x for x in json.load(open(sys.argv[1]))["findings"] if x["id"] == "resizable-bar"]
sys.exit(not (len(f) == 1 and f[0]["device"] == "0000:06:00.0" and f[0]["severity"] == "warning"
	and "BAR 1 is 8 GiB now (256 MiB after the fix)" in f[0]["cause"]
	and "\nACTION==\"add\", SUBSYSTEM==\"pci\", ATTR{vendor}==\"0x10de\", ATTR{device}==\"0x13c2\", ATTR{resource1_resize}=\"8\"\n" in f[0]["fix"]
	and "Code 43 while Resizable Bar" in f[0]["section"]))' "$tmp/out"
ok $? "an 8 GiB resizable BAR 1 on the GPU on vfio-pci: a warning with the udev rule for 10de:13c2 BAR 1 = 8 (256 MiB)" "$tmp/out"
doctor --root "$tmp/rebar" --log "$logs/healthy-boot.log"
grep -q '^            ACTION=="add", SUBSYSTEM=="pci", ATTR{vendor}=="0x10de", ATTR{device}=="0x13c2", ATTR{resource1_resize}="8"$' "$tmp/out" &&
	grep -q '^            for now, with no driver bound to 0000:06:00.0: echo 8 > /sys/bus/pci/devices/0000:06:00.0/resource1_resize$' "$tmp/out"
ok $? "... in text, the rule on its own line under the fix" "$tmp/out"
sed -i '2s/.*/0x0000006000000000 0x000000600fffffff 0x000000000014220c/' "$gpu/resource"
doctor -J --root "$tmp/rebar" --log "$logs/healthy-boot.log"
[ "$(rc)" = 0 ] && ! ids "$tmp/out" | grep -q resizable-bar
ok $? "a resizable BAR at 256 MiB: no finding" "$tmp/out"
for bad in zz 10000000000000000 '-1' ''; do
	echo "$bad" >"$gpu/resource1_resize"
	doctor -J --root "$tmp/rebar" --log "$logs/healthy-boot.log"
	grep -q "^vfiokit: warning: /sys/bus/pci/devices/0000:06:00.0: resource1_resize is not the kernel's mask of BAR sizes" "$tmp/err" &&
		! ids "$tmp/out" | grep -q resizable-bar
	ok $? "resource1_resize '$bad': a diag naming the file, no finding" "$tmp/err"
done
echo 0000000000003f00 >"$gpu/resource1_resize"
rm "$gpu/resource"
doctor -J --root "$tmp/rebar" --log "$logs/healthy-boot.log"
grep -q '^vfiokit: warning: /sys/bus/pci/devices/0000:06:00.0: resource: absent: the size of its resizable BARs now is unknown' "$tmp/err" &&
	! ids "$tmp/out" | grep -q resizable-bar
ok $? "a resizable BAR without a resource file: a diag, no finding" "$tmp/err"
echo 'garbage' >"$gpu/resource"
doctor -J --root "$tmp/rebar" --log "$logs/healthy-boot.log"
grep -q 'resource: line 2 is not "0xSTART 0xEND 0xFLAGS": the size of BAR 1 now is unknown' "$tmp/err" &&
	! ids "$tmp/out" | grep -q resizable-bar
ok $? "a resource file without BAR 1's line: a diag, no finding" "$tmp/err"

# --guest NAME: its /etc/libvirt/qemu/NAME.xml against the article's Code 43
# entries (virt-manager's q35 domain with the GTX 970 and its audio).
cp -a "$hosts/vfio-bound" "$tmp/guest"
mkdir -p "$tmp/guest/etc/libvirt/qemu" "$tmp/guest/var/log/libvirt/qemu"
cp "$fixtures/libvirt/win10-gpu-passed.xml" "$tmp/guest/etc/libvirt/qemu/win10.xml"
cp "$logs/healthy-guest.log" "$tmp/guest/var/log/libvirt/qemu/win10.log"
doctor -J --root "$tmp/guest" --log "$logs/healthy-boot.log" --guest win10
[ "$(rc)" = 0 ] && [ ! -s "$tmp/err" ] && python3 -c 'import json,sys
f = {x["id"]: x for x in json.load(open(sys.argv[1]))["findings"] if x["id"].startswith("guest-")}
d, i = f["guest-vm-detection"], f["guest-ioapic-split"]
sys.exit(not (sorted(f) == ["guest-ioapic-split", "guest-vm-detection"] and d["device"] == i["device"] == "0000:06:00.0"
	and "without <hyperv><vendor_id state='"'"'on'"'"'/> and <kvm><hidden state='"'"'on'"'"'/>" in d["cause"]
	and "before 465" in d["cause"] and "vfiokit vm edit win10 --gpu 0000:06:00.0 --hide-kvm --define" in d["fix"]
	and "<ioapic driver='"'"'kvm'"'"'/>" in i["fix"] and i["severity"] == d["severity"] == "warning"))' "$tmp/out"
ok $? "an NVIDIA GPU in a q35 guest without vendor_id, hidden KVM or the KVM IOAPIC: two warnings with the XML and vm edit" "$tmp/out"
"$vfiokit" vm edit win10 --gpu 0000:06:00.0 --hide-kvm --from "$fixtures/libvirt/win10-gpu-passed.xml" --xml \
	--root "$tmp/guest" >"$tmp/guest/etc/libvirt/qemu/win10.xml" 2>"$tmp/err"
doctor -J --root "$tmp/guest" --log "$logs/healthy-boot.log" --guest win10
[ "$(rc)" = 0 ] && [ "$(ids "$tmp/out")" = no-reset-method ]
ok $? "... after the vm edit the fix names: no guest finding" "$tmp/out"
sed -e 's|<vendor_id state="on" value="vfiokit"/>||' "$tmp/guest/etc/libvirt/qemu/win10.xml" >"$tmp/amd.xml"
cp -a "$hosts/shared-group" "$tmp/amd" && mkdir -p "$tmp/amd/etc/libvirt/qemu" "$tmp/amd/var/log/libvirt/qemu"
cp "$tmp/amd.xml" "$tmp/amd/etc/libvirt/qemu/win10.xml"
cp "$logs/healthy-guest.log" "$tmp/amd/var/log/libvirt/qemu/win10.log"
doctor -J --root "$tmp/amd" --log "$logs/healthy-boot.log" --guest win10
python3 -c 'import json,sys
f = [x for x in json.load(open(sys.argv[1]))["findings"] if x["id"].startswith("guest-")]
sys.exit(not (len(f) == 1 and f[0]["id"] == "guest-vm-detection" and f[0]["device"] == "0000:06:00.0"
	and "(AMD) without <hyperv><vendor_id state='"'"'on'"'"'/> in <features>" in f[0]["cause"] and "hidden" not in f[0]["cause"]
	and "--hide-kvm" not in f[0]["fix"]))' "$tmp/out"
ok $? "an AMD RX 580 without vendor_id: one warning, for vendor_id only" "$tmp/out"
for kind in notxml lol huge; do
	case $kind in
	notxml) printf 'not xml <<<' >"$tmp/guest/etc/libvirt/qemu/win10.xml" ;;
	lol) python3 -c 'import sys
e = "<!ENTITY a0 \"0x06\">" + "".join("<!ENTITY a%d \"%s\">" % (i, ("&a%d;" % (i - 1)) * 10) for i in range(1, 10))
sys.stdout.write("<?xml version=\"1.0\"?>\n<!DOCTYPE domain [%s]>\n<domain type=\"kvm\"><name>&a9;</name><os><type machine=\"&a9;\">hvm</type></os><features><kvm><hidden state=\"&a9;\"/></kvm></features><devices><hostdev type=\"pci\"><source><address bus=\"&a9;\" slot=\"0\" function=\"0\"/></source></hostdev></devices></domain>\n" % e)' \
		>"$tmp/guest/etc/libvirt/qemu/win10.xml" ;;
	huge) head -c 2000000 /dev/zero | tr '\0' ' ' >"$tmp/guest/etc/libvirt/qemu/win10.xml" ;;
	esac
	timeout 20 "$vfiokit" doctor -J --root "$tmp/guest" --log "$logs/healthy-boot.log" --guest win10 >"$tmp/out" 2>"$tmp/err"
	[ $? = 1 ] && grep -q "^vfiokit: /etc/libvirt/qemu/win10.xml: .*: the guest's configuration was not checked" "$tmp/err" &&
		! grep -q '"guest-' "$tmp/out"
	ok $? "guest XML $kind: an error naming the file, exit 1, no finding" "$tmp/err"
done
rm "$tmp/guest/etc/libvirt/qemu/win10.xml"
doctor --root "$tmp/guest" --log "$logs/healthy-boot.log" --guest win10
[ "$(rc)" = 0 ] && grep -q "^vfiokit: warning: /etc/libvirt/qemu/win10.xml: absent: the guest's configuration was not checked" "$tmp/err"
ok $? "no guest XML: a warning naming it" "$tmp/err"

# 5. Bad input.
python3 -c '
import random, sys
r = random.Random(18)
sys.stdout.buffer.write(bytes(r.getrandbits(8) for _ in range(1 << 20)))' >"$tmp/garbage.bin"
doctor --root "$hosts/article" --log "$tmp/garbage.bin"
r=$(rc)
{ [ "$r" = 0 ] || [ "$r" = 1 ]; } && grep -q "^vfiokit: warning: $tmp/garbage.bin: .*NUL bytes" "$tmp/err"
ok $? "1 MiB of binary garbage: a diag naming the file, exit $r, no crash" "$tmp/err"
head -c 65536 /dev/zero >"$tmp/zeros.bin"
doctor --root "$hosts/article" --log "$tmp/zeros.bin"
[ "$(rc)" = 0 ] && grep -q "^vfiokit: warning: $tmp/zeros.bin: not a text log" "$tmp/err"
ok $? "NUL bytes only: not a text log" "$tmp/err"
printf 'time,level,msg\n1,info,started\n2,warn,slow\n' >"$tmp/unknown.csv"
doctor --root "$hosts/article" --log "$tmp/unknown.csv"
[ "$(rc)" = 0 ] && grep -q "$tmp/unknown.csv: no line starts as a known log does" "$tmp/err"
ok $? "a log in an unknown format: a diag, exit 0" "$tmp/err"
printf 'vfio-pci 0000:06:00.0: BAR 3: can'"'"'t reserve \033]0;owned\007 \377\376\n' >"$tmp/esc.log"
doctor --root "$hosts/article" --log "$tmp/esc.log"
grep -q 'reserve \\x1b]0;owned\\x07 \\xff\\xfe$' "$tmp/out" && ! grep -q "$(printf '\033')" "$tmp/out"
ok $? "control bytes and invalid UTF-8 in a log line: written as \\xHH" "$tmp/out"
doctor -J --root "$hosts/article" --log "$tmp/esc.log"
python3 -c 'import json,sys; json.loads(open(sys.argv[1], "rb").read().decode("utf-8"))' "$tmp/out"
ok $? "... and -J stays valid UTF-8 JSON" "$tmp/out"
mkfifo "$tmp/fifo"
timeout 10 "$vfiokit" doctor --root "$hosts/article" --log "$tmp/fifo" >"$tmp/out" 2>&1
[ $? = 1 ] && grep -q "$tmp/fifo: not a regular file.*; give --log a regular file" "$tmp/out"
ok $? "a FIFO as --log: refused without blocking, named, exit 1" "$tmp/out"
"$vfiokit" doctor --root "$hosts/article" --log "$tmp" >"$tmp/out" 2>&1
[ $? = 1 ] && grep -q "$tmp: Is a directory; give --log a regular file" "$tmp/out"
ok $? "a directory as --log: named, exit 1" "$tmp/out"
"$vfiokit" doctor --root "$hosts/article" --log "$tmp/absent.log" >"$tmp/out" 2>&1
[ $? = 1 ] && grep -q "$tmp/absent.log: No such file or directory" "$tmp/out"
ok $? "a missing --log: named, exit 1" "$tmp/out"
"$vfiokit" doctor --root "$hosts/article" >"$tmp/out" 2>&1
[ $? = 1 ] && grep -q '^vfiokit: /dev/kmsg: No such file or directory: the kernel log of this boot could not be read' "$tmp/out"
ok $? "no kernel log under --root: refused, naming dev/kmsg" "$tmp/out"
cp -a "$hosts/article" "$tmp/fifohost" && mkfifo "$tmp/fifohost/dev/kmsg"
timeout 10 "$vfiokit" doctor --root "$tmp/fifohost" >"$tmp/out" 2>&1
[ $? = 1 ] && grep -q '/dev/kmsg: not a regular file' "$tmp/out"
ok $? "a FIFO at dev/kmsg in a machine copy: never opened, exit 1" "$tmp/out"
"$vfiokit" doctor --root "$hosts/article" --guest ../../etc/shadow >"$tmp/out" 2>&1
[ $? = 2 ]
ok $? "--guest with a slash: usage error" "$tmp/out"
"$vfiokit" doctor --root "$hosts/article" --guest "$(printf 'a\033[2Jb')" >"$tmp/out" 2>&1
[ $? = 2 ] && grep -q "not a guest name: it" "$tmp/out"
ok $? "--guest with a control character: usage error, as vm judges a name" "$tmp/out"
"$vfiokit" doctor --bogus >"$tmp/out" 2>&1
[ $? = 2 ]
ok $? "an unknown option: exit 2" "$tmp/out"

# 6. 256 MiB made here (four times the memory bound below: a reader that
# kept the file would pass it), a line of 1 MiB in it and the signature at
# the end: read line by line, its maximum resident size bounded.
python3 -c '
import sys
h = open(sys.argv[1], "rb").read()
out = open(sys.argv[2], "wb")
block = h * (4 << 20 // len(h))
n = 0
while n < (1 << 28):
    out.write(block)
    n += len(block)
    if n < len(block) * 2:
        out.write(b"x" * (1 << 20) + b"\n")
out.write(open(sys.argv[3], "rb").read())' "$logs/healthy-boot.log" "$tmp/big.log" "$logs/rmrr.log"
if [ -x /usr/bin/time ]; then
	/usr/bin/time -f %M -o "$tmp/rss" "$vfiokit" doctor -J --root "$hosts/article" --log "$tmp/big.log" >"$tmp/out" 2>"$tmp/err"
	r=$?
else
	"$vfiokit" doctor -J --root "$hosts/article" --log "$tmp/big.log" >"$tmp/out" 2>"$tmp/err"
	r=$?
fi
[ $r = 1 ] && [ "$(ids "$tmp/out")" = rmrr ] && grep -q 'lines longer than 8192 bytes' "$tmp/err"
ok $? "a log of $(($(stat -c %s "$tmp/big.log") >> 20)) MiB: streamed, the signature at its end found, the long line cut" "$tmp/err"
if [ -s "$tmp/rss" ]; then
	[ "$(tail -n 1 "$tmp/rss")" -lt 65536 ]
	ok $? "... in $(tail -n 1 "$tmp/rss") KiB of resident memory (under 64 MiB)" "$tmp/rss"
else
	n=$((n + 1)); echo "ok $n # SKIP /usr/bin/time not installed: resident memory not measured"
fi
rm -f "$tmp/big.log"

# 7. The logs a snapshot carries: the kernel log and the guests' libvirt
# logs, read back with --root; other logs never taken.
cp -a "$hosts/article" "$tmp/live"
sed 's/^/3,1,1,-;/' "$logs/bar-reserved.log" >"$tmp/live/dev/kmsg"
mkdir -p "$tmp/live/var/log/libvirt/qemu"
cat "$logs/group-not-viable.log" >"$tmp/live/var/log/libvirt/qemu/win10.log"
cat "$logs/healthy-guest.log" >"$tmp/live/var/log/libvirt/qemu/linux.log"
echo 'secret' >"$tmp/live/var/log/libvirt/libvirtd.log"
echo 'secret' >"$tmp/live/var/log/libvirt/qemu/win10.log.1"
echo 'secret' >"$tmp/live/var/log/syslog"
ln -s ../../../../etc/os-release "$tmp/live/var/log/libvirt/qemu/link.log"
"$vfiokit" snapshot -o "$tmp/snap.tar.gz" --root "$tmp/live" >"$tmp/out" 2>&1 &&
	mkdir "$tmp/unpacked" && tar -xzf "$tmp/snap.tar.gz" -C "$tmp/unpacked"
ok $? "snapshot of a machine copy with logs" "$tmp/out"
[ -f "$tmp/unpacked/dev/kmsg" ] && [ -f "$tmp/unpacked/var/log/libvirt/qemu/win10.log" ] &&
	[ -f "$tmp/unpacked/var/log/libvirt/qemu/linux.log" ] && [ ! -e "$tmp/unpacked/var/log/syslog" ] &&
	[ ! -e "$tmp/unpacked/var/log/libvirt/libvirtd.log" ] && [ ! -e "$tmp/unpacked/var/log/libvirt/qemu/win10.log.1" ] &&
	[ ! -e "$tmp/unpacked/var/log/libvirt/qemu/link.log" ] && [ ! -L "$tmp/unpacked/var/log/libvirt/qemu/link.log" ] &&
	grep -q '^vfiokit: warning: /var/log/libvirt/qemu/link.log: a symbolic link (to /etc/os-release): not in the snapshot$' "$tmp/out"
ok $? "it holds dev/kmsg and the guests' NAME.log, not syslog, libvirtd.log, a rotated log or a NAME.log that is a link" "$tmp/out"
rm "$tmp/live/var/log/libvirt/qemu/link.log" # doctor follows it inside the root; the snapshot left it out
"$vfiokit" doctor --root "$tmp/live" >"$tmp/a" 2>&1
"$vfiokit" doctor --root "$tmp/unpacked" >"$tmp/b" 2>&1
diff "$tmp/a" "$tmp/b" >"$tmp/out" && grep -q '^error   bar-reserved 0000:06:00.0$' "$tmp/a" &&
	grep -q '^error   group-not-viable 0000:06:00.0 (group 13)$' "$tmp/a" && grep -q 'lines read from 3 logs' "$tmp/a"
ok $? "doctor --root on the unpacked snapshot says what it says on the machine" "$tmp/out"
"$vfiokit" doctor --root "$tmp/unpacked" --guest linux >"$tmp/out" 2>&1
grep -q 'lines read from 2 logs' "$tmp/out" && ! grep -q group-not-viable "$tmp/out"
ok $? "--guest NAME: the kernel log and that guest's log only" "$tmp/out"

echo "1..$n"
exit $fail
