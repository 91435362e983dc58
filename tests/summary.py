#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Print one closing line, "N passed, N failed, N skipped", over meson's
testlog.json files (meson's own summary is not a line CI tools read)."""
import json
import sys

counts = {"passed": 0, "failed": 0, "skipped": 0}
args = sys.argv[1:]
extra = []
if "--extra" in args:  # --extra NAME=EXITCODE ... : runs outside meson
    i = args.index("--extra")
    extra, args = args[i + 1:], args[:i]
for e in extra:
    name, rc = e.split("=")
    counts["passed" if rc == "0" else "failed"] += 1
for path in args:
    # A log that is missing or holds no test is a run that tested nothing:
    # count it as a failure, never as silence.
    try:
        with open(path) as f:
            lines = [line for line in f if line.strip()]
    except OSError as e:
        print("%s: %s: no test ran" % (path, e.strerror), file=sys.stderr)
        counts["failed"] += 1
        continue
    if not lines:
        print("%s: empty: no test ran" % path, file=sys.stderr)
        counts["failed"] += 1
    for line in lines:
        r = json.loads(line).get("result")
        if r in ("OK", "EXPECTEDFAIL"):
            counts["passed"] += 1
        elif r == "SKIP":
            counts["skipped"] += 1
        else:
            counts["failed"] += 1
print("%d passed, %d failed, %d skipped" % (counts["passed"], counts["failed"], counts["skipped"]))
