/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vfiokit tune: the article's "Performance tuning". This release: what the
 * host offers (status), the CPU topology as the article reads it (lscpu
 * -e), CPU pinning, and huge pages. */
#include <inttypes.h>

#include "cli/cli.h"
#include "emit/cputune.h"
#include "emit/hook.h"
#include "plan/hugepages.h"
#include "apply/journal.h"
#include "apply/lock.h"
#include "emit/memory.h"
#include "plan/pin.h"
#include "plan/setup.h"

enum { COL_CPU, COL_NODE, COL_SOCKET, COL_DIE, COL_CORE, COL_L3, COL_ONLINE, COL_SIBLINGS, COL_L3CPUS, COL_KIND, COL_COREID };

static const struct cli_column topo_infos[] = {
	[COL_CPU] = { "CPU", 3, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "logical CPU number" },
	[COL_NODE] = { "NODE", 2, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "NUMA node" },
	[COL_SOCKET] = { "SOCKET", 2, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "physical package" },
	[COL_DIE] = { "DIE", 2, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "die in the package" },
	[COL_CORE] = { "CORE", 3, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "core, numbered as lscpu -e does: CPUs of one core share it" },
	[COL_L3] = { "L3", 2, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "L3 domain: CPUs with the same number share an L3 cache" },
	[COL_ONLINE] = { "ONLINE", 3, 0, SCOLS_JSON_STRING, "yes or no" },
	[COL_SIBLINGS] = { "SIBLINGS", 0.1, 0, SCOLS_JSON_STRING, "the CPUs of its core (SMT siblings)" },
	[COL_L3CPUS] = { "L3CPUS", 0.1, 0, SCOLS_JSON_STRING, "the CPUs of its L3 domain" },
	[COL_KIND] = { "KIND", 0.1, 0, SCOLS_JSON_STRING, "hybrid CPUs: P-core or E-core" },
	[COL_COREID] = { "COREID", 3, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "core_id as the kernel numbers it in its package" },
};

static const int topo_default[] = { COL_CPU, COL_NODE, COL_SOCKET, COL_CORE, COL_L3, COL_ONLINE, COL_SIBLINGS };

static void help(void)
{
	fputs("Usage: vfiokit tune status [OPTIONS]\n"
	      "       vfiokit tune topology [OPTIONS]\n"
	      "       vfiokit tune pin --vcpus N [--apply] [OPTIONS]\n"
	      "       vfiokit tune hugepages --memory SIZE [--apply] [OPTIONS]\n"
	      "       vfiokit tune hook GUEST --vcpus N [--isolate] [--memory SIZE] [--governor] [--no-sleep]\n"
	      "\n"
	      "The article's \"Performance tuning\".\n"
	      "\n"
	      "  status     memory, transparent and reserved huge pages, 1 GiB page support, the\n"
	      "             frequency driver and governor, CPUs isolated at boot, cgroup and\n"
	      "             systemd versions (dynamic isolation needs cgroup v2, systemd 244)\n"
	      "  topology   the CPUs as the article reads them with lscpu -e: cores, SMT siblings,\n"
	      "             L3 domains, NUMA nodes, P- and E-cores\n"
	      "  pin        which host CPU each vCPU runs on: never CPU 0's core while the guest\n"
	      "             fits without it (or what --host-cpus says), the GPU's NUMA node first,\n"
	      "             one NUMA node whenever the guest fits in one (a warning when not), the\n"
	      "             host keeps the L3 domain of CPU 0 if it still can, SMT siblings\n"
	      "             together, whole L3 domains, P-cores before E-cores, faster first;\n"
	      "             printed as libvirt XML (<vcpu>, <cputune>, <cpu><topology>), the\n"
	      "             plain QEMU prefix (chrt, taskset, -smp) and isolation parameters;\n"
	      "             --apply writes those to the bootloader (vfiokit setup --isolcpus)\n"
	      "\n"
	      "  hugepages  how many huge pages the guest's memory takes, whether the host has\n"
	      "             them now, and the libvirt XML, kernel parameters and commands;\n"
	      "             --apply writes the parameters (vfiokit setup --hugepages)\n"
	      "\n"
	      "  hook       the libvirt hook script for GUEST (for /etc/libvirt/hooks/qemu.d):\n"
	      "             while the guest runs, the host's slices keep to the host CPUs of the\n"
	      "             pinning (--isolate), the huge pages are reserved (--memory), the guest's\n"
	      "             CPUs run the performance governor (--governor), sleep is blocked\n"
	      "             (--no-sleep); everything is undone when it stops. Shown as a diff;\n"
	      "             --apply installs it through the journal ('vfiokit undo' removes it).\n"
	      "\n"
	      "Options of pin:\n"
	      "      --vcpus N          vCPUs of the guest\n"
	      "      --host-cpus LIST   CPUs the host keeps (0-1,6-7); the default is chosen as above\n"
	      "      --gpu ADDR         prefer the NUMA node of the guest's GPU\n"
	      "      --iothreads N      add <iothreads> and pin them with the emulator (default 0)\n"
	      "      --xml              print only the libvirt XML\n"
	      "Options of hugepages (and hook):\n"
	      "      --memory SIZE      the guest's memory: 16G, 8192M, 16GiB\n"
	      "      --page-size SIZE   2M or 1G (default 1G when the CPU has pdpe1gb and SIZE is\n"
	      "                         whole GiB, else 2M)\n"
	      "      --xml              print only the libvirt XML\n"
	      "Options of hook (with those of pin and hugepages):\n"
	      "      --isolate          dynamic CPU isolation (needs cgroup v2 and systemd 244)\n"
	      "      --governor         the performance governor on the guest's CPUs while it runs\n"
	      "      --no-sleep         block the host's sleep while the guest runs\n"
	      "      --apply            install the script (as root; --root DIR writes into DIR);\n"
	      "                         of pin and hugepages: write the kernel parameters, shown\n"
	      "                         as a diff, through the journal ('vfiokit undo')\n"
	      "Options of all:\n"
	      "  -J, --json             JSON output\n"
	      "  -o, --output LIST      topology: columns to print; +LIST adds to the default\n"
	      "  -r, --raw, -n, --noheadings\n"
	      "      --root DIR         read the machine from DIR instead of /\n"
	      "  -h, --help             this help\n"
	      "\n"
	      "Columns of topology:\n",
	      stdout);
	cli_columns_help(&(struct cli_columns){ .info = topo_infos, .ninfo = ARRAY_SIZE(topo_infos) });
	fputs("\nExit status: 0 done, 1 the plan cannot be made (says why), 2 usage error.\n"
	      "See vfiokit-tune(1).\n",
	      stdout);
}

