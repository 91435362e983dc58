#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Write a fixture host tree as one fuzz-host input (see tests/fuzz/fuzz-host.c):
records separated by 0x1e, each a kind byte (f file, l link, d directory),
the root-relative path, '\\n', and the content or link target. Files are cut
to --max bytes, so that a seed stays small.

usage: mkseed-host.py TREE OUT [--only PREFIX]... [--max N]"""
import argparse
import os

ap = argparse.ArgumentParser()
ap.add_argument("tree")
ap.add_argument("out")
ap.add_argument("--only", action="append", default=[])
ap.add_argument("--max", type=int, default=2048)
a = ap.parse_args()

records = []
for top, dirs, files in os.walk(a.tree):
    dirs.sort()
    rel_top = os.path.relpath(top, a.tree)
    for name in sorted(dirs + files):
        path = os.path.join(top, name)
        rel = os.path.normpath(os.path.join(rel_top, name))
        if a.only and not any(rel.startswith(p) for p in a.only):
            continue
        if os.path.islink(path):
            records.append(b"l" + rel.encode() + b"\n" + os.readlink(path).encode())
        elif os.path.isdir(path):
            if not os.listdir(path):
                records.append(b"d" + rel.encode())
        elif os.path.isfile(path):
            with open(path, "rb") as f:
                data = f.read(a.max)
            records.append(b"f" + rel.encode() + b"\n" + data.replace(b"\x1e", b" "))
with open(a.out, "wb") as f:
    f.write(b"\x1e".join(records))
