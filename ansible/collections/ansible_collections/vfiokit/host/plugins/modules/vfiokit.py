#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# The vfiokit Ansible module: drives vfiokit setup, undo, bind, unbind and
# check on the managed host. vfiokit does the deciding, the refusals and the
# journal; this module only maps Ansible's check mode, diff mode and
# changed/ok onto vfiokit's dry run, diff and JSON results.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: vfiokit
short_description: Prepare a host for PCI passthrough (VFIO) with vfiokit
description:
  - Runs C(vfiokit) on the managed host. C(vfiokit) reads the machine (IOMMU
    groups, the host's own use of each device, bootloaders, initramfs
    generators), refuses what would take a device the host needs, and writes
    every change through its journal, so that C(vfiokit undo) takes it back
    byte for byte.
  - I(command=setup) with I(state=present) isolates devices at boot
    (C(vfiokit setup --apply)); check mode is vfiokit's dry run (no
    C(--apply)), diff mode returns vfiokit's unified diff as C(prepared), and
    C(changed) is vfiokit's own C(changed) (C(vfiokit setup -J)), false when the
    files are as they should be already.
  - I(command=setup) with I(state=absent) undoes setup through the journal
    (C(vfiokit undo)), the entry named by I(journal) or else every applied
    C(vfiokit setup) entry, newest first. Nothing to undo is C(ok).
  - I(command=bind) and I(command=unbind) move devices to vfio-pci at runtime
    and back; in check mode C(--dry-run), the steps as the diff. With I(root)
    they run in check mode only (a machine copy can only be planned for).
  - I(command=check) returns the prerequisite checks as the fact
    C(vfiokit_check); with I(fail_on) the task fails on them.
version_added: "0.1.0"
author:
  - vfiokit
requirements:
  - vfiokit on the managed host (C(vfiokit setup -J))
options:
  command:
    description: What to run.
    type: str
    choices: [setup, bind, unbind, check]
    default: setup
  state:
    description:
      - With I(command=setup), C(present) applies setup, C(absent) undoes it
        through the journal.
    type: str
    choices: [present, absent]
    default: present
  gpu:
    description: The guest's GPU for setup (C(--gpu)), as 0000:06:00.0 or 06:00.0.
    type: str
  devices:
    description:
      - For setup, other devices for the guest (C(--with) each).
      - For bind and unbind, the targets (an address, a vendor:device ID, or
        group:N); required there.
    type: list
    elements: str
    default: []
  include_group:
    description: setup's C(--include-group), taking a shared IOMMU group whole.
    type: bool
    default: false
  iommu:
    description: setup's C(--iommu), where the firmware's ACPI tables cannot say.
    type: str
    choices: [intel, amd]
  iommu_pt:
    description: setup's C(--iommu-pt).
    type: bool
    default: false
  isolcpus:
    description: setup's C(--isolcpus) (a CPU list, 6-11).
    type: str
  hugepages:
    description: setup's C(--hugepages) (a size, 16G).
    type: str
  ignore_msrs:
    description: setup's C(--ignore-msrs).
    type: bool
    default: false
  allow:
    description: >-
      Refusals to lift, each the word after C(--allow-) (display, mounted,
      default-route, host-bridge; bind also nonviable), for setup and bind.
    type: list
    elements: str
    default: []
  only:
    description: bind's C(--only), only the devices named, not their groups.
    type: bool
    default: false
  journal:
    description: With I(state=absent), the journal entry to undo (the C(journal) a present run returned).
    type: str
  root:
    description:
      - A machine copy or a mounted system to work on instead of the host (C(--root)).
      - setup writes the files there; bind and unbind can only be planned (check mode).
    type: path
  chroot:
    description: With I(root), run setup's and undo's commands inside it (C(--chroot)).
    type: bool
    default: false
  fail_on:
    description:
      - With I(command=check), fail the task when a check has this status or
        worse (C(fail), or C(warn) for warnings too); C(never) only reports.
    type: str
    choices: [never, fail, warn]
    default: never
  executable:
    description: The vfiokit program; by default the one on the host's PATH.
    type: path
notes:
  - Runs as root on the host itself (I(become)); with I(root) it does not need to.
  - Check mode and diff mode are supported. The host needs a reboot after a
    setup that changed something; the module leaves that to a handler.
