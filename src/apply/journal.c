/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>

#include "emit/diff.h"
#include "apply/journal.h"
#include "shared/macro.h"
#include "shared/sha256.h"

/* Version 2: each file line says whether the file is text or binary and
 * the length and sha256 of each copy; version 1 (text only, no lengths) is
 * still read and undone. */
#define MANIFEST_MAGIC "vfiokit-journal 2"
#define MANIFEST_MAGIC_V1 "vfiokit-journal 1"

/* The bytes of a file (any value, NUL included), with a NUL after them
 * for the text functions; *ret NULL when it is not there. */
static int read_bytes(struct path_root *r, const char *rel, size_t max, char **ret, size_t *len, mode_t *mode)
{
	uint8_t *buf = NULL;
	struct stat st;
	size_t n = 0;
	char *s;
	int k;

	*ret = NULL;
	*len = 0;
	k = path_read_binary(r, rel, max, &buf, &n);
	if (k == -ENOENT || k == -ENOTDIR) /* not there (a parent may be a file: writing it fails later) */
		return 0;
	if (k < 0)
		return k;
	/* As path_read_file() does: a snapshot carries what was read (the
	 * journal's copies, for next --root on it). */
	path_trace_note(r, PATH_TRACE_FILE, rel);
	s = realloc(buf, n + 1);
	if (!s) {
		free(buf);
		return -ENOMEM;
	}
	s[n] = '\0';
	*ret = s;
	*len = n;
	if (mode && path_lstat(r, rel, &st) == 0)
		*mode = st.st_mode & 07777;
	return 0;
}

static bool same_bytes(const char *a, size_t alen, const char *b, size_t blen)
{
	return a && b ? alen == blen && memcmp(a, b, alen) == 0 : !a && !b;
}

/* What a change does, as a diff: text as diff -u; a binary file, or text
 * that holds a NUL byte now, by length and sha256. */
static char *change_diff(const char *path, bool binary, const char *a, size_t alen, const char *b, size_t blen)
{
	if (binary || (a && memchr(a, 0, alen)) || (b && memchr(b, 0, blen)))
		return diff_binary(path, a, alen, b, blen);
	return diff_unified(path, a, b);
}

static int tx_refuse(struct journal_tx *tx, int k, char *why)
{
	return error_take(&tx->err, k, ERROR_FAILED, why);
}

static int tx_add(struct journal_tx *tx, struct path_root *r, const char *path, const char *after, size_t len,
		  mode_t mode, bool binary)
{
	struct journal_change c = { .after_mode = mode, .before_mode = 0644, .binary = binary };
	_cleanup_free_ char *real = NULL, *link = NULL;
	struct stat st;
	int k;

	if (binary && len > JOURNAL_BINARY_MAX)
		return tx_refuse(tx, -EFBIG,
				 strdupf("/%s: %zu bytes is more than the journal keeps of a binary file "
					 "(%u MiB); refused",
					 path, len, JOURNAL_BINARY_MAX >> 20));
	/* A binary file (a ROM) is a new file of vfiokit's own: a link at its
	 * name is not followed (it may lead to another program's file). */
	if (binary && path_lstat(r, path, &st) == 0 && S_ISLNK(st.st_mode))
		return tx_refuse(tx, -ELOOP,
				 strdupf("/%s is a symbolic link: vfiokit does not write through it; "
					 "nothing was written; remove it, then run vfiokit again",
					 path));

	/* The file a symbolic link leads to is what changes: replacing the
	 * link would leave its target as it was and make the file a copy. */
	k = path_resolve(r, path, &real, &link);
	if (k == -EXDEV)
		return tx_refuse(tx, k, strdupf("/%s leads out of %s (a symbolic link to %s): vfiokit changes only files "
						"inside it; refused", path, path_root_dir(r), link ? link : "?"));
	if (k < 0)
		return tx_refuse(tx, k, strdupf("cannot follow the links of /%s: %s", path, strerror(-k)));
	k = path_lstat(r, real, &st);
	if (k < 0 && k != -ENOENT && k != -ENOTDIR)
		return tx_refuse(tx, k, strdupf("cannot read /%s: %s", real, path_strerror(k)));
	if (k == 0 && !S_ISREG(st.st_mode))
		return tx_refuse(tx, -EINVAL, strdupf("/%s is not a regular file: vfiokit does not replace it", real));
	/* The journal keeps permission bits only (a manifest with more is
	 * refused as damaged): such a file is not one vfiokit edits. */
	if (k == 0 && (st.st_mode & 07000))
		return tx_refuse(tx, -EPERM,
				 strdupf("/%s has set-user-ID, set-group-ID or sticky bits: vfiokit does not replace it",
					 real));
	/* The rename that makes a write atomic would split a hard link: the
	 * other names would keep the old bytes. */
	if (k == 0 && st.st_nlink > 1)
		return tx_refuse(tx, -EMLINK, strdupf("/%s has %ju hard links: replacing it would split them (the other "
						      "names would keep the old bytes); make it one file and run again",
						      real, (uintmax_t)st.st_nlink));
	if (GROW(tx->v, tx->alloc, tx->n + 1) < 0)
		return -ENOMEM;
	c.path = TAKE_PTR(real);
	if (after) {
		c.after = malloc(len + 1);
		if (!c.after) {
			free(c.path);
			return -ENOMEM;
		}
		memcpy(c.after, after, len);
		c.after[len] = '\0';
		c.after_len = len;
	}
	k = read_bytes(r, c.path, binary ? JOURNAL_BINARY_MAX : JOURNAL_TEXT_MAX, &c.before, &c.before_len,
		       &c.before_mode);
	if (k == 0 && !binary && c.before && memchr(c.before, 0, c.before_len))
		k = -EBADMSG; /* a text edit of a file that is not text */
	if (k < 0) {
		int e = tx_refuse(tx, k, strdupf("cannot read /%s: %s", c.path, path_strerror(k)));
		free(c.path);
		free(c.after);
		free(c.before);
		return e;
	}
	if (c.before && (mode & 0111) == (c.before_mode & 0111))
		c.after_mode = c.before_mode; /* an edited file keeps its mode (0600 stays 0600) */
	tx->v[tx->n++] = c;
	return 0;
}

int journal_tx_add(struct journal_tx *tx, struct path_root *r, const char *path, const char *after, mode_t mode)
{
	return tx_add(tx, r, path, after, after ? strlen(after) : 0, mode, false);
}

int journal_tx_add_binary(struct journal_tx *tx, struct path_root *r, const char *path, const void *after, size_t len,
			  mode_t mode)
{
	return tx_add(tx, r, path, after, len, mode, true);
}

