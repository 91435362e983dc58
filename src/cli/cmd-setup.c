/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vfiokit setup: the article's boot-time isolation, shown as a diff and
 * applied through the journal. */
#include <json-c/json.h>

#include "plan/boot/backend.h"
#include "cli/cli.h"
#include "apply/lock.h"
#include "apply/journal.h"
#include "plan/setup.h"
#include "shared/escape.h"

#define MAX_WITH 16

static void help(void)
{
	fputs("Usage: vfiokit setup [--iommu intel|amd] [--iommu-pt] [OPTIONS]\n"
	      "       vfiokit setup --gpu ADDR [--with ADDR]... [OPTIONS]\n"
	      "       vfiokit setup [--isolcpus LIST] [--hugepages SIZE] [--ignore-msrs] [OPTIONS]\n"
	      "\n"
	      "Without --gpu, the first step: the IOMMU's kernel parameters alone, as the article's\n"
	      "\"Enabling IOMMU\" does, so that after a reboot the groups show which devices a guest\n"
	      "can take. The parameter follows the IOMMU the firmware reports (its ACPI table), not\n"
	      "the CPU: DMAR (Intel VT-d) gets intel_iommu=on, IVRS (AMD-Vi) none (amd_iommu=on\n"
	      "and amd_iommu=off are removed). Whether a parameter is there is judged in the boot\n"
	      "files, not in /proc/cmdline. Neither table, or tables that cannot be read: refused,\n"
	      "unless --iommu names the IOMMU.\n"
	      "\n"
	      "With --gpu, isolate the guest GPU (and the rest of its IOMMU group) at boot, as the\n"
	      "article's \"Isolating the GPU\" does: the same kernel parameters, vfio-pci\n"
	      "taking the devices by ID (/etc/modprobe.d/vfio.conf, with a softdep for every driver\n"
	      "that would claim them first; the file's other lines and an earlier setup's IDs\n"
	      "kept), the VFIO modules in the initramfs, and the bootloader's command line; then\n"
	      "the commands that regenerate them. Every installed kernel is checked for the\n"
	      "modules. Identical guest and host cards are taken by address with the article's\n"
	      "driver_override script. While the IOMMU is off (no groups), the devices named are\n"
	      "taken by ID alone, with a warning: 'vfiokit verify' judges their groups after the\n"
	      "reboot. Shows a diff; nothing changes without --apply.\n"
	      "\n"
	      "Generators: initramfs-tools, dracut, mkinitcpio (MODULES, modconf), booster.\n"
	      "Bootloaders: GRUB (/etc/default/grub), systemd-boot and grubby (the BLS entries,\n"
	      "/etc/kernel/cmdline), rEFInd (refind_linux.conf), Limine (limine.conf),\n"
	      "proxmox-boot-tool (/etc/kernel/cmdline, then proxmox-boot-tool refresh), and by\n"
	      "their own commands kernelstub (-a/-d) and rpm-ostree (kargs). What cannot be\n"
	      "edited safely is left alone, with the exact line to add.\n"
	      "\n"
	      "Tuning at boot, with --gpu or alone, through the same editors: --isolcpus,\n"
	      "--hugepages and --ignore-msrs. A parameter there with another value\n"
	      "(isolcpus=2-5) is replaced, never added twice; isolcpus= keeps its flags\n"
	      "(isolcpus=domain,managed_irq,2-5).\n"
	      "\n"
	      "Options:\n"
	      "      --gpu ADDR         the guest's GPU (0000:01:00.0 or 01:00.0)\n"
	      "      --with ADDR        another device for the guest (a USB controller, ...)\n"
	      "      --include-group    take a shared IOMMU group whole\n"
	      "      --iommu-pt         add iommu=pt (passthrough mode for the host's own devices)\n"
	      "      --iommu intel|amd  the IOMMU to plan for, overriding the firmware's ACPI tables\n"
	      "                         (DMAR or IVRS): where they cannot be read or name neither\n"
	      "      --no-kms-early     with / on dm-crypt and kernel 6.0+, leave the host GPU's\n"
	      "                         driver out of the initramfs (setup adds it, after the VFIO\n"
	      "                         modules, so the passphrase prompt stays visible)\n"
	      "      --apply            write the files (journaled: 'vfiokit undo'), run the\n"
	      "                         commands; a failure takes everything back\n"
	      "      --root DIR         the machine in DIR (an image, a mounted system): files are\n"
	      "                         written there; the commands are printed, to run inside it\n"
	      "      --chroot           with --root and --apply: run the commands inside DIR with\n"
	      "                         chroot(8) (mount its /proc, /sys and /dev first)\n"
	      "      --isolcpus LIST    isolcpus=, nohz_full=, rcu_nocbs= for these CPUs (6-11),\n"
	      "                         checked against the host's CPUs; the host keeps one\n"
	      "      --hugepages SIZE   static huge pages for SIZE of guest memory (16G), the\n"
	      "                         numbers of 'vfiokit tune hugepages'\n"
	      "      --page-size SIZE   with --hugepages: 2M or 1G\n"
	      "      --ignore-msrs      options kvm ignore_msrs=1 report_ignored_msrs=0 in\n"
	      "                         /etc/modprobe.d/kvm.conf (merged into its options kvm line)\n"
	      "  -J, --json             one JSON object on standard output: changed (false:\n"
	      "                         nothing to change), applied, journal, diff, ...\n"
	      "  -h, --help             this help\n",
	      stdout);
	/* At boot vfio-pci takes every endpoint of the group: no viability rule. */
	cli_allow_help(false);
	fputs("Every device vfio-pci would take is judged: the one named, the --with ones,\n"
	      "and with --include-group every endpoint of their groups.\n"
	      "\n"
	      "Exit status: 0 done or shown, 1 refused or failed (and put back), 2 usage error.\n"
	      "See vfiokit-setup(1).\n",
	      stdout);
}

