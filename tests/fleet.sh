#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Inventories, exports and drift (issue 20): the inventory of the article's
# host read back; each export format against the documented form
# (shared/corpus/fleet/NOTES.md), parsed by a real parser where Debian has
# one (python3-yaml for the KubeVirt and HyperConverged patches, when
# installed; python3-nova's device_spec parser, when installed); the
# cluster-wide forms from several inventories; the refusals; hostile and
# other-schema inventories (an error naming the file, nothing on stdout,
# exit 1); verify --against on each kind of drift.
# usage: fleet.sh VFIOKIT FIXTURES
set -u
sh "$(dirname "$0")/fixtures/restore-empty-dirs.sh"
vfiokit=$1 fixtures=$2
export LC_ALL=C NO_COLOR=1 TZ=UTC
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
"$vfiokit" inventory -J --root "$fixtures/article" >"$tmp/article.json" || { echo "Bail out! inventory failed"; exit 1; }
exec python3 - "$vfiokit" "$fixtures" "$tmp" <<'EOF'
import copy
import json
import os
import re
import subprocess
import sys

vfiokit, fixtures, tmp = sys.argv[1:4]
article = os.path.join(fixtures, "article")
base = json.load(open(os.path.join(tmp, "article.json")))
results = []


def check(ok, name, detail=""):
    results.append((bool(ok), name, detail))


def run(*args):
    p = subprocess.run([vfiokit, *args], capture_output=True, text=True, errors="replace", timeout=60)
    return p.returncode, p.stdout, p.stderr


def write(name, doc):
    path = os.path.join(tmp, name)
    with open(path, "wb" if isinstance(doc, bytes) else "w") as f:
        if isinstance(doc, (str, bytes)):
            f.write(doc)
        else:
            json.dump(doc, f)
    return path


def dev(doc, addr):
    return next(d for d in doc["devices"] if d["address"] == addr)


def grp(doc, n):
    return next(g for g in doc["groups"] if g["number"] == n)


def add_card(doc, bus, group, host_use=None, domain="0000"):
    """An identical GTX 970 (both functions) at DOMAIN:BUS:00, in its own group."""
    addrs = []
    for fn in (0, 1):
        d = copy.deepcopy(dev(doc, "0000:06:00.%d" % fn))
        d["address"] = "%s:%02x:00.%d" % (domain, bus, fn)
        d["topology"] = "%s:00/1d.0/00.%d" % (domain, fn)
        d["iommu_group"] = group
        d["host_use"] = host_use or []
        d["driver"] = "vfio-pci"
        doc["devices"].append(d)
        addrs.append(d["address"])
    doc["groups"].append({"number": group, "verdict": "isolated", "devices": addrs, "missing": []})


# --- the inventory itself
check(base["schema"] == "vfiokit.inventory/1", "inventory: schema")
gpu = dev(base, "0000:06:00.0")
check(gpu["topology"] == "0000:00/1c.4/00.0" and gpu["slot"] == "2" and gpu["link_speed"] == "8.0 GT/s PCIe"
      and gpu["link_width"] == 16 and gpu["iommu_group"] == 13 and gpu["driver"] == "nouveau",
      "inventory: the GPU's topology path, slot, link, group and driver", json.dumps(gpu))
check(base["host"]["hostname"] == "pve1" and grp(base, 13)["devices"] == ["0000:06:00.0", "0000:06:00.1"],
      "inventory: host name and group 13")
igd = dev(base, "0000:00:02.0")
check(igd["host_use"] and igd["host_use"][0].startswith("display:"), "inventory: the host's GPU is in use")
rc, out, err = run("verify", "--root", article, "--against", os.path.join(tmp, "article.json"))
check(rc == 0 and "no drift" in out, "verify --against: an inventory of this host is no drift", out + err)

# The CPU summary, on the article's host with a two-socket EPYC 7451's topology.
cpuhost = os.path.join(tmp, "epyc")
subprocess.run(["cp", "-a", article, cpuhost], check=True)
subprocess.run([sys.executable, os.path.join(fixtures, "..", "mkcpu.py"),
                os.path.join(fixtures, "..", "cpus", "epyc7451-2s.lscpu"), cpuhost], check=True, capture_output=True)