int journal_tx_add_exec(struct journal_tx *tx, const char *run, const char *undo)
{
	if (strv_push(&tx->exec, run) < 0)
		return -ENOMEM;
	if (strv_push(&tx->exec_undo, undo) < 0) {
		strv_pop(&tx->exec);
		return -ENOMEM;
	}
	return 0;
}

int journal_tx_add_regen(struct journal_tx *tx, const char *run)
{
	return strv_contains(&tx->regen, run) ? 0 : strv_push(&tx->regen, run);
}

void journal_tx_free(struct journal_tx *tx)
{
	for (size_t i = 0; i < tx->n; i++) {
		free(tx->v[i].path);
		free(tx->v[i].before);
		free(tx->v[i].after);
	}
	free(tx->v);
	free(tx->command);
	error_clear(&tx->err);
	strv_clear(&tx->dirs);
	strv_clear(&tx->exec);
	strv_clear(&tx->exec_undo);
	strv_clear(&tx->regen);
	*tx = (struct journal_tx){ 0 };
}

char *journal_tx_diff(const struct journal_tx *tx)
{
	struct strv d = { 0 };
	char *out;

	for (size_t i = 0; i < tx->n; i++) {
		_cleanup_free_ char *p = strdupf("/%s", tx->v[i].path);
		const struct journal_change *c = &tx->v[i];
		if (!p || strv_push_take(&d, change_diff(p, c->binary, c->before, c->before_len, c->after,
							 c->after_len)) < 0) {
			strv_clear(&d);
			return NULL;
		}
	}
	out = strv_join(&d, "");
	strv_clear(&d);
	return out;
}

/* Paths in the manifest: bytes below 0x21, backslash and 0x7f as \ooo. */
static char *escape(const char *s)
{
	char *out = malloc(strlen(s) * 4 + 1), *w = out;

	if (!out)
		return NULL;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p <= 0x20 || *p == '\\' || *p == 0x7f)
			w += sprintf(w, "\\%03o", *p);
		else
			*w++ = (char)*p;
	*w = '\0';
	return out;
}

static void unescape(char *s)
{
	char *w = s;

	for (char *r = s; *r; r++)
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' && r[3] >= '0' && r[3] <= '7') {
			*w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
			r += 3;
		} else
			*w++ = *r;
	*w = '\0';
}

static char *entry_rel(const char *id, const char *name)
{
	return name ? strdupf(JOURNAL_DIR "/%s/%s", id, name) : strdupf(JOURNAL_DIR "/%s", id);
}

static char *blob_name(size_t i, const char *what)
{
	return strdupf("%zu.%s", i, what);
}

bool journal_id_valid(const char *id)
{
	size_t n = strlen(id);

	if (n != 15 && n != 19)
		return false;
	for (size_t i = 0; i < n; i++) {
		bool dash = i == 8 || i == 15;
		if (dash ? id[i] != '-' : (id[i] < '0' || id[i] > '9'))
			return false;
	}
	return true;
}

static const char *const state_word[] = {
	[JOURNAL_APPLYING] = "applying",
	[JOURNAL_APPLIED] = "applied",
	[JOURNAL_UNDOING] = "undoing",
	[JOURNAL_UNDONE] = "undone",
};

static bool holds(struct path_root *r, const char *path, const char *data, size_t len);

static int write_blob(struct path_root *r, const char *id, size_t i, const char *what, const char *data, size_t len)
{
	_cleanup_free_ char *name = blob_name(i, what), *rel = name ? entry_rel(id, name) : NULL;

	return rel ? path_write_bytes_atomic(r, rel, data, len, 0600) : -ENOMEM;
}

/* Say in the manifest where the entry stands (its "state" line, the
 * second): one atomic rewrite, so a crash leaves the old state or the new.
 * lenient: a failing fsync of the directory after the rename is not a
 * failure (undo's marks: the state there is the new one, and the next
 * write there syncs it); applying takes everything back instead. */
static int set_state(struct path_root *r, const char *id, enum journal_state st, bool lenient)
{
	_cleanup_free_ char *rel = entry_rel(id, "manifest"), *text = NULL, *out = NULL;
	const char *rest, *magic;
	int k;

	if (!rel)
		return -ENOMEM;
	if ((k = path_read_file(r, rel, 1u << 20, &text, NULL)) < 0)
		return k;
	/* An entry keeps the version it was written in. */
	if (startswith(text, MANIFEST_MAGIC "\n"))
		magic = MANIFEST_MAGIC;
	else if (startswith(text, MANIFEST_MAGIC_V1 "\n"))
		magic = MANIFEST_MAGIC_V1;
	else
		return -EBADMSG;
	rest = text + strlen(magic) + 1;
	if (startswith(rest, "state "))
		rest = next_line(rest);
	out = strdupf("%s\nstate %s\n%s", magic, state_word[st], rest);
	if (!out)
		return -ENOMEM;
	k = path_write_file_atomic(r, rel, out, 0600);
	/* Renamed, but the directory's fsync failed: the state is the new one
	 * all the same (the next write there syncs it). */
	return k < 0 && lenient && holds(r, rel, out, strlen(out)) ? 0 : k;
}

/* Remove an entry directory and what is in it (only plain files). The
 * manifest goes first: an entry stopped half-way through its removal has
 * none, and the next run takes it for the leftover it is. */
static void remove_entry(struct path_root *r, const char *id)
{
	_cleanup_free_ char *dir = entry_rel(id, NULL), *m = entry_rel(id, "manifest");
	struct strv names = { 0 };

	if (!dir || !m)
		return;
	(void)path_unlink(r, m);
	if (path_list(r, dir, &names) < 0)
		return;
	for (size_t i = 0; i < names.n; i++) {
		_cleanup_free_ char *rel = entry_rel(id, names.v[i]);
		if (rel)
			(void)path_unlink(r, rel);
	}
	strv_clear(&names);
	(void)path_rmdir(r, dir);
}

/* A new, empty entry directory: time-stamped, unique. var and var/lib are
 * the FHS's (0755); the journal itself keeps copies of system files, 0700. */
static int new_entry(struct path_root *r, char **id)
{
	time_t now = time(NULL);
	struct tm tm;
	char stamp[32];
	int k;

	if ((k = path_mkdir_p(r, "var/lib/vfiokit", 0755)) < 0)
		return k;
	if ((k = path_mkdir(r, JOURNAL_DIR, 0700)) < 0 && k != -EEXIST)
		return k;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	for (int n = 1; n < 1000; n++) {
		_cleanup_free_ char *rel = NULL;
		*id = n == 1 ? strdup(stamp) : strdupf("%s-%03d", stamp, n);
		rel = *id ? entry_rel(*id, NULL) : NULL;
		if (!rel)
			return -ENOMEM;
		k = path_mkdir(r, rel, 0700);
		if (k == 0)
			return 0;
		free(*id);
		*id = NULL;
		if (k != -EEXIST) {
			(void)path_rmdir(r, rel); /* made, but not on disk for sure */
			return k;
		}
	}
	return -EEXIST;
}

