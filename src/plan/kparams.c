/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <ctype.h>
#include <inttypes.h>

#include "plan/boot/backend.h"
#include "plan/hugepages.h"
#include "plan/kparams.h"

#define KVM_CONF "etc/modprobe.d/kvm.conf"

bool kparams_wanted(const struct kparams_request *rq)
{
	return rq->isolate || rq->hugepages || rq->ignore_msrs;
}

static int fail(struct error *err, char *msg)
{
	return error_take(err, -EINVAL, ERROR_FAILED, msg);
}

/* Each word of "a=1 b=2" as a parameter of p. */
static int push_words(struct setup_plan *p, char *words)
{
	int k = 0;

	if (!words)
		return -ENOMEM;
	for (char *s = NULL, *w = strtok_r(words, " ", &s); w && k >= 0; w = strtok_r(NULL, " ", &s))
		k = strv_push(&p->params, w);
	free(words);
	return k < 0 ? -ENOMEM : 0;
}

/* The flags of the first isolcpus= of the boot files (texts) that has
 * some (isolcpus=domain,managed_irq,2-5: "domain,managed_irq"), those the
 * kernel knows (kernel-parameters.txt: nohz, domain, managed_irq; an
 * unknown one makes the kernel ignore the parameter); NULL: none. A line
 * commented out does not count. */
static int isolcpus_flags(const struct strv *texts, char **ret)
{
	static const char key[] = "isolcpus=";

	*ret = NULL;
	for (size_t i = 0; i < texts->n; i++)
		for (const char *t = texts->v[i]; (t = strstr(t, key)); t += strlen(key)) {
			const char *l = t, *v = t + strlen(key);
			_cleanup_(strv_clear) struct strv flags = { 0 };
			if (t != texts->v[i] && !isspace((unsigned char)t[-1]) && !strchr("\"'", t[-1]))
				continue;
			while (l > texts->v[i] && l[-1] != '\n')
				l--;
			if (l[strspn(l, " \t")] == '#')
				continue;
			/* [flag-list,]cpu-list: the flags are the items that begin with a letter. */
			while (isalpha((unsigned char)*v)) {
				size_t n = strcspn(v, ", \t\n\"'");
				_cleanup_free_ char *f = strndup(v, n);
				if (!f)
					return -ENOMEM;
				if ((streq(f, "nohz") || streq(f, "domain") || streq(f, "managed_irq")) &&
				    !strv_contains(&flags, f) && strv_push(&flags, f) < 0)
					return -ENOMEM;
				v += n + (v[n] == ',');
			}
			if (flags.n)
				return (*ret = strv_join(&flags, ",")) ? 0 : -ENOMEM;
		}
	return 0;
}

/* The guest's CPUs, isolated: each must be a CPU of this host, and the
 * host must keep an online CPU (the kernel's housekeeping needs one). */
