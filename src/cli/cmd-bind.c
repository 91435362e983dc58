/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vfiokit bind / unbind: move devices to vfio-pci at runtime and back, the
 * article's driver_override method, group-aware and all-or-nothing. */
#include <libsmartcols/libsmartcols.h>

#include "plan/bind.h"
#include "cli/cli.h"
#include "apply/lock.h"
#include "apply/rebind.h"

enum {
	OPT_DRIVER = 0x2000,
	OPT_ALLOW, /* + enum refusal_kind */
};

struct bind_opts {
	bool unbind, json, dry_run, only;
	bool allow[_REFUSE_MAX];
	const char *driver, *rootdir;
};

static void help(bool unbind)
{
	if (unbind)
		fputs("Usage: vfiokit unbind [OPTIONS] TARGET...\n"
		      "\n"
		      "Give devices that are on vfio-pci back to the host: to exactly the driver and\n"
		      "driver_override they had before 'vfiokit bind' (its state is in\n"
		      "/run/vfiokit/bound/), or, for devices it did not bind (vfio-pci.ids= at boot),\n"
		      "to the loaded driver their modalias matches, through driver_override.\n",
		      stdout);
	else
		fputs("Usage: vfiokit bind [OPTIONS] TARGET...\n"
		      "\n"
		      "Move devices to vfio-pci now, without a reboot (the article's driver_override\n"
		      "method): for each device driver_override, unbind, drivers_probe; never new_id,\n"
		      "which would claim every identical card. The set grows to every endpoint of\n"
		      "each IOMMU group; bridges and root ports stay on the host. If any step fails,\n"
		      "every device already moved goes back to its driver. Success means each device\n"
		      "is on the driver and /dev/vfio/GROUP exists.\n",
		      stdout);
	fputs("\n"
	      "TARGET: a PCI address (0000:01:00.0 or 01:00.0), a vendor:device ID that\n"
	      "matches one device (10de:13c2), or group:N.\n"
	      "\n"
	      "Options:\n"
	      "      --driver NAME    the VFIO driver (default vfio-pci)\n"
	      "      --only           only the devices named, not the rest of their groups\n"
	      "      --dry-run        print every write in order and change nothing\n",
	      stdout);
	fputs("  -J, --json           JSON output\n"
	      "      --root DIR       plan for the machine copy in DIR (needs --dry-run)\n"
	      "  -h, --help           this help\n",
	      stdout);
	if (!unbind)
		cli_allow_help(true);
	fprintf(stdout,
		"\n"
		"Exit status: 0 done (or nothing to do), 1 refused or failed (rolled back),\n"
		"2 usage error. See vfiokit-%s(1).\n",
		unbind ? "unbind" : "bind");
}

static const char *step_action(enum bind_step_kind k)
{
	static const char *const names[] = {
		[STEP_MODPROBE] = "modprobe", [STEP_SAVE_STATE] = "save-state", [STEP_OVERRIDE] = "driver_override",
		[STEP_UNBIND] = "unbind",     [STEP_PROBE] = "drivers_probe",   [STEP_BIND] = "bind",
		[STEP_FORGET] = "forget-state", [STEP_WAIT_VFIO] = "wait-vfio",
	};
	return names[k];
}

/* A fixed table: every column of info, in order. */
static struct libscols_table *new_table(const struct bind_opts *o, const char *name, const struct cli_column *info,
					size_t n, struct cli_columns *c)
{
	static const int all[] = { 0, 1, 2, 3, 4, 5, 6, 7 };

	cli_columns_init(c, info, n, all, n);
	return cli_table_new(c, name, o->json, false, false);
}

static int print_steps(const struct host *h, const struct bind_plan *p, const struct bind_opts *o)
{
	static const struct cli_column cols[] = {
		{ "STEP", 0.1, 0, SCOLS_JSON_NUMBER, NULL },   { "DEVICE", 0.1, 0, SCOLS_JSON_STRING, NULL },
		{ "ACTION", 0.1, 0, SCOLS_JSON_STRING, NULL }, { "COMMAND", 0.1, 0, SCOLS_JSON_STRING, NULL },
	};
	struct cli_columns c;
	struct libscols_table *tb;

	if (!o->json) {
		for (size_t i = 0; i < p->nsteps; i++) {
			_cleanup_free_ char *d = bind_step_describe(h, p, &p->steps[i]);
			if (!d)
				return -ENOMEM;
			cli_line(stdout, "%s", d);
		}
		return 0;
	}
	tb = new_table(o, "steps", cols, ARRAY_SIZE(cols), &c);
	if (!tb)
		return -ENOMEM;
	for (size_t i = 0; i < p->nsteps; i++) {
		const struct bind_step *s = &p->steps[i];
		struct libscols_line *ln = scols_table_new_line(tb, NULL);
		_cleanup_free_ char *n = strdupf("%zu", i + 1), *d = bind_step_describe(h, p, s);
		bool per_dev = s->kind != STEP_MODPROBE && s->kind != STEP_WAIT_VFIO;
		if (!ln || !n || !d || scols_line_set_data(ln, 0, n) ||
		    (per_dev && scols_line_set_data(ln, 1, h->pci[p->items[s->item].dev].name)) ||
		    scols_line_set_data(ln, 2, step_action(s->kind)) || scols_line_set_data(ln, 3, d)) {
			scols_unref_table(tb);
			return -ENOMEM;
		}
	}
	cli_print_table(tb);
	scols_unref_table(tb);
	return 0;
}

