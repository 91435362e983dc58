#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Judge the serial log of tests/e2e/guest-bind.sh: vfiokit's JSON and the
sysfs state read back inside the guest after every case. Prints TAP.

    check-q35.py SERIAL_LOG SNAPSHOT_OUT
SNAPSHOT_OUT receives the snapshot tarball the guest took.
"""
import base64
import json
import re
import sys

sys.dont_write_bytecode = True  # nothing written beside tap.py in the source tree
import tap  # noqa: E402
from tap import ok  # noqa: E402

log = tap.read_log(sys.argv[1])


def build(out, rc, state, vfio, bound):
    drivers = {}
    for line in state.splitlines():
        parts = line.split(" ")
        drivers[parts[0]] = (parts[1], parts[2] if len(parts) > 2 else "")
    return {"out": out, "rc": int(rc), "drivers": drivers, "vfio": vfio.split(), "bound": bound.split()}


case = tap.Cases(log, r"^=== CASE (\S+)\n(.*?)^=== RC (\d+)\n=== STATE\n(.*?)^=== VFIO (.*?)\n=== BOUND (.*?)\n=== END",
                 build, lambda: {"out": "", "rc": -1, "drivers": {}, "vfio": [], "bound": []})


def jsonof(out):
    """vfiokit's JSON document, after any warnings on stderr."""
    i = out.find("\n{")
    return json.loads(out if out.startswith("{") else out[i + 1:] if i >= 0 else out)


# Snapshot taken inside the guest.
snap = re.search(r"^=== SNAPSHOT-BEGIN\n(.*?)^=== SNAPSHOT-END", log, re.S | re.M)
data = base64.b64decode(snap.group(1)) if snap else b""
open(sys.argv[2], "wb").write(data)
ok(len(data) > 1000, "vfiokit snapshot inside the guest", case("snapshot")["out"])

# groups -J against the kernel's own /sys/kernel/iommu_groups.
kg = re.search(r"^=== KERNEL-GROUPS\n(.*?)^=== END", log, re.S | re.M)
kernel = {}
for line in (kg.group(1) if kg else "").splitlines():
    g, *devs = line.split()
    kernel[int(g)] = sorted(devs)
c = case("groups-json")
try:
    groups = jsonof(c["out"])["groups"]
    seen = {int(g["group"]): sorted(d["name"] for d in g.get("children", [])) for g in groups}
except (ValueError, KeyError) as e:
    seen = {"error": str(e)}
ok(kernel and seen == kernel, "groups -J lists exactly the groups the kernel made (%d groups)" % len(kernel),
   "kernel: %s\nvfiokit: %s" % (kernel, seen))
ok("route: default route via eth0" in c["out"] and "mount: /mnt (/dev/sda)" in c["out"] and
   "display: framebuffer fb0" in c["out"], "groups -J shows what the host uses (route, mount, display)", c["out"])

c = case("check-json")
try:
    checks = {x["id"]: x["status"] for x in jsonof(c["out"])["checks"]}
except (ValueError, KeyError) as e:
    checks = {"error": str(e)}
for cid in ("iommu-active", "acpi-table", "interrupt-remapping", "kernel-params"):
    ok(checks.get(cid) == "pass", "check -J: %s passes" % cid, c["out"])

orig = case("groups-json")["drivers"]
ok(orig.get("0000:00:06.0", ("",))[0] == "bochs-drm" and orig.get("0000:00:06.1", ("",))[0] == "snd_hda_intel",
   "the GPU group starts on bochs-drm + snd_hda_intel", orig)


def unchanged(name):
    c = case(name)
    return c["drivers"] == orig and not c["bound"]


