/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <inttypes.h>

#include "plan/hugepages.h"

#define GIB_KB (1024u * 1024u)

void hugepage_plan_free(struct hugepage_plan *p)
{
	strv_clear(&p->notes);
	*p = (struct hugepage_plan){ 0 };
}

static const struct hugepage_pool *pool(const struct host_tuning *t, uint64_t kb)
{
	for (size_t i = 0; i < t->npools; i++)
		if (t->pools[i].size_kb == kb)
			return &t->pools[i];
	return NULL;
}

static int fail(struct error *err, char *msg)
{
	return error_take(err, -EINVAL, ERROR_FAILED, msg);
}

int hugepage_plan_make(const struct host *h, const struct hugepage_request *rq, struct hugepage_plan *ret,
		       struct error *err)
{
	const struct host_tuning *t = &h->tuning;
	struct hugepage_plan p = { .reserved = -1, .free = -1 };
	uint64_t kb = rq->memory / 1024 + (rq->memory % 1024 != 0); /* rounded up, without overflow */
	const struct hugepage_pool *pl;
	int k = 0;

	if (kb == 0)
		return fail(err, strdup("--memory must be more than 0"));
	p.page_kb = rq->page_kb;
	if (!p.page_kb)
		p.page_kb = h->cpu.pdpe1gb && kb % GIB_KB == 0 && pool(t, GIB_KB) ? GIB_KB : 2048;
	if (p.page_kb == GIB_KB && !h->cpu.pdpe1gb)
		return fail(err, strdup("this CPU has no pdpe1gb flag in /proc/cpuinfo: no 1 GiB pages; use 2 "
					"MiB pages (--page-size 2M)"));
	if (t->npools && !pool(t, p.page_kb)) {
		struct strv sizes = { 0 };
		_cleanup_free_ char *list = NULL;
		for (size_t i = 0; i < t->npools; i++)
			if (strv_push_take(&sizes, strdupf("%" PRIu64 " KiB", t->pools[i].size_kb)) < 0) {
				strv_clear(&sizes);
				return -ENOMEM;
			}
		list = strv_join(&sizes, ", ");
		strv_clear(&sizes);
		return fail(err, list ? strdupf("this kernel has no %" PRIu64 " KiB huge pages (it has %s); "
									      "choose one with --page-size",
						p.page_kb, list) :
					NULL);
	}
	p.pages = (kb + p.page_kb - 1) / p.page_kb;
	p.memory_kb = p.pages * p.page_kb;
	if (t->mem_total_kb && p.memory_kb > t->mem_total_kb)
		return fail(err, strdupf("%" PRIu64 " MiB asked, but the host has %" PRIu64 " MiB of memory in "
											    "all; ask less with "
					 "--memory",
					 p.memory_kb / 1024, t->mem_total_kb / 1024));
	if (p.memory_kb != kb)
		k = strv_push_take(&p.notes, strdupf("rounded up to %" PRIu64 " whole pages: %" PRIu64 " MiB", p.pages,
						     p.memory_kb / 1024));
	if (k >= 0 && t->mem_total_kb && t->mem_total_kb - p.memory_kb < 2 * GIB_KB)
		k = strv_push_take(&p.notes, strdupf("that leaves the host %" PRIu64 " MiB: reserved huge pages are locked "
						     "away from it, even while the guest is off (the article's warning)",
						     (t->mem_total_kb - p.memory_kb) / 1024));
	if ((pl = pool(t, p.page_kb))) {
		p.reserved = pl->nr;
		p.free = pl->free;
	}
	if (k >= 0 && p.free >= 0)
		k = strv_push_take(&p.notes, (uint64_t)p.free >= p.pages ?
						     strdupf("%ld pages of that size are free now: enough", p.free) :
						     strdupf("%ld pages of that size are free now (%ld reserved): %" PRIu64
							     " short; reserve them at boot, or before the guest starts",
							     p.free, p.reserved, p.pages - (uint64_t)p.free));
	if (k >= 0 && t->thp)
		k = strv_push_take(&p.notes,
				   streq(t->thp, "never") ?
					   strdup("transparent huge pages are off (never): without reserved pages the guest "
						  "gets 4 KiB pages only") :
					   strdupf("transparent huge pages are '%s': QEMU gets 2 MiB pages without any of this, "
						   "but silently falls back to 4 KiB pages when memory is fragmented (the "
						   "article); reserved pages are a guarantee",
						   t->thp));
	if (k >= 0 && p.page_kb == GIB_KB)
		k = strv_push_take(&p.notes, strdup("1 GiB pages are best reserved at boot: allocated later, \"each "
						    "consequent request ... lead to lesser and lesser\" pages (the article)"));
	if (k < 0) {
		hugepage_plan_free(&p);
		return -ENOMEM;
	}
	*ret = p;
	return 0;
}

static const char *size_word(uint64_t kb)
{
	return kb == 1048576 ? "1G" : kb == 2048 ? "2M" : NULL;
}

char *hugepage_kernel_params(const struct hugepage_plan *p)
{
	const char *w = size_word(p->page_kb);
	_cleanup_free_ char *sz = w ? strdup(w) : strdupf("%" PRIu64 "K", p->page_kb);

	if (!sz)
		return NULL;
	/* default_hugepagesz for 2M as well: /dev/hugepages (systemd's mount,
	 * where libvirt finds the pages) has the default size, and a
	 * default_hugepagesz=1G left on the line would make it 1 GiB. */
	return strdupf("default_hugepagesz=%s hugepagesz=%s hugepages=%" PRIu64, sz, sz, p->pages);
}
