/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vfiokit groups: the article's IOMMU group listing as a tree (lsblk-style
 * columns and JSON through libsmartcols), with a verdict per group. */
#include <libsmartcols/libsmartcols.h>
#include <stdarg.h>
#include <strings.h>

#include "cli/cli.h"
#include "cli/rows.h"
#include "emit/svg.h"
#include "plan/isolation.h"

enum {
	COL_NAME, COL_VERDICT, COL_ID, COL_SUBSYS, COL_CLASS, COL_REV, COL_TYPE, COL_VENDOR, COL_PRODUCT,
	COL_DESCRIPTION, COL_DRIVER, COL_OVERRIDE, COL_MODULES, COL_RESET, COL_BOOTVGA, COL_ROLE, COL_NUMA,
	COL_GROUP, COL_USBBUS, COL_SHARED, COL_BOUND, COL_HOSTUSE, COL_HOLDERS,
};

static const struct cli_column infos[] = {
	[COL_NAME] = { "NAME", 0.2, SCOLS_FL_TREE | SCOLS_FL_NOEXTREMES, SCOLS_JSON_STRING,
		       "group, PCI address, or USB bus/device" },
	[COL_VERDICT] = { "VERDICT", 0.1, 0, SCOLS_JSON_STRING,
			  "group: isolated, with-root-port, shared or bridges-only" },
	[COL_ID] = { "ID", 9, 0, SCOLS_JSON_STRING, "vendor:device" },
	[COL_SUBSYS] = { "SUBSYS", 9, 0, SCOLS_JSON_STRING, "subsystem vendor:device" },
	[COL_CLASS] = { "CLASS", 6, 0, SCOLS_JSON_STRING, "class code (base, sub, prog-if)" },
	[COL_REV] = { "REV", 3, 0, SCOLS_JSON_STRING, "revision" },
	[COL_TYPE] = { "TYPE", 0.2, SCOLS_FL_TRUNC, SCOLS_JSON_STRING, "class name" },
	[COL_VENDOR] = { "VENDOR", 0.2, SCOLS_FL_TRUNC, SCOLS_JSON_STRING, "vendor name" },
	[COL_PRODUCT] = { "PRODUCT", 0.2, SCOLS_FL_TRUNC, SCOLS_JSON_STRING, "device name" },
	[COL_DESCRIPTION] = { "DESCRIPTION", 0.4, SCOLS_FL_TRUNC, SCOLS_JSON_STRING,
			      "class, vendor and device names, as lspci prints them" },
	[COL_DRIVER] = { "DRIVER", 0.1, 0, SCOLS_JSON_STRING, "driver in use" },
	[COL_OVERRIDE] = { "OVERRIDE", 0.1, 0, SCOLS_JSON_STRING, "driver_override" },
	[COL_MODULES] = { "MODULES", 0.1, 0, SCOLS_JSON_ARRAY_STRING, "kernel modules that could claim it" },
	[COL_RESET] = { "RESET", 0.1, 0, SCOLS_JSON_STRING, "reset methods, or \"no\"" },
	[COL_BOOTVGA] = { "BOOTVGA", 1, 0, SCOLS_JSON_STRING, "1 for the GPU the firmware booted with" },
	[COL_ROLE] = { "ROLE", 0.1, 0, SCOLS_JSON_STRING, "endpoint, root-port, bridge or host-bridge" },
	[COL_NUMA] = { "NUMA", 2, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "NUMA node" },
	[COL_GROUP] = { "GROUP", 3, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "IOMMU group number" },
	[COL_USBBUS] = { "USBBUS", 3, 0, SCOLS_JSON_ARRAY_STRING, "USB bus numbers of a USB controller" },
	[COL_SHARED] = { "SHARED", 0.2, 0, SCOLS_JSON_ARRAY_STRING,
			 "group: endpoints outside the card, which would have to go along" },
	[COL_BOUND] = { "BOUND", 0.1, 0, SCOLS_JSON_STRING,
			"moved by 'vfiokit bind': the driver 'vfiokit unbind' gives it back to" },
	[COL_HOSTUSE] = { "HOSTUSE", 0.3, SCOLS_FL_TRUNC, SCOLS_JSON_ARRAY_STRING,
			  "what the host uses it for: display, mount, route (bind refuses these)" },
	[COL_HOLDERS] = { "HOLDERS", 0.3, SCOLS_FL_TRUNC, SCOLS_JSON_ARRAY_STRING,
			  "what holds a display device: processes with its DRM or nvidia nodes open, its\n"
			  "framebuffer and fbcon, a boot framebuffer in its BARs, the display manager, its\n"
			  "driver's module users; \"unknown: ...\" names a fact that could not be read" },
};

