/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The sub-verb and option tables (src/cli/options.c): one table of three
 * sub-verbs parsed with getopt_long as a command parses its argv, every
 * kind of option, the one message for an option of another sub-verb, and
 * what VERB_MODIFIES means: the lock (cli_lock()) refuses, and takes no
 * lock, for a verb or sub-verb the tables do not let change the machine.
 * Then cli_error_exit(), the one mapping of a struct error to an exit code.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apply/lock.h"
#include "cli/cli.h"

enum { SV_A, SV_B, SV_C };

static const struct subverb subs[] = {
	[SV_A] = { "alpha", VERB_MODIFIES },
	[SV_B] = { "beta", 0 },
	[SV_C] = { "gamma", VERB_MODIFIES },
};

struct demo {
	bool flag, helped;
	const char *str, *root;
	long num;
	struct cli_table_opts t;
};

static struct demo *helped_target;

static void demo_help(void)
{
	helped_target->helped = true;
}

static int demo_parse(void *target, int val, const char *arg, const char *cmd)
{
	struct demo *d = target;

	if (val == 0x100) {
		if (parse_int(arg, 1, 9, &d->num) < 0)
			return cli_usage_error(cmd, "--num takes 1 to 9, not '%s'", arg);
		return 0;
	}
	assert_true(cli_table_option(val, &d->t));
	return 0;
}

static const struct option_spec specs[] = {
	CLI_FLAG("flag", CLI_SV(SV_A) | CLI_SV(SV_C), struct demo, flag),
	CLI_STRING("str", CLI_SV(SV_B), struct demo, str),
	CLI_CALL("num", required_argument, 0x100, CLI_SV_ALL),
	CLI_TABLE_SPECS(CLI_SV_ALL, CLI_SV(SV_B)),
	CLI_COMMON_SPECS(struct demo, root),
};

static const struct cli_options demo = {
	"demo", subs, ARRAY_SIZE(subs), specs, ARRAY_SIZE(specs), demo_parse, demo_help,
};

/* What stderr got between err_begin() and err_end(), as a string; stderr
 * is the real one again after (cmocka's failures go there). */
static char *err_file;
static int saved_fd = -1;

static void err_begin(void)
{
	int fd;

	fflush(stderr);
	saved_fd = dup(STDERR_FILENO);
	fd = open(err_file, O_WRONLY | O_TRUNC | O_CLOEXEC);
	assert_true(saved_fd >= 0 && fd >= 0);
	assert_int_equal(dup2(fd, STDERR_FILENO), STDERR_FILENO);
	close(fd);
}