"""

EXAMPLES = r"""
- name: Isolate the guest GPU at boot (a reboot follows when changed)
  vfiokit.host.vfiokit:
    gpu: "0000:06:00.0"
  notify: Reboot

- name: Take setup back
  vfiokit.host.vfiokit:
    state: absent

- name: Bind the GPU's group to vfio-pci now
  vfiokit.host.vfiokit:
    command: bind
    devices: ["group:13"]

- name: Check the prerequisites, failing on a failed one
  vfiokit.host.vfiokit:
    command: check
    fail_on: fail
"""

RETURN = r"""
setup:
  description: vfiokit setup's JSON result (C(vfiokit setup -J)); its members in vfiokit-setup(1).
  returned: command=setup, state=present
  type: dict
journal:
  description: The journal entry setup wrote (for state=absent and C(vfiokit undo)), or the entries undone.
  returned: command=setup
  type: raw
todo:
  description: With I(root), the commands left to run inside the copy.
  returned: command=setup, state=present
  type: list
  elements: str
steps:
  description: bind's or unbind's steps (C(--dry-run -J)).
  returned: command=bind or unbind, when there is something to do and it was planned only
  type: list
  elements: dict
devices:
  description: bind's or unbind's result per device (device, group, before, now, changed).
  returned: command=bind or unbind, when it ran or nothing was to do
  type: list
  elements: dict
checks:
  description: The checks (id, status, title, detail, fix), also the fact C(vfiokit_check).
  returned: command=check
  type: list
  elements: dict
stderr:
  description: vfiokit's messages.
  returned: always
  type: str