/* What each device is on now, read back from sysfs. */
static int print_result(const struct host *h, const struct bind_plan *p, const struct bind_opts *o)
{
	static const struct cli_column cols[] = {
		{ "DEVICE", 0.1, 0, SCOLS_JSON_STRING, NULL }, { "GROUP", 0.1, 0, SCOLS_JSON_NUMBER, NULL },
		{ "BEFORE", 0.1, 0, SCOLS_JSON_STRING, NULL }, { "NOW", 0.1, 0, SCOLS_JSON_STRING, NULL },
		{ "CHANGED", 0.1, 0, SCOLS_JSON_STRING, NULL },
	};
	struct cli_columns c;
	struct libscols_table *tb = new_table(o, o->unbind ? "unbind" : "bind", cols, ARRAY_SIZE(cols), &c);

	if (!tb)
		return -ENOMEM;
	for (size_t i = 0; i < p->nitems; i++) {
		const struct bind_item *it = &p->items[i];
		const struct pci_device *d = &h->pci[it->dev];
		struct libscols_line *ln = scols_table_new_line(tb, NULL);
		_cleanup_free_ char *now = NULL, *grp = strdupf("%d", d->iommu_group);
		int k = pci_read_driver(h->root, d->name, &now);

		if (k == -ENOMEM || !ln || !grp || scols_line_set_data(ln, 0, d->name) ||
		    (d->iommu_group >= 0 && scols_line_set_data(ln, 1, grp)) ||
		    scols_line_set_data(ln, 2, it->orig_driver ? it->orig_driver : "none") ||
		    scols_line_set_data(ln, 3, k < 0 ? "?" : now ? now : "none") ||
		    scols_line_set_data(ln, 4, it->change ? "yes" : "no")) {
			scols_unref_table(tb);
			return -ENOMEM;
		}
	}
	cli_print_table(tb);
	scols_unref_table(tb);
	return 0;
}

static int bind_parse(void *target, int val, const char *arg, const char *cmd)
{
	struct bind_opts *o = target;

	if (cli_allow_option(val, OPT_ALLOW, o->allow)) {
		if (o->unbind)
			return cli_usage_error(cmd, "--%s is an option of 'vfiokit bind'",
					       refusal_option((enum refusal_kind)(val - OPT_ALLOW)));
		return 0;
	}
	/* --driver */
	if (!*arg || strchr(arg, '/') || streq(arg, ".") || streq(arg, ".."))
		return cli_usage_error(cmd, "--driver takes a driver name, not '%s'", arg);
	o->driver = arg;
	return 0;
}

static void bind_help(void)
{
	help(false);
}

static void unbind_help(void)
{
	help(true);
}

static const struct option_spec bind_specs[] = {
	CLI_CALL("driver", required_argument, OPT_DRIVER, CLI_SV_ALL),
	CLI_FLAG("only", CLI_SV_ALL, struct bind_opts, only),
	CLI_FLAG("dry-run", CLI_SV_ALL, struct bind_opts, dry_run),
	CLI_FLAG_SHORT("json", 'J', CLI_SV_ALL, struct bind_opts, json),
	CLI_ALLOW_SPECS(OPT_ALLOW, CLI_SV_ALL),
	CLI_COMMON_SPECS(struct bind_opts, rootdir),
};

/* The same options: unbind refuses the --allow-* in bind_parse(), as an
 * option of bind's. */
static const struct cli_options bind_options = {
	"bind", NULL, 0, bind_specs, ARRAY_SIZE(bind_specs), bind_parse, bind_help,
};
static const struct cli_options unbind_options = {
	"unbind", NULL, 0, bind_specs, ARRAY_SIZE(bind_specs), bind_parse, unbind_help,
};

static int parse(int argc, char **argv, struct bind_opts *o)
{
	const char *cmd = o->unbind ? "unbind" : "bind";
	bool seen[CLI_OPTIONS_MAX];
	int r;

	r = cli_options_parse(o->unbind ? &unbind_options : &bind_options, cmd, argc, argv, o, seen);
	if (r != 0)
		return r;
	if (optind >= argc)
		return cli_usage_error(cmd, "name at least one device: an address, a vendor:device ID or group:N");
	return 0;
}

