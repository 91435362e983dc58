/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <ctype.h>
#include <stdio.h>
#include <strings.h>

#include "shared/macro.h"
#include "host/parse.h"
#include "shared/strv.h"

int parse_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int parse_hex_u32(const char *s, uint32_t max, uint32_t *ret)
{
	uint64_t v = 0;
	size_t digits = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	for (; *s; s++) {
		int h = parse_hex_digit(*s);
		if (h < 0 || ++digits > 8)
			return -EINVAL;
		v = v * 16 + (uint64_t)h;
	}
	if (digits == 0 || v > max)
		return -EINVAL;
	*ret = (uint32_t)v;
	return 0;
}

int parse_int(const char *s, long min, long max, long *ret)
{
	bool neg = false;
	long v = 0;

	if (*s == '-') {
		neg = true;
		s++;
	}
	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		if (!isdigit((unsigned char)*s))
			return -EINVAL;
		if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, *s - '0', &v))
			return -ERANGE;
	}
	if (neg)
		v = -v;
	if (v < min || v > max)
		return -ERANGE;
	*ret = v;
	return 0;
}

/* Parse exactly n hex digits at *s; advance *s. */
static int hex_field(const char **s, int n, uint32_t *ret)
{
	uint32_t v = 0;

	for (int i = 0; i < n; i++) {
		int h = parse_hex_digit((*s)[i]);
		if (h < 0)
			return -EINVAL;
		v = v * 16 + (uint32_t)h;
	}
	*s += n;
	*ret = v;
	return 0;
}

int parse_pci_addr(const char *s, struct pci_addr *ret)
{
	uint32_t dom = 0, bus, dev, fn;
	const char *p = s;
	size_t len = strlen(s);

	/* Domains are 4 hex digits, except behind Intel VMD (0x10000 and up). */
	if (len >= 12 && len <= 16) {
		if (hex_field(&p, (int)(len - 8), &dom) < 0 || *p++ != ':')
			return -EINVAL;
	} else if (len != 7)
		return -EINVAL;
	if (hex_field(&p, 2, &bus) < 0 || *p++ != ':')
		return -EINVAL;
	if (hex_field(&p, 2, &dev) < 0 || *p++ != '.')
		return -EINVAL;
	if (hex_field(&p, 1, &fn) < 0 || *p)
		return -EINVAL;
	if (dev > 0x1f || fn > 7)
		return -EINVAL;
	*ret = (struct pci_addr){ .domain = dom, .bus = (uint8_t)bus, .dev = (uint8_t)dev, .fn = (uint8_t)fn };
	return 0;
}

/* v in hexadecimal, at least min digits; past the last one written. */
static char *put_hex(char *p, uint32_t v, int min)
{
	char digits[8];
	int n = 0;

	do {
		digits[n++] = "0123456789abcdef"[v & 0xf];
		v >>= 4;
	} while (v);
	while (n < min)
		digits[n++] = '0';
	while (n)
		*p++ = digits[--n];
	return p;
}

/* "%04x:%02x:%02x.%x" without printf (once a device and a group member:
 * a tenth of groups' own work at 10,000 devices). */
void format_pci_addr(const struct pci_addr *a, char buf[static PCI_ADDR_STRLEN])
{
	char *p = buf;

	if (a->dev > 0x1f || a->fn > 7) { /* never parsed so; as printf cuts it */
		snprintf(buf, PCI_ADDR_STRLEN, "%04x:%02x:%02x.%x", a->domain, a->bus, a->dev, a->fn);
		return;
	}
	p = put_hex(p, a->domain, 4);
	*p++ = ':';
	p = put_hex(p, a->bus, 2);
	*p++ = ':';
	p = put_hex(p, a->dev, 2);
	*p++ = '.';
	p = put_hex(p, a->fn, 1);
	*p = '\0';
}

int pci_addr_cmp(const struct pci_addr *a, const struct pci_addr *b)
{
	if (a->domain != b->domain)
		return a->domain < b->domain ? -1 : 1;
	if (a->bus != b->bus)
		return a->bus < b->bus ? -1 : 1;
	if (a->dev != b->dev)
		return a->dev < b->dev ? -1 : 1;
	if (a->fn != b->fn)
		return a->fn < b->fn ? -1 : 1;
	return 0;
}