rc, out, err = run("inventory", "-J", "--root", cpuhost)
cpu = json.loads(out)["cpu"] if rc == 0 else {}
check({k: cpu.get(k) for k in ("online", "cores", "l3_domains", "packages", "numa_nodes")} ==
      {"online": 96, "cores": 48, "l3_domains": 16, "packages": 2, "numa_nodes": 8},
      "inventory: the CPU summary of a two-socket EPYC 7451 (lscpu's dump)", repr(cpu) + err)

# --- each format against its documented form (NOTES.md)
rc, out, err = run("export", "--root", article, "--format", "nova", "--group", "13")
specs = [json.loads(l.split(" = ", 1)[1]) for l in out.splitlines() if l.startswith("device_spec = ")]
aliases = [json.loads(l.split(" = ", 1)[1]) for l in out.splitlines() if l.startswith("alias = ")]
check(rc == 0 and "[pci]" in out.splitlines() and
      specs == [{"vendor_id": "10de", "product_id": "13c2", "address": "0000:06:00.0", "managed": "no"},
                {"vendor_id": "10de", "product_id": "0fbb", "address": "0000:06:00.1", "managed": "no"}] and
      {a["device_type"] for a in aliases} == {"type-PCI"} and len(aliases) == 2,
      "nova: [pci] device_spec for every endpoint of the group, one alias per ID", out + err)
try:
    from nova.pci import devspec  # python3-nova, optional
    for s in specs:
        devspec.PciDeviceSpec(s)
    check(True, "nova: python3-nova's PciDeviceSpec takes every device_spec")
except ImportError:
    check(True, "nova: python3-nova's parser # SKIP python3-nova not installed")
except Exception as e:  # noqa: BLE001 - the parser's refusal is the failure
    check(False, "nova: python3-nova's PciDeviceSpec takes every device_spec", repr(e))

for fmt, path, key in (("kubevirt", ("spec", "configuration", "permittedHostDevices"), "pciVendorSelector"),
                       ("hco", ("spec", "permittedHostDevices"), "pciDeviceSelector")):
    rc, out, err = run("export", "--root", article, "--format", fmt, "--group", "13")
    want = [{key: "10DE:13C2", "resourceName": "nvidia.com/GM204_GEFORCE_GTX_970"},
            {key: "10DE:0FBB", "resourceName": "nvidia.com/GM204_HIGH_DEFINITION_AUDIO_CONTROLLER"}]
    check(rc == 0 and '- %s: "10DE:13C2"\n' % key in out and
          'resourceName: "nvidia.com/GM204_GEFORCE_GTX_970"' in out, "%s: the documented selector and resource name" % fmt,
          out + err)
    try:
        import yaml  # python3-yaml, optional
        doc = yaml.safe_load(out)
        for k in path:
            doc = doc[k]
        check(doc == {"pciHostDevices": want}, "%s: python3-yaml reads the patch as documented" % fmt, out)
    except ImportError:
        check(True, "%s: python3-yaml # SKIP not installed" % fmt)

rc, out, err = run("export", "--root", article, "--format", "proxmox-mapping", "--group", "13", "--name", "gtx970")
lines = out.splitlines()
check(rc == 0 and "gtx970" in lines and
      "\tmap id=10de:13c2,iommugroup=13,node=pve1,path=0000:06:00,subsystem-id=1462:3160" in lines and
      any(l.startswith("# pvesh create /cluster/mapping/pci --id gtx970 --map node=pve1,path=0000:06:00,") for l in lines),
      "proxmox-mapping: the section, its map line (keys sorted, the slot without function) and the pvesh line",
      out + err)
rc, out, err = run("export", "--root", article, "--format", "incus", "--group", "13", "--vm", "win10")
check(rc == 0 and out.strip() == "incus config device add win10 gpu0 gpu gputype=physical pci=0000:06:00.0",
      "incus: one gpu device for the card (Incus binds the slot's functions)", out + err)

# --- the cluster-wide forms
pve2 = copy.deepcopy(base)
pve2["host"]["hostname"] = "pve2"
for d in pve2["devices"]:  # a card upstream renumbered the buses: 06 became 07
    if d["address"].startswith("0000:06:"):
        d["address"] = d["address"].replace("0000:06:", "0000:07:")