struct tune_opts {
	struct cli_table_opts t;
	bool xml, isolate, governor, no_sleep, apply;
	const char *guest;
	const char *root, *host_cpus, *gpu;
	long vcpus, iothreads;
	uint64_t memory, page_kb;
};

static int set_num(struct libscols_line *ln, const struct cli_columns *c, int col, int v)
{
	return v >= 0 ? cli_cellf(ln, c, col, "%d", v) : 0;
}

static int print_topology(const struct host *h, const struct tune_opts *o)
{
	const struct cpu_topology *t = &h->topo;
	struct cli_columns c;
	struct libscols_table *tb;
	int r;

	cli_columns_init(&c, topo_infos, ARRAY_SIZE(topo_infos), topo_default, ARRAY_SIZE(topo_default));
	if (t->hybrid && !o->t.columns)
		c.cols[c.ncols++] = COL_KIND;
	if (o->t.columns && (r = cli_columns_parse(&c, "tune", o->t.columns)) != 0)
		return r;
	tb = cli_table_new(&c, "cpus", o->t.json, o->t.raw, o->t.noheadings);
	if (!tb)
		return -ENOMEM;
	for (size_t i = 0; i < t->ncpus; i++) {
		const struct cpu_info *ci = &t->cpus[i];
		struct libscols_line *ln = scols_table_new_line(tb, NULL);
		_cleanup_free_ char *sib = ci->core >= 0 ? cpuset_format(&t->cores[ci->core]) : NULL;
		_cleanup_free_ char *l3 = ci->l3 >= 0 ? cpuset_format(&t->l3s[ci->l3]) : NULL;
		int k = 0;

		if (!ln || (ci->core >= 0 && !sib) || (ci->l3 >= 0 && !l3)) {
			scols_unref_table(tb);
			return -ENOMEM;
		}
		k |= cli_cellf(ln, &c, COL_CPU, "%u", ci->cpu);
		k |= set_num(ln, &c, COL_NODE, ci->node);
		k |= set_num(ln, &c, COL_SOCKET, ci->package);
		k |= set_num(ln, &c, COL_DIE, ci->die);
		k |= set_num(ln, &c, COL_CORE, ci->core);
		k |= set_num(ln, &c, COL_L3, ci->l3);
		k |= set_num(ln, &c, COL_COREID, ci->core_id);
		k |= cli_cell(ln, &c, COL_ONLINE, ci->online ? "yes" : "no");
		k |= cli_cell(ln, &c, COL_SIBLINGS, sib);
		k |= cli_cell(ln, &c, COL_L3CPUS, l3);
		if (ci->kind != CPU_KIND_UNKNOWN)
			k |= cli_cell(ln, &c, COL_KIND, ci->kind == CPU_KIND_PERFORMANCE ? "P-core" : "E-core");
		if (k) {
			scols_unref_table(tb);
			return -ENOMEM;
		}
	}
	cli_print_table(tb);
	scols_unref_table(tb);
	if (!o->t.json && !o->t.raw) {
		size_t online = cpuset_count(&t->online);
		printf("\n%zu online CPUs in %zu cores (%s), %zu L3 domain%s%s:", online, t->ncores,
		       t->ncores < online ? "SMT: CPUs of a core are siblings, pin them together" : "no SMT", t->nl3s,
		       t->nl3s == 1 ? "" : "s", t->l3_guessed ? " (guessed: one per package)" : "");
		for (size_t i = 0; i < t->nl3s; i++) {
			_cleanup_free_ char *s = cpuset_format(&t->l3s[i]);
			printf(" %s", s ? s : "?");
			if (i + 1 < t->nl3s)
				putchar(';');
		}
		printf(".\n");
		if (t->nl3s > 1)
			printf("Give the guest whole L3 domains: a domain shared with the host means cache evictions.\n");
		else
			printf("One L3 for all cores: pin whole cores (their SMT siblings together), any of them.\n");
	}
	return 0;
}