bool pci_addr_same_slot(const struct pci_addr *a, const struct pci_addr *b)
{
	return a->domain == b->domain && a->bus == b->bus && a->dev == b->dev;
}

static int cmdline_push(struct cmdline *c, const char *word, size_t len)
{
	_cleanup_free_ char *w = strndup(word, len);
	char *eq, *key, *val = NULL;
	size_t n;

	if (!w)
		return -ENOMEM;
	/* Quote removal as in the kernel's next_arg(): a leading quote of the
	 * word, a quote right after '=', and a trailing quote. */
	key = w;
	if (*key == '"')
		key++;
	eq = strchr(key, '=');
	if (eq) {
		*eq = '\0';
		val = eq + 1;
		if (*val == '"')
			val++;
	}
	n = strlen(val ? val : key);
	if (n > 0 && (val ? val : key)[n - 1] == '"')
		(val ? val : key)[n - 1] = '\0';
	if (GROW(c->p, c->alloc, c->n + 1) < 0)
		return -ENOMEM;
	c->p[c->n].key = strdup(key);
	c->p[c->n].value = val ? strdup(val) : NULL;
	if (!c->p[c->n].key || (val && !c->p[c->n].value)) {
		free(c->p[c->n].key);
		free(c->p[c->n].value);
		return -ENOMEM;
	}
	c->n++;
	return 0;
}

int cmdline_parse(const char *s, struct cmdline *ret)
{
	struct cmdline c = { 0 };
	const char *p = s;

	for (;;) {
		const char *start;
		bool in_quote = false;

		while (*p && isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		start = p;
		for (; *p; p++) {
			if (*p == '"')
				in_quote = !in_quote;
			else if (!in_quote && isspace((unsigned char)*p))
				break;
		}
		if ((size_t)(p - start) == 2 && start[0] == '-' && start[1] == '-')
			break; /* the rest belongs to init */
		if (cmdline_push(&c, start, (size_t)(p - start)) < 0) {
			cmdline_free(&c);
			return -ENOMEM;
		}
	}
	*ret = c;
	return 0;
}

void cmdline_free(struct cmdline *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->p[i].key);
		free(c->p[i].value);
	}
	free(c->p);
	*c = (struct cmdline){ 0 };
}

static bool key_eq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char x = *a == '-' ? '_' : *a, y = *b == '-' ? '_' : *b;
		if (x != y)
			return false;
	}
	return *a == *b;
}

const struct cmdline_param *cmdline_get(const struct cmdline *c, const char *key)
{
	for (size_t i = c->n; i > 0; i--)
		if (key_eq(c->p[i - 1].key, key))
			return &c->p[i - 1];
	return NULL;
}

void module_name_normalize(char *name)
{
	for (; *name; name++)
		if (*name == '-')
			*name = '_';
}

char *module_name_from_path(const char *path)
{
	const char *base = strrchr(path, '/');
	char *name, *dot;

	base = base ? base + 1 : path;
	name = strdup(base);
	if (!name)
		return NULL;
	dot = strstr(name, ".ko");
	if (dot)
		*dot = '\0';
	module_name_normalize(name);
	return name;
}

int cpuinfo_get(const char *cpuinfo, const char *key, char **ret)
{
	size_t klen = strlen(key);
	const char *line = cpuinfo;

	while (line && *line) {
		const char *end = strchrnul(line, '\n');
		if (end == line)
			break; /* blank line: end of the first processor's block */
		if ((size_t)(end - line) > klen && strncmp(line, key, klen) == 0) {
			const char *p = line + klen;
			while (p < end && (*p == ' ' || *p == '\t'))
				p++;
			if (p < end && *p == ':') {
				p++;
				while (p < end && (*p == ' ' || *p == '\t'))
					p++;
				*ret = strndup(p, (size_t)(end - p));
				return *ret ? 0 : -ENOMEM;
			}
		}
		line = *end ? end + 1 : NULL;
	}
	return -ENOENT;
}

