/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vfiokit journal, vfiokit undo, and how every command that writes files
 * shows and applies its changes (cli_apply). */
#include <json-c/json.h>

#include "cli/cli.h"
#include "apply/lock.h"
#include "apply/journal.h"
#include "plan/boot/backend.h"

/* Run one of vfiokit's own commands (words split at spaces), inside
 * chroot_dir when not NULL; its output passes through, its standard output
 * to out_fd when that is not -1. */
static int run_command_to(const char *cmd, const char *chroot_dir, int out_fd, struct error *err)
{
	_cleanup_free_ char *copy = strdup(cmd);
	char *argv[40], *save = NULL;
	size_t n = 0;

	if (!copy)
		return -ENOMEM;
	if (chroot_dir) {
		argv[n++] = (char *)"chroot";
		argv[n++] = (char *)chroot_dir;
	}
	for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		if (n + 1 >= ARRAY_SIZE(argv))
			return error_set(err, -E2BIG, ERROR_FAILED, "too many words");
		argv[n++] = w;
	}
	argv[n] = NULL;
	cli_error("running %s%s%s", cmd, chroot_dir ? " in " : "", chroot_dir ? chroot_dir : "");
	fflush(stdout);
	return spawn_wait_stdout(argv, out_fd, err);
}

static int run_command(const char *cmd, void *data, struct error *err)
{
	return run_command_to(cmd, data, -1, err);
}

/* With -J: the command's standard output on standard error, where it
 * cannot break the JSON document on standard output. */
static int run_command_stderr(const char *cmd, void *data, struct error *err)
{
	return run_command_to(cmd, data, STDERR_FILENO, err);
}

void cli_runner_init(struct journal_runner *x, struct path_root *root, const char *chroot_dir)
{
	*x = (struct journal_runner){ 0 };
	if (chroot_dir || path_root_is_live(root)) {
		x->run = run_command;
		x->data = (void *)chroot_dir;
	}
}

void cli_runner_done(struct journal_runner *x, struct path_root *root)
{
	if (x->todo.n) {
		cli_error("%s is a machine copy: run these inside it (or use --chroot):", path_root_dir(root));
		for (size_t i = 0; i < x->todo.n; i++)
			cli_line(stderr, "  %s", x->todo.v[i]);
	}
	strv_clear(&x->todo);
}

int cli_apply(const char *cmd, struct path_root *root, struct journal_tx *tx, bool apply, const char *chroot_dir,
	      const char *note, char **id_out)
{
	return cli_apply_json(cmd, root, tx, apply, chroot_dir, note, id_out, NULL);
}

/* Add v (NULL: out of memory) to o as key; v is freed when it cannot be. */
static int json_add(struct json_object *o, const char *key, struct json_object *v)
{
	if (!v || json_object_object_add(o, key, v) < 0) {
		json_object_put(v);
		return -ENOMEM;
	}
	return 0;
}

int cli_json_add_strv(struct json_object *o, const char *key, const struct strv *s)
{
	struct json_object *a = json_object_new_array();

	if (json_add(o, key, a) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < s->n; i++) {
		struct json_object *v = json_object_new_string(s->v[i]);
		if (!v || json_object_array_add(a, v) < 0) {
			json_object_put(v);
			return -ENOMEM;
		}
	}
	return 0;
}

int cli_json_apply_result(struct json_object *json, const struct journal_tx *tx, const char *diff, bool changed,
			  bool applied, const char *id, const struct strv *todo)
{
	struct json_object *cmds = json_object_new_array();

	if (json_add(json, "commands", cmds) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < tx->exec.n; i++) {
		struct json_object *c = json_object_new_object();
		if (!c || json_object_array_add(cmds, c) < 0) {
			json_object_put(c);
			return -ENOMEM;
		}
		if (json_add(c, "run", json_object_new_string(tx->exec.v[i])) < 0 ||
		    json_add(c, "undo", json_object_new_string(tx->exec_undo.v[i])) < 0)
			return -ENOMEM;
	}
	if (json_add(json, "changed", json_object_new_boolean(changed)) < 0 ||
	    json_add(json, "applied", json_object_new_boolean(applied)) < 0 ||
	    (id ? json_add(json, "journal", json_object_new_string(id)) :
		  json_object_object_add(json, "journal", NULL)) < 0 ||
	    json_add(json, "diff", json_object_new_string(diff)) < 0 ||
	    cli_json_add_strv(json, "regenerate", &tx->regen) < 0 || cli_json_add_strv(json, "todo", todo) < 0)
		return -ENOMEM;
	return 0;
}

