#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Shell completions for vfiokit, made from the program itself.

The commands come from `vfiokit --help` (the verb table's list), each
command's sub-commands, options and positional arguments from
`vfiokit COMMAND --help`, so a completion cannot name an option the
program lacks or miss one its help shows (tests/completions.sh checks both
against getopt). Writes OUTDIR/vfiokit (bash), OUTDIR/_vfiokit (zsh) and
OUTDIR/vfiokit.fish.

usage: gen.py VFIOKIT OUTDIR
"""
import os
import re
import subprocess
import sys

# What an argument named so completes to.
PCI, DIRS, FILES = "pci", "dirs", "files"
KINDS = {"ADDR": PCI, "TARGET": PCI, "DIR": DIRS, "FILE": FILES, "FILE.tar.gz": FILES, "IN": FILES,
         "OUT": FILES, "ROM": FILES, "ISO": FILES, "PATH": FILES, "INVENTORY.json": FILES}


def help_text(exe, *args):
    env = dict(os.environ, LC_ALL="C", NO_COLOR="1", COLUMNS="80")
    r = subprocess.run([exe, *args, "--help"], capture_output=True, text=True, env=env)
    if r.returncode != 0:
        sys.exit(f"gen.py: '{exe} {' '.join(args)} --help' exited {r.returncode}: {r.stderr.strip()}")
    return r.stdout


def verbs(exe):
    out, on = [], False
    for line in help_text(exe).splitlines():
        if line.startswith("Commands:"):
            on = True
        elif on and not line.strip():
            break
        elif on and (m := re.match(r"^  ([a-z][a-z-]*)\s+(.*)", line)):
            out.append((m.group(1), m.group(2).strip()))
    if not out:
        sys.exit("gen.py: no 'Commands:' list in vfiokit --help")
    return out


def arg_kind(word):
    if not word:
        return None
    word = word.strip("[].,")
    if re.fullmatch(r"[a-z0-9-]+(\|[a-z0-9-]+)+", word):
        return word.split("|")
    for part in word.split("|"):
        if part in KINDS:
            return KINDS[part]
    return "any" if re.fullmatch(r"[A-Z][A-Z0-9_.]*", word) else None


def command(exe, verb):
    text = help_text(exe, verb)
    subs, opts, positional = [], {}, None
    for line in text.splitlines():
        # Usage lines: "vfiokit VERB SUB ..." names a sub-command; an
        # upper-case word right after the verb (or sub) is a positional.
        m = re.match(r"^(?:Usage:)?\s+vfiokit " + re.escape(verb) + r"((?: \S+)*)", line)
        if m and (line.startswith("Usage:") or line.startswith("       vfiokit")):
            words = m.group(1).split()
            if words and re.fullmatch(r"[a-z][a-z-]*", words[0]):
                if words[0] not in subs:
                    subs.append(words[0])
                words = words[1:]
            for w in words:
                if w.startswith("[") or w.startswith("-"):
                    continue
                k = arg_kind(w.rstrip("."))
                if k and positional is None:
                    positional = k
                break
            continue
        # Option lines: indented at most 8 blanks, then a dash (deeper
        # lines are the text of the option above).
        if not re.match(r"^ {1,8}-", line):
            continue
        spec, *desc = re.split(r"\s{2,}", line.strip(), maxsplit=1)
        found = [m for part in spec.split(", ")
                 if (m := re.fullmatch(r"(--?[A-Za-z0-9][A-Za-z0-9-]*)(?:[ =](\S+))?", part.strip()))]
        # "-o, --output LIST": the argument is the short form's too.
        kinds = {arg_kind(m.group(2)) if isinstance(arg_kind(m.group(2)), str) else None for m in found} - {None}
        lists = [arg_kind(m.group(2)) for m in found if isinstance(arg_kind(m.group(2)), list)]
        shared = lists[0] if lists else (kinds.pop() if len(kinds) == 1 else None)
        for m in found:
            opts.setdefault(m.group(1), {"arg": arg_kind(m.group(2)) or shared, "desc": desc[0] if desc else ""})
    if "--help" not in opts:
        sys.exit(f"gen.py: no options found in 'vfiokit {verb} --help'")
    return {"subs": subs, "opts": opts, "positional": positional}


def sh_words(words):
    return " ".join(words)


def bash(cmds, verb_list):
    out = ["# bash completion for vfiokit: made by shell-completion/gen.py from 'vfiokit COMMAND --help'.",
           "# SPDX-License-Identifier: GPL-2.0-or-later",
           "",
           "_vfiokit_pci()",
           "{",
           "\tlocal d",
           "\tfor d in /sys/bus/pci/devices/*; do [ -e \"$d\" ] && printf '%s\\n' \"${d##*/}\"; done",
           "}",
           "",
           "_vfiokit_complete_kind()",
           "{",
           "\tcase $1 in",
           "\tpci) mapfile -t COMPREPLY < <(compgen -W \"$(_vfiokit_pci)\" -- \"$2\") ;;",
           "\tdirs) mapfile -t COMPREPLY < <(compgen -d -- \"$2\") ;;",
           "\tfiles) mapfile -t COMPREPLY < <(compgen -f -- \"$2\") ;;",
           "\tnone) COMPREPLY=() ;;",
           "\t*) mapfile -t COMPREPLY < <(compgen -W \"$1\" -- \"$2\") ;;",
           "\tesac",
           "}",
           "",
           "_vfiokit()",
           "{",
           "\tlocal cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} verb='' sub='' i w",
           "\tlocal opts='' subs='' arg='' pos=none",
           "\tfor ((i = 1; i < COMP_CWORD; i++)); do",
           "\t\tw=${COMP_WORDS[i]}",
           "\t\tcase $w in -*) continue ;; esac",
           "\t\tif [ -z \"$verb\" ]; then verb=$w; elif [ -z \"$sub\" ]; then sub=$w; fi",
           "\tdone",
           "\tif [ -z \"$verb\" ]; then",
           "\t\tmapfile -t COMPREPLY < <(compgen -W '--help --version " + sh_words(v for v, _ in verb_list) + "' -- \"$cur\")",
           "\t\treturn",
           "\tfi",
           "\tcase $verb in"]
    for verb, c in cmds.items():
        out.append(f"\t{verb})")
        out.append(f"\t\topts='{sh_words(c['opts'])}'")
        if c["subs"]:
            out.append(f"\t\tsubs='{sh_words(c['subs'])}'")
        if verb == "help":
            out.append(f"\t\tpos='{sh_words(v for v, _ in verb_list if v != 'help')}'")
        elif c["positional"]:
            p = c["positional"]
            out.append(f"\t\tpos='{sh_words(p) if isinstance(p, list) else 'none' if p == 'any' else p}'")
        out.append("\t\tcase $prev in")
        by_kind = {}
        for o, v in c["opts"].items():
            k = v["arg"]
            if k:
                by_kind.setdefault(" ".join(k) if isinstance(k, list) else k, []).append(o)
        for k, os_ in by_kind.items():
            out.append(f"\t\t{'|'.join(os_)}) arg='{'none' if k == 'any' else k}' ;;")
        out.append("\t\tesac ;;")
    out += ["\t*) return ;;",
            "\tesac",
            "\tif [ -n \"$arg\" ]; then",
            "\t\t_vfiokit_complete_kind \"$arg\" \"$cur\"",
            "\telif [[ $cur == -* ]]; then",
            "\t\tmapfile -t COMPREPLY < <(compgen -W \"$opts\" -- \"$cur\")",
            "\telif [ -n \"$subs\" ] && [ -z \"$sub\" ]; then",
            "\t\tmapfile -t COMPREPLY < <(compgen -W \"$subs\" -- \"$cur\")",
            "\telse",
            "\t\t_vfiokit_complete_kind \"$pos\" \"$cur\"",
            "\tfi",
            "}",
            "complete -F _vfiokit vfiokit",
            ""]
    return "\n".join(out)


def zsh_desc(s):
    return s.replace("\\", "\\\\").replace("'", "'\\''").replace(":", "\\:").replace("[", "\\[").replace("]", "\\]")


def zsh_action(k):
    if k is None:
        return ""
    if isinstance(k, list):
        return f":value:({' '.join(k)})"
    return {PCI: ":PCI address:_vfiokit_pci", DIRS: ":directory:_files -/", FILES: ":file:_files"}.get(k, ":value: ")


def zsh(cmds, verb_list):
    out = ["#compdef vfiokit",
           "# zsh completion for vfiokit: made by shell-completion/gen.py from 'vfiokit COMMAND --help'.",
           "# SPDX-License-Identifier: GPL-2.0-or-later",
           "",
           "_vfiokit_pci() {",
           "\tlocal -a addrs",
           "\taddrs=(/sys/bus/pci/devices/*(N:t))",
           "\tcompadd -a addrs",
           "}",
           "",
           "_vfiokit() {",
           "\tlocal -a verbs",
           "\tverbs=("]
    for v, d in verb_list:
        out.append(f"\t\t'{v}:{zsh_desc(d)}'")
    out += ["\t)",
            "\tif (( CURRENT == 2 )); then",
            "\t\t_describe -t commands 'vfiokit command' verbs",
            "\t\treturn",
            "\tfi",
            "\tlocal verb=${words[2]}",
            "\tcase $verb in"]
    for verb, c in cmds.items():
        specs = []
        for o, v in c["opts"].items():
            specs.append(f"'{o}[{zsh_desc(v['desc'] or o)}]{zsh_action(v['arg'])}'")
        if c["subs"]:
            specs.append(f"'1:sub-command:({' '.join(c['subs'])})'")
        elif verb == "help":
            specs.append(f"'1:command:({' '.join(v for v, _ in verb_list if v != 'help')})'")
        p = c["positional"]
        if p and p != "any":
            specs.append(f"'*:argument{zsh_action(p)}'")
        out.append(f"\t{verb})")
        out.append("\t\tshift words; (( CURRENT-- ))")
        out.append("\t\t_arguments -s " + " ".join(specs) + " ;;")
    out += ["\tesac",
            "}",
            "",
            "_vfiokit \"$@\"",
            ""]
    return "\n".join(out)


def fish_q(s):
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'"


def fish(cmds, verb_list):
    names = " ".join(v for v, _ in verb_list)
    out = ["# fish completion for vfiokit: made by shell-completion/gen.py from 'vfiokit COMMAND --help'.",
           "# SPDX-License-Identifier: GPL-2.0-or-later",
           "complete -c vfiokit -f",
           f"complete -c vfiokit -n 'not __fish_seen_subcommand_from {names}' -l help -d 'show help'",
           f"complete -c vfiokit -n 'not __fish_seen_subcommand_from {names}' -l version -d 'show the version'"]
    for v, d in verb_list:
        out.append(f"complete -c vfiokit -n 'not __fish_seen_subcommand_from {names}' -a {v} -d {fish_q(d)}")
    for verb, c in cmds.items():
        cond = f"__fish_seen_subcommand_from {verb}"
        if c["subs"]:
            out.append(f"complete -c vfiokit -n '{cond}; and not __fish_seen_subcommand_from "
                       f"{' '.join(c['subs'])}' -a {fish_q(' '.join(c['subs']))}")
        for o, v in c["opts"].items():
            k = v["arg"]
            flag = f"-l {o[2:]}" if o.startswith("--") else f"-s {o[1:]}"
            extra = ""
            if isinstance(k, list):
                extra = f" -x -a {fish_q(' '.join(k))}"
            elif k == PCI:
                extra = " -x -a '(path basename /sys/bus/pci/devices/*)'"
            elif k == DIRS:
                extra = " -x -a '(__fish_complete_directories)'"
            elif k == FILES:
                extra = " -r -F"
            elif k:
                extra = " -r"
            out.append(f"complete -c vfiokit -n '{cond}' {flag}{extra}" + (f" -d {fish_q(v['desc'])}" if v["desc"] else ""))
    out.append("")
    return "\n".join(out)


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: gen.py VFIOKIT OUTDIR")
    exe, outdir = sys.argv[1], sys.argv[2]
    verb_list = verbs(exe)
    cmds = {v: command(exe, v) for v, _ in verb_list if v != "help"}
    cmds["help"] = {"subs": [], "opts": {"--help": {"arg": None, "desc": "this help"}}, "positional": None}
    for name, text in (("vfiokit", bash(cmds, verb_list)), ("_vfiokit", zsh(cmds, verb_list)),
                       ("vfiokit.fish", fish(cmds, verb_list))):
        with open(os.path.join(outdir, name), "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
