/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The tuning part of setup (plan/kparams.c) on a host model built here: a
 * 6-core, 12-thread CPU (the article's i7-8700K), 16 GiB with both huge
 * page pools, and the text of /etc/modprobe.d/kvm.conf. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "plan/hugepages.h"
#include "plan/kparams.h"
#include "emit/memory.h"
#include "plan/setup.h"

static struct hugepage_pool pools[] = { { 2048, 0, 0 }, { 1048576, 0, 0 } };

static void host_init(struct host *h, const char *kvm_conf)
{
	*h = (struct host){ 0 };
	h->topo.ncpus = 12;
	h->topo.cpus = calloc(12, sizeof(*h->topo.cpus));
	assert_non_null(h->topo.cpus);
	for (unsigned i = 0; i < 12; i++) {
		h->topo.cpus[i] = (struct cpu_info){ .cpu = i, .online = true, .node = 0, .core = (int)(i % 6), .l3 = 0 };
		assert_int_equal(cpuset_add(&h->topo.online, i), 0);
	}
	/* SMT siblings n and n + 6, as the article's lscpu -e shows them. */
	h->topo.ncores = 6;
	h->topo.cores = calloc(6, sizeof(*h->topo.cores));
	assert_non_null(h->topo.cores);
	for (unsigned i = 0; i < 6; i++) {
		assert_int_equal(cpuset_add(&h->topo.cores[i], i), 0);
		assert_int_equal(cpuset_add(&h->topo.cores[i], i + 6), 0);
	}
	h->tuning.mem_total_kb = 16u * 1024 * 1024;
	h->tuning.pools = pools;
	h->tuning.npools = 2;
	h->cpu.pdpe1gb = true;
	h->boot.modprobe_kvm = kvm_conf ? strdup(kvm_conf) : NULL;
}

static void host_done(struct host *h)
{
	free(h->topo.cpus);
	cpuset_clear(&h->topo.online);
	for (size_t i = 0; i < h->topo.ncores; i++)
		cpuset_clear(&h->topo.cores[i]);
	free(h->topo.cores);
	free(h->boot.modprobe_kvm);
}

static char *params(const struct setup_plan *p)
{
	char *s = strv_join(&p->params, " ");

	assert_non_null(s);
	return s;
}

static const char *file(const struct setup_plan *p, const char *path)
{
	for (size_t i = 0; i < p->nfiles; i++)
		if (streq(p->files[i].path, path))
			return p->files[i].content;
	return NULL;
}

static void test_isolcpus(void **state)
{
	struct host h;
	struct cpuset cpus = { 0 };
	struct setup_plan p = { 0 };
	struct error err = { 0 };
	char *s;

	(void)state;
	host_init(&h, NULL);
	assert_int_equal(cpuset_parse_list("6-11", &cpus), 0);
	assert_int_equal(kparams_plan(&h, &(struct kparams_request){ .isolate = &cpus }, &p, &err), 0);
	assert_null(err.msg);
	s = params(&p);
	assert_string_equal(s, "isolcpus=6-11 nohz_full=6-11 rcu_nocbs=6-11");
	assert_int_equal(p.nfiles, 0);
	/* One thread of each core: said once. */
	assert_int_equal(p.warnings.n, 1);
	assert_string_equal(p.warnings.v[0], "isolated CPUs 6-11 share their cores with CPUs 0-5 of the host (SMT siblings): "
					     "isolate whole cores, siblings together (vfiokit tune topology)");
	free(s);
	setup_plan_free(&p);

	/* Whole cores: no warning. */
	assert_int_equal(cpuset_parse_list("2-5,8-11", &cpus), 0);
	assert_int_equal(kparams_plan(&h, &(struct kparams_request){ .isolate = &cpus }, &p, &err), 0);
	assert_int_equal(p.warnings.n, 0);
	setup_plan_free(&p);

	/* CPUs the host does not have: refused, named. */
	assert_int_equal(cpuset_parse_list("6-13", &cpus), 0);
	assert_int_equal(kparams_plan(&h, &(struct kparams_request){ .isolate = &cpus }, &p, &err), -EINVAL);
	assert_string_equal(err.msg, "CPUs 12-13 are not on this host (its online CPUs are 0-11); 'vfiokit tune topology' shows them");
	assert_int_equal(p.params.n, 0);
	error_clear(&err);
	setup_plan_free(&p);

	/* Every CPU: the host would keep none. */
	assert_int_equal(cpuset_parse_list("0-11", &cpus), 0);
	assert_int_equal(kparams_plan(&h, &(struct kparams_request){ .isolate = &cpus }, &p, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "isolating CPUs 0-11 leaves the host no online CPU"));
	error_clear(&err);
	setup_plan_free(&p);

	/* Every online CPU, and an offline one besides: still none left. */
	h.topo.cpus[11].online = false;
	cpuset_del(&h.topo.online, 11);
	assert_int_equal(cpuset_parse_list("0-10", &cpus), 0);
	assert_int_equal(kparams_plan(&h, &(struct kparams_request){ .isolate = &cpus }, &p, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "leaves the host no online CPU (it has 0-10)"));
	error_clear(&err);
	setup_plan_free(&p);
	host_done(&h);

	/* No topology read: fail closed, naming what could not be read. */
	host_init(&h, NULL);
	free(h.topo.cpus);
	h.topo.cpus = NULL;
	h.topo.ncpus = 0;
	cpuset_clear(&h.topo.online);
	assert_int_equal(cpuset_parse_list("2-3", &cpus), 0);
	assert_int_equal(kparams_plan(&h, &(struct kparams_request){ .isolate = &cpus }, &p, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "cannot read this host's CPUs (/sys/devices/system/cpu)"));
	error_clear(&err);
	setup_plan_free(&p);
	host_done(&h);
	cpuset_clear(&cpus);
}

/* The numbers of tune hugepages (hugepage_plan_make and hugepage_kernel_params). */
static void test_hugepages(void **state)
{
	static const struct {
		uint64_t memory, page_kb;
		const char *want;
	} cases[] = {
		{ 16ull << 30, 0, "default_hugepagesz=1G hugepagesz=1G hugepages=16" },
		{ 8ull << 30, 2048, "default_hugepagesz=2M hugepagesz=2M hugepages=4096" },
		{ 1001ull << 20, 0, "default_hugepagesz=2M hugepagesz=2M hugepages=501" },
	};
	struct host h;

	(void)state;
	host_init(&h, NULL);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct setup_plan p = { 0 };
		struct hugepage_plan hp = { 0 };
		struct error err = { 0 };
		char *s, *tune;
		assert_int_equal(kparams_plan(&h, &(struct kparams_request){ .hugepages = cases[i].memory,
									      .page_kb = cases[i].page_kb },
					      &p, &err),
				 0);
		s = params(&p);
		assert_string_equal(s, cases[i].want);
		assert_int_equal(hugepage_plan_make(&h, &(struct hugepage_request){ cases[i].memory, cases[i].page_kb }, &hp,
						    &err),
				 0);
		tune = hugepage_kernel_params(&hp);
		assert_string_equal(s, tune);
		assert_non_null(strstr(p.warnings.v[0], "locked away from the host"));
		free(s);
		free(tune);
		hugepage_plan_free(&hp);
		setup_plan_free(&p);
	}
	/* More than the host has: refused with hugepage_plan_make's reason. */
	{
		struct setup_plan p = { 0 };
		struct error err = { 0 };
		assert_int_equal(kparams_plan(&h, &(struct kparams_request){ .hugepages = 64ull << 30 }, &p, &err), -EINVAL);
		assert_non_null(strstr(err.msg, "but the host has 16384 MiB of memory in all"));
		assert_int_equal(p.params.n, 0);
		error_clear(&err);
		setup_plan_free(&p);
	}
	host_done(&h);
}