static const int default_cols[] = { COL_NAME, COL_VERDICT, COL_ID, COL_DRIVER, COL_RESET, COL_BOOTVGA, COL_DESCRIPTION };
static const int gpu_cols[] = { COL_NAME, COL_VERDICT, COL_ID, COL_DRIVER, COL_RESET, COL_BOOTVGA, COL_HOLDERS, COL_DESCRIPTION };
static const int usb_cols[] = { COL_NAME, COL_VERDICT, COL_ID, COL_DRIVER, COL_RESET, COL_USBBUS, COL_DESCRIPTION };

struct groups_opts {
	struct cli_table_opts t;
	bool gpu, usb, svg;
	int group; /* -1: all */
	const char *device;
	struct pci_addr device_addr;
	struct cli_columns cols;
	const char *rootdir;
};

static void help(void)
{
	fputs("Usage: vfiokit groups [OPTIONS]\n"
	      "\n"
	      "List IOMMU groups as a tree of their devices, with a passthrough verdict:\n"
	      "  isolated        only functions of one card: pass them together\n"
	      "  with-root-port  one card plus the root port above it, which stays on the host\n"
	      "  shared          other devices too: they would have to go along\n"
	      "  bridges-only    nothing a guest could take\n"
	      "\n"
	      "Options:\n"
	      "      --gpu            only groups holding a display device (class 0x03), with HOLDERS\n"
	      "      --usb            only groups holding a USB controller, with its buses and devices\n"
	      "      --group N        only group N\n"
	      "      --device ADDR    only the group of device ADDR (0000:01:00.0 or 01:00.0)\n"
	      "      --format table|svg  the table, or an SVG picture: the groups as boxes in\n"
	      "                       their PCIe tree, each verdict a word and a pattern\n"
	      "  -J, --json           JSON output\n"
	      "  -o, --output LIST    columns to print; +LIST adds to the default\n"
	      "  -r, --raw            raw output (no tree, no alignment)\n"
	      "  -n, --noheadings     no header line\n"
	      "      --root DIR       read the machine from DIR instead of /\n"
	      "  -h, --help           this help\n"
	      "\n"
	      "When 'vfiokit bind' has moved a device, the BOUND column joins the defaults;\n"
	      "with --gpu, the HOLDERS column does.\n"
	      "\n"
	      "Columns:\n",
	      stdout);
	cli_columns_help(&(struct cli_columns){ .info = infos, .ninfo = ARRAY_SIZE(infos) });
	fputs("\nExit status: 0 listed, 1 the group or device does not exist, 2 usage error.\n"
	      "See vfiokit-groups(1).\n",
	      stdout);
}

/* Set a cell if its column is shown: into the row's one buffer, reused
 * from line to line (cli/rows.h). */
#define set_cell(r, col, val) cli_row_set(r, col, val)
#define set_cellf(r, col, ...) cli_row_setf(r, col, __VA_ARGS__)

/* Class, vendor and device names as lspci prints them. The names are
 * libpci's, 255 bytes at most each (names.c): DESC_MAX holds them all. */
#define DESC_MAX 1024

static const char *describe(const struct pci_device *d, char buf[static DESC_MAX])
{
	char cls[16], rev[16] = "";
	const char *type = d->class_name;

	if (!type) {
		snprintf(cls, sizeof(cls), "Class %04x", d->class >> 8);
		type = cls;
	}
	if (d->has_revision && d->revision)
		snprintf(rev, sizeof(rev), " (rev %02x)", d->revision);
	if (d->vendor_name && d->device_name)
		snprintf(buf, DESC_MAX, "%s: %s %s%s", type, d->vendor_name, d->device_name, rev);
	else if (d->vendor_name)
		snprintf(buf, DESC_MAX, "%s: %s Device %04x%s", type, d->vendor_name, d->device, rev);
	else
		snprintf(buf, DESC_MAX, "%s: Device %04x:%04x%s", type, d->vendor, d->device, rev);
	return buf;
}