bool word_in_list(const char *list, const char *word)
{
	size_t wlen = strlen(word);
	const char *p = list;

	while ((p = strstr(p, word))) {
		bool start_ok = p == list || isspace((unsigned char)p[-1]);
		bool end_ok = p[wlen] == '\0' || isspace((unsigned char)p[wlen]);
		if (start_ok && end_ok)
			return true;
		p += wlen;
	}
	return false;
}

/* Unquote an os-release value (a subset of shell quoting, per os-release(5)). */
static char *unquote(const char *v, size_t len)
{
	char *out = malloc(len + 1), *o = out;
	char quote = 0;

	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		char ch = v[i];
		if (quote == 0 && (ch == '"' || ch == '\'')) {
			quote = ch;
		} else if (quote && ch == quote) {
			quote = 0;
		} else if (quote != '\'' && ch == '\\' && i + 1 < len) {
			*o++ = v[++i];
		} else {
			*o++ = ch;
		}
	}
	*o = '\0';
	return out;
}

int osrelease_get(const char *text, const char *key, char **ret)
{
	size_t klen = strlen(key);
	const char *line = text;
	char *v = NULL;

	/* The last assignment: the file is shell, which sources it so. */
	while (line && *line) {
		const char *end = strchrnul(line, '\n');
		const char *p = line;
		while (p < end && isspace((unsigned char)*p))
			p++;
		if (*p != '#' && (size_t)(end - p) > klen && strncmp(p, key, klen) == 0 && p[klen] == '=') {
			const char *val = p + klen + 1;
			size_t len = (size_t)(end - val);
			while (len > 0 && isspace((unsigned char)val[len - 1]))
				len--;
			free(v);
			if (!(v = unquote(val, len)))
				return -ENOMEM;
		}
		line = *end ? end + 1 : NULL;
	}
	*ret = v;
	return v ? 0 : -ENOENT;
}

static int push_range(struct mem_range **v, size_t *n, size_t *alloc, uint64_t start, uint64_t end)
{
	if (GROW(*v, *alloc, *n + 1) < 0)
		return -ENOMEM;
	(*v)[(*n)++] = (struct mem_range){ start, end };
	return 0;
}

#define IORESOURCE_MEM 0x00000200

int pci_resource_parse(const char *text, struct mem_range **ret, size_t *n)
{
	struct mem_range *v = NULL;
	size_t cnt = 0, alloc = 0;
	const char *p = text;

	while (*p) {
		unsigned long long start, end, flags;
		const char *nl = strchr(p, '\n');
		char line[128];
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		/* The three numbers come first (57 characters); a longer line is
		 * read by its start rather than skipped, which would lose a BAR. */
		memcpy(line, p, MIN(len, sizeof(line) - 1));
		line[MIN(len, sizeof(line) - 1)] = '\0';
		if (sscanf(line, "%llx %llx %llx", &start, &end, &flags) == 3 && (flags & IORESOURCE_MEM) && end > start &&
		    start != 0 && push_range(&v, &cnt, &alloc, start, end) < 0) {
			free(v);
			return -ENOMEM;
		}
		p += len + (nl ? 1 : 0);
	}
	*ret = v;
	*n = cnt;
	return 0;
}

int pci_resource_len(const char *text, unsigned bar, uint64_t *len)
{
	const char *p = text;
	unsigned long long start, end, flags;
	char line[128];
	size_t n;

	for (unsigned i = 0; i < bar; i++) {
		if (!(p = strchr(p, '\n')))
			return -EINVAL;
		p++;
	}
	n = strcspn(p, "\n");
	if (n == 0 || n >= sizeof(line))
		return -EINVAL;
	memcpy(line, p, n);
	line[n] = '\0';
	/* drivers/pci/pci-sysfs.c resource_show(): "0x%016llx 0x%016llx 0x%016llx\n" */
	if (sscanf(line, "0x%llx 0x%llx 0x%llx", &start, &end, &flags) != 3)
		return -EINVAL;
	*len = end > start ? end - start + 1 : 0;
	return 0;
}