/* What setup found: the system, its firmware, bootloaders, generators and
 * kernels (what the plan is made for). */
static int print_machine(const struct host *h)
{
	const struct host_boot *b = &h->boot;
	struct strv l = { 0 }, g = { 0 }, k = { 0 };
	_cleanup_free_ char *ls = NULL, *gs = NULL, *ks = NULL;
	int r = -ENOMEM;

	for (size_t i = 0; i < b->nfound; i++)
		if (strv_push(b->found[i].be->kind == BOOT_LOADER ? &l : &g, b->found[i].be->name) < 0)
			goto out;
	for (size_t i = 0; i < b->nkernels; i++)
		if (strv_push(&k, b->kernels[i].release) < 0)
			goto out;
	if (!(ls = strv_join(&l, " ")) || !(gs = strv_join(&g, " ")) || !(ks = strv_join(&k, " ")))
		goto out;
	cli_line(stdout, "# machine: %s, %s; bootloaders: %s; initramfs: %s; kernels: %s",
	       h->sys.os_pretty ? h->sys.os_pretty : h->sys.os_id ? h->sys.os_id : "unknown system",
	       h->sys.efi ? "EFI" : "BIOS (or EFI not visible)", l.n ? ls : "none found", g.n ? gs : "none found",
	       k.n ? ks : "none found");
	r = 0;
out:
	strv_clear(&l);
	strv_clear(&g);
	strv_clear(&k);
	return r;
}

/* A line of text, or with -J the member key of json (every list, even empty). */
static int print_list(const char *what, const struct strv *s, struct json_object *json, const char *key)
{
	_cleanup_free_ char *j = NULL;

	if (json)
		return cli_json_add_strv(json, key, s);
	if (!(j = strv_join(s, " ")))
		return -ENOMEM;
	if (s->n)
		cli_line(stdout, "# %s: %s", what, j);
	return 0;
}

