/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdarg.h>
#include <strings.h>

#include <fcntl.h>
#include <unistd.h>

#include "cli/cli.h"
#include "shared/escape.h"
#include "shared/libxml.h"

/* Every message and plan line carries text from the machine or the command
 * line (names, paths, file contents): it reaches the terminal through
 * here, its control bytes and invalid UTF-8 written as \xHH, so that an
 * ESC, OSC or BEL in a device name cannot drive the terminal. */
static void vline(FILE *f, const char *prefix, const char *fmt, va_list ap)
{
	_cleanup_free_ char *s = NULL, *e = NULL;

	if (vasprintf(&s, fmt, ap) < 0 || !(e = text_escape(s, NULL))) {
		fprintf(f, "%sout of memory\n", prefix);
		return;
	}
	fprintf(f, "%s%s\n", prefix, e);
}

void cli_put_text(FILE *f, const char *text)
{
	_cleanup_free_ char *e = NULL;

	if (!text_needs_escape(text, "\n\t")) {
		fputs(text, f);
		return;
	}
	e = text_escape(text, "\n\t");
	fputs(e ? e : "vfiokit: out of memory\n", f);
}

void cli_line(FILE *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline(f, "", fmt, ap);
	va_end(ap);
}
#include "apply/journal.h"
#include "apply/lock.h"

void cli_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline(stderr, "vfiokit: ", fmt, ap);
	va_end(ap);
}

void cli_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline(stderr, "vfiokit: warning: ", fmt, ap);
	va_end(ap);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	_cleanup_free_ char *prefix = strdupf("vfiokit %s: ", cmd);
	va_list ap;

	va_start(ap, fmt);
	vline(stderr, prefix ? prefix : "vfiokit: ", fmt, ap);
	va_end(ap);
	fprintf(stderr, "Try 'vfiokit %s --help'.\n", cmd);
	return EXIT_USAGE;
}

int cli_error_exit(const char *cmd, const struct error *e)
{
	if (e->msg && e->kind == ERROR_USAGE)
		return cli_usage_error(cmd, "%s", e->msg);
	if (e->msg)
		cli_error("%s", e->msg);
	else if (e->errnum == -ENOMEM || e->errnum == 0)
		cli_error("out of memory");
	else
		cli_error("%s", strerror(-e->errnum));
	return EXIT_PROBLEM;
}

int cli_open_root(const char *dir, struct path_root **ret)
{
	int k = path_root_open(dir ? dir : "/", ret);

	if (k == -ENOENT)
		cli_error("--root %s: no such directory; give --root a machine copy (an unpacked 'vfiokit snapshot')",
			  dir);
	else if (k == -ENOTDIR)
		cli_error("--root %s: not a directory; give --root a machine copy (an unpacked 'vfiokit snapshot')",
			  dir);
	else if (k < 0)
		cli_error("--root %s: %s; give --root a directory you can read", dir ? dir : "/", strerror(-k));
	return k;
}

/* A broken root can produce thousands of identical complaints; the first
 * ones name the problem. */
#define MAX_DIAGS 20

void cli_print_diags(const struct host *h)
{
	size_t n = h->diags.n < MAX_DIAGS ? h->diags.n : MAX_DIAGS;

	for (size_t i = 0; i < n; i++)
		cli_warn("%s", h->diags.v[i]);
	if (h->diags.n > n)
		cli_warn("... and %zu more problems with the input", h->diags.n - n);
}

int cli_libxml_load(void)
{
	_cleanup_error_ struct error err = { 0 };

	if (libxml_load(&err) < 0) {
		cli_error_exit(NULL, &err);
		return -1;
	}
	return 0;
}

int cli_load_host(struct path_root *root, unsigned flags, struct host **ret)
{
	int k = host_load(root, flags, ret);

	/* A guest to read and no libxml2: asked again, for the message. */
	if (k == -ELIBACC && cli_libxml_load() < 0)
		return k;
	if (k < 0) {
		cli_error("cannot read the host: %s", strerror(-k));
		return k;
	}
	cli_print_diags(*ret);
	return 0;
}