for name, rc, pattern in (
        ("refuse-display", 1, r"refused: 0000:00:06.0 drives a display of this host \(it is the boot GPU\).*--allow-display"),
        ("refuse-mounted", 1, r"refused: 0000:00:1f.2 holds mounted filesystems.*/mnt \(/dev/sda\).*--allow-mounted"),
        ("refuse-route", 1, r"refused: 0000:00:02.0 carries this host's default route via eth0.*--allow-default-route"),
        ("refuse-host-bridge", 1, r"refused: 0000:00:00.0 is a host bridge.*--allow-host-bridge"),
        ("refuse-nonviable", 1, r"refused: group 3 would not be viable: 0000:00:06.0 stays on bochs-drm.*--allow-nonviable"),
        ("bad-bridge", 1, r"0000:00:08.0 is a PCI bridge \(root port\)"),
        ("bad-address", 1, r"there is no PCI device 0000:00:1e.0"),
        ("bad-id", 1, r"no PCI device has the ID 1234:9999"),
        ("bad-syntax", 2, r"'bogus' is not a PCI address"),
        ("bad-driver", 1, r"the driver no-such-driver is not available: kernel \S+ has no module no_such_driver"),
        ("bad-no-vfio", 1, r"the driver vfio-pci is not available: kernel \S+ has no module vfio_pci"),
        ("bad-nonroot", 1, r"must run as root"),
        ("dry-run", 0, r"echo vfio-pci > /sys/bus/pci/devices/0000:00:06.0/driver_override\n"
                       r"echo 0000:00:06.0 > /sys/bus/pci/drivers/bochs-drm/unbind\n"
                       r"echo 0000:00:06.0 > /sys/bus/pci/drivers_probe\n")):
    c = case(name)
    ok(c["rc"] == rc and re.search(pattern, c["out"], re.S) and unchanged(name),
       "%s: exit %d, says why, nothing changed" % (name, rc), "exit %d\n%s\n%s" % (c["rc"], c["out"], c["drivers"]))

for name, pattern in (
        ("fail-save-state", r"bind failed for 0000:00:06.0 at step \d+ of \d+, 'save /run/vfiokit/bound/0000:00:06.0.*Read-only file system"),
        ("fail-override", r"bind failed for 0000:00:06.1 at step \d+ of \d+, 'echo vfio-pci > /sys/bus/pci/devices/0000:00:06.1/driver_override'.*rolled back 0000:00:06.0: back on bochs-drm"),
        ("fail-unbind", r"bind failed for 0000:00:06.1 at step \d+ of \d+, 'echo 0000:00:06.1 > /sys/bus/pci/drivers/snd_hda_intel/unbind'.*rolled back 0000:00:06.0: back on bochs-drm"),
        ("fail-probe", r"bind failed for 0000:00:06.0 at step \d+ of \d+, 'echo 0000:00:06.0 > /sys/bus/pci/drivers_probe'.*rolled back 0000:00:06.0: back on bochs-drm"),
        ("fail-vfio-node", r"bind failed at step \d+ of \d+, 'wait for /dev/vfio/3'.*rolled back 0000:00:06.1: back on snd_hda_intel.*rolled back 0000:00:06.0: back on bochs-drm")):
    c = case(name)
    ok(c["rc"] == 1 and re.search(pattern, c["out"], re.S) and "ROLLBACK FAILED" not in c["out"] and unchanged(name),
       "%s: the failure names the device and step, and every device is back" % name,
       "exit %d\n%s\n%s" % (c["rc"], c["out"], c["drivers"]))

# Option ROMs read through the real kernel's sysfs rom files.
import hashlib
c = case("rom-dump")
want = hashlib.sha256(open("/usr/lib/ipxe/qemu/efi-e1000e.rom", "rb").read()).hexdigest()
got = re.search(r"^=== ROM-SHA (\S+)", log, re.M)
ok(c["rc"] == 0 and "UEFI-ready for x64 OVMF: image 1 is an EFI boot-service driver for x64" in c["out"]
   and "made for the card 0000:00:03.0 (8086:10d3)" in c["out"],
   "rom dump 00:03.0: the e1000e's ROM is UEFI-ready and made for it", c["out"])
ok(got and got.group(1) == want, "rom dump wrote exactly QEMU's efi-e1000e.rom", got.group(1) if got else log[-2000:])
dis = re.search(r"^=== ROM-DISABLED (\d+)", log, re.M)
ok(dis and dis.group(1) != "0", "the ROM is disabled again after the dump (reading it fails)")
c = case("rom-again")
ok(c["rc"] == 1 and "never overwritten" in c["out"], "rom dump never overwrites a file", c["out"])
c = case("rom-bootvga")
ok("is the boot GPU" in c["out"] and "x86 PC-AT 1234:1111" in c["out"] and "not UEFI-ready" in c["out"] and c["rc"] == 1,
   "rom 00:06.0 (boot VGA): warns of the shadow copy, parses it: x86 only", c["out"])
