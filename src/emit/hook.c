/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <inttypes.h>
#include <stdarg.h>

#include "hook.h"
#include "macro.h"
#include "shell.h"
#include "strv.h"

char *hook_file_name(const char *guest)
{
	_cleanup_free_ char *e = name_escape(guest);

	return e ? strdupf("vfiokit-%s", e) : NULL;
}

/* Append a formatted line; false on ENOMEM. */
static bool line(struct strv *s, const char *fmt, ...) _printf_(2, 3);

static bool line(struct strv *s, const char *fmt, ...)
{
	char *l = NULL;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&l, fmt, ap);
	va_end(ap);
	return r >= 0 && strv_push_take(s, l) == 0;
}

char *hook_script(const struct hook_spec *s)
{
	_cleanup_free_ char *guest = sh_quote(s->guest), *esc = name_escape(s->guest);
	_cleanup_free_ char *host = s->host_cpus ? cpuset_format(s->host_cpus) : NULL;
	_cleanup_free_ char *perf = s->perf_cpus ? cpuset_format(s->perf_cpus) : NULL;
	_cleanup_free_ char *unit = NULL, *qunit = NULL, *qhost = NULL, *qwhy = NULL, *why = NULL;
	struct strv o = { 0 };
	char *out = NULL;
	bool ok;

	if (!guest || !esc || (s->host_cpus && !host) || (s->perf_cpus && !perf))
		return NULL;
	unit = strdupf("vfiokit-nosleep-%s", esc);
	why = strdupf("libvirt guest %s is running (vfiokit hook)", s->guest);
	qunit = unit ? sh_quote(unit) : NULL;
	qwhy = why ? sh_quote(why) : NULL;
	qhost = host ? sh_quote(host) : strdup("");
	if (!qunit || !qwhy || !qhost)
		return NULL;

	ok = line(&o, "#!/bin/sh") &&
	     line(&o, "# Written by 'vfiokit tune hook' for one libvirt guest; libvirt runs it with") &&
	     line(&o, "# GUEST OPERATION SUB-OPERATION (the domain XML on stdin); it acts for its guest only.") &&
	     line(&o, "set -u") && line(&o, "guest=%s", guest) && line(&o, "[ \"${1-}\" = \"$guest\" ] || exit 0") &&
	     line(&o, "# Tests point this at a copy of the machine; libvirt leaves it unset.") &&
	     line(&o, "root=${VFIOKIT_HOOK_ROOT-}") && line(&o, "state=\"$root/run/vfiokit/hooks/%s\"", esc) &&
	     line(&o, "say() { echo \"vfiokit hook ($guest): $*\" >&2; }") && line(&o, "%s", "");
	if (ok && s->hugepages) {
		ok = line(&o, "pool=\"$root/sys/kernel/mm/hugepages/hugepages-%" PRIu64 "kB/nr_hugepages\"", s->page_kb) &&
		     line(&o, "pages=%" PRIu64, s->hugepages) &&
		     line(&o, "# The article's dynamic huge pages: drop caches, compact, allocate, check the count.") &&
		     line(&o, "reserve_pages() {") &&
		     line(&o, "\tbefore=$(cat \"$pool\") || { say \"cannot read $pool\"; exit 1; }") &&
		     line(&o, "\techo 3 >\"$root/proc/sys/vm/drop_caches\" 2>/dev/null") &&
		     line(&o, "\techo 1 >\"$root/proc/sys/vm/compact_memory\" 2>/dev/null") &&
		     line(&o, "\techo $((before + pages)) >\"$pool\" 2>/dev/null") &&
		     line(&o, "\tgot=$(( $(cat \"$pool\") - before ))") &&
		     line(&o, "\tif [ \"$got\" -lt \"$pages\" ]; then") &&
		     line(&o, "\t\techo \"$before\" >\"$pool\" 2>/dev/null") &&
		     line(&o, "\t\tsay \"only $got of $pages huge pages of %" PRIu64 " KiB could be reserved: not "
			      "enough contiguous free memory; the guest does not start\"", s->page_kb) &&
		     line(&o, "\t\texit 1") && line(&o, "\tfi") && line(&o, "\techo \"$pages\" >\"$state.hugepages\"") &&
		     line(&o, "}") && line(&o, "release_pages() {") &&
		     line(&o, "\t[ -f \"$state.hugepages\" ] || return 0") &&
		     line(&o, "\tnow=$(cat \"$pool\") && n=$(cat \"$state.hugepages\") || return 0") &&
		     line(&o, "\t[ \"$now\" -ge \"$n\" ] && echo $((now - n)) >\"$pool\"") &&
		     line(&o, "\trm -f \"$state.hugepages\"") && line(&o, "}") && line(&o, "%s", "");
	}
	if (ok && s->host_cpus)
		ok = line(&o, "# The article's \"Dynamically isolating CPUs\" (systemd 244, cgroup v2).") &&
		     line(&o, "isolate() {") &&
		     line(&o, "\tfor u in system.slice user.slice init.scope; do") &&
		     line(&o, "\t\tsystemctl set-property --runtime -- \"$u\" AllowedCPUs=\"$1\" || say \"cannot set "
			      "AllowedCPUs of $u\"") &&
		     line(&o, "\tdone") && line(&o, "}") && line(&o, "%s", "");
	if (ok && s->perf_cpus)
		ok = line(&o, "# The governor of the guest's CPUs: performance while it runs, then as it was.") &&
		     line(&o, "governor_up() {") && line(&o, "\t: >\"$state.governor\"") &&
		     line(&o, "\tfor c in $(echo %s | tr ',' ' '); do", perf) &&
		     line(&o, "\t\tcase $c in *-*) seq=$(seq \"${c%%-*}\" \"${c#*-}\") ;; *) seq=$c ;; esac") &&
		     line(&o, "\t\tfor n in $seq; do") &&
		     line(&o, "\t\t\tf=\"$root/sys/devices/system/cpu/cpu$n/cpufreq/scaling_governor\"") &&
		     line(&o, "\t\t\t[ -w \"$f\" ] || continue") &&
		     line(&o, "\t\t\techo \"$n $(cat \"$f\")\" >>\"$state.governor\"") &&
		     line(&o, "\t\t\techo performance >\"$f\" 2>/dev/null || say \"cpu$n: the frequency driver does not "
			      "take the performance governor\"") &&
		     line(&o, "\t\tdone") && line(&o, "\tdone") && line(&o, "}") && line(&o, "governor_back() {") &&
		     line(&o, "\t[ -f \"$state.governor\" ] || return 0") &&
		     line(&o, "\twhile read -r n g; do") &&
		     line(&o, "\t\techo \"$g\" >\"$root/sys/devices/system/cpu/cpu$n/cpufreq/scaling_governor\" 2>/dev/null") &&
		     line(&o, "\tdone <\"$state.governor\"") && line(&o, "\trm -f \"$state.governor\"") && line(&o, "}") &&
		     line(&o, "%s", "");
	if (ok && s->no_sleep)
		ok = line(&o, "# The article's \"Host lockup if guest is left running during sleep\".") &&
		     line(&o, "unit=%s", qunit) && line(&o, "%s", "");
	ok = ok && line(&o, "case \"${2-} ${3-}\" in") && line(&o, "\"prepare begin\")") &&
	     line(&o, "\tmkdir -p \"$root/run/vfiokit/hooks\" || exit 1");
	if (ok && s->hugepages)
		ok = line(&o, "\treserve_pages");
	ok = ok && line(&o, "\t;;") && line(&o, "\"started begin\")");
	if (ok && s->host_cpus)
		ok = line(&o, "\tisolate %s", qhost);
	if (ok && s->perf_cpus)
		ok = line(&o, "\tgovernor_up");
	if (ok && s->no_sleep)
		ok = line(&o, "\tsystemd-run --unit=\"$unit\" --quiet systemd-inhibit --what=sleep --why=%s --mode=block "
			      "sleep infinity || say \"cannot block sleep\"",
			  qwhy);
	ok = ok && line(&o, "\t;;") && line(&o, "\"release end\")");
	if (ok && s->no_sleep)
		ok = line(&o, "\tsystemctl stop \"$unit\" 2>/dev/null");
	if (ok && s->perf_cpus)
		ok = line(&o, "\tgovernor_back");
	if (ok && s->host_cpus)
		ok = line(&o, "\tisolate \"$(cat \"$root/sys/devices/system/cpu/online\")\"");
	if (ok && s->hugepages)
		ok = line(&o, "\trelease_pages");
	ok = ok && line(&o, "\t;;") && line(&o, "esac") && line(&o, "exit 0") && line(&o, "%s", "");
	if (ok)
		out = strv_join(&o, "\n");
	strv_clear(&o);
	return out;
}
