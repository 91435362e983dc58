/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Text from the machine (device and driver names, paths, file contents) on
 * its way to a terminal or a JSON document, where an ESC, OSC or BEL byte
 * would drive the terminal and invalid UTF-8 makes the JSON invalid. The
 * idea of util-linux's mbs_safe_encode(): such bytes are written as \xHH.
 * Text is taken as UTF-8 whatever the locale.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* The length of the valid UTF-8 character at s (1 to 4), or 0 when the
 * bytes there are not one (a stray continuation byte, a truncated or
 * overlong sequence, a surrogate, a code point above U+10FFFF). *s != 0. */
size_t utf8_char_len(const char *s);

/* Does s hold a byte that text_escape() rewrites? */
bool text_needs_escape(const char *s, const char *keep);
/* s with each byte of a control character (C0 but those in keep, DEL, the
 * C1 controls U+0080 to U+009F), of invalid UTF-8, and a backslash before
 * an x written as \xHH.
 * Heap text; NULL on ENOMEM. keep may be NULL. */
char *text_escape(const char *s, const char *keep);

/* JSON text as libsmartcols writes it, which keeps invalid UTF-8, DEL and
 * the C1 controls raw in its strings (it escapes the C0 controls): DEL and
 * C1 become \u00HH, each invalid byte the text \xHH (as "\\xHH").
 * Valid JSON in, valid UTF-8 JSON out. Heap text; NULL on ENOMEM. */
char *json_escape_text(const char *json);

/* Write the len bytes at s to f as a cell's value in libsmartcols's JSON
 * (lib/jsonwrt.c: quoted, its quote, backslash and C0 controls escaped;
 * unquoted, as it writes a number: raw), mended as json_escape_text() mends
 * that document: the same bytes, one value at a time, without the whole
 * document in memory. s[len] is the NUL or a newline, where the value ends
 * (a character cut there is invalid UTF-8, as at a NUL). The JSON structure
 * around is the caller's (cli/rows.c). */
void json_write_value(FILE *f, const char *s, size_t len, bool quoted);
/* How many bytes from s (of len) json_write_value() writes as they are:
 * printable ASCII but the quote and the backslash. */
size_t json_plain_len(const char *s, size_t len);

/* Why s cannot go into a document such as libvirt XML: "contains a control
 * character", "is not valid UTF-8"; NULL when it can. Tab and newline are
 * control characters here: names and paths have none. */
const char *text_unfit_reason(const char *s);
