/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <sys/stat.h>
#include <time.h>

#include "diff.h"
#include "journal.h"
#include "macro.h"

#define MANIFEST_MAGIC "vfiokit-journal 1"

static int read_text(struct path_root *r, const char *rel, char **ret, mode_t *mode)
{
	struct stat st;
	int k;

	*ret = NULL;
	k = path_read_file(r, rel, 64u << 20, ret, NULL);
	if (k == -ENOENT || k == -ENOTDIR) /* not there (a parent may be a file: writing it fails later) */
		return 0;
	if (k < 0)
		return k;
	if (mode && path_lstat(r, rel, &st) == 0)
		*mode = st.st_mode & 07777;
	return 0;
}

int journal_tx_add(struct journal_tx *tx, struct path_root *r, const char *path, const char *after, mode_t mode)
{
	struct journal_change c = { .after_mode = mode, .before_mode = 0644 };
	int k;

	if (GROW(tx->v, tx->alloc, tx->n + 1) < 0)
		return -ENOMEM;
	c.path = strdup(path);
	c.after = after ? strdup(after) : NULL;
	if (!c.path || (after && !c.after)) {
		free(c.path);
		free(c.after);
		return -ENOMEM;
	}
	if ((k = read_text(r, path, &c.before, &c.before_mode)) < 0) {
		free(c.path);
		free(c.after);
		return k;
	}
	if (c.before && (mode & 0111) == (c.before_mode & 0111))
		c.after_mode = c.before_mode; /* an edited file keeps its mode (0600 stays 0600) */
	tx->v[tx->n++] = c;
	return 0;
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
		if (!p || strv_push_take(&d, diff_unified(p, tx->v[i].before, tx->v[i].after)) < 0) {
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

static int write_blob(struct path_root *r, const char *id, size_t i, const char *what, const char *data)
{
	_cleanup_free_ char *name = blob_name(i, what), *rel = name ? entry_rel(id, name) : NULL;

	return rel ? path_write_file_atomic(r, rel, data, 0600) : -ENOMEM;
}

/* Remove an entry directory and what is in it (only plain files). */
static void remove_entry(struct path_root *r, const char *id)
{
	_cleanup_free_ char *dir = entry_rel(id, NULL);
	struct strv names = { 0 };

	if (!dir || path_list(r, dir, &names) < 0)
		return;
	for (size_t i = 0; i < names.n; i++) {
		_cleanup_free_ char *rel = entry_rel(id, names.v[i]);
		if (rel)
			(void)path_unlink(r, rel);
	}
	strv_clear(&names);
	(void)path_rmdir(r, dir);
}

/* A new, empty entry directory: time-stamped, unique. */
static int new_entry(struct path_root *r, char **id)
{
	time_t now = time(NULL);
	struct tm tm;
	char stamp[32];
	int k;

	if ((k = path_mkdir_p(r, JOURNAL_DIR, 0700)) < 0)
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
		if (k != -EEXIST)
			return k;
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

static void remove_dirs(struct path_root *r, const struct strv *dirs)
{
	for (size_t j = dirs->n; j-- > 0;)
		(void)path_rmdir(r, dirs->v[j]);
}

static int put_back(struct path_root *r, const struct journal_change *c)
{
	int k;

	if (c->before)
		return path_write_file_atomic(r, c->path, c->before, c->before_mode);
	k = path_unlink(r, c->path);
	return k == -ENOENT ? 0 : k;
}

/* Run cmd through x; a failure is added to *bad ("CMD: why"). */
static int run_one(struct journal_runner *x, const char *cmd, struct strv *bad)
{
	_cleanup_free_ char *why = NULL;
	int k = x->run(cmd, x->data, &why);

	if (k < 0 && strv_push_take(bad, strdupf("%s failed (%s)", cmd, why ? why : strerror(-k))) < 0)
		return -ENOMEM;
	return k;
}

/* After the files of a new entry are written: the changes made by commands,
 * then the regenerate commands. A failure takes everything back (the
 * inverses of the changes that ran, newest first, the failed one's too;
 * the files; the regenerate commands that had run, on the old files) and
 * removes the entry when all of that worked. */
static int run_after_write(struct path_root *r, struct journal_tx *tx, struct journal_runner *x,
			   const struct strv *jdirs, char **id, char **err)
{
	_cleanup_(strv_clear) struct strv bad = { 0 }, undo_bad = { 0 };
	size_t ne = 0, nr = 0;
	bool all_back = true;
	int k = 0;

	if (!x || (!tx->exec.n && !tx->regen.n))
		return 0;
	if (!x->run) {
		for (size_t i = 0; i < tx->exec.n; i++)
			if (strv_push(&x->todo, tx->exec.v[i]) < 0)
				return -ENOMEM;
		for (size_t i = 0; i < tx->regen.n; i++)
			if (strv_push(&x->todo, tx->regen.v[i]) < 0)
				return -ENOMEM;
		return 0;
	}
	/* A command that fails is taken to have changed nothing: only those
	 * that ran to the end are taken back, or run again. */
	while (ne < tx->exec.n && (k = run_one(x, tx->exec.v[ne], &bad)) >= 0)
		ne++;
	while (k >= 0 && nr < tx->regen.n && (k = run_one(x, tx->regen.v[nr], &bad)) >= 0)
		nr++;
	if (k >= 0)
		return 0;
	if (k == -ENOMEM && !bad.n)
		return k;
	for (size_t j = ne; j-- > 0;)
		all_back &= run_one(x, tx->exec_undo.v[j], &undo_bad) >= 0;
	for (size_t j = tx->n; j-- > 0;)
		all_back &= put_back(r, &tx->v[j]) >= 0;
	remove_dirs(r, &tx->dirs);
	for (size_t j = 0; j < nr; j++)
		all_back &= run_one(x, tx->regen.v[j], &undo_bad) >= 0;
	{
		_cleanup_free_ char *why = strv_join(&undo_bad, "; ");
		*err = strdupf("%s; %s%s", bad.v[0],
			       all_back ? "every file was put back and what ran before it was taken back: nothing was "
					  "changed" :
					  "NOT EVERYTHING COULD BE TAKEN BACK: ",
			       all_back ? "" : why ? why : "?");
	}
	if (all_back) {
		remove_entry(r, *id);
		remove_dirs(r, jdirs);
		free(*id);
		*id = NULL;
	}
	return k == -ENOMEM ? -EIO : k;
}

int journal_apply(struct path_root *r, struct journal_tx *tx, struct journal_runner *x, char **id, char **err)
{
	_cleanup_(strv_clear) struct strv jdirs = { 0 };
	struct strv m = { 0 };
	_cleanup_free_ char *manifest = NULL, *mrel = NULL;
	char when[32];
	time_t now = time(NULL);
	struct tm tm;
	size_t i;
	int k;

	*id = NULL;
	*err = NULL;
	/* The directories the files need that are not there yet, outermost first. */
	for (size_t f = 0; f < tx->n; f++)
		if ((k = missing_dirs(r, tx->v[f].path, false, &tx->dirs)) < 0)
			return k;
	if ((k = missing_dirs(r, JOURNAL_DIR, true, &jdirs)) < 0)
		return k;
	if ((k = new_entry(r, id)) < 0) {
		remove_dirs(r, &jdirs);
		*err = strdupf("cannot make the journal entry in /%s: %s; nothing was changed", JOURNAL_DIR, strerror(-k));
		return k;
	}
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	k = strv_push(&m, MANIFEST_MAGIC);
	if (k >= 0)
		k = strv_push_take(&m, strdupf("time %s", when));
	if (k >= 0) {
		_cleanup_free_ char *c = escape(tx->command ? tx->command : "?");
		k = c ? strv_push_take(&m, strdupf("command %s", c)) : -ENOMEM;
	}
	for (i = 0; k >= 0 && i < tx->n; i++) {
		const struct journal_change *c = &tx->v[i];
		_cleanup_free_ char *p = escape(c->path);
		if (!p)
			k = -ENOMEM;
		else if ((c->before && (k = write_blob(r, *id, i, "before", c->before)) < 0) ||
			 (c->after && (k = write_blob(r, *id, i, "after", c->after)) < 0))
			break;
		else
			k = strv_push_take(&m, strdupf("file %zu %d %o %d %o %s", i, c->before != NULL, c->before_mode,
						       c->after != NULL, c->after_mode, p));
	}
	for (i = 0; k >= 0 && i < tx->dirs.n; i++) {
		_cleanup_free_ char *p = escape(tx->dirs.v[i]);
		k = p ? strv_push_take(&m, strdupf("dir %s", p)) : -ENOMEM;
	}
	for (i = 0; k >= 0 && i < tx->exec.n; i++) {
		_cleanup_free_ char *a = escape(tx->exec.v[i]), *b = escape(tx->exec_undo.v[i]);
		k = a && b ? strv_push_take(&m, strdupf("exec %s %s", a, b)) : -ENOMEM;
	}
	for (i = 0; k >= 0 && i < tx->regen.n; i++) {
		_cleanup_free_ char *a = escape(tx->regen.v[i]);
		k = a ? strv_push_take(&m, strdupf("regen %s", a)) : -ENOMEM;
	}
	if (k >= 0 && strv_push(&m, "") == 0 && (manifest = strv_join(&m, "\n")) && (mrel = entry_rel(*id, "manifest")))
		k = path_write_file_atomic(r, mrel, manifest, 0600);
	else if (k >= 0)
		k = -ENOMEM;
	strv_clear(&m);
	if (k < 0) {
		*err = strdupf("cannot write the journal entry %s: %s; nothing was changed", *id, strerror(-k));
		remove_entry(r, *id);
		remove_dirs(r, &jdirs);
		free(*id);
		*id = NULL;
		return k;
	}
	/* The files, each atomically; a failure puts back those written. */
	for (i = 0; i < tx->n; i++) {
		const struct journal_change *c = &tx->v[i];
		k = c->after ? path_write_file_atomic(r, c->path, c->after, c->after_mode) : path_unlink(r, c->path);
		if (k == -ENOENT && !c->after)
			k = 0;
		if (k < 0)
			break;
	}
	if (k < 0) {
		int failed = k;
		bool all_back = true;
		for (size_t j = i; j-- > 0;)
			all_back &= put_back(r, &tx->v[j]) >= 0;
		remove_dirs(r, &tx->dirs);
		*err = strdupf("cannot write /%s: %s%s; %s", tx->v[i].path, strerror(-failed),
			       failed == -EROFS ? " (remount it read-write; on an image-based system such as "
						  "rpm-ostree, /etc is the place that is writable)" :
						  "",
			       all_back ? "every file written before it was put back, nothing was changed" :
					  "SOME FILES COULD NOT BE PUT BACK: see the journal entry");
		if (all_back) {
			remove_entry(r, *id);
			remove_dirs(r, &jdirs);
			free(*id);
			*id = NULL;
		}
		return failed;
	}
	return run_after_write(r, tx, x, &jdirs, id, err);
}

/* Parse an entry's manifest into changes (with their blobs). */
static int load_entry(struct path_root *r, const char *id, struct journal_tx *tx, struct journal_entry *e)
{
	_cleanup_free_ char *rel = entry_rel(id, "manifest"), *text = NULL, *undone = entry_rel(id, "undone");
	char *save = NULL, *line;
	struct stat st;
	int k;

	if (!rel || !undone)
		return -ENOMEM;
	if ((k = path_read_file(r, rel, 1u << 20, &text, NULL)) < 0)
		return k;
	if (!startswith(text, MANIFEST_MAGIC "\n"))
		return -EBADMSG;
	e->id = strdup(id);
	if (!e->id)
		return -ENOMEM;
	e->undone = path_lstat(r, undone, &st) == 0;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (startswith(line, "time ")) {
			free(e->time);
			e->time = strdup(line + 5);
		} else if (startswith(line, "command ")) {
			unescape(line + 8);
			free(e->command);
			e->command = strdup(line + 8);
		} else if (startswith(line, "exec ")) {
			char *undo = strchr(line + 5, ' ');
			if (!undo)
				return -EBADMSG;
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
			if (strv_push(&tx->dirs, line + 4) < 0)
				return -ENOMEM;
		} else if (startswith(line, "file ")) {
			size_t idx;
			int had, has, off = 0;
			unsigned bm, am;
			struct journal_change c = { 0 };
			if (sscanf(line, "file %zu %d %o %d %o %n", &idx, &had, &bm, &has, &am, &off) != 5 || !off)
				return -EBADMSG;
			unescape(line + off);
			c.path = strdup(line + off);
			c.before_mode = (mode_t)bm & 07777;
			c.after_mode = (mode_t)am & 07777;
			if (!c.path || strv_push(&e->paths, c.path) < 0 || GROW(tx->v, tx->alloc, tx->n + 1) < 0) {
				free(c.path);
				return -ENOMEM;
			}
			tx->v[tx->n++] = c;
			if (had) {
				_cleanup_free_ char *b = blob_name(idx, "before"), *br = b ? entry_rel(id, b) : NULL;
				if (!br || (k = path_read_file(r, br, 64u << 20, &tx->v[tx->n - 1].before, NULL)) < 0)
					return br ? k : -ENOMEM;
			}
			if (has) {
				_cleanup_free_ char *a = blob_name(idx, "after"), *ar = a ? entry_rel(id, a) : NULL;
				if (!ar || (k = path_read_file(r, ar, 64u << 20, &tx->v[tx->n - 1].after, NULL)) < 0)
					return ar ? k : -ENOMEM;
			}
		}
	}
	return 0;
}

static void entry_clear(struct journal_entry *e)
{
	free(e->id);
	free(e->time);
	free(e->command);
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

/* The files of an applied entry that no longer hold what it wrote. */
static int drift(struct path_root *r, const struct journal_tx *tx, struct strv *ret)
{
	for (size_t i = 0; i < tx->n; i++) {
		_cleanup_free_ char *now = NULL;
		const struct journal_change *c = &tx->v[i];
		int k = read_text(r, c->path, &now, NULL);
		if (k == -ENOMEM)
			return k;
		if (k < 0 || (!now) != (!c->after) || (now && !streq(now, c->after)))
			if (strv_push(ret, c->path) < 0)
				return -ENOMEM;
	}
	return 0;
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
		k = load_entry(r, ids.v[i], &tx, &e);
		if (k >= 0 && with_drift && !e.undone)
			k = drift(r, &tx, &e.drifted);
		journal_tx_free(&tx);
		if (k == -ENOMEM || (k >= 0 && GROW(v, alloc, cnt + 1) < 0)) {
			entry_clear(&e);
			journal_entries_free(v, cnt);
			strv_clear(&ids);
			return -ENOMEM;
		}
		if (k < 0) { /* not an entry, or a broken one: skipped */
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
				if (!v[j].undone && strv_contains(&v[j].paths, v[i].drifted.v[d])) {
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
 * away too, so they are undone first. */
static int newer_writers(struct path_root *r, const struct journal_entry *all, size_t n, const char *id,
			 const struct journal_tx *tx, struct strv *ret)
{
	size_t i = 0;

	while (i < n && !streq(all[i].id, id))
		i++;
	for (i++; i < n; i++) {
		struct journal_tx t = { 0 };
		struct journal_entry e = { 0 };
		int k = all[i].undone ? 0 : load_entry(r, all[i].id, &t, &e);
		for (size_t j = 0; k >= 0 && j < t.n; j++) {
			const struct journal_change *c = &t.v[j];
			bool changed = (!c->before) != (!c->after) || (c->before && !streq(c->before, c->after));
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

int journal_undo(struct path_root *r, const char *id, bool force, bool dry_run, struct journal_runner *x,
		 char **done_id, char **diff, char **err)
{
	_cleanup_(strv_clear) struct strv cmds = { 0 }, bad = { 0 }, later = { 0 };
	struct journal_entry *all = NULL, e = { 0 };
	struct journal_tx tx = { 0 }, back = { 0 };
	struct strv changed = { 0 };
	size_t n = 0;
	int k;

	*done_id = *diff = *err = NULL;
	if ((k = journal_list(r, false, &all, &n)) < 0)
		return k;
	if (!id)
		for (size_t i = n; i-- > 0 && !id;)
			if (!all[i].undone)
				id = all[i].id;
	if (!id) {
		journal_entries_free(all, n);
		*err = strdup("the journal has no entry to undo");
		return -ENOENT;
	}
	/* id may point into the list: keep a copy before freeing it. */
	*done_id = strdup(id);
	if (!*done_id) {
		journal_entries_free(all, n);
		return -ENOMEM;
	}
	id = *done_id;
	k = load_entry(r, id, &tx, &e);
	if (k < 0) {
		journal_entries_free(all, n);
		*err = k == -ENOENT ? strdupf("there is no journal entry %s", id) :
				      strdupf("journal entry %s cannot be read: %s", id, strerror(-k));
		goto out;
	}
	k = e.undone ? 0 : newer_writers(r, all, n, id, &tx, &later);
	journal_entries_free(all, n);
	if (k < 0)
		goto out;
	if (e.undone) {
		*err = strdupf("journal entry %s was undone already", id);
		k = -EALREADY;
		goto out;
	}
	if (later.n) {
		/* Not even with --force: that would drop a newer entry's change
		 * (another card's IDs) without a word. */
		_cleanup_free_ char *list = strv_join(&later, ", ");
		const char *first = later.v[later.n - 1];
		*err = strdupf("a newer journal entry changed the same files since and is not undone: %s; undo it first "
			       "('vfiokit undo %.*s'), then this one",
			       list ? list : "?", (int)strcspn(first, " "), first);
		k = -EBUSY;
		goto out;
	}
	/* What is there now must be what the entry wrote (a file that cannot
	 * be read fails below, where the undo reads it again). */
	if ((k = drift(r, &tx, &changed)) < 0)
		goto out;
	/* The undo, as a transaction of its own: each file back to before. */
	for (size_t i = tx.n; i-- > 0;)
		if ((k = journal_tx_add(&back, r, tx.v[i].path, tx.v[i].before, tx.v[i].before_mode)) < 0)
			goto out;
	*diff = journal_tx_diff(&back);
	if (!*diff) {
		k = -ENOMEM;
		goto out;
	}
	if (changed.n && !force) {
		_cleanup_free_ char *list = strv_join(&changed, ", /");
		*err = strdupf("changed since vfiokit wrote %s: /%s; undo would lose that (--force undoes anyway)",
			       changed.n > 1 ? "them" : "it", list ? list : "?");
		k = -ESTALE;
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
	for (size_t i = 0; i < back.n; i++) {
		const struct journal_change *c = &back.v[i];
		k = c->after ? path_write_file_atomic(r, c->path, c->after, c->after_mode) : path_unlink(r, c->path);
		if (k == -ENOENT && !c->after)
			k = 0;
		if (k < 0) {
			*err = strdupf("cannot restore /%s: %s (files before it in the entry are restored; run undo again "
				       "when it can be written)",
				       c->path, strerror(-k));
			goto out;
		}
	}
	/* The directories it made, innermost first, when nothing else is in them. */
	remove_dirs(r, &tx.dirs);
	{
		_cleanup_free_ char *u = entry_rel(id, "undone");
		k = u ? path_write_file_atomic(r, u, "", 0600) : -ENOMEM;
	}
	if (k < 0) {
		*err = strdupf("the files are back, but entry %s cannot be marked undone: %s", id, strerror(-k));
		goto out;
	}
	for (size_t i = 0; x && x->run && i < cmds.n; i++)
		if (run_one(x, cmds.v[i], &bad) == -ENOMEM && !bad.n) {
			k = -ENOMEM;
			goto out;
		}
	if (bad.n) {
		_cleanup_free_ char *why = strv_join(&bad, "; ");
		*err = strdupf("the files are back, but %s: run %s by hand", why ? why : "a command failed",
			       bad.n > 1 ? "them" : "it");
		k = -EIO;
	}
out:
	strv_clear(&changed);
	entry_clear(&e);
	journal_tx_free(&tx);
	journal_tx_free(&back);
	return k;
}
