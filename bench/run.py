#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Benchmark `vfiokit groups -J` against its peers on the same synthetic
sysfs trees (SR-IOV scale: N PCI devices in N/4 IOMMU groups), at 1,000,
10,000 and 50,000 devices (--sizes):

  - lspci -nnk reading the same tree (-A linux-sysfs -O sysfs.path=...)
  - a minimal C reader of the same facts (bench/floor.c): the floor
  - the article's group-listing shell loop (one lspci per device), on a
    500-device tree, against vfiokit on that same tree

and, on small machines, where starting the process is most of the time:

  - vfiokit --version against lspci --version
  - vfiokit groups against lspci -nnk on the article's host
    (tests/fixtures/hosts/article), and both on this machine's /sys
  - vfiokit check against virt-host-validate qemu, both on this machine

Prints median wall time over the runs, the ratios, and peak RSS (getrusage
through bench/rss.c). Every group of commands runs in turn, round after round,
so that a change in the machine's load falls on all of them, and their CPU
time (user + system) is given beside the wall time, as it moves less when
other work shares the machine. Timings are reported, never asserted.

usage: bench/run.py [--vfiokit build/src/vfiokit] [--runs 5] [--small-runs 50]
                    [--sizes 1000,10000,50000] [--small-only | --no-small]
                    [--keep DIR]
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

ARTICLE_LOOP = r'''
shopt -s nullglob
for g in $(find "$TREE"/sys/kernel/iommu_groups/* -maxdepth 0 -type d | sort -V); do
    echo "IOMMU Group ${g##*/}:"
    for d in $g/devices/*; do
        echo -e "\t$(lspci -A linux-sysfs -O sysfs.path="$TREE"/sys/bus/pci -nns ${d##*/})"
    done
done
'''


RSS = None  # bench/rss.c, built in main()