static int isolation(const struct host *h, const struct cpuset *cpus, struct setup_plan *p, struct error *err)
{
	const struct cpu_topology *t = &h->topo;
	_cleanup_(cpuset_clear) struct cpuset missing = { 0 }, rest = { 0 }, split_in = { 0 }, split_out = { 0 };
	_cleanup_(strv_clear) struct strv texts = { 0 };
	_cleanup_free_ char *list = cpuset_format(cpus), *all = cpuset_format(&t->online), *bad = NULL, *flags = NULL;

	if (!list || !all)
		return -ENOMEM;
	if (!t->ncpus || !cpuset_count(&t->online))
		return fail(err, strdupf("cannot read this host's CPUs (/sys/devices/system/cpu): isolating CPUs %s "
					 "cannot be checked, so nothing is planned; 'vfiokit tune topology' "
					 "shows what can be read", list));
	if (!cpuset_count(cpus))
		return fail(err, strdup("the list of CPUs to isolate is empty; name them with --isolcpus"));
	CPUSET_FOREACH(cpu, cpus)
		if (!topology_cpu(t, (unsigned)cpu) && cpuset_add(&missing, (unsigned)cpu) < 0)
			return -ENOMEM;
	if (cpuset_count(&missing))
		return (bad = cpuset_format(&missing)) ?
			       fail(err, strdupf("CPU%s %s %s not on this host (its online CPUs are %s); "
						 "'vfiokit tune topology' shows them",
						 cpuset_count(&missing) > 1 ? "s" : "", bad,
						 cpuset_count(&missing) > 1 ? "are" : "is", all)) :
			       -ENOMEM;
	if (cpuset_copy(&rest, &t->online) < 0)
		return -ENOMEM;
	cpuset_minus(&rest, cpus);
	if (!cpuset_count(&rest))
		return fail(err, strdupf("isolating CPUs %s leaves the host no online CPU (it has %s): keep at least "
					 "one core for the host and QEMU's own threads ('vfiokit tune pin' "
					 "chooses them)", list, all));
	/* SMT siblings share their core: isolated CPUs whose siblings stay
	 * with the host share it with the host (the article pins siblings
	 * together). One warning for all of them. */
	for (size_t i = 0; i < t->ncores; i++) {
		_cleanup_(cpuset_clear) struct cpuset in = { 0 }, out = { 0 };
		if (cpuset_copy(&in, &t->cores[i]) < 0 || cpuset_copy(&out, &t->cores[i]) < 0)
			return -ENOMEM;
		cpuset_minus(&in, &rest);
		cpuset_minus(&out, cpus);
		if (cpuset_count(&in) && cpuset_count(&out) && (cpuset_or(&split_in, &in) < 0 || cpuset_or(&split_out, &out) < 0))
			return -ENOMEM;
	}
	if (cpuset_count(&split_in)) {
		_cleanup_free_ char *a = cpuset_format(&split_in), *b = cpuset_format(&split_out);
		if (!a || !b || strv_push_take(&p->warnings, strdupf("isolated CPUs %s share their cores with CPUs %s of the "
								     "host (SMT siblings): isolate whole cores, siblings "
								     "together (vfiokit tune topology)", a, b)) < 0)
			return -ENOMEM;
	}
	if (push_words(p, kparams_isolation_params(cpus)) < 0 || cmdline_texts(&h->boot, &texts) < 0 ||
	    isolcpus_flags(&texts, &flags) < 0)
		return -ENOMEM;
	/* A guide's isolcpus=domain,managed_irq,2-5: the new CPUs, its flags
	 * kept (managed_irq keeps managed interrupts off them too), said
	 * while the boot files do not have it yet. */
	for (size_t i = 0; i < p->params.n && flags; i++)
		if (startswith(p->params.v[i], "isolcpus=")) {
			char *w = strdupf("isolcpus=%s,%s", flags, p->params.v[i] + strlen("isolcpus="));
			bool there = false;
			if (!w)
				return -ENOMEM;
			free(p->params.v[i]);
			p->params.v[i] = w;
			for (size_t j = 0; j < texts.n && !there; j++)
				there = cmdline_has_word(texts.v[j], w);
			if (!there && strv_push_take(&p->warnings, strdupf("the isolcpus= of the boot files has the flags "
									   "%s: they are kept, %s", flags, w)) < 0)
				return -ENOMEM;
		}
	return 0;
}

/* Static huge pages, the numbers of `tune hugepages`. */
static int hugepages(const struct host *h, const struct kparams_request *rq, struct setup_plan *p, struct error *err)
{
	struct hugepage_request hr = { .memory = rq->hugepages, .page_kb = rq->page_kb };
	struct hugepage_plan hp = { 0 };
	int k;

	/* Pages reserved at every boot past the host's memory leave a host
	 * that cannot boot: unchecked, nothing is planned. */
	if (!h->tuning.mem_total_kb)
		return fail(err, strdup("cannot read this host's memory (MemTotal in /proc/meminfo): huge pages "
					"reserved at every boot cannot be checked against it, so nothing is "
					"planned; run it on the "
					"machine itself, or on a 'vfiokit snapshot' of it"));
	if ((k = hugepage_plan_make(h, &hr, &hp, err)) < 0)
		return k;
	k = push_words(p, hugepage_kernel_params(&hp));
	if (k >= 0)
		k = strv_push_take(&p->warnings,
				   strdupf("%" PRIu64 " huge pages of %" PRIu64 " KiB (%" PRIu64 " MiB) are reserved at "
					   "every boot and locked away from the host, even while the guest is off "
					   "(the article's warning): the host keeps %" PRIu64 " MiB; the guest uses "
					   "them with <memoryBacking><hugepages/> (vfiokit tune hugepages --xml)",
					   hp.pages, hp.page_kb, hp.memory_kb / 1024,
					   (h->tuning.mem_total_kb - hp.memory_kb) / 1024));
	hugepage_plan_free(&hp);
	return k < 0 ? -ENOMEM : 0;
}

/* What --ignore-msrs sets: kvm's bool parameters (module_param(..., bool)). */
static const char *const kvm_opts[] = { "ignore_msrs=1", "report_ignored_msrs=0" };

/* A modprobe.d file read after kvm.conf, whose kvm options (opts: its
 * ignore_msrs=... and report_ignored_msrs=..., in order) are the values kvm
 * gets: said where the last of each name there means otherwise than ours
 * (ignore_msrs=Y is ours). */