int iomem_framebuffers(const char *text, struct mem_range **ret, size_t *n)
{
	static const char *const names[] = { "efifb", "simplefb", "simple-framebuffer", "simpledrm", "BOOTFB", "vesafb" };
	struct mem_range *v = NULL;
	size_t cnt = 0, alloc = 0;
	const char *p = text;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		_cleanup_free_ char *line = strndup(p, len); /* any length: padding cannot hide a framebuffer */
		char *colon, *name;
		unsigned long long start, end;

		if (!line) {
			free(v);
			return -ENOMEM;
		}
		colon = strstr(line, " : ");
		if (colon && sscanf(line, " %llx-%llx", &start, &end) == 2 && end > start) {
			name = colon + 3;
			strip_trailing(name);
			for (size_t i = 0; i < ARRAY_SIZE(names); i++)
				if (startswith(name, names[i]) &&
				    (name[strlen(names[i])] == '\0' || name[strlen(names[i])] == '.') &&
				    push_range(&v, &cnt, &alloc, start, end) < 0) {
					free(v);
					return -ENOMEM;
				}
		}
		p += len + (nl ? 1 : 0);
	}
	*ret = v;
	*n = cnt;
	return 0;
}

bool mem_ranges_overlap(const struct mem_range *a, const struct mem_range *b)
{
	return a->start <= b->end && b->start <= a->end;
}

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape_octal(char *s)
{
	char *w = s;

	for (char *r = s; *r; r++) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' && r[3] >= '0' &&
		    r[3] <= '7') {
			*w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
			r += 3;
		} else
			*w++ = *r;
	}
	*w = '\0';
}

int mountinfo_parse_line(char *line, struct mountinfo_entry *ret)
{
	/* id parent maj:min root target options [optional...] - fstype source superopts */
	char *f[6], *save = NULL, *tok;
	size_t nf = 0;
	unsigned ma, mi;
	char end;

	for (tok = strtok_r(line, " \t\n", &save); tok && nf < 6; tok = strtok_r(NULL, " \t\n", &save))
		f[nf++] = tok;
	if (nf < 6 || sscanf(f[2], "%u:%u%c", &ma, &mi, &end) != 2)
		return -EINVAL;
	while (tok && !streq(tok, "-"))
		tok = strtok_r(NULL, " \t\n", &save);
	if (!tok)
		return -EINVAL;
	ret->fstype = strtok_r(NULL, " \t\n", &save);
	ret->source = strtok_r(NULL, " \t\n", &save);
	if (!ret->fstype || !ret->source)
		return -EINVAL;
	unescape_octal(f[4]);
	unescape_octal((char *)ret->source);
	ret->major = ma;
	ret->minor = mi;
	ret->target = f[4];
	return 0;
}

/* Whether s is exactly n hex digits (n == 0: one or more). */
static bool hex_digits(const char *s, size_t n)
{
	size_t len = strspn(s, "0123456789abcdefABCDEF");

	return len && !s[len] && (!n || len == n);
}

/* Whether s is a decimal integer, with a sign when sign. */
static bool dec_field(const char *s, bool sign)
{
	if (sign && *s == '-')
		s++;
	return *s && !s[strspn(s, "0123456789")];
}

/* Split a line (changed) into at most max + 1 fields at blanks. */
static size_t split_fields(char *line, char **f, size_t max)
{
	char *save = NULL, *tok;
	size_t nf = 0;

	for (tok = strtok_r(line, " \t", &save); tok && nf <= max; tok = strtok_r(NULL, " \t", &save))
		f[nf++] = tok;
	return nf;
}

/* One line as the kernel writes it: ipv6_route (rt6_info_seq_show) "dest
 * plen src splen nexthop metric refcnt use flags iface", or route
 * (fib_route_seq_show) "Iface Destination Gateway Flags RefCnt Use Metric
 * Mask MTU Window IRTT" after its header (none at all: no main table yet). The interface of a default route
 * that is up in *iface, else NULL; false when the line is not such a line. */
