/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <fcntl.h>

#include "host/log.h"
#include "apply/snapshot.h"

struct snap {
	struct host *h;
	int dest;
	const char *trimmed[4]; /* root-relative files written from the model, not copied */
	size_t ntrimmed;
};

/* Never copied: credentials, users' files, private keys, kernel memory. */
static const char *const denied[] = {
	"etc/shadow", "etc/gshadow", "etc/passwd", "etc/group", "etc/sudoers", "etc/ssh",
	"etc/ssl/private", "home", "root", "proc/kcore", "proc/self", "run/user", "var/log",
};

bool snapshot_denied(const char *rel)
{
	while (*rel == '/')
		rel++;
	/* Of the process's own files only the mount table, which tells which
	 * PCI device holds the root filesystem. */
	if (streq(rel, "proc/self") || streq(rel, "proc/self/mountinfo"))
		return false;
	/* Of the logs only libvirt's guest logs (QEMU's messages), which
	 * vfiokit doctor reads; other logs stay out. */
	if (streq(rel, "var/log") || streq(rel, "var/log/libvirt") || streq(rel, LOG_GUEST_DIR))
		return false;
	if (startswith(rel, LOG_GUEST_DIR "/") && endswith(rel, ".log") &&
	    !strchr(rel + strlen(LOG_GUEST_DIR "/"), '/') && rel[strlen(LOG_GUEST_DIR "/")] != '.')
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(denied); i++) {
		size_t n = strlen(denied[i]);
		if (strncmp(rel, denied[i], n) == 0 && (rel[n] == '\0' || rel[n] == '/'))
			return true;
	}
	return false;
}

