#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Benchmark the option ROM parser on a 1 MiB multi-image ROM built from
the option ROMs Debian ships (ipxe-qemu's efi-*.rom: a PC-AT and an EFI
image each), chained into one ROM (last-image flags cleared but on the
final image, checksums kept valid):

  - in process: rom_parse() throughput in MB/s (bench/rom-throughput.c)
  - end to end: `vfiokit rom -J FILE` per run, against the article's parser
    (awilliam/rom-parser) run on the same file when --rom-parser names its
    binary; it is not packaged, so build it yourself from its repository

Prints median times and ratios. Timings are reported, never asserted.

usage: bench/rom.py [--vfiokit build/src/vfiokit] [--rom-parser PATH] [--runs 20]
"""
import argparse
import glob
import os
import statistics
import struct
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def images(data):
    """(offset, length) of each image of a ROM, by its PCIR length."""
    off = 0
    while off + 0x1A <= len(data) and data[off:off + 2] == b"\x55\xaa":
        p = off + struct.unpack_from("<H", data, off + 0x18)[0]
        length = struct.unpack_from("<H", data, p + 0x10)[0] * 512
        yield off, length, p
        if data[p + 0x15] & 0x80 or length == 0:
            return
        off += length


def build_rom(target=1 << 20):
    parts = []
    total = 0
    for path in sorted(glob.glob("/usr/lib/ipxe/qemu/efi-*.rom")):
        data = open(path, "rb").read()
        for off, length, p in images(data):
            if total + length > target:
                break
            parts.append(bytearray(data[off:off + length]))
            total += length
    if not parts:
        sys.exit("no /usr/lib/ipxe/qemu/efi-*.rom: install ipxe-qemu")
    for i, img in enumerate(parts):
        p = struct.unpack_from("<H", img, 0x18)[0]
        img[p + 0x15] = 0x80 if i == len(parts) - 1 else 0x00
        img[-1] = (img[-1] - sum(img)) & 0xFF  # the bytes add up to 0 again
    return b"".join(parts), len(parts)


def timed(cmd, runs):
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - t)
    return statistics.median(times), r.returncode


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vfiokit", default=os.path.join(TOP, "build/src/vfiokit"))
    ap.add_argument("--rom-parser", help="the article's rom-parser binary, if you built it")
    ap.add_argument("--runs", type=int, default=20)
    a = ap.parse_args()

    rom, n = build_rom()
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "multi.rom")
        open(path, "wb").write(rom)
        print("ROM: %d bytes (%.2f MiB), %d images chained from ipxe-qemu's efi-*.rom" % (len(rom), len(rom) / 2**20, n))

        exe = os.path.join(tmp, "rom-throughput")
        src = [os.path.join(TOP, f) for f in ("bench/rom-throughput.c", "src/rom/rom.c", "src/shared/util.c", "src/shared/strv.c")]
        subprocess.run(["cc", "-O2", "-D_GNU_SOURCE", "-I" + os.path.join(TOP, "src"),
                        "-o", exe] + src, check=True)
        iters = 200
        out = subprocess.run([exe, path, str(iters)], capture_output=True, text=True, check=True).stdout.split()
        print("in process: rom_parse() %s MB/s (%d parses in %.3f s; %s images each)" % (out[2], iters, float(out[1]), out[3]))

        t_v, rc = timed([a.vfiokit, "rom", "-J", path], a.runs)
        print("end to end: vfiokit rom -J   %.2f ms (median of %d, exit %d), %.0f MB/s" %
              (t_v * 1e3, a.runs, rc, len(rom) / t_v / 1e6))
        if a.rom_parser:
            t_p, rc = timed([a.rom_parser, path], a.runs)
            print("end to end: rom-parser       %.2f ms (median of %d, exit %d), %.0f MB/s" %
                  (t_p * 1e3, a.runs, rc, len(rom) / t_p / 1e6))
            print("ratio vfiokit / rom-parser: %.2f (above 1: vfiokit slower)" % (t_v / t_p))
        else:
            print("rom-parser: not given (--rom-parser PATH); no ratio")


if __name__ == "__main__":
    main()
