/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vfiokit verify: after the reboot, did the boot-time configuration work? */
#include "cli/cli.h"
#include "apply/journal.h"
#include "plan/inventory.h"
#include "plan/verify.h"

/* What was installed and what /etc holds now: files changed since a
 * journal entry wrote them. */
static void warn_drift(struct path_root *root)
{
	struct journal_entry *e = NULL;
	size_t n = 0;

	if (journal_list(root, true, &e, &n) < 0)
		return;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < e[i].drifted.n; j++)
			cli_warn("/%s changed since vfiokit wrote it (journal entry %s, %s): what boots may not be what was "
				 "installed (see 'vfiokit journal')",
				 e[i].drifted.v[j], e[i].id, e[i].command ? e[i].command : "?");
	journal_entries_free(e, n);
}

/* verify --against: what changed since the inventory was taken. */
static int verify_drift(const char *rootdir, const char *against, const struct cli_table_opts *t)
{
	static const struct cli_column cols[] = {
		{ "DEVICE", 0.1, 0, SCOLS_JSON_STRING, "the device, at its address in the inventory" },
		{ "CHANGE", 0.1, 0, SCOLS_JSON_STRING, "moved, renumbered, swapped, driver, group, gone or new" },
		{ "WAS", 0.3, 0, SCOLS_JSON_STRING, "in the inventory" },
		{ "NOW", 0.3, 0, SCOLS_JSON_STRING, "on the host now" },
	};
	static const int all[] = { 0, 1, 2, 3 };
	struct inventory then = { 0 }, now = { 0 };
	struct drift_result d = { 0 };
	struct path_root *root = NULL;
	struct libscols_table *tb = NULL;
	struct cli_columns c;
	int r = EXIT_PROBLEM;

	cli_columns_init(&c, cols, ARRAY_SIZE(cols), all, ARRAY_SIZE(all));
	if (t->columns && (r = cli_columns_parse(&c, "verify", t->columns)) != 0)
		return r;
	r = EXIT_PROBLEM;
	if (cli_inventory_read(against, &then) < 0)
		return EXIT_PROBLEM;
	if (cli_open_root(rootdir, &root) < 0) {
		inventory_clear(&then);
		return EXIT_USAGE;
	}
	if (cli_inventory_load(root, &now) < 0)
		goto out;
	if (verify_against(&then, &now, &d) < 0 || !(tb = cli_table_new(&c, "drift", t->json, t->raw, t->noheadings)))
		goto oom;
	for (size_t i = 0; i < d.n; i++) {
		struct libscols_line *ln = scols_table_new_line(tb, NULL);
		if (!ln || cli_cell(ln, &c, 0, d.rows[i].device) ||
		    cli_cell(ln, &c, 1, drift_kind_name(d.rows[i].kind)) || cli_cell(ln, &c, 2, d.rows[i].was) ||
		    cli_cell(ln, &c, 3, d.rows[i].now))
			goto oom;
	}
	if (d.n || t->json)
		cli_print_table(tb);
	if (!d.n && !t->json)
		cli_line(stdout, "no drift: the PCI devices, drivers and groups are as %s has them", against);
	r = d.n ? EXIT_PROBLEM : EXIT_OK;
	goto out;
oom:
	cli_error("out of memory");
	r = EXIT_PROBLEM;
out:
	scols_unref_table(tb);
	drift_result_free(&d);
	inventory_clear(&then);
	inventory_clear(&now);
	path_root_free(root);
	return r;
}

static void verify_help(void)
{
	fputs("Usage: vfiokit verify [OPTIONS]\n"
	      "       vfiokit verify --against INVENTORY [OPTIONS]\n\n"
	      "After the reboot that follows 'vfiokit setup' (or a configuration by hand): is every\n"
	      "device that vfio-pci is told to take (options vfio-pci ids= in modprobe.d: /etc,\n"
	      "/run, /usr/local/lib, /usr/lib, /lib, as kmod reads them; vfio-pci.ids= on the\n"
	      "kernel command line; by address, the devices of setup's driver_override script\n"
	      "when an install vfio-pci line runs it) on vfio-pci? If not, the likely cause:\n"
	      "the IOMMU off, vfio-pci not loaded early, another driver first (with the softdep to\n"
	      "add), an initramfs not regenerated, booster ignoring modprobe.d. And can its IOMMU\n"
	      "group go to a guest: every other device in it on vfio-pci, pci-stub or no driver\n"
	      "(what a setup made while the IOMMU was off could not see).\n\n"
	      "With --against, instead: what changed since 'vfiokit inventory -J' wrote INVENTORY\n"
	      "(a fleet's re-check): a device renumbered or moved to another slot, a card swapped\n"
	      "(other IDs at the same place), its driver or IOMMU group changed, one gone or new.\n"
	      "Devices are found again by their topology path, which bus renumbering keeps.\n\n"
	      "Options:\n"
	      "  -J, --json, -o, --output LIST, -r, --raw, -n, --noheadings   as lsblk\n"
	      "      --against FILE   report drift since the inventory FILE\n"
	      "      --root DIR       read the machine from DIR\n"
	      "  -h, --help           this help\n\n"
	      "Exit status: 0 every device is on vfio-pci in a group a guest can take, 1 one is not\n"
	      "(or nothing is configured); with --against: 0 no drift, 1 drift (or an unreadable\n"
	      "inventory); 2 usage error. See vfiokit-verify(1).\n",
	      stdout);
}