"""

import json

from ansible.module_utils.basic import AnsibleModule

UNDO_STATES = ("applied", "partly applied", "partly undone")


def run(module, args, ok_rcs=(0,)):
    """vfiokit with args; its stdout and stderr. Fails the task on another exit status."""
    cmd = [module.params["executable"] or module.get_bin_path("vfiokit", required=True)] + args
    rc, out, err = module.run_command(cmd, environ_update={"LC_ALL": "C.UTF-8", "NO_COLOR": "1"})
    if rc not in ok_rcs:
        module.fail_json(msg=(err.strip() or out.strip() or "vfiokit exited with status %d" % rc),
                         rc=rc, cmd=cmd, stdout=out, stderr=err)
    return rc, out, err


def load(module, text, what):
    try:
        return json.loads(text) if text.strip() else None
    except ValueError as e:
        module.fail_json(msg="vfiokit %s: its JSON could not be read: %s" % (what, e), stdout=text)


def root_args(p):
    return ["--root", p["root"]] if p["root"] else []


def allow_args(p):
    return ["--allow-" + a for a in p["allow"]]


def setup_present(module, p, result):
    args = ["setup", "-J"] + root_args(p) + allow_args(p)
    if p["gpu"]:
        args += ["--gpu", p["gpu"]]
    for d in p["devices"]:
        args += ["--with", d]
    for flag, opt in (("include_group", "--include-group"), ("iommu_pt", "--iommu-pt"),
                      ("ignore_msrs", "--ignore-msrs")):
        if p[flag]:
            args.append(opt)
    for key, opt in (("iommu", "--iommu"), ("isolcpus", "--isolcpus"), ("hugepages", "--hugepages")):
        if p[key]:
            args += [opt, p[key]]
    if not module.check_mode:
        args.append("--apply")
        if p["chroot"]:
            args.append("--chroot")
    rc, out, err = run(module, args)
    doc = load(module, out, "setup")
    if doc is None:
        module.fail_json(msg="vfiokit setup -J wrote no result", stderr=err)
    result.update(changed=bool(doc["changed"]), setup=doc, journal=doc.get("journal"),
                  todo=doc.get("todo", []), stderr=err)
    if doc["changed"] and module._diff:
        result["diff"] = {"prepared": doc["diff"]}
    for w in doc.get("warnings", []):
        module.warn(w)
    for line in doc.get("by_hand", []):
        module.warn("by hand: " + line)
    if doc.get("todo"):
        module.warn("run inside %s: %s" % (p["root"], "; ".join(doc["todo"])))


def setup_absent(module, p, result):
    _, out, _ = run(module, ["journal", "-J"] + root_args(p))
    entries = (load(module, out, "journal") or {}).get("journal", [])
    if p["journal"]:
        todo = [e for e in entries if e["id"] == p["journal"]]
        if not todo:
            module.fail_json(msg="journal entry %s is not in vfiokit's journal ('vfiokit journal' lists them)"
                             % p["journal"])
        todo = [e for e in todo if e["state"] in UNDO_STATES]
    else:
        todo = [e for e in reversed(entries)
                if e["state"] in UNDO_STATES and (e.get("command") or "").startswith("vfiokit setup")]
    result.update(changed=bool(todo), journal=[e["id"] for e in todo], stderr="")
    if not todo:
        return
    chroot = ["--chroot"] if p["chroot"] and p["root"] else []
    diffs = []
    for i, e in enumerate(todo):
        # Each entry's diff against the files as the newer ones left them:
        # in check mode only the newest can be shown that way.
        if module.check_mode and i > 0:
            diffs.append("# then undoes journal entry %s\n" % e["id"])
            continue
        _, dry, err = run(module, ["undo", "--dry-run", e["id"]] + root_args(p))
        diffs.append(dry)
        if not module.check_mode:
            _, _, err = run(module, ["undo", e["id"]] + root_args(p) + chroot)
        result["stderr"] += err
    if module._diff:
        result["diff"] = {"prepared": "".join(diffs)}


def bind(module, p, result):
    if not p["devices"]:
        module.fail_json(msg="%s needs devices: addresses, vendor:device IDs or group:N" % p["command"])
    dry = module.check_mode
    base = [p["command"]] + root_args(p) + (["--only"] if p["only"] else [])
    if p["command"] == "bind":
        base += allow_args(p)
    elif p["allow"]:
        module.fail_json(msg="allow is for setup and bind, not unbind")
    steps_text = None
    if module._diff:
        # The steps as text, for the diff.
        _, steps_text, _ = run(module, base + ["--dry-run"] + p["devices"])
    rc, out, err = run(module, base + ["-J"] + (["--dry-run"] if dry else []) + p["devices"])
    doc = load(module, out, p["command"]) or {}
    result["stderr"] = err
    if "steps" in doc:
        # Planned only: a step is a change to make.
        result.update(changed=bool(doc["steps"]), steps=doc["steps"])
    else:
        rows = doc.get(p["command"], [])
        result.update(changed=any(r.get("changed") == "yes" for r in rows), devices=rows)
    if result["changed"] and module._diff and steps_text:
        result["diff"] = {"prepared": steps_text}


def check(module, p, result):
    rc, out, err = run(module, ["check", "-J"] + root_args(p), ok_rcs=(0, 1))
    checks = (load(module, out, "check") or {}).get("checks", [])
    result.update(changed=False, checks=checks, stderr=err, ansible_facts={"vfiokit_check": checks})
    bad = {"never": (), "fail": ("fail",), "warn": ("fail", "warn")}[p["fail_on"]]
    failed = [c for c in checks if c["status"] in bad]
    if failed:
        result["msg"] = "; ".join("%s: %s (fix: %s)" % (c["title"], c["detail"], c.get("fix") or "-")
                                  for c in failed)
        module.fail_json(**result)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            command=dict(type="str", default="setup", choices=["setup", "bind", "unbind", "check"]),
            state=dict(type="str", default="present", choices=["present", "absent"]),
            gpu=dict(type="str"),
            devices=dict(type="list", elements="str", default=[]),
            include_group=dict(type="bool", default=False),
            iommu=dict(type="str", choices=["intel", "amd"]),
            iommu_pt=dict(type="bool", default=False),
            isolcpus=dict(type="str"),
            hugepages=dict(type="str"),
            ignore_msrs=dict(type="bool", default=False),
            allow=dict(type="list", elements="str", default=[]),
            only=dict(type="bool", default=False),
            journal=dict(type="str"),
            root=dict(type="path"),
            chroot=dict(type="bool", default=False),
            fail_on=dict(type="str", default="never", choices=["never", "fail", "warn"]),
            executable=dict(type="path"),
        ),
        supports_check_mode=True,
    )
    p = module.params
    result = dict(changed=False)
    if p["command"] == "setup" and p["state"] == "absent":
        setup_absent(module, p, result)
    elif p["command"] == "setup":
        setup_present(module, p, result)
    elif p["command"] in ("bind", "unbind"):
        bind(module, p, result)
    else:
        check(module, p, result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