/* Whether the action prints a libvirt fragment (libxml2's): pin and
 * hugepages but as -J (and pin's -r) tables. */
static bool shows_xml(const char *action, const struct tune_opts *o)
{
	if (streq(action, "pin"))
		return o->xml || !(o->t.json || o->t.raw);
	if (streq(action, "hugepages"))
		return o->xml || !o->t.json;
	return false;
}

static int print_pin(const struct host *h, const struct pin_plan *p, const struct tune_opts *o)
{
	static const struct cli_column cols[] = {
		{ "VCPU", 3, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, NULL }, { "CPU", 3, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, NULL },
		{ "CORE", 3, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, NULL }, { "L3", 2, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, NULL },
		{ "NODE", 2, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, NULL },
	};
	static const int all[] = { 0, 1, 2, 3, 4 };
	bool xml_shown = shows_xml("pin", o);
	_cleanup_free_ char *xml = xml_shown ? cputune_domain_xml(p, (unsigned)o->iothreads,
								  host_cpu_vendor(h) == CPU_AMD) :
					       NULL;
	_cleanup_free_ char *qemu = cputune_qemu_prefix(p), *iso = cputune_isolation_params(p);
	_cleanup_free_ char *g = cpuset_format(&p->guest), *hs = cpuset_format(&p->host);
	struct cli_columns c;
	struct libscols_table *tb;

	if ((xml_shown && !xml) || !qemu || !iso || !g || !hs)
		return -ENOMEM;
	if (o->xml) {
		fputs(xml, stdout);
		return 0;
	}
	cli_columns_init(&c, cols, ARRAY_SIZE(cols), all, ARRAY_SIZE(all));
	tb = cli_table_new(&c, "vcpus", o->t.json, o->t.raw, o->t.noheadings);
	if (!tb)
		return -ENOMEM;
	for (size_t i = 0; i < p->nvcpus; i++) {
		const struct cpu_info *ci = topology_cpu(&h->topo, p->vcpu_cpu[i]);
		struct libscols_line *ln = scols_table_new_line(tb, NULL);
		int k;
		if (!ln || !ci) {
			scols_unref_table(tb);
			return -ENOMEM;
		}
		k = cli_cellf(ln, &c, 0, "%zu", i) | cli_cellf(ln, &c, 1, "%u", ci->cpu) | set_num(ln, &c, 2, ci->core) |
		    set_num(ln, &c, 3, ci->l3) | set_num(ln, &c, 4, ci->node);
		if (k) {
			scols_unref_table(tb);
			return -ENOMEM;
		}
	}
	cli_print_table(tb);
	scols_unref_table(tb);
	if (o->t.json || o->t.raw)
		return 0;
	printf("\nguest CPUs: %s; host CPUs: %s%s\n", g, *hs ? hs : "none",
	       *hs ? " (emulator and I/O threads run there)" : "");
	for (size_t i = 0; i < p->notes.n; i++)
		printf("  %s\n", p->notes.v[i]);
	printf("\nlibvirt (virsh edit NAME; merge into <domain>):\n%s", xml);
	printf("\nplain QEMU (the article's \"Isolating pinned CPUs\"):\n  %s ...\n", qemu);
	if (*hs)
		printf("\nstatic isolation, kernel parameters (or isolate when the guest starts):\n  %s\n", iso);
	else
		/* isolcpus= of every CPU leaves no housekeeping CPU: the kernel
		 * takes CPU 0 back, and --apply refuses it. */
		printf("\nstatic isolation: none; every CPU goes to the guest and the host needs one (give fewer "
		       "--vcpus to isolate)\n");
	return 0;
}

/* --apply of pin and hugepages: the tuning part of `vfiokit setup`, the
 * same plan and the same way through the journal. */
