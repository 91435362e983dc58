/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vfiokit doctor: the kernel log and libvirt's guest logs read against the
 * article's troubleshooting (plan/doctor.c), with the fix for this machine. */
#include <libsmartcols/libsmartcols.h>

#include "cli/cli.h"
#include "emit/doctor-text.h"
#include "plan/doctor.h"
#include "shared/escape.h"
#include "host/log.h"
#include "plan/vm.h"

#define LOGS_MAX 32

static void help(void)
{
	fputs("Usage: vfiokit doctor [--log FILE]... [--guest NAME] [OPTIONS]\n"
	      "\n"
	      "Read the kernel log of this boot (/dev/kmsg) and libvirt's guest logs\n"
	      "(/var/log/libvirt/qemu/NAME.log) for the failures the article's\n"
	      "troubleshooting describes: a BAR the boot framebuffer holds, no interrupt\n"
	      "remapping, a group not viable (and the member still on a host driver),\n"
	      "/dev/vfio/N missing, FLR and D3cold reset failures and the AMD reset bug,\n"
	      "RMRR, virtualization off in the firmware, unhandled MSRs, an invalid ROM,\n"
	      "DMA faults. One finding per problem: the evidence lines, the cause, the fix\n"
	      "for this machine and the article section. Without a log, the devices on\n"
	      "vfio-pci that cannot be reset, and GPUs on vfio-pci with a resizable BAR\n"
	      "the firmware enlarged (Code 43), are reported too.\n"
	      "\n"
	      "Options:\n"
	      "      --log FILE       read FILE instead of the logs above (dmesg, dmesg -T,\n"
	      "                       journalctl -k with any -o short form or -o cat, a copy\n"
	      "                       of /dev/kmsg, or a libvirt guest log); repeatable\n"
	      "      --guest NAME     read that guest's libvirt log (with --log: as well),\n"
	      "                       and check its /etc/libvirt/qemu/NAME.xml for what\n"
	      "                       NVIDIA and AMD guest drivers need (vendor_id, KVM\n"
	      "                       hidden, the in-kernel IOAPIC on q35); without\n"
	      "                       either, every guest's log is read\n"
	      "  -J, --json           JSON output\n"
	      "      --signatures     list the signatures and the source of each message format\n"
	      "      --root DIR       read the machine (and its dev/kmsg and var/log/libvirt,\n"
	      "                       as vfiokit snapshot stores them) from DIR instead of /\n"
	      "  -h, --help           this help\n"
	      "\n"
	      "Exit status: 0 no finding is an error (warnings allowed), 1 a finding is an\n"
	      "error or a log could not be read, 2 usage error.\n"
	      "See vfiokit-doctor(1).\n",
	      stdout);
}

struct scan {
	struct doctor_report rep;
	uint64_t lines;
	size_t nlogs;
	bool failed; /* an input could not be read: exit 1 */
};

/* Say what of a log could not be used. */
static void log_diags(const char *name, const struct log_stats *st, uint64_t matched)
{
	if (st->binary && !st->lines)
		cli_warn("%s: not a text log (%llu lines with NUL bytes); nothing read from it", name,
			 (unsigned long long)st->binary);
	else if (st->binary)
		cli_warn("%s: %llu lines with NUL bytes are not text; skipped", name, (unsigned long long)st->binary);
	if (st->cut)
		cli_warn("%s: %llu lines longer than %d bytes; read up to that length", name, (unsigned long long)st->cut,
			 LOG_LINE_MAX);
	if (st->lines && !st->stamped && !matched)
		cli_warn("%s: no line starts as a known log does (dmesg, dmesg -T, journalctl, /dev/kmsg, libvirt); "
			 "read as plain messages",
			 name);
	if (!st->lines && !st->binary)
		cli_warn("%s: empty", name);
}

static int scan_log(struct scan *sc, struct log_reader *lr, const char *name)
{
	struct log_line ln;
	uint64_t matched = 0;
	int k;

	while ((k = log_next(lr, &ln)) > 0) {
		struct doctor_match m;
		char where[64];

		if (!doctor_match_line(ln.text, &m))
			continue;
		matched++;
		snprintf(where, sizeof(where), "%llu", (unsigned long long)ln.lineno);
		_cleanup_free_ char *w = strdupf("%s:%s", name, where);
		if (!w || doctor_report_add(&sc->rep, &m, w, ln.raw) < 0)
			return -ENOMEM;
	}
	sc->nlogs++;
	sc->lines += log_reader_stats(lr)->lines;
	if (k < 0) {
		cli_error("%s: read error: %s; run 'vfiokit doctor' again", name, strerror(-k));
		sc->failed = true;
	}
	log_diags(name, log_reader_stats(lr), matched);
	return 0;
}

