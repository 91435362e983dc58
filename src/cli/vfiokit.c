/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vfiokit: the multiplexer. One verb table; each verb says what it needs and
 * the dispatcher enforces it here, once. */
#include <locale.h>

#include "cli/cli.h"

static int cmd_help(int argc, char **argv);

static const struct verb verbs[] = {
	{ "groups", cmd_groups, "list IOMMU groups and judge each for passthrough", VERB_READS_HOST, NULL },
	{ "check", cmd_check, "check every prerequisite for PCI passthrough", VERB_READS_HOST, NULL },
	{ "report", cmd_report, "an HTML page for bug reports: groups drawn, check, next", VERB_READS_HOST, NULL },
	{ "snapshot", cmd_snapshot, "save what vfiokit reads into a tarball, for --root and bug reports",
	  VERB_READS_HOST, NULL },
	{ "bind", cmd_bind, "move devices (whole IOMMU groups) to vfio-pci now, all or nothing",
	  VERB_READS_HOST | VERB_NEEDS_ROOT | VERB_MODIFIES,
	  "it changes the drivers of the running kernel (--dry-run shows what it would do)" },
	{ "unbind", cmd_unbind, "give devices on vfio-pci back to the drivers they had",
	  VERB_READS_HOST | VERB_NEEDS_ROOT | VERB_MODIFIES,
	  "it changes the drivers of the running kernel (--dry-run shows what it would do)" },
	{ "handover", cmd_handover, "hand the host's GPU to vfio-pci for a guest (take) and back (give)",
	  VERB_READS_HOST | VERB_NEEDS_ROOT | VERB_MODIFIES,
	  "it stops the display manager and changes the drivers of the running kernel (--dry-run shows what it would do)" },
	{ "rom", cmd_rom, "judge a GPU's option ROM (VBIOS) for OVMF; dump it; strip a vendor header",
	  VERB_READS_HOST | VERB_NEEDS_ROOT,
	  "reading a card's ROM through sysfs enables the ROM, reads it and disables it (a ROM file needs no root)" },
	{ "tune", cmd_tune, "performance tuning: CPU topology and pinning, huge pages, the libvirt hook",
	  VERB_READS_HOST | VERB_NEEDS_ROOT | VERB_MODIFIES,
	  "--apply writes system files (without --apply it shows the changes)" },
	{ "setup", cmd_setup,
	  "turn the IOMMU on (no device), or isolate devices at boot: parameters, modprobe.d, initramfs",
	  VERB_READS_HOST | VERB_NEEDS_ROOT | VERB_MODIFIES,
	  "--apply writes system files (without --apply it shows the changes)" },
	{ "doctor", cmd_doctor, "read the kernel and guest logs for the article's troubleshooting: cause and fix",
	  VERB_READS_HOST, NULL },
	{ "next", cmd_next, "where this machine stands in the article, and the one command to run next",
	  VERB_READS_HOST, NULL },
	{ "verify", cmd_verify, "after the reboot: are the devices on vfio-pci, and if not, why", VERB_READS_HOST,
	  NULL },
	{ "vm", cmd_vm, "the guest: libvirt domain XML or a QEMU script; define it; edit one",
	  VERB_READS_HOST | VERB_NEEDS_ROOT | VERB_MODIFIES,
	  "--apply writes the host files the guest needs (without --apply their diff is shown)" },
	{ "journal", cmd_journal, "list what vfiokit changed, for undo", VERB_READS_HOST, NULL },
	{ "inventory", cmd_inventory, "the host as one JSON document (devices, groups, IOMMU, CPUs) for fleets",
	  VERB_READS_HOST, NULL },
	{ "export", cmd_export, "devices for KubeVirt, OpenShift, Nova, Proxmox VE or Incus, from hosts or inventories",
	  VERB_READS_HOST, NULL },
	{ "undo", cmd_undo, "put back what a journal entry changed, then regenerate",
	  VERB_READS_HOST | VERB_NEEDS_ROOT | VERB_MODIFIES,
	  "it writes system files (--dry-run shows what it would do)" },
	{ "help", cmd_help, "show help for vfiokit or a command", 0, NULL },
};

static const struct verb *find_verb(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(verbs); i++)
		if (streq(verbs[i].name, name))
			return &verbs[i];
	return NULL;
}

#define USAGE_LINE "Usage: vfiokit [--version] [--help] COMMAND [OPTIONS]\n"