static int apply_kparams(const struct host *h, const char *cmd, const struct kparams_request *rq)
{
	struct setup_plan sp = { 0 };
	_cleanup_error_ struct error err = { 0 };
	int k, r;

	printf("\n");
	k = setup_tune_plan_make(h, rq, &sp, &err);
	if (k == -EINVAL)
		return cli_error_exit(cmd, &err);
	if (k < 0) {
		cli_error("out of memory");
		return EXIT_PROBLEM;
	}
	r = cli_setup_show_apply(cmd, h, &sp, true, NULL, NULL, NULL);
	setup_plan_free(&sp);
	return r;
}

static int run_pin(struct host *h, const struct tune_opts *o)
{
	struct cpuset host = { 0 };
	struct pin_request rq = { .nvcpus = (unsigned)o->vcpus, .prefer_node = -1 };
	struct pin_plan p = { 0 };
	_cleanup_error_ struct error err = { 0 };
	int k, r;

	if (o->host_cpus) {
		k = cpuset_parse_list(o->host_cpus, &host);
		if (k < 0 || cpuset_count(&host) == 0)
			return cli_usage_error("tune", "--host-cpus takes a CPU list like 0-1,6-7, not '%s'", o->host_cpus);
		rq.host = &host;
	}
	if (o->gpu) {
		struct pci_addr a;
		const struct pci_device *d;
		if (parse_pci_addr(o->gpu, &a) < 0) {
			cpuset_clear(&host);
			return cli_usage_error("tune", "--gpu takes a PCI address like 0000:01:00.0, not '%s'", o->gpu);
		}
		d = host_find_pci(h, &a);
		if (!d) {
			cli_error("there is no PCI device %s ('vfiokit groups --gpu' lists the GPUs)", o->gpu);
			cpuset_clear(&host);
			return EXIT_PROBLEM;
		}
		rq.prefer_node = d->numa_node;
	}
	k = pin_plan_make(&h->topo, &rq, &p, &err);
	cpuset_clear(&host);
	if (k == -EINVAL)
		return cli_error_exit("tune", &err);
	for (size_t i = 0; k == 0 && i < p.warnings.n; i++)
		cli_warn("%s", p.warnings.v[i]);
	if (k < 0 || (r = print_pin(h, &p, o)) < 0) {
		pin_plan_free(&p);
		cli_error("out of memory");
		return EXIT_PROBLEM;
	}
	r = o->apply ? apply_kparams(h, "tune pin", &(struct kparams_request){ .isolate = &p.guest }) : EXIT_OK;
	pin_plan_free(&p);
	return r;
}

static char *gib(uint64_t kb)
{
	return strdupf("%.1f GiB", (double)kb / (1024.0 * 1024.0));
}

static const char *freq_note(const struct cpufreq_group *g)
{
	if (g->driver && streq(g->driver, "intel_pstate"))
		return "intel_pstate: cpupower commands are ineffective (the article); watch the MHz in /proc/cpuinfo "
		       "under load";
	if (g->governor && streq(g->governor, "performance"))
		return "full frequency all the time; on Zen 2 and Zen 3 this can leave less boost headroom (the "
		       "article): benchmark it";
	if (g->governor)
		return "the vCPU threads may not load a CPU enough to ramp its frequency up: if the guest stutters, "
		       "try the performance governor while it runs";
	return NULL;
}

static int status_row(struct libscols_table *tb, const char *item, const char *value, const char *note)
{
	struct libscols_line *ln = scols_table_new_line(tb, NULL);

	if (!ln || scols_line_set_data(ln, 0, item) < 0 || (value && scols_line_set_data(ln, 1, value) < 0) ||
	    (note && scols_line_set_data(ln, 2, note) < 0))
		return -ENOMEM;
	return 0;
}

