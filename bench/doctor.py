#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Benchmark `vfiokit doctor` on a kernel log of SIZE MiB (100 by default)
made of tests/fixtures/logs/healthy-boot.log repeated, with one line of
each signature's log at its end, on the article's fixture host; and
`grep -F -f` with the signatures' literals over the same file, the floor of
any line matcher. Prints the median time, throughput and vfiokit's peak
RSS; never asserts timings.

usage: bench/doctor.py [--vfiokit build/src/vfiokit] [--size 100] [--runs 5]
"""
import argparse
import glob
import os
import resource
import statistics
import subprocess
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def timed(cmd, runs):
    t, rss = [], 0
    for _ in range(runs):
        a = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        t.append(time.perf_counter() - a)
        rss = max(rss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    return statistics.median(t), rss


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vfiokit", default=os.path.join(TOP, "build/src/vfiokit"))
    ap.add_argument("--size", type=int, default=100)
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()
    logs = os.path.join(TOP, "tests/fixtures/logs")
    host = os.path.join(TOP, "tests/fixtures/hosts/article")
    healthy = open(os.path.join(logs, "healthy-boot.log"), "rb").read()
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "kernel.log")
        with open(path, "wb") as f:
            n = 0
            while n < a.size << 20:
                f.write(healthy)
                n += len(healthy)
            for sig in sorted(glob.glob(os.path.join(logs, "*.log"))):
                if not os.path.basename(sig).startswith("healthy-"):
                    f.write(open(sig, "rb").read())
        size = os.path.getsize(path) / (1 << 20)
        subprocess.run(["cat", path], stdout=subprocess.DEVNULL)  # warm the page cache
        t, rss = timed([a.vfiokit, "doctor", "--root", host, "--log", path], a.runs)
        print(f"vfiokit doctor, {size:.0f} MiB log: {t:.2f} s median of {a.runs}, "
              f"{size / t:.0f} MiB/s, peak RSS {rss / 1024:.1f} MiB")
        pat = os.path.join(tmp, "needles")
        out = subprocess.run([a.vfiokit, "doctor", "--signatures", "-J"], capture_output=True, text=True).stdout
        import json
        with open(pat, "w") as f:
            for s in json.loads(out)["signatures"]:
                f.write(s["match"].split('"')[1] + "\n")
        g, _ = timed(["grep", "-c", "-F", "-f", pat, path], a.runs)
        print(f"grep -F -f (the literals alone), same log: {g:.2f} s; doctor / grep = {t / g:.1f}")


if __name__ == "__main__":
    main()