/* Resolve "." and ".." lexically, clamping at the root, as RESOLVE_IN_ROOT does. */
static char *normalize(const char *path)
{
	_cleanup_free_ char *copy = strdup(path);
	char *out, *save = NULL, *tok;
	size_t len = 0;

	if (!copy)
		return NULL;
	out = calloc(1, strlen(path) + 1);
	if (!out)
		return NULL;
	for (tok = strtok_r(copy, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
		if (streq(tok, "."))
			continue;
		if (streq(tok, "..")) {
			char *slash = strrchr(out, '/');
			len = slash ? (size_t)(slash - out) : 0;
			out[len] = '\0';
			continue;
		}
		if (len)
			out[len++] = '/';
		len = (size_t)(stpcpy(out + len, tok) - out);
	}
	return out;
}

/* Open the directory that holds rel in dest, one component at a time and
 * never through a symlink: dest holds links recreated from the input (an
 * absolute link to a host file among them), and nothing vfiokit writes may
 * land at their targets. */
static int open_dest_parent(struct snap *s, const char *rel, const char **base)
{
	_cleanup_free_ char *copy = strdup(rel);
	char *p, *slash;
	int fd, k;

	if (!copy)
		return -ENOMEM;
	fd = dup(s->dest);
	if (fd < 0)
		return -errno;
	for (p = copy; (slash = strchr(p, '/')); p = slash + 1) {
		int next;

		*slash = '\0';
		if (!*p || streq(p, ".") || streq(p, "..")) {
			close(fd);
			return -EINVAL; /* walk() gives normalized paths only */
		}
		next = openat(fd, p, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		k = -errno;
		close(fd);
		if (next < 0)
			return k == -ELOOP ? -ENOTDIR : k;
		fd = next;
	}
	*base = rel + (p - copy);
	return fd;
}

static int copy_link(struct snap *s, const char *rel, char **target)
{
	const char *base;
	_cleanup_close_ int pfd = -1;
	int k = path_readlink(s->h->root, rel, target);

	if (k < 0)
		return k;
	pfd = open_dest_parent(s, rel, &base);
	if (pfd < 0 || (symlinkat(*target, pfd, base) < 0 && errno != EEXIST)) {
		k = pfd < 0 ? pfd : -errno;
		free(*target);
		*target = NULL;
		return k;
	}
	return 0;
}

static int make_dir(struct snap *s, const char *rel)
{
	const char *base;
	_cleanup_close_ int pfd = -1;

	if (!*rel)
		return 0;
	pfd = open_dest_parent(s, rel, &base);
	if (pfd < 0)
		return pfd;
	if (mkdirat(pfd, base, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* A placeholder is created only where nothing is; data replaces a file made
 * earlier in this copy. Either way O_NOFOLLOW: a link recreated from the
 * input is never written through. */
static int write_file(struct snap *s, const char *rel, const char *data, size_t len, bool placeholder)
{
	const char *base;
	_cleanup_close_ int pfd = -1, fd = -1;

	pfd = open_dest_parent(s, rel, &base);
	if (pfd < 0)
		return pfd;
	fd = openat(pfd, base, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | (placeholder ? O_EXCL : O_TRUNC),
		    0644);
	if (fd < 0)
		return placeholder && errno == EEXIST ? 0 : -errno;
	while (len > 0) {
		ssize_t n = write(fd, data, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		data += n;
		len -= (size_t)n;
	}
	return close(TAKE_FD(fd)) < 0 ? -errno : 0;
}

/* Walk rel through the source root, recreating on the way every directory
 * and symlink in dest. *out is rel with its symlinks resolved (the last one
 * only when follow_last). */
static int walk(struct snap *s, const char *rel, bool follow_last, char **out, int depth)
{
	_cleanup_free_ char *norm = normalize(rel);
	struct strv comp = { 0 };
	char *save = NULL, *tok, *cur = NULL;
	int k = 0;

	if (!norm)
		return -ENOMEM;
	if (depth > 40)
		return -ELOOP;
	for (tok = strtok_r(norm, "/", &save); tok; tok = strtok_r(NULL, "/", &save))
		if (strv_push(&comp, tok) < 0) {
			strv_clear(&comp);
			return -ENOMEM;
		}
	cur = strdup("");
	for (size_t i = 0; cur && i < comp.n; i++) {
		_cleanup_free_ char *path = *cur ? strdupf("%s/%s", cur, comp.v[i]) : strdup(comp.v[i]);
		bool last = i + 1 == comp.n;
		struct stat st;

		if (!path) {
			k = -ENOMEM;
			break;
		}
		if (snapshot_denied(path)) {
			k = -EPERM;
			break;
		}
		if ((k = path_lstat(s->h->root, path, &st)) < 0)
			break;
		if (S_ISLNK(st.st_mode)) {
			_cleanup_free_ char *target = NULL, *rest = NULL, *joined = NULL;
			struct strv tail = { .v = comp.v + i + 1, .n = comp.n - i - 1 };

			if ((k = copy_link(s, path, &target)) < 0)
				break;
			if (last && !follow_last) {
				free(cur);
				cur = TAKE_PTR(path);
				break;
			}
			/* Go on from the link's target, then the rest of rel. */
			rest = strv_join(&tail, "/");
			if (rest && target[0] == '/')
				joined = strdupf("%s/%s", target, rest);
			else if (rest)
				joined = *cur ? strdupf("%s/%s/%s", cur, target, rest) : strdupf("%s/%s", target, rest);
			if (!joined) {
				k = -ENOMEM;
				break;
			}
			free(cur);
			cur = NULL;
			strv_clear(&comp);
			return walk(s, joined, follow_last, out, depth + 1);
		}
		if (S_ISDIR(st.st_mode)) {
			if ((k = make_dir(s, path)) < 0)
				break;
		} else if (!last) {
			k = -ENOTDIR;
			break;
		}
		free(cur);
		cur = TAKE_PTR(path);
	}
	strv_clear(&comp);
	if (!cur)
		return -ENOMEM;
	if (k < 0) {
		free(cur);
		return k;
	}
	*out = cur;
	return 0;
}

static int copy_listing(struct snap *s, const char *dir)
{
	struct strv names = { 0 };
	int k = path_list(s->h->root, dir, &names);

	for (size_t i = 0; k == 0 && i < names.n; i++) {
		_cleanup_free_ char *rel = *dir ? strdupf("%s/%s", dir, names.v[i]) : strdup(names.v[i]);
		_cleanup_free_ char *target = NULL;
		struct stat st;

		if (!rel) {
			k = -ENOMEM;
			break;
		}
		if (snapshot_denied(rel) || path_lstat(s->h->root, rel, &st) < 0)
			continue;
		if (S_ISLNK(st.st_mode))
			k = copy_link(s, rel, &target);
		else if (S_ISDIR(st.st_mode))
			k = make_dir(s, rel);
		else
			k = write_file(s, rel, "", 0, true);
	}
	strv_clear(&names);
	return k;
}

static bool is_trimmed(const struct snap *s, const char *rel)
{
	for (size_t i = 0; i < s->ntrimmed; i++)
		if (streq(s->trimmed[i], rel))
			return true;
	return false;
}

static int replay(struct snap *s, const struct path_trace_entry *e)
{
	_cleanup_free_ char *real = NULL;
	struct stat st;
	int k;

	if (snapshot_denied(e->rel) || is_trimmed(s, e->rel))
		return 0;
	k = walk(s, e->rel, e->kind == PATH_TRACE_FILE || e->kind == PATH_TRACE_DIR, &real, 0);
	if (k == -ENOENT || k == -EPERM)
		return 0; /* gone since it was read, or leads somewhere denied */
	if (k < 0)
		return k;
	if (snapshot_denied(real))
		return 0;
	if (path_lstat(s->h->root, real, &st) < 0)
		return 0;
	switch (e->kind) {
	case PATH_TRACE_FILE:
		if (S_ISREG(st.st_mode)) {
			_cleanup_free_ char *data = NULL;
			_cleanup_free_ uint8_t *bin = NULL;
			size_t len;
			k = path_read_file(s->h->root, real, PATH_READ_MAX, &data, &len);
			/* Binary, as read: a PCI device's config space. */
			if (k == -EBADMSG && (k = path_read_binary(s->h->root, real, PATH_READ_MAX, &bin, &len)) == 0)
				return write_file(s, real, (const char *)bin, len, false);
			return k < 0 ? 0 : write_file(s, real, data, len, false);
		}
		return S_ISDIR(st.st_mode) ? 0 : write_file(s, real, "", 0, true);
	case PATH_TRACE_DIR:
		return S_ISDIR(st.st_mode) ? copy_listing(s, real) : 0;
	case PATH_TRACE_LINK:
		return 0; /* walk() copied it */
	case PATH_TRACE_EXISTS:
		if (S_ISLNK(st.st_mode) || S_ISDIR(st.st_mode))
			return 0;
		return write_file(s, real, "", 0, true);
	}
	return 0;
}

/* The lines of a module table vfiokit used. */
static char *table_text(const struct module_table *t)
{
	struct strv lines = { 0 };
	char *out;

	for (size_t i = 0; i < t->n; i++)
		if (t->e[i].used && strv_push(&lines, t->e[i].line) < 0) {
			strv_clear(&lines);
			return NULL;
		}
	if (strv_push(&lines, "") < 0) { /* final newline */
		strv_clear(&lines);
		return NULL;
	}
	out = lines.n > 1 ? strv_join(&lines, "\n") : strdup("");
	strv_clear(&lines);
	return out;
}

static bool have_vendor(const struct host *h, unsigned v)
{
	for (size_t i = 0; i < h->npci; i++)
		if (h->pci[i].vendor == v || (h->pci[i].has_subsys && h->pci[i].subvendor == v))
			return true;
	return false;
}

/* pci.ids lines for the devices present: vendors (also as subsystem
 * vendors), their devices and subsystems, and the classes in use. */
static char *pci_ids_text(const struct host *h, const char *full)
{
	struct strv out = { 0 };
	int vendor = -1, device = -1, klass = -1;
	bool in_class = false;
	char *res;

	for (const char *line = full; *line;) {
		const char *end = strchrnul(line, '\n');
		size_t len = (size_t)(end - line);
		unsigned a = 0, b = 0;
		bool keep = false;

		if (len == 0 || line[0] == '#') {
			/* blank or comment */
		} else if (line[0] == 'C' && line[1] == ' ' && sscanf(line + 2, "%2x", &a) == 1) {
			in_class = true;
			klass = -1;
			for (size_t i = 0; i < h->npci && klass < 0; i++)
				if (pci_base_class(&h->pci[i]) == a)
					klass = (int)a, keep = true;
		} else if (line[0] != '\t' && sscanf(line, "%4x", &a) == 1) {
			in_class = false;
			vendor = have_vendor(h, a) ? (int)a : -1;
			device = -1;
			keep = vendor >= 0;
		} else if (line[0] == '\t' && line[1] != '\t' && sscanf(line + 1, in_class ? "%2x" : "%4x", &a) == 1) {
			if (in_class) {
				for (size_t i = 0; klass >= 0 && i < h->npci && !keep; i++)
					keep = h->pci[i].class >> 8 == ((unsigned)klass << 8 | a);
			} else if (vendor >= 0) {
				device = -1;
				for (size_t i = 0; i < h->npci && device < 0; i++)
					if (h->pci[i].vendor == vendor && h->pci[i].device == a)
						device = (int)a;
				keep = device >= 0;
			}
		} else if (line[0] == '\t' && line[1] == '\t' && !in_class && device >= 0 &&
			   sscanf(line + 2, "%4x %4x", &a, &b) == 2) {
			for (size_t i = 0; i < h->npci && !keep; i++) {
				const struct pci_device *d = &h->pci[i];
				keep = d->vendor == vendor && d->device == device && d->has_subsys && d->subvendor == a &&
				       d->subdevice == b;
			}
		}
		if (keep && strv_push_take(&out, strndup(line, len)) < 0) {
			strv_clear(&out);
			return NULL;
		}
		line = *end ? end + 1 : end;
	}
	if (strv_push(&out, "") < 0) {
		strv_clear(&out);
		return NULL;
	}
	res = strv_join(&out, "\n");
	strv_clear(&out);
	return res;
}

static int write_trimmed_len(struct snap *s, const char *rel, const char *data, size_t len);

static int write_trimmed(struct snap *s, const char *rel, const char *data)
{
	return write_trimmed_len(s, rel, data, strlen(data));
}

static int write_trimmed_len(struct snap *s, const char *rel, const char *data, size_t len)
{
	_cleanup_free_ char *parent = strdup(rel), *real = NULL, *path = NULL;
	char *slash = parent ? strrchr(parent, '/') : NULL;
	int k;

	if (!parent)
		return -ENOMEM;
	if (!slash)
		return write_file(s, rel, data, len, false);
	*slash = '\0';
	k = walk(s, parent, true, &real, 0);
	if (k < 0)
		return k == -ENOENT ? 0 : k;
	path = strdupf("%s/%s", real, slash + 1);
	if (!path)
		return -ENOMEM;
	return write_file(s, path, data, len, false);
}

static int cmp_trace(const void *a, const void *b)
{
	const struct path_trace_entry *x = a, *y = b;
	int c = strcmp(x->rel, y->rel);

	return c ? c : (int)x->kind - (int)y->kind;
}

int snapshot_copy(struct host *h, const char *dest)
{
	const struct module_table *tables[] = { &h->kernel.aliases, &h->kernel.available, &h->kernel.builtin };
	struct snap s = { .h = h, .dest = -1 };
	const struct path_trace_entry *entries;
	struct path_trace_entry *sorted;
	size_t n;
	int k = 0;

	path_trace_enable(h->root, false);
	if (path_trace_lost(h->root))
		return -ENOMEM;
	entries = path_trace_entries(h->root, &n);
	sorted = malloc((n ? n : 1) * sizeof(*sorted));
	if (!sorted)
		return -ENOMEM;
	if (n)
		memcpy(sorted, entries, n * sizeof(*sorted));
	if (n > 1)
		qsort(sorted, n, sizeof(*sorted), cmp_trace);

	s.dest = open(dest, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s.dest < 0) {
		free(sorted);
		return -errno;
	}
	/* Files written from the model rather than copied. */
	if (h->pci_ids)
		s.trimmed[s.ntrimmed++] = h->pci_ids;
	for (size_t i = 0; i < ARRAY_SIZE(tables); i++)
		if (tables[i]->rel)
			s.trimmed[s.ntrimmed++] = tables[i]->rel;

	for (size_t i = 0; i < n && k >= 0; i++)
		if (i == 0 || cmp_trace(&sorted[i], &sorted[i - 1]) != 0)
			k = replay(&s, &sorted[i]);
	if (k < 0)
		goto out;
	if (h->pci_ids) {
		_cleanup_free_ char *full = NULL, *text = NULL;
		if (path_read_file(h->root, h->pci_ids, PATH_READ_MAX, &full, NULL) == 0) {
			text = pci_ids_text(h, full);
			k = text ? write_trimmed(&s, h->pci_ids, text) : -ENOMEM;
			if (k < 0)
				goto out;
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(tables); i++) {
		_cleanup_free_ char *text = NULL;
		if (!tables[i]->rel)
			continue;
		text = table_text(tables[i]);
		k = text ? write_trimmed(&s, tables[i]->rel, text) : -ENOMEM;
		if (k < 0)
			goto out;
	}
out:
	close(s.dest);
	free(sorted);
	return k;
}

int snapshot_pack(const char *dest, int out_fd, struct error *err)
{
	/* Plain options, so that busybox tar does as well as GNU tar. The
	 * archive goes to a file the caller created, never to a name tar
	 * would open (and follow, were it a planted link). */
	char *argv[] = { (char *)"tar", (char *)"-czf", (char *)"-", (char *)"-C", (char *)dest, (char *)".", NULL };

	return spawn_wait_stdout(argv, out_fd, err);
}

/* One log: its last SNAPSHOT_LOG_MAX bytes, as a regular file. */
static int copy_log(struct snap *s, const char *rel, struct strv *notes)
{
	_cleanup_free_ char *data = NULL, *real = NULL;
	size_t len = 0;
	bool cut;
	int k;

	if (snapshot_denied(rel))
		return 0;
	/* A link on the way would bring another file under a log's name,
	 * past the deny list: only a path without one is taken. */
	k = path_resolve(s->h->root, rel, &real, NULL);
	if (k == -ENOMEM)
		return k;
	if (k == 0 && !streq(real, rel))
		return strv_push_take(notes, strdupf("/%s: a symbolic link (to /%s): not in the snapshot", rel, real));
	k = log_read_tail(s->h->root, rel, SNAPSHOT_LOG_MAX, &data, &len, &cut);
	if (k == -ENOMEM)
		return k;
	if (k == -ENOENT)
		return 0;
	if (k < 0)
		return strv_push_take(notes, strdupf("/%s: %s: not in the snapshot", rel, path_strerror(k)));
	if (cut && strv_push_take(notes, strdupf("/%s: longer than %u MiB: its last %u MiB taken", rel,
						 SNAPSHOT_LOG_MAX >> 20, SNAPSHOT_LOG_MAX >> 20)) < 0)
		return -ENOMEM;
	return write_trimmed_len(s, rel, data, len);
}

int snapshot_copy_logs(struct host *h, const char *dest, struct strv *notes)
{
	struct snap s = { .h = h, .dest = open(dest, O_RDONLY | O_DIRECTORY | O_CLOEXEC) };
	struct strv names = { 0 };
	int k;

	if (s.dest < 0)
		return -errno;
	k = copy_log(&s, LOG_KERNEL_REL, notes);
	if (k == 0) {
		int l = path_list(h->root, LOG_GUEST_DIR, &names);
		if (l == -ENOMEM)
			k = l;
		for (size_t i = 0; l == 0 && k == 0 && i < names.n; i++) {
			_cleanup_free_ char *rel = strdupf("%s/%s", LOG_GUEST_DIR, names.v[i]);
			k = rel ? copy_log(&s, rel, notes) : -ENOMEM;
		}
	}
	strv_clear(&names);
	close(s.dest);
	return k;
}