static int print_status(const struct host *h, const struct tune_opts *o)
{
	static const struct cli_column cols[] = {
		{ "ITEM", 0.1, 0, SCOLS_JSON_STRING, NULL },
		{ "VALUE", 0.2, 0, SCOLS_JSON_STRING, NULL },
		{ "NOTE", 0.5, SCOLS_FL_WRAP, SCOLS_JSON_STRING, NULL },
	};
	static const int all[] = { 0, 1, 2 };
	const struct host_tuning *t = &h->tuning;
	struct cli_columns c;
	struct libscols_table *tb;
	int k = 0;

	cli_columns_init(&c, cols, ARRAY_SIZE(cols), all, ARRAY_SIZE(all));
	tb = cli_table_new(&c, "status", o->t.json, o->t.raw, o->t.noheadings);
	if (!tb)
		return -ENOMEM;
	if (t->mem_total_kb) {
		_cleanup_free_ char *a = gib(t->mem_total_kb), *b = t->mem_available_kb ? gib(t->mem_available_kb) : NULL;
		_cleanup_free_ char *v = a ? strdupf("%s total%s%s%s", a, b ? ", " : "", b ? b : "", b ? " available" : "") : NULL;
		k |= v ? status_row(tb, "memory", v, NULL) : -ENOMEM;
	} else
		k |= status_row(tb, "memory", "unknown", "no /proc/meminfo");
	k |= status_row(tb, "transparent huge pages", t->thp ? t->thp : "unknown",
			t->thp && streq(t->thp, "never") ? "off: the guest gets 4 KiB pages unless huge pages are reserved" :
			t->thp ? "QEMU uses 2 MiB pages without configuration, but falls back to 4 KiB pages silently "
				 "when memory is fragmented (the article)" : NULL);
	for (size_t i = 0; i < t->npools; i++) {
		_cleanup_free_ char *item = t->pools[i].size_kb >= 1048576 ?
						    strdupf("huge pages, %" PRIu64 " GiB", t->pools[i].size_kb / 1048576) :
						    strdupf("huge pages, %" PRIu64 " MiB", t->pools[i].size_kb / 1024);
		_cleanup_free_ char *v = strdupf("%ld reserved, %ld free", t->pools[i].nr, t->pools[i].free);
		k |= item && v ? status_row(tb, item, v, NULL) : -ENOMEM;
	}
	k |= status_row(tb, "1 GiB pages", h->cpu.pdpe1gb ? "supported" : "not supported",
			h->cpu.pdpe1gb ? "the CPU has pdpe1gb" : "no pdpe1gb flag in /proc/cpuinfo: 2 MiB pages only");
	for (size_t i = 0; i < t->nfreq; i++) {
		_cleanup_free_ char *cpus = cpuset_format(&t->freq[i].cpus);
		_cleanup_free_ char *v = cpus ? strdupf("%s, %s on CPUs %s", t->freq[i].driver ? t->freq[i].driver : "?",
							 t->freq[i].governor ? t->freq[i].governor : "?", cpus) : NULL;
		k |= v ? status_row(tb, "CPU frequency", v, freq_note(&t->freq[i])) : -ENOMEM;
	}
	if (!t->nfreq)
		k |= status_row(tb, "CPU frequency", "unknown", "no cpufreq in sysfs (a virtual machine, or no driver)");
	{
		_cleanup_free_ char *iso = cpuset_format(&t->isolated), *nohz = cpuset_format(&t->nohz_full);
		if (!iso || !nohz)
			k = -ENOMEM;
		else {
			k |= status_row(tb, "isolated CPUs", *iso ? iso : "none",
					*iso ? "isolcpus on the kernel command line" : NULL);
			k |= status_row(tb, "nohz_full CPUs", *nohz ? nohz : "none", NULL);
		}
	}
	k |= status_row(tb, "cgroup", t->cgroup == 2 ? "v2" : t->cgroup == 1 ? "v1 or hybrid" : "unknown",
			t->cgroup == 1 ? "dynamic CPU isolation with systemd's AllowedCPUs needs cgroup v2: isolate "
					 "with isolcpus instead, or boot with systemd.unified_cgroup_hierarchy=1" : NULL);
	{
		_cleanup_free_ char *v = t->systemd > 0 ? strdupf("%d", t->systemd) : strdup("unknown");
		k |= v ? status_row(tb, "systemd", v,
				    t->systemd > 0 && t->systemd < 244 ? "older than 244: no AllowedCPUs, so no dynamic "
									 "isolation through systemd" : NULL) :
			 -ENOMEM;
	}
	if (k < 0) {
		scols_unref_table(tb);
		return -ENOMEM;
	}
	cli_print_table(tb);
	scols_unref_table(tb);
	return 0;
}

