#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The completions cannot drift: the build makes them from the verb table and
# the getopt tables (completions/gen.py); here every verb `vfiokit --help`
# lists and every long option on an option line of `vfiokit VERB --help`
# (a line that starts with blanks and a dash: its option words, up to the
# first word of the description) must be
# in the bash, zsh and fish completion of that verb, and each file must be
# valid for its shell (zsh and fish when installed).
# usage: completions.sh VFIOKIT BASH ZSH FISH
set -u
vfiokit=$1 bash_c=$2 zsh_c=$3 fish_c=$4
bash -n "$bash_c" || echo "Bail out! $bash_c: bash syntax"
if command -v zsh >/dev/null; then zsh -n "$zsh_c" || echo "Bail out! $zsh_c: zsh syntax"; fi
if command -v fish >/dev/null; then fish -n "$fish_c" || echo "Bail out! $fish_c: fish syntax"; fi
exec python3 - "$vfiokit" "$bash_c" "$zsh_c" "$fish_c" <<'PY'
import re
import subprocess
import sys

vfiokit, bash_c, zsh_c, fish_c = sys.argv[1:5]
out = subprocess.run([vfiokit, "--help"], capture_output=True, text=True).stdout
verbs = re.findall(r"^  (\S+)\s", out.split("Commands:\n", 1)[1].split("\n\n", 1)[0], re.M)
bash, zsh, fish = (open(f).read() for f in (bash_c, zsh_c, fish_c))
results = [(len(verbs) > 10, "vfiokit --help lists the verbs")]
for verb in verbs:
    case = re.search(r"^\t%s\) opts='([^']*)'" % re.escape(verb), bash, re.M)
    zcase = re.search(r"^\t%s\) _arguments (.*)$" % re.escape(verb), zsh, re.M)
    results.append((bool(case and zcase) and (" -a %s " % verb) in fish, "verb %s in all three" % verb))
    helptext = subprocess.run([vfiokit, verb, "--help"], capture_output=True, text=True).stdout
    opts = set()
    for line in helptext.splitlines():
        if not re.match(r"^\s+-", line):
            continue
        # The option words lead: -J, --json, --root DIR, --output LIST;
        # the first other word starts the description.
        for word in line.split():
            m = re.match(r"^--([a-z][a-z0-9-]*)", word)
            if m:
                opts.add(m.group(1))
            elif not re.match(r"^(-\w,?|[A-Z][A-Z0-9_.,=|:\[\]-]*,?)$", word):
                break
    for o in sorted(opts):
        missing = [s for s, hit in (("bash", case and ("--" + o) in case.group(1).split()),
                                    ("zsh", zcase and ("'--%s[]'" % o) in zcase.group(1)),
                                    ("fish", "__fish_seen_subcommand_from %s' -l %s\n" % (verb, o) in fish)) if not hit]
        results.append((not missing, "%s --%s%s" % (verb, o, (": missing in " + ", ".join(missing)) if missing else "")))
print("1..%d" % len(results))
for i, (ok, name) in enumerate(results, 1):
    print("%s %d - %s" % ("ok" if ok else "not ok", i, name))
sys.exit(0 if all(ok for ok, _ in results) else 1)
PY
