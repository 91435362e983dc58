/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdarg.h>

#include "emit/xml.h"
#include "shared/escape.h"
#include "shared/libxml.h"

xmlNodePtr xml_child(xmlNodePtr parent, const char *name, const char *content)
{
	return parent ? sym_xmlNewTextChild(parent, NULL, BAD_CAST name, content ? BAD_CAST content : NULL) : NULL;
}

bool xml_attrv(xmlNodePtr n, const char *name, const char *fmt, va_list ap)
{
	_cleanup_free_ char *v = NULL;

	if (!n || vasprintf(&v, fmt, ap) < 0)
		return false;
	return sym_xmlSetProp(n, BAD_CAST name, BAD_CAST v) != NULL;
}

bool xml_attrf(xmlNodePtr n, const char *name, const char *fmt, ...)
{
	va_list ap;
	bool ok;

	va_start(ap, fmt);
	ok = xml_attrv(n, name, fmt, ap);
	va_end(ap);
	return ok;
}

bool xml_frag_new(struct xml_frag *f)
{
	*f = (struct xml_frag){ 0 };
	/* The entry of every fragment: its callers have loaded libxml2 (the
	 * cli, saying why not), and none calls a pointer it did not load. */
	if (libxml_load(NULL) < 0)
		return false;
	f->doc = sym_xmlNewDoc(BAD_CAST "1.0");
	f->root = f->doc ? sym_xmlNewDocNode(f->doc, NULL, BAD_CAST "domain", NULL) : NULL;
	if (!f->root) {
		xml_frag_free(f);
		return false;
	}
	sym_xmlDocSetRootElement(f->doc, f->root);
	return true;
}

void xml_frag_free(struct xml_frag *f)
{
	if (f->doc)
		sym_xmlFreeDoc(f->doc);
	*f = (struct xml_frag){ 0 };
}

char *xml_frag_finish(struct xml_frag *f)
{
	xmlBufferPtr buf = sym_xmlBufferCreate();
	char *out = NULL;

	if (!buf)
		goto out;
	for (xmlNodePtr n = f->root->children; n; n = n->next)
		if (sym_xmlNodeDump(buf, f->doc, n, 0, 1) < 0 || sym_xmlBufferCCat(buf, "\n") != 0)
			goto out;
	out = strdup((const char *)sym_xmlBufferContent(buf));
out:
	if (buf)
		sym_xmlBufferFree(buf);
	xml_frag_free(f);
	return out;
}

char *xml_node_text(xmlDocPtr doc, xmlNodePtr node, bool free_doc)
{
	xmlBufferPtr buf = sym_xmlBufferCreate();
	char *out = NULL;

	if (buf && sym_xmlNodeDump(buf, doc, node, 0, 1) >= 0 && sym_xmlBufferCCat(buf, "\n") == 0)
		out = strdup((const char *)sym_xmlBufferContent(buf));
	if (buf)
		sym_xmlBufferFree(buf);
	if (free_doc)
		sym_xmlFreeDoc(doc);
	return out;
}

/* The bytes at s that pass unchanged: 0 when the first is escaped. */
static size_t fit_len(const char *s, bool lines)
{
	unsigned char c = (unsigned char)*s;
	size_t n;

	if (c < 0x20 || c == 0x7f)
		return lines && (c == '\n' || c == '\t') ? 1 : 0;
	n = utf8_char_len(s);
	if (n == 2 && c == 0xc2 && (unsigned char)s[1] < 0xa0) /* C1 */
		return 0;
	if (n == 3 && c == 0xef && (unsigned char)s[1] == 0xbf && (unsigned char)s[2] >= 0xbe) /* U+FFFE, U+FFFF */
		return 0;
	if (n == 3 && text_needs_escape((char[]){ s[0], s[1], s[2], 0 }, NULL)) /* bidirectional controls */
		return 0;
	return n;
}

char *xml_fit_text(const char *s, bool lines)
{
	static const char hex[] = "0123456789abcdef";
	size_t len = strlen(s), size;
	char *out, *o;

	if (!size_mul(len, 4, &size) || !size_add(size, 1, &size) || !(out = malloc(size)))
		return NULL;
	for (o = out; *s;) {
		size_t n = fit_len(s, lines);
		if (n) {
			memcpy(o, s, n);
			o += n;
			s += n;
			continue;
		}
		n = utf8_char_len(s);
		for (n = n ? n : 1; n; n--, s++) {
			*o++ = '\\';
			*o++ = 'x';
			*o++ = hex[(unsigned char)*s >> 4];
			*o++ = hex[(unsigned char)*s & 0xf];
		}
	}
	*o = '\0';
	return out;
}
