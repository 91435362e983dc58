/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <inttypes.h>

#include "emit/memory.h"
#include "emit/xml.h"

bool memory_domain_build(xmlNodePtr dom, const struct hugepage_plan *p)
{
	_cleanup_free_ char *kb = strdupf("%" PRIu64, p->memory_kb);
	xmlNodePtr back, hp;
	bool ok;

	ok = kb && xml_attrf(xml_child(dom, "memory", kb), "unit", "KiB") &&
	     xml_attrf(xml_child(dom, "currentMemory", kb), "unit", "KiB");
	back = ok ? xml_child(dom, "memoryBacking", NULL) : NULL;
	hp = xml_child(back, "hugepages", NULL);
	return ok && hp && xml_attrf(xml_child(hp, "page", NULL), "size", "%" PRIu64, p->page_kb) &&
	       xml_attrf(hp->children, "unit", "KiB");
}

char *memory_domain_xml(const struct hugepage_plan *p)
{
	struct xml_frag f = { 0 };

	if (!xml_frag_new(&f))
		return NULL;
	if (!memory_domain_build(f.root, p)) {
		xml_frag_free(&f);
		return NULL;
	}
	return xml_frag_finish(&f);
}

char *memory_reserve_commands(const struct hugepage_plan *p)
{
	return strdupf("echo 3 > /proc/sys/vm/drop_caches\n"
		       "echo 1 > /proc/sys/vm/compact_memory\n"
		       "echo %" PRIu64 " > /sys/kernel/mm/hugepages/hugepages-%" PRIu64 "kB/nr_hugepages\n"
		       "cat /sys/kernel/mm/hugepages/hugepages-%" PRIu64 "kB/nr_hugepages   # must say %" PRIu64 "\n",
		       p->pages, p->page_kb, p->page_kb, p->pages);
}