def run(cmd, env=None):
    """Wall time, CPU time (user + system) and peak RSS (KiB) of one run."""
    t0 = time.perf_counter()
    p = subprocess.Popen([RSS] + cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    err = p.stderr.read()
    _, status, ru = os.wait4(p.pid, 0)
    dt = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit("failed: %s" % " ".join(cmd))
    rss = [int(l.split("=")[1]) for l in err.decode().splitlines() if l.startswith("maxrss_kib=")]
    return dt, ru.ru_utime + ru.ru_stime, rss[-1]


def measure(cmds, runs, env=None):
    """Each command once per round, round after round (the first round warms
    the page cache): medians of wall and CPU time, the largest peak RSS."""
    res = {name: [] for name, _ in cmds}
    for rnd in range(runs + 1):
        for name, cmd in cmds:
            r = run(cmd, env)
            if rnd:
                res[name].append(r)
    out = {}
    for name, _ in cmds:
        out[name] = (statistics.median(r[0] for r in res[name]), statistics.median(r[1] for r in res[name]),
                     max(r[2] for r in res[name]))
        print("  %-34s %8.3f s wall %8.3f s CPU   peak RSS %7.1f MiB" %
              (name, out[name][0], out[name][1], out[name][2] / 1024))
    return out


def small(cmds, runs, env):
    """Median wall and CPU time (ms) of each command, run in turn, round after
    round, so that a change in the machine's load falls on all of them.
    Exit 1 is a finding (check, virt-host-validate), not a failure."""
    times = {name: ([], []) for name, _ in cmds}
    for _ in range(runs + 1):
        for name, cmd in cmds:
            t0 = time.perf_counter()
            p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
            _, status, ru = os.wait4(p.pid, 0)
            dt = time.perf_counter() - t0
            p.returncode = os.waitstatus_to_exitcode(status)
            if p.returncode not in (0, 1):
                sys.exit("failed (exit %d): %s" % (p.returncode, " ".join(cmd)))
            times[name][0].append(dt * 1000)
            times[name][1].append((ru.ru_utime + ru.ru_stime) * 1000)
    res = {}
    for name, _ in cmds:
        wall, cpu = (statistics.median(v[1:]) for v in times[name])  # the first round warms the caches
        print("  %-40s %8.2f ms wall %8.2f ms CPU" % (name, wall, cpu))
        res[name] = (wall, cpu)
    return res


def small_machines(vfiokit, runs, env):
    article = os.path.join(TOP, "tests/fixtures/hosts/article")
    ndev = len(os.listdir(os.path.join(article, "sys/bus/pci/devices")))
    cmds = [("vfiokit --version", [vfiokit, "--version"]),
            ("lspci --version", ["lspci", "--version"]),
            ("vfiokit groups (article)", [vfiokit, "groups", "--root", article]),
            ("lspci -nnk (article)", ["lspci", "-nnk", "-A", "linux-sysfs", "-O",
                                      "sysfs.path=%s/sys/bus/pci" % article]),
            ("vfiokit check (article)", [vfiokit, "check", "--root", article])]
    live = os.path.isdir("/sys/bus/pci/devices") and os.listdir("/sys/bus/pci/devices")
    if live:
        cmds += [("vfiokit groups (this machine)", [vfiokit, "groups"]),
                 ("lspci -nnk (this machine)", ["lspci", "-nnk"]),
                 ("vfiokit check (this machine)", [vfiokit, "check"])]
        if shutil.which("virt-host-validate"):
            cmds.append(("virt-host-validate qemu (this machine)", ["virt-host-validate", "qemu"]))
    print("small machines: the article's host (%d PCI devices)%s, median of %d rounds:" %
          (ndev, " and this one (%d)" % len(live) if live else "", runs))
    r = small(cmds, runs, env)
    print()
    print("ratios (wall, CPU; above 1: vfiokit is faster):")

    def ratio(what, peer, ours):
        if peer in r and ours in r:
            print("  %-44s %6.2fx %6.2fx" % (what, r[peer][0] / r[ours][0], r[peer][1] / r[ours][1]))
    ratio("lspci --version / vfiokit --version", "lspci --version", "vfiokit --version")
    ratio("lspci -nnk / vfiokit groups (article)", "lspci -nnk (article)", "vfiokit groups (article)")
    ratio("lspci -nnk / vfiokit groups (this machine)", "lspci -nnk (this machine)",
          "vfiokit groups (this machine)")
    ratio("virt-host-validate / vfiokit check (this)", "virt-host-validate qemu (this machine)",
          "vfiokit check (this machine)")


def make_tree(path, n, groups):
    subprocess.run([sys.executable, os.path.join(TOP, "tests/fixtures/mkhost.py"), "--synthetic", str(n),
                    "--groups", str(groups), path, "--ids", "/usr/share/misc/pci.ids"], check=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vfiokit", default=os.path.join(TOP, "build/src/vfiokit"))
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--keep", help="keep the trees here")
    ap.add_argument("--small-runs", type=int, default=50)
    ap.add_argument("--small-only", action="store_true", help="only the small machines")
    ap.add_argument("--no-small", action="store_true", help="only the trees")
    ap.add_argument("--sizes", default="1000,10000,50000", help="devices in each tree of the curve")
    a = ap.parse_args()
    try:
        sizes = [int(x) for x in a.sizes.split(",")]
    except ValueError:
        sys.exit("--sizes takes numbers separated by commas, not %r" % a.sizes)
    for tool in ("lspci", "bash", "cc"):
        if not shutil.which(tool):
            sys.exit("needs %s (apt-get install pciutils bash gcc)" % tool)
    env = dict(os.environ, LC_ALL="C")
    if not a.no_small:
        small_machines(a.vfiokit, a.small_runs, env)
        print()
    if a.small_only:
        return

    work = a.keep or tempfile.mkdtemp(prefix="vfiokit-bench.")
    os.makedirs(work, exist_ok=True)
    floor = os.path.join(work, "floor")
    subprocess.run(["cc", "-O2", "-o", floor, os.path.join(TOP, "bench/floor.c")], check=True)
    global RSS
    RSS = os.path.join(work, "rss")
    subprocess.run(["cc", "-O2", "-o", RSS, os.path.join(TOP, "bench/rss.c")], check=True)

    curve = []
    for n in sizes:
        tree = os.path.join(work, "tree-%d" % n)
        if not os.path.exists(tree):
            print("generating %d devices in %d groups ..." % (n, n // 4))
            make_tree(tree, n, n // 4)
        print("%d PCI devices, %d IOMMU groups (median of %d rounds):" % (n, n // 4, a.runs))
        r = measure([("vfiokit groups -J", [a.vfiokit, "groups", "-J", "--root", tree]),
                     ("lspci -nnk", ["lspci", "-nnk", "-A", "linux-sysfs", "-O",
                                     "sysfs.path=%s/sys/bus/pci" % tree]),
                     ("floor (bench/floor.c)", [floor, tree])], a.runs, env)
        curve.append((n, r["vfiokit groups -J"], r["lspci -nnk"], r["floor (bench/floor.c)"]))

    small_tree = os.path.join(work, "tree-500")
    if not os.path.exists(small_tree):
        make_tree(small_tree, 500, 125)
    print("500 PCI devices, 125 IOMMU groups:")
    v5 = measure([("vfiokit groups -J", [a.vfiokit, "groups", "-J", "--root", small_tree])], a.runs, env)
    al = measure([("article's loop (lspci per device)", ["bash", "-c", ARTICLE_LOOP])], 1, dict(env, TREE=small_tree))
    print()
    print("the curve: wall time ratios, CPU time ratios in brackets (targets at 10,000 devices:")
    print("lspci / vfiokit >= 2x, vfiokit / floor <= 1.2x, vfiokit's peak RSS < 16 MiB):")
    print("  %8s  %-22s  %-22s  %11s  %11s" % ("devices", "lspci -nnk / vfiokit", "vfiokit / floor", "vfiokit RSS",
                                               "lspci RSS"))
    for n, v, l, f in curve:
        print("  %8d  %8.2fx (%6.2fx)     %8.2fx (%6.2fx)     %7.1f MiB  %7.1f MiB" %
              (n, l[0] / v[0], l[1] / v[1], v[0] / f[0], v[1] / f[1], v[2] / 1024, l[2] / 1024))
    print("  article's loop / vfiokit: %.0fx (target >= 100x, 500 devices)" %
          (al["article's loop (lspci per device)"][0] / v5["vfiokit groups -J"][0]))
    if not a.keep:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
