/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vfiokit report: one HTML page about the machine for a bug report: the
 * groups drawn, and what check, next and setup --gpu say, each run here as
 * it runs on its own, its output taken down. */
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "emit/report.h"

#define MAX_TEXT (16u << 20)

static void help(void)
{
	fputs("Usage: vfiokit report -o FILE [--gpu ADDR] [OPTIONS]\n"
	      "\n"
	      "Write one self-contained HTML page about this machine, to attach to a bug\n"
	      "report: the IOMMU groups drawn in their PCIe tree (as 'vfiokit groups --format\n"
	      "svg'), then what 'vfiokit check' and 'vfiokit next' say, and with --gpu what\n"
	      "'vfiokit setup --gpu ADDR' would do, each as the command prints it, and the\n"
	      "files of the machine that could not be used. The page loads nothing: no\n"
	      "style sheet, script, font or image file, no network. It changes nothing on\n"
	      "the machine.\n"
	      "\n"
	      "Options:\n"
	      "  -o, --output FILE  write the page to FILE (a new file, renamed over FILE when\n"
	      "                     complete; never through a symbolic link); - for stdout\n"
	      "      --gpu ADDR     the guest's GPU (0000:01:00.0 or 01:00.0): add setup's plan\n"
	      "      --root DIR     read the machine from DIR (an unpacked 'vfiokit snapshot')\n"
	      "  -h, --help         this help\n"
	      "\n"
	      "Exit status: 0 written, 1 the page could not be written, 2 usage error.\n"
	      "See vfiokit-report(1).\n",
	      stdout);
}