/* Append to out the ancestors of rel (and rel itself when self) that do
 * not exist, outermost first. */
static int missing_dirs(struct path_root *r, const char *rel, bool self, struct strv *out)
{
	_cleanup_free_ char *d = strdup(rel);
	struct strv chain = { 0 };
	struct stat st;
	char *slash;
	int k = 0;

	if (!d)
		return -ENOMEM;
	if (self && path_lstat(r, d, &st) < 0 && strv_push(&chain, d) < 0)
		return -ENOMEM;
	while ((slash = strrchr(d, '/'))) {
		*slash = '\0';
		if (path_lstat(r, d, &st) == 0)
			break;
		if (!strv_contains(out, d) && strv_push(&chain, d) < 0) {
			strv_clear(&chain);
			return -ENOMEM;
		}
	}
	for (size_t j = chain.n; j-- > 0 && k >= 0;)
		if (!strv_contains(out, chain.v[j]))
			k = strv_push(out, chain.v[j]);
	strv_clear(&chain);
	return k < 0 ? -ENOMEM : 0;
}

/* Remove the directories, innermost first, those that are empty; the
 * first failure other than "not empty" or "not there". */
static int remove_dirs(struct path_root *r, const struct strv *dirs)
{
	int ret = 0;

	for (size_t j = dirs->n; j-- > 0;) {
		int k = path_rmdir(r, dirs->v[j]);
		if (k < 0 && k != -ENOTEMPTY && k != -EEXIST && k != -ENOENT && !ret)
			ret = path_exists(r, dirs->v[j]) ? k : 0; /* gone: only its directory's fsync failed */
	}
	return ret;
}

static int put_back(struct path_root *r, const struct journal_change *c)
{
	int k;

	if (c->before)
		return path_write_bytes_atomic(r, c->path, c->before, c->before_len, c->before_mode);
	k = path_unlink(r, c->path);
	return k == -ENOENT ? 0 : k;
}

/* Whether the file now holds the len bytes of data (NULL: absent);
 * unreadable is "no". No more than len bytes are read: a longer file is
 * another. */
static bool holds(struct path_root *r, const char *path, const char *data, size_t len)
{
	_cleanup_free_ char *now = NULL;
	size_t n;

	if (read_bytes(r, path, data ? len : 0, &now, &n, NULL) < 0)
		return false;
	return same_bytes(now, n, data, len);
}

/* Run cmd through x; a failure is added to *bad ("CMD: why"). */
static int run_one(struct journal_runner *x, const char *cmd, struct strv *bad)
{
	_cleanup_error_ struct error why = { 0 };
	int k = x->run(cmd, x->data, &why);

	if (k < 0 && strv_push_take(bad, strdupf("%s failed (%s)", cmd, why.msg ? why.msg : strerror(-k))) < 0)
		return -ENOMEM;
	return k;
}

/* Take back a new entry whose files are written: the inverses of the ne
 * changes that ran (newest first), the files, the nr regenerate commands
 * that had run (on the old files); then the entry goes, when all of that
 * worked. first says what failed, errnum is returned with it in err. */
static int take_back(struct path_root *r, struct journal_tx *tx, struct journal_runner *x, size_t ne, size_t nr,
		     const struct strv *jdirs, char **id, const char *first, int errnum, struct error *err)
{
	_cleanup_(strv_clear) struct strv undo_bad = { 0 };
	_cleanup_free_ char *why = NULL;
	bool all_back = true;

	for (size_t j = ne; j-- > 0;)
		all_back &= run_one(x, tx->exec_undo.v[j], &undo_bad) >= 0;
	for (size_t j = tx->n; j-- > 0;)
		all_back &= put_back(r, &tx->v[j]) >= 0;
	(void)remove_dirs(r, &tx->dirs);
	for (size_t j = 0; j < nr; j++)
		all_back &= run_one(x, tx->regen.v[j], &undo_bad) >= 0;
	why = strv_join(&undo_bad, "; ");
	errnum = error_take(err, errnum, ERROR_FAILED,
			    strdupf("%s; %s%s", first,
				    all_back ? "every file was put back and what ran before it was taken back: nothing "
					       "was changed" :
					       "NOT EVERYTHING COULD BE TAKEN BACK: ",
				    all_back    ? "" :
				    why && *why ? why :
						  "see 'vfiokit journal'"));
	if (all_back) {
		remove_entry(r, *id);
		remove_dirs(r, jdirs);
		free(*id);
		*id = NULL;
	}
	return errnum;
}

/* After the files of a new entry are written: the changes made by commands,
 * then the regenerate commands, then the entry is marked applied. A
 * failure takes everything back (take_back). */
static int run_after_write(struct path_root *r, struct journal_tx *tx, struct journal_runner *x,
			   const struct strv *jdirs, char **id, struct error *err)
{
	_cleanup_(strv_clear) struct strv bad = { 0 };
	static struct journal_runner none;
	size_t ne = 0, nr = 0;
	int k = 0;

	if (!x)
		x = &none;
	if (!x->run && (tx->exec.n || tx->regen.n) && x != &none) {
		for (size_t i = 0; i < tx->exec.n; i++)
			if (strv_push(&x->todo, tx->exec.v[i]) < 0)
				return -ENOMEM;
		for (size_t i = 0; i < tx->regen.n; i++)
			if (strv_push(&x->todo, tx->regen.v[i]) < 0)
				return -ENOMEM;
	}
	/* A command that fails is taken to have changed nothing: only those
	 * that ran to the end are taken back, or run again. */
	if (x->run) {
		while (ne < tx->exec.n && (k = run_one(x, tx->exec.v[ne], &bad)) >= 0)
			ne++;
		while (k >= 0 && nr < tx->regen.n && (k = run_one(x, tx->regen.v[nr], &bad)) >= 0)
			nr++;
		if (k == -ENOMEM && !bad.n)
			return k;
	}
	if (k >= 0) {
		k = set_state(r, *id, JOURNAL_APPLIED, false);
		if (k >= 0)
			return 0;
		if (strv_push_take(&bad, strdupf("cannot mark journal entry %s applied (%s)", *id, strerror(-k))) < 0)
			return -ENOMEM;
	}
	return take_back(r, tx, x, ne, nr, jdirs, id, bad.v[0], k == -ENOMEM ? -EIO : k, err);
}

/* A copy's length and sha256 in a file line ("- -": none). */
static char *copy_fields(const char *data, size_t len)
{
	char h[SHA256_HEX_SIZE];

	if (!data)
		return strdup("- -");
	sha256_hex(data, len, h);
	return strdupf("%zu %s", len, h);
}