for g in pve2["groups"]:
    g["devices"] = [a.replace("0000:06:", "0000:07:") for a in g["devices"]]
p1, p2 = os.path.join(tmp, "article.json"), write("pve2.json", pve2)
rc, out, err = run("export", "--format", "proxmox-mapping", "--group", "13", "--from", p1, "--from", p2)
maps = [l for l in out.splitlines() if l.startswith("\tmap ")]
check(rc == 0 and len(maps) == 2 and "node=pve1,path=0000:06:00" in maps[0] and "node=pve2,path=0000:07:00" in maps[1]
      and out.count("--map node=") == 2, "proxmox-mapping --from two hosts: one mapping, a map line per node", out + err)
rc, out, err = run("export", "--format", "kubevirt", "--group", "13", "--from", p1, "--from", p2)
check(rc == 0 and out.count("pciVendorSelector") == 2, "kubevirt --from two hosts: one list, each selector once",
      out + err)
rc, out, err = run("export", "--format", "nova", "--group", "13", "--from", p1, "--from", p2)
check(rc == 0 and "nova.conf of pve1" in out and "nova.conf of pve2" in out and '"address": "0000:07:00.0"' in out,
      "nova --from two hosts: a [pci] section per host with its addresses", out + err)
rc, out, err = run("export", "--format", "proxmox-mapping", "--group", "13", "--from", p1, "--from", p1)
check(rc == 1 and out == "" and "two inventories of one node" in err, "proxmox-mapping: one node twice is refused", err)
rc, out, err = run("export", "--format", "nova", "--device", "06:00.0", "--device", "06:00.1", "--from", p1, "--from", p2)
check(rc == 1 and out == "" and "pve2: no PCI device 0000:06:00.0" in err, "a device missing on one host is named", err)

# --- refusals
two = copy.deepcopy(base)
add_card(two, 7, 14)
p = write("two-cards.json", two)
rc, out, err = run("export", "--format", "kubevirt", "--group", "13", "--from", p)
check(rc == 1 and out == "" and "selector 10DE:13C2 also matches 0000:07:00.0 (group 14)" in err,
      "kubevirt: a selector matching a card of another group is refused", err)
rc, out, err = run("export", "--format", "kubevirt", "--group", "13", "--group", "14", "--from", p)
check(rc == 0 and out.count("pciVendorSelector") == 2, "kubevirt: both groups exported: accepted", out + err)
rc, out, err = run("export", "--format", "nova", "--group", "13", "--from", p)
check(rc == 0, "nova names addresses: an identical card elsewhere is fine", err)
used = copy.deepcopy(base)
add_card(used, 7, 14, host_use=["display: framebuffer fb1 (nouveaudrmfb)"])
rc, out, err = run("export", "--format", "hco", "--group", "13", "--from", write("used.json", used))
check(rc == 1 and out == "" and "also matches 0000:07:00.0, which the host uses (display: framebuffer fb1" in err,
      "hco: a selector matching a device the host uses is refused", err)
vmd = copy.deepcopy(base)
add_card(vmd, 1, 14, domain="10000")
rc, out, err = run("export", "--format", "nova", "--group", "14", "--from", write("vmd.json", vmd))
check(rc == 1 and out == "" and "10000:01:00.0: Nova ignores addresses past domain ffff" in err,
      "nova: an address past domain ffff is refused", err)
rc, out, err = run("export", "--format", "nova", "--device", "06:00.0", "--from", p1)
check(rc == 1 and out == "" and "group 13 is not viable: 0000:06:00.1 stays on snd_hda_intel" in err,
      "a group whose other endpoint stays on its host driver is refused", err)
rc, out, err = run("export", "--format", "nova", "--device", "06:00.0", "--device", "06:00.1", "--from", p1)
check(rc == 0, "the same group with every endpoint named: accepted", err)
unlisted = json.loads(json.dumps(base).replace('"iommu_group": 13', '"iommu_group": 77'))
rc, out, err = run("export", "--format", "nova", "--device", "06:00.0", "--device", "06:00.1", "--from",
                   write("unlisted.json", unlisted))