c = case("rom-none")
ok(c["rc"] == 1 and "0000:00:07.0 has no option ROM" in c["out"], "rom 00:07.0 (xHCI): no ROM, said so", c["out"])
c = case("rom-nonroot")
ok(c["rc"] == 1 and "must run as root" in c["out"], "rom ADDR as non-root: refused", c["out"])

c = case("bind")
try:
    rows = {r["device"]: r for r in jsonof(c["out"])["bind"]}
except (ValueError, KeyError):
    rows = {}
d = c["drivers"]
ok(c["rc"] == 0 and d.get("0000:00:06.0") == ("vfio-pci", "vfio-pci") and d.get("0000:00:06.1") == ("vfio-pci", "vfio-pci")
   and "3" in c["vfio"] and sorted(c["bound"]) == ["0000:00:06.0", "0000:00:06.1"]
   and rows.get("0000:00:06.0", {}).get("now") == "vfio-pci" and rows.get("0000:00:06.1", {}).get("before") == "snd_hda_intel",
   "bind group:3 puts VGA and HDA on vfio-pci, creates /dev/vfio/3, saves state", "%s\n%s" % (c["out"], c))
gpu = ("0000:00:06.0", "0000:00:06.1")
ok(orig and {k: v for k, v in d.items() if k not in gpu} == {k: v for k, v in orig.items() if k not in gpu},
   "bind group:3 leaves every other device alone", d)
c = case("groups-bound")
ok("0000:00:06.0 vfio-pci was\\x20bochs-drm" in c["out"] and "0000:00:06.1 vfio-pci was\\x20snd_hda_intel" in c["out"],
   "groups shows the devices vfiokit bound and what they were on", c["out"])
c = case("next-bound")
try:
    nxt = jsonof(c["out"])["next"][0]
except (ValueError, KeyError, IndexError):
    nxt = {}
# Under TCG the guest may lack /dev/kvm (a prerequisite); past that, the
# bound VGA is the guest's device: no guest is defined for it.
ok(c["rc"] == 0 and nxt.get("stage") in ("prerequisites", "guest") and nxt.get("command")
   and (nxt.get("stage") != "guest" or "0000:00:06.0" in nxt.get("command", "")),
   "next after the bind: a stage, why and the command", c["out"])
c = case("bind-again")
ok(c["rc"] == 0 and "nothing to do" in c["out"] and c["drivers"] == case("bind")["drivers"],
   "bind on a bound group succeeds and changes nothing", c["out"])
c = case("fail-unbind-rebind")
ok(c["rc"] == 1 and re.search(r"unbind failed for 0000:00:06.1 at step \d+ of \d+, 'echo 0000:00:06.1 > /sys/bus/pci/drivers/snd_hda_intel/bind'", c["out"])
   and "ROLLBACK FAILED" not in c["out"] and c["drivers"] == case("bind")["drivers"] and c["bound"] == case("bind")["bound"],
   "a failed unbind puts both functions back on vfio-pci with their state files", "%s\n%s" % (c["out"], c["drivers"]))
c = case("unbind")
ok(c["rc"] == 0 and c["drivers"] == orig and not c["bound"],
   "unbind gives back bochs-drm and snd_hda_intel, clears driver_override, removes state", "%s\n%s" % (c["out"], c["drivers"]))
c = case("bind-nic")
ok(c["rc"] == 0 and c["drivers"].get("0000:00:03.0", ("",))[0] == "vfio-pci", "bind 00:03.0 (e1000e)", c["out"])
# Without state, the driver its modalias matches, kept in driver_override.
nic_back = dict(orig)
nic_back["0000:00:03.0"] = ("e1000e", "e1000e")
c = case("unbind-nostate")
ok(c["rc"] == 0 and c["drivers"] == nic_back and "it goes to e1000e" in c["out"],
   "unbind without state: driver_override e1000e, back on e1000e", "%s\n%s" % (c["out"], c["drivers"]))