static const char *role_name(enum pci_role r)
{
	static const char *const names[] = { "endpoint", "bridge", "root-port", "host-bridge" };

	return names[r];
}

static int fill_usb(struct cli_out *out, unsigned level, struct cli_row *r, const struct pci_device *d)
{
	for (size_t b = 0; b < d->nusb; b++)
		for (size_t i = 0; i < d->usb[b].ndevs; i++) {
			const struct usb_device *u = &d->usb[b].devs[i];
			int k = 0;

			cli_row_reset(r);
			k |= set_cellf(r, COL_NAME, "Bus %03u Device %03u", u->busnum, u->devnum);
			k |= set_cellf(r, COL_ID, "%04x:%04x", u->vendor, u->product);
			if (u->manufacturer || u->product_name)
				k |= set_cellf(r, COL_DESCRIPTION, "%s%s%s", strempty(u->manufacturer),
					       u->manufacturer && u->product_name ? " " : "",
					       strempty(u->product_name));
			if (k || cli_out_line(out, level, r) < 0)
				return -ENOMEM;
		}
	return 0;
}

/* One line a holder; facts that could not be read as "unknown: ...". */
static char *holders_text(const struct pci_device *d)
{
	struct strv u = { 0 };
	char *joined = NULL;

	for (size_t i = 0; i < d->nholders; i++)
		if (strv_push(&u, d->holders[i].what) < 0)
			goto out;
	for (size_t i = 0; i < d->holders_unknown.n; i++)
		if (strv_push_take(&u, strdupf("unknown: %s", d->holders_unknown.v[i])) < 0)
			goto out;
	joined = strv_join(&u, "\n");
out:
	strv_clear(&u);
	return joined;
}

/* The cells of the lists a device seldom has, one item a line (an array in
 * JSON): its modules, USB buses and uses. Built only when shown. */
static int fill_device_lists(struct cli_row *r, const struct groups_opts *o, const struct pci_device *d)
{
	int k = 0;

	if (d->modules.n && cli_columns_shown(&o->cols, COL_MODULES)) {
		_cleanup_free_ char *mods = strv_join(&d->modules, "\n");
		if (!mods)
			return -ENOMEM;
		k |= set_cell(r, COL_MODULES, mods);
	}
	if (d->nusb > 0 && cli_columns_shown(&o->cols, COL_USBBUS)) {
		struct strv b = { 0 };
		_cleanup_free_ char *buses = NULL;
		for (size_t i = 0; i < d->nusb; i++)
			if (strv_push_take(&b, strdupf("%u", d->usb[i].busnum)) < 0) {
				strv_clear(&b);
				return -ENOMEM;
			}
		buses = strv_join(&b, "\n");
		strv_clear(&b);
		if (!buses)
			return -ENOMEM;
		k |= set_cell(r, COL_USBBUS, buses);
	}
	if (d->nuses && cli_columns_shown(&o->cols, COL_HOSTUSE)) {
		struct strv u = { 0 };
		_cleanup_free_ char *joined = NULL;
		for (size_t i = 0; i < d->nuses; i++)
			if (strv_push_take(&u, strdupf("%s: %s", pci_use_kind_name(d->uses[i].kind), d->uses[i].what)) < 0) {
				strv_clear(&u);
				return -ENOMEM;
			}
		joined = strv_join(&u, "\n");
		strv_clear(&u);
		if (!joined)
			return -ENOMEM;
		k |= set_cell(r, COL_HOSTUSE, joined);
	}
	if ((d->nholders || d->holders_unknown.n) && cli_columns_shown(&o->cols, COL_HOLDERS)) {
		_cleanup_free_ char *holders = holders_text(d);
		if (!holders)
			return -ENOMEM;
		k |= set_cell(r, COL_HOLDERS, holders);
	}
	return k ? -ENOMEM : 0;
}