static bool route_line(char *line, bool ipv6, const char **iface)
{
	char *f[12];
	size_t nf = split_fields(line, f, 11);
	uint32_t flags;

	*iface = NULL;
	if (ipv6) {
		if (nf != 10 || !hex_digits(f[0], 32) || !hex_digits(f[1], 2) || !hex_digits(f[2], 32) ||
		    !hex_digits(f[3], 2) || !hex_digits(f[4], 32))
			return false;
		for (size_t i = 5; i < 9; i++)
			if (!hex_digits(f[i], 8))
				return false;
		if (strspn(f[0], "0") == 32 && streq(f[1], "00"))
			*iface = f[9];
		return true;
	}
	if (nf != 11 || !hex_digits(f[1], 8) || !hex_digits(f[2], 8) || parse_hex_u32(f[3], 0xffff, &flags) < 0 ||
	    !hex_digits(f[3], 0) || !hex_digits(f[7], 8))
		return false;
	for (size_t i = 4; i < 11; i++)
		if (i != 7 && !dec_field(f[i], i == 4 || i == 6 || i == 8))
			return false;
	if (streq(f[1], "00000000") && streq(f[7], "00000000") && (flags & 1))
		*iface = f[0];
	return true;
}

int route_default_ifaces(const char *text, bool ipv6, struct strv *ret, size_t *bad_line)
{
	size_t no = 0;

	*bad_line = 0;
	for (const char *l = text; *l; l = next_line(l)) {
		_cleanup_free_ char *line = strndup(l, strcspn(l, "\n"));
		const char *iface;
		char *f[12];

		if (!line)
			return -ENOMEM;
		no++;
		if (!ipv6 && no == 1) {
			/* A non-empty IPv4 table starts with its header. */
			if (split_fields(line, f, 11) == 11 && streq(f[0], "Iface") && streq(f[1], "Destination"))
				continue;
		} else if (route_line(line, ipv6, &iface)) {
			if (iface && !streq(iface, "lo") && !strv_contains(ret, iface) && strv_push(ret, iface) < 0)
				return -ENOMEM;
			continue;
		}
		*bad_line = no;
		return -EINVAL;
	}
	/* Empty is the kernel's answer too: fib_route_seq_start() prints not
	 * even the header before the main table exists, which is created with
	 * the first route or address (a host with no network configured). */
	return 0;
}

/* /proc/swaps (swap_show): its header, then "Filename Type Size Used
 * Priority" per swap area, the name's blanks escaped by the kernel. */
int swaps_parse(const char *text, struct strv *ret, size_t *bad_line)
{
	size_t no = 0;

	*bad_line = 0;
	for (const char *l = text; *l; l = next_line(l)) {
		_cleanup_free_ char *line = strndup(l, strcspn(l, "\n"));
		char *f[6];
		size_t nf;

		if (!line)
			return -ENOMEM;
		nf = split_fields(line, f, 5);
		if (++no == 1) {
			if (nf == 5 && streq(f[0], "Filename") && streq(f[1], "Type"))
				continue;
		} else if (nf == 5 && dec_field(f[2], false) && dec_field(f[3], false) && dec_field(f[4], true)) {
			if (strv_push(ret, f[0]) < 0)
				return -ENOMEM;
			continue;
		}
		*bad_line = no;
		return -EINVAL;
	}
	if (no == 0) {
		*bad_line = 1;
		return -EINVAL;
	}
	return 0;
}

static bool driver_name_ok(const char *s)
{
	return !strchr(s, '/') && !streq(s, ".") && !streq(s, "..");
}

void bind_state_free(struct bind_state *s)
{
	free(s->driver);
	free(s->driver_override);
	free(s->target);
	*s = (struct bind_state){ 0 };
}

