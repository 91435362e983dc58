/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdarg.h>

#include "cli.h"

void cli_error(const char *fmt, ...)
{
	va_list ap;

	fputs("vfiokit: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "vfiokit %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'vfiokit %s --help'.\n", cmd);
	return EXIT_USAGE;
}

int cli_open_root(const char *dir, struct path_root **ret)
{
	int k = path_root_open(dir ? dir : "/", ret);

	if (k == -ENOENT)
		cli_error("--root %s: no such directory", dir);
	else if (k == -ENOTDIR)
		cli_error("--root %s: not a directory", dir);
	else if (k < 0)
		cli_error("--root %s: %s", dir ? dir : "/", strerror(-k));
	return k;
}

/* A broken root can produce thousands of identical complaints; the first
 * ones name the problem. */
#define MAX_DIAGS 20

void cli_print_diags(const struct host *h)
{
	size_t n = h->diags.n < MAX_DIAGS ? h->diags.n : MAX_DIAGS;

	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "vfiokit: warning: %s\n", h->diags.v[i]);
	if (h->diags.n > n)
		fprintf(stderr, "vfiokit: warning: ... and %zu more problems with the input\n", h->diags.n - n);
}

int cli_load_host(struct path_root *root, unsigned flags, struct host **ret)
{
	int k = host_load(root, flags, ret);

	if (k < 0) {
		cli_error("cannot read the host: %s", strerror(-k));
		return k;
	}
	cli_print_diags(*ret);
	return 0;
}

bool cli_use_color(int fd)
{
	const char *nc = getenv("NO_COLOR");

	if (nc && *nc)
		return false;
	return isatty(fd);
}