/* An isolcpus= of the boot files with flags ([flag-list,]cpu-list): the
 * new CPUs, its flags kept, said until the files have it. */
static void test_isolcpus_flags(void **state)
{
	static const struct {
		const char *text, *params, *said;
	} cases[] = {
		{ "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet isolcpus=domain,managed_irq,2-5\"\n",
		  "isolcpus=domain,managed_irq,6-11 nohz_full=6-11 rcu_nocbs=6-11",
		  "the isolcpus= of the boot files has the flags domain,managed_irq: they are kept, "
		  "isolcpus=domain,managed_irq,6-11" },
		/* Already there: kept, nothing said. */
		{ "GRUB_CMDLINE_LINUX_DEFAULT=\"isolcpus=domain,managed_irq,6-11 nohz_full=6-11 rcu_nocbs=6-11\"\n",
		  "isolcpus=domain,managed_irq,6-11 nohz_full=6-11 rcu_nocbs=6-11", NULL },
		/* Once each, the kernel's only (an unknown one voids the parameter);
		 * a commented line and a longer name are not the parameter. */
		{ "# GRUB_CMDLINE_LINUX=\"isolcpus=managed_irq,1\"\nGRUB_CMDLINE_LINUX=\"xisolcpus=domain,1 "
		  "isolcpus=nohz,bogus,nohz,2-5\"\n",
		  "isolcpus=nohz,6-11 nohz_full=6-11 rcu_nocbs=6-11",
		  "the isolcpus= of the boot files has the flags nohz: they are kept, isolcpus=nohz,6-11" },
		{ "options isolcpus=2-5 quiet\n", "isolcpus=6-11 nohz_full=6-11 rcu_nocbs=6-11", NULL },
	};
	struct cpuset cpus = { 0 };

	(void)state;
	assert_int_equal(cpuset_parse_list("6-11", &cpus), 0);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct boot_file f = { (char *)"etc/default/grub", (char *)cases[i].text, true };
		struct host h;
		struct setup_plan p = { 0 };
		struct error err = { 0 };
		char *s;
		host_init(&h, NULL);
		h.boot.files = (struct boot_files){ .v = &f, .n = 1 };
		assert_int_equal(kparams_plan(&h, &(struct kparams_request){ .isolate = &cpus }, &p, &err), 0);
		s = params(&p);
		assert_string_equal(s, cases[i].params);
		/* The SMT siblings' warning, then this one. */
		assert_int_equal(p.warnings.n, cases[i].said ? 2 : 1);
		if (cases[i].said)
			assert_string_equal(p.warnings.v[1], cases[i].said);
		free(s);
		h.boot.files = (struct boot_files){ 0 };
		setup_plan_free(&p);
		host_done(&h);
	}
	cpuset_clear(&cpus);
}