int cli_apply_json(const char *cmd, struct path_root *root, struct journal_tx *tx, bool apply, const char *chroot_dir,
		   const char *note, char **id_out, struct json_object *json)
{
	_cleanup_free_ char *diff = journal_tx_diff(tx), *id = NULL;
	_cleanup_error_ struct error err = { 0 };
	static const struct strv none = { 0 };
	struct journal_runner x;
	int k, out_err = 0;

	if (!diff) {
		cli_error("out of memory");
		return EXIT_PROBLEM;
	}
	if (!json)
		cli_put_text(stdout, diff);
	if (ferror(stdout))
		out_err = errno ? errno : EIO;
	if (!*diff && !tx->exec.n) {
		fprintf(stderr, "vfiokit: the files are as they should be already; nothing to do\n");
		if (json && cli_json_apply_result(json, tx, diff, false, false, NULL, &none) < 0)
			goto oom;
		return EXIT_OK;
	}
	for (size_t i = 0; !json && i < tx->exec.n; i++)
		cli_line(stdout, "# %s: %s   (undo: %s)", apply ? "runs" : "--apply runs", tx->exec.v[i], tx->exec_undo.v[i]);
	for (size_t i = 0; !json && i < tx->regen.n; i++)
		cli_line(stdout, "# %s: %s", apply ? "then runs" : "--apply then runs", tx->regen.v[i]);
	if (!apply) {
		fprintf(stderr, "vfiokit: nothing was changed; run again with --apply to make these changes "
				"(journaled: 'vfiokit undo' takes them back)\n");
		if (json && cli_json_apply_result(json, tx, diff, true, false, NULL, &none) < 0)
			goto oom;
		return EXIT_OK;
	}
	if (cli_need_modifies(cmd) < 0 || cli_need_root(root) < 0)
		return EXIT_PROBLEM;
	if (fflush(stdout) != 0 && !out_err)
		out_err = errno;
	cli_runner_init(&x, root, chroot_dir);
	if (json && x.run)
		x.run = run_command_stderr;
	k = journal_apply(root, tx, &x, &id, &err);
	if (k < 0) {
		strv_clear(&x.todo);
		cli_error("%s", err.msg ? err.msg : strerror(-k));
		return EXIT_PROBLEM;
	}
	fprintf(stderr, "vfiokit: done; journal entry %s ('vfiokit undo %s' takes it back)\n", id, id);
	if (json && cli_json_apply_result(json, tx, diff, true, true, id, &x.todo) < 0) {
		/* Applied: the entry is named above; the document cannot be made. */
		strv_clear(&x.todo);
		goto oom;
	}
	if (out_err) {
		/* The changes are made: say so, and why the exit status is 1. */
		cli_error("the changes were applied (journal entry %s), but the diff could not be written to standard "
			  "output: %s; 'vfiokit journal' lists the entry",
			  id, strerror(out_err));
		clearerr(stdout);
		cli_runner_done(&x, root);
		return EXIT_PROBLEM;
	}
	cli_runner_done(&x, root);
	if (note)
		cli_error("%s", note);
	if (id_out)
		*id_out = TAKE_PTR(id);
	return EXIT_OK;
oom:
	cli_error("out of memory");
	return EXIT_PROBLEM;
}

static const struct cli_column journal_cols[] = {
	{ "ID", 0.1, 0, SCOLS_JSON_STRING, "the entry, for vfiokit undo" },
	{ "TIME", 0.1, 0, SCOLS_JSON_STRING, "when it was applied (UTC)" },
	{ "STATE", 0.1, 0, SCOLS_JSON_STRING,
	  "applied, undone, partly applied or partly undone (stopped half-way: undo finishes it), or damaged" },
	{ "FILES", 0.3, 0, SCOLS_JSON_ARRAY_STRING, "the files it changed" },
	{ "COMMAND", 0.3, SCOLS_FL_TRUNC, SCOLS_JSON_STRING, "what made it (of a damaged entry: what is wrong)" },
	{ "RAN", 0.3, 0, SCOLS_JSON_ARRAY_STRING, "the changes it made by command (undo runs their inverses)" },
	{ "DRIFT", 0.2, 0, SCOLS_JSON_ARRAY_STRING, "its files changed since it wrote them (undo refuses them)" },
};

struct journal_opts {
	struct cli_table_opts t;
	const char *rootdir;
};

static void journal_help(void)
{
	fputs("Usage: vfiokit journal [OPTIONS]\n\n"
	      "List what vfiokit changed (/var/lib/vfiokit/journal), newest last.\n\n"
	      "Options:\n"
	      "  -J, --json, -o, --output LIST, -r, --raw, -n, --noheadings   as lsblk\n"
	      "      --root DIR       the journal of the machine copy in DIR\n"
	      "  -h, --help           this help\n\nColumns:\n",
	      stdout);
	cli_columns_help(&(struct cli_columns){ .info = journal_cols, .ninfo = ARRAY_SIZE(journal_cols) });
	fputs("\nSee vfiokit-journal(1).\n", stdout);
}

