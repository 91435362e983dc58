#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Judge the serial log of tests/e2e/guest-efifb.sh (OVMF, efifb on the std
VGA's BAR 0, no driver on the VGA): HOLDERS, take with a failure injected
after the boot framebuffer's release, take, give. Prints TAP.

    check-efifb.py SERIAL_LOG
"""
import re
import sys

sys.dont_write_bytecode = True  # nothing written beside tap.py in the source tree
import tap  # noqa: E402
from tap import ok  # noqa: E402

tap.DETAIL_LINES = 40
log = tap.read_log(sys.argv[1])


def build(out, disp, rc):
    d = {"iomem": [], "fb": [], "vtcon": [], "record": []}
    for line in disp.splitlines():
        key, _, rest = line.partition(" ")
        if key in d:
            d[key].append(rest)
        else:
            d[key] = rest
    return {"out": out, "rc": int(rc), "d": d, "raw": disp}


case = tap.Cases(log, r"^=== CASE (\S+)\n(.*?)^=== DISPLAY\n(.*?)^=== RC (\d+)$", build,
                 lambda: {"out": "", "rc": -1, "d": {"iomem": [], "fb": [], "vtcon": [], "record": []}, "raw": ""})


def show(c):
    return "exit %d\n%s=== DISPLAY\n%s" % (c["rc"], c["out"], c["raw"])


def efifb_range(d):
    """The efifb range nested in BAR 0, None when there is none."""
    for line in d["iomem"][1:]:
        if line.endswith(": efifb"):
            return line.split(" ")[0]
    return None


def fbcon_bound(d):
    """The vtconsole of fbcon ("vtcon1") when bound, else None."""
    for v in d["vtcon"]:
        if "frame buffer" in v and v.endswith(" 1"):
            return v.split(" ")[0]
    return None


# The boot: Debian 12's kernel shows OVMF's GOP through efifb (CONFIG_FB_EFI,
# no simpledrm), its memory claimed inside the VGA's BAR 0, fbcon on it.
boot = case("boot")["d"]
fbrange = efifb_range(boot)
vt = fbcon_bound(boot)
ok(fbrange and boot.get("platform") == "efi-framebuffer.0 efi-framebuffer" and boot["fb"] == ["0 EFI VGA"]
   and vt and boot.get("drivers") == "none snd_hda_intel",
   "boot: efifb (efi-framebuffer.0) inside 00:06.0's BAR 0 in /proc/iomem, fb0 EFI VGA, fbcon bound, no driver on the VGA",
   case("boot")["raw"])

c = case("holders")
ok(c["rc"] == 0 and re.search(r"boot\\x20framebuffer\\x20efi-framebuffer\.0\\x20\(efi-framebuffer\)\\x20at\\x200x"
                              + (fbrange or "?").split("-")[0].lstrip("0"), c["out"])
   and ("fbcon\\x20bound\\x20to\\x20%s" % vt) in c["out"],
   "HOLDERS names the boot framebuffer on 00:06.0 (its platform device and address) and fbcon", show(c))

c = case("fail-bind")
d = c["d"]
ok(c["rc"] == 1 and re.search(r"handover take failed at step \d+ of \d+, 'bind the IOMMU group of 0000:00:06\.0", c["out"])
   and "rolled back echo efi-framebuffer.0 > /sys/bus/platform/drivers/efi-framebuffer/bind" in c["out"]
   and "ROLLBACK FAILED" not in c["out"] and "the host is as it was before take" in c["out"],
   "a failure after the boot framebuffer's release is named, and rolled back", show(c))
ok(efifb_range(d) == fbrange and d.get("platform") == "efi-framebuffer.0 efi-framebuffer" and d["fb"] == ["0 EFI VGA"]
   and fbcon_bound(d) == vt and d.get("drivers") == "none snd_hda_intel" and d["record"] == ["none"],
   "after the rollback: efifb bound on the same memory, fbcon on it, the drivers as they were, no record", show(c))

c = case("take")
d = c["d"]
ok(c["rc"] == 0 and "0000:00:06.0 is on vfio-pci for the guest" in c["out"] and d.get("drivers") == "vfio-pci vfio-pci",
   "take puts the group (VGA and HDA) on vfio-pci", show(c))
ok(efifb_range(d) is None and len(d["iomem"]) >= 1 and d.get("platform") in ("efi-framebuffer.0 none", "efi-framebuffer.0 gone")
   and d["fb"] == [] and fbcon_bound(d) is None,
   "take leaves no efifb range in the BAR, efifb unbound, no framebuffer, fbcon off", show(c))
ok("bootfb=efi-framebuffer.0 efi-framebuffer" in d["record"] and ("vtcon=%s" % vt) in d["record"],
   "the record names the boot framebuffer and the vtconsole", show(c))

c = case("holders-taken")
ok(c["rc"] == 0 and "framebuffer" not in c["out"] and "fbcon" not in c["out"] and "vfio-pci" in c["out"],
   "HOLDERS names nothing on the taken device", show(c))

c = case("give-dry")
ok(c["rc"] == 0 and "echo efi-framebuffer.0 > /sys/bus/platform/drivers/efi-framebuffer/bind, or if the kernel has "
   "removed it: modprobe -b bochs; echo 0000:00:06.0 > /sys/bus/pci/drivers_probe" in c["out"],
   "give --dry-run: the boot framebuffer back, or the device's own driver (bochs)", show(c))

c = case("give")
d = c["d"]
gone = case("take")["d"].get("platform") == "efi-framebuffer.0 gone"
back_efifb = d.get("platform") == "efi-framebuffer.0 efi-framebuffer" and efifb_range(d) == fbrange
back_bochs = (gone and d.get("drivers", "").startswith("bochs-drm ") and "modprobe -b bochs" in c["out"]
              and "the kernel had removed the boot framebuffer efi-framebuffer.0" in c["out"])
ok(c["rc"] == 0 and "0000:00:06.0 is back on the host" in c["out"] and d.get("drivers", "").endswith(" snd_hda_intel")
   and (back_efifb or back_bochs) and len(d["fb"]) == 1 and fbcon_bound(d) and d["record"] == ["none"],
   "give: the console back on a framebuffer with fbcon bound (efifb if the kernel kept it, else bochs-drm), "
   "the HDA on snd_hda_intel, the record removed", show(c))
print("# the kernel %s the boot framebuffer's platform device when vfio-pci took the VGA"
      % ("removed" if gone else "kept"))
s = re.search(r"^=== EFIFB-SECONDS (\d+)", log, re.M)
print("# the cases took %s s in the guest" % (s.group(1) if s else "?"))
tap.done()