static int fill_device(struct cli_out *out, unsigned level, struct cli_row *r, const struct groups_opts *o,
		       const struct pci_device *d)
{
	char desc[DESC_MAX];
	int k = 0;

	cli_row_reset(r);
	k |= set_cell(r, COL_NAME, d->name);
	k |= set_cellf(r, COL_ID, "%04x:%04x", d->vendor, d->device);
	if (d->has_subsys)
		k |= set_cellf(r, COL_SUBSYS, "%04x:%04x", d->subvendor, d->subdevice);
	k |= set_cellf(r, COL_CLASS, "%06x", d->class);
	if (d->has_revision)
		k |= set_cellf(r, COL_REV, "%02x", d->revision);
	k |= set_cell(r, COL_TYPE, d->class_name);
	k |= set_cell(r, COL_VENDOR, d->vendor_name);
	k |= set_cell(r, COL_PRODUCT, d->device_name);
	if (cli_columns_shown(&o->cols, COL_DESCRIPTION))
		k |= set_cell(r, COL_DESCRIPTION, describe(d, desc));
	k |= set_cell(r, COL_DRIVER, d->driver);
	k |= set_cell(r, COL_OVERRIDE, d->driver_override);
	if (d->reset_method && *d->reset_method) {
		/* "flr bus" as "flr,bus" */
		k |= set_cell(r, COL_RESET, d->reset_method);
		for (char *p = cli_row_get(r, COL_RESET); p && *p; p++)
			if (*p == ' ')
				*p = ',';
	} else
		k |= set_cell(r, COL_RESET, d->has_reset ? "yes" : "no");
	if (d->boot_vga >= 0)
		k |= set_cellf(r, COL_BOOTVGA, "%d", d->boot_vga);
	k |= set_cell(r, COL_ROLE, role_name(d->role));
	if (d->numa_node >= 0)
		k |= set_cellf(r, COL_NUMA, "%d", d->numa_node);
	if (d->iommu_group >= 0)
		k |= set_cellf(r, COL_GROUP, "%d", d->iommu_group);
	if (d->bound)
		k |= set_cellf(r, COL_BOUND, "was %s", *d->bound->driver ? d->bound->driver : "no driver");
	if (k || fill_device_lists(r, o, d) < 0 || cli_out_line(out, level, r) < 0)
		return -ENOMEM;
	return o->usb ? fill_usb(out, level + 1, r, d) : 0;
}

static bool group_selected(const struct host *h, const struct iommu_group *g, const struct groups_opts *o)
{
	bool gpu = false, usb = false, dev = false;

	if (o->group >= 0 && g->number != o->group)
		return false;
	for (size_t i = 0; i < g->ndevs; i++) {
		const struct pci_device *d = &h->pci[g->devs[i]];
		gpu |= pci_is_display(d) && !pci_is_bridge_role(d->role);
		usb |= pci_is_usb_controller(d);
		dev |= o->device && pci_addr_cmp(&d->addr, &o->device_addr) == 0;
	}
	return (!o->gpu || gpu) && (!o->usb || usb) && (!o->device || dev);
}

/* A device outside every group (all of them when the IOMMU is off) that
 * the filters keep. */
static bool ungrouped_selected(const struct pci_device *d, const struct groups_opts *o)
{
	return d->iommu_group < 0 && (!o->gpu || pci_is_display(d)) && (!o->usb || pci_is_usb_controller(d));
}

static int fill_group(struct cli_out *out, struct cli_row *r, const struct host *h, const struct iommu_group *g,
		      const struct groups_opts *o, const struct group_assessment *a)
{
	int k = 0;

	cli_row_reset(r);
	k |= set_cellf(r, COL_NAME, "group %d", g->number);
	k |= set_cell(r, COL_VERDICT, group_verdict_name(a->verdict));
	k |= set_cellf(r, COL_GROUP, "%d", g->number);
	if ((a->nothers || g->missing.n) && cli_columns_shown(&o->cols, COL_SHARED)) {
		struct strv shared = { 0 };
		_cleanup_free_ char *sh = NULL;
		for (size_t i = 0; i < a->nothers; i++)
			if (strv_push(&shared, h->pci[a->others[i]].name) < 0)
				k = -ENOMEM;
		for (size_t i = 0; i < g->missing.n; i++)
			if (strv_push(&shared, g->missing.v[i]) < 0)
				k = -ENOMEM;
		if (!k && !(sh = strv_join(&shared, "\n")))
			k = -ENOMEM;
		strv_clear(&shared);
		k |= set_cell(r, COL_SHARED, sh);
	}
	if (k || cli_out_line(out, 0, r) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < g->ndevs; i++)
		if (fill_device(out, 1, r, o, &h->pci[g->devs[i]]) < 0)
			return -ENOMEM;
	return 0;
}