static int run_hugepages(const struct host *h, const struct tune_opts *o)
{
	struct hugepage_request rq = { .memory = o->memory, .page_kb = o->page_kb };
	struct hugepage_plan p = { 0 };
	_cleanup_error_ struct error err = { 0 };
	_cleanup_free_ char *xml = NULL, *params = NULL, *cmds = NULL;
	int k = hugepage_plan_make(h, &rq, &p, &err);

	if (k == -EINVAL)
		return cli_error_exit("tune", &err);
	if (k < 0 || (shows_xml("hugepages", o) && !(xml = memory_domain_xml(&p))) ||
	    !(params = hugepage_kernel_params(&p)) || !(cmds = memory_reserve_commands(&p))) {
		hugepage_plan_free(&p);
		cli_error("out of memory");
		return EXIT_PROBLEM;
	}
	if (o->xml)
		fputs(xml, stdout);
	else if (o->t.json) {
		static const struct cli_column cols[] = {
			{ "MEMORY", 0.1, 0, SCOLS_JSON_NUMBER, NULL },   { "PAGESIZE", 0.1, 0, SCOLS_JSON_NUMBER, NULL },
			{ "PAGES", 0.1, 0, SCOLS_JSON_NUMBER, NULL },    { "RESERVED", 0.1, 0, SCOLS_JSON_NUMBER, NULL },
			{ "FREE", 0.1, 0, SCOLS_JSON_NUMBER, NULL },     { "PARAMS", 0.1, 0, SCOLS_JSON_STRING, NULL },
			{ "NOTES", 0.1, 0, SCOLS_JSON_ARRAY_STRING, NULL },
		};
		static const int all[] = { 0, 1, 2, 3, 4, 5, 6 };
		struct cli_columns c;
		struct libscols_table *tb;
		struct libscols_line *ln;
		_cleanup_free_ char *notes = strv_join(&p.notes, "\n");

		cli_columns_init(&c, cols, ARRAY_SIZE(cols), all, ARRAY_SIZE(all));
		tb = cli_table_new(&c, "hugepages", true, false, false);
		ln = tb ? scols_table_new_line(tb, NULL) : NULL;
		k = !ln || !notes ? -ENOMEM : 0;
		k |= ln ? cli_cellf(ln, &c, 0, "%" PRIu64, p.memory_kb) | cli_cellf(ln, &c, 1, "%" PRIu64, p.page_kb) |
				  cli_cellf(ln, &c, 2, "%" PRIu64, p.pages) : 0;
		if (ln && p.reserved >= 0)
			k |= cli_cellf(ln, &c, 3, "%ld", p.reserved) | cli_cellf(ln, &c, 4, "%ld", p.free);
		if (ln)
			k |= cli_cell(ln, &c, 5, params) | (p.notes.n ? cli_cell(ln, &c, 6, notes) : 0);
		if (!k)
			cli_print_table(tb);
		scols_unref_table(tb);
	} else {
		printf("%" PRIu64 " pages of %" PRIu64 " KiB for %" PRIu64 " MiB\n", p.pages, p.page_kb,
		       p.memory_kb / 1024);
		for (size_t i = 0; i < p.notes.n; i++)
			printf("  %s\n", p.notes.v[i]);
		printf("\nlibvirt (virsh edit NAME; merge into <domain>):\n%s", xml);
		printf("\nat boot, kernel parameters (static huge pages):\n  %s\n", params);
		printf("\nor before the guest starts (the article's dynamic huge pages), as root:\n");
		for (char *l = cmds, *e; *l; l = e + 1) {
			e = strchr(l, '\n');
			printf("  %.*s\n", (int)(e - l), l);
		}
		printf("  and afterwards: echo 0 > the same nr_hugepages\n");
	}
	if (k >= 0 && o->apply)
		k = apply_kparams(h, "tune hugepages",
				  &(struct kparams_request){ .hugepages = o->memory, .page_kb = p.page_kb }) == EXIT_OK ? 0 : -1;
	hugepage_plan_free(&p);
	return k < 0 ? EXIT_PROBLEM : EXIT_OK;
}