static void usage(FILE *out)
{
	fputs(USAGE_LINE
	      "\n"
	      "Set up and check PCI passthrough of a GPU (or any PCI device) to a virtual\n"
	      "machine with VFIO and OVMF.\n"
	      "\n"
	      "Commands:\n",
	      out);
	for (size_t i = 0; i < ARRAY_SIZE(verbs); i++)
		fprintf(out, "  %-10s %s\n", verbs[i].name, verbs[i].summary);
	fputs("\n"
	      "Every command that reads the machine takes --root DIR to read a copy of\n"
	      "/sys, /proc, /dev, /etc, /lib/modules and /usr/share under DIR instead\n"
	      "(for example an unpacked 'vfiokit snapshot').\n"
	      "\n"
	      "Start with 'vfiokit next' (plain 'vfiokit' on a terminal): where this machine\n"
	      "stands in the article, and the command to run next.\n"
	      "Run 'vfiokit COMMAND --help' or see vfiokit(1) and vfiokit-COMMAND(1).\n",
	      out);
}

static int cmd_help(int argc, char **argv)
{
	const struct verb *v;
	char *sub[] = { NULL, (char *)"--help", NULL };

	if (argc < 2) {
		usage(stdout);
		return EXIT_OK;
	}
	v = find_verb(argv[1]);
	if (!v || v->run == cmd_help) {
		if (!v)
			return cli_usage_error("help", "unknown command '%s'", argv[1]);
		usage(stdout);
		return EXIT_OK;
	}
	sub[0] = argv[1];
	optind = 0;
	return v->run(2, sub);
}

int cli_need_root(const struct path_root *root)
{
	const struct verb *running = cli_verb_running();

	if (!path_root_is_live(root) || geteuid() == 0)
		return 0;
	/* A verb that touches the machine says so in the table: one that does
	 * not is refused here, so the table cannot drift from the code. */
	if (!running || !(running->flags & VERB_NEEDS_ROOT) || !running->root_why) {
		cli_error("%s must run as root, but the verb table does not say so (a bug): nothing was changed; "
			  "run 'sudo vfiokit %s'",
			  running ? running->name : "this command", running ? running->name : "...");
		return -EPERM;
	}
	cli_error("%s must run as root: %s. Run 'sudo vfiokit %s'", running->name, running->root_why, running->name);
	return -EPERM;
}

static int dispatch(const struct verb *v, int argc, char **argv)
{
	cli_verb_enter(v);
	optind = 0;
	return v->run(argc, argv);
}

/* Stdout is checked once at exit, as git does, so a full disk is an error
 * while a closed pipe ("vfiokit groups | head") is not. */
static int finish_stdout(int r)
{
	errno = 0; /* a write that failed earlier left ferror set, and errno long since reused */
	if (fflush(stdout) != 0 || ferror(stdout)) {
		if (errno == EPIPE)
			return r;
		cli_error("write error on standard output%s%s", errno ? ": " : "", errno ? strerror(errno) : "");
		return r == EXIT_OK ? EXIT_PROBLEM : r;
	}
	return r;
}

int main(int argc, char **argv)
{
	const struct verb *v;

	setlocale(LC_ALL, "");
	/* A person at a terminal who typed only "vfiokit" (or "vfiokit --root
	 * DIR") is told where they stand; a script keeps the usage error. */
	if (isatty(STDOUT_FILENO) &&
	    (argc < 2 || (argc == 3 && streq(argv[1], "--root")) || (argc == 2 && startswith(argv[1], "--root=")))) {
		fputs(USAGE_LINE "\n", stdout);
		argv[0] = (char *)"next";
		cli_verb_enter(find_verb("next"));
		optind = 0;
		return finish_stdout(cmd_next(argc, argv));
	}
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (streq(argv[1], "--version") || streq(argv[1], "-V")) {
		printf("vfiokit %s\n", VFIOKIT_VERSION);
		return finish_stdout(EXIT_OK);
	}
	if (streq(argv[1], "--help") || streq(argv[1], "-h")) {
		usage(stdout);
		return finish_stdout(EXIT_OK);
	}
	if (argv[1][0] == '-') {
		cli_error("unknown option '%s' (options go after the command)", argv[1]);
		usage(stderr);
		return EXIT_USAGE;
	}
	v = find_verb(argv[1]);
	if (!v) {
		cli_error("'%s' is not a vfiokit command. See 'vfiokit --help'.", argv[1]);
		return EXIT_USAGE;
	}
	return finish_stdout(dispatch(v, argc - 1, argv + 1));
}
