/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Sub-verbs and their options as data (cli.h: struct cli_options): one
 * getopt_long loop for every command with sub-verbs, one check of which
 * option belongs to which sub-verb, and the one check that a change of the
 * machine comes from a verb (and sub-verb) the tables say may change it. */
#include <assert.h>
#include <stddef.h>

#include "cli/cli.h"

static const struct verb *running;
static const struct subverb *running_sub;

void cli_verb_enter(const struct verb *v)
{
	running = v;
	running_sub = NULL;
}

const struct verb *cli_verb_running(void)
{
	return running;
}

void cli_subverb_enter(const struct subverb *s)
{
	running_sub = s;
}

int cli_need_modifies(const char *what)
{
	if (running && (running->flags & VERB_MODIFIES) && (!running_sub || (running_sub->flags & VERB_MODIFIES)))
		return 0;
	cli_error("%s would change the machine, but the verb table does not say that %s%s%s may (a bug): nothing was "
		  "changed; report it with 'vfiokit --version'",
		  what, running ? running->name : "this command", running_sub ? " " : "",
		  running_sub ? running_sub->name : "");
	return -EPERM;
}

ssize_t cli_subverb_find(const struct cli_options *d, const char *name)
{
	for (size_t i = 0; i < d->nsubverbs; i++)
		if (streq(d->subverbs[i].name, name))
			return (ssize_t)i;
	return -1;
}

/* getopt_long's value of spec i: its own, or one made from its index. */
static int spec_val(const struct cli_options *d, size_t i)
{
	return d->specs[i].val ? d->specs[i].val : CLI_OPT_VAL_BASE + (int)i;
}

int cli_options_parse(const struct cli_options *d, const char *cmd, int argc, char **argv, void *target,
		      bool seen[CLI_OPTIONS_MAX])
{
	struct option longopts[CLI_OPTIONS_MAX + 1] = { 0 };
	char shortopts[2 * CLI_OPTIONS_MAX + 1] = "", *s = shortopts;
	int c;

	assert(d->nspecs <= CLI_OPTIONS_MAX);
	for (size_t i = 0; i < d->nspecs; i++) {
		int val = spec_val(d, i);
		longopts[i] = (struct option){ d->specs[i].name, d->specs[i].has_arg, NULL, val };
		if (val < 0x80 && val > ' ') {
			*s++ = (char)val;
			if (d->specs[i].has_arg == required_argument)
				*s++ = ':';
			*s = 0;
		}
		seen[i] = false;
	}
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		size_t i = 0;
		int k = 0;

		while (i < d->nspecs && spec_val(d, i) != c)
			i++;
		if (i == d->nspecs)
			return cli_usage_error(cmd, "invalid option");
		seen[i] = true;
		switch (d->specs[i].kind) {
		case CLI_OPT_HELP:
			d->help();
			return -1;
		case CLI_OPT_FLAG:
			*(bool *)((char *)target + d->specs[i].offset) = true;
			break;
		case CLI_OPT_STRING:
			*(const char **)((char *)target + d->specs[i].offset) = optarg;
			break;
		case CLI_OPT_CALL:
			k = d->parse(target, c, optarg, cmd);
			break;
		}
		if (k != 0)
			return k;
	}
	return 0;
}

/* "pin, hugepages and hook": the sub-verbs of mask. */
static char *subverb_names(const struct cli_options *d, unsigned mask)
{
	size_t n = 0, done = 0, len = 1;
	char *r;

	for (size_t i = 0; i < d->nsubverbs; i++)
		if (mask & (1u << i)) {
			n++;
			len += strlen(d->subverbs[i].name) + 5;
		}
	r = calloc(1, len);
	if (!r)
		return NULL;
	for (size_t i = 0; i < d->nsubverbs; i++) {
		if (!(mask & (1u << i)))
			continue;
		if (done)
			strcat(r, done + 1 == n ? " and " : ", ");
		strcat(r, d->subverbs[i].name);
		done++;
	}
	return r;
}

int cli_options_check(const struct cli_options *d, const char *cmd, size_t sv, const bool seen[CLI_OPTIONS_MAX])
{
	for (size_t i = 0; i < d->nspecs; i++) {
		const struct option_spec *o = &d->specs[i];
		_cleanup_free_ char *names = NULL;

		if (!seen[i] || (o->subverbs & (1u << sv)))
			continue;
		names = subverb_names(d, o->subverbs);
		if (!names) {
			cli_error("out of memory");
			return EXIT_PROBLEM;
		}
		return cli_usage_error(cmd, "--%s does not apply to '%s %s': it is one of the options of %s", o->name,
				       d->cmd, d->subverbs[sv].name, names);
	}
	return 0;
}