/* dup2(from, to), tried again after EINTR. 0 or -errno. */
static int move_fd(int from, int to)
{
	while (dup2(from, to) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

/* Put back standard output and error from their saved copies (-1: never
 * moved): both are tried even when the first fails. 0 or the first -errno. */
static int restore_std(int out, int err)
{
	int k = out >= 0 ? move_fd(out, STDOUT_FILENO) : 0, e = err >= 0 ? move_fd(err, STDERR_FILENO) : 0;

	return k < 0 ? k : e;
}

/* Run a command here as it runs on its own, its stdout and stderr (in
 * the order of its lines, as on a terminal) taken into *text. 0, or -errno
 * said. */
static int capture(int (*run)(int, char **), char **argv, char **text, int *status)
{
	_cleanup_close_ int fd = memfd_create("vfiokit-report", MFD_CLOEXEC), out = -1, err = -1;
	int moved_out = -1, moved_err = -1; /* out and err once that stream points at fd */
	size_t len;
	int argc = 0, k = 0;

	while (argv[argc])
		argc++;
	if (fd < 0 || fflush(stdout) != 0 || fflush(stderr) != 0 || (out = dup(STDOUT_FILENO)) < 0 ||
	    (err = dup(STDERR_FILENO)) < 0)
		k = -errno;
	else if ((k = move_fd(fd, STDOUT_FILENO)) == 0) {
		moved_out = out;
		if ((k = move_fd(fd, STDERR_FILENO)) == 0)
			moved_err = err;
	}
	if (k < 0) {
		/* What was moved goes back, so that the message is seen. */
		(void)restore_std(moved_out, moved_err);
		cli_error("cannot take down what 'vfiokit %s' says: %s; run 'vfiokit %s' by itself", argv[0],
			  strerror(-k), argv[0]);
		return k;
	}
	/* Lines in the order the command wrote them, as on a terminal. */
	(void)setvbuf(stdout, NULL, _IOLBF, 0);
	optind = 0; /* getopt starts over for the command's arguments */
	*status = run(argc, argv);
	(void)fflush(stdout);
	(void)fflush(stderr);
	clearerr(stdout);
	k = restore_std(moved_out, moved_err);
	if (k < 0) {
		cli_error("cannot put back standard output and error after 'vfiokit %s': %s; run 'vfiokit %s' by "
			  "itself",
			  argv[0], strerror(-k), argv[0]);
		return k;
	}
	k = lseek(fd, 0, SEEK_SET) < 0 ? -errno : read_fd_text(fd, MAX_TEXT, text, &len);
	if (k < 0) {
		cli_error("cannot read back what 'vfiokit %s' said: %s; run 'vfiokit %s' by itself", argv[0],
			  strerror(-k), argv[0]);
		return k;
	}
	return 0;
}

/* The new file while it is not yet renamed over -o: SIGINT, SIGTERM or
 * SIGHUP removes it (unlink() may be called in a handler), then ends the
 * program as the signal would have. */
static const int cleanup_signals[] = { SIGINT, SIGTERM, SIGHUP };
static char *volatile partial_file;

static void remove_partial(int sig)
{
	char *p = partial_file;

	if (p)
		(void)unlink(p);
	(void)raise(sig); /* SA_RESETHAND: the default action, when the handler returns */
}

/* Start (path) or stop (NULL) removing path on those signals, with them
 * blocked meanwhile: no signal finds the file made but not yet noted, or
 * renamed but still noted. A signal ignored (nohup) stays ignored. old:
 * the actions to put back. */
static void guard_partial(char *path, struct sigaction old[ARRAY_SIZE(cleanup_signals)])
{
	struct sigaction sa = { .sa_handler = remove_partial, .sa_flags = SA_RESETHAND };
	sigset_t set, prev;

	sigemptyset(&set);
	for (size_t i = 0; i < ARRAY_SIZE(cleanup_signals); i++)
		sigaddset(&set, cleanup_signals[i]);
	sigprocmask(SIG_BLOCK, &set, &prev);
	partial_file = path;
	for (size_t i = 0; i < ARRAY_SIZE(cleanup_signals); i++) {
		if (!path)
			(void)sigaction(cleanup_signals[i], &old[i], NULL);
		else if (sigaction(cleanup_signals[i], NULL, &old[i]) == 0 && old[i].sa_handler != SIG_IGN)
			(void)sigaction(cleanup_signals[i], &sa, NULL);
	}
	sigprocmask(SIG_SETMASK, &prev, NULL);
}

/* The page goes to a new file beside FILE (mkstemp: O_EXCL), renamed
 * over FILE when complete: a link planted at FILE is never followed, and
 * one there is refused rather than replaced. Until then, an interrupt
 * removes the new file (guard_partial). */
static int write_page(const char *path, const char *page)
{
	_cleanup_free_ char *partial = NULL;
	_cleanup_close_ int fd = -1;
	struct sigaction old[ARRAY_SIZE(cleanup_signals)];
	size_t len = strlen(page), done = 0;
	struct stat st;
	mode_t mask;
	int e;

	if (streq(path, "-")) {
		if (fputs(page, stdout) < 0 || fflush(stdout) != 0) {
			cli_error("cannot write the page to standard output: %s; give -o a file", strerror(errno));
			return -EIO;
		}
		return 0;
	}
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
		cli_error("%s is a symbolic link: the report is never written through one; give -o another file", path);
		return -ELOOP;
	}
	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		cli_error("%s is not a regular file; give -o another file", path);
		return -EINVAL;
	}
	if (!(partial = strdupf("%s.XXXXXX", path))) {
		cli_error("out of memory");
		return -ENOMEM;
	}
	/* Noted before mkostemp() makes it: a signal in between removes
	 * the template's name, which no file has. */
	guard_partial(partial, old);
	fd = mkostemp(partial, O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		guard_partial(NULL, old);
		cli_error("cannot create a file beside %s: %s; give -o a file in a directory you can write", path,
			  strerror(e));
		return -e;
	}
	mask = umask(0);
	umask(mask);
	while (done < len) {
		ssize_t k = write(fd, page + done, len - done);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			goto fail;
		done += (size_t)k;
	}
	if (fchmod(fd, 0666 & ~mask) < 0 || fsync(fd) < 0 || rename(partial, path) < 0)
		goto fail;
	guard_partial(NULL, old);
	return 0;
fail:
	e = errno ? errno : EIO;
	(void)unlink(partial);
	guard_partial(NULL, old);
	cli_error("cannot write %s: %s; give -o a file on a file system with room", path, strerror(e));
	return -EIO;
}

struct report_opts {
	const char *out, *gpu, *rootdir;
};

static int report_parse(void *target, int val, const char *arg, const char *cmd)
{
	struct report_opts *o = target;
	struct pci_addr addr;

	(void)val; /* --gpu is the one option parsed here */
	if (parse_pci_addr(arg, &addr) < 0)
		return cli_usage_error(cmd, "--gpu takes a PCI address like 0000:01:00.0, not '%s'", arg);
	o->gpu = arg;
	return 0;
}