static int later_file(struct setup_plan *p, const char *path, const char *opts)
{
	_cleanup_(strv_clear) struct strv differ = { 0 };
	_cleanup_free_ char *copy = strdup(opts), *list = NULL;
	const char *last[ARRAY_SIZE(kvm_opts)] = { 0 };

	if (!copy)
		return -ENOMEM;
	for (char *s = NULL, *w = strtok_r(copy, " ", &s); w; w = strtok_r(NULL, " ", &s))
		for (size_t j = 0; j < ARRAY_SIZE(kvm_opts); j++)
			if (cmdline_param_same_name(w, kvm_opts[j]))
				last[j] = w;
	for (size_t j = 0; j < ARRAY_SIZE(kvm_opts); j++)
		if (last[j] && !cmdline_bool_same(last[j], strlen(last[j]), kvm_opts[j]) && strv_push(&differ, last[j]) < 0)
			return -ENOMEM;
	if (!differ.n)
		return 0;
	if (!(list = strv_join(&differ, " ")))
		return -ENOMEM;
	return strv_push_take(&p->warnings, strdupf("/%s sets kvm's %s, and modprobe reads it after /" KVM_CONF ": its "
						    "value wins over %s %s; remove it there", path, list, kvm_opts[0],
						    kvm_opts[1]));
}

/* The article's /etc/modprobe.d/kvm.conf: ignore_msrs=1, and
 * report_ignored_msrs=0 so that the ignored accesses do not fill the
 * kernel log; merged into its options kvm line, never a second one. */
static int ignore_msrs(const struct host *h, struct setup_plan *p)
{
	static const char header[] = "# Written by vfiokit setup: KVM ignores the guest's accesses to MSRs it does not\n"
				     "# know (the article's \"Bluescreen at boot since Windows 10 1803\").\n"
				     "# 'vfiokit undo' takes it back.\n";
	const struct host_boot *b = &h->boot;
	_cleanup_(cmdline_edits_clear) struct cmdline_edits opts = { 0 };
	_cleanup_free_ char *base = NULL;
	char *text = NULL, *problem = NULL;
	bool changed = false;
	int k;

	if (b->modprobe_kvm_odd)
		return setup_by_hand(p, strdup("modprobe.d: /" KVM_CONF " is there but is no file vfiokit can read (a "
					       "link to /dev/null masks the packaged one): left alone; put \"options kvm "
					       "ignore_msrs=1 report_ignored_msrs=0\" in another .conf file there"));
	/* /etc's file replaces a packaged one of its name: its lines come along. */
	if (b->modprobe_kvm_from &&
	    (!(base = strdupf("%s# The lines of /%s, which this file replaces (modprobe.d(5)):\n%s", header,
			      b->modprobe_kvm_from, b->modprobe_kvm)) ||
	     strv_push_take(&p->warnings, strdupf("/" KVM_CONF " replaces /%s, a file of the same name: its lines are "
						  "copied into it", b->modprobe_kvm_from)) < 0))
		return -ENOMEM;
	if (cmdline_edits_add(&opts, CMDLINE_SET_BOOL, kvm_opts[0]) < 0 ||
	    cmdline_edits_add(&opts, CMDLINE_SET_BOOL, kvm_opts[1]) < 0)
		return -ENOMEM;
	k = modprobe_options_edit(base ? base : b->modprobe_kvm, header, "kvm", &opts, &text, &problem);
	if (k == -EINVAL)
		k = setup_by_hand(p, strdupf("modprobe.d: /" KVM_CONF " %s: add ignore_msrs=1 report_ignored_msrs=0 to "
					     "kvm's options line", problem));
	else if (k >= 0) {
		changed = !b->modprobe_kvm || b->modprobe_kvm_from || !streq(b->modprobe_kvm, text);
		k = setup_add_file(p, KVM_CONF, text);
	}
	free(problem);
	for (size_t i = 0; i < b->modprobe_kvm_later.n && i < b->modprobe_kvm_later_opts.n && k >= 0; i++)
		k = later_file(p, b->modprobe_kvm_later.v[i], b->modprobe_kvm_later_opts.v[i]);
	if (k >= 0 && changed)
		k = strv_push(&p->warnings, "kvm reads ignore_msrs when it loads: from the next boot on (now, as root: "
					    "echo 1 > /sys/module/kvm/parameters/ignore_msrs)");
	return k < 0 ? -ENOMEM : 0;
}

int kparams_plan(const struct host *h, const struct kparams_request *rq, struct setup_plan *p, struct error *err)
{
	int k = 0;

	if (rq->isolate && (k = isolation(h, rq->isolate, p, err)) < 0)
		return k;
	if (rq->hugepages && (k = hugepages(h, rq, p, err)) < 0)
		return k;
	if (rq->ignore_msrs && (k = ignore_msrs(h, p)) < 0)
		return k;
	return 0;
}

char *kparams_isolation_params(const struct cpuset *cpus)
{
	_cleanup_free_ char *g = cpuset_format(cpus);

	return g ? strdupf("isolcpus=%s nohz_full=%s rcu_nocbs=%s", g, g, g) : NULL;
}