static int scan_file(struct scan *sc, const char *file)
{
	struct log_reader *lr = NULL;
	int fd = cli_open_regular(file), k;

	if (fd < 0) {
		cli_error("%s: %s; give --log a regular file that holds the log ('journalctl -k -b >kernel.log', then "
			  "--log kernel.log)",
			  file, path_strerror(fd));
		sc->failed = true;
		return 0;
	}
	if ((k = log_open_fd(fd, false, &lr)) < 0)
		return k;
	k = scan_log(sc, lr, file);
	log_close(lr);
	return k;
}

static int scan_root(struct scan *sc, struct path_root *root, const char *rel, const char *what)
{
	struct log_reader *lr = NULL;
	int k = log_open_root(root, rel, &lr);

	if (k == -ENOMEM)
		return k;
	if (k < 0) {
		if (k == -EPERM || k == -EACCES)
			cli_error("/%s: %s: %s could not be read; run 'sudo vfiokit doctor'", rel, path_strerror(k), what);
		else
			cli_error("/%s: %s: %s could not be read; give it with --log FILE", rel, path_strerror(k), what);
		sc->failed = true;
		return 0;
	}
	k = scan_log(sc, lr, rel);
	log_close(lr);
	return k;
}

static int scan_guests(struct scan *sc, struct path_root *root)
{
	struct strv names = { 0 };
	int k = path_list(root, LOG_GUEST_DIR, &names);

	if (k == -ENOENT || k == -ENOTDIR) {
		strv_clear(&names);
		return 0;
	}
	if (k < 0) {
		strv_clear(&names);
		if (k == -ENOMEM)
			return k;
		cli_error("/%s: %s: the guests' logs could not be listed; give a guest's log with --log FILE", LOG_GUEST_DIR,
			  path_strerror(k));
		sc->failed = true;
		return 0;
	}
	for (size_t i = 0; k == 0 && i < names.n; i++) {
		_cleanup_free_ char *rel = NULL;

		if (!endswith(names.v[i], ".log"))
			continue;
		rel = strdupf("%s/%s", LOG_GUEST_DIR, names.v[i]);
		k = rel ? scan_root(sc, root, rel, "the guest's log") : -ENOMEM;
	}
	strv_clear(&names);
	return k;
}

static int list_signatures(bool json)
{
	size_t n;
	const struct doctor_sig *s = doctor_signatures(&n);
	struct libscols_table *tb = scols_new_table();
	static const char *const cols[] = { "ID", "SEVERITY", "MATCH", "SECTION", "SOURCE" };
	int r = 0;

	if (!tb)
		return -ENOMEM;
	scols_table_set_name(tb, "signatures");
	scols_table_enable_json(tb, json);
	for (size_t i = 0; i < ARRAY_SIZE(cols); i++)
		if (!scols_table_new_column(tb, cols[i], 0, i == 4 ? SCOLS_FL_WRAP : 0))
			r = -ENOMEM;
	for (size_t i = 0; r == 0 && i < n; i++) {
		struct libscols_line *ln = scols_table_new_line(tb, NULL);
		_cleanup_free_ char *match = s[i].needle2 ? strdupf("\"%s\" and \"%s\"", s[i].needle, s[i].needle2)
							  : strdupf("\"%s\"", s[i].needle);

		if (!ln || !match || scols_line_set_data(ln, 0, s[i].id) ||
		    scols_line_set_data(ln, 1, doctor_severity_name(s[i].severity)) || scols_line_set_data(ln, 2, match) ||
		    scols_line_set_data(ln, 3, s[i].section) || scols_line_set_data(ln, 4, s[i].source))
			r = -ENOMEM;
	}
	if (r == 0)
		r = cli_print_table(tb);
	scols_unref_table(tb);
	return r;
}