int cli_setup_show_apply(const char *cmd, const struct host *h, const struct setup_plan *p, bool apply,
			 const char *chroot_dir, char **id, struct json_object *json)
{
	struct journal_tx tx = { 0 };
	struct strv devs = { 0 };
	int k, r = EXIT_PROBLEM;

	if (!json && print_machine(h) < 0)
		goto oom;
	if (!json && (p->iommu_only || p->groups_unknown))
		cli_line(stdout, "# IOMMU: %s (%s), %s", p->iommu == SETUP_IOMMU_INTEL ? "Intel VT-d" : "AMD-Vi",
			 p->iommu_named ? "named with --iommu" :
			 p->iommu == SETUP_IOMMU_INTEL ? "the firmware's DMAR table" : "the firmware's IVRS table",
			 h->ngroups ? "on (IOMMU groups exist)" : "off (no IOMMU groups yet)");
	for (size_t i = 0; i < p->ndevs; i++)
		if (strv_push(&devs, h->pci[p->devs[i]].name) < 0)
			goto oom;
	if (print_list("devices for vfio-pci", &devs, json, "devices") < 0 ||
	    print_list("IDs", &p->ids, json, "ids") < 0 ||
	    print_list("IDs kept from earlier setups", &p->kept, json, "ids_kept") < 0 ||
	    print_list("kernel parameters to add", &p->params, json, "params_add") < 0 ||
	    print_list("kernel parameters to remove", &p->stale, json, "params_remove") < 0 ||
	    print_list("drivers that wait for vfio-pci (softdep)", &p->softdeps, json, "softdeps") < 0 ||
	    print_list("initramfs modules", &p->modules, json, "initramfs_modules") < 0 ||
	    (json && (cli_json_add_strv(json, "warnings", &p->warnings) < 0 ||
		      cli_json_add_strv(json, "by_hand", &p->manual) < 0)))
		goto oom;
	for (size_t i = 0; i < p->warnings.n; i++)
		cli_warn("%s", p->warnings.v[i]);
	for (size_t i = 0; !json && i < p->manual.n; i++)
		cli_line(stdout, "# by hand: %s", p->manual.v[i]);
	tx.command = strdupf("vfiokit %s", cmd);
	if (!tx.command)
		goto oom;
	for (size_t i = 0; i < p->nfiles; i++) {
		k = journal_tx_add(&tx, h->root, p->files[i].path, p->files[i].content, (mode_t)p->files[i].mode);
		if (k == -ENOMEM)
			goto oom;
		if (k < 0) {
			if (tx.err.msg)
				cli_error("%s", tx.err.msg);
			else
				cli_error("cannot read /%s: %s; run it again as root (sudo)",
					  p->files[i].path, path_strerror(k));
			goto out;
		}
	}
	for (size_t i = 0; i < p->exec.n; i++)
		if (journal_tx_add_exec(&tx, p->exec.v[i], p->exec_undo.v[i]) < 0)
			goto oom;
	for (size_t i = 0; i < p->commands.n; i++)
		if (journal_tx_add_regen(&tx, p->commands.v[i]) < 0)
			goto oom;
	if (p->manual.n && !tx.exec.n) {
		/* Nothing to write, yet something to do by hand: not "nothing to do". */
		_cleanup_free_ char *diff = journal_tx_diff(&tx);
		if (!diff)
			goto oom;
		if (!*diff) {
			fprintf(stderr, "vfiokit: no file here for setup to change: make the changes above by hand\n");
			if (json && cli_json_apply_result(json, &tx, diff, false, false, NULL, &(struct strv){ 0 }) < 0)
				goto oom;
			r = EXIT_OK;
			goto out;
		}
	}
	/* Tuning alone: nothing to verify after the reboot but the parameters. */
	r = cli_apply_json(cmd, h->root, &tx, apply, chroot_dir,
			   p->ndevs ? NULL : "reboot: the changes take effect at the next boot", id, json);
	goto out;
oom:
	cli_error("out of memory");
	r = EXIT_PROBLEM;
out:
	strv_clear(&devs);
	journal_tx_free(&tx);
	return r;
}

/* OPT_ALLOW + enum refusal_kind: CLI_ALLOW_SPECS (last). */
enum { OPT_GPU = 0x100, OPT_WITH, OPT_IOMMU, OPT_ISOLCPUS, OPT_HUGEPAGES, OPT_PAGE_SIZE, OPT_ALLOW };

struct setup_opts {
	struct setup_request rq;
	struct pci_addr with[MAX_WITH];
	struct cpuset isolate;
	const char *rootdir;
	bool have_gpu, apply, want_json, in_chroot, allow[_REFUSE_MAX];
};

