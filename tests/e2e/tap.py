# SPDX-License-Identifier: GPL-2.0-or-later
"""TAP for the judges of a guest's serial log (check-q35.py, check-efifb.py):
the cases the guest printed, one assertion a line, the plan at the end.

    import tap
    case = tap.Cases(log, PATTERN, build, empty)   # PATTERN's group 1: the name
    c = case("take")                               # a missing case is a failure
    tap.ok(cond, "what it shows", detail)          # detail's last lines on failure
    tap.done()                                     # "1..N", exit 1 on a failure

The importing script sets sys.dont_write_bytecode first: the tests write
nothing into the source tree.
"""
import re
import sys

DETAIL_LINES = 30  # the lines of detail shown under a failure, from the end
_n = 0
_failed = 0


def read_log(path):
    """The serial log as text, its carriage returns dropped."""
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read().replace("\r", "")


def ok(cond, what, detail=""):
    global _n, _failed
    _n += 1
    print("%s %d - %s" % ("ok" if cond else "not ok", _n, what))
    if not cond:
        _failed += 1
        for line in str(detail).splitlines()[-DETAIL_LINES:]:
            print("# " + line)


def done():
    print("1..%d" % _n)
    sys.exit(1 if _failed else 0)


class Cases:
    """The cases of log matching pattern (multi-line, dot matching newlines),
    each built by build from the groups after the name; case(name) is one,
    or a failure (the log's end shown) and empty()."""

    def __init__(self, log, pattern, build, empty):
        self.log, self.empty = log, empty
        self.cases = {}
        for m in re.finditer(pattern, log, re.S | re.M):
            self.cases[m.group(1)] = build(*m.groups()[1:])

    def __call__(self, name):
        c = self.cases.get(name)
        if c is None:
            ok(False, "case %s ran in the guest" % name, self.log[-3000:])
            return self.empty()
        return c