static int journal_parse(void *target, int val, const char *arg, const char *cmd)
{
	struct journal_opts *o = target;

	(void)arg;
	(void)cmd;
	cli_table_option(val, &o->t);
	return 0;
}

static const struct option_spec journal_specs[] = {
	CLI_TABLE_SPECS(CLI_SV_ALL, CLI_SV_ALL),
	CLI_COMMON_SPECS(struct journal_opts, rootdir),
};

static const struct cli_options journal_options = {
	"journal", NULL, 0, journal_specs, ARRAY_SIZE(journal_specs), journal_parse, journal_help,
};

int cmd_journal(int argc, char **argv)
{
	static const int all[] = { 0, 1, 2, 3, 6, 4 };
	const struct cli_column *cols = journal_cols;
	struct journal_opts o = { 0 };
	struct cli_table_opts t;
	struct cli_columns c;
	struct journal_entry *e = NULL;
	struct path_root *root = NULL;
	struct libscols_table *tb = NULL;
	const char *rootdir;
	bool seen[CLI_OPTIONS_MAX];
	size_t n = 0;
	int k = 0, r;

	r = cli_options_parse(&journal_options, "journal", argc, argv, &o, seen);
	if (r != 0)
		return r < 0 ? EXIT_OK : r;
	t = o.t;
	rootdir = o.rootdir;
	if (optind < argc)
		return cli_usage_error("journal", "unexpected argument '%s'", argv[optind]);
	cli_columns_init(&c, cols, ARRAY_SIZE(journal_cols), all, ARRAY_SIZE(all));
	if (t.columns && (r = cli_columns_parse(&c, "journal", t.columns)) != 0)
		return r;
	if (cli_open_root(rootdir, &root) < 0)
		return EXIT_USAGE;
	if ((k = journal_list(root, true, &e, &n)) < 0 || !(tb = cli_table_new(&c, "journal", t.json, t.raw, t.noheadings))) {
		cli_error("cannot read /%s: %s; run it again as root (sudo)",
			  JOURNAL_DIR, k < 0 ? path_strerror(k) : strerror(ENOMEM));
		r = EXIT_PROBLEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		struct libscols_line *ln = scols_table_new_line(tb, NULL);
		_cleanup_free_ char *files = strv_join(&e[i].paths, "\n"), *ran = strv_join(&e[i].commands, "\n"),
				    *drifted = strv_join(&e[i].drifted, "\n");
		if (!ln || !files || !ran || !drifted || (e[i].commands.n && cli_cell(ln, &c, 5, ran)) ||
		    (e[i].drifted.n && cli_cell(ln, &c, 6, drifted)) || cli_cell(ln, &c, 0, e[i].id) || cli_cell(ln, &c, 1, e[i].time) ||
		    cli_cell(ln, &c, 2, journal_state_name(e[i].state)) || cli_cell(ln, &c, 3, files) ||
		    cli_cell(ln, &c, 4, e[i].why ? e[i].why : e[i].command)) {
			cli_error("out of memory");
			r = EXIT_PROBLEM;
			goto out;
		}
	}
	cli_print_table(tb);
out:
	scols_unref_table(tb);
	journal_entries_free(e, n);
	path_root_free(root);
	return r;
}

struct undo_opts {
	bool force, dry, in_chroot, any_command;
	const char *rootdir;
};

static void undo_help(void)
{
	fputs("Usage: vfiokit undo [OPTIONS] [ID]\n\n"
	      "Put back, byte for byte, the files a journal entry changed (the newest entry not\n"
	      "undone when no ID is given), after showing the diff; then take back what its\n"
	      "commands changed (kernelstub -d, grubby --remove-args, rpm-ostree kargs\n"
	      "--delete-if-present) and run its regenerate commands again (update-initramfs,\n"
	      "update-grub, ...). Refused when a file changed since vfiokit wrote it, unless\n"
	      "--force; refused even then when a newer entry, not undone, changed the same\n"
	      "file (undo that one first). A file already back as it was is left alone, so\n"
	      "an apply or an undo stopped half-way (partly applied, partly undone) is\n"
	      "finished by a plain undo. ID is one 'vfiokit journal' shows\n"
	      "(20240131-235959); a damaged newest entry is refused, not skipped.\n\n"
	      "Options:\n"
	      "      --dry-run        show the diff and the commands only\n"
	      "      --force          undo even what changed since (never a newer entry's change)\n"
	      "      --root DIR       the machine copy in DIR (the commands are printed)\n"
	      "      --chroot         with --root: run the commands inside DIR with chroot(8);\n"
	      "                       only those vfiokit setup records (a journal in DIR may not\n"
	      "                       be vfiokit's): another is refused, shown, nothing changed\n"
	      "      --allow-unknown-commands\n"
	      "                       with --chroot: run the entry's other commands too\n"
	      "  -h, --help           this help\n\n"
	      "Exit status: 0 done, 1 refused or failed, 2 usage error. See vfiokit-undo(1).\n",
	      stdout);
}

