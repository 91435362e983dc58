/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vfiokit snapshot: what vfiokit reads, in a tarball that --root replays. */
#include <fcntl.h>
#include <ftw.h>
#include <time.h>

#include "plan/checks.h"
#include "shared/escape.h"
#include "cli/cli.h"
#include "apply/journal.h"
#include "apply/snapshot.h"

static void help(void)
{
	fputs("Usage: vfiokit snapshot -o FILE.tar.gz [OPTIONS]\n"
	      "\n"
	      "Save exactly what vfiokit reads from this machine (sysfs attributes and\n"
	      "links, /proc/cmdline, cpuinfo, modules and interrupts, ACPI table names,\n"
	      "the parts of pci.ids and the module tables that concern this machine,\n"
	      "os-release) so that 'vfiokit --root DIR' on the unpacked tarball\n"
	      "reproduces every command's output. For bug reports and test fixtures.\n"
	      "The logs 'vfiokit doctor' reads come along: the kernel log of this boot\n"
	      "(/dev/kmsg, stored as dev/kmsg) and libvirt's guest logs\n"
	      "(/var/log/libvirt/qemu/NAME.log), the last 16 MiB of each. Credentials,\n"
	      "home directories and other logs are never taken.\n"
	      "\n"
	      "Options:\n"
	      "  -o, --output FILE  the tarball to write, mode 0600 (required; not overwritten\n"
	      "                     without --force)\n"
	      "      --force        replace FILE if it exists\n"
	      "      --root DIR     snapshot the machine copy under DIR instead of /\n"
	      "  -h, --help         this help\n"
	      "\n"
	      "Exit status: 0 written, 1 it could not be written, 2 usage error.\n"
	      "See vfiokit-snapshot(1).\n",
	      stdout);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

/* The info file is made new, O_EXCL|O_NOFOLLOW: the copy may hold a link of
 * that name recreated from the input (to a host file, even), which goes
 * first. Every diag and the kernel release are escaped here (text_escape). */
static int write_info(const char *dir, const struct host *h)
{
	static const char name[] = "vfiokit-snapshot.txt";
	_cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_fclose_ FILE *f = NULL;
	_cleanup_free_ char *release = NULL;
	char when[64];
	time_t now = time(NULL);
	int fd;

	if (dfd < 0)
		return -errno;
	if (unlinkat(dfd, name, 0) < 0 && errno != ENOENT)
		return -errno;
	fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		return -ENOMEM;
	}
	release = text_escape(h->kernel.release ? h->kernel.release : "unknown", NULL);
	if (!release)
		return -ENOMEM;
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	fprintf(f,
		"vfiokit snapshot\n"
		"vfiokit-version: %s\n"
		"taken: %s\n"
		"kernel: %s\n"
		"pci-devices: %zu\n"
		"iommu-groups: %zu\n"
		"input-problems: %zu\n"
		"Unpack it and run: vfiokit groups --root DIR; vfiokit check --root DIR\n",
		VFIOKIT_VERSION, when, release, h->npci, h->ngroups, h->diags.n);
	/* A diag quotes the input: escaped, a newline included, so that none
	 * forges a line of this file. */
	for (size_t i = 0; i < h->diags.n; i++) {
		_cleanup_free_ char *line = text_escape(h->diags.v[i], NULL);

		if (!line)
			return -ENOMEM;
		fprintf(f, "problem: %s\n", line);
	}
	return fflush(f) == 0 && !ferror(f) ? 0 : -EIO;
}

/* The complete tarball takes OUT's name. Without --force an OUT made while
 * the snapshot was taken is kept, as one there before is: renameat2's
 * RENAME_NOREPLACE, or where the file system lacks it a link to the name
 * (which fails on an existing one), then the temporary name removed. */
