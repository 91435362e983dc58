/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vfiokit handover take|give ADDR: hand the host's GPU to a guest and back
 * (the article's "Passing the boot GPU to the guest"). Options, output;
 * the steps are planned in plan/handover.c and run in apply/handover.c. */
#include "apply/handover.h"
#include "apply/lock.h"
#include "cli/cli.h"

enum {
	OPT_DRY_RUN = 0x2000,
	OPT_IGNORE_HOLDERS,
	OPT_ALLOW, /* + enum refusal_kind */
};

static void help(void)
{
	fputs("Usage: vfiokit handover take ADDR [--dry-run] [OPTIONS]\n"
	      "       vfiokit handover give ADDR [--dry-run]\n"
	      "\n"
	      "Hand a GPU the host uses (its only one, or the boot GPU) to vfio-pci for a guest,\n"
	      "and back. take, in order: records what it does in /run/vfiokit/handover/ADDR;\n"
	      "stops the display manager if a process of it holds the device (systemctl, with a\n"
	      "timeout); unbinds fbcon from the vtconsoles; releases the boot framebuffer\n"
	      "(efifb, simplefb) on its BARs; unloads nvidia_drm, nvidia_modeset and nvidia_uvm\n"
	      "for nvidia's driver; then binds the device's IOMMU group to vfio-pci with\n"
	      "'vfiokit bind'. Any failure undoes every step done, newest first. give runs the\n"
	      "reverse from the record: the group back to its drivers, the modules, the boot\n"
	      "framebuffer of a device that had no driver (that device's own driver instead,\n"
	      "once the kernel has removed the framebuffer), fbcon, the display manager.\n"
	      "\n"
	      "take lifts bind's refusal of a device that drives the host's display: it is\n"
	      "handing that display over. It refuses while another process holds the device\n"
	      "('vfiokit groups --gpu' shows the HOLDERS) or while what holds it cannot be read.\n"
	      "\n"
	      "Options:\n"
	      "      --dry-run          print the steps, change nothing\n"
	      "      --ignore-holders   take while other processes hold the device (they lose it)\n",
	      stdout);
	cli_allow_help(true);
	fputs("      --root DIR         plan for the machine copy in DIR (with --dry-run)\n"
	      "  -h, --help             this help\n"
	      "\n"
	      "Exit status: 0 done (or planned), 1 refused or failed (everything undone), 2 usage error.\n"
	      "See vfiokit-handover(1).\n",
	      stdout);
}

static void print_plan(const struct host *h, const struct handover_plan *p)
{
	for (size_t i = 0; i < p->nsteps; i++) {
		_cleanup_free_ char *d = handover_step_describe(h, p, &p->steps[i]);
		cli_line(stdout, "%2zu. %s", i + 1, d ? d : "?");
		if (p->steps[i].kind != HANDOVER_BIND)
			continue;
		for (size_t j = 0; j < p->bind.nsteps; j++) {
			_cleanup_free_ char *b = bind_step_describe(h, &p->bind, &p->bind.steps[j]);
			cli_line(stdout, "      %s", b ? b : "?");
		}
	}
}

static void print_failure(const struct host *h, const struct handover_plan *p, const struct handover_result *res,
			  const char *verb)
{
	_cleanup_free_ char *d = handover_step_describe(h, p, &p->steps[res->step]);

	cli_error("handover %s failed at step %zu of %zu, '%s': %s%s%s; what was put back follows ('vfiokit groups --gpu' "
		  "shows where the device is)",
		  verb, res->step + 1, p->nsteps, d ? d : "?", strerror(-res->error), res->detail ? "; " : "",
		  res->detail ? res->detail : "");
	for (size_t i = 0; i < res->bind.rolled_back.n; i++)
		cli_error("rolled back %s", res->bind.rolled_back.v[i]);
	for (size_t i = 0; i < res->rolled_back.n; i++)
		cli_error("rolled back %s", res->rolled_back.v[i]);
	for (size_t i = 0; i < res->bind.rollback_errors.n; i++)
		cli_error("ROLLBACK FAILED: %s", res->bind.rollback_errors.v[i]);
	for (size_t i = 0; i < res->rollback_errors.n; i++)
		cli_error("ROLLBACK FAILED: %s", res->rollback_errors.v[i]);
	if (p->give)
		fprintf(stderr, "vfiokit: the record stays; run 'vfiokit handover give %s' again once fixed\n",
			h->pci[p->dev].name);
	else if (res->rollback_errors.n == 0 && res->bind.rollback_errors.n == 0)
		fprintf(stderr, "vfiokit: the host is as it was before take\n");
}

enum { SV_TAKE, SV_GIVE };

static const struct subverb handover_subverbs[] = {
	[SV_TAKE] = { "take", VERB_MODIFIES },
	[SV_GIVE] = { "give", VERB_MODIFIES },
};

struct handover_opts {
	bool allow[_REFUSE_MAX], dry_run, ignore;
	const char *rootdir;
};

static const struct option_spec handover_specs[] = {
	CLI_FLAG("dry-run", CLI_SV_ALL, struct handover_opts, dry_run),
	CLI_FLAG("ignore-holders", CLI_SV(SV_TAKE), struct handover_opts, ignore),
	CLI_ALLOW_SPECS(OPT_ALLOW, CLI_SV(SV_TAKE)),
	CLI_COMMON_SPECS(struct handover_opts, rootdir),
};

static int handover_parse(void *target, int val, const char *arg, const char *cmd)
{
	struct handover_opts *o = target;

	(void)arg;
	(void)cmd;
	cli_allow_option(val, OPT_ALLOW, o->allow);
	return 0;
}

static const struct cli_options handover_options = {
	"handover",     handover_subverbs,          ARRAY_SIZE(handover_subverbs),
	handover_specs, ARRAY_SIZE(handover_specs), handover_parse,
	help,
};

int cmd_handover(int argc, char **argv)
{
	struct handover_opts o = { 0 };
	const char *verb, *target;
	struct path_root *root = NULL;
	struct host *h = NULL;
	struct handover_plan p = { 0 };
	struct handover_result res = { 0 };
	_cleanup_free_ char *state = NULL;
	_cleanup_error_ struct error err = { 0 };
	struct pci_addr a;
	bool seen[CLI_OPTIONS_MAX], dry_run, ignore, give;
	ssize_t sv;
	int lock_fd = -1, r, k;

	r = cli_options_parse(&handover_options, "handover", argc, argv, &o, seen);
	if (r != 0)
		return r < 0 ? EXIT_OK : r;
	dry_run = o.dry_run;
	ignore = o.ignore;
	if (optind + 2 != argc)
		return cli_usage_error("handover", "name take or give and one device: 'vfiokit handover take 01:00.0'");
	verb = argv[optind];
	target = argv[optind + 1];
	sv = cli_subverb_find(&handover_options, verb);
	if (sv < 0)
		return cli_usage_error("handover", "'%s' is neither take nor give", verb);
	give = sv == SV_GIVE;
	if (parse_pci_addr(target, &a) < 0)
		return cli_usage_error("handover", "'%s' is not a PCI address like 0000:01:00.0 or 01:00.0", target);
	r = cli_options_check(&handover_options, "handover", (size_t)sv, seen);
	if (r != 0)
		return r;
	cli_subverb_enter(&handover_subverbs[sv]);
	if (cli_open_root(o.rootdir, &root) < 0)
		return EXIT_USAGE;
	if (!path_root_is_live(root) && !dry_run) {
		path_root_free(root);
		return cli_usage_error("handover",
				       "--root %s is a copy of a machine: it can only be planned for (add --dry-run)",
				       o.rootdir);
	}
	if (!dry_run && cli_need_root(root) < 0) {
		path_root_free(root);
		return EXIT_PROBLEM;
	}
	/* The same lock as bind: one change of drivers at a time. */
	if (!dry_run && cli_lock(root, give ? "vfiokit handover give" : "vfiokit handover take", &lock_fd) < 0) {
		path_root_free(root);
		return EXIT_PROBLEM;
	}
	if (cli_load_host(root, HOST_LOAD_PCI | HOST_LOAD_MODULES | HOST_LOAD_USAGE | HOST_LOAD_HOLDERS, &h) < 0) {
		r = EXIT_PROBLEM;
		goto out;
	}
	if (host_pci_drivers_probe(h, BIND_DRIVER_DEFAULT) < 0)
		goto oom;
	{
		const struct pci_device *d = host_find_pci(h, &a);
		if (d && (k = host_handover_state(h, d, &state)) < 0 && k != -ENOENT) {
			if (k == -ENOMEM)
				goto oom;
			cli_error("/%s/%s: cannot read: %s; run 'vfiokit handover %s %s' again as root",
				  HANDOVER_STATE_DIR, d->name, path_strerror(k), verb, d->name);
			r = EXIT_PROBLEM;
			goto out;
		}
	}
	k = give ? handover_plan_give(h, target, state, &p, &err) : handover_plan_take(h, target, state, &p, &err);
	if (k < 0) {
		r = cli_error_exit("handover", &err);
		goto out;
	}
	for (size_t i = 0; i < p.notes.n; i++)
		cli_warn("%s", p.notes.v[i]);
	for (size_t i = 0; i < p.bind.warnings.n; i++)
		cli_warn("%s", p.bind.warnings.v[i]);
	if (!give) {
		struct refusal_list rest = { 0 };
		size_t left;
		/* What take hands over is said as such, not as an --allow-*. */
		for (size_t i = 0; i < p.bind.refusals.n; i++) {
			const struct refusal *x = &p.bind.refusals.v[i];
			if (refusal_handover_lifts(x->kind))
				cli_warn("%s: take hands this over", x->msg);
			else if (refusal_list_add(&rest, x->kind, strdup(x->msg)) < 0) {
				refusal_list_clear(&rest);
				goto oom;
			}
		}
		left = cli_print_refusals(&rest, o.allow);
		refusal_list_clear(&rest);
		for (size_t i = 0; i < p.blockers.n; i++)
			if (ignore)
				cli_warn("%s (--ignore-holders)", p.blockers.v[i]);
			else
				cli_error("refused: %s. To take it anyway: --ignore-holders", p.blockers.v[i]);
		if (left || (p.blockers.n && !ignore)) {
			fprintf(stderr, "vfiokit: nothing was changed\n");
			r = EXIT_PROBLEM;
			goto out;
		}
	}
	if (dry_run) {
		print_plan(h, &p);
		r = EXIT_OK;
		goto out;
	}
	if (handover_execute(h, &p, &res) < 0)
		goto oom;
	for (size_t i = 0; i < res.notes.n; i++)
		cli_warn("%s", res.notes.v[i]);
	if (res.failed) {
		print_failure(h, &p, &res, verb);
		r = EXIT_PROBLEM;
		goto out;
	}
	if (give)
		cli_line(stdout, "%s is back on the host", h->pci[p.dev].name);
	else
		cli_line(stdout, "%s is on vfio-pci for the guest; 'vfiokit handover give %s' gives it back",
			 h->pci[p.dev].name, h->pci[p.dev].name);
	r = EXIT_OK;
	goto out;
oom:
	cli_error("out of memory");
	r = EXIT_PROBLEM;
out:
	handover_result_clear(&res);
	handover_plan_clear(&p);
	host_free(h);
	lock_release(lock_fd);
	path_root_free(root);
	return r;
}