/* Who shares a shared group; the article's options follow once, after all. */
static void print_shared_notes(const struct host *h, const struct iommu_group *g, const struct group_assessment *a)
{
	char card[PCI_ADDR_STRLEN];

	if (a->has_card) {
		format_pci_addr(&a->card, card);
		*strrchr(card, '.') = '\0'; /* the slot: 0000:06:00 */
		printf("\ngroup %d is shared: besides the card in slot %s it holds\n", g->number, card);
	} else
		printf("\ngroup %d holds no device vfiokit could read:\n", g->number);
	for (size_t i = 0; i < a->nothers; i++) {
		const struct pci_device *d = &h->pci[a->others[i]];
		char desc[DESC_MAX];
		cli_line(stdout, "  %s [%04x:%04x] %s", d->name, d->vendor, d->device, describe(d, desc));
	}
	for (size_t i = 0; i < g->missing.n; i++)
		cli_line(stdout, "  %s (listed in the group, but not readable in /sys/bus/pci/devices)", g->missing.v[i]);
}

static void print_shared_options(void)
{
	fputs("\noptions for a shared group:\n"
	      "  - move the card to another slot: a slot wired to the CPU often gets a group of its own;\n"
	      "  - pass every endpoint of the group to the guest (the host loses them);\n"
	      "  - boot a kernel with the ACS override patch and pcie_acs_override=downstream,multifunction:\n"
	      "    the group is then split in software only, and its devices can still reach each\n"
	      "    other's memory by DMA, which weakens the isolation between guest and host.\n",
	      stdout);
}

/* The groups, each as its lines are made: -J writes them at once and keeps
 * no group's assessment past its lines; the text table and -r keep the
 * lines (libsmartcols), the text its shared groups' for the notes after. */
static int print_groups(struct host *h, struct groups_opts *o)
{
	struct group_assessment *as = NULL;
	bool notes = !o->t.json && !o->t.raw;
	struct cli_out out;
	struct cli_row row;
	size_t shown = 0, ungrouped = 0;
	int r = EXIT_OK;

	cli_row_init(&row, &o->cols);
	if (cli_out_open(&out, &o->cols, "groups", &o->t) < 0)
		return -ENOMEM;
	as = calloc(h->ngroups ? h->ngroups : 1, sizeof(*as));
	if (!as)
		goto oom;
	const struct pci_device *named = o->device ? host_find_pci(h, &o->device_addr) : NULL;

	for (size_t i = 0; i < h->ngroups; i++) {
		const struct iommu_group *g = &h->groups[i];
		bool own = named && named->iommu_group == g->number;
		if (!group_selected(h, g, o))
			continue;
		if (isolation_assess(h, g, own ? &o->device_addr : NULL, &as[i]) < 0)
			goto oom;
		if (fill_group(&out, &row, h, g, o, &as[i]) < 0)
			goto oom;
		if (!notes || as[i].verdict != VERDICT_SHARED)
			group_assessment_clear(&as[i]);
		shown++;
	}
	/* Devices outside any group: all of them when the IOMMU is off. */
	if (o->group < 0 && !o->device)
		for (size_t i = 0; i < h->npci; i++)
			ungrouped += ungrouped_selected(&h->pci[i], o);
	if (ungrouped) {
		cli_row_reset(&row);
		if (set_cell(&row, COL_NAME, "no group") < 0 || cli_out_line(&out, 0, &row) < 0)
			goto oom;
		for (size_t i = 0; i < h->npci; i++)
			if (ungrouped_selected(&h->pci[i], o) && fill_device(&out, 1, &row, o, &h->pci[i]) < 0)
				goto oom;
	}
	if (cli_out_finish(&out, shown + ungrouped > 0 || o->t.json) == -ENOMEM)
		goto oom;
	if (notes) {
		size_t nshared = 0;
		for (size_t i = 0; i < h->ngroups; i++)
			if (as[i].verdict == VERDICT_SHARED && group_selected(h, &h->groups[i], o)) {
				print_shared_notes(h, &h->groups[i], &as[i]);
				nshared++;
			}
		if (nshared)
			print_shared_options();
	}

	if (h->ngroups == 0)
		cli_error("no IOMMU groups: the IOMMU is off or not supported here (see 'vfiokit check')");
	if (o->group >= 0 && shown == 0) {
		cli_error("no IOMMU group %d ('vfiokit groups' lists them)", o->group);
		r = EXIT_PROBLEM;
	}
	goto out;
oom:
	r = -ENOMEM;
out:
	for (size_t i = 0; as && i < h->ngroups; i++)
		group_assessment_clear(&as[i]);
	free(as);
	cli_row_free(&row);
	cli_out_free(&out);
	return r;
}