int cli_lock(struct path_root *root, const char *command, int *ret_fd)
{
	struct lock_holder who;
	_cleanup_free_ char *lockfile = path_root_is_live(root) ? strdup("/" LOCK_REL)
								 : strdupf("%s/" LOCK_REL, path_root_dir(root));
	_cleanup_free_ char *desc = NULL;
	int fd;

	*ret_fd = -1;
	if (cli_need_modifies(command) < 0)
		return -1;
	/* The lock guards what only root may change; a user's run (vm --define
	 * on qemu:///session) needs none, and the root checks refuse the rest. */
	if (path_root_is_live(root) && geteuid() != 0)
		return 0;
	fd = lock_take(root, command, LOCK_WAIT_MS, &who);
	if (fd >= 0) {
		*ret_fd = fd;
		return 0;
	}
	if (!lockfile || (fd == -EBUSY && !(desc = lock_holder_describe(&who))))
		fd = -ENOMEM;
	if (fd == -EBUSY)
		cli_error("%s is locked by %s; waited %d s. Nothing was changed; run again when it has finished",
			  lockfile, desc, LOCK_WAIT_MS / 1000);
	else if (fd == -EMLINK || fd == -PATH_ENOTREG)
		cli_error("cannot lock %s: it is %s, and the lock's record would overwrite it. Nothing was changed; "
			  "remove it and run again",
			  lockfile, fd == -EMLINK ? "a hard link to another file" : "not a regular file");
	else if (fd == -ELOOP)
		cli_error("cannot lock %s: /run, /run/vfiokit or the lock is a symbolic link, which would put the lock "
			  "where it points. Nothing was changed; make them a directory and a file and run again",
			  lockfile);
	else
		cli_error("cannot lock %s: %s. Nothing was changed; run it again as root (sudo)",
			  lockfile ? lockfile : "/" LOCK_REL, path_strerror(fd));
	lock_holder_clear(&who);
	return -1;
}

bool cli_use_color(int fd)
{
	const char *nc = getenv("NO_COLOR");

	if (nc && *nc)
		return false;
	return isatty(fd);
}

bool cli_table_option(int c, struct cli_table_opts *t)
{
	switch (c) {
	case 'J':
		t->json = true;
		return true;
	case 'o':
		t->columns = optarg;
		return true;
	case 'r':
		t->raw = true;
		return true;
	case 'n':
		t->noheadings = true;
		return true;
	}
	return false;
}

bool cli_allow_option(int c, int base, bool allow[_REFUSE_MAX])
{
	if (c < base || c >= base + _REFUSE_MAX)
		return false;
	allow[c - base] = true;
	return true;
}

void cli_allow_help(bool nonviable)
{
	fputs("\n"
	      "Refused unless its option is given (the same rules for bind, vm and setup):\n"
	      "      --allow-display        a device that drives a display of this host (a\n"
	      "                             connected DRM connector, a framebuffer console, the\n"
	      "                             boot framebuffer in its memory)\n"
	      "      --allow-mounted        a device that holds a mounted filesystem or swap\n"
	      "      --allow-default-route  a device that carries the default route\n"
	      "      --allow-host-bridge    a host bridge among the devices\n",
	      stdout);
	if (nonviable)
		fputs("      --allow-nonviable      a group VFIO would not accept afterwards\n", stdout);
	fputs("When the host's connectors, mount, swap or route tables cannot be read, any\n"
	      "device may use them: refused, naming what could not be read, unless its option\n"
	      "is given.\n",
	      stdout);
}

size_t cli_print_refusals(const struct refusal_list *l, const bool allow[_REFUSE_MAX])
{
	size_t refused = 0;

	for (size_t i = 0; i < l->n; i++) {
		const struct refusal *r = &l->v[i];
		if (allow[r->kind]) {
			cli_warn("%s (allowed by --%s)", r->msg, refusal_option(r->kind));
			continue;
		}
		cli_error("refused: %s. To do it anyway: --%s", r->msg, refusal_option(r->kind));
		refused++;
	}
	return refused;
}

void cli_columns_init(struct cli_columns *c, const struct cli_column *info, size_t ninfo, const int *defaults,
		      size_t ndefaults)
{
	*c = (struct cli_columns){ .info = info, .ninfo = ninfo };
	for (size_t i = 0; i < ndefaults && i < ARRAY_SIZE(c->cols); i++)
		c->cols[c->ncols++] = defaults[i];
}

int cli_columns_parse(struct cli_columns *c, const char *cmd, const char *list)
{
	if (*list == '+')
		list++;
	else
		c->ncols = 0;
	while (*list) {
		size_t len = strcspn(list, ",");
		size_t i;

		for (i = 0; i < c->ninfo; i++)
			if (strlen(c->info[i].name) == len && strncasecmp(c->info[i].name, list, len) == 0)
				break;
		if (i == c->ninfo)
			return cli_usage_error(cmd, "unknown column '%.*s'", (int)len, list);
		if (c->ncols == ARRAY_SIZE(c->cols))
			return cli_usage_error(cmd, "too many columns");
		c->cols[c->ncols++] = (int)i;
		list += len;
		if (*list == ',')
			list++;
	}
	if (c->ncols == 0)
		return cli_usage_error(cmd, "no columns given");
	return 0;
}

bool cli_columns_shown(const struct cli_columns *c, int col)
{
	for (size_t i = 0; i < c->ncols; i++)
		if (c->cols[i] == col)
			return true;
	return false;
}

void cli_columns_help(const struct cli_columns *c)
{
	for (size_t i = 0; i < c->ninfo; i++)
		printf("  %-12s %s\n", c->info[i].name, c->info[i].help);
}

