/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vfiokit check: the prerequisites, one line each, like virt-host-validate. */
#include <ctype.h>
#include <libsmartcols/libsmartcols.h>

#include "plan/checks.h"
#include "cli/cli.h"

static void help(void)
{
	fputs("Usage: vfiokit check [OPTIONS]\n"
	      "\n"
	      "Check every prerequisite for PCI passthrough: CPU virtualization, /dev/kvm,\n"
	      "the firmware's IOMMU table, an active IOMMU, kernel parameters that fit the\n"
	      "IOMMU that table names, interrupt remapping, VFIO modules for the running\n"
	      "kernel, a GPU in an isolated group, OVMF, the invoking user's groups, and\n"
	      "more. Each line is PASS, WARN, FAIL or SKIP, with the fix for this machine.\n"
	      "\n"
	      "Options:\n"
	      "  -J, --json        JSON output\n"
	      "      --root DIR    read the machine from DIR instead of /\n"
	      "  -h, --help        this help\n"
	      "\n"
	      "Exit status: 0 nothing failed, 1 a check failed, 2 usage error.\n"
	      "See vfiokit-check(1).\n",
	      stdout);
}

static const char *status_color(enum check_status s)
{
	switch (s) {
	case CHECK_PASS:
		return "\033[32m";
	case CHECK_WARN:
		return "\033[33m";
	case CHECK_FAIL:
		return "\033[1;31m";
	case CHECK_SKIP:
		break;
	}
	return "\033[2m";
}

static void print_text(const struct check_report *rep)
{
	bool color = cli_use_color(STDOUT_FILENO);

	for (size_t i = 0; i < rep->n; i++) {
		const struct check_result *r = &rep->r[i];
		printf("%s%-4s%s  ", color ? status_color(r->status) : "", check_status_name(r->status),
		       color ? "\033[0m" : "");
		cli_line(stdout, "%-48s %s", r->title, r->detail);
		if (r->fix && r->status != CHECK_PASS && r->status != CHECK_SKIP)
			cli_line(stdout, "      fix: %s", r->fix);
	}
	printf("\nsummary: %zu PASS, %zu WARN, %zu FAIL, %zu SKIP\n", check_report_count(rep, CHECK_PASS),
	       check_report_count(rep, CHECK_WARN), check_report_count(rep, CHECK_FAIL),
	       check_report_count(rep, CHECK_SKIP));
}

static int print_json(const struct check_report *rep)
{
	static const char *const cols[] = { "ID", "STATUS", "TITLE", "DETAIL", "FIX" };
	struct libscols_table *tb = scols_new_table();
	int r = 0;

	if (!tb)
		return -ENOMEM;
	scols_table_set_name(tb, "checks");
	scols_table_enable_json(tb, 1);
	for (size_t i = 0; i < ARRAY_SIZE(cols); i++)
		if (!scols_table_new_column(tb, cols[i], 0, 0))
			r = -ENOMEM;
	for (size_t i = 0; r == 0 && i < rep->n; i++) {
		const struct check_result *res = &rep->r[i];
		struct libscols_line *ln = scols_table_new_line(tb, NULL);
		char status[8];

		snprintf(status, sizeof(status), "%s", check_status_name(res->status));
		for (char *p = status; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		if (!ln || scols_line_set_data(ln, 0, res->id) || scols_line_set_data(ln, 1, status) ||
		    scols_line_set_data(ln, 2, res->title) || scols_line_set_data(ln, 3, res->detail) ||
		    (res->fix && res->status != CHECK_PASS && scols_line_set_data(ln, 4, res->fix)))
			r = -ENOMEM;
	}
	if (r == 0)
		cli_print_table(tb);
	scols_unref_table(tb);
	return r;
}

struct check_opts {
	bool json;
	const char *rootdir;
};

static const struct option_spec check_specs[] = {
	CLI_FLAG_SHORT("json", 'J', CLI_SV_ALL, struct check_opts, json),
	CLI_COMMON_SPECS(struct check_opts, rootdir),
};

static const struct cli_options check_options = {
	"check", NULL, 0, check_specs, ARRAY_SIZE(check_specs), NULL, help,
};

int cmd_check(int argc, char **argv)
{
	struct check_opts o = { 0 };
	struct check_report rep = { 0 };
	struct path_root *root = NULL;
	const char *rootdir;
	struct host *h = NULL;
	bool json, seen[CLI_OPTIONS_MAX];
	int r;

	r = cli_options_parse(&check_options, "check", argc, argv, &o, seen);
	if (r != 0)
		return r < 0 ? EXIT_OK : r;
	json = o.json;
	rootdir = o.rootdir;
	if (optind < argc)
		return cli_usage_error("check", "unexpected argument '%s'", argv[optind]);
	if (cli_open_root(rootdir, &root) < 0)
		return EXIT_USAGE;
	if (cli_load_host(root, HOST_LOAD_ALL & ~(HOST_LOAD_USB | HOST_LOAD_TOPOLOGY | HOST_LOAD_TUNING | HOST_LOAD_BOOT |
						   HOST_LOAD_PROGRESS), &h) < 0) {
		path_root_free(root);
		return EXIT_PROBLEM;
	}
	if (checks_run(h, &rep) < 0) {
		cli_error("out of memory");
		r = EXIT_PROBLEM;
	} else {
		if (json) {
			if (print_json(&rep) < 0)
				cli_error("out of memory");
		} else
			print_text(&rep);
		r = check_report_count(&rep, CHECK_FAIL) ? EXIT_PROBLEM : EXIT_OK;
	}
	check_report_clear(&rep);
	host_free(h);
	path_root_free(root);
	return r;
}
