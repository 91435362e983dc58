/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vfiokit report's page (see report.h). */
#include <libxml/HTMLtree.h>
#include <string.h>

#include "emit/report.h"
#include "emit/svg.h"
#include "emit/xml.h"
#include "shared/libxml.h"

/* The page's only style, inline: the state words are words first (PASS,
 * FAIL), their colour a help; the picture scrolls sideways when wide. */
static const char css[] =
	"body{font-family:sans-serif;margin:1.5em;color:#111}"
	"h1{font-size:1.4em}"
	"h2{font-size:1.15em;margin-top:1.6em;border-bottom:1px solid #999}"
	"pre{background:#f6f6f6;border:1px solid #ccc;padding:.6em;white-space:pre-wrap;overflow-wrap:anywhere;"
	"font-size:12px}"
	"dl.facts{display:grid;grid-template-columns:max-content auto;gap:.2em 1em}"
	"dl.facts dt{font-weight:bold}dl.facts dd{margin:0}"
	".picture{overflow-x:auto}"
	".st{font-weight:bold}.fail{color:#a00000}.warn{color:#7a5200}.pass{color:#1b5e20}.skip{color:#555}"
	".add{color:#1b5e20}.del{color:#a00000}";

static xmlNodePtr child(xmlNodePtr parent, const char *name, const char *text)
{
	return parent ? sym_xmlNewTextChild(parent, NULL, BAD_CAST name, text ? BAD_CAST text : NULL) : NULL;
}

/* A child whose text comes from the machine (raw): made fit first. */
static xmlNodePtr child_raw(xmlNodePtr parent, const char *name, const char *raw)
{
	_cleanup_free_ char *t = svg_fit_text(raw);

	return t ? child(parent, name, t) : NULL;
}

static bool fact(xmlNodePtr dl, const char *name, const char *raw)
{
	return child(dl, "dt", name) && child_raw(dl, "dd", raw ? raw : "unknown");
}

/* The class of a line of a command's text: a check's state, a diff's
 * added or removed line; NULL for none. *word: how many bytes of it to
 * set apart (the state word), 0 for the whole line. */
static const char *line_class(const char *line, size_t len, size_t *word)
{
	static const char *const states[][2] = {
		{ "PASS", "st pass" }, { "WARN", "st warn" }, { "FAIL", "st fail" }, { "SKIP", "st skip" }
	};

	*word = 0;
	for (size_t i = 0; i < ARRAY_SIZE(states); i++)
		if (len > 4 && strncmp(line, states[i][0], 4) == 0 && line[4] == ' ') {
			*word = 4;
			return states[i][1];
		}
	if (len >= 1 && line[0] == '+' && !(len >= 3 && strncmp(line, "+++", 3) == 0))
		return "add";
	if (len >= 1 && line[0] == '-' && !(len >= 3 && strncmp(line, "---", 3) == 0))
		return "del";
	return NULL;
}

/* A command's text, line by line, in a <pre>. */
static bool text_block(xmlNodePtr parent, const char *text)
{
	_cleanup_free_ char *fit = xml_fit_text(text, true);
	xmlNodePtr pre = child(parent, "pre", NULL);

	if (!fit || !pre)
		return false;
	for (const char *p = fit; *p;) {
		const char *end = strchr(p, '\n');
		size_t len = end ? (size_t)(end - p) : strlen(p), word;
		const char *cls = line_class(p, len, &word);
		_cleanup_free_ char *line = strndup(p, len);

		if (!line)
			return false;
		if (cls) {
			xmlNodePtr span = child(pre, "span", NULL);
			if (!span || !sym_xmlSetProp(span, BAD_CAST "class", BAD_CAST cls))
				return false;
			if (word) {
				line[word] = '\0';
				sym_xmlNodeAddContent(span, BAD_CAST line);
				sym_xmlNodeAddContent(pre, BAD_CAST " ");
				sym_xmlNodeAddContent(pre, BAD_CAST(line + word + 1));
			} else
				sym_xmlNodeAddContent(span, BAD_CAST line);
		} else
			sym_xmlNodeAddContent(pre, BAD_CAST line);
		sym_xmlNodeAddContent(pre, BAD_CAST "\n");
		p = end ? end + 1 : p + len;
	}
	return true;
}

static bool section(xmlNodePtr body, const struct report_section *s)
{
	xmlNodePtr h2 = child(body, "h2", s->title), p = child(body, "p", "What ");
	_cleanup_free_ char *status = strdupf(" says (exit status %d):", s->status);

	if (!h2 || !p || !status || !sym_xmlSetProp(h2, BAD_CAST "id", BAD_CAST s->id))
		return false;
	if (!child_raw(p, "code", s->command))
		return false;
	sym_xmlNodeAddContent(p, BAD_CAST status);
	return text_block(body, s->text);
}