static int setup_parse(void *target, int val, const char *arg, const char *cmd)
{
	struct setup_opts *o = target;
	struct setup_request *rq = &o->rq;
	uint64_t b;

	if (cli_allow_option(val, OPT_ALLOW, o->allow)) {
		if (o->allow[REFUSE_NONVIABLE])
			return cli_usage_error(cmd, "--allow-nonviable is an option of bind and vm: at boot "
						    "vfio-pci takes every endpoint of the group");
		return 0;
	}
	switch (val) {
	case OPT_GPU:
		if (parse_pci_addr(arg, &rq->gpu) < 0)
			return cli_usage_error(cmd, "--gpu takes a PCI address like 0000:01:00.0, not '%s'", arg);
		o->have_gpu = true;
		return 0;
	case OPT_WITH:
		if (rq->nwith == MAX_WITH)
			return cli_usage_error(cmd, "at most %d --with", MAX_WITH);
		if (parse_pci_addr(arg, &o->with[rq->nwith]) < 0)
			return cli_usage_error(cmd, "--with takes a PCI address like 0000:00:14.0, not '%s'", arg);
		rq->nwith++;
		return 0;
	case OPT_IOMMU:
		if (streq(arg, "intel"))
			rq->iommu = SETUP_IOMMU_INTEL;
		else if (streq(arg, "amd"))
			rq->iommu = SETUP_IOMMU_AMD;
		else
			return cli_usage_error(cmd, "--iommu takes intel or amd, not '%s'", arg);
		return 0;
	case OPT_ISOLCPUS:
		if (cpuset_parse_list_strict(arg, &o->isolate) < 0)
			return cli_usage_error(cmd, "--isolcpus takes a CPU list like 6-11 or 2-5,8-11, not '%s'", arg);
		rq->tune.isolate = &o->isolate;
		return 0;
	case OPT_HUGEPAGES:
		if (parse_size(arg, &rq->tune.hugepages) < 0 || !rq->tune.hugepages)
			return cli_usage_error(cmd, "--hugepages takes a size like 16G or 8192M, not '%s'", arg);
		return 0;
	case OPT_PAGE_SIZE:
		if (parse_size(arg, &b) < 0 || (b != 2u << 20 && b != 1u << 30))
			return cli_usage_error(cmd, "--page-size takes 2M or 1G, not '%s'", arg);
		rq->tune.page_kb = b / 1024;
		return 0;
	}
	return cli_usage_error(cmd, "invalid option");
}

static const struct option_spec setup_specs[] = {
	CLI_CALL("gpu", required_argument, OPT_GPU, CLI_SV_ALL),
	CLI_CALL("with", required_argument, OPT_WITH, CLI_SV_ALL),
	CLI_FLAG("include-group", CLI_SV_ALL, struct setup_opts, rq.include_group),
	CLI_FLAG("iommu-pt", CLI_SV_ALL, struct setup_opts, rq.iommu_pt),
	CLI_CALL("iommu", required_argument, OPT_IOMMU, CLI_SV_ALL),
	CLI_FLAG("apply", CLI_SV_ALL, struct setup_opts, apply),
	CLI_FLAG("chroot", CLI_SV_ALL, struct setup_opts, in_chroot),
	CLI_CALL("isolcpus", required_argument, OPT_ISOLCPUS, CLI_SV_ALL),
	CLI_CALL("hugepages", required_argument, OPT_HUGEPAGES, CLI_SV_ALL),
	CLI_CALL("page-size", required_argument, OPT_PAGE_SIZE, CLI_SV_ALL),
	CLI_FLAG("ignore-msrs", CLI_SV_ALL, struct setup_opts, rq.tune.ignore_msrs),
	CLI_FLAG("no-kms-early", CLI_SV_ALL, struct setup_opts, rq.no_kms_early),
	CLI_FLAG_SHORT("json", 'J', CLI_SV_ALL, struct setup_opts, want_json),
	CLI_ALLOW_SPECS(OPT_ALLOW, CLI_SV_ALL),
	CLI_COMMON_SPECS(struct setup_opts, rootdir),
};

static const struct cli_options setup_options = {
	"setup", NULL, 0, setup_specs, ARRAY_SIZE(setup_specs), setup_parse, help,
};

static void setup_opts_clear(struct setup_opts *o)
{
	cpuset_clear(&o->isolate);
}

