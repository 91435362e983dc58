/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vfiokit next: where the user stands in the article, and the command to run next. */
#include "cli/cli.h"
#include "apply/journal.h"
#include "plan/next.h"

static void help(void)
{
	fputs("Usage: vfiokit next [OPTIONS]\n"
	      "\n"
	      "Say where this machine stands in the article's procedure and the one command to\n"
	      "run next, with why and the article's section. The stages, in the article's order:\n"
	      "  prerequisites  a prerequisite fails (check's fix)\n"
	      "  choose-gpu     no device chosen for a guest (the GPUs a guest can take)\n"
	      "  isolate        isolation planned but not applied (or a journal entry stopped half-way)\n"
	      "  reboot         applied, but the running kernel booted before it\n"
	      "  verify         rebooted, but a device is not on vfio-pci (verify's cause)\n"
	      "  guest          no guest libvirt keeps (/etc/libvirt/qemu) has the device\n"
	      "  tune           the guest lacks CPU pinning or huge pages\n"
	      "  done           nothing left: start the guest\n"
	      "It reads the machine, libvirt's guests and vfiokit's journal, and changes nothing.\n"
	      "\n"
	      "Options:\n"
	      "  -J, --json        JSON output\n"
	      "      --root DIR    read the machine from DIR (an unpacked 'vfiokit snapshot')\n"
	      "  -h, --help        this help\n"
	      "\n"
	      "Exit status: 0 answered, 1 a fact it needs could not be read, 2 usage error.\n"
	      "See vfiokit-next(1).\n",
	      stdout);
}

static int print_json(const struct next_answer *a)
{
	static const char *const cols[] = { "STAGE", "STEP", "TITLE", "WHY", "COMMAND", "SECTION" };
	struct libscols_table *tb = scols_new_table();
	struct libscols_line *ln;
	char step[16];
	int r = 0;

	if (!tb)
		return -ENOMEM;
	scols_table_set_name(tb, "next");
	scols_table_enable_json(tb, 1);
	for (size_t i = 0; i < ARRAY_SIZE(cols); i++)
		if (!scols_table_new_column(tb, cols[i], 0, 0))
			r = -ENOMEM;
	snprintf(step, sizeof(step), "%d", (int)a->stage + 1);
	if (r == 0 && (!(ln = scols_table_new_line(tb, NULL)) || scols_line_set_data(ln, 0, next_stage_name(a->stage)) ||
		       scols_line_set_data(ln, 1, step) || scols_line_set_data(ln, 2, next_stage_title(a->stage)) ||
		       scols_line_set_data(ln, 3, a->why) || scols_line_set_data(ln, 4, a->command) ||
		       scols_line_set_data(ln, 5, a->section)))
		r = -ENOMEM;
	if (r == 0)
		r = cli_print_table(tb);
	scols_unref_table(tb);
	return r;
}

static void print_text(const struct next_answer *a)
{
	cli_line(stdout, "stage %d of %d: %s (%s)", (int)a->stage + 1, (int)_NEXT_STAGE_MAX, next_stage_title(a->stage),
		 next_stage_name(a->stage));
	cli_line(stdout, "why:     %s", a->why);
	cli_line(stdout, "next:    %s", a->command);
	cli_line(stdout, "article: \"%s\" (PCI passthrough via OVMF)", a->section);
}

struct next_opts {
	bool json;
	const char *rootdir;
};

static const struct option_spec next_specs[] = {
	CLI_FLAG_SHORT("json", 'J', CLI_SV_ALL, struct next_opts, json),
	CLI_COMMON_SPECS(struct next_opts, rootdir),
};

static const struct cli_options next_options = {
	"next", NULL, 0, next_specs, ARRAY_SIZE(next_specs), NULL, help,
};

int cmd_next(int argc, char **argv)
{
	struct next_opts o = { 0 };
	struct next_answer a = { 0 };
	struct journal_entry *e = NULL;
	struct path_root *root = NULL;
	const char *rootdir;
	struct host *h = NULL;
	bool json, seen[CLI_OPTIONS_MAX];
	size_t n = 0;
	int k, r;

	r = cli_options_parse(&next_options, "next", argc, argv, &o, seen);
	if (r != 0)
		return r < 0 ? EXIT_OK : r;
	r = EXIT_PROBLEM;
	json = o.json;
	rootdir = o.rootdir;
	if (optind < argc)
		return cli_usage_error("next", "unexpected argument '%s'", argv[optind]);
	if (cli_open_root(rootdir, &root) < 0)
		return EXIT_USAGE;
	if (cli_load_host(root, HOST_LOAD_ALL & ~(HOST_LOAD_USB | HOST_LOAD_TOPOLOGY | HOST_LOAD_TUNING | HOST_LOAD_USAGE | HOST_LOAD_HOLDERS),
			  &h) < 0)
		goto out;
	if ((k = journal_list(root, false, &e, &n)) < 0) {
		if (k == -ENOMEM)
			goto oom;
		cli_error("cannot tell what vfiokit changed: /%s: %s; see 'vfiokit journal'", JOURNAL_DIR, path_strerror(k));
		goto out;
	}
	if (next_plan(h, e, n, &a) < 0)
		goto oom;
	if (a.unknown) {
		cli_error("%s; run 'vfiokit next' where it can be read (as root on the machine)", a.unknown);
		goto out;
	}
	if (json ? print_json(&a) == -ENOMEM : (print_text(&a), false))
		goto oom;
	r = EXIT_OK;
	goto out;
oom:
	cli_error("out of memory");
out:
	next_answer_clear(&a);
	journal_entries_free(e, n);
	host_free(h);
	path_root_free(root);
	return r;
}
