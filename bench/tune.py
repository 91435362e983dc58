#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Benchmark `vfiokit tune topology` and `tune pin` against `lscpu -e`
reading the same /sys (--sysroot), on the real topologies in the tests
(util-linux's dumps; the largest a 4-socket Xeon X7550, 64 CPUs); and
vfiokit alone on a synthetic 1024-CPU machine (64 L3 domains of 8 SMT-2
cores) made by tests/fixtures/mkcpu.py, where lscpu 2.38 aborts (it wants
files mkcpu.py does not write). Prints medians and ratios; never asserts
timings.

usage: bench/tune.py [--vfiokit build/src/vfiokit] [--runs 20]
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


def timed(cmd, runs):
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # warm the cache
    t = []
    for _ in range(runs):
        a = time.perf_counter()
        r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        t.append(time.perf_counter() - a)
        if r.returncode != 0:
            sys.exit("failed: " + " ".join(cmd))
    return statistics.median(t)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vfiokit", default=os.path.join(TOP, "build/src/vfiokit"))
    ap.add_argument("--runs", type=int, default=20)
    a = ap.parse_args()
    if not shutil.which("lscpu"):
        sys.exit("needs lscpu (util-linux)")
    with tempfile.TemporaryDirectory() as tmp:
        table = os.path.join(tmp, "big.lscpu")
        with open(table, "w") as f:
            f.write("# cpuinfo: GenuineIntel | synthetic 1024-CPU machine\n")
            for l3 in range(64):
                for core in range(8):
                    c = l3 * 8 + core
                    for t in range(2):
                        f.write("%d %d %d %d %d:%d:%d:%d yes\n" % (c + t * 512, l3 // 16, l3 // 16, c, c, c, c, l3))
        big = os.path.join(tmp, "synthetic-1024")
        subprocess.run([sys.executable, os.path.join(TOP, "tests/fixtures/mkcpu.py"), table, big], check=True)
        for dump, vcpus in (("x86_64-dell_e4310", 2), ("x86_64-64cpu-linux6.2", 6), ("x86_64-64cpu", 16)):
            subprocess.run(["tar", "-xzf", os.path.join(TOP, "tests/fixtures/cpus/%s.tar.gz" % dump), "-C", tmp],
                           check=True)
            root = os.path.join(tmp, dump)
            print(dump)
            l = timed(["lscpu", "-e", "--sysroot", root], a.runs)
            v = timed([a.vfiokit, "tune", "topology", "--root", root], a.runs)
            p = timed([a.vfiokit, "tune", "pin", "--vcpus", str(vcpus), "--root", root], a.runs)
            print("  lscpu -e --sysroot            %8.2f ms" % (l * 1e3))
            print("  vfiokit tune topology         %8.2f ms   ratio to lscpu %.2f" % (v * 1e3, v / l))
            print("  vfiokit tune pin --vcpus %-4d %8.2f ms   ratio to lscpu %.2f" % (vcpus, p * 1e3, p / l))
        print("synthetic, 1024 CPUs (vfiokit only)")
        v = timed([a.vfiokit, "tune", "topology", "--root", big], a.runs)
        p = timed([a.vfiokit, "tune", "pin", "--vcpus", "64", "--root", big], a.runs)
        print("  vfiokit tune topology         %8.2f ms" % (v * 1e3))
        print("  vfiokit tune pin --vcpus 64   %8.2f ms" % (p * 1e3))

if __name__ == "__main__":
    main()