static int publish(const char *partial, const char *out, bool force)
{
	if (force)
		return rename(partial, out) < 0 ? -errno : 0;
	if (renameat2(AT_FDCWD, partial, AT_FDCWD, out, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
		return -errno;
	if (link(partial, out) < 0)
		return -errno;
	(void)unlink(partial);
	return 0;
}

/* The tarball goes to a new file of its own (mkstemp: O_EXCL, mode 0600) in
 * OUT's directory, renamed to OUT when complete: nothing planted next to
 * OUT is followed, and a snapshot, which names the machine's hardware and
 * boot setup, is readable by its owner only. */
static int pack(const char *tmpdir, const char *out, bool force)
{
	_cleanup_free_ char *partial = strdupf("%s.XXXXXX", out);
	_cleanup_error_ struct error err = { 0 };
	_cleanup_close_ int fd = -1;
	int k;

	if (!partial) {
		cli_error("out of memory");
		return -ENOMEM;
	}
	fd = mkostemp(partial, O_CLOEXEC);
	if (fd < 0) {
		k = -errno;
		cli_error("cannot create a file beside %s: %s; give -o a file in a directory you can write",
			  out, strerror(errno));
		return k;
	}
	k = snapshot_pack(tmpdir, fd, &err);
	if (k == 0 && (fchmod(fd, 0600) < 0 || fsync(fd) < 0))
		k = -errno;
	if (k < 0) {
		cli_error("cannot write %s: %s; give -o a file on a file system with room", out,
			  err.msg ? err.msg : strerror(-k));
		unlink(partial);
		return k;
	}
	if ((k = publish(partial, out, force)) < 0) {
		if (k == -EEXIST)
			cli_error("%s exists (made while the snapshot was taken); use --force to replace it", out);
		else
			cli_error("cannot rename %s to %s: %s; give -o another file", partial, out, strerror(-k));
		unlink(partial);
		return k;
	}
	return 0;
}

static int take(struct path_root *root, const char *out, bool force)
{
	char tmpl[] = "/tmp/vfiokit-snapshot.XXXXXX";
	struct check_report rep = { 0 };
	_cleanup_(strv_clear) struct strv notes = { 0 };
	struct host *h = NULL;
	struct journal_entry *e = NULL;
	size_t ne = 0;
	int r = EXIT_PROBLEM, k;

	/* Load everything any command reads, and run the checks, so that the
	 * module table lines they ask about are marked used. */
	path_trace_enable(root, true);
	if (cli_load_host(root, HOST_LOAD_ALL, &h) < 0)
		return EXIT_PROBLEM;
	if (checks_run(h, &rep) < 0) {
		cli_error("out of memory");
		goto out;
	}
	/* The journal's manifests, for 'vfiokit next --root': what was
	 * applied, and when. One that cannot be read is listed damaged. */
	if ((k = journal_list(root, false, &e, &ne)) == -ENOMEM) {
		cli_error("out of memory");
		goto out;
	}
	if (!mkdtemp(tmpl)) {
		cli_error("cannot create a temporary directory: %s; point TMPDIR at a directory you can write, "
			  "and run again",
			  strerror(errno));
		goto out;
	}
	k = snapshot_copy(h, tmpl);
	if (k == 0)
		k = snapshot_copy_logs(h, tmpl, &notes);
	for (size_t i = 0; i < notes.n; i++)
		cli_warn("%s", notes.v[i]);
	if (k == 0)
		k = write_info(tmpl, h);
	if (k < 0) {
		cli_error("cannot copy the host into %s: %s; point TMPDIR at a file system with room, and run again",
			  tmpl, strerror(-k));
		goto cleanup;
	}
	if (pack(tmpl, out, force) < 0)
		goto cleanup;
	cli_line(stdout, "wrote %s: %zu PCI devices, %zu IOMMU groups", out, h->npci, h->ngroups);
	r = EXIT_OK;
cleanup:
	nftw(tmpl, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
out:
	journal_entries_free(e, ne);
	check_report_clear(&rep);
	host_free(h);
	return r;
}

struct snapshot_opts {
	const char *out, *rootdir;
	bool force;
};

static const struct option_spec snapshot_specs[] = {
	CLI_STRING_SHORT("output", 'o', CLI_SV_ALL, struct snapshot_opts, out),
	CLI_FLAG("force", CLI_SV_ALL, struct snapshot_opts, force),
	CLI_COMMON_SPECS(struct snapshot_opts, rootdir),
};

static const struct cli_options snapshot_options = {
	"snapshot", NULL, 0, snapshot_specs, ARRAY_SIZE(snapshot_specs), NULL, help,
};

int cmd_snapshot(int argc, char **argv)
{
	struct snapshot_opts o = { 0 };
	const char *rootdir, *out;
	struct path_root *root = NULL;
	bool force, seen[CLI_OPTIONS_MAX];
	int r;

	r = cli_options_parse(&snapshot_options, "snapshot", argc, argv, &o, seen);
	if (r != 0)
		return r < 0 ? EXIT_OK : r;
	out = o.out;
	force = o.force;
	rootdir = o.rootdir;
	if (optind < argc)
		return cli_usage_error("snapshot", "unexpected argument '%s'", argv[optind]);
	if (!out)
		return cli_usage_error("snapshot", "-o FILE is required");
	if (!force && access(out, F_OK) == 0) {
		cli_error("%s exists; use --force to replace it", out);
		return EXIT_PROBLEM;
	}
	if (cli_open_root(rootdir, &root) < 0)
		return EXIT_USAGE;
	r = take(root, out, force);
	path_root_free(root);
	return r;
}