int bind_state_parse(const char *text, struct bind_state *ret)
{
	_cleanup_free_ char *copy = strdup(text);
	struct bind_state s = { 0 };
	char *save = NULL, *line;

	if (!copy)
		return -ENOMEM;
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(line, '='), **slot = NULL;
		if (line[0] == '#' || !eq)
			continue;
		*eq = '\0';
		if (streq(line, "driver"))
			slot = &s.driver;
		else if (streq(line, "driver_override"))
			slot = &s.driver_override;
		else if (streq(line, "target"))
			slot = &s.target;
		if (!slot)
			continue;
		free(*slot);
		*slot = strdup(eq + 1);
		if (!*slot) {
			bind_state_free(&s);
			return -ENOMEM;
		}
	}
	/* The names become paths under /sys/bus/pci/drivers: nothing that
	 * could lead elsewhere. */
	if (!s.driver || !driver_name_ok(s.driver) || (s.target && !driver_name_ok(s.target)) ||
	    (s.driver_override && strchr(s.driver_override, '/'))) {
		bind_state_free(&s);
		return -EINVAL;
	}
	*ret = s;
	return 0;
}

char *bind_state_format(const struct bind_state *s, const char *device)
{
	return strdupf("# vfiokit bind: %s before it was bound; 'vfiokit unbind' restores it\n"
		       "driver=%s\ndriver_override=%s\ntarget=%s\n",
		       device, s->driver ? s->driver : "", s->driver_override ? s->driver_override : "",
		       s->target ? s->target : "");
}

int meminfo_get_kb(const char *text, const char *key, uint64_t *ret)
{
	size_t klen = strlen(key);

	for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		unsigned long long v;
		char unit[4] = "";
		_cleanup_free_ char *line = NULL;
		size_t len = strcspn(p, "\n");
		int n;
		if (strncmp(p, key, klen) != 0 || p[klen] != ':')
			continue;
		line = strndup(p, len); /* any length: a padded line is still the key's */
		if (!line)
			return -ENOMEM;
		n = sscanf(line + klen + 1, " %llu %3s", &v, unit);
		if (n < 1 || (n == 2 && strcmp(unit, "kB") != 0))
			return -EINVAL;
		*ret = v;
		return 0;
	}
	return -ENOENT;
}

int thp_mode_parse(const char *text, char **ret)
{
	const char *a = strchr(text, '['), *b = a ? strchr(a, ']') : NULL;

	if (!a || !b || b == a + 1 || memchr(a + 1, ' ', (size_t)(b - a - 1)))
		return -EINVAL;
	*ret = strndup(a + 1, (size_t)(b - a - 1));
	return *ret ? 0 : -ENOMEM;
}

static void underscores(char *s)
{
	for (; *s; s++)
		if (*s == '-')
			*s = '_';
}

void modprobe_conf_free(struct modprobe_conf *c)
{
	strv_clear(&c->vfio_ids);
	strv_clear(&c->vfio_first);
	strv_clear(&c->kvm_msrs);
	free(c->vfio_install);
	c->vfio_install = NULL;
}

int override_script_devs(const char *text, struct strv *devs)
{
	for (const char *l = text; l && *l; l = next_line(l)) {
		const char *e;
		if (!startswith(l, "DEVS=\""))
			continue;
		l += strlen("DEVS=\"");
		e = l + strcspn(l, "\"\n");
		while (l < e) {
			size_t n = strcspn(l, " \t\"\n");
			_cleanup_free_ char *d = n ? strndup(l, n) : NULL;
			if (n && (!d || (!strv_contains(devs, d) && strv_push(devs, d) < 0)))
				return -ENOMEM;
			l += n;
			l += strspn(l, " \t");
		}
		break;
	}
	return 0;
}

