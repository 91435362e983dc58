#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Shell completions for vfiokit, made from the code: the verbs and their
summaries from the verb table (src/cli/vfiokit.c), each verb's long options
from the getopt tables of its function (the file's when the function has
none of its own: verbs that share a table, or dispatch to subcommands),
with the shared option macros of cli.h expanded. tests/completions.sh
checks them against what each command's --help documents.
usage: gen.py SRC_CLI bash|zsh|fish OUTPUT"""
import glob
import os
import re
import sys

MACROS = {
    "CLI_TABLE_LONGOPTS": ["json", "output", "raw", "noheadings"],
    "CLI_COMMON_LONGOPTS": ["root", "help"],
    "CLI_ALLOW_LONGOPTS": ["allow-display", "allow-mounted", "allow-default-route", "allow-host-bridge",
                           "allow-nonviable"],
}


def table_options(text):
    opts = set(re.findall(r'\{ "([a-z][a-z0-9-]*)", (?:no|required|optional)_argument', text))
    for m, names in MACROS.items():
        if re.search(r"\b%s\b" % m, text):
            opts |= set(names)
    return opts


def verbs(cli):
    text = open(os.path.join(cli, "vfiokit.c")).read()
    table = text[text.index("static const struct verb verbs[]"):]
    table = table[:table.index("};")]
    found = []
    for m in re.finditer(r'\{ "([a-z-]+)", (cmd_\w+), ((?:"(?:[^"\\]|\\.)*"\s*)+),', table):
        found.append((m.group(1), m.group(2), "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(3)))))
    return found


def options(cli, fn):
    if fn == "cmd_help":
        return []
    for path in sorted(glob.glob(os.path.join(cli, "cmd-*.c"))):
        text = open(path).read()
        m = re.search(r"^int %s\(.*?^\}" % fn, text, re.M | re.S)
        if not m:
            continue
        body = m.group(0)
        own = table_options(body) if "struct option" in body else set()
        whole = "\n".join(l for l in text.splitlines() if not l.startswith("#define"))
        return sorted("--" + o for o in (own or table_options(whole)))
    sys.exit("gen.py: no file in %s defines %s" % (cli, fn))


def bash(table):
    cases = "".join("\t%s) opts='%s' ;;\n" % (v, " ".join(o)) for v, _, o in table)
    return ("# bash completion for vfiokit (made by completions/gen.py)\n"
            "_vfiokit()\n{\n"
            "\tlocal cur=${COMP_WORDS[COMP_CWORD]} verb= opts= i\n"
            "\tfor ((i = 1; i < COMP_CWORD; i++)); do\n"
            "\t\tcase ${COMP_WORDS[i]} in -*) ;; *) verb=${COMP_WORDS[i]}; break ;; esac\n"
            "\tdone\n"
            "\tif [[ -z $verb ]]; then\n"
            "\t\tCOMPREPLY=($(compgen -W '%s --help --version' -- \"$cur\"))\n"
            "\t\treturn\n\tfi\n"
            "\tcase $verb in\n%s\tesac\n"
            "\tif [[ $cur == -* ]]; then\n"
            "\t\tCOMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))\n"
            "\telse\n"
            "\t\tCOMPREPLY=($(compgen -f -- \"$cur\"))\n"
            "\tfi\n}\n"
            "complete -F _vfiokit vfiokit\n") % (" ".join(v for v, _, _ in table), cases)


def zsh_quote(s):
    return s.replace("\\", "\\\\").replace("'", "'\\''").replace(":", "\\:").replace("[", "\\[").replace("]", "\\]")


def zsh(table):
    out = ["#compdef vfiokit", "# zsh completion for vfiokit (made by completions/gen.py)", "",
           "_vfiokit() {", "\tlocal -a verbs", "\tverbs=("]
    out += ["\t\t'%s:%s'" % (v, zsh_quote(s)) for v, s, _ in table]
    out += ["\t)", "\tif (( CURRENT == 2 )); then", "\t\t_describe 'command' verbs", "\t\treturn", "\tfi",
            "\tcase $words[2] in"]
    for v, _, o in table:
        out.append("\t%s) _arguments %s '*:file:_files' ;;" % (v, " ".join("'%s[]'" % x for x in o)))
    out += ["\tesac", "}", "", '_vfiokit "$@"', ""]
    return "\n".join(out)


def fish(table):
    out = ["# fish completion for vfiokit (made by completions/gen.py)",
           "complete -c vfiokit -f -n __fish_use_subcommand -l help -d 'show help'",
           "complete -c vfiokit -f -n __fish_use_subcommand -l version -d 'show the version'"]
    for v, s, o in table:
        out.append("complete -c vfiokit -f -n __fish_use_subcommand -a %s -d '%s'" % (v, s.replace("\\", "\\\\").replace("'", "\\'")))
        for x in o:
            out.append("complete -c vfiokit -n '__fish_seen_subcommand_from %s' -l %s" % (v, x[2:]))
    return "\n".join(out) + "\n"


def main():
    cli, shell, output = sys.argv[1:4]
    table = [(v, s, options(cli, fn)) for v, fn, s in verbs(cli)]
    text = {"bash": bash, "zsh": zsh, "fish": fish}[shell](table)
    with open(output, "w") as f:
        f.write(text)


main()