static int print_json(const struct doctor_report *rep)
{
	static const struct {
		const char *name;
		int json;
	} cols[] = {
		{ "ID", SCOLS_JSON_STRING },      { "SEVERITY", SCOLS_JSON_STRING }, { "DEVICE", SCOLS_JSON_STRING },
		{ "GROUP", SCOLS_JSON_NUMBER },   { "CAUSE", SCOLS_JSON_STRING },    { "FIX", SCOLS_JSON_STRING },
		{ "SECTION", SCOLS_JSON_STRING }, { "SOURCE", SCOLS_JSON_STRING },   { "COUNT", SCOLS_JSON_NUMBER },
		{ "EVIDENCE", SCOLS_JSON_ARRAY_STRING },
	};
	struct libscols_table *tb = scols_new_table();
	int r = 0;

	if (!tb)
		return -ENOMEM;
	scols_table_set_name(tb, "findings");
	scols_table_enable_json(tb, 1);
	for (size_t i = 0; i < ARRAY_SIZE(cols); i++) {
		struct libscols_column *cl = scols_table_new_column(tb, cols[i].name, 0, 0);
		if (!cl) {
			r = -ENOMEM;
			break;
		}
		scols_column_set_json_type(cl, cols[i].json);
		if (cols[i].json == SCOLS_JSON_ARRAY_STRING) {
			scols_column_set_flags(cl, scols_column_get_flags(cl) | SCOLS_FL_WRAP);
			scols_column_set_wrapfunc(cl, scols_wrapnl_chunksize, scols_wrapnl_nextchunk, NULL);
			scols_column_set_safechars(cl, "\n");
		}
	}
	for (size_t i = 0; r == 0 && i < rep->n; i++) {
		const struct doctor_finding *f = &rep->f[i];
		struct libscols_line *ln = scols_table_new_line(tb, NULL);
		_cleanup_free_ char *group = f->group >= 0 ? strdupf("%ld", f->group) : NULL;
		_cleanup_free_ char *count = strdupf("%llu", (unsigned long long)f->count);
		_cleanup_free_ char *ev = f->evidence.n ? strv_join(&f->evidence, "\n") : NULL;
		char addr[PCI_ADDR_STRLEN];

		if (f->has_addr)
			format_pci_addr(&f->addr, addr);
		if (!ln || !count || (f->group >= 0 && !group) || (f->evidence.n && !ev) ||
		    scols_line_set_data(ln, 0, f->sig->id) || scols_line_set_data(ln, 1, doctor_severity_name(f->severity)) ||
		    (f->has_addr && scols_line_set_data(ln, 2, addr)) || (group && scols_line_set_data(ln, 3, group)) ||
		    scols_line_set_data(ln, 4, f->cause) || scols_line_set_data(ln, 5, f->fix) ||
		    scols_line_set_data(ln, 6, f->sig->section) || scols_line_set_data(ln, 7, f->sig->source) ||
		    scols_line_set_data(ln, 8, count) || (ev && scols_line_set_data(ln, 9, ev)))
			r = -ENOMEM;
	}
	if (r == 0)
		r = cli_print_table(tb);
	scols_unref_table(tb);
	return r;
}

/* The guest's libvirt XML against the article's Code 43 entries. */
static int check_guest(struct scan *sc, struct host *h, const char *guest)
{
	const struct host_guest *g;
	size_t nd = h->diags.n;
	int k = host_guest_load(h, guest, &g);

	if (k == -ENOMEM)
		return k;
	/* A guest file to parse, and libxml2 cannot be loaded: said, failed. */
	if (k == -ELIBACC) {
		cli_libxml_load();
		sc->failed = true;
		return 0;
	}
	if (k == -ENOENT) {
		cli_warn("/etc/libvirt/qemu/%s.xml: absent: the guest's configuration was not checked", guest);
		return 0;
	}
	if (k < 0) {
		for (size_t i = nd; i < h->diags.n; i++)
			cli_error("%s: the guest's configuration was not checked; 'virsh dumpxml %s' shows what libvirt "
				  "holds",
				  h->diags.v[i], guest);
		sc->failed = true;
		return 0;
	}
	return doctor_report_guest(&sc->rep, h, g);
}