static const struct option_spec undo_specs[] = {
	CLI_FLAG("force", CLI_SV_ALL, struct undo_opts, force),
	CLI_FLAG("dry-run", CLI_SV_ALL, struct undo_opts, dry),
	CLI_FLAG("chroot", CLI_SV_ALL, struct undo_opts, in_chroot),
	CLI_FLAG("allow-unknown-commands", CLI_SV_ALL, struct undo_opts, any_command),
	CLI_COMMON_SPECS(struct undo_opts, rootdir),
};

static const struct cli_options undo_options = {
	"undo", NULL, 0, undo_specs, ARRAY_SIZE(undo_specs), NULL, undo_help,
};

int cmd_undo(int argc, char **argv)
{
	_cleanup_free_ char *id = NULL, *diff = NULL;
	_cleanup_error_ struct error err = { 0 };
	struct undo_opts o = { 0 };
	struct path_root *root = NULL;
	const char *rootdir;
	struct journal_runner x;
	bool force, dry, in_chroot, any_command, seen[CLI_OPTIONS_MAX];
	int k, out_err = 0, lockfd = -1;

	k = cli_options_parse(&undo_options, "undo", argc, argv, &o, seen);
	if (k != 0)
		return k < 0 ? EXIT_OK : k;
	force = o.force;
	dry = o.dry;
	in_chroot = o.in_chroot;
	any_command = o.any_command;
	rootdir = o.rootdir;
	if (argc - optind > 1)
		return cli_usage_error("undo", "unexpected argument '%s'", argv[optind + 1]);
	if (in_chroot && !rootdir)
		return cli_usage_error("undo", "--chroot runs the commands inside --root DIR");
	if (any_command && !in_chroot)
		return cli_usage_error("undo", "--allow-unknown-commands goes with --chroot");
	/* An ID names a directory of the journal: never a path. */
	if (optind < argc && !journal_id_valid(argv[optind]))
		return cli_usage_error("undo", "'%s' is not a journal entry ID (they look like 20240131-235959; see "
					       "'vfiokit journal')", argv[optind]);
	if (cli_open_root(rootdir, &root) < 0)
		return EXIT_USAGE;
	if (!dry && cli_need_root(root) < 0) {
		path_root_free(root);
		return EXIT_PROBLEM;
	}
	/* From the check that the files are as the entry left them to the
	 * last command. */
	if (!dry && cli_lock(root, "vfiokit undo", &lockfd) < 0) {
		path_root_free(root);
		return EXIT_PROBLEM;
	}
	/* The diff and the commands first (a dry run), then the undo itself,
	 * whose commands' output follows. */
	x = (struct journal_runner){ 0 };
	if (!dry)
		journal_tidy(root);
	k = journal_undo(root, optind < argc ? argv[optind] : NULL, force, true, &x, &id, &diff, &err);
	if (diff)
		cli_put_text(stdout, diff);
	for (size_t i = 0; i < x.todo.n; i++)
		cli_line(stdout, "# %s: %s", dry ? "then runs" : "runs", x.todo.v[i]);
	if (ferror(stdout))
		out_err = errno ? errno : EIO;
	strv_clear(&x.todo);
	if (k >= 0 && !dry) {
		_cleanup_free_ char *id2 = NULL, *diff2 = NULL;
		error_clear(&err);
		if (fflush(stdout) != 0 && !out_err)
			out_err = errno;
		cli_runner_init(&x, root, in_chroot ? rootdir : NULL);
		if (in_chroot && !any_command)
			x.allowed = boot_command_recorded;
		k = journal_undo(root, id, force, false, &x, &id2, &diff2, &err);
		cli_runner_done(&x, root);
	}
	lock_release(lockfd);
	path_root_free(root);
	if (k == -EPERM && err.msg) {
		cli_error("%s. Read the entry ('vfiokit journal --root %s'); --allow-unknown-commands runs it anyway",
			  err.msg, rootdir);
		return EXIT_PROBLEM;
	}
	if (k < 0) {
		cli_error("%s", err.msg ? err.msg : strerror(-k));
		return EXIT_PROBLEM;
	}
	fprintf(stderr, dry ? "vfiokit: nothing was changed (--dry-run); journal entry %s\n" :
			      "vfiokit: journal entry %s undone\n", id);
	if (out_err && !dry) {
		cli_error("journal entry %s was undone, but the diff could not be written to standard output: %s; "
			  "'vfiokit journal' lists the entry",
			  id, strerror(out_err));
		clearerr(stdout);
		return EXIT_PROBLEM;
	}
	return EXIT_OK;
}
