#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The README cannot drift: every command in its ```console blocks ("$ "
# lines, "sudo " dropped) runs, in the README's order, on one copy of the
# article's machine (--root), and what the block shows must be what it
# prints: each shown line, trailing blanks aside, is a line of the output
# (stdout and stderr), in that order; "..." stands for any lines; the exit
# status is 0 unless the block ends with "[exit N]". A block with no
# command, or a command that is not vfiokit's, fails too.
# usage: readme.sh VFIOKIT FIXTURES README
set -u
vfiokit=$1 fixtures=$2 readme=$3
# The tree glyphs a UTF-8 terminal shows.
export LC_ALL=C.UTF-8 NO_COLOR=1 TZ=UTC
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
cp -a "$fixtures/article" "$tmp/root"
exec python3 - "$vfiokit" "$tmp/root" "$readme" <<'EOF'
import re
import shlex
import subprocess
import sys

vfiokit, root, readme = sys.argv[1:4]
blocks, cur, indent = [], None, ""
for line in open(readme, encoding="utf-8"):
    line = line.rstrip("\n")
    m = re.match(r"^(\s*)```(\S*)\s*$", line)
    if cur is None and m and m.group(2) == "console":
        cur, indent = [], m.group(1)
    elif cur is not None and m and not m.group(2):
        blocks.append(cur)
        cur = None
    elif cur is not None:
        cur.append(line[len(indent):] if line.startswith(indent) else line.lstrip())
if cur is not None:
    blocks.append(None)

cases = []  # (command words, shown lines, exit status)
bad = []
for b in blocks:
    if b is None:
        bad.append("a ```console block is not closed")
        continue
    cmd = None
    for line in b:
        if line.startswith("$ "):
            if cmd:
                cases.append(cmd)
            cmd = [shlex.split(line[2:]), [], 0]
        elif cmd is None:
            bad.append("a ```console block starts with output, not a '$ ' command: %r" % line)
            break
        elif re.fullmatch(r"\[exit (\d+)\]", line.strip()):
            cmd[2] = int(line.strip()[6:-1])
        else:
            cmd[1].append(line.rstrip())
    if cmd:
        cases.append(cmd)
    elif cmd is None and b and not bad:
        bad.append("a ```console block without a command")

print("1..%d" % (len(cases) + 1))
n = 1
print(("ok" if cases and not bad else "not ok") + " 1 - the README shows commands in ```console blocks")
for b in bad:
    print("# " + b)
failed = bool(bad) or not cases
for words, shown, want in cases:
    n += 1
    if words and words[0] == "sudo":
        words = words[1:]
    name = " ".join(words)
    if not words or words[0] != "vfiokit":
        print("not ok %d - %s: not a vfiokit command" % (n, name))
        failed = True
        continue
    p = subprocess.run([vfiokit] + words[1:] + ["--root", root], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, timeout=60)
    out = [l.rstrip() for l in p.stdout.decode("utf-8", "replace").split("\n")]
    why = None
    if p.returncode != want:
        why = "exit %d, the README shows %d" % (p.returncode, want)
    else:
        i, skip = 0, False
        # The first shown line is the first line printed, unless "..." leads.
        for line in shown:
            if line.strip() == "...":
                skip = True
                continue
            if skip:
                while i < len(out) and out[i] != line:
                    i += 1
            if i >= len(out) or out[i] != line:
                why = "it does not print, where the README shows it: %r" % line
                break
            i += 1
            skip = False
    if why:
        failed = True
        print("not ok %d - %s: %s" % (n, name, why))
        for l in out[:60]:
            print("# " + l)
    else:
        print("ok %d - %s" % (n, name))
sys.exit(1 if failed else 0)
EOF
