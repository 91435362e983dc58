/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <ctype.h>

#include "plan/confedit.h"
#include "shared/macro.h"

/* The name part of a parameter: "intel_iommu" of "intel_iommu=on". */
static size_t key_len(const char *p, size_t len)
{
	const char *eq = memchr(p, '=', len);

	return eq ? (size_t)(eq - p) : len;
}

/* Parameter names as the kernel compares them (parameq()): - and _ alike. */
static bool key_eq(const char *a, const char *b, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (a[i] != b[i] && !((a[i] == '-' || a[i] == '_') && (b[i] == '-' || b[i] == '_')))
			return false;
	return true;
}

static bool sep(const char *v, size_t i, size_t len)
{
	return isspace((unsigned char)v[i]) || (v[i] == '\\' && i + 1 < len && v[i + 1] == '\n');
}

/* A string that grows as it is written; oom once an allocation failed. */
struct buf {
	char *p;
	size_t n, cap;
	bool oom;
};

static void buf_put(struct buf *b, const char *s, size_t len)
{
	if (b->oom)
		return;
	if (len + 1 > b->cap - b->n || !b->p) {
		size_t cap = MAX(b->cap * 2, b->n + len + 64);
		char *p = realloc(b->p, cap);
		if (!p) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, len);
	b->n += len;
	b->p[b->n] = '\0';
}

/* The text, or NULL (freed) when it ran out of memory. */
static char *buf_take(struct buf *b)
{
	if (!b->oom && !b->p)
		buf_put(b, "", 0);
	if (b->oom) {
		free(b->p);
		return NULL;
	}
	return b->p;
}

bool cmdline_param_same_name(const char *a, const char *b)
{
	size_t kl = key_len(a, strlen(a));

	return kl == key_len(b, strlen(b)) && key_eq(a, b, kl);
}

int cmdline_edits_add(struct cmdline_edits *e, enum cmdline_op op, const char *token)
{
	if (GROW(e->v, e->alloc, e->n + 1) < 0)
		return -ENOMEM;
	e->v[e->n++] = (struct cmdline_edit){ op, token };
	return 0;
}

void cmdline_edits_clear(struct cmdline_edits *e)
{
	free(e->v);
	*e = (struct cmdline_edits){ 0 };
}

/* 1, 0, or -1 for a value that is neither (or not only) as written here. */
static int bool_value(const char *v, size_t len)
{
	return len != 1 ? -1 : strchr("1yY", *v) ? 1 : strchr("0nN", *v) ? 0 : -1;
}

bool cmdline_bool_same(const char *a, size_t alen, const char *b)
{
	size_t bl = strlen(b), ka = key_len(a, alen), kb = key_len(b, bl);
	int va = ka < alen ? bool_value(a + ka + 1, alen - ka - 1) : -1;

	return ka == kb && key_eq(a, b, ka) && va >= 0 && kb < bl && va == bool_value(b + kb + 1, bl - kb - 1);
}

/* Whether the byte at i of s follows an odd run of backslashes: in sh's
 * double quotes the blank of "a \ x" is all that keeps the backslash from
 * the closing quote once x is taken out, so it stays. */
static bool escaped(const char *s, size_t i)
{
	size_t n = 0;

	while (n < i && s[i - 1 - n] == '\\')
		n++;
	return n % 2;
}

/* value (without quotes) with params merged in, in place: every byte kept
 * (spacing, continuation lines), the first token of the same name replaced
 * by the parameter and any later one removed (the kernel would take the
 * last: one occurrence leaves no doubt), the new ones appended. A removal
 * takes that exact token (with the blank before it) and is never appended. */