static bool header(xmlNodePtr body, const struct report_input *in)
{
	const struct host *h = in->h;
	xmlNodePtr dl = child(body, "dl", NULL);
	_cleanup_free_ char *groups = h->ngroups ? strdupf("%zu", h->ngroups) :
						   strdup("none: the IOMMU is off or not supported");
	_cleanup_free_ char *devs = strdupf("%zu", h->npci), *problems = strdupf("%zu", h->diags.n);
	_cleanup_free_ char *from = in->root ? strdupf("the machine copy %s", in->root) : strdup("this machine (/)");

	if (!dl || !groups || !devs || !problems || !from || !sym_xmlSetProp(dl, BAD_CAST "class", BAD_CAST "facts"))
		return false;
	return fact(dl, "vfiokit", VFIOKIT_VERSION) && fact(dl, "read from", from) &&
	       fact(dl, "host name", h->sys.hostname) && fact(dl, "system", h->sys.os_pretty) &&
	       fact(dl, "kernel", h->kernel.release) && fact(dl, "CPU", h->cpu.model_name) &&
	       fact(dl, "PCI devices", devs) && fact(dl, "IOMMU groups", groups) &&
	       fact(dl, "input problems", problems);
}

static bool contents(xmlNodePtr body, const struct report_input *in)
{
	xmlNodePtr ul = child(body, "ul", NULL), a;

	if (!ul)
		return false;
	a = child(child(ul, "li", NULL), "a", "IOMMU groups");
	if (!a || !sym_xmlSetProp(a, BAD_CAST "href", BAD_CAST "#groups"))
		return false;
	for (size_t i = 0; i < in->nsections; i++) {
		_cleanup_free_ char *href = strdupf("#%s", in->sections[i].id);
		a = child(child(ul, "li", NULL), "a", in->sections[i].title);
		if (!href || !a || !sym_xmlSetProp(a, BAD_CAST "href", BAD_CAST href))
			return false;
	}
	a = child(child(ul, "li", NULL), "a", "Input problems");
	return a && sym_xmlSetProp(a, BAD_CAST "href", BAD_CAST "#problems");
}

static bool problems(xmlNodePtr body, const struct host *h)
{
	xmlNodePtr h2 = child(body, "h2", "Input problems"), ul;

	if (!h2 || !sym_xmlSetProp(h2, BAD_CAST "id", BAD_CAST "problems"))
		return false;
	if (!h->diags.n)
		return child(body, "p", "None: every file vfiokit read could be used.") != NULL;
	if (!child(body, "p", "Files of the machine that could not be used, each with the problem:") ||
	    !(ul = child(body, "ul", NULL)))
		return false;
	for (size_t i = 0; i < h->diags.n; i++)
		if (!child_raw(ul, "li", h->diags.v[i]))
			return false;
	return true;
}

char *report_html(const struct report_input *in)
{
	/* Its caller has loaded libxml2 (report, saying why not); NULL as on
	 * ENOMEM where none did. */
	htmlDocPtr doc = libxml_load(NULL) < 0 ? NULL : sym_htmlNewDocNoDtD(NULL, NULL);
	xmlNodePtr html, head, body, meta, style, h2, div, svg;
	_cleanup_free_ char *host = svg_fit_text(in->h->sys.hostname ? in->h->sys.hostname : "this machine");
	_cleanup_free_ char *title = host ? strdupf("vfiokit report: %s", host) : NULL;
	xmlChar *mem = NULL;
	char *out = NULL;
	bool ok;
	int len = 0;

	if (!doc || !title || !sym_xmlCreateIntSubset(doc, BAD_CAST "html", NULL, NULL))
		goto out;
	html = sym_xmlNewDocNode(doc, NULL, BAD_CAST "html", NULL);
	if (!html)
		goto out;
	sym_xmlDocSetRootElement(doc, html);
	ok = sym_xmlSetProp(html, BAD_CAST "lang", BAD_CAST "en") != NULL;
	head = child(html, "head", NULL);
	meta = child(head, "meta", NULL);
	ok &= meta && sym_xmlSetProp(meta, BAD_CAST "charset", BAD_CAST "utf-8");
	/* Nothing to fetch, whatever a name in the page might hold. */
	meta = child(head, "meta", NULL);
	ok &= meta && sym_xmlSetProp(meta, BAD_CAST "http-equiv", BAD_CAST "Content-Security-Policy") &&
	      sym_xmlSetProp(meta, BAD_CAST "content", BAD_CAST "default-src 'none'; style-src 'unsafe-inline'");
	ok &= child(head, "title", title) != NULL;
	style = child(head, "style", NULL);
	/* Raw text in <style>: constant, with nothing to escape. */
	ok &= style && sym_xmlAddChild(style, sym_xmlNewDocText(doc, BAD_CAST css));
	body = child(html, "body", NULL);
	ok &= child(body, "h1", title) && header(body, in) && contents(body, in);
	h2 = child(body, "h2", "IOMMU groups");
	ok &= h2 && sym_xmlSetProp(h2, BAD_CAST "id", BAD_CAST "groups");
	div = child(body, "div", NULL);
	ok &= div && sym_xmlSetProp(div, BAD_CAST "class", BAD_CAST "picture");
	svg = ok ? svg_groups_node(in->h, NULL, doc) : NULL;
	ok &= svg && sym_xmlAddChild(div, svg);
	for (size_t i = 0; ok && i < in->nsections; i++)
		ok &= section(body, &in->sections[i]);
	ok &= problems(body, in->h);
	if (!ok)
		goto out;
	sym_htmlDocDumpMemoryFormat(doc, &mem, &len, 1);
	if (mem)
		out = strndup((const char *)mem, (size_t)len);
out:
	libxml_free(mem);
	if (doc)
		sym_xmlFreeDoc(doc);
	return out;
}