static const struct option_spec report_specs[] = {
	CLI_STRING_SHORT("output", 'o', CLI_SV_ALL, struct report_opts, out),
	CLI_CALL("gpu", required_argument, 0, CLI_SV_ALL),
	CLI_COMMON_SPECS(struct report_opts, rootdir),
};

static const struct cli_options report_options = {
	"report", NULL, 0, report_specs, ARRAY_SIZE(report_specs), report_parse, help,
};

int cmd_report(int argc, char **argv)
{
	struct report_opts o = { 0 };
	struct report_section sec[3] = { 0 };
	char *texts[3] = { 0 };
	size_t nsec = 0;
	struct path_root *root = NULL;
	struct host *h = NULL;
	const char *rootdir, *out, *gpu;
	_cleanup_free_ char *page = NULL, *check_cmd = NULL, *next_cmd = NULL, *setup_cmd = NULL;
	bool seen[CLI_OPTIONS_MAX];
	int r;

	r = cli_options_parse(&report_options, "report", argc, argv, &o, seen);
	if (r != 0)
		return r < 0 ? EXIT_OK : r;
	r = EXIT_PROBLEM;
	out = o.out;
	gpu = o.gpu;
	rootdir = o.rootdir;
	if (optind < argc)
		return cli_usage_error("report", "unexpected argument '%s'", argv[optind]);
	if (!out)
		return cli_usage_error("report", "-o FILE is required (- for standard output)");
	/* The page is libxml2's HTML tree: said before anything is read. */
	if (cli_libxml_load() < 0)
		return EXIT_PROBLEM;
	if (cli_open_root(rootdir, &root) < 0)
		return EXIT_USAGE;
	if (cli_load_host(root, HOST_LOAD_PCI | HOST_LOAD_NAMES | HOST_LOAD_USAGE | HOST_LOAD_SYSTEM, &h) < 0)
		goto out;

	/* Each command with the same machine, as the user would run it. */
	{
		char *check_argv[] = { "check", rootdir ? "--root" : NULL, (char *)rootdir, NULL };
		char *next_argv[] = { "next", rootdir ? "--root" : NULL, (char *)rootdir, NULL };
		char *setup_argv[] = { "setup", "--gpu", (char *)gpu, rootdir ? "--root" : NULL, (char *)rootdir, NULL };

		check_cmd = rootdir ? strdupf("vfiokit check --root %s", rootdir) : strdup("vfiokit check");
		next_cmd = rootdir ? strdupf("vfiokit next --root %s", rootdir) : strdup("vfiokit next");
		setup_cmd = rootdir ? strdupf("vfiokit setup --gpu %s --root %s", gpu ? gpu : "", rootdir) :
				      strdupf("vfiokit setup --gpu %s", gpu ? gpu : "");
		if (!check_cmd || !next_cmd || !setup_cmd) {
			cli_error("out of memory");
			goto out;
		}
		sec[nsec] = (struct report_section){ .id = "check", .title = "Prerequisites", .command = check_cmd };
		if (capture(cmd_check, check_argv, &texts[nsec], &sec[nsec].status) < 0)
			goto out;
		sec[nsec].text = texts[nsec];
		nsec++;
		sec[nsec] = (struct report_section){ .id = "next",
						     .title = "Where this machine stands",
						     .command = next_cmd };
		if (capture(cmd_next, next_argv, &texts[nsec], &sec[nsec].status) < 0)
			goto out;
		sec[nsec].text = texts[nsec];
		nsec++;
		if (gpu) {
			sec[nsec] = (struct report_section){ .id = "setup",
							     .title = "Plan for the GPU",
							     .command = setup_cmd };
			if (capture(cmd_setup, setup_argv, &texts[nsec], &sec[nsec].status) < 0)
				goto out;
			sec[nsec].text = texts[nsec];
			nsec++;
		}
	}
	page = report_html(&(struct report_input){ .h = h, .root = rootdir, .sections = sec, .nsections = nsec });
	if (!page) {
		cli_error("out of memory");
		goto out;
	}
	if (write_page(out, page) == 0)
		r = EXIT_OK;
out:
	for (size_t i = 0; i < ARRAY_SIZE(texts); i++)
		free(texts[i]);
	host_free(h);
	path_root_free(root);
	return r;
}