static int run(int argc, char **argv, bool unbind)
{
	const char *cmd = unbind ? "unbind" : "bind";
	struct bind_opts o = { .unbind = unbind, .driver = "vfio-pci" };
	struct path_root *root = NULL;
	struct host *h = NULL;
	struct bind_plan p = { 0 };
	struct rebind_option_lock { int fd; } lock = { -1 };
	_cleanup_error_ struct error err = { 0 };
	struct bind_options bo;
	struct rebind_result res = { 0 };
	int r, k;

	r = parse(argc, argv, &o);
	if (r != 0)
		return r < 0 ? EXIT_OK : r;
	if (cli_open_root(o.rootdir, &root) < 0)
		return EXIT_USAGE;
	if (!path_root_is_live(root) && !o.dry_run) {
		path_root_free(root);
		return cli_usage_error(cmd, "--root %s is a copy of a machine: it can only be planned for (add --dry-run)",
				       o.rootdir);
	}
	if (!o.dry_run && cli_need_root(root) < 0) {
		path_root_free(root);
		return EXIT_PROBLEM;
	}
	/* One change at a time, from before the sysfs and state it plans from
	 * are read: state and sysfs must agree. */
	if (!o.dry_run && cli_lock(root, unbind ? "vfiokit unbind" : "vfiokit bind", &lock.fd) < 0) {
		path_root_free(root);
		return EXIT_PROBLEM;
	}
	if (cli_load_host(root, HOST_LOAD_PCI | HOST_LOAD_MODULES | HOST_LOAD_USAGE, &h) < 0) {
		r = EXIT_PROBLEM;
		goto out;
	}

	bo = (struct bind_options){ .driver = o.driver, .only = o.only };
	if (host_pci_drivers_probe(h, o.driver ? o.driver : BIND_DRIVER_DEFAULT) < 0)
		goto oom;
	k = unbind ? unbind_plan_make(h, argv + optind, (size_t)(argc - optind), &bo, &p, &err)
		   : bind_plan_make(h, argv + optind, (size_t)(argc - optind), &bo, &p, &err);
	if (k < 0) {
		r = cli_error_exit(cmd, &err);
		goto out;
	}
	for (size_t i = 0; i < p.warnings.n; i++)
		cli_warn("%s", p.warnings.v[i]);
	if (cli_print_refusals(&p.refusals, o.allow)) {
		fprintf(stderr, "vfiokit: nothing was changed\n");
		r = EXIT_PROBLEM;
		goto out;
	}
	if (p.nsteps == 0) {
		if (p.nitems == 0)
			cli_error("nothing is on %s there; nothing to do ('vfiokit groups -o NAME,DRIVER,BOUND' "
				  "shows each device's driver)",
				  p.driver);
		else
			fprintf(stderr, "vfiokit: %s already; nothing to do\n",
				unbind ? "nothing to give back" : "every device is on the driver");
		r = p.nitems && print_result(h, &p, &o) < 0 ? EXIT_PROBLEM : EXIT_OK;
		goto out;
	}
	if (o.dry_run) {
		r = print_steps(h, &p, &o) < 0 ? EXIT_PROBLEM : EXIT_OK;
		goto out;
	}

	k = rebind_execute(h, &p, &res);
	if (k < 0)
		goto oom;
	if (res.failed) {
		const struct bind_step *s = &p.steps[res.step];
		_cleanup_free_ char *d = bind_step_describe(h, &p, s);
		bool per_dev = s->kind != STEP_MODPROBE && s->kind != STEP_WAIT_VFIO;
		cli_error("%s failed%s%s at step %zu of %zu, '%s': %s%s%s; what was put back follows ('vfiokit groups' "
			  "shows where each device is)",
			  cmd, per_dev ? " for " : "",
			  per_dev ? h->pci[p.items[s->item].dev].name : "", res.step + 1, p.nsteps, d ? d : "?",
			  strerror(-res.error), res.detail ? "; " : "", res.detail ? res.detail : "");
		for (size_t i = 0; i < res.rolled_back.n; i++)
			cli_error("rolled back %s", res.rolled_back.v[i]);
		for (size_t i = 0; i < res.rollback_errors.n; i++)
			cli_error("ROLLBACK FAILED: %s", res.rollback_errors.v[i]);
		if (res.rollback_errors.n == 0)
			fprintf(stderr, "vfiokit: every device is back where it was\n");
		r = EXIT_PROBLEM;
		goto out;
	}
	r = print_result(h, &p, &o) < 0 ? EXIT_PROBLEM : EXIT_OK;
	if (!o.json && !unbind && r == EXIT_OK)
		for (size_t i = 0; i < p.nsteps; i++)
			if (p.steps[i].kind == STEP_WAIT_VFIO)
				cli_line(stdout, "/%s is ready", p.steps[i].path);
	goto out;
oom:
	cli_error("out of memory");
	r = EXIT_PROBLEM;
out:
	rebind_result_clear(&res);
	bind_plan_clear(&p);
	host_free(h);
	lock_release(lock.fd);
	path_root_free(root);
	return r;
}

int cmd_bind(int argc, char **argv)
{
	return run(argc, argv, false);
}

int cmd_unbind(int argc, char **argv)
{
	return run(argc, argv, true);
}