c = case("unbind-ids")
ok(c["rc"] == 0 and c["drivers"] == nic_back,
   "unbind of a device vfio-pci's IDs claim (as ids= does): on e1000e, not reprobed back to vfio-pci",
   "%s\n%s" % (c["out"], c["drivers"]))
c = case("locked")
ok(c["rc"] == 1 and "/run/vfiokit/lock is locked by pid 4242 (vfiokit setup --apply) since 2026-01-01T00:00:00Z" in c["out"]
   and c["drivers"] == nic_back and not c["bound"],
   "bind while another run holds /run/vfiokit/lock: waits, names the holder, changes nothing", "%s\n%s" % (c["out"], c["drivers"]))

# Single-GPU handover (guest-bind.sh's ho-* cases): a process holds
# /dev/dri/card0, fbcon is on bochs-drm's framebuffer.
def display(c):
    m = re.search(r"^DISPLAY fb=(\d+) fbcon=(\S+) record=(.*)$", c["out"], re.M)
    return (int(m.group(1)), m.group(2), m.group(3).strip()) if m else (None, None, None)


hp = re.search(r"^=== HOLDER-PID (\d+)", log, re.M)
hp = hp.group(1) if hp else "?"
c = case("ho-holders")
ok(c["rc"] == 0 and ("pid\\x20%s\\x20(sleep," % hp) in c["out"] and "/dev/dri/card0\\x20open" in c["out"]
   and "framebuffer\\x20fb0" in c["out"] and re.search(r"fbcon\\x20bound\\x20to\\x20vtcon\d", c["out"]),
   "HOLDERS names the process holding /dev/dri/card0 (by device number), fb0 and fbcon", c["out"])
before = display(c)
ok(before[0] and before[0] >= 1 and before[1].endswith("=1"), "fbcon is bound on a framebuffer before take", c["out"])
c = case("ho-refuse")
ok(c["rc"] == 1 and ("refused: 0000:00:06.0: pid %s (sleep" % hp) in c["out"] and c["drivers"] == nic_back
   and display(c) == before, "take refuses while another process holds the GPU, naming it; nothing changed", c["out"])
for name, pattern in (("ho-fail-fbcon", r"handover take failed at step 2 of \d+, 'echo 0 > /sys/class/vtconsole/vtcon\d/bind'"),
                      ("ho-fail-bind", r"handover take failed at step \d+ of \d+, 'bind the IOMMU group of 0000:00:06.0.*rolled back 0000:00:06.0: back on bochs-drm.*rolled back echo 1 > /sys/class/vtconsole/vtcon\d/bind")):
    c = case(name)
    ok(c["rc"] == 1 and re.search(pattern, c["out"], re.S) and "ROLLBACK FAILED" not in c["out"]
       and c["drivers"] == nic_back and not c["bound"] and display(c)[1] == before[1] and display(c)[0] >= 1
       and display(c)[2] == "", "%s: the failed step is named, and the host is as it was (driver, fbcon, fb, no record)" % name,
       "exit %d\n%s\n%s" % (c["rc"], c["out"], c["drivers"]))
c = case("ho-take")
d = c["drivers"]
ok(c["rc"] == 0 and d.get("0000:00:06.0", ("",))[0] == "vfio-pci" and d.get("0000:00:06.1", ("",))[0] == "vfio-pci"
   and display(c)[0] == 0 and (display(c)[1] == "none" or display(c)[1].endswith("=0")) and display(c)[2] == "0000:00:06.0",
   "take puts the group on vfio-pci with no framebuffer left and fbcon unbound, recorded", "%s\n%s" % (c["out"], d))
c = case("ho-take-again")
ok(c["rc"] == 1 and "0000:00:06.0 is already taken" in c["out"] and c["drivers"] == d, "take of a taken device says so", c["out"])
c = case("ho-give")
ok(c["rc"] == 0 and c["drivers"] == nic_back and not c["bound"] and display(c)[0] >= 1 and display(c)[1].endswith("=1")
   and display(c)[2] == "", "give brings bochs-drm, a framebuffer and fbcon back, and removes the record",
   "%s\n%s" % (c["out"], c["drivers"]))
hs = re.search(r"^=== HANDOVER-SECONDS (\d+)", log, re.M)
print("# handover cases took %s s in the guest" % (hs.group(1) if hs else "?"))

tap.done()