int cmd_setup(int argc, char **argv)
{
	_cleanup_(setup_opts_clear) struct setup_opts o = { 0 };
	struct setup_request *rq = &o.rq;
	struct setup_plan p = { 0 };
	struct path_root *root = NULL;
	struct host *h = NULL;
	struct json_object *json = NULL;
	_cleanup_error_ struct error err = { 0 };
	_cleanup_free_ char *id = NULL;
	const char *rootdir;
	bool have_gpu, apply, want_json, in_chroot, tune_only, *allow = o.allow, seen[CLI_OPTIONS_MAX];
	int k, lockfd = -1, r;

	r = cli_options_parse(&setup_options, "setup", argc, argv, &o, seen);
	if (r != 0)
		return r < 0 ? EXIT_OK : r;
	r = EXIT_PROBLEM;
	rootdir = o.rootdir;
	have_gpu = o.have_gpu;
	apply = o.apply;
	want_json = o.want_json;
	in_chroot = o.in_chroot;
	if (optind < argc)
		return cli_usage_error("setup", "unexpected argument '%s'", argv[optind]);
	if (rq->tune.page_kb && !rq->tune.hugepages)
		return cli_usage_error("setup", "--page-size is the size of the pages of --hugepages SIZE");
	if (!have_gpu && (rq->nwith || rq->include_group))
		return cli_usage_error("setup", "--with and --include-group need --gpu ADDR");
	rq->has_gpu = have_gpu;
	/* Tuning alone, without --gpu: its parameters, not the IOMMU step. */
	tune_only = !have_gpu && kparams_wanted(&rq->tune) && !rq->iommu_pt && rq->iommu == SETUP_IOMMU_DETECT;
	if (in_chroot && (!rootdir || !apply))
		return cli_usage_error("setup", "--chroot runs the commands inside --root DIR, with --apply");
	rq->with = o.with;
	if (want_json && !(json = json_object_new_object())) {
		cli_error("out of memory");
		return EXIT_PROBLEM;
	}
	if (cli_open_root(rootdir, &root) < 0) {
		json_object_put(json);
		return EXIT_USAGE;
	}
	/* From the reading of the files to the last command. */
	if (apply && cli_lock(root, "vfiokit setup --apply", &lockfd) < 0)
		goto out;
	/* USAGE: what the host uses, which refuse.c judges. */
	if (cli_load_host(root,
			  HOST_LOAD_PCI | HOST_LOAD_MODULES | HOST_LOAD_SYSTEM | HOST_LOAD_BOOT | HOST_LOAD_USAGE |
				  (kparams_wanted(&rq->tune) ? HOST_LOAD_TOPOLOGY | HOST_LOAD_TUNING : 0),
			  &h) < 0)
		goto out;
	k = tune_only ? setup_tune_plan_make(h, &rq->tune, &p, &err) : setup_plan_make(h, rq, &p, &err);
	if (k == -EINVAL) {
		/* A declarative system: the refusal, then its native settings. */
		char *rest = strchr(err.msg, '\n');
		if (rest)
			*rest++ = '\0';
		cli_error("%s", err.msg);
		if (rest)
			cli_put_text(stdout, rest);
		goto out;
	}
	if (k < 0)
		goto oom;
	if (cli_print_refusals(&p.refusals, allow)) {
		fprintf(stderr, "vfiokit: nothing was changed\n");
		goto out;
	}
	r = cli_setup_show_apply("setup", h, &p, apply, in_chroot ? rootdir : NULL, &id, json);
	if (r == EXIT_OK && json) {
		/* Outside bytes (paths, a diff of a copy's files) in it: valid UTF-8 out. */
		const char *text = json_object_to_json_string_ext(json, JSON_C_TO_STRING_PRETTY |
										JSON_C_TO_STRING_SPACED |
										JSON_C_TO_STRING_NOSLASHESCAPE);
		_cleanup_free_ char *safe = text ? json_escape_text(text) : NULL;
		if (!safe)
			goto oom;
		puts(safe);
	}
	if (r == EXIT_OK && apply && id && p.iommu_only) {
		fprintf(stderr, "vfiokit: reboot; then 'vfiokit check' shows the IOMMU on, 'vfiokit groups --gpu' the "
				"groups a guest can take, and 'vfiokit setup --gpu ADDR' isolates one\n");
	} else if (r == EXIT_OK && apply && id && p.ndevs) {
		bool ids_param = false;
		for (size_t i = 0; i < p.params.n; i++)
			ids_param |= startswith(p.params.v[i], "vfio-pci.ids=");
		fprintf(stderr, "vfiokit: reboot, then check with 'vfiokit verify' that the devices are on vfio-pci%s\n",
			p.groups_unknown ? " and their IOMMU groups can go to a guest" : "");
		/* The way back when the host boots without a screen. */
		fprintf(stderr,
			"vfiokit: if the host has no screen after the reboot: in the boot menu, edit the entry and add "
			"module_blacklist=vfio_pci%s to the kernel's line (the devices' own drivers then take them); "
			"once booted, 'vfiokit undo %s'\n",
			ids_param ? " (and remove vfio-pci.ids=...)" : "",
			id);
	}
	goto out;
oom:
	cli_error("out of memory");
	r = EXIT_PROBLEM;
out:
	json_object_put(json);
	setup_plan_free(&p);
	host_free(h);
	lock_release(lockfd);
	path_root_free(root);
	return r;
}