struct verify_opts {
	struct cli_table_opts t;
	const char *against, *rootdir;
};

static int verify_parse(void *target, int val, const char *arg, const char *cmd)
{
	struct verify_opts *o = target;

	(void)arg;
	(void)cmd;
	cli_table_option(val, &o->t);
	return 0;
}

static const struct option_spec verify_specs[] = {
	CLI_TABLE_SPECS(CLI_SV_ALL, CLI_SV_ALL),
	CLI_STRING("against", CLI_SV_ALL, struct verify_opts, against),
	CLI_COMMON_SPECS(struct verify_opts, rootdir),
};

static const struct cli_options verify_options = {
	"verify", NULL, 0, verify_specs, ARRAY_SIZE(verify_specs), verify_parse, verify_help,
};

int cmd_verify(int argc, char **argv)
{
	static const struct cli_column cols[] = {
		{ "DEVICE", 0.1, 0, SCOLS_JSON_STRING, "the device" },
		{ "ID", 9, 0, SCOLS_JSON_STRING, "vendor:device, as vfio-pci is given it" },
		{ "DRIVER", 0.1, 0, SCOLS_JSON_STRING, "the driver it is on now" },
		{ "VERDICT", 0.1, 0, SCOLS_JSON_STRING, "ok (on vfio-pci) or FAIL" },
		{ "CAUSE", 0.5, SCOLS_FL_WRAP, SCOLS_JSON_STRING, "why not, and what to do" },
	};
	static const int all[] = { 0, 1, 2, 3, 4 };
	struct verify_opts o = { 0 };
	struct cli_table_opts t;
	struct cli_columns c;
	struct path_root *root = NULL;
	struct host *h = NULL;
	struct verify_result res = { 0 };
	struct libscols_table *tb = NULL;
	const char *rootdir, *against;
	bool seen[CLI_OPTIONS_MAX];
	int r;

	r = cli_options_parse(&verify_options, "verify", argc, argv, &o, seen);
	if (r != 0)
		return r < 0 ? EXIT_OK : r;
	r = EXIT_PROBLEM;
	t = o.t;
	rootdir = o.rootdir;
	against = o.against;
	if (optind < argc)
		return cli_usage_error("verify", "unexpected argument '%s'", argv[optind]);
	if (against)
		return verify_drift(rootdir, against, &t);
	cli_columns_init(&c, cols, ARRAY_SIZE(cols), all, ARRAY_SIZE(all));
	if (t.columns && (r = cli_columns_parse(&c, "verify", t.columns)) != 0)
		return r;
	r = EXIT_PROBLEM;
	if (cli_open_root(rootdir, &root) < 0)
		return EXIT_USAGE;
	if (cli_load_host(root, HOST_LOAD_PCI | HOST_LOAD_MODULES | HOST_LOAD_SYSTEM | HOST_LOAD_BOOT, &h) < 0)
		goto out;
	if (verify_run(h, &res) < 0 || !(tb = cli_table_new(&c, "verify", t.json, t.raw, t.noheadings)))
		goto oom;
	if (res.nothing) {
		cli_error("%s", res.nothing);
		goto out;
	}
	r = EXIT_OK;
	for (size_t i = 0; i < res.n; i++) {
		const struct pci_device *d = &h->pci[res.rows[i].dev];
		struct libscols_line *ln = scols_table_new_line(tb, NULL);
		if (!ln || cli_cell(ln, &c, 0, d->name) || cli_cellf(ln, &c, 1, "%04x:%04x", d->vendor, d->device) ||
		    cli_cell(ln, &c, 2, d->driver ? d->driver : "none") ||
		    cli_cell(ln, &c, 3, res.rows[i].ok ? "ok" : "FAIL") || cli_cell(ln, &c, 4, res.rows[i].cause))
			goto oom;
		if (!res.rows[i].ok)
			r = EXIT_PROBLEM;
	}
	cli_print_table(tb);
	warn_drift(root);
	goto out;
oom:
	cli_error("out of memory");
	r = EXIT_PROBLEM;
out:
	scols_unref_table(tb);
	verify_result_free(&res);
	host_free(h);
	path_root_free(root);
	return r;
}