check(rc == 1 and out == "" and "group 77 of 0000:06:00.0 is not among the inventory's groups" in err,
      "a group the inventory does not list: viability unknown, refused", err)
unknown = copy.deepcopy(base)
unknown["host"]["use_unknown"] = ["mount: /proc/self/mountinfo: a directory"]
rc, out, err = run("export", "--format", "incus", "--group", "13", "--from", write("unknown.json", unknown))
check(rc == 1 and out == "" and "cannot tell whether the host uses 0000:06:00.0 (mount: /proc/self/mountinfo: a directory)" in err,
      "a host whose use could not be read: every export refused (fail closed)", err)
uu = os.path.join(tmp, "use-unknown")
subprocess.run(["cp", "-a", article, uu], check=True)
os.remove(os.path.join(uu, "proc/self/mountinfo"))
os.mkdir(os.path.join(uu, "proc/self/mountinfo"))
rc, out, err = run("inventory", "-J", "--root", uu)
check(rc == 0 and json.loads(out)["host"]["use_unknown"] and json.loads(out)["host"]["use_unknown"][0].startswith("mount: "),
      "inventory: a mount table that cannot be read is in use_unknown", out[:300] + err)
rc, out, err = run("export", "--root", uu, "--format", "nova", "--group", "13")
check(rc == 1 and out == "" and "cannot tell whether the host uses 0000:06:00.0 (mount: " in err,
      "export on a host whose mounts cannot be read: refused", err)
check(base["host"]["use_unknown"] == [], "inventory: every kind of host use was read on the article's host")
ghost = copy.deepcopy(base)
grp(ghost, 13)["devices"].append("0000:06:00.2")
rc, out, err = run("export", "--format", "nova", "--group", "13", "--from", write("ghost.json", ghost))
check(rc == 1 and out == "" and "group 13 lists 0000:06:00.2, which the inventory does not describe in it" in err,
      "a group member the inventory does not describe: its driver unknown, refused", err)
nohost = copy.deepcopy(base)
nohost["host"]["hostname"] = None
rc, out, err = run("export", "--format", "proxmox-mapping", "--group", "13", "--from", write("nohost.json", nohost))
check(rc == 1 and out == "" and "host name of 0000:06:00.0 is unknown" in err,
      "proxmox-mapping: an unknown node name is refused", err)

# --- hostile and other-schema inventories
hostile = {
    "other-schema": dict(base, schema="vfiokit.inventory/2"),
    "no-schema": {k: v for k, v in base.items() if k != "schema"},
    "not-json": "this is not JSON\n",
    "cut": json.dumps(base)[:500],
    "trailing": json.dumps(base) + "{}",
    "array": [base],
    "deep": "[" * 100000 + "]" * 100000,
    "nul": json.dumps(base).encode().replace(b'"pve1"', b'"pv\x00e1"'),
    "escaped-nul": json.dumps(base).replace('"pve1"', '"pv\\u0000e1"'),
    "control-byte": json.dumps(base).replace('"pve1"', '"pv\\u001be1"'),
    "invalid-utf8": json.dumps(base).encode().replace(b'"pve1"', b'"pv\xffe1"'),
    "devices-not-array": dict(base, devices={}),
    "id-not-hex": json.loads(json.dumps(base).replace('"10de:13c2"', '"zzzz:13c2"')),
    "address-bad": json.loads(json.dumps(base).replace('"0000:06:00.0"', '"0000:06:00.9"', 1)),
    "group-huge": json.loads(json.dumps(base).replace('"iommu_group": 13', '"iommu_group": 99999999999999999999')),
    "group-string": json.loads(json.dumps(base).replace('"iommu_group": 13', '"iommu_group": "13"')),
    "duplicate": dict(base, devices=base["devices"] + base["devices"][:1]),
    "too-many": dict(base, devices=[dict(dev(base, "0000:06:00.0"), address="0000:%02x:%02x.%d" % (i >> 8, (i >> 3) & 31, i & 7))
                                    for i in range(5000)]),
    "role-unknown": json.loads(json.dumps(base).replace('"role": "endpoint"', '"role": "gpu"', 1)),
}
for name, doc in hostile.items():
    path = write("hostile-%s.json" % name, doc)
    for args in (("export", "--format", "nova", "--group", "13", "--from", path),
                 ("verify", "--root", article, "--against", path)):
        rc, out, err = run(*args)
        check(rc == 1 and out == "" and ("%s: not a vfiokit inventory: " % path) in err and len(err.splitlines()) == 1,
              "%s: %s inventory refused, naming the file" % (args[0], name), "rc=%d out=%r err=%r" % (rc, out[:200], err))
