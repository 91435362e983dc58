#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Turn a shell template into a C string: embed.py SYMBOL INPUT OUTPUT.

The C file defines `const char SYMBOL[]` holding INPUT's bytes exactly;
template.h declares it. Run by meson (src/meson.build) at build time."""
import sys


def c_line(data: bytes) -> str:
    out = []
    for b in data:
        c = chr(b)
        if c == '\\' or c == '"':
            out.append('\\' + c)
        elif c == '\t':
            out.append('\\t')
        elif c == '\n':
            out.append('\\n')
        elif c == '?':
            out.append('\\?')  # no trigraphs, whatever the mode
        elif 0x20 <= b < 0x7f:
            out.append(c)
        else:
            out.append('\\%03o' % b)
    return '"' + ''.join(out) + '"'


def main() -> int:
    if len(sys.argv) != 4:
        print('usage: embed.py SYMBOL INPUT OUTPUT', file=sys.stderr)
        return 2
    symbol, src, dst = sys.argv[1:]
    with open(src, 'rb') as f:
        data = f.read()
    if b'\0' in data:
        print(f'{src}: a NUL byte; a template is text', file=sys.stderr)
        return 1
    lines = data.splitlines(keepends=True) or [b'']
    with open(dst, 'w', encoding='ascii') as f:
        f.write(f'/* Generated from {src.rsplit("/", 1)[-1]} by embed.py: edit the template. */\n')
        f.write('#include "shared/template.h"\n\n')
        f.write(f'const char {symbol}[] =\n')
        f.write('\n'.join('\t' + c_line(l) for l in lines))
        f.write(';\n')
    return 0


if __name__ == '__main__':
    sys.exit(main())
