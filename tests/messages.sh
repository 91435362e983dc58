#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Errors that lead somewhere: every message src/cli prints through
# cli_error() (the one helper for failures and refusals; cli_usage_error()
# ends each with "Try 'vfiokit CMD --help'." itself), and every refusal
# src/plan and src/apply write for the cli to print (fail(err, ...),
# *err = strdupf(...)), must end with the next command or option to run: in its last clause (after the last ". ",
# "; " or ": "), a quoted command ('vfiokit verify', 'modprobe vfio-pci'),
# an option (--force), "vfiokit ...", or "run ... again". The format
# strings are read from the sources, adjacent literals joined. Left out,
# each for the reason given: messages whose text is all conversions (the
# text is made where the failure is known, and its own tests hold it), and
# the lines below that are not failures or have no command to offer.
# usage: messages.sh SRCDIR
set -u
exec python3 - "$1" <<'PY'
import glob
import re
import sys

src_dir = sys.argv[1]
# Exact format strings, and why they need no next command.
EXEMPT = {
    "out of memory": "nothing to run: the machine is out of memory",
    "cannot read the host: %s": "host_load() fails only on ENOMEM here: out of memory (cli_load_host() says -ELIBACC itself)",
    "write error on standard output%s%s": "the output could not be written: nothing to run",
    "running %s%s%s": "progress, not a failure",
    "wrote %s: %zu bytes from offset 0x%zx of %s (%zu header bytes left out)": "done, not a failure",
    "wrote %s: %zu bytes, the ROM of %s": "done, not a failure",
    "defined '%s' on %s (uuid %s)": "done, not a failure",
    "rolled back %s": "a line of the rollback report that the failure message ends",
    "ROLLBACK FAILED: %s": "a line of the rollback report that the failure message ends",
    "%s is a machine copy: run these inside it (or use --chroot):": "introduces the commands that follow",
    "journal entry %s would run '%s', which is not a command vfiokit records (the journal may not be vfiokit's); "
    "nothing was changed": "undo's cli adds \"--allow-unknown-commands runs it anyway\"",
    "the files are back, but %s: run %s by hand": "the commands that failed, named in it, are what to run",
}
# vm's usage errors (ERROR_USAGE) whose text the cli's usage error ends.
USAGE_TEXT = {
    "bad guest name: it %s",
}
NEXT = re.compile(r"'[^']+'|(^|[\s(])--?[a-zA-Z%]|\bvfiokit [a-z]|\brun\b.*\bagain\b|\bvirsh\b")


def calls(src, name):
    i = 0
    while True:
        i = src.find(name + "(", i)
        if i < 0:
            return
        if i > 0 and (src[i - 1].isalnum() or src[i - 1] == "_"):
            i += 1
            continue
        j = k = i + len(name) + 1
        depth = 1
        while depth and k < len(src):
            c = src[k]
            if c in "\"'":
                k += 1
                while src[k] != c:
                    k += 2 if src[k] == "\\" else 1
            elif c == "(":
                depth += 1
            elif c == ")":
                depth -= 1
            k += 1
        yield src.count("\n", 0, i) + 1, src[j:k - 1]
        i = k


# Adjacent literals, and the PRI macros between them ("%" PRIu64 " MiB").
LITERALS = re.compile(r'\s*((?:(?:"(?:[^"\\]|\\.)*"|PRI[a-zA-Z0-9]+)\s*)+)')
TOKEN = re.compile(r'"((?:[^"\\]|\\.)*)"|PRI([a-z])[a-zA-Z0-9]*')


def joined(lits):
    return "".join(t.group(1) if t.group(1) is not None else t.group(2) for t in TOKEN.finditer(lits))


def format_of(args):
    m = LITERALS.match(args)
    return joined(m.group(1)) if m and m.group(1).lstrip().startswith('"') else None


def last_clause(msg):
    # "(see 'vfiokit check')" and quoted commands are not split.
    parts = re.split(r"(?:[.;:] )(?![^(]*\))(?=(?:[^']*'[^']*')*[^']*$)", msg)
    return parts[-1]


n = failed = 0
files = sorted(glob.glob(src_dir + "/src/cli/*.c"))
for path in files:
    text = open(path, encoding="utf-8").read()
    for line, args in calls(text, "cli_error"):
        if path.endswith("/common.c") and line < 60 and args.strip().startswith("const char"):
            continue  # the definition
        fmt = format_of(args)
        where = "%s:%d" % (path[len(src_dir) + 1:], line)
        if fmt is None or fmt in EXEMPT or not re.sub(r"%[-0-9.*]*[a-z]+|[^A-Za-z]", "", fmt):
            continue
        n += 1
        ok = bool(NEXT.search(last_clause(fmt)))
        failed += not ok
        print("%s %d - %s: %s" % ("ok" if ok else "not ok", n, where, fmt))
        if not ok:
            print("# ends without the next command or option: %r" % last_clause(fmt))

# The refusals src/plan and src/apply write for the cli to print: a
# struct error filled (error_set(), error_take(), a file's fail() over
# them: err, -ERRNO, KIND, message) or a message made into *err. Usage
# errors (ERROR_USAGE) reach cli_usage_error() through cli_error_exit(),
# which ends them; a message whose last clause is a conversion ends with
# its caller's text (setup's "--iommu intel or --iommu amd names it").
MADE = re.compile(r'(?:\b(?:fail|error_set|error_take)\(err,\s*(?:-E[A-Z0-9]+,\s*)?(?:([A-Z_]+),\s*)?'
                  r'(?:strdupf?\()?|\*err\s*=\s*strdupf?\()' + LITERALS.pattern)
USAGE = {"ERROR_USAGE"}
for path in sorted(glob.glob(src_dir + "/src/plan/*.c") + glob.glob(src_dir + "/src/plan/boot/*.c") +
                   glob.glob(src_dir + "/src/apply/*.c")):
    text = open(path, encoding="utf-8").read()
    for m in MADE.finditer(text):
        line = text.count("\n", 0, m.start()) + 1
        fmt = joined(m.group(2))
        tail = last_clause(fmt)
        where = "%s:%d" % (path[len(src_dir) + 1:], line)
        if m.group(1) in USAGE or fmt in EXEMPT or fmt in USAGE_TEXT or not re.sub(r"%[-0-9.*]*[a-z]+|[^A-Za-z]", "", tail):
            continue
        n += 1
        ok = bool(NEXT.search(tail))
        failed += not ok
        print("%s %d - %s: %s" % ("ok" if ok else "not ok", n, where, fmt))
        if not ok:
            print("# ends without the next command or option: %r" % tail)
print("1..%d" % n)
sys.exit(1 if failed or n < 100 else 0)
PY