static int run_hook(struct host *h, const struct tune_opts *o)
{
	const struct host_tuning *t = &h->tuning;
	struct cpuset hostset = { 0 };
	struct pin_request rq = { .nvcpus = (unsigned)o->vcpus, .prefer_node = -1 };
	struct pin_plan p = { 0 };
	struct hugepage_plan hp = { 0 };
	struct hook_spec spec = { .guest = o->guest, .no_sleep = o->no_sleep };
	_cleanup_error_ struct error err = { 0 };
	_cleanup_free_ char *script = NULL, *file = NULL;
	int k, r = EXIT_PROBLEM;

	if (o->isolate && t->cgroup == 1) {
		cli_error("dynamic isolation needs cgroup v2 (systemd's AllowedCPUs), and this host has cgroup v1: isolate "
			  "at boot with the isolcpus parameters of 'vfiokit tune pin', or boot with "
			  "systemd.unified_cgroup_hierarchy=1");
		return EXIT_PROBLEM;
	}
	if (o->isolate && t->systemd > 0 && t->systemd < 244) {
		cli_error("dynamic isolation needs systemd 244 or later (AllowedCPUs); this host has systemd %d: isolate at "
			  "boot with the isolcpus parameters of 'vfiokit tune pin'", t->systemd);
		return EXIT_PROBLEM;
	}
	if (o->isolate && (t->cgroup == 0 || t->systemd < 0))
		fprintf(stderr, "vfiokit: warning: cannot tell the %s of this machine: dynamic isolation needs cgroup v2 "
				"and systemd 244\n", t->cgroup == 0 ? "cgroup hierarchy" : "systemd version");
	if (o->host_cpus) {
		if (cpuset_parse_list(o->host_cpus, &hostset) < 0 || cpuset_count(&hostset) == 0)
			return cli_usage_error("tune", "--host-cpus takes a CPU list like 0-1,6-7, not '%s'", o->host_cpus);
		rq.host = &hostset;
	}
	k = pin_plan_make(&h->topo, &rq, &p, &err);
	cpuset_clear(&hostset);
	if (k == -EINVAL)
		return cli_error_exit("tune", &err);
	if (k < 0)
		goto oom;
	for (size_t i = 0; i < p.warnings.n; i++)
		cli_warn("%s", p.warnings.v[i]);
	if (o->isolate) {
		if (cpuset_count(&p.host) == 0) {
			cli_error("every CPU goes to the guest: nothing is left to isolate the host on; give "
				  "fewer with --vcpus");
			goto out;
		}
		spec.host_cpus = &p.host;
	}
	if (o->governor) {
		for (size_t i = 0; i < t->nfreq; i++)
			if (t->freq[i].driver && streq(t->freq[i].driver, "intel_pstate"))
				fprintf(stderr, "vfiokit: warning: intel_pstate drives these CPUs: the performance governor "
						"there is a hint, and the article says cpupower commands are ineffective\n");
		spec.perf_cpus = &p.guest;
	}
	if (o->memory) {
		struct hugepage_request hr = { .memory = o->memory, .page_kb = o->page_kb };
		k = hugepage_plan_make(h, &hr, &hp, &err);
		if (k == -EINVAL) {
			r = cli_error_exit("tune", &err);
			goto out;
		}
		if (k < 0)
			goto oom;
		spec.hugepages = hp.pages;
		spec.page_kb = hp.page_kb;
	}
	script = hook_script(&spec);
	file = hook_file_name(o->guest);
	if (!script || !file)
		goto oom;
	{
		struct journal_tx tx = { .command = strdupf("vfiokit tune hook %s", o->guest) };
		if (!tx.command)
			goto oom;
		if (cli_hook_add(&tx, h->root, file, script) != 0) {
			journal_tx_free(&tx);
			goto out;
		}
		r = cli_apply("tune hook", h->root, &tx, o->apply, NULL,
			      "libvirt runs a new hook after a restart of libvirtd (or virtqemud)", NULL);
		journal_tx_free(&tx);
	}
	goto out;
oom:
	cli_error("out of memory");
out:
	pin_plan_free(&p);
	hugepage_plan_free(&hp);
	return r;
}

enum { SV_STATUS, SV_TOPOLOGY, SV_PIN, SV_HUGEPAGES, SV_HOOK };

static const struct subverb tune_subverbs[] = {
	[SV_STATUS] = { "status", 0 },         [SV_TOPOLOGY] = { "topology", 0 },
	[SV_PIN] = { "pin", VERB_MODIFIES },   [SV_HUGEPAGES] = { "hugepages", VERB_MODIFIES },
	[SV_HOOK] = { "hook", VERB_MODIFIES },
};

enum { OPT_VCPUS = 0x100, OPT_IOTHREADS, OPT_MEMORY, OPT_PAGE_SIZE };

#define PIN CLI_SV(SV_PIN)
#define HUGE CLI_SV(SV_HUGEPAGES)
#define HOOK CLI_SV(SV_HOOK)
static const struct option_spec tune_specs[] = {
	CLI_CALL("vcpus", required_argument, OPT_VCPUS, PIN | HOOK),
	CLI_STRING("host-cpus", PIN | HOOK, struct tune_opts, host_cpus),
	CLI_STRING("gpu", PIN, struct tune_opts, gpu),
	CLI_CALL("iothreads", required_argument, OPT_IOTHREADS, PIN),
	CLI_CALL("memory", required_argument, OPT_MEMORY, HUGE | HOOK),
	CLI_CALL("page-size", required_argument, OPT_PAGE_SIZE, HUGE | HOOK),
	CLI_FLAG("isolate", HOOK, struct tune_opts, isolate),
	CLI_FLAG("governor", HOOK, struct tune_opts, governor),
	CLI_FLAG("no-sleep", HOOK, struct tune_opts, no_sleep),
	CLI_FLAG("apply", PIN | HUGE | HOOK, struct tune_opts, apply),
	CLI_FLAG("xml", PIN | HUGE, struct tune_opts, xml),
	CLI_TABLE_SPECS(CLI_SV_ALL, CLI_SV(SV_TOPOLOGY)),
	CLI_COMMON_SPECS(struct tune_opts, root),
};
#undef PIN
#undef HUGE
#undef HOOK