struct libscols_table *cli_table_new(const struct cli_columns *c, const char *name, bool json, bool raw,
				     bool noheadings)
{
	struct libscols_table *tb = scols_new_table();

	if (!tb)
		return NULL;
	scols_table_set_name(tb, name);
	scols_table_enable_json(tb, json);
	scols_table_enable_raw(tb, raw);
	scols_table_enable_noheadings(tb, noheadings);
	for (size_t i = 0; i < c->ncols; i++) {
		const struct cli_column *ci = &c->info[c->cols[i]];
		struct libscols_column *cl = scols_table_new_column(tb, ci->name, ci->whint, ci->flags);
		if (!cl) {
			scols_unref_table(tb);
			return NULL;
		}
		scols_column_set_json_type(cl, ci->json);
		if (ci->json == SCOLS_JSON_ARRAY_STRING) {
			scols_column_set_flags(cl, scols_column_get_flags(cl) | SCOLS_FL_WRAP);
			scols_column_set_wrapfunc(cl, scols_wrapnl_chunksize, scols_wrapnl_nextchunk, NULL);
			scols_column_set_safechars(cl, "\n");
		}
	}
	return tb;
}

int cli_cell(struct libscols_line *ln, const struct cli_columns *c, int col, const char *val)
{
	for (size_t i = 0; i < c->ncols; i++)
		if (c->cols[i] == col)
			return val && scols_line_set_data(ln, i, val) < 0 ? -ENOMEM : 0;
	return 0;
}

/* libsmartcols (2.38) escapes a table's cells as lsblk does (\x1b), and
 * control characters in JSON (\u001b), but copies invalid UTF-8, DEL and
 * the C1 controls into JSON strings as they are: invalid JSON, and bytes
 * for the terminal. Its JSON is mended before it is written. */
int cli_print_table(struct libscols_table *tb)
{
	_cleanup_free_ char *s = NULL, *e = NULL;

	if (!scols_table_is_json(tb))
		return scols_print_table(tb) < 0 ? -EIO : 0;
	if (scols_print_table_to_string(tb, &s) < 0 || !s || !(e = json_escape_text(s))) {
		cli_error("out of memory");
		return -ENOMEM;
	}
	fputs(e, stdout);
	return 0;
}

int cli_cellf(struct libscols_line *ln, const struct cli_columns *c, int col, const char *fmt, ...)
{
	_cleanup_free_ char *s = NULL;
	va_list ap;
	int r;

	if (!cli_columns_shown(c, col))
		return 0;
	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	return cli_cell(ln, c, col, s);
}

int cli_open_regular(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	struct stat st;

	int e;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		e = -errno;
	else if (!S_ISREG(st.st_mode))
		e = S_ISDIR(st.st_mode) ? -EISDIR : -PATH_ENOTREG;
	else
		return fd;
	close(fd);
	return e;
}

/* Write data to a new file; never over an existing one. */
int cli_write_new(const char *path, const void *data, size_t len, mode_t mode)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, mode);
	size_t done = 0;

	if (fd < 0) {
		if (errno == EEXIST)
			cli_error("%s exists: it is never overwritten; name another file, or remove it ('rm %s') and "
				  "run again",
				  path, path);
		else
			cli_error("cannot create %s: %s; name a file in a directory you can write, and run again",
				  path, strerror(errno));
		return -errno;
	}
	while (done < len) {
		ssize_t k = write(fd, (const uint8_t *)data + done, len - done);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			int e = k < 0 ? errno : EIO;
			cli_error("cannot write %s: %s; name a file on a file system with room, and run again", path,
				  strerror(e));
			(void)unlink(path);
			return -e;
		}
		done += (size_t)k;
	}
	if (fsync(fd) < 0 || close(TAKE_FD(fd)) < 0) {
		int e = errno;
		cli_error("cannot write %s: %s; name a file on a file system with room, and run again",
			  path, strerror(e));
		(void)unlink(path);
		return -e;
	}
	return 0;
}

/* A libvirt hook's file into tx, with the one mapping of journal_tx_add()'s
 * errors that tune hook and handover hook share. */
int cli_hook_add(struct journal_tx *tx, struct path_root *root, const char *file, const char *script)
{
	_cleanup_free_ char *rel = strdupf(CLI_HOOK_DIR "/%s", file);
	int k;

	if (!rel) {
		cli_error("out of memory");
		return EXIT_PROBLEM;
	}
	k = journal_tx_add(tx, root, rel, script, 0755);
	if (k == -ENOMEM)
		cli_error("out of memory");
	else if (k < 0 && tx->err.msg)
		cli_error("%s", tx->err.msg);
	else if (k < 0)
		cli_error("cannot read /%s: %s; run it again as root (sudo)", rel, path_strerror(k));
	return k < 0 ? EXIT_PROBLEM : 0;
}
