/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vfiokit setup: the article's boot-time isolation, shown as a diff and
 * applied through the journal. */
#include "boot/backend.h"
#include "cli.h"
#include "lock.h"
#include "journal.h"
#include "setup.h"

#define MAX_WITH 16

static void help(void)
{
	fputs("Usage: vfiokit setup --gpu ADDR [--with ADDR]... [OPTIONS]\n"
	      "       vfiokit setup [--isolcpus LIST] [--hugepages SIZE] [--ignore-msrs] [OPTIONS]\n"
	      "\n"
	      "Isolate the guest GPU (and the rest of its IOMMU group) at boot, as the article's\n"
	      "\"Isolating the GPU\" does: kernel parameters (intel_iommu=on on Intel), vfio-pci\n"
	      "taking the devices by ID (/etc/modprobe.d/vfio.conf, with a softdep for every driver\n"
	      "that would claim them first; the file's other lines and an earlier setup's IDs\n"
	      "kept), the VFIO modules in the initramfs, and the bootloader's command line; then\n"
	      "the commands that regenerate them. Every installed kernel is checked for the\n"
	      "modules. Identical guest and host cards are taken by address with the article's\n"
	      "driver_override script. Shows a diff; nothing changes without --apply.\n"
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
	      "(isolcpus=2-5) is replaced, never added twice.\n"
	      "\n"
	      "Options:\n"
	      "      --gpu ADDR         the guest's GPU (0000:01:00.0 or 01:00.0)\n"
	      "      --with ADDR        another device for the guest (a USB controller, ...)\n"
	      "      --include-group    take a shared IOMMU group whole\n"
	      "      --iommu-pt         add iommu=pt (passthrough mode for the host's own devices)\n"
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
	      "  -h, --help             this help\n"
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

static void print_list(const char *what, const struct strv *s)
{
	_cleanup_free_ char *j = strv_join(s, " ");

	if (s->n && j)
		cli_line(stdout, "# %s: %s", what, j);
}

int cli_setup_show_apply(const char *cmd, const struct host *h, const struct setup_plan *p, bool apply,
			 const char *chroot_dir, char **id)
{
	struct journal_tx tx = { 0 };
	struct strv devs = { 0 };
	int k, r = EXIT_PROBLEM;

	if (print_machine(h) < 0)
		goto oom;
	for (size_t i = 0; i < p->ndevs; i++)
		if (strv_push(&devs, h->pci[p->devs[i]].name) < 0)
			goto oom;
	print_list("devices for vfio-pci", &devs);
	print_list("IDs", &p->ids);
	print_list("IDs kept from earlier setups", &p->kept);
	print_list("kernel parameters to add", &p->params);
	print_list("kernel parameters to remove", &p->stale);
	print_list("drivers that wait for vfio-pci (softdep)", &p->softdeps);
	print_list("initramfs modules", &p->modules);
	for (size_t i = 0; i < p->warnings.n; i++)
		cli_warn("%s", p->warnings.v[i]);
	for (size_t i = 0; i < p->manual.n; i++)
		cli_line(stdout, "# by hand: %s", p->manual.v[i]);
	tx.command = strdupf("vfiokit %s", cmd);
	if (!tx.command)
		goto oom;
	for (size_t i = 0; i < p->nfiles; i++) {
		k = journal_tx_add(&tx, h->root, p->files[i].path, p->files[i].content, (mode_t)p->files[i].mode);
		if (k == -ENOMEM)
			goto oom;
		if (k < 0) {
			if (tx.err)
				cli_error("%s", tx.err);
			else
				cli_error("cannot read /%s: %s", p->files[i].path, path_strerror(k));
			goto out;
		}
	}
	for (size_t i = 0; i < p->exec.n; i++)
		if (journal_tx_add_exec(&tx, p->exec.v[i], p->exec_undo.v[i]) < 0)
			goto oom;
	for (size_t i = 0; i < p->commands.n; i++)
		if (journal_tx_add_regen(&tx, p->commands.v[i]) < 0)
			goto oom;
	/* Tuning alone: nothing to verify after the reboot but the parameters. */
	r = cli_apply(cmd, h->root, &tx, apply, chroot_dir,
		      p->ndevs ? NULL : "reboot: the changes take effect at the next boot", id);
	goto out;
oom:
	cli_error("out of memory");
	r = EXIT_PROBLEM;
out:
	strv_clear(&devs);
	journal_tx_free(&tx);
	return r;
}

int cmd_setup(int argc, char **argv)
{
	enum { OPT_GPU = 0x100, OPT_WITH, OPT_INCLUDE_GROUP, OPT_IOMMU_PT, OPT_APPLY, OPT_CHROOT, OPT_ISOLCPUS,
	       OPT_HUGEPAGES, OPT_PAGE_SIZE, OPT_IGNORE_MSRS };
	static const struct option longopts[] = {
		{ "gpu", required_argument, NULL, OPT_GPU },
		{ "with", required_argument, NULL, OPT_WITH },
		{ "include-group", no_argument, NULL, OPT_INCLUDE_GROUP },
		{ "iommu-pt", no_argument, NULL, OPT_IOMMU_PT },
		{ "apply", no_argument, NULL, OPT_APPLY },
		{ "chroot", no_argument, NULL, OPT_CHROOT },
		{ "isolcpus", required_argument, NULL, OPT_ISOLCPUS },
		{ "hugepages", required_argument, NULL, OPT_HUGEPAGES },
		{ "page-size", required_argument, NULL, OPT_PAGE_SIZE },
		{ "ignore-msrs", no_argument, NULL, OPT_IGNORE_MSRS },
		CLI_COMMON_LONGOPTS,
		{}
	};
	struct setup_request rq = { 0 };
	struct pci_addr with[MAX_WITH];
	_cleanup_(cpuset_clear) struct cpuset isolate = { 0 };
	struct setup_plan p = { 0 };
	struct path_root *root = NULL;
	struct host *h = NULL;
	_cleanup_free_ char *err = NULL, *id = NULL;
	const char *rootdir = NULL;
	bool have_gpu = false, apply = false, in_chroot = false;
	int c, k, lockfd = -1, r = EXIT_PROBLEM;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_GPU:
			if (parse_pci_addr(optarg, &rq.gpu) < 0)
				return cli_usage_error("setup", "--gpu takes a PCI address like 0000:01:00.0, not '%s'", optarg);
			have_gpu = true;
			break;
		case OPT_WITH:
			if (rq.nwith == MAX_WITH)
				return cli_usage_error("setup", "at most %d --with", MAX_WITH);
			if (parse_pci_addr(optarg, &with[rq.nwith]) < 0)
				return cli_usage_error("setup", "--with takes a PCI address like 0000:00:14.0, not '%s'", optarg);
			rq.nwith++;
			break;
		case OPT_INCLUDE_GROUP:
			rq.include_group = true;
			break;
		case OPT_IOMMU_PT:
			rq.iommu_pt = true;
			break;
		case OPT_APPLY:
			apply = true;
			break;
		case OPT_CHROOT:
			in_chroot = true;
			break;
		case OPT_ISOLCPUS:
			if (cpuset_parse_list(optarg, &isolate) < 0 || !cpuset_count(&isolate))
				return cli_usage_error("setup", "--isolcpus takes a CPU list like 6-11 or 2-5,8-11, not '%s'",
						       optarg);
			rq.tune.isolate = &isolate;
			break;
		case OPT_HUGEPAGES:
			if (parse_size(optarg, &rq.tune.hugepages) < 0 || !rq.tune.hugepages)
				return cli_usage_error("setup", "--hugepages takes a size like 16G or 8192M, not '%s'", optarg);
			break;
		case OPT_PAGE_SIZE: {
			uint64_t b;
			if (parse_size(optarg, &b) < 0 || (b != 2u << 20 && b != 1u << 30))
				return cli_usage_error("setup", "--page-size takes 2M or 1G, not '%s'", optarg);
			rq.tune.page_kb = b / 1024;
			break;
		}
		case OPT_IGNORE_MSRS:
			rq.tune.ignore_msrs = true;
			break;
		case OPT_ROOT:
			rootdir = optarg;
			break;
		case 'h':
			help();
			return EXIT_OK;
		default:
			return cli_usage_error("setup", "invalid option");
		}
	}
	if (optind < argc)
		return cli_usage_error("setup", "unexpected argument '%s'", argv[optind]);
	if (rq.tune.page_kb && !rq.tune.hugepages)
		return cli_usage_error("setup", "--page-size is the size of the pages of --hugepages SIZE");
	if (!have_gpu && !kparams_wanted(&rq.tune))
		return cli_usage_error("setup", "name the guest's GPU with --gpu ADDR");
	if (!have_gpu && (rq.nwith || rq.include_group || rq.iommu_pt))
		return cli_usage_error("setup", "--with, --include-group and --iommu-pt go with --gpu ADDR");
	if (in_chroot && (!rootdir || !apply))
		return cli_usage_error("setup", "--chroot runs the commands inside --root DIR, with --apply");
	rq.with = with;
	if (cli_open_root(rootdir, &root) < 0)
		return EXIT_USAGE;
	/* From the reading of the files to the last command. */
	if (apply && cli_lock(root, "vfiokit setup --apply", &lockfd) < 0)
		goto out;
	if (cli_load_host(root, HOST_LOAD_PCI | HOST_LOAD_MODULES | HOST_LOAD_SYSTEM | HOST_LOAD_BOOT |
					(kparams_wanted(&rq.tune) ? HOST_LOAD_TOPOLOGY | HOST_LOAD_TUNING : 0),
			  &h) < 0)
		goto out;
	k = have_gpu ? setup_plan_make(h, &rq, &p, &err) : setup_tune_plan_make(h, &rq.tune, &p, &err);
	if (k == -EINVAL) {
		cli_error("%s", err);
		goto out;
	}
	if (k < 0)
		goto oom;
	r = cli_setup_show_apply("setup", h, &p, apply, in_chroot ? rootdir : NULL, &id);
	if (r == EXIT_OK && apply && id && p.ndevs) {
		bool ids_param = false;
		for (size_t i = 0; i < p.params.n; i++)
			ids_param |= startswith(p.params.v[i], "vfio-pci.ids=");
		fprintf(stderr, "vfiokit: reboot, then check with 'vfiokit verify' that the devices are on vfio-pci\n");
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
	setup_plan_free(&p);
	host_free(h);
	lock_release(lockfd);
	path_root_free(root);
	return r;
}