/* kvm.conf: kvm's options merged, never a second options line or option. */
static void test_ignore_msrs(void **state)
{
	static const struct {
		const char *before, *after;
	} cases[] = {
		{ NULL, "# Written by vfiokit setup: KVM ignores the guest's accesses to MSRs it does not\n"
			"# know (the article's \"Bluescreen at boot since Windows 10 1803\").\n"
			"# 'vfiokit undo' takes it back.\n"
			"options kvm ignore_msrs=1 report_ignored_msrs=0\n" },
		/* The user's line: ignore_msrs=0 replaced where it is, the rest kept. */
		{ "# mine\noptions kvm ignore_msrs=0 halt_poll_ns=0\noptions kvm_intel nested=1\n",
		  "# mine\noptions kvm ignore_msrs=1 halt_poll_ns=0 report_ignored_msrs=0\noptions kvm_intel nested=1\n" },
		/* Two lines each with one of them; - and _ alike; no newline at the end. */
		{ "options kvm report-ignored-msrs=1\noptions kvm ignore_msrs=1",
		  "options kvm report_ignored_msrs=0\noptions kvm ignore_msrs=1" },
		/* Comments and other modules are not kvm's line. */
		{ "#options kvm ignore_msrs=0\noptions kvm_amd nested=0\n",
		  "#options kvm ignore_msrs=0\noptions kvm_amd nested=0\noptions kvm ignore_msrs=1 report_ignored_msrs=0\n" },
		/* Values that already mean the same (kvm's are bools: Y, y, 1; N,
		 * n, 0): left as written, not rewritten as 1 and 0. */
		{ "options kvm ignore_msrs=Y report_ignored_msrs=N\n", "options kvm ignore_msrs=Y report_ignored_msrs=N\n" },
		{ "options kvm ignore-msrs=y halt_poll_ns=0 report_ignored_msrs=n\n",
		  "options kvm ignore-msrs=y halt_poll_ns=0 report_ignored_msrs=n\n" },
		{ "options kvm ignore_msrs=Y report_ignored_msrs=Y\n", "options kvm ignore_msrs=Y report_ignored_msrs=0\n" },
		{ "options kvm ignore_msrs=N\n", "options kvm ignore_msrs=1 report_ignored_msrs=0\n" },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct host h;
		struct setup_plan p = { 0 }, again = { 0 };
		struct error err = { 0 };
		host_init(&h, cases[i].before);
		assert_int_equal(kparams_plan(&h, &(struct kparams_request){ .ignore_msrs = true }, &p, &err), 0);
		assert_int_equal(p.params.n, 0);
		assert_string_equal(file(&p, "etc/modprobe.d/kvm.conf"), cases[i].after);
		/* Nothing changed, nothing to reboot for. */
		if (cases[i].before && streq(cases[i].before, cases[i].after))
			assert_int_equal(p.warnings.n, 0);
		/* Its own output: unchanged. */
		free(h.boot.modprobe_kvm);
		h.boot.modprobe_kvm = strdup(cases[i].after);
		assert_int_equal(kparams_plan(&h, &(struct kparams_request){ .ignore_msrs = true }, &again, &err), 0);
		assert_string_equal(file(&again, "etc/modprobe.d/kvm.conf"), cases[i].after);
		setup_plan_free(&p);
		setup_plan_free(&again);
		host_done(&h);
	}
	/* No kvm.conf in /etc, a packaged one: /etc's would replace it, so its
	 * lines are copied in, said. */
	{
		struct host h;
		struct setup_plan p = { 0 };
		struct error err = { 0 };
		host_init(&h, "options kvm halt_poll_ns=0\n");
		h.boot.modprobe_kvm_from = "usr/lib/modprobe.d/kvm.conf";
		assert_int_equal(kparams_plan(&h, &(struct kparams_request){ .ignore_msrs = true }, &p, &err), 0);
		assert_string_equal(file(&p, "etc/modprobe.d/kvm.conf"),
				    "# Written by vfiokit setup: KVM ignores the guest's accesses to MSRs it does not\n"
				    "# know (the article's \"Bluescreen at boot since Windows 10 1803\").\n"
				    "# 'vfiokit undo' takes it back.\n"
				    "# The lines of /usr/lib/modprobe.d/kvm.conf, which this file replaces (modprobe.d(5)):\n"
				    "options kvm halt_poll_ns=0 ignore_msrs=1 report_ignored_msrs=0\n");
		assert_string_equal(p.warnings.v[0], "/etc/modprobe.d/kvm.conf replaces /usr/lib/modprobe.d/kvm.conf, a file "
						     "of the same name: its lines are copied into it");
		setup_plan_free(&p);
		host_done(&h);
	}
	/* /etc's masked (a link to /dev/null): left alone, said. */
	{
		struct host h;
		struct setup_plan p = { 0 };
		struct error err = { 0 };
		host_init(&h, NULL);
		h.boot.modprobe_kvm_odd = true;
		assert_int_equal(kparams_plan(&h, &(struct kparams_request){ .ignore_msrs = true }, &p, &err), 0);
		assert_int_equal(p.nfiles, 0);
		assert_non_null(strstr(p.manual.v[0], "/etc/modprobe.d/kvm.conf is there but is no file vfiokit can read"));
		setup_plan_free(&p);
		host_done(&h);
	}
	/* modprobe.d files read after kvm.conf: their values win, said only
	 * where they mean otherwise (the last of each name in a file counts). */
	{
		static const char *const later[][2] = {
			{ "etc/modprobe.d/a.conf", "ignore_msrs=Y report_ignored_msrs=N" },
			{ "etc/modprobe.d/b.conf", "ignore-msrs=1" },
			{ "etc/modprobe.d/c.conf", "ignore_msrs=0 report_ignored_msrs=0" },
			{ "etc/modprobe.d/d.conf", "report_ignored_msrs=1 ignore_msrs=1" },
			{ "etc/modprobe.d/e.conf", "ignore_msrs=0 ignore_msrs=y" },
			{ "etc/modprobe.d/f.conf", "ignore_msrs=yes" },
		};
		struct host h;
		struct setup_plan p = { 0 };
		struct error err = { 0 };
		host_init(&h, "options kvm ignore_msrs=1 report_ignored_msrs=0\n");
		for (size_t i = 0; i < ARRAY_SIZE(later); i++) {
			assert_int_equal(strv_push(&h.boot.modprobe_kvm_later, later[i][0]), 0);
			assert_int_equal(strv_push(&h.boot.modprobe_kvm_later_opts, later[i][1]), 0);
		}
		assert_int_equal(kparams_plan(&h, &(struct kparams_request){ .ignore_msrs = true }, &p, &err), 0);
		assert_int_equal(p.warnings.n, 3);
		assert_string_equal(p.warnings.v[0], "/etc/modprobe.d/c.conf sets kvm's ignore_msrs=0, and modprobe reads it "
						     "after /etc/modprobe.d/kvm.conf: its value wins over ignore_msrs=1 "
						     "report_ignored_msrs=0; remove it there");
		assert_non_null(strstr(p.warnings.v[1], "/etc/modprobe.d/d.conf sets kvm's report_ignored_msrs=1, and"));
		/* "yes" is no spelling read as 1 here: said, to be looked at. */
		assert_non_null(strstr(p.warnings.v[2], "/etc/modprobe.d/f.conf sets kvm's ignore_msrs=yes, and"));
		strv_clear(&h.boot.modprobe_kvm_later);
		strv_clear(&h.boot.modprobe_kvm_later_opts);
		setup_plan_free(&p);
		host_done(&h);
	}
	/* A line continued on the next: left alone, said what to add. */
	{
		struct host h;
		struct setup_plan p = { 0 };
		struct error err = { 0 };
		host_init(&h, "options kvm halt_poll_ns=0 \\\n ignore_msrs=0\n");
		assert_int_equal(kparams_plan(&h, &(struct kparams_request){ .ignore_msrs = true }, &p, &err), 0);
		assert_int_equal(p.nfiles, 0);
		assert_int_equal(p.manual.n, 1);
		assert_string_equal(p.manual.v[0], "modprobe.d: /etc/modprobe.d/kvm.conf line 1: options kvm continues on the "
						   "next line: left untouched: add ignore_msrs=1 report_ignored_msrs=0 to "
						   "kvm's options line");
		setup_plan_free(&p);
		host_done(&h);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_isolcpus),
		cmocka_unit_test(test_isolcpus_flags),
		cmocka_unit_test(test_hugepages),
		cmocka_unit_test(test_ignore_msrs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