/* The manifest of tx, state applying. */
static char *manifest_text(const struct journal_tx *tx)
{
	_cleanup_(strv_clear) struct strv m = { 0 };
	char when[32];
	time_t now = time(NULL);
	struct tm tm;
	int k;

	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	k = strv_push(&m, MANIFEST_MAGIC);
	if (k >= 0)
		k = strv_push_take(&m, strdupf("state %s", state_word[JOURNAL_APPLYING]));
	if (k >= 0)
		k = strv_push_take(&m, strdupf("time %s", when));
	if (k >= 0) {
		_cleanup_free_ char *c = escape(tx->command ? tx->command : "?");
		k = c ? strv_push_take(&m, strdupf("command %s", c)) : -ENOMEM;
	}
	for (size_t i = 0; k >= 0 && i < tx->n; i++) {
		const struct journal_change *c = &tx->v[i];
		_cleanup_free_ char *p = escape(c->path), *b = copy_fields(c->before, c->before_len),
				    *a = copy_fields(c->after, c->after_len);
		k = p && a && b ?
			    strv_push_take(&m, strdupf("file %zu %s %d %o %s %d %o %s %s", i,
						       c->binary ? "binary" : "text", c->before != NULL, c->before_mode,
						       b, c->after != NULL, c->after_mode, a, p)) :
			    -ENOMEM;
	}
	for (size_t i = 0; k >= 0 && i < tx->dirs.n; i++) {
		_cleanup_free_ char *p = escape(tx->dirs.v[i]);
		k = p ? strv_push_take(&m, strdupf("dir %s", p)) : -ENOMEM;
	}
	for (size_t i = 0; k >= 0 && i < tx->exec.n; i++) {
		_cleanup_free_ char *a = escape(tx->exec.v[i]), *b = escape(tx->exec_undo.v[i]);
		k = a && b ? strv_push_take(&m, strdupf("exec %s %s", a, b)) : -ENOMEM;
	}
	for (size_t i = 0; k >= 0 && i < tx->regen.n; i++) {
		_cleanup_free_ char *a = escape(tx->regen.v[i]);
		k = a ? strv_push_take(&m, strdupf("regen %s", a)) : -ENOMEM;
	}
	if (k < 0 || strv_push(&m, "") < 0)
		return NULL;
	return strv_join(&m, "\n");
}

int journal_apply(struct path_root *r, struct journal_tx *tx, struct journal_runner *x, char **id, struct error *err)
{
	_cleanup_(strv_clear) struct strv jdirs = { 0 };
	_cleanup_free_ char *manifest = NULL, *mrel = NULL;
	size_t i;
	int k = 0;

	*id = NULL;
	journal_tidy(r);
	/* The directories the files need that are not there yet, outermost first. */
	for (size_t f = 0; f < tx->n; f++)
		if ((k = missing_dirs(r, tx->v[f].path, false, &tx->dirs)) < 0)
			return k;
	if ((k = missing_dirs(r, JOURNAL_DIR, true, &jdirs)) < 0)
		return k;
	if ((k = new_entry(r, id)) < 0) {
		(void)remove_dirs(r, &jdirs);
		return error_take(err, k, ERROR_FAILED,
				  strdupf("cannot make the journal entry in /%s: %s; nothing was changed: run it again as "
					  "root (sudo)",
					  JOURNAL_DIR, strerror(-k)));
	}
	/* The copies, then the manifest that names them: an entry without a
	 * manifest is one that never got to change anything. */
	for (i = 0; k >= 0 && i < tx->n; i++) {
		const struct journal_change *c = &tx->v[i];
		if (c->before)
			k = write_blob(r, *id, i, "before", c->before, c->before_len);
		if (k >= 0 && c->after)
			k = write_blob(r, *id, i, "after", c->after, c->after_len);
	}
	if (k >= 0) {
		manifest = manifest_text(tx);
		mrel = entry_rel(*id, "manifest");
		k = manifest && mrel ? path_write_file_atomic(r, mrel, manifest, 0600) : -ENOMEM;
	}
	if (k < 0) {
		k = error_take(err, k, ERROR_FAILED,
			       strdupf("cannot write the journal entry %s: %s; nothing was changed: run it again as "
				       "root (sudo)",
				       *id, strerror(-k)));
		remove_entry(r, *id);
		(void)remove_dirs(r, &jdirs);
		free(*id);
		*id = NULL;
		return k;
	}
	/* The files, each atomically; a failure puts back those written. */
	for (i = 0; i < tx->n; i++) {
		const struct journal_change *c = &tx->v[i];
		k = c->after ? path_write_bytes_atomic(r, c->path, c->after, c->after_len, c->after_mode) :
			       path_unlink(r, c->path);
		if (k == -ENOENT && !c->after)
			k = 0;
		if (k < 0)
			break;
	}
	if (k < 0) {
		int failed = k;
		bool all_back = true;
		/* The failing one too when it changed (the rename done, the
		 * directory's fsync not). */
		if (!holds(r, tx->v[i].path, tx->v[i].before, tx->v[i].before_len))
			all_back &= put_back(r, &tx->v[i]) >= 0;
		for (size_t j = i; j-- > 0;)
			all_back &= put_back(r, &tx->v[j]) >= 0;
		(void)remove_dirs(r, &tx->dirs);
		failed = error_take(err, failed, ERROR_FAILED,
				    strdupf("cannot write /%s: %s%s; %s", tx->v[i].path, strerror(-failed),
					    failed == -EROFS ? " (remount it read-write; on an image-based system such "
							       "as rpm-ostree, /etc is the place that is writable)" :
							       "",
					    all_back ?
						    "every file written before it was put back, nothing was changed" :
						    "SOME FILES COULD NOT BE PUT BACK: see the journal entry"));
		if (all_back) {
			remove_entry(r, *id);
			(void)remove_dirs(r, &jdirs);
			free(*id);
			*id = NULL;
		}
		return failed;
	}
	return run_after_write(r, tx, x, &jdirs, id, err);
}

/* A path in a manifest: root-relative, no "..". */
static bool manifest_path_ok(const char *p)
{
	if (!*p || *p == '/')
		return false;
	for (const char *c = p; *c; c = strchr(c, '/') ? strchr(c, '/') + 1 : c + strlen(c))
		if (startswith(c, "../") || streq(c, ".."))
			return false;
	return true;
}

/* A version 1 copy: text. */
static int read_blob_v1(struct path_root *r, const char *id, size_t idx, const char *what, char **ret, size_t *len)
{
	_cleanup_free_ char *b = blob_name(idx, what), *rel = b ? entry_rel(id, b) : NULL;

	return rel ? path_read_file(r, rel, JOURNAL_TEXT_MAX, ret, len) : -ENOMEM;
}

/* A version 2 copy: exactly the length and sha256 its file line says (a
 * text copy without NUL bytes). -EBADMSG with *why (heap) when it is not;
 * another -errno when it cannot be read. */