static char *merge(const char *value, size_t vlen, const struct cmdline_edits *params, bool drop)
{
	_cleanup_free_ bool *used = calloc(params->n ? params->n : 1, sizeof(bool));
	struct buf b = { 0 };
	size_t i = 0;

	if (!used)
		return NULL;
	while (i < vlen) {
		size_t s, kl, j, n = params->n;
		if (sep(value, i, vlen)) {
			buf_put(&b, value + i++, 1);
			continue;
		}
		s = i;
		while (i < vlen && !sep(value, i, vlen))
			i++;
		kl = key_len(value + s, i - s);
		for (j = 0; j < params->n && n == params->n; j++) {
			const char *p = params->v[j].token;
			if (params->v[j].op == CMDLINE_REMOVE ? strlen(p) == i - s && strncmp(p, value + s, i - s) == 0 :
								key_len(p, strlen(p)) == kl && key_eq(p, value + s, kl))
				n = j;
		}
		if (n < params->n && (params->v[n].op == CMDLINE_REMOVE || used[n] || drop)) {
			if (b.n && (b.p[b.n - 1] == ' ' || b.p[b.n - 1] == '\t') && !escaped(b.p, b.n - 1))
				b.p[--b.n] = '\0'; /* the blank before it goes too */
			else
				while (i < vlen && (value[i] == ' ' || value[i] == '\t'))
					i++; /* first word: the blank after it */
		} else if (n < params->n) {
			/* A bool of the same meaning (ignore_msrs=Y) stays as written. */
			if (params->v[n].op == CMDLINE_SET_BOOL && cmdline_bool_same(value + s, i - s, params->v[n].token))
				buf_put(&b, value + s, i - s);
			else
				buf_put(&b, params->v[n].token, strlen(params->v[n].token));
			used[n] = true;
		} else
			buf_put(&b, value + s, i - s);
	}
	for (size_t j = 0; j < params->n && !drop; j++)
		if (!used[j] && params->v[j].op != CMDLINE_REMOVE) {
			if (b.n && !isspace((unsigned char)b.p[b.n - 1]))
				buf_put(&b, " ", 1);
			buf_put(&b, params->v[j].token, strlen(params->v[j].token));
		}
	return buf_take(&b);
}

/* What to put between a shell file's text and a line appended to it: a
 * newline where the text does not end with one, and one more where its
 * last line ends with a backslash (a continuation would take the new line). */
static const char *sh_line_sep(const char *text)
{
	size_t tl = strlen(text);
	bool nl = tl && text[tl - 1] == '\n', cont = tl > (size_t)nl && text[tl - 1 - nl] == '\\';

	return cont ? (nl ? "\n" : "\n\n") : (tl && !nl) ? "\n" : "";
}

/* The value of an assignment whose text after KEY= is [v, end): "...",
 * '...' or a bare word, up to a comment or the end; its quote (0: none).
 * -EINVAL: no closing quote; -EBADMSG: a bare word with quotes or escapes
 * inside, sh that only a shell reads right. */
static int sh_value(const char *v, const char *end, const char **vs, const char **ve, char *quote)
{
	const char *e;

	*quote = 0;
	if (*v == '"' || *v == '\'') {
		*quote = *v;
		e = v + 1;
		while (e < end && *e != *quote) {
			if (*quote == '"' && *e == '\\' && e + 1 < end)
				e++;
			e++;
		}
		if (e >= end)
			return -EINVAL;
		*vs = v + 1;
		*ve = e;
		return 0;
	}
	e = v;
	while (e < end && !isspace((unsigned char)*e))
		e++;
	for (const char *c = v; c < e; c++)
		if (*c == '"' || *c == '\'' || *c == '\\')
			return -EBADMSG;
	*vs = v;
	*ve = e;
	return 0;
}

/* The first word of [v, v + len) (blanks and quotes part words) that an
 * edit of params would change: a parameter of one's name with another
 * value, a removal's token. NULL: none. */
static const char *touched_word(const char *v, size_t len, const struct cmdline_edits *params, size_t *wlen)
{
	for (size_t i = 0, s; i < len;) {
		while (i < len && (sep(v, i, len) || v[i] == '"' || v[i] == '\''))
			i++;
		s = i;
		while (i < len && !sep(v, i, len) && v[i] != '"' && v[i] != '\'')
			i++;
		for (size_t j = 0; j < params->n && i > s; j++) {
			const struct cmdline_edit *e = &params->v[j];
			size_t kl = key_len(v + s, i - s);
			bool same = strlen(e->token) == i - s && strncmp(e->token, v + s, i - s) == 0,
			     named = key_len(e->token, strlen(e->token)) == kl && key_eq(e->token, v + s, kl);
			if (e->op == CMDLINE_REMOVE ? same :
			    named && !same && !(e->op == CMDLINE_SET_BOOL && cmdline_bool_same(v + s, i - s, e->token))) {
				*wlen = i - s;
				return v + s;
			}
		}
	}
	return NULL;
}

