/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once
/* Small helpers over libxml2 for the libvirt XML vfiokit writes: elements
 * and attributes are always made by libxml2, which escapes them. */
#include <libxml/tree.h>
#include <stdarg.h>
#include <stdbool.h>

#include "shared/macro.h"

/* A child element, with text content when content is not NULL. */
xmlNodePtr xml_child(xmlNodePtr parent, const char *name, const char *content);
/* Set (add or replace) an attribute from a format; false on ENOMEM or a
 * NULL node. */
bool xml_attrv(xmlNodePtr n, const char *name, const char *fmt, va_list ap);
bool xml_attrf(xmlNodePtr n, const char *name, const char *fmt, ...) _printf_(3, 4);

/* A <domain> to build children of; serialise them with xml_fragment. */
struct xml_frag {
	xmlDocPtr doc;
	xmlNodePtr root;
};
bool xml_frag_new(struct xml_frag *f);
/* The root's children, each indented, one after the other; heap text, NULL
 * on ENOMEM. Frees f. */
char *xml_frag_finish(struct xml_frag *f);
void xml_frag_free(struct xml_frag *f);

/* One element as text, indented when format; with free_doc the document is
 * freed. Heap text ending in a newline; NULL on ENOMEM. */
char *xml_node_text(xmlDocPtr doc, xmlNodePtr node, bool free_doc);

/* Text that is shown already (a command's output, escaped as escape.h
 * does) made fit for an XML or HTML document: what no document may hold
 * or what would change how the text around it shows (a control character
 * but newline and tab when lines, DEL, a C1 or bidirectional control,
 * invalid UTF-8, U+FFFE and U+FFFF) as \xHH; a backslash stays as it is.
 * Heap text; NULL on ENOMEM. */
char *xml_fit_text(const char *s, bool lines);