/* --format svg: the groups the filters keep, drawn (emit/svg.c). */
static int print_svg(const struct host *h, const struct groups_opts *o)
{
	_cleanup_free_ bool *show = calloc(h->ngroups ? h->ngroups : 1, sizeof(bool));
	_cleanup_free_ bool *ungrouped = calloc(h->npci ? h->npci : 1, sizeof(bool));
	_cleanup_free_ char *text = NULL;
	size_t shown = 0;

	if (!show || !ungrouped)
		return -ENOMEM;
	for (size_t i = 0; i < h->ngroups; i++)
		shown += show[i] = group_selected(h, &h->groups[i], o);
	for (size_t i = 0; i < h->npci && o->group < 0 && !o->device; i++)
		ungrouped[i] = ungrouped_selected(&h->pci[i], o);
	text = svg_groups_text(h, &(struct svg_groups_filter){ .show_group = show, .show_ungrouped = ungrouped });
	if (!text)
		return -ENOMEM;
	if (o->group >= 0 && shown == 0) {
		cli_error("no IOMMU group %d ('vfiokit groups' lists them)", o->group);
		return EXIT_PROBLEM;
	}
	fputs(text, stdout);
	if (h->ngroups == 0)
		cli_error("no IOMMU groups: the IOMMU is off or not supported here (see 'vfiokit check')");
	return EXIT_OK;
}

enum { OPT_GROUP = 0x100, OPT_DEVICE, OPT_FORMAT };

static int groups_parse(void *target, int val, const char *arg, const char *cmd)
{
	struct groups_opts *o = target;

	switch (val) {
	case OPT_GROUP: {
		long g;
		if (parse_int(arg, 0, INT32_MAX, &g) < 0)
			return cli_usage_error(cmd, "--group takes a group number, not '%s'", arg);
		o->group = (int)g;
		return 0;
	}
	case OPT_DEVICE:
		if (parse_pci_addr(arg, &o->device_addr) < 0)
			return cli_usage_error(cmd, "--device takes a PCI address like 0000:01:00.0, not '%s'", arg);
		o->device = arg;
		return 0;
	case OPT_FORMAT:
		if (!streq(arg, "table") && !streq(arg, "svg"))
			return cli_usage_error(cmd, "--format takes table or svg, not '%s'", arg);
		o->svg = streq(arg, "svg");
		return 0;
	}
	cli_table_option(val, &o->t);
	return 0;
}

static const struct option_spec groups_specs[] = {
	CLI_TABLE_SPECS(CLI_SV_ALL, CLI_SV_ALL),
	CLI_FLAG("gpu", CLI_SV_ALL, struct groups_opts, gpu),
	CLI_FLAG("usb", CLI_SV_ALL, struct groups_opts, usb),
	CLI_CALL("group", required_argument, OPT_GROUP, CLI_SV_ALL),
	CLI_CALL("device", required_argument, OPT_DEVICE, CLI_SV_ALL),
	CLI_CALL("format", required_argument, OPT_FORMAT, CLI_SV_ALL),
	CLI_COMMON_SPECS(struct groups_opts, rootdir),
};