rc, out, err = run("export", "--format", "nova", "--group", "13", "--from", tmp)
check(rc == 1 and out == "" and tmp in err, "a directory as inventory: refused, named", err)
rc, out, err = run("export", "--format", "yaml", "--group", "13")
check(rc == 2, "an unknown format is a usage error", err)

# --- drift
def drift(doc):
    rc, out, err = run("verify", "--root", article, "-J", "--against", write("then.json", doc))
    rows = json.loads(out)["drift"] if out else None
    return rc, rows, err


then = copy.deepcopy(base)
dev(then, "0000:06:00.0")["driver"] = "vfio-pci"
rc, rows, err = drift(then)
check(rc == 1 and rows == [{"device": "0000:06:00.0", "change": "driver", "was": "vfio-pci", "now": "nouveau"}],
      "verify --against: a driver changed", repr(rows) + err)
then = copy.deepcopy(base)
dev(then, "0000:06:00.0")["id"] = "1002:67df"
rc, rows, err = drift(then)
check(rc == 1 and rows[0]["change"] == "swapped" and rows[0]["now"] == "10de:13c2 (1462:3160)",
      "verify --against: a card swapped (other IDs at the same place)", repr(rows) + err)
then = copy.deepcopy(base)
for d in then["devices"]:
    if d["address"].startswith("0000:06:"):
        d["address"] = d["address"].replace("0000:06:", "0000:07:")
        d["iommu_group"] = 14
grp(then, 13)["number"] = 14
grp(then, 14)["devices"] = ["0000:07:00.0", "0000:07:00.1"]
rc, rows, err = drift(then)
check(rc == 1 and {"device": "0000:07:00.0", "change": "renumbered", "was": "0000:07:00.0", "now": "0000:06:00.0"} in rows
      and {"device": "0000:07:00.0", "change": "group", "was": "14", "now": "13"} in rows and len(rows) == 4,
      "verify --against: a bus renumbered, found again by its topology path", repr(rows) + err)
then = copy.deepcopy(base)
for d in then["devices"]:
    if d["address"].startswith("0000:06:"):
        d["address"] = d["address"].replace("0000:06:", "0000:03:")
        d["topology"] = d["topology"].replace("/1c.4/", "/1c.0/")
grp(then, 13)["devices"] = ["0000:03:00.0", "0000:03:00.1"]
rc, rows, err = drift(then)
check(rc == 1 and [r["change"] for r in rows] == ["moved", "moved"] and rows[0]["now"] == "0000:06:00.0 at 0000:00/1c.4/00.0",
      "verify --against: a card moved to another slot", repr(rows) + err)
then = copy.deepcopy(base)
then["devices"] = [d for d in then["devices"] if d["address"] != "0000:05:00.0"]
grp(then, 12)["devices"] = []
then["devices"].append(dict(dev(base, "0000:05:00.0"), address="0000:08:00.0", topology="0000:00/1d.0/00.0",
                            id="8086:1533", subsystem_id=None, iommu_group=None))
rc, rows, err = drift(then)
check(rc == 1 and {"device": "0000:08:00.0", "change": "gone", "was": "8086:1533", "now": None} in rows and
      {"device": "0000:05:00.0", "change": "new", "was": None, "now": "10ec:8168 (1043:8505)"} in rows,
      "verify --against: a device gone, one new", repr(rows) + err)

print("1..%d" % len(results))
for i, (ok, name, detail) in enumerate(results, 1):
    print("%s %d - %s" % ("ok" if ok else "not ok", i, name))
    if not ok and detail:
        for l in detail.splitlines()[:20]:
            print("# " + l)
sys.exit(0 if all(ok for ok, _, _ in results) else 1)
EOF
