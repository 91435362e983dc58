/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <inttypes.h>

#include "emit/hook.h"
#include "shared/escape.h"
#include "shared/macro.h"
#include "shared/shell.h"
#include "shared/template.h"

char *hook_file_name(const char *guest)
{
	_cleanup_free_ char *e = name_escape(guest);

	return e ? strdupf("vfiokit-%s", e) : NULL;
}

char *hook_script(const struct hook_spec *s)
{
	_cleanup_free_ char *esc = name_escape(s->guest);
	_cleanup_free_ char *host = s->host_cpus ? cpuset_format(s->host_cpus) : NULL;
	_cleanup_free_ char *perf = s->perf_cpus ? cpuset_format(s->perf_cpus) : NULL;
	_cleanup_free_ char *unit = NULL, *why = NULL, *page_kb = NULL, *pages = NULL;
	char *out = NULL;

	if (!esc || (s->host_cpus && !host) || (s->perf_cpus && !perf))
		return NULL;
	unit = strdupf("vfiokit-nosleep-%s", esc);
	why = strdupf("libvirt guest %s is running (vfiokit hook)", s->guest);
	page_kb = strdupf("%" PRIu64, s->page_kb);
	pages = strdupf("%" PRIu64, s->hugepages);
	if (!unit || !why || !page_kb || !pages)
		return NULL;

	const struct tmpl_var vars[] = {
		{ "GUEST", TMPL_QUOTE, s->guest, false },
		{ "STATE_NAME", TMPL_WORD, esc, false },
		{ "HUGEPAGES", TMPL_SECTION, NULL, s->hugepages > 0 },
		{ "PAGE_KB", TMPL_WORD, page_kb, false },
		{ "PAGES", TMPL_WORD, pages, false },
		{ "ISOLATE", TMPL_SECTION, NULL, s->host_cpus != NULL },
		{ "HOST_CPUS", TMPL_QUOTE, host ? host : "", false },
		{ "GOVERNOR", TMPL_SECTION, NULL, s->perf_cpus != NULL },
		{ "PERF_CPUS", TMPL_WORD, perf ? perf : "", false },
		{ "NO_SLEEP", TMPL_SECTION, NULL, s->no_sleep },
		{ "UNIT", TMPL_QUOTE, unit, false },
		{ "SLEEP_WHY", TMPL_QUOTE, why, false },
		{ NULL, 0, NULL, false },
	};
	/* The escaped name, the numbers and the CPU lists are TMPL_WORD bytes
	 * by construction: only ENOMEM fails here. */
	return tmpl_render(tmpl_libvirt_hook, vars, &out, NULL) < 0 ? NULL : out;
}

char *handover_hook_file_name(const char *guest)
{
	_cleanup_free_ char *e = name_escape(guest);

	return e ? strdupf("vfiokit_handover-%s", e) : NULL;
}

char *handover_hook_script(const struct handover_hook_spec *s)
{
	_cleanup_free_ char *esc = name_escape(s->guest), *log_name = text_escape(s->guest, NULL);
	_cleanup_free_ char *unit = NULL, *timeout = NULL, *grace = NULL;
	char *out = NULL;

	if (!esc || !log_name)
		return NULL;
	unit = strdupf("vfiokit-handover-watchdog-%s", esc);
	timeout = strdupf("%u", s->timeout);
	grace = strdupf("%u", s->timeout < HANDOVER_HOOK_GRACE ? s->timeout : HANDOVER_HOOK_GRACE);
	if (!unit || !timeout || !grace)
		return NULL;

	const struct tmpl_var vars[] = {
		{ "GUEST", TMPL_QUOTE, s->guest, false },
		{ "LOG_NAME", TMPL_QUOTE, log_name, false },
		{ "STATE_NAME", TMPL_WORD, esc, false },
		{ "WATCH_UNIT", TMPL_WORD, unit, false },
		{ "VFIOKIT", TMPL_QUOTE, s->vfiokit, false },
		{ "GPU", TMPL_WORD, s->gpu, false },
		{ "TIMEOUT", TMPL_WORD, timeout, false },
		{ "GRACE", TMPL_WORD, grace, false },
		{ NULL, 0, NULL, false },
	};
	/* The escaped name, the unit and the numbers are TMPL_WORD bytes by
	 * construction; gpu is the caller's address (host_find_pci()'s name). */
	return tmpl_render(tmpl_handover_hook, vars, &out, NULL) < 0 ? NULL : out;
}