static const struct cli_options groups_options = {
	"groups", NULL, 0, groups_specs, ARRAY_SIZE(groups_specs), groups_parse, help,
};

int cmd_groups(int argc, char **argv)
{
	struct groups_opts o = { .group = -1 };
	const char *rootdir;
	struct path_root *root = NULL;
	struct host *h = NULL;
	bool seen[CLI_OPTIONS_MAX];
	int r;

	r = cli_options_parse(&groups_options, "groups", argc, argv, &o, seen);
	if (r != 0)
		return r < 0 ? EXIT_OK : r;
	rootdir = o.rootdir;
	if (optind < argc)
		return cli_usage_error("groups", "unexpected argument '%s'", argv[optind]);
	if (o.svg && (o.t.json || o.t.raw || o.t.noheadings || o.t.columns))
		return cli_usage_error("groups", "--format svg draws every column: it takes no -J, -r, -n or -o");
	/* The picture is libxml2's; the table never loads it. */
	if (o.svg && cli_libxml_load() < 0)
		return EXIT_PROBLEM;

	if (o.usb)
		cli_columns_init(&o.cols, infos, ARRAY_SIZE(infos), usb_cols, ARRAY_SIZE(usb_cols));
	else if (o.gpu)
		cli_columns_init(&o.cols, infos, ARRAY_SIZE(infos), gpu_cols, ARRAY_SIZE(gpu_cols));
	else
		cli_columns_init(&o.cols, infos, ARRAY_SIZE(infos), default_cols, ARRAY_SIZE(default_cols));
	if (o.t.columns && (r = cli_columns_parse(&o.cols, "groups", o.t.columns)) != 0)
		return r;

	if (cli_open_root(rootdir, &root) < 0)
		return EXIT_USAGE;
	/* Modules only for their column: a modalias read per device, and
	 * each matched against modules.alias, for nothing else; numa_node and
	 * driver_override likewise. */
	if (cli_load_host(root,
			  HOST_LOAD_PCI | HOST_LOAD_NAMES | HOST_LOAD_USAGE | (o.usb ? HOST_LOAD_USB : 0) |
				  (cli_columns_shown(&o.cols, COL_MODULES) ? HOST_LOAD_MODULES : 0) |
				  (cli_columns_shown(&o.cols, COL_HOLDERS) ? HOST_LOAD_HOLDERS : 0) |
				  (cli_columns_shown(&o.cols, COL_NUMA) ? 0 : HOST_PCI_NO_NUMA) |
				  (cli_columns_shown(&o.cols, COL_OVERRIDE) ? 0 : HOST_PCI_NO_OVERRIDE) |
				  (o.svg ? HOST_LOAD_SYSTEM : 0),
			  &h) < 0) {
		path_root_free(root);
		return EXIT_PROBLEM;
	}
	/* Devices that `vfiokit bind` moved: say so, next to the driver. */
	if (!o.t.columns)
		for (size_t i = 0; i < h->npci; i++)
			if (h->pci[i].bound) {
				memmove(&o.cols.cols[5], &o.cols.cols[4], (o.cols.ncols - 4) * sizeof(o.cols.cols[0]));
				o.cols.cols[4] = COL_BOUND;
				o.cols.ncols++;
				break;
			}
	if (o.device) {
		const struct pci_device *d = host_find_pci(h, &o.device_addr);
		if (!d) {
			cli_error("no PCI device %s ('vfiokit groups' lists the devices)", o.device);
			r = EXIT_PROBLEM;
			goto out;
		}
		if (d->iommu_group < 0) {
			cli_error("%s is in no IOMMU group: the IOMMU is off or not supported (see 'vfiokit check')", d->name);
			r = EXIT_PROBLEM;
			goto out;
		}
	}
	r = o.svg ? print_svg(h, &o) : print_groups(h, &o);
	if (r < 0) {
		cli_error("out of memory");
		r = EXIT_PROBLEM;
	}
out:
	host_free(h);
	path_root_free(root);
	return r;
}