static int run(struct path_root *root, char **logs, size_t nlogs, const char *guest, bool json)
{
	struct scan sc = { 0 };
	struct host *h = NULL;
	int r = EXIT_PROBLEM, k = 0;

	if (cli_load_host(root, HOST_LOAD_PCI | HOST_LOAD_SYSTEM | HOST_LOAD_MODULES, &h) < 0)
		return EXIT_PROBLEM;
	for (size_t i = 0; k == 0 && i < nlogs; i++)
		k = scan_file(&sc, logs[i]);
	if (k == 0 && !nlogs)
		k = scan_root(&sc, root, LOG_KERNEL_REL, "the kernel log of this boot");
	if (k == 0 && guest) {
		_cleanup_free_ char *rel = strdupf("%s/%s.log", LOG_GUEST_DIR, guest);
		k = rel ? scan_root(&sc, root, rel, "the guest's log") : -ENOMEM;
	} else if (k == 0 && !nlogs)
		k = scan_guests(&sc, root);
	if (k == 0)
		k = doctor_report_finish(&sc.rep, h);
	if (k == 0 && guest)
		k = check_guest(&sc, h, guest);
	if (k < 0) {
		cli_error("out of memory");
		goto out;
	}
	if (json) {
		if (print_json(&sc.rep) < 0) {
			cli_error("out of memory");
			goto out;
		}
	} else {
		_cleanup_free_ char *text = doctor_text(&sc.rep);

		if (!text) {
			cli_error("out of memory");
			goto out;
		}
		cli_put_text(stdout, text);
		printf("%ssummary: %zu errors, %zu warnings, %zu info; %llu lines read from %zu logs\n", sc.rep.n ? "\n" : "",
		       doctor_report_count(&sc.rep, DOCTOR_ERROR), doctor_report_count(&sc.rep, DOCTOR_WARNING),
		       doctor_report_count(&sc.rep, DOCTOR_INFO), (unsigned long long)sc.lines, sc.nlogs);
	}
	r = sc.failed || doctor_report_count(&sc.rep, DOCTOR_ERROR) ? EXIT_PROBLEM : EXIT_OK;
out:
	doctor_report_clear(&sc.rep);
	host_free(h);
	return r;
}

enum { OPT_LOG = 0x100, OPT_GUEST };

struct doctor_opts {
	char *logs[LOGS_MAX];
	size_t nlogs;
	const char *rootdir, *guest;
	bool json, sigs;
};

static int doctor_parse(void *target, int val, const char *arg, const char *cmd)
{
	struct doctor_opts *o = target;
	const char *why;

	if (val == OPT_LOG) {
		if (o->nlogs == LOGS_MAX)
			return cli_usage_error(cmd, "at most %d --log files", LOGS_MAX);
		o->logs[o->nlogs++] = (char *)arg;
		return 0;
	}
	/* --guest: the one judgement of a domain name, vm's. */
	why = vm_name_invalid(arg);
	if (why)
		return cli_usage_error(cmd, "--guest '%s': not a guest name: it %s", arg, why);
	o->guest = arg;
	return 0;
}

static const struct option_spec doctor_specs[] = {
	CLI_CALL("log", required_argument, OPT_LOG, CLI_SV_ALL),
	CLI_CALL("guest", required_argument, OPT_GUEST, CLI_SV_ALL),
	CLI_FLAG_SHORT("json", 'J', CLI_SV_ALL, struct doctor_opts, json),
	CLI_FLAG("signatures", CLI_SV_ALL, struct doctor_opts, sigs),
	CLI_COMMON_SPECS(struct doctor_opts, rootdir),
};

static const struct cli_options doctor_options = {
	"doctor", NULL, 0, doctor_specs, ARRAY_SIZE(doctor_specs), doctor_parse, help,
};

int cmd_doctor(int argc, char **argv)
{
	struct doctor_opts o = { 0 };
	char **logs = o.logs;
	const char *rootdir, *guest;
	struct path_root *root = NULL;
	bool json, sigs, seen[CLI_OPTIONS_MAX];
	size_t nlogs;
	int r;

	r = cli_options_parse(&doctor_options, "doctor", argc, argv, &o, seen);
	if (r != 0)
		return r < 0 ? EXIT_OK : r;
	nlogs = o.nlogs;
	rootdir = o.rootdir;
	guest = o.guest;
	json = o.json;
	sigs = o.sigs;
	if (optind < argc)
		return cli_usage_error("doctor", "unexpected argument '%s'", argv[optind]);
	if (sigs) {
		if (list_signatures(json) < 0) {
			cli_error("out of memory");
			return EXIT_PROBLEM;
		}
		return EXIT_OK;
	}
	if (cli_open_root(rootdir, &root) < 0)
		return EXIT_USAGE;
	r = run(root, logs, nlogs, guest, json);
	path_root_free(root);
	return r;
}