static int tune_parse(void *target, int val, const char *arg, const char *cmd)
{
	struct tune_opts *o = target;
	uint64_t b;

	switch (val) {
	case OPT_VCPUS:
		if (parse_int(arg, 1, CPUSET_MAX, &o->vcpus) < 0)
			return cli_usage_error(cmd, "--vcpus takes a number from 1 to %d, not '%s'", CPUSET_MAX, arg);
		return 0;
	case OPT_IOTHREADS:
		if (parse_int(arg, 0, 64, &o->iothreads) < 0)
			return cli_usage_error(cmd, "--iothreads takes a number from 0 to 64, not '%s'", arg);
		return 0;
	case OPT_MEMORY:
		if (parse_size(arg, &o->memory) < 0 || o->memory == 0)
			return cli_usage_error(cmd, "--memory takes a size like 16G or 8192M, not '%s'", arg);
		return 0;
	case OPT_PAGE_SIZE:
		if (parse_size(arg, &b) < 0 || (b != 2u << 20 && b != 1u << 30))
			return cli_usage_error(cmd, "--page-size takes 2M or 1G, not '%s'", arg);
		o->page_kb = b / 1024;
		return 0;
	default:
		cli_table_option(val, &o->t);
		return 0;
	}
}

static const struct cli_options tune_options = {
	"tune", tune_subverbs, ARRAY_SIZE(tune_subverbs), tune_specs, ARRAY_SIZE(tune_specs), tune_parse, help,
};

int cmd_tune(int argc, char **argv)
{
	struct tune_opts o = { .vcpus = -1 };
	struct path_root *root = NULL;
	struct host *h = NULL;
	const char *action;
	bool seen[CLI_OPTIONS_MAX];
	ssize_t sv;
	int r, lockfd = -1;

	r = cli_options_parse(&tune_options, "tune", argc, argv, &o, seen);
	if (r != 0)
		return r < 0 ? EXIT_OK : r;
	if (optind >= argc)
		return cli_usage_error("tune", "name what to do: status, topology, pin, hugepages or hook");
	action = argv[optind];
	if (streq(action, "hook")) {
		if (optind + 1 >= argc)
			return cli_usage_error("tune", "hook needs the guest's name");
		o.guest = argv[optind + 1];
		if (!*o.guest)
			return cli_usage_error("tune", "the guest's name is empty");
		optind++;
	}
	if (optind + 1 < argc)
		return cli_usage_error("tune", "unexpected argument '%s'", argv[optind + 1]);
	sv = cli_subverb_find(&tune_options, action);
	if (sv < 0)
		return cli_usage_error("tune", "'%s' is not a tune action: status, topology, pin, hugepages or hook", action);
	r = cli_options_check(&tune_options, "tune", (size_t)sv, seen);
	if (r != 0)
		return r;
	cli_subverb_enter(&tune_subverbs[sv]);
	if (o.apply && (o.xml || o.t.json || o.t.raw))
		return cli_usage_error("tune", "--apply shows a diff: not with --xml, -J or -r");
	if ((streq(action, "pin") || streq(action, "hook")) && o.vcpus < 0)
		return cli_usage_error("tune", "%s needs --vcpus N", action);
	if (streq(action, "hugepages") && !o.memory)
		return cli_usage_error("tune", "hugepages needs --memory SIZE");
	if (streq(action, "hook") && !o.isolate && !o.memory && !o.governor && !o.no_sleep)
		return cli_usage_error("tune",
				       "hook needs something to do: --isolate, --memory, --governor or --no-sleep");
	/* Before the lock and the host: the fragment pin and hugepages print. */
	if (shows_xml(action, &o) && cli_libxml_load() < 0)
		return EXIT_PROBLEM;
	if (cli_open_root(o.root, &root) < 0)
		return EXIT_USAGE;
	if (o.apply) {
		_cleanup_free_ char *what = strdupf("vfiokit tune %s --apply", action);
		if (!what || cli_lock(root, what, &lockfd) < 0) {
			if (!what)
				cli_error("out of memory");
			path_root_free(root);
			return EXIT_PROBLEM;
		}
	}
	if (cli_load_host(root, HOST_LOAD_TOPOLOGY | (o.gpu ? HOST_LOAD_PCI : 0) |
				      (streq(action, "status") || streq(action, "hugepages") || streq(action, "hook") ?
					       HOST_LOAD_TUNING | HOST_LOAD_SYSTEM : 0) |
				      (streq(action, "pin") ? HOST_LOAD_SYSTEM : 0) |
				      (o.apply && !streq(action, "hook") ? HOST_LOAD_BOOT | HOST_LOAD_SYSTEM : 0),
			  &h) < 0) {
		lock_release(lockfd);
		path_root_free(root);
		return EXIT_PROBLEM;
	}
	if (streq(action, "topology")) {
		r = print_topology(h, &o);
		if (r < 0) {
			cli_error("out of memory");
			r = EXIT_PROBLEM;
		}
	} else if (streq(action, "status")) {
		r = print_status(h, &o);
		if (r < 0) {
			cli_error("out of memory");
			r = EXIT_PROBLEM;
		}
	} else if (streq(action, "hugepages"))
		r = run_hugepages(h, &o);
	else if (streq(action, "hook"))
		r = run_hook(h, &o);
	else
		r = run_pin(h, &o);
	host_free(h);
	lock_release(lockfd);
	path_root_free(root);
	return r;
}
