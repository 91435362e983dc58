/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once
/*
 * libxml2, loaded when a command first writes or reads XML (vm create and
 * edit, report, groups --format svg, the libvirt fragments tune pin and
 * hugepages print, libvirt's guests that next, doctor --guest and snapshot
 * read), as apply/virt.c loads libvirt: libxml2 brings ICU, libstdc++ and
 * liblzma, about 3 ms of every start, which the commands without XML (groups,
 * check, ...) no longer pay. -Dlibxml2-dlopen=false links it instead, and
 * the pointers are constant.
 *
 * Every libxml2 function vfiokit calls is a sym_ pointer typed after
 * libxml2's own declaration (DLSYM_ARG checks it): sym_xmlFreeDoc(doc).
 * xmlFree is a variable of libxml2's (xmlFreeFunc), so sym_xmlFree points
 * to it: libxml_free(p). A module's public entries call libxml_load()
 * before the first sym_ call, so no path calls one that is not loaded.
 */
#include <libxml/HTMLtree.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "shared/error.h"

/* The library of the headers vfiokit is built with: libxml2 2.14 broke its
 * ABI and renamed it libxml2.so.16, which Debian and Ubuntu (25.10) ship as
 * the package libxml2-16; "libxml2" is only a virtual package there. */
#if LIBXML_VERSION >= 21400
#define LIBXML_SONAME "libxml2.so.16"
#define LIBXML_DEB_PACKAGE "libxml2-16"
#else
#define LIBXML_SONAME "libxml2.so.2"
#define LIBXML_DEB_PACKAGE "libxml2"
#endif

/* X(name) for each: what emit/ and host/progress.c call. */
#define LIBXML_SYMBOLS(X)            \
	X(htmlDocDumpMemoryFormat)   \
	X(htmlNewDocNoDtD)           \
	X(xmlAddChild)               \
	X(xmlAddNextSibling)         \
	X(xmlAddPrevSibling)         \
	X(xmlBufferCCat)             \
	X(xmlBufferContent)          \
	X(xmlBufferCreate)           \
	X(xmlBufferFree)             \
	X(xmlCreateIntSubset)        \
	X(xmlDocDumpFormatMemoryEnc) \
	X(xmlDocGetRootElement)      \
	X(xmlDocSetRootElement)      \
	X(xmlFree)                   \
	X(xmlFreeDoc)                \
	X(xmlFreeNode)               \
	X(xmlGetLastError)           \
	X(xmlGetProp)                \
	X(xmlHasProp)                \
	X(xmlIsBlankNode)            \
	X(xmlNewChild)               \
	X(xmlNewDoc)                 \
	X(xmlNewDocNode)             \
	X(xmlNewDocText)             \
	X(xmlNewNs)                  \
	X(xmlNewProp)                \
	X(xmlNewTextChild)           \
	X(xmlNodeAddContent)         \
	X(xmlNodeDump)               \
	X(xmlNodeGetContent)         \
	X(xmlNodeSetContent)         \
	X(xmlReadMemory)             \
	X(xmlReplaceNode)            \
	X(xmlSetNs)                  \
	X(xmlSetProp)                \
	X(xmlStrEqual)               \
	X(xmlUnlinkNode)             \
	X(xmlUnsetProp)

#if VFIOKIT_LIBXML2_DLOPEN
#define LIBXML_SYM_DECLARE(name) extern typeof(name) *sym_##name;
#else
#define LIBXML_SYM_DECLARE(name) extern typeof(name) *const sym_##name;
#endif
LIBXML_SYMBOLS(LIBXML_SYM_DECLARE)
#undef LIBXML_SYM_DECLARE

/* 0 once every sym_ pointer is there (at once after the first success; with
 * -Dlibxml2-dlopen=false always). -ELIBACC with err (ERROR_FAILED: the
 * library, dlerror()'s text and the package to install) when libxml2.so.2
 * or one of its symbols is missing (the pointers resolved before it may stay
 * set; callers load again before any use); -ENOMEM (err's errnum,
 * maybe without a message). err may be NULL where the caller says the
 * failure itself. */
int libxml_load(struct error *err);

/* xmlFree(p), the function libxml2's variable holds now; NULL: nothing
 * (and nothing loaded needed). */
static inline void libxml_free(void *p)
{
	if (p)
		(*sym_xmlFree)(p);
}