static char *err_end(void)
{
	_cleanup_close_ int fd = -1;
	uint8_t *s = NULL;
	size_t len;

	fflush(stderr);
	assert_int_equal(dup2(saved_fd, STDERR_FILENO), STDERR_FILENO);
	close(saved_fd);
	fd = open(err_file, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(read_fd_all(fd, 1 << 16, &s, &len), 0);
	s = realloc(s, len + 1);
	assert_non_null(s);
	s[len] = 0;
	return (char *)s;
}

static int parse(struct demo *d, bool seen[CLI_OPTIONS_MAX], char **argv)
{
	int argc = 0;

	while (argv[argc])
		argc++;
	optind = 0;
	helped_target = d;
	return cli_options_parse(&demo, "demo", argc, argv, d, seen);
}

static void test_parse(void **state)
{
	char *argv[] = { "demo", "--flag", "alpha", "--num", "7", "-J", "--root", "/tmp", "-o", "X", NULL };
	struct demo d = { 0 };
	bool seen[CLI_OPTIONS_MAX];

	(void)state;
	assert_int_equal(parse(&d, seen, argv), 0);
	assert_true(d.flag);
	assert_int_equal(d.num, 7);
	assert_true(d.t.json);
	assert_string_equal(d.t.columns, "X");
	assert_string_equal(d.root, "/tmp");
	assert_null(d.str);
	/* getopt permutes: the sub-verb is what is left. */
	assert_int_equal(optind, 9);
	assert_string_equal(argv[optind], "alpha");
	assert_true(seen[0] && !seen[1] && seen[2] && seen[3] && seen[4] && !seen[5]);
	assert_int_equal(cli_subverb_find(&demo, argv[optind]), SV_A);
	assert_int_equal(cli_subverb_find(&demo, "delta"), -1);
	err_begin();
	/* -o is beta's alone. */
	assert_int_equal(cli_options_check(&demo, "demo", SV_A, seen), EXIT_USAGE);
	{
		_cleanup_free_ char *e = err_end();
		assert_string_equal(e,
				    "vfiokit demo: --output does not apply to 'demo alpha': it is one of the options of "
				    "beta\nTry 'vfiokit demo --help'.\n");
	}
	seen[4] = false;
	assert_int_equal(cli_options_check(&demo, "demo", SV_A, seen), 0);
	assert_int_equal(cli_options_check(&demo, "demo", SV_C, seen), 0);
	err_begin();
	/* --flag is alpha's and gamma's: named in the table's order. */
	assert_int_equal(cli_options_check(&demo, "demo", SV_B, seen), EXIT_USAGE);
	{
		_cleanup_free_ char *e = err_end();
		assert_non_null(strstr(e, "--flag does not apply to 'demo beta': it is one of the options of alpha and "
					  "gamma\n"));
	}
}

static void test_errors(void **state)
{
	char *bad_num[] = { "demo", "beta", "--num", "10", NULL };
	char *unknown[] = { "demo", "beta", "--nope", NULL };
	char *help[] = { "demo", "--str", "x", "-h", "--num", "10", NULL };
	struct demo d = { 0 };
	bool seen[CLI_OPTIONS_MAX];

	(void)state;
	err_begin();
	assert_int_equal(parse(&d, seen, bad_num), EXIT_USAGE);
	{
		_cleanup_free_ char *e = err_end();
		assert_non_null(strstr(e, "--num takes 1 to 9, not '10'"));
	}
	err_begin();
	assert_int_equal(parse(&d, seen, unknown), EXIT_USAGE);
	{
		_cleanup_free_ char *e = err_end();
		assert_non_null(strstr(e, "vfiokit demo: invalid option\n"));
	}
	/* --help ends the parse: what follows is not looked at. */
	d = (struct demo){ 0 };
	assert_int_equal(parse(&d, seen, help), -1);
	assert_true(d.helped);
	assert_string_equal(d.str, "x");
	assert_int_equal(d.num, 0);
}

/* VERB_MODIFIES: the lock is taken only for a verb, and a sub-verb, that
 * say it; refused without a lock file written otherwise. */
static void test_modifies(void **state)
{
	static const struct verb reads = { "reads", NULL, "", VERB_READS_HOST, NULL };
	static const struct verb changes = { "changes", NULL, "", VERB_READS_HOST | VERB_MODIFIES, "why" };
	char dir[] = "/tmp/test-options-XXXXXX";
	_cleanup_free_ char *lock = NULL;
	struct path_root *root = NULL;
	struct stat st;
	int fd = -1;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_non_null(lock = strdupf("%s/" LOCK_REL, dir));
	assert_int_equal(path_root_open(dir, &root), 0);

	cli_verb_enter(&reads);
	err_begin();
	assert_int_equal(cli_need_modifies("vfiokit reads --apply"), -EPERM);
	assert_int_equal(cli_lock(root, "vfiokit reads", &fd), -1);
	{
		_cleanup_free_ char *e = err_end();
		assert_non_null(strstr(e, "vfiokit reads --apply would change the machine, but the verb table does not "
					  "say that reads may (a bug): nothing was changed"));
	}
	assert_int_equal(fd, -1);
	assert_int_equal(stat(lock, &st), -1);

	cli_verb_enter(&changes);
	cli_subverb_enter(&subs[SV_B]);
	err_begin();
	assert_int_equal(cli_lock(root, "vfiokit changes beta", &fd), -1);
	{
		_cleanup_free_ char *e = err_end();
		assert_non_null(strstr(e, "does not say that changes beta may (a bug)"));
	}
	assert_int_equal(stat(lock, &st), -1);

	cli_subverb_enter(&subs[SV_A]);
	assert_int_equal(cli_need_modifies("vfiokit changes alpha"), 0);
	assert_int_equal(cli_lock(root, "vfiokit changes alpha", &fd), 0);
	assert_true(fd >= 0);
	assert_int_equal(stat(lock, &st), 0);
	lock_release(fd);

	/* A verb without sub-verbs: its own flag alone. */
	cli_verb_enter(&changes);
	assert_int_equal(cli_need_modifies("vfiokit changes"), 0);
	path_root_free(root);
	assert_int_equal(unlink(lock), 0);
	{
		_cleanup_free_ char *d1 = strdupf("%s/run/vfiokit", dir), *d2 = strdupf("%s/run", dir);
		assert_int_equal(rmdir(d1), 0);
		assert_int_equal(rmdir(d2), 0);
	}
	assert_int_equal(rmdir(dir), 0);
}

/* The one mapping of an error to an exit code (cli_error_exit()). */
static void test_error_exit(void **state)
{
	struct error e = { 0 };

	(void)state;
	assert_int_equal(error_set(&e, -EINVAL, ERROR_USAGE, "'%s' is not a size", "x"), -EINVAL);
	err_begin();
	assert_int_equal(cli_error_exit("demo", &e), EXIT_USAGE);
	{
		_cleanup_free_ char *m = err_end();
		assert_string_equal(m, "vfiokit demo: 'x' is not a size\nTry 'vfiokit demo --help'.\n");
	}
	/* Filled once: a second error_set() replaces the first, freed. */
	assert_int_equal(error_set(&e, -ENOENT, ERROR_FAILED, "no device %d", 7), -ENOENT);
	assert_int_equal(e.errnum, -ENOENT);
	err_begin();
	assert_int_equal(cli_error_exit("demo", &e), EXIT_PROBLEM);
	{
		_cleanup_free_ char *m = err_end();
		assert_string_equal(m, "vfiokit: no device 7\n");
	}
	error_clear(&e);
	assert_null(e.msg);
	/* No message could be made: -ENOMEM, said as such. */
	assert_int_equal(error_take(&e, -EPERM, ERROR_FAILED, NULL), -ENOMEM);
	err_begin();
	assert_int_equal(cli_error_exit("demo", &e), EXIT_PROBLEM);
	{
		_cleanup_free_ char *m = err_end();
		assert_string_equal(m, "vfiokit: out of memory\n");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_modifies),
		cmocka_unit_test(test_error_exit),
	};
	char tmpl[] = "/tmp/test-options-err-XXXXXX";
	int fd = mkstemp(tmpl), r;

	assert_true(fd >= 0);
	close(fd);
	err_file = tmpl;
	r = cmocka_run_group_tests(tests, NULL, NULL);
	unlink(tmpl);
	return r;
}