int modprobe_conf_parse(const char *text, struct modprobe_conf *c)
{
	_cleanup_free_ char *copy = strdup(text);
	_cleanup_free_ char **w = NULL;
	size_t walloc = 0;
	char *save = NULL, *line;

	if (!copy)
		return -ENOMEM;
	/* Continuation lines: a backslash before the newline joins them. */
	for (char *p = copy; (p = strstr(p, "\\\n"));)
		p[0] = p[1] = ' ';
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *s2 = NULL, *tok;
		size_t n = 0;
		if (strchr(line, '#'))
			*strchr(line, '#') = '\0';
		/* Every word: an ids= past a fixed count would be lost. */
		for (tok = strtok_r(line, " \t", &s2); tok; tok = strtok_r(NULL, " \t", &s2)) {
			if (GROW(w, walloc, n + 1) < 0)
				return -ENOMEM;
			w[n++] = tok;
		}
		if (n >= 3 && streq(w[0], "options")) {
			underscores(w[1]);
			if (streq(w[1], "kvm"))
				for (size_t i = 2; i < n; i++) {
					/* Parameter names as the kernel compares them: - and _ alike. */
					size_t kl = strcspn(w[i], "=");
					_cleanup_free_ char *name = strndup(w[i], kl);
					if (!name)
						return -ENOMEM;
					underscores(name);
					if ((streq(name, "ignore_msrs") || streq(name, "report_ignored_msrs")) && w[i][kl] &&
					    strv_push(&c->kvm_msrs, w[i]) < 0)
						return -ENOMEM;
				}
			if (!streq(w[1], "vfio_pci"))
				continue;
			for (size_t i = 2; i < n; i++) {
				char *ids, *s3 = NULL;
				if (!startswith(w[i], "ids="))
					continue;
				for (ids = strtok_r(w[i] + 4, ",", &s3); ids; ids = strtok_r(NULL, ",", &s3))
					if (!strv_contains(&c->vfio_ids, ids) && strv_push(&c->vfio_ids, ids) < 0)
						return -ENOMEM;
			}
		} else if (n >= 3 && streq(w[0], "install")) {
			underscores(w[1]);
			if (streq(w[1], "vfio_pci") && !c->vfio_install) {
				/* modprobe runs the first install line of a module. */
				size_t len = 0;
				for (size_t i = 2; i < n; i++)
					len += strlen(w[i]) + 1;
				if (!(c->vfio_install = malloc(len)))
					return -ENOMEM;
				c->vfio_install[0] = '\0';
				for (size_t i = 2; i < n; i++) {
					if (i > 2)
						strcat(c->vfio_install, " ");
					strcat(c->vfio_install, w[i]);
				}
			}
		} else if (n >= 4 && streq(w[0], "softdep")) {
			bool pre = false, vfio = false;
			underscores(w[1]);
			for (size_t i = 2; i < n; i++) {
				if (streq(w[i], "pre:"))
					pre = true;
				else if (streq(w[i], "post:"))
					pre = false;
				else if (pre) {
					underscores(w[i]);
					vfio |= streq(w[i], "vfio_pci");
				}
			}
			if (vfio && !strv_contains(&c->vfio_first, w[1]) && strv_push(&c->vfio_first, w[1]) < 0)
				return -ENOMEM;
		}
	}
	return 0;
}

int input_bitmap_test(const char *text, unsigned bit)
{
	/* unsigned long is 64 bits on every architecture with VFIO that
	 * vfiokit runs on (x86_64, aarch64, ppc64le, s390x). */
	size_t nwords = 0, len = strlen(text);
	uint64_t word = 0;

	while (len && (text[len - 1] == '\n'))
		len--;
	if (len == 0)
		return -EINVAL;
	/* Walk from the end: the last word holds bits 0-63. */
	for (size_t end = len; end > 0;) {
		size_t start = end;
		while (start > 0 && text[start - 1] != ' ')
			start--;
		if (start == end || end - start > 16)
			return -EINVAL;
		uint64_t v = 0;
		for (size_t i = start; i < end; i++) {
			char c = text[i];
			unsigned d = c >= '0' && c <= '9' ? (unsigned)(c - '0') : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10) : 16;
			if (d == 16)
				return -EINVAL;
			v = v << 4 | d;
		}
		if (nwords == bit / 64)
			word = v;
		nwords++;
		if (start == 0)
			break;
		end = start - 1;
		if (end == 0)
			return -EINVAL; /* a leading space */
	}
	return bit / 64 < nwords && (word >> (bit % 64) & 1);
}

bool hostname_is_valid(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n <= 253 && *s != '-' && *s != '.' &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.") == n;
}