static int shell_var_edit(const char *text, const char *key, const struct cmdline_edits *params, bool drop, char **ret,
			  char **problem)
{
	size_t klen = strlen(key), line = 0, at_line = 0, earlier_line = 0, earlier_len = 0;
	const char *start = NULL, *vstart = NULL, *vend = NULL, *end = NULL, *earlier = NULL;
	char quote = 0;
	int k;

	*ret = *problem = NULL;
	/* The last assignment wins in sh: find it (continuation lines joined). */
	for (const char *p = text; *p;) {
		const char *l = p, *q;
		size_t ln = ++line;
		/* This line and its continuations. */
		q = l;
		while (*q && *q != '\n') {
			if (*q == '\\' && q[1] == '\n') {
				q += 2;
				line++;
				continue;
			}
			q++;
		}
		{
			const char *s = l;
			while (*s == ' ' || *s == '\t')
				s++;
			/* export KEY=... assigns too. */
			if (startswith(s, "export") && (s[6] == ' ' || s[6] == '\t'))
				for (s += 6; *s == ' ' || *s == '\t'; s++)
					;
			if (strncmp(s, key, klen) == 0 && s[klen] == '=') {
				/* An earlier assignment with a parameter the edits touch:
				 * which one reaches the kernel is up to sh (see below). */
				const char *vs = vstart, *ve = end;
				char qu;
				if (start && !earlier && sh_value(vstart, end, &vs, &ve, &qu) < 0) {
					vs = vstart;
					ve = end;
				}
				if (start && !earlier && (earlier = touched_word(vs, (size_t)(ve - vs), params, &earlier_len)))
					earlier_line = at_line;
				start = l;
				at_line = ln;
				vstart = s + klen + 1;
				end = q;
			}
		}
		p = *q ? q + 1 : q;
	}
	if (!start) {
		_cleanup_free_ char *v = merge("", 0, params, drop);
		if (!v)
			return -ENOMEM;
		*ret = !*v ? strdup(text) : /* only removals, and nothing to remove them from */
			     strdupf("%s%s%s=\"%s\"\n", text, sh_line_sep(text), key, v);
		return *ret ? 0 : -ENOMEM;
	}
	/* Two assignments, the earlier with isolcpus=2-5: sh runs the file,
	 * and the earlier value reaches the kernel, first (the kernel keeps
	 * the first isolcpus=), where the last takes it in ($KEY), or alone
	 * where an if skips the last. Editing either one is a guess. */
	if (earlier) {
		*problem = strdupf("lines %zu and %zu both assign %s, and line %zu has %.*s (a later $%s, or an if, "
				   "may pass it on): left untouched; keep one assignment", earlier_line, at_line, key,
				   earlier_line, (int)earlier_len, earlier, key);
		return *problem ? -EINVAL : -ENOMEM;
	}
	k = sh_value(vstart, end, &vstart, &vend, &quote);
	if (k == -EINVAL)
		*problem = strdupf("line %zu: the value of %s has no closing %c: left untouched", at_line, key, quote);
	else if (k < 0)
		*problem = strdupf("line %zu: the value of %s mixes quotes or escapes into a bare word: left untouched",
				   at_line, key);
	if (k < 0)
		return *problem ? -EINVAL : -ENOMEM;
	if (quote != '\'' && (memmem(vstart, (size_t)(vend - vstart), "$(", 2) ||
			       memchr(vstart, '`', (size_t)(vend - vstart)))) {
		*problem = strdupf("line %zu: the value of %s runs a command: left untouched; add the parameters by hand",
				   at_line, key);
		return *problem ? -EINVAL : -ENOMEM;
	}
	{
		_cleanup_free_ char *v = merge(vstart, (size_t)(vend - vstart), params, drop);
		const char *q = quote == '\'' ? "'" : "\"";
		if (!v)
			return -ENOMEM;
		/* Quoted again with the same quotes (double when there were none). */
		*ret = strdupf("%.*s%s%s%s%s", (int)(vstart - (quote ? 1 : 0) - text), text, q, v, q,
			       vend + (quote ? 1 : 0));
	}
	return *ret ? 0 : -ENOMEM;
}

int shell_var_add_params(const char *text, const char *key, const struct cmdline_edits *params, char **ret, char **problem)
{
	return shell_var_edit(text, key, params, false, ret, problem);
}

int shell_var_drop_params(const char *text, const char *key, const struct cmdline_edits *params, char **ret, char **problem)
{
	return shell_var_edit(text, key, params, true, ret, problem);
}

int cmdline_file_add_params(const char *text, const struct cmdline_edits *params, char **ret)
{
	size_t len = strcspn(text, "\n");
	_cleanup_free_ char *v = merge(text, len, params, false);

	if (!v)
		return -ENOMEM;
	*ret = strdupf("%s\n%s", v, text[len] ? text + len + 1 : "");
	return *ret ? 0 : -ENOMEM;
}