static int read_blob(struct path_root *r, const char *id, size_t idx, const char *what, bool binary, size_t want,
		     const char *sha, char **ret, size_t *len, char **why)
{
	_cleanup_free_ char *b = blob_name(idx, what), *rel = b ? entry_rel(id, b) : NULL;
	char h[SHA256_HEX_SIZE];
	int k;

	if (!rel)
		return -ENOMEM;
	k = read_bytes(r, rel, want, ret, len, NULL);
	if (k == 0 && !*ret)
		k = -ENOENT;
	if (k == -EFBIG)
		*why = strdupf("the copy %s is longer than the %zu bytes its manifest says", b, want);
	if (k < 0)
		return k == -EFBIG ? -EBADMSG : k;
	if (*len != want)
		*why = strdupf("the copy %s is %zu bytes where its manifest says %zu (cut short)", b, *len, want);
	else if (sha256_hex(*ret, *len, h), !streq(h, sha))
		*why = strdupf("the bytes of the copy %s are not those its manifest names (sha256 %s, not %s)", b, h,
			       sha);
	else if (!binary && memchr(*ret, 0, *len))
		*why = strdupf("the copy %s of a text file holds NUL bytes", b);
	else
		return 0;
	free(*ret);
	*ret = NULL;
	return *why ? -EBADMSG : -ENOMEM;
}

/* A length and sha256 of a version 2 file line: "- -" when had is 0. */
static bool copy_fields_parse(int had, const char *len, const char *sha, size_t max, size_t *ret)
{
	char *end;
	unsigned long long v;

	if (!had)
		return streq(len, "-") && streq(sha, "-");
	if (!*len || strspn(len, "0123456789") != strlen(len) || strlen(len) > 12)
		return false;
	errno = 0;
	v = strtoull(len, &end, 10);
	if (errno || *end || v > max)
		return false;
	*ret = (size_t)v;
	return strlen(sha) == 64 && strspn(sha, "0123456789abcdef") == 64;
}

/* Parse an entry's manifest into changes (with their blobs). -EBADMSG
 * with e->why when it is damaged; -ENOENT when it has no manifest. */
static int load_entry(struct path_root *r, const char *id, struct journal_tx *tx, struct journal_entry *e)
{
	_cleanup_free_ char *rel = entry_rel(id, "manifest"), *text = NULL, *undone = entry_rel(id, "undone");
	char *save = NULL, *line;
	size_t total = 0;
	bool stated = false, v1;
	struct stat st;
	int k;

	if (!rel || !undone)
		return -ENOMEM;
	e->id = strdup(id);
	if (!e->id)
		return -ENOMEM;
	e->state = JOURNAL_DAMAGED;
	if ((k = path_read_file(r, rel, 1u << 20, &text, NULL)) < 0) {
		if (k == -ENOENT || k == -ENOMEM)
			return k;
		e->why = strdupf("its manifest cannot be read: %s", path_strerror(k));
		return -EBADMSG;
	}
	v1 = startswith(text, MANIFEST_MAGIC_V1 "\n");
	if (!v1 && !startswith(text, MANIFEST_MAGIC "\n")) {
		e->why = strdup("its manifest does not start with '" MANIFEST_MAGIC "' (nor version 1's)");
		return -EBADMSG;
	}
	/* Entries from before the state line: a marker file said undone. */
	e->state = path_lstat(r, undone, &st) == 0 ? JOURNAL_UNDONE : JOURNAL_APPLIED;
	for (line = strtok_r(text + strlen(v1 ? MANIFEST_MAGIC_V1 : MANIFEST_MAGIC), "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (startswith(line, "state ")) {
			size_t s;
			for (s = 0; s < ARRAY_SIZE(state_word) && !streq(line + 6, state_word[s]); s++)
				;
			if (s == ARRAY_SIZE(state_word) || stated)
				goto bad;
			e->state = (enum journal_state)s;
			stated = true;
		} else if (startswith(line, "time ")) {
			free(e->time);
			e->time = strdup(line + 5);
		} else if (startswith(line, "command ")) {
			unescape(line + 8);
			free(e->command);
			e->command = strdup(line + 8);
		} else if (startswith(line, "exec ")) {
			char *undo = strchr(line + 5, ' ');
			if (!undo)
				goto bad;
			*undo++ = '\0';
			unescape(line + 5);
			unescape(undo);
			if (journal_tx_add_exec(tx, line + 5, undo) < 0 || strv_push(&e->commands, line + 5) < 0)
				return -ENOMEM;
		} else if (startswith(line, "regen ")) {
			unescape(line + 6);
			if (journal_tx_add_regen(tx, line + 6) < 0)
				return -ENOMEM;
		} else if (startswith(line, "dir ")) {
			unescape(line + 4);
			if (!manifest_path_ok(line + 4))
				goto bad;
			if (strv_push(&tx->dirs, line + 4) < 0)
				return -ENOMEM;
		} else if (startswith(line, "file ")) {
			size_t idx, blen = 0, alen = 0;
			int had, has, off = 0;
			unsigned bm, am;
			char kind[8], bl[16], bs[72], al[16], as[72];
			struct journal_change c = { 0 }, *t;
			_cleanup_free_ char *why = NULL;
			if (v1) {
				if (sscanf(line, "file %zu %d %o %d %o %n", &idx, &had, &bm, &has, &am, &off) != 5 ||
				    !off)
					goto bad;
			} else {
				/* file IDX text|binary HAD MODE LEN SHA256 HAS MODE LEN SHA256 PATH */
				if (sscanf(line, "file %zu %7s %d %o %15s %71s %d %o %15s %71s %n", &idx, kind, &had,
					   &bm, bl, bs, &has, &am, al, as, &off) != 10 ||
				    !off || (!streq(kind, "text") && !streq(kind, "binary")) ||
				    (had != 0 && had != 1) || (has != 0 && has != 1))
					goto bad;
				c.binary = streq(kind, "binary");
				if (!copy_fields_parse(had, bl, bs, c.binary ? JOURNAL_BINARY_MAX : JOURNAL_TEXT_MAX,
						       &blen) ||
				    !copy_fields_parse(has, al, as, c.binary ? JOURNAL_BINARY_MAX : JOURNAL_TEXT_MAX,
						       &alen))
					goto bad;
			}
			/* The changes in the order vfiokit writes them (0, 1, ...):
			 * no copy read twice; all copies together at most
			 * JOURNAL_ENTRY_MAX (below). */
			if (idx != tx->n)
				goto bad;
			unescape(line + off);
			if (!manifest_path_ok(line + off))
				goto bad;
			/* vfiokit never writes set-user-ID, set-group-ID or sticky
			 * bits: a manifest asking for them is not vfiokit's. */
			if (((bm | am) & 07000) || bm > 07777 || am > 07777)
				goto bad;
			c.path = strdup(line + off);
			c.before_mode = (mode_t)bm & 0777;
			c.after_mode = (mode_t)am & 0777;
			if (!c.path || strv_push(&e->paths, c.path) < 0 || GROW(tx->v, tx->alloc, tx->n + 1) < 0) {
				free(c.path);
				return -ENOMEM;
			}
			tx->v[tx->n++] = c;
			t = &tx->v[tx->n - 1];
			k = 0;
			if (v1) {
				if (had)
					k = read_blob_v1(r, id, idx, "before", &t->before, &t->before_len);
				if (k >= 0 && has)
					k = read_blob_v1(r, id, idx, "after", &t->after, &t->after_len);
			} else {
				if (had)
					k = read_blob(r, id, idx, "before", c.binary, blen, bs, &t->before,
						      &t->before_len, &why);
				if (k >= 0 && has)
					k = read_blob(r, id, idx, "after", c.binary, alen, as, &t->after, &t->after_len,
						      &why);
			}
			if (k >= 0) {
				total += t->before_len + t->after_len;
				if (total > JOURNAL_ENTRY_MAX) {
					e->state = JOURNAL_DAMAGED;
					free(e->why);
					e->why = strdupf("its copies pass %u MiB in all (at /%s)", JOURNAL_ENTRY_MAX >> 20,
							 c.path);
					return -EBADMSG;
				}
			}
			if (k < 0) {
				if (k == -ENOMEM)
					return k;
				e->state = JOURNAL_DAMAGED;
				free(e->why);
				e->why = why ? strdupf("%s (/%s)", why, c.path) :
					       strdupf("the copy %zu.%s of /%s cannot be read: %s", idx,
						       had && !t->before ? "before" : "after", c.path,
						       path_strerror(k));
				return -EBADMSG;
			}
		} else {
			/* A line that is none of these (a damaged "file" line) would
			 * drop its change from the undo without a word. */
			goto bad;
		}
	}
	return 0;
bad:
	e->state = JOURNAL_DAMAGED;
	free(e->why);
	e->why = strdupf("its manifest has a line vfiokit cannot read: '%.60s'", line);
	return -EBADMSG;
}

