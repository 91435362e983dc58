/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdint.h>

#include "shared/escape.h"
#include "shared/macro.h"

/* The length of the UTF-8 character at s and its code point; 0 where the
 * bytes are not one (then *cp is unset). */
static size_t utf8_decode(const char *s, uint32_t *cp)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t c;
	size_t n;

	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2, c = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3, c = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4, c = p[0] & 0x07;
	else
		return 0; /* a continuation byte, 0xc0/0xc1 (overlong), 0xf5-0xff */
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80) /* also stops at the NUL */
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10ffff)) || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

size_t utf8_char_len(const char *s)
{
	uint32_t cp;

	return utf8_decode(s, &cp);
}

/* Characters that reorder what a terminal shows around them ("Trojan
 * Source", CVE-2021-42574): the bidirectional embeddings, overrides and
 * isolates, and the marks. A device name or a guest name with U+202E would
 * show other text than it holds. */
static bool bidi_control(const char *s)
{
	uint32_t cp;

	return utf8_decode(s, &cp) > 1 && (cp == 0x061c || cp == 0x200e || cp == 0x200f ||
					   (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069));
}

/* How many bytes at s pass unchanged (0: escape the first byte). */
static size_t safe_len(const char *s, const char *keep)
{
	unsigned char c = (unsigned char)*s;
	size_t n;

	if (c < 0x20 || c == 0x7f)
		return keep && strchr(keep, c) ? 1 : 0;
	/* A backslash before an x too, as util-linux does: "\x1b" in a name
	 * is then told from an escaped ESC. */
	if (c == '\\' && s[1] == 'x')
		return 0;
	n = utf8_char_len(s);
	/* C1 controls: U+0080 to U+009F, 0xc2 0x80 to 0xc2 0x9f; U+009B is CSI. */
	if ((n == 2 && c == 0xc2 && (unsigned char)s[1] < 0xa0) || bidi_control(s))
		return 0;
	return n;
}

bool text_needs_escape(const char *s, const char *keep)
{
	for (size_t n; *s; s += n)
		if (!(n = safe_len(s, keep)))
			return true;
	return false;
}

char *text_escape(const char *s, const char *keep)
{
	static const char hex[] = "0123456789abcdef";
	size_t len = strlen(s), size;
	char *out, *o;

	/* At worst every byte becomes four. */
	if (!size_mul(len, 4, &size) || !size_add(size, 1, &size) || !(out = malloc(size)))
		return NULL;
	o = out;
	while (*s) {
		size_t n = safe_len(s, keep);
		if (n) {
			memcpy(o, s, n);
			o += n;
			s += n;
			continue;
		}
		/* A C1 or bidirectional control is its bytes; anything else unsafe is one. */
		n = utf8_char_len(s);
		n = ((unsigned char)*s == 0xc2 && n == 2) || bidi_control(s) ? n : 1;
		for (; n; n--, s++) {
			*o++ = '\\';
			*o++ = 'x';
			*o++ = hex[(unsigned char)*s >> 4];
			*o++ = hex[(unsigned char)*s & 0xf];
		}
	}
	*o = '\0';
	return out;
}

char *json_escape_text(const char *json)
{
	static const char hex[] = "0123456789abcdef";
	size_t len = strlen(json), size;
	const char *s = json;
	char *out, *o;

	/* At worst a byte becomes six: DEL is \u007f (U+202E, three bytes, is \u202e). */
	if (!size_mul(len, 6, &size) || !size_add(size, 1, &size) || !(out = malloc(size)))
		return NULL;
	o = out;
	while (*s) {
		unsigned char c = (unsigned char)*s;
		size_t n = utf8_char_len(s);
		unsigned cp = 0;

		if (c == 0x7f)
			cp = 0x7f;
		else if (n == 2 && c == 0xc2 && (unsigned char)s[1] < 0xa0)
			cp = (unsigned char)s[1];
		else if (bidi_control(s))
			(void)utf8_decode(s, &cp);
		if (cp) {
			memcpy(o, "\\u", 2);
			o[2] = hex[cp >> 12];
			o[3] = hex[cp >> 8 & 0xf];
			o[4] = hex[cp >> 4 & 0xf];
			o[5] = hex[cp & 0xf];
			o += 6;
			s += n;
		} else if (n) {
			memcpy(o, s, n);
			o += n;
			s += n;
		} else {
			/* As a table shows it: the text \xHH, its backslash escaped for JSON. */
			memcpy(o, "\\\\x", 3);
			o[3] = hex[c >> 4];
			o[4] = hex[c & 0xf];
			o += 5;
			s++;
		}
	}
	*o = '\0';
	return out;
}

/* The bytes from s that json_escape_text() keeps as they are: printable
 * ASCII but the quote and the backslash, which libsmartcols escapes. */
static size_t json_plain_run(const char *s, const char *end)
{
	size_t n = 0;

	while (s + n < end && (unsigned char)s[n] >= 0x20 && (unsigned char)s[n] < 0x7f && s[n] != '"' && s[n] != '\\')
		n++;
	return n;
}

size_t json_plain_len(const char *s, size_t len)
{
	return json_plain_run(s, s + len);
}

void json_write_value(FILE *f, const char *s, size_t len, bool quoted)
{
	static const char hex[] = "0123456789abcdef";
	const char *end = s + len;

	if (quoted)
		fputc('"', f);
	while (s < end) {
		unsigned char c = (unsigned char)*s;
		size_t n = json_plain_run(s, end);
		uint32_t cp = 0;

		if (n) {
			fwrite(s, 1, n, f);
			s += n;
			continue;
		}
		/* What libsmartcols escapes (lib/jsonwrt.c, fputs_quoted_json()):
		 * the quote, the backslash and the C0 controls. */
		if (quoted && (c == '"' || c == '\\')) {
			fputc('\\', f);
			fputc(c, f);
			s++;
			continue;
		}
		if (quoted && c < 0x20) {
			static const char shorthand[] = {
				['\b'] = 'b', ['\t'] = 't', ['\n'] = 'n', ['\f'] = 'f', ['\r'] = 'r'
			};
			if (c < sizeof(shorthand) && shorthand[c])
				fprintf(f, "\\%c", shorthand[c]);
			else
				fprintf(f, "\\u00%02x", c);
			s++;
			continue;
		}
		/* What it leaves raw, mended as json_escape_text() mends it. */
		n = utf8_char_len(s);
		if (c == 0x7f)
			cp = 0x7f;
		else if (n == 2 && c == 0xc2 && (unsigned char)s[1] < 0xa0)
			cp = (unsigned char)s[1];
		else if (bidi_control(s))
			(void)utf8_decode(s, &cp);
		if (cp) {
			fprintf(f, "\\u%04x", (unsigned)cp);
			s += n;
		} else if (n) {
			fwrite(s, 1, n, f);
			s += n;
		} else {
			fprintf(f, "\\\\x%c%c", hex[c >> 4], hex[c & 0xf]);
			s++;
		}
	}
	if (quoted)
		fputc('"', f);
}

const char *text_unfit_reason(const char *s)
{
	for (size_t n; *s; s += n) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x20 || c == 0x7f)
			return "contains a control character";
		if (!(n = utf8_char_len(s)))
			return "is not valid UTF-8";
		if (n == 2 && c == 0xc2 && (unsigned char)s[1] < 0xa0)
			return "contains a control character";
		if (bidi_control(s))
			return "contains a bidirectional control character (U+202E and its kind)";
	}
	return NULL;
}