char *list_file_add(const char *text, const struct strv *items)
{
	struct strv add = { 0 };
	size_t tl = strlen(text);
	char *out = NULL;

	for (size_t i = 0; i < items->n; i++) {
		bool there = false;
		size_t il = strlen(items->v[i]);
		for (const char *p = text; *p && !there;) {
			const char *s = p, *e = strchr(p, '\n');
			while (*s == ' ' || *s == '\t')
				s++;
			there = strncmp(s, items->v[i], il) == 0 && (s[il] == '\0' || isspace((unsigned char)s[il]));
			p = e ? e + 1 : p + strlen(p);
		}
		if (!there && strv_push(&add, items->v[i]) < 0) {
			strv_clear(&add);
			return NULL;
		}
	}
	{
		_cleanup_free_ char *joined = strv_join(&add, "\n");
		if (joined)
			out = add.n ? strdupf("%s%s%s\n", text, tl && text[tl - 1] != '\n' ? "\n" : "", joined) : strdup(text);
	}
	strv_clear(&add);
	return out;
}

/* Lines: [s, e) of the line holding p. */
static const char *line_end(const char *p)
{
	const char *e = strchr(p, '\n');

	return e ? e : p + strlen(p);
}

static size_t line_number(const char *text, const char *at)
{
	size_t n = 1;

	for (const char *p = text; p < at; p++)
		n += *p == '\n';
	return n;
}

/* The last KEY=( ... ) of a bash file, not in a comment: [*assign, *close]
 * with the items between *open and *close. -ENOENT when there is none;
 * -EINVAL when it cannot be read safely (quotes, $, `, # or no closing ). */
static int array_find(const char *text, const char *key, const char **assign, const char **open, const char **close,
		      char **problem)
{
	size_t klen = strlen(key);

	*assign = NULL;
	for (const char *p = text; *p; p = next_line(p)) {
		const char *s = p;
		while (*s == ' ' || *s == '\t')
			s++;
		if (strncmp(s, key, klen) == 0 && s[klen] == '=' && s[klen + 1] == '(')
			*assign = s;
	}
	if (!*assign)
		return -ENOENT;
	*open = *assign + klen + 1;
	for (*close = *open + 1; **close && **close != ')'; (*close)++)
		if (strchr("\"'$`#\\(=", **close)) {
			*problem = strdupf("line %zu: %s=(...) holds quotes, a comment, an expansion or another "
					   "assignment: left untouched",
					   line_number(text, *assign), key);
			return *problem ? -EINVAL : -ENOMEM;
		}
	if (!**close) {
		*problem = strdupf("line %zu: %s=( has no closing ): left untouched", line_number(text, *assign), key);
		return *problem ? -EINVAL : -ENOMEM;
	}
	return 0;
}

