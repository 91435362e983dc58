/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vfiokit inventory: the host as one versioned JSON document; vfiokit
 * export: that, for the engines that run fleets (docs/inventory.md). */
#include "cli/cli.h"
#include "emit/inventory.h"
#include "shared/escape.h"

#define INVENTORY_LOAD \
	(HOST_LOAD_PCI | HOST_LOAD_NAMES | HOST_LOAD_SYSTEM | HOST_LOAD_USAGE | HOST_LOAD_TOPOLOGY | HOST_LOAD_LINKS)

int cli_inventory_load(struct path_root *root, struct inventory *ret)
{
	struct host *h = NULL;
	int k;

	if (cli_load_host(root, INVENTORY_LOAD, &h) < 0)
		return -ENOMEM;
	k = inventory_from_host(h, ret);
	host_free(h);
	if (k < 0)
		cli_error("out of memory");
	return k;
}

int cli_inventory_read(const char *path, struct inventory *ret)
{
	_cleanup_close_ int fd = cli_open_regular(path);
	_cleanup_error_ struct error err = { 0 };
	_cleanup_free_ char *buf = NULL;
	size_t len = 0, alloc = 0;
	int k;

	if (fd < 0) {
		cli_error("%s: cannot open: %s; write an inventory on its host with 'vfiokit inventory -J > FILE'",
			  path, path_strerror(fd));
		return fd;
	}
	for (;;) {
		ssize_t n;
		if (len == alloc) {
			char *b;
			alloc = alloc ? alloc * 2 : 65536;
			if (alloc > INVENTORY_MAX_SIZE + 1)
				alloc = INVENTORY_MAX_SIZE + 1;
			if (len == alloc) {
				cli_error("%s: larger than 16 MiB, not a vfiokit inventory; write one on its host with 'vfiokit "
					  "inventory -J > FILE'",
					  path);
				return -EFBIG;
			}
			if (!(b = realloc(buf, alloc))) {
				cli_error("out of memory");
				return -ENOMEM;
			}
			buf = b;
		}
		n = read(fd, buf + len, alloc - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			k = -errno;
			cli_error("%s: cannot read: %s; write an inventory on its host with 'vfiokit inventory -J > FILE'",
				  path, strerror(-k));
			return k;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	k = inventory_parse(buf ? buf : "", len, ret, &err);
	if (k == -ENOMEM)
		cli_error("out of memory");
	else if (k < 0)
		cli_error("%s: not a vfiokit inventory: %s; write one on its host with 'vfiokit inventory -J > FILE'",
			  path, err.msg);
	return k;
}

static void inventory_help(void)
{
	fputs("Usage: vfiokit inventory [-J] [--root DIR]\n"
	      "\n"
	      "Print the host as one JSON document (schema \"" INVENTORY_SCHEMA "\", every member in\n"
	      "docs/inventory.md): PCI devices with IDs, subsystem IDs, names, class, driver,\n"
	      "IOMMU group and its verdict, reset methods, host use, what 'vfiokit bind' moved,\n"
	      "NUMA node, slot, a topology path that survives bus renumbering, link speed and\n"
	      "width; groups; the IOMMU; the kernel command line; the CPUs. For fleets:\n"
	      "'vfiokit export --from' and 'vfiokit verify --against' read it back.\n"
	      "\n"
	      "Options:\n"
	      "  -J, --json           JSON (the only form; taken for symmetry with other commands)\n"
	      "      --root DIR       read the machine from DIR (an unpacked 'vfiokit snapshot')\n"
	      "  -h, --help           this help\n"
	      "\n"
	      "Exit status: 0 printed, 1 the host could not be read, 2 usage error.\n"
	      "See vfiokit-inventory(1).\n",
	      stdout);
}

struct inventory_opts {
	bool json; /* -J: the only form */
	const char *rootdir;
};

static const struct option_spec inventory_specs[] = {
	CLI_FLAG_SHORT("json", 'J', CLI_SV_ALL, struct inventory_opts, json),
	CLI_COMMON_SPECS(struct inventory_opts, rootdir),
};

static const struct cli_options inventory_options = {
	"inventory", NULL, 0, inventory_specs, ARRAY_SIZE(inventory_specs), NULL, inventory_help,
};

int cmd_inventory(int argc, char **argv)
{
	struct inventory_opts o = { 0 };
	struct inventory inv = { 0 };
	struct path_root *root = NULL;
	_cleanup_free_ char *json = NULL, *safe = NULL;
	const char *rootdir;
	bool seen[CLI_OPTIONS_MAX];
	int r;

	r = cli_options_parse(&inventory_options, "inventory", argc, argv, &o, seen);
	if (r != 0)
		return r < 0 ? EXIT_OK : r;
	r = EXIT_PROBLEM;
	rootdir = o.rootdir;
	if (optind < argc)
		return cli_usage_error("inventory", "unexpected argument '%s'", argv[optind]);
	if (cli_open_root(rootdir, &root) < 0)
		return EXIT_USAGE;
	if (cli_inventory_load(root, &inv) < 0)
		goto out;
	if (inventory_to_json(&inv, &json) < 0 || !(safe = json_escape_text(json))) {
		cli_error("out of memory");
		goto out;
	}
	fputs(safe, stdout);
	r = EXIT_OK;
out:
	inventory_clear(&inv);
	path_root_free(root);
	return r;
}

static void export_help(void)
{
	fputs("Usage: vfiokit export --format FORMAT [--group N | --device ADDR]... [--from INVENTORY]...\n"
	      "\n"
	      "Write what an engine that runs guests on many hosts needs to hand these devices to\n"
	      "a guest, from this host (or --root) or from inventories ('vfiokit inventory -J'),\n"
	      "one per host with --from: then the cluster-wide form (one Proxmox mapping with a\n"
	      "map line per node, one permittedHostDevices list). The devices are named on every\n"
	      "host. Formats:\n"
	      "  kubevirt          KubeVirt CR: spec.configuration.permittedHostDevices (a merge patch)\n"
	      "  hco               HyperConverged CR: spec.permittedHostDevices\n"
	      "  nova              nova.conf [pci] device_spec and alias lines, per host\n"
	      "  proxmox-mapping   /etc/pve/mapping/pci.cfg section and the pvesh line (one card)\n"
	      "  incus             'incus config device add' lines, one per card\n"
	      "\n"
	      "Refused, with the reason, as the engine would get it wrong: a device the host uses\n"
	      "(display, mount, route); a group whose other members stay on a host driver (not\n"
	      "viable: name them too, or take the whole --group); a vendor:device selector\n"
	      "(kubevirt, hco) that also matches a device the host uses or one not exported;\n"
	      "Nova addresses past domain ffff; a device in no IOMMU group.\n"
	      "\n"
	      "Options:\n"
	      "      --format FORMAT  one of the above\n"
	      "      --group N        every endpoint of IOMMU group N\n"
	      "      --device ADDR    one device (0000:06:00.0 or 06:00.0)\n"
	      "      --from FILE      an inventory, one per host; without it, this host\n"
	      "      --name NAME      the Proxmox mapping id, Nova alias or Incus device name\n"
	      "                       ([a-z][a-z0-9_-]*; default: from the device's name)\n"
	      "      --vm NAME        incus: the instance (default VM)\n"
	      "      --root DIR       read the machine from DIR instead of /\n"
	      "  -h, --help           this help\n"
	      "\n"
	      "Exit status: 0 written, 1 refused or unreadable input, 2 usage error.\n"
	      "See vfiokit-export(1).\n",
	      stdout);
}

static bool name_ok(const char *s, bool upper)
{
	const char *set = upper ? "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-" :
				  "abcdefghijklmnopqrstuvwxyz0123456789_-";

	return *s && strlen(s) <= 63 && ((*s >= 'a' && *s <= 'z') || (upper && *s >= 'A' && *s <= 'Z')) &&
	       strspn(s, set) == strlen(s);
}

enum { OPT_FORMAT = 0x2000, OPT_GROUP, OPT_DEVICE, OPT_FROM, OPT_NAME, OPT_VM };

/* export's options; groups, devices and from hold as many as argv. */
struct export_opts {
	struct export_request req;
	int *groups;
	struct pci_addr *devices;
	const char **from;
	size_t nfrom;
	const char *rootdir;
};

static int export_parse(void *target, int val, const char *arg, const char *cmd)
{
	struct export_opts *o = target;
	int k;

	switch (val) {
	case OPT_FORMAT:
		if ((k = export_format_from_name(arg)) < 0)
			return cli_usage_error(cmd,
					       "--format takes kubevirt, hco, nova, proxmox-mapping or incus, not '%s'",
					       arg);
		o->req.format = (enum export_format)k;
		return 0;
	case OPT_GROUP: {
		long g;
		if (parse_int(arg, 0, INT32_MAX, &g) < 0)
			return cli_usage_error(cmd, "--group takes a group number, not '%s'", arg);
		o->groups[o->req.ngroups++] = (int)g;
		return 0;
	}
	case OPT_DEVICE:
		if (parse_pci_addr(arg, &o->devices[o->req.ndevices]) < 0)
			return cli_usage_error(cmd, "--device takes a PCI address like 0000:06:00.0, not '%s'", arg);
		o->req.ndevices++;
		return 0;
	case OPT_FROM:
		o->from[o->nfrom++] = arg;
		return 0;
	case OPT_NAME:
		if (!name_ok(arg, false))
			return cli_usage_error(cmd, "--name takes [a-z][a-z0-9_-]* (at most 63), not '%s'", arg);
		o->req.name = arg;
		return 0;
	case OPT_VM:
		if (!name_ok(arg, true))
			return cli_usage_error(cmd, "--vm takes an instance name ([A-Za-z][A-Za-z0-9-]*), not '%s'",
					       arg);
		o->req.vm = arg;
		return 0;
	}
	return cli_usage_error(cmd, "invalid option");
}

static const struct option_spec export_specs[] = {
	CLI_CALL("format", required_argument, OPT_FORMAT, CLI_SV_ALL),
	CLI_CALL("group", required_argument, OPT_GROUP, CLI_SV_ALL),
	CLI_CALL("device", required_argument, OPT_DEVICE, CLI_SV_ALL),
	CLI_CALL("from", required_argument, OPT_FROM, CLI_SV_ALL),
	CLI_CALL("name", required_argument, OPT_NAME, CLI_SV_ALL),
	CLI_CALL("vm", required_argument, OPT_VM, CLI_SV_ALL),
	CLI_COMMON_SPECS(struct export_opts, rootdir),
};

static const struct cli_options export_options = {
	"export", NULL, 0, export_specs, ARRAY_SIZE(export_specs), export_parse, export_help,
};

int cmd_export(int argc, char **argv)
{
	_cleanup_free_ int *groups = calloc(argc, sizeof(int));
	_cleanup_free_ struct pci_addr *devices = calloc(argc, sizeof(struct pci_addr));
	_cleanup_free_ const char **from = calloc(argc, sizeof(char *));
	struct export_opts o = { .req = { .format = _EXPORT_MAX }, .groups = groups, .devices = devices, .from = from };
	struct export_request req;
	_cleanup_free_ struct inventory *invs = NULL;
	_cleanup_free_ const struct inventory **ptrs = NULL;
	_cleanup_free_ char *text = NULL;
	_cleanup_error_ struct error why = { 0 };
	size_t nfrom, ninv = 0;
	const char *rootdir;
	bool seen[CLI_OPTIONS_MAX];
	int k, r = EXIT_PROBLEM;

	if (!groups || !devices || !from) {
		cli_error("out of memory");
		return EXIT_PROBLEM;
	}
	k = cli_options_parse(&export_options, "export", argc, argv, &o, seen);
	if (k != 0)
		return k < 0 ? EXIT_OK : k;
	req = o.req;
	nfrom = o.nfrom;
	rootdir = o.rootdir;
	if (optind < argc)
		return cli_usage_error("export", "unexpected argument '%s'", argv[optind]);
	if (req.format == _EXPORT_MAX)
		return cli_usage_error("export", "--format is required");
	if (!req.ngroups && !req.ndevices)
		return cli_usage_error("export", "name what to export: --group N or --device ADDR");
	if (nfrom && rootdir)
		return cli_usage_error("export", "--from and --root exclude each other: the inventories are the hosts");
	req.groups = groups;
	req.devices = devices;
	invs = calloc(nfrom ? nfrom : 1, sizeof(*invs));
	ptrs = calloc(nfrom ? nfrom : 1, sizeof(*ptrs));
	if (!invs || !ptrs) {
		cli_error("out of memory");
		return EXIT_PROBLEM;
	}
	if (nfrom) {
		for (; ninv < nfrom; ninv++)
			if (cli_inventory_read(from[ninv], &invs[ninv]) < 0)
				goto out;
	} else {
		struct path_root *root = NULL;
		if (cli_open_root(rootdir, &root) < 0)
			return EXIT_USAGE;
		k = cli_inventory_load(root, &invs[0]);
		path_root_free(root);
		if (k < 0)
			goto out;
		ninv = 1;
	}
	for (size_t i = 0; i < ninv; i++)
		ptrs[i] = &invs[i];
	k = export_render(ptrs, ninv, &req, &text, &why);
	if (k == -ENOMEM)
		cli_error("out of memory");
	else if (k < 0) {
		for (char *line = why.msg, *next; line; line = next) {
			_cleanup_free_ char *msg = NULL;
			next = strchr(line, '\n');
			if (next)
				*next++ = '\0';
			msg = strdupf("refused: %s", line);
			cli_error("%s", msg ? msg : line); /* each reason names its way out, or: */
		}
		cli_error("nothing written; what each format refuses and why: 'vfiokit export --help'");
	} else {
		cli_put_text(stdout, text);
		r = EXIT_OK;
	}
out:
	for (size_t i = 0; i < ninv; i++)
		inventory_clear(&invs[i]);
	return r;
}