static void entry_clear(struct journal_entry *e)
{
	free(e->id);
	free(e->time);
	free(e->command);
	free(e->why);
	strv_clear(&e->paths);
	strv_clear(&e->commands);
	strv_clear(&e->drifted);
	*e = (struct journal_entry){ 0 };
}

void journal_entries_free(struct journal_entry *e, size_t n)
{
	for (size_t i = 0; i < n; i++)
		entry_clear(&e[i]);
	free(e);
}

/* The files of an entry that hold neither what it wrote nor (when it is
 * partly done) what was there before it. */
static int drift(struct path_root *r, const struct journal_tx *tx, enum journal_state st, struct strv *ret)
{
	for (size_t i = 0; i < tx->n; i++) {
		const struct journal_change *c = &tx->v[i];
		if (holds(r, c->path, c->after, c->after_len) ||
		    (st != JOURNAL_APPLIED && holds(r, c->path, c->before, c->before_len)))
			continue;
		if (strv_push(ret, c->path) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* The temporary files (.#NAME.XXXXXX) of an atomic write of path that
 * was stopped before its rename. */
static void remove_temps(struct path_root *r, const char *path)
{
	_cleanup_free_ char *dir = strdup(path), *prefix = NULL;
	struct strv names = { 0 };
	char *slash;

	if (!dir)
		return;
	slash = strrchr(dir, '/');
	prefix = strdupf(".#%s.", slash ? slash + 1 : dir);
	if (slash)
		*slash = '\0';
	if (!prefix || path_list(r, slash ? dir : ".", &names) < 0)
		return;
	for (size_t i = 0; i < names.n; i++) {
		const char *tail = names.v[i] + strlen(prefix);
		_cleanup_free_ char *rel = NULL;
		if (!startswith(names.v[i], prefix) || strlen(tail) != 6 || strspn(tail, "0123456789abcdef") != 6)
			continue;
		rel = slash ? strdupf("%s/%s", dir, names.v[i]) : strdup(names.v[i]);
		if (rel)
			(void)path_unlink(r, rel);
	}
	strv_clear(&names);
}

/* What a run stopped half-way (killed, a power cut) left: entries that
 * never got a manifest (nothing else was written for them), temporary
 * files of a manifest rewrite, and those beside the files of an entry
 * that is partly applied or partly undone. Only changing commands call
 * this: the journal's own directory is theirs. */
void journal_tidy(struct path_root *r)
{
	struct strv ids = { 0 };

	if (path_list(r, JOURNAL_DIR, &ids) < 0)
		return;
	for (size_t i = 0; i < ids.n; i++) {
		_cleanup_free_ char *m = NULL, *dir = NULL;
		struct journal_tx tx = { 0 };
		struct journal_entry e = { 0 };
		struct strv names = { 0 };
		int k;
		if (!journal_id_valid(ids.v[i]) || !(m = entry_rel(ids.v[i], "manifest")) ||
		    !(dir = entry_rel(ids.v[i], NULL)))
			continue;
		if (!path_exists(r, m)) {
			remove_entry(r, ids.v[i]);
			continue;
		}
		if (path_list(r, dir, &names) == 0)
			for (size_t j = 0; j < names.n; j++)
				if (startswith(names.v[j], ".#")) {
					_cleanup_free_ char *t = entry_rel(ids.v[i], names.v[j]);
					if (t)
						(void)path_unlink(r, t);
				}
		strv_clear(&names);
		k = load_entry(r, ids.v[i], &tx, &e);
		if (k >= 0 && (e.state == JOURNAL_APPLYING || e.state == JOURNAL_UNDOING))
			for (size_t j = 0; j < tx.n; j++)
				remove_temps(r, tx.v[j].path);
		entry_clear(&e);
		journal_tx_free(&tx);
	}
	strv_clear(&ids);
}

int journal_list(struct path_root *r, bool with_drift, struct journal_entry **ret, size_t *n)
{
	struct strv ids = { 0 };
	struct journal_entry *v = NULL;
	size_t cnt = 0, alloc = 0;
	int k = path_list(r, JOURNAL_DIR, &ids);

	*ret = NULL;
	*n = 0;
	if (k == -ENOENT)
		return 0;
	if (k < 0)
		return k;
	strv_sort(&ids);
	for (size_t i = 0; i < ids.n; i++) {
		struct journal_tx tx = { 0 };
		struct journal_entry e = { 0 };
		if (!journal_id_valid(ids.v[i]))
			continue; /* not an entry */
		k = load_entry(r, ids.v[i], &tx, &e);
		if (k >= 0 && with_drift && e.state != JOURNAL_UNDONE)
			k = drift(r, &tx, e.state, &e.drifted);
		journal_tx_free(&tx);
		if (k == -ENOMEM || ((k >= 0 || k == -EBADMSG) && GROW(v, alloc, cnt + 1) < 0)) {
			entry_clear(&e);
			journal_entries_free(v, cnt);
			strv_clear(&ids);
			return -ENOMEM;
		}
		if (k < 0 && k != -EBADMSG) { /* no manifest: an apply stopped before it changed anything */
			entry_clear(&e);
			continue;
		}
		v[cnt++] = e;
	}
	strv_clear(&ids);
	/* A file a newer applied entry wrote again is that entry's to judge:
	 * the older entry's bytes are not what should be there any more. */
	for (size_t i = 0; with_drift && i < cnt; i++)
		for (size_t d = v[i].drifted.n; d-- > 0;)
			for (size_t j = i + 1; j < cnt; j++)
				if (v[j].state != JOURNAL_UNDONE && strv_contains(&v[j].paths, v[i].drifted.v[d])) {
					free(v[i].drifted.v[d]);
					memmove(&v[i].drifted.v[d], &v[i].drifted.v[d + 1],
						(v[i].drifted.n - d) * sizeof(char *)); /* and the NULL after */
					v[i].drifted.n--;
					break;
				}
	*ret = v;
	*n = cnt;
	return 0;
}

/* The newer entries, not undone, that changed a file of tx after it
 * ("ID (/PATH)"): putting tx's before bytes back would take their change
 * away too, so they are undone first. A newer entry that cannot be read
 * may have changed them: it is named too (fail closed). */
static int newer_writers(struct path_root *r, const struct journal_entry *all, size_t n, const char *id,
			 const struct journal_tx *tx, struct strv *ret)
{
	size_t i = 0;

	while (i < n && !streq(all[i].id, id))
		i++;
	for (i++; i < n; i++) {
		struct journal_tx t = { 0 };
		struct journal_entry e = { 0 };
		int k = all[i].state == JOURNAL_UNDONE ? 0 : load_entry(r, all[i].id, &t, &e);
		if (k < 0 && k != -ENOMEM)
			k = strv_push_take(ret, strdupf("%s (damaged: cannot tell which files it changed)", all[i].id));
		for (size_t j = 0; k >= 0 && j < t.n; j++) {
			const struct journal_change *c = &t.v[j];
			bool changed = !same_bytes(c->before, c->before_len, c->after, c->after_len);
			for (size_t m = 0; changed && m < tx->n && k >= 0; m++)
				if (streq(tx->v[m].path, c->path))
					k = strv_push_take(ret, strdupf("%s (/%s)", all[i].id, c->path));
		}
		journal_tx_free(&t);
		entry_clear(&e);
		if (k == -ENOMEM)
			return k;
	}
	return 0;
}

/* The entry undo takes when given no ID: the newest not undone. */
static int pick_newest(struct path_root *r, char **id, struct error *err)
{
	struct journal_entry *all = NULL;
	size_t n = 0;
	int k;

	if ((k = journal_list(r, false, &all, &n)) < 0) {
		if (k != -ENOMEM)
			k = error_take(err, k, ERROR_FAILED,
				       strdupf("cannot list /%s: %s", JOURNAL_DIR, path_strerror(k)));
		return k;
	}
	for (size_t i = n; i-- > 0 && !*id;) {
		if (all[i].state == JOURNAL_UNDONE)
			continue;
		*id = strdup(all[i].id);
		if (!*id)
			k = -ENOMEM;
		else if (all[i].state == JOURNAL_DAMAGED) {
			k = error_take(
				err, -EBADMSG, ERROR_FAILED,
				strdupf("the newest journal entry, %s, is damaged (%s): undo will not skip it for an older "
					"one; look at /%s/%s, or name the entry to undo ('vfiokit journal' lists them)",
					all[i].id, all[i].why ? all[i].why : "?", JOURNAL_DIR, all[i].id));
		}
	}
	journal_entries_free(all, n);
	if (k >= 0 && !*id) {
		k = error_take(err, -ENOENT, ERROR_FAILED,
			       strdup("the journal has no entry to undo ('vfiokit journal' lists what vfiokit changed)"));
	}
	return k;
}

/* Put the first n files of now back to what they held, newest first;
 * true when all of them are. */
static bool undo_back_out(struct path_root *r, const struct journal_tx *now, size_t n)
{
	bool all = true;

	for (size_t j = n; j-- > 0;) {
		const struct journal_change *c = &now->v[j];
		int k = c->before ? path_write_bytes_atomic(r, c->path, c->before, c->before_len, c->before_mode) :
				    path_unlink(r, c->path);
		all &= k >= 0 || (k == -ENOENT && !c->before);
	}
	return all;
}

int journal_undo(struct path_root *r, const char *id, bool force, bool dry_run, struct journal_runner *x,
		 char **done_id, char **diff, struct error *err)
{
	_cleanup_(strv_clear) struct strv cmds = { 0 }, bad = { 0 }, diffs = { 0 }, changed = { 0 }, later = { 0 };
	_cleanup_free_ size_t *todo = NULL;
	struct journal_entry e = { 0 }, *all = NULL;
	size_t nall = 0;
	struct journal_tx tx = { 0 }, now = { 0 };
	enum journal_state was;
	size_t ntodo = 0;
	int k;

	*done_id = *diff = NULL;
	if (id && !journal_id_valid(id)) {
		return error_take(
			err, -EINVAL, ERROR_USAGE,
			strdupf("'%s' is not a journal entry ID (they look like 20240131-235959; see 'vfiokit journal')",
				id));
	}
	if (id)
		*done_id = strdup(id);
	else if ((k = pick_newest(r, done_id, err)) < 0)
		return k;
	if (!*done_id)
		return -ENOMEM;
	id = *done_id;
	k = load_entry(r, id, &tx, &e);
	if (k < 0) {
		k = error_take(err, k, ERROR_FAILED,
			       k == -ENOENT  ? strdupf("there is no journal entry %s", id) :
			       k == -EBADMSG ? strdupf("journal entry %s is damaged (%s): undo refuses it", id,
						       e.why ? e.why : "?") :
					       strdupf("journal entry %s cannot be read: %s", id, path_strerror(k)));
		goto out;
	}
	if (e.state == JOURNAL_UNDONE) {
		k = error_take(err, -EALREADY, ERROR_FAILED,
			       strdupf("journal entry %s was undone already ('vfiokit journal' lists the entries)",
				       id));
		goto out;
	}
	if ((k = journal_list(r, false, &all, &nall)) < 0) {
		if (k != -ENOMEM)
			k = error_take(err, k, ERROR_FAILED,
				       strdupf("cannot list /%s: %s", JOURNAL_DIR, path_strerror(k)));
		goto out;
	}
	k = newer_writers(r, all, nall, id, &tx, &later);
	journal_entries_free(all, nall);
	if (k < 0)
		goto out;
	if (later.n) {
		/* Not even with --force: that would drop a newer entry's change
		 * (another card's IDs) without a word. */
		_cleanup_free_ char *list = strv_join(&later, ", ");
		const char *first = later.v[later.n - 1];
		k = error_take(err, -EBUSY, ERROR_FAILED,
			       strdupf("a newer journal entry changed the same files since and is not undone: %s; undo it first "
				       "('vfiokit undo %.*s'), then this one",
				       list ? list : "?", (int)strcspn(first, " "), first));
		goto out;
	}
	was = e.state;
	/* Each file: holding what the entry wrote (to put back), what was
	 * there before (back already: an apply or an undo stopped half-way),
	 * or something else (changed since: refused unless forced). */
	todo = calloc(tx.n + 1, sizeof(*todo));
	if (!todo) {
		k = -ENOMEM;
		goto out;
	}
	for (size_t i = tx.n; i-- > 0;) {
		const struct journal_change *c = &tx.v[i];
		struct journal_change cur = { .before_mode = 0644, .binary = c->binary };
		bool at_after, at_before;
		if ((k = read_bytes(r, c->path, JOURNAL_TEXT_MAX, &cur.before, &cur.before_len, &cur.before_mode)) <
		    0) {
			k = error_take(err, k, ERROR_FAILED, strdupf("cannot read /%s: %s", c->path, path_strerror(k)));
			goto out;
		}
		at_after = same_bytes(cur.before, cur.before_len, c->after, c->after_len);
		at_before = same_bytes(cur.before, cur.before_len, c->before, c->before_len);
		if (at_before && !at_after) {
			free(cur.before);
			continue;
		}
		if (!at_after && strv_push(&changed, c->path) < 0)
			k = -ENOMEM;
		cur.path = strdupf("/%s", c->path);
		if (k < 0 || !cur.path || GROW(now.v, now.alloc, now.n + 1) < 0 ||
		    strv_push_take(&diffs, change_diff(cur.path, c->binary, cur.before, cur.before_len, c->before,
						       c->before_len)) < 0) {
			free(cur.path);
			free(cur.before);
			k = -ENOMEM;
			goto out;
		}
		memmove(cur.path, cur.path + 1, strlen(cur.path));
		now.v[now.n++] = cur;
		todo[ntodo++] = i;
	}
	*diff = strv_join(&diffs, "");
	if (!*diff) {
		k = -ENOMEM;
		goto out;
	}
	if (changed.n && !force) {
		_cleanup_free_ char *list = strv_join(&changed, ", /");
		k = error_take(err, -ESTALE, ERROR_FAILED,
			       strdupf("changed since vfiokit wrote %s: /%s; undo would lose that (--force undoes anyway)",
				       changed.n > 1 ? "them" : "it", list ? list : "?"));
		goto out;
	}
	/* Then the inverses of the changes commands made, newest first, and
	 * the regenerate commands, on the files as they were. */
	for (size_t i = tx.exec_undo.n; i-- > 0;)
		if (strv_push(&cmds, tx.exec_undo.v[i]) < 0) {
			k = -ENOMEM;
			goto out;
		}
	for (size_t i = 0; i < tx.regen.n; i++)
		if (strv_push(&cmds, tx.regen.v[i]) < 0) {
			k = -ENOMEM;
			goto out;
		}
	if (dry_run || (x && !x->run)) {
		for (size_t i = 0; x && i < cmds.n; i++)
			if (strv_push(&x->todo, cmds.v[i]) < 0) {
				k = -ENOMEM;
				goto out;
			}
	}
	if (dry_run) {
		k = 0;
		goto out;
	}
	for (size_t i = 0; x && x->run && x->allowed && i < cmds.n; i++)
		if (!x->allowed(cmds.v[i])) {
			k = error_take(err, -EPERM, ERROR_FAILED,
				       strdupf("journal entry %s would run '%s', which is not a command vfiokit records (the "
					       "journal may not be vfiokit's); nothing was changed",
					       id, cmds.v[i]));
			goto out;
		}
	if (was != JOURNAL_UNDOING && (k = set_state(r, id, JOURNAL_UNDOING, true)) < 0) {
		k = error_take(err, k, ERROR_FAILED,
			       strdupf("cannot mark journal entry %s as being undone: %s; nothing was changed: run it "
				       "again as root "
				       "(sudo)",
				       id, strerror(-k)));
		goto out;
	}
	/* now.v[j]: what the entry's change todo[j] finds there now. */
	for (size_t j = 0; j < ntodo; j++) {
		const struct journal_change *c = &tx.v[todo[j]];
		k = c->before ? path_write_bytes_atomic(r, c->path, c->before, c->before_len, c->before_mode) :
				path_unlink(r, c->path);
		if (k == -ENOENT && !c->before)
			k = 0;
		if (k < 0) {
			/* The failing file too, when its rename was done. */
			bool back = undo_back_out(r, &now, holds(r, c->path, c->before, c->before_len) ? j + 1 : j);
			back = back && (was == JOURNAL_UNDOING || set_state(r, id, was, true) >= 0);
			k = error_take(
				err, k, ERROR_FAILED,
				strdupf("cannot restore /%s: %s; %s", c->path, strerror(-k),
					back ? "the files restored before it were put back as they were: nothing was "
					       "changed (run undo again when it can be written)" :
					       "run undo again when it can be written: it goes on where this one stopped"));
			goto out;
		}
	}
	/* The directories it made, innermost first, when nothing else is in them. */
	if ((k = remove_dirs(r, &tx.dirs)) < 0) {
		k = error_take(err, k, ERROR_FAILED,
			       strdupf("the files are back, but a directory entry %s made cannot be removed: %s (run undo "
				       "again)",
				       id, strerror(-k)));
		goto out;
	}
	if ((k = set_state(r, id, JOURNAL_UNDONE, true)) < 0) {
		k = error_take(err, k, ERROR_FAILED,
			       strdupf("the files are back, but entry %s cannot be marked undone: %s (run undo again)",
				       id, strerror(-k)));
		goto out;
	}
	for (size_t i = 0; x && x->run && i < cmds.n; i++)
		if (run_one(x, cmds.v[i], &bad) == -ENOMEM && !bad.n) {
			k = -ENOMEM;
			goto out;
		}
	if (bad.n) {
		_cleanup_free_ char *why = strv_join(&bad, "; ");
		k = error_take(err, -EIO, ERROR_FAILED,
			       strdupf("the files are back, but %s: run %s by hand", why ? why : "a command failed",
				       bad.n > 1 ? "them" : "it"));
	}
out:
	entry_clear(&e);
	journal_tx_free(&tx);
	journal_tx_free(&now);
	return k;
}