static int array_items(const char *open, const char *close, struct strv *ret)
{
	for (const char *p = open + 1; p < close;) {
		const char *s;
		while (p < close && isspace((unsigned char)*p))
			p++;
		s = p;
		while (p < close && !isspace((unsigned char)*p))
			p++;
		if (p > s && strv_push_take(ret, strndup(s, (size_t)(p - s))) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* text with [from, to) replaced by KEY=(items). */
static char *array_replace(const char *text, const char *from, const char *to, const char *key, const struct strv *items)
{
	_cleanup_free_ char *j = strv_join(items, " ");

	return j ? strdupf("%.*s%s=(%s)%s", (int)(from - text), text, key, j, to) : NULL;
}

static bool is_kms(const char *m)
{
	static const char *const kms[] = { "amdgpu", "radeon", "nouveau", "nvidia", "nvidia_modeset", "nvidia_uvm",
					   "nvidia_drm", "i915", "xe", NULL };

	for (size_t i = 0; kms[i]; i++)
		if (streq(m, kms[i]))
			return true;
	return false;
}

/* One array of mkinitcpio.conf: mode 'M' puts items first, before any KMS
 * driver (the order is rebuilt only when it is wrong); 'H' adds the modconf
 * hook after autodetect (or udev, systemd, base); 'F' appends. */
static int mkinitcpio_array(char **text, const char *key, const struct strv *add, char mode, char **problem)
{
	const char *assign, *open, *close;
	struct strv items = { 0 }, out = { 0 };
	bool need = false;
	char *n = NULL;
	int k = array_find(*text, key, &assign, &open, &close, problem);

	if (k == -ENOENT) {
		_cleanup_free_ char *j = strv_join(add, " ");
		if (mode == 'H')
			return 0; /* no HOOKS at all: mkinitcpio's own default has modconf */
		n = j ? strdupf("%s%s%s=(%s)\n", *text, sh_line_sep(*text), key, j) : NULL;
		goto done;
	}
	if (k < 0)
		return k;
	if (array_items(open, close, &items) < 0)
		goto oom;
	if (mode == 'M') {
		bool kms_seen = false;
		for (size_t i = 0; i < add->n; i++)
			need |= !strv_contains(&items, add->v[i]);
		for (size_t i = 0; i < items.n && !need; i++) {
			kms_seen |= is_kms(items.v[i]);
			need = kms_seen && strv_contains(add, items.v[i]);
		}
		if (need) {
			for (size_t i = 0; i < add->n; i++)
				if (strv_push(&out, add->v[i]) < 0)
					goto oom;
			for (size_t i = 0; i < items.n; i++)
				if (!strv_contains(add, items.v[i]) && strv_push(&out, items.v[i]) < 0)
					goto oom;
		}
	} else {
		size_t at = items.n;
		if (mode == 'H') {
			static const char *const anchors[] = { "autodetect", "udev", "systemd", "base" };
			at = 0;
			for (size_t a = 0; a < ARRAY_SIZE(anchors) && !at; a++)
				for (size_t i = 0; i < items.n; i++)
					if (streq(items.v[i], anchors[a]))
						at = i + 1;
		}
		for (size_t i = 0; i < items.n || i == at; i++) {
			if (i == at)
				for (size_t j = 0; j < add->n; j++)
					if (!strv_contains(&items, add->v[j])) {
						need = true;
						if (strv_push(&out, add->v[j]) < 0)
							goto oom;
					}
			if (i < items.n && strv_push(&out, items.v[i]) < 0)
				goto oom;
		}
	}
	if (!need) {
		strv_clear(&items);
		strv_clear(&out);
		return 0;
	}
	n = array_replace(*text, assign, close + 1, key, &out);
done:
	strv_clear(&items);
	strv_clear(&out);
	if (!n)
		return -ENOMEM;
	free(*text);
	*text = n;
	return 0;
oom:
	strv_clear(&items);
	strv_clear(&out);
	return -ENOMEM;
}

int mkinitcpio_conf_edit(const char *text, const struct strv *modules, const struct strv *files, char **ret,
			 char **problem)
{
	struct strv modconf = { 0 };
	char *t = strdup(text);
	int k;

	*ret = *problem = NULL;
	if (!t || strv_push(&modconf, "modconf") < 0) {
		free(t);
		strv_clear(&modconf);
		return -ENOMEM;
	}
	/* Every array readable before any is edited. */
	for (const char *const *key = (const char *const[]){ "MODULES", "HOOKS", "FILES", NULL }; *key; key++) {
		const char *a, *o, *c;
		if ((k = array_find(text, *key, &a, &o, &c, problem)) < 0 && k != -ENOENT) {
			free(t);
			strv_clear(&modconf);
			return k;
		}
	}
	k = mkinitcpio_array(&t, "MODULES", modules, 'M', problem);
	if (k >= 0)
		k = mkinitcpio_array(&t, "HOOKS", &modconf, 'H', problem);
	if (k >= 0 && files && files->n)
		k = mkinitcpio_array(&t, "FILES", files, 'F', problem);
	strv_clear(&modconf);
	if (k < 0) {
		free(t);
		return k;
	}
	*ret = t;
	return 0;
}

int booster_yaml_edit(const char *text, const struct strv *modules, char **ret, char **problem)
{
	static const char key[] = "modules_force_load:";
	const char *at = NULL, *v, *e;
	struct strv items = { 0 }, out = { 0 };
	_cleanup_free_ char *j = NULL;
	bool need = false;
	int k = -ENOMEM;

	*ret = *problem = NULL;
	for (const char *p = text; *p; p = next_line(p))
		if (startswith(p, key))
			at = p;
	if (!at) {
		size_t tl = strlen(text);
		j = strv_join(modules, ",");
		*ret = j ? strdupf("%s%s%s %s\n", text, tl && text[tl - 1] != '\n' ? "\n" : "", key, j) : NULL;
		return *ret ? 0 : -ENOMEM;
	}
	v = at + sizeof(key) - 1;
	e = line_end(v);
	while (v < e && (*v == ' ' || *v == '\t'))
		v++;
	while (e > v && isspace((unsigned char)e[-1]))
		e--;
	/* A plain comma-separated scalar: anything else (a list, quotes, a
	 * comment, a block) is not edited. */
	if (v == e || memchr(v, '#', (size_t)(e - v)) || strchr("[{\"'|>&*!", *v)) {
		*problem = strdupf("line %zu: modules_force_load is not a plain comma-separated list: left untouched",
				   line_number(text, at));
		return *problem ? -EINVAL : -ENOMEM;
	}
	for (const char *p = v; p < e;) {
		const char *s = p, *c = memchr(p, ',', (size_t)(e - p)), *w = c ? c : e;
		const char *te = w;
		while (s < te && isspace((unsigned char)*s))
			s++;
		while (te > s && isspace((unsigned char)te[-1]))
			te--;
		if (te > s && strv_push_take(&items, strndup(s, (size_t)(te - s))) < 0)
			goto out;
		p = c ? c + 1 : e;
	}
	for (size_t i = 0; i < modules->n; i++)
		if (!strv_contains(&items, modules->v[i])) {
			need = true;
			if (strv_push(&out, modules->v[i]) < 0)
				goto out;
		}
	if (!need) {
		*ret = strdup(text);
		k = *ret ? 0 : -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < items.n; i++)
		if (strv_push(&out, items.v[i]) < 0)
			goto out;
	j = strv_join(&out, ",");
	*ret = j ? strdupf("%.*s%s", (int)(v - text), text, j) : NULL;
	if (*ret) {
		char *full = strdupf("%s%s", *ret, e);
		free(*ret);
		*ret = full;
	}
	k = *ret ? 0 : -ENOMEM;
out:
	strv_clear(&items);
	strv_clear(&out);
	return k;
}

struct span {
	const char *s, *e;
};

/* Whether the value [v, v+len) has a parameter named as param's name. */
static bool has_key(const char *v, size_t len, const char *param)
{
	size_t pk = key_len(param, strlen(param));

	for (size_t i = 0; i < len;) {
		size_t s;
		while (i < len && sep(v, i, len))
			i++;
		s = i;
		while (i < len && !sep(v, i, len))
			i++;
		if (i > s && key_len(v + s, i - s) == pk && key_eq(v + s, param, pk))
			return true;
	}
	return false;
}

/* text with each value span merged with params: every span gets all of
 * them (each is a boot entry of its own), or (one_entry) a parameter
 * already in some span is replaced there and the others go to the last. */
static char *merge_spans(const char *text, const struct span *sp, size_t n, const struct cmdline_edits *params,
			 bool one_entry)
{
	struct strv parts = { 0 };
	const char *at = text;
	char *out = NULL;

	for (size_t i = 0; i < n; i++) {
		struct cmdline_edits use = { 0 };
		char *m;
		for (size_t j = 0; j < params->n; j++) {
			const struct cmdline_edit *e = &params->v[j];
			bool here = e->op == CMDLINE_REMOVE || has_key(sp[i].s, (size_t)(sp[i].e - sp[i].s), e->token),
			     anywhere = here;
			for (size_t o = 0; o < n && !anywhere; o++)
				anywhere = has_key(sp[o].s, (size_t)(sp[o].e - sp[o].s), e->token);
			if ((!one_entry || here || (!anywhere && i == n - 1)) && cmdline_edits_add(&use, e->op, e->token) < 0) {
				cmdline_edits_clear(&use);
				goto out;
			}
		}
		m = merge(sp[i].s, (size_t)(sp[i].e - sp[i].s), &use, false);
		cmdline_edits_clear(&use);
		if (strv_push_take(&parts, strndup(at, (size_t)(sp[i].s - at))) < 0 || strv_push_take(&parts, m) < 0)
			goto out;
		at = sp[i].e;
	}
	if (strv_push(&parts, at) == 0)
		out = strv_join(&parts, "");
out:
	strv_clear(&parts);
	return out;
}

#define MAX_SPANS 256

/* The values of the lines starting (after blanks) with one of keys. */
static size_t key_spans(const char *text, const char *const *keys, struct span *sp)
{
	size_t n = 0;

	for (const char *p = text; *p && n < MAX_SPANS; p = next_line(p)) {
		const char *s = p, *e = line_end(p);
		while (*s == ' ' || *s == '\t')
			s++;
		for (size_t k = 0; keys[k]; k++)
			if (startswith(s, keys[k])) {
				s += strlen(keys[k]);
				while (s < e && (*s == ' ' || *s == '\t'))
					s++;
				while (e > s && isspace((unsigned char)e[-1]))
					e--;
				sp[n++] = (struct span){ s, e };
				break;
			}
	}
	return n;
}

int bls_entry_add_params(const char *text, const struct cmdline_edits *params, char **ret)
{
	static const char *const keys[] = { "options ", "options\t", NULL };
	struct span sp[MAX_SPANS];
	size_t n = key_spans(text, keys, sp);

	*ret = NULL;
	for (size_t i = 0; i < n; i++)
		if (memchr(sp[i].s, '$', (size_t)(sp[i].e - sp[i].s)))
			return -EINVAL; /* $kernelopts: GRUB's environment holds the options */
	if (!n) {
		_cleanup_free_ char *j = merge("", 0, params, false);
		size_t tl = strlen(text);
		*ret = !j ? NULL : !*j ? strdup(text) : strdupf("%s%soptions %s\n", text, tl && text[tl - 1] != '\n' ? "\n" : "", j);
	} else
		*ret = merge_spans(text, sp, n, params, true);
	return *ret ? 0 : -ENOMEM;
}

int limine_conf_add_params(const char *text, const struct cmdline_edits *params, char **ret)
{
	static const char *const keys[] = { "cmdline:", "kernel_cmdline:", "CMDLINE=", "KERNEL_CMDLINE=", NULL };
	struct span sp[MAX_SPANS];
	size_t n = key_spans(text, keys, sp);

	*ret = n ? merge_spans(text, sp, n, params, false) : NULL;
	return !n ? -ENOENT : *ret ? 0 : -ENOMEM;
}

int refind_conf_add_params(const char *text, const struct cmdline_edits *params, char **ret, char **problem)
{
	struct span sp[MAX_SPANS];
	size_t n = 0;

	*ret = *problem = NULL;
	for (const char *p = text; *p && n < MAX_SPANS; p = next_line(p)) {
		const char *s = p, *e = line_end(p), *q1, *q2, *q3;
		while (s < e && (*s == ' ' || *s == '\t'))
			s++;
		if (s == e || *s == '#')
			continue;
		/* "title" "options": the second quoted string. */
		q1 = *s == '"' ? memchr(s + 1, '"', (size_t)(e - s - 1)) : NULL;
		q2 = q1 ? memchr(q1 + 1, '"', (size_t)(e - q1 - 1)) : NULL;
		q3 = q2 ? memchr(q2 + 1, '"', (size_t)(e - q2 - 1)) : NULL;
		if (!q3) {
			*problem = strdupf("line %zu is not \"title\" \"options\": left untouched", line_number(text, p));
			return *problem ? -EINVAL : -ENOMEM;
		}
		sp[n++] = (struct span){ q2 + 1, q3 };
	}
	if (!n)
		return -ENOENT;
	*ret = merge_spans(text, sp, n, params, false);
	return *ret ? 0 : -ENOMEM;
}

/* Module names as modprobe compares them: - and _ alike. */
static bool module_eq(const struct span *w, const char *name)
{
	return (size_t)(w->e - w->s) == strlen(name) && key_eq(w->s, name, strlen(name));
}

static bool word_is(const struct span *w, const char *word)
{
	return (size_t)(w->e - w->s) == strlen(word) && strncmp(w->s, word, strlen(word)) == 0;
}

/* The words of the line [s, e), at most max. */
static size_t line_words(const char *s, const char *e, struct span *w, size_t max)
{
	size_t n = 0;

	while (s < e && n < max) {
		while (s < e && isspace((unsigned char)*s))
			s++;
		if (s == e)
			break;
		w[n].s = s;
		while (s < e && !isspace((unsigned char)*s))
			s++;
		w[n++].e = s;
	}
	return n;
}

/* Whether a softdep line [w, w + n) loads vfio-pci before module m. */
static bool softdep_has(const struct span *w, size_t n, const char *m)
{
	bool pre = false;

	if (n < 4 || !word_is(&w[0], "softdep") || !module_eq(&w[1], m))
		return false;
	for (size_t i = 2; i < n; i++) {
		if (word_is(&w[i], "pre:"))
			pre = true;
		else if (word_is(&w[i], "post:"))
			pre = false;
		else if (pre && module_eq(&w[i], "vfio_pci"))
			return true;
	}
	return false;
}

int modprobe_vfio_edit(const char *text, const char *header, const struct strv *ids, const char *install,
		       const struct strv *softdeps, char **ret, char **problem)
{
	_cleanup_(strv_clear) struct strv have = { 0 }, all = { 0 };
	_cleanup_free_ char *joined = NULL;
	const struct span *idw = NULL;
	struct span w[64], found = { 0 };
	bool install_there = !install;
	struct buf b = { 0 };
	size_t tl;

	*ret = *problem = NULL;
	text = text ? text : "";
	tl = strlen(text);
	for (const char *p = text; *p; p = next_line(p)) {
		const char *e = line_end(p);
		size_t n = line_words(p, e, w, ARRAY_SIZE(w));
		if (!n || *w[0].s == '#')
			continue;
		if (!idw && n >= 3 && word_is(&w[0], "options") && module_eq(&w[1], "vfio_pci"))
			for (size_t i = 2; i < n && !idw; i++)
				if (startswith(w[i].s, "ids=")) {
					if (e > p && e[-1] == '\\') {
						*problem = strdupf("line %zu: options vfio-pci continues on the next line: left "
								   "untouched", line_number(text, p));
						return *problem ? -EINVAL : -ENOMEM;
					}
					found = (struct span){ w[i].s + 4, w[i].e };
					idw = &found;
				}
		if (install && n >= 3 && word_is(&w[0], "install") && module_eq(&w[1], "vfio_pci")) {
			const char *c = w[2].s, *ce = e;
			while (ce > c && isspace((unsigned char)ce[-1]))
				ce--;
			install_there |= (size_t)(ce - c) == strlen(install) && strncmp(c, install, strlen(install)) == 0;
		}
		for (size_t i = 0; softdeps && i < softdeps->n; i++)
			if (!strv_contains(&have, softdeps->v[i]) && softdep_has(w, n, softdeps->v[i]) &&
			    strv_push(&have, softdeps->v[i]) < 0)
				return -ENOMEM;
	}
	/* The IDs: those on the line first, in their order, then the new ones. */
	for (const char *s = idw ? idw->s : NULL; s && s < idw->e;) {
		const char *c = memchr(s, ',', (size_t)(idw->e - s)), *ce = c ? c : idw->e;
		if (ce > s && strv_push_take(&all, strndup(s, (size_t)(ce - s))) < 0)
			return -ENOMEM;
		s = ce + 1;
	}
	for (size_t i = 0; i < ids->n; i++)
		if (!strv_contains(&all, ids->v[i]) && strv_push(&all, ids->v[i]) < 0)
			return -ENOMEM;
	if (!(joined = strv_join(&all, ",")))
		return -ENOMEM;
	if (!tl && header)
		buf_put(&b, header, strlen(header));
	if (idw) {
		buf_put(&b, text, (size_t)(idw->s - text));
		buf_put(&b, joined, strlen(joined));
		buf_put(&b, idw->e, strlen(idw->e));
	} else
		buf_put(&b, text, tl);
	if (b.n && b.p[b.n - 1] != '\n' && ((!idw && all.n) || !install_there || have.n < (softdeps ? softdeps->n : 0)))
		buf_put(&b, "\n", 1); /* lines follow */
	if (!idw && all.n) {
		buf_put(&b, "options vfio-pci ids=", strlen("options vfio-pci ids="));
		buf_put(&b, joined, strlen(joined));
		buf_put(&b, "\n", 1);
	}
	if (!install_there) {
		buf_put(&b, "install vfio-pci ", strlen("install vfio-pci "));
		buf_put(&b, install, strlen(install));
		buf_put(&b, "\n", 1);
	}
	for (size_t i = 0; softdeps && i < softdeps->n; i++)
		if (!strv_contains(&have, softdeps->v[i])) {
			buf_put(&b, "softdep ", strlen("softdep "));
			buf_put(&b, softdeps->v[i], strlen(softdeps->v[i]));
			buf_put(&b, " pre: vfio-pci\n", strlen(" pre: vfio-pci\n"));
		}
	*ret = buf_take(&b);
	return *ret ? 0 : -ENOMEM;
}

int modprobe_options_edit(const char *text, const char *header, const char *module, const struct cmdline_edits *opts,
			  char **ret, char **problem)
{
	struct span sp[MAX_SPANS], w[3];
	struct buf b = { 0 };
	size_t n = 0;

	*ret = *problem = NULL;
	text = text ? text : "";
	for (const char *p = text; *p && n < MAX_SPANS; p = next_line(p)) {
		const char *e = line_end(p);
		size_t nw = line_words(p, e, w, ARRAY_SIZE(w));
		if (nw < 3 || *w[0].s == '#' || !word_is(&w[0], "options") || !module_eq(&w[1], module))
			continue;
		if (e > p && e[-1] == '\\') {
			*problem = strdupf("line %zu: options %s continues on the next line: left untouched",
					   line_number(text, p), module);
			return *problem ? -EINVAL : -ENOMEM;
		}
		while (e > w[1].e && isspace((unsigned char)e[-1]))
			e--;
		sp[n++] = (struct span){ w[2].s, e }; /* the options after the module's name */
	}
	if (n) {
		*ret = merge_spans(text, sp, n, opts, true);
		return *ret ? 0 : -ENOMEM;
	}
	if (!*text && header)
		buf_put(&b, header, strlen(header));
	buf_put(&b, text, strlen(text));
	if (b.n && b.p[b.n - 1] != '\n')
		buf_put(&b, "\n", 1);
	buf_put(&b, "options ", strlen("options "));
	buf_put(&b, module, strlen(module));
	for (size_t i = 0; i < opts->n; i++)
		if (opts->v[i].op != CMDLINE_REMOVE) {
			buf_put(&b, " ", 1);
			buf_put(&b, opts->v[i].token, strlen(opts->v[i].token));
		}
	buf_put(&b, "\n", 1);
	*ret = buf_take(&b);
	return *ret ? 0 : -ENOMEM;
}
