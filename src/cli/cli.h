/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <getopt.h>
#include <stddef.h>
#include <libsmartcols/libsmartcols.h>
#include <stdbool.h>
#include <sys/types.h>

#include "host/host.h"
#include "plan/refuse.h"
#include "shared/error.h"

/* Exit codes (docs/man/vfiokit.1.scd). */
enum {
	EXIT_OK = 0,
	EXIT_PROBLEM = 1, /* a check failed, or the operation could not be done */
	EXIT_USAGE = 2,
};

/* What a verb needs; the dispatcher enforces it in one place
 * (src/cli/vfiokit.c: dispatch(), cli_need_root()). */
enum verb_flags {
	VERB_READS_HOST = 1 << 0, /* takes --root */
	VERB_NEEDS_ROOT = 1 << 1, /* must run as uid 0 when it touches the live machine */
	VERB_MODIFIES = 1 << 2,   /* can change the machine (the live one, or the copy --root names) */
};

struct verb {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
	unsigned flags;
	const char *root_why; /* VERB_NEEDS_ROOT: what it does as root, and how to do without */
};

/* The verb dispatch() runs (and the sub-verb its command chose), for
 * cli_need_root() and cli_need_modifies(). */
void cli_verb_enter(const struct verb *v);
const struct verb *cli_verb_running(void);
struct subverb;
void cli_subverb_enter(const struct subverb *s);
/* What VERB_MODIFIES means: the one lock (cli_lock()) and the one journal
 * write (cli_apply() with apply) call this before they change anything, and
 * it refuses unless the running verb, and its sub-verb when it has one,
 * says VERB_MODIFIES in its table. 0, or -EPERM after saying so. */
int cli_need_modifies(const char *what);

/* Sub-verbs ("tune pin", "vm create") and their options as data
 * (src/cli/options.c): each option names the sub-verbs that take it, and
 * the one check says "--foo does not apply to 'vm edit': it is one of the
 * options of create". Adding an option or a sub-verb is one line. */
struct subverb {
	const char *name;
	unsigned flags; /* VERB_MODIFIES: it may change the machine (so must its verb) */
};

enum cli_opt_kind {
	CLI_OPT_CALL,   /* the command's parse() takes it */
	CLI_OPT_FLAG,   /* the bool at offset becomes true */
	CLI_OPT_STRING, /* the const char * at offset becomes the argument */
	CLI_OPT_HELP,   /* help(), and the command ends with exit status 0 */
};

struct option_spec {
	const char *name;  /* the long option, without "--" */
	int has_arg;       /* no_argument or required_argument */
	int val;           /* what parse() is given: a letter for a short option; 0: made from its index */
	unsigned subverbs; /* bit i: subverbs[i] takes it (CLI_SV(i)); CLI_SV_ALL: every one */
	enum cli_opt_kind kind;
	size_t offset; /* CLI_OPT_FLAG and CLI_OPT_STRING: where, in the command's target */
};

#define CLI_SV(i) (1u << (i))
#define CLI_SV_ALL (~0u)
#define CLI_OPTIONS_MAX 96
/* The values made for options without their own (val 0). */
#define CLI_OPT_VAL_BASE 0x4000
/* One line an option (clang-format would spread each over four). */
/* clang-format off */
/* CLI_FLAG("pin", subverbs, struct vm_opts, rq.pin): the type and the field, for offsetof(). */
#define CLI_FLAG(name, subs, ...) { name, no_argument, 0, subs, CLI_OPT_FLAG, offsetof(__VA_ARGS__) }
#define CLI_STRING(name, subs, ...) { name, required_argument, 0, subs, CLI_OPT_STRING, offsetof(__VA_ARGS__) }
#define CLI_CALL(name, has_arg, val, subs) { name, has_arg, val, subs, CLI_OPT_CALL, 0 }
/* The same with a short option: CLI_FLAG_SHORT("json", 'J', subverbs, struct check_opts, json) is -J too. */
#define CLI_FLAG_SHORT(name, c, subs, ...) { name, no_argument, c, subs, CLI_OPT_FLAG, offsetof(__VA_ARGS__) }
#define CLI_STRING_SHORT(name, c, subs, ...) { name, required_argument, c, subs, CLI_OPT_STRING, offsetof(__VA_ARGS__) }
/* --root DIR and --help, which every sub-verb takes. */
#define CLI_COMMON_SPECS(type, rootfield) \
	CLI_STRING("root", CLI_SV_ALL, type, rootfield), { "help", no_argument, 'h', CLI_SV_ALL, CLI_OPT_HELP, 0 }
/* -J, -o, -r, -n (given to parse() as 'J', 'o', 'r', 'n': cli_table_option()). */
#define CLI_TABLE_SPECS(subs_json, subs_output) \
	CLI_CALL("json", no_argument, 'J', subs_json), CLI_CALL("output", required_argument, 'o', subs_output), \
	CLI_CALL("raw", no_argument, 'r', subs_json), CLI_CALL("noheadings", no_argument, 'n', subs_json)
/* The --allow-* options (plan/refuse.h): parse() is given base + enum refusal_kind (cli_allow_option()). */
#define CLI_ALLOW_SPECS(base, subs) \
	CLI_CALL("allow-display", no_argument, (base) + REFUSE_DISPLAY, subs), \
	CLI_CALL("allow-mounted", no_argument, (base) + REFUSE_MOUNT, subs), \
	CLI_CALL("allow-default-route", no_argument, (base) + REFUSE_ROUTE, subs), \
	CLI_CALL("allow-host-bridge", no_argument, (base) + REFUSE_HOST_BRIDGE, subs), \
	CLI_CALL("allow-nonviable", no_argument, (base) + REFUSE_NONVIABLE, subs)
/* clang-format on */

struct cli_options {
	const char *cmd; /* "tune": the verb, for the messages */
	const struct subverb *subverbs;
	size_t nsubverbs;
	const struct option_spec *specs;
	size_t nspecs;
	/* A CLI_OPT_CALL option with its argument: 0, or an exit code after
	 * saying why (cli_usage_error(cmd, ...)). */
	int (*parse)(void *target, int val, const char *arg, const char *cmd);
	void (*help)(void);
};

/* getopt_long over argv with d's options, into target; seen[i]: specs[i]
 * was given. 0; -1 after --help; or an exit code after saying why. */
int cli_options_parse(const struct cli_options *d, const char *cmd, int argc, char **argv, void *target,
		      bool seen[CLI_OPTIONS_MAX]);
/* Every option given must be one of sub-verb sv's: 0, or EXIT_USAGE after
 * naming the first that is not and the sub-verbs it belongs to. */
int cli_options_check(const struct cli_options *d, const char *cmd, size_t sv, const bool seen[CLI_OPTIONS_MAX]);
/* The index of the sub-verb called name, or -1. */
ssize_t cli_subverb_find(const struct cli_options *d, const char *name);

/* The one privilege check, from the verb table: a command calls it where it
 * is about to touch the live machine (never with --root DIR, --dry-run or a
 * plan-only run). 0 when root may go on or ROOT is a copy; otherwise the
 * verb's reason is printed and -EPERM returned. */
int cli_need_root(const struct path_root *root);

int cmd_groups(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_snapshot(int argc, char **argv);
int cmd_bind(int argc, char **argv);
int cmd_unbind(int argc, char **argv);
int cmd_handover(int argc, char **argv);
int cmd_rom(int argc, char **argv);
int cmd_tune(int argc, char **argv);
int cmd_journal(int argc, char **argv);
int cmd_undo(int argc, char **argv);
int cmd_setup(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_next(int argc, char **argv);
int cmd_vm(int argc, char **argv);
int cmd_doctor(int argc, char **argv);
int cmd_inventory(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_report(int argc, char **argv);

struct inventory;
/* The inventory of the host under root (cmd-inventory.c); errors said. 0 or -errno. */
int cli_inventory_load(struct path_root *root, struct inventory *ret);
/* An inventory document the user names (export --from, verify --against):
 * a regular file of at most 16 MiB, parsed; errors said, naming the path. */
int cli_inventory_read(const char *path, struct inventory *ret);

struct journal_tx;
struct journal_runner;
/* Show tx as a diff and the commands it runs; with apply, write it through
 * the journal and run its commands (on the live machine, or inside
 * chroot_dir; on a machine copy they are printed, to run inside it), then
 * say note (when not NULL); *id_out (when not NULL) gets the entry, NULL
 * when nothing was written. An exit code. */
int cli_apply(const char *cmd, struct path_root *root, struct journal_tx *tx, bool apply, const char *chroot_dir,
	      const char *note, char **id_out);
struct json_object;
/* cli_apply for -J (json not NULL): nothing on standard output; the outcome
 * goes into json (cli_json_apply_result), the commands' standard output to
 * standard error. Messages stay on standard error. */
int cli_apply_json(const char *cmd, struct path_root *root, struct journal_tx *tx, bool apply, const char *chroot_dir,
		   const char *note, char **id_out, struct json_object *json);
/* Members of json: changed (something to change: changed with --apply, to
 * change without), applied, journal (the entry, or null), diff, commands
 * (run and undo of each), regenerate, todo (left to run inside a machine
 * copy). docs/commands.md describes them. 0 or -ENOMEM. */
int cli_json_apply_result(struct json_object *json, const struct journal_tx *tx, const char *diff, bool changed,
			  bool applied, const char *id, const struct strv *todo);
/* s as an array of strings, member key of o. 0 or -ENOMEM. */
int cli_json_add_strv(struct json_object *o, const char *key, const struct strv *s);
struct setup_plan;
/* A setup plan (setup, tune pin/hugepages --apply): what it found and
 * decided, as lines, then its files, commands and regenerate commands
 * through cli_apply, as the journal entry "vfiokit CMD". With json (setup
 * -J), the same as members of json instead (cli_apply_json). An exit code. */
int cli_setup_show_apply(const char *cmd, const struct host *h, const struct setup_plan *p, bool apply,
			 const char *chroot_dir, char **id, struct json_object *json);
/* A runner for the journal's commands (see cli_apply); done prints what is
 * left to run inside a machine copy, and frees. */
void cli_runner_init(struct journal_runner *x, struct path_root *root, const char *chroot_dir);
void cli_runner_done(struct journal_runner *x, struct path_root *root);

/* The single-GPU hook for guest and the device h->pci[dev] (emit/hook.h)
 * into tx, as etc/libvirt/hooks/qemu.d/vfiokit_handover-GUEST (handover
 * hook, vm create --single-gpu). 0, or an exit code after saying why. */
int cli_handover_hook_add(const struct host *h, const char *guest, size_t dev, unsigned timeout, const char *vfiokit,
			  struct journal_tx *tx);
/* Where libvirt's qemu hooks live, under the root. */
#define CLI_HOOK_DIR "etc/libvirt/hooks/qemu.d"
/* A hook's script into tx as CLI_HOOK_DIR/file, mode 0755 (tune hook,
 * handover hook): 0, or EXIT_PROBLEM after saying why (out of memory, the
 * journal's refusal of the path, or the file that could not be read). */
int cli_hook_add(struct journal_tx *tx, struct path_root *root, const char *file, const char *script);
/* The vfiokit a hook runs: given (--vfiokit PATH, absolute), else this
 * program (/proc/self/exe). 0, or an exit code after saying why. */
int cli_self_path(const char *given, char **ret);

/* Write data to a new file of that mode, never over an existing one
 * (fsync, removed again when a write fails). 0 or -errno, said on stderr. */
/* Open a file the user names (not under --root) for reading: a FIFO or a
 * device node is -PATH_ENOTREG, never opened for a read that would block. */
int cli_open_regular(const char *path);
int cli_write_new(const char *path, const void *data, size_t len, mode_t mode);

/* The options that lift the refusals of plan/refuse.h, for every verb that
 * takes devices from the host (bind, vm, setup): CLI_ALLOW_SPECS(base),
 * each given to parse() as base + its enum refusal_kind. Take c when it is
 * one of them: allow[kind] := true. */
bool cli_allow_option(int c, int base, bool allow[_REFUSE_MAX]);
/* The help paragraph on the refusals and their options; nonviable: the verb
 * takes --allow-nonviable (a runtime rule: bind and vm). */
void cli_allow_help(bool nonviable);
/* Say each refusal: one that allow[] lifts as a warning ("... (allowed by
 * --allow-display)"), the others as "refused: ... To do it anyway:
 * --allow-display". Returns how many were not lifted. */
size_t cli_print_refusals(const struct refusal_list *l, const bool allow[_REFUSE_MAX]);

/* Take the root's lock (apply/lock.h) for command, before the host is read:
 * 0 with *fd to lock_release() at the end (-1: a user other than root on
 * the live machine, who takes none), or -1 after saying who holds it. */
int cli_lock(struct path_root *root, const char *command, int *fd);
/* Open --root (default "/"), printing a clear error on failure. */
int cli_open_root(const char *dir, struct path_root **ret);
/* Load the model, printing input problems as warnings on stderr; a
 * libxml2 that libvirt's guests need and that cannot be loaded said as
 * cli_libxml_load() says it. */
int cli_load_host(struct path_root *root, unsigned flags, struct host **ret);
/* libxml2 (shared/libxml.h) for a command that writes or reads XML, before
 * it changes anything: 0, or -1 after saying which library could not be
 * loaded, why, and what to install. A command without XML never calls it. */
int cli_libxml_load(void);
void cli_print_diags(const struct host *h);
/* Colour only on a terminal, and never with NO_COLOR set (no-color.org). */
bool cli_use_color(int fd);
/* Messages and lines of plans: formatted, then every control byte and
 * invalid UTF-8 written as \xHH (escape.h), then a newline. Text from the
 * machine reaches stdout and stderr only through these and cli_print_table. */
int cli_usage_error(const char *cmd, const char *fmt, ...) _printf_(2, 3);
/* The one mapping of an error (shared/error.h) to an exit code: its message
 * said, ERROR_USAGE as cli_usage_error(cmd, ...) does (EXIT_USAGE), any
 * other EXIT_PROBLEM; without a message, -ENOMEM is "out of memory". */
int cli_error_exit(const char *cmd, const struct error *e);
void cli_error(const char *fmt, ...) _printf_(1, 2);
void cli_warn(const char *fmt, ...) _printf_(1, 2);
void cli_line(FILE *f, const char *fmt, ...) _printf_(2, 3);
/* Lines of text to show, a diff of files or of a domain: escaped as
 * cli_line does, but newlines and tabs are kept. */
void cli_put_text(FILE *f, const char *text);

/* -J, -o, -r, -n, as lsblk takes them (CLI_TABLE_SPECS). */
struct cli_table_opts {
	bool json, raw, noheadings;
	const char *columns; /* -o LIST, NULL when not given */
};
/* Take c (the value parse() is given) when it is one of those; false otherwise. */
bool cli_table_option(int c, struct cli_table_opts *t);

/* Columns of an lsblk-style table: what -o chooses from. */
struct cli_column {
	const char *name;
	double whint;
	int flags; /* SCOLS_FL_* */
	int json;  /* SCOLS_JSON_* */
	const char *help;
};

struct cli_columns {
	const struct cli_column *info;
	size_t ninfo;
	int cols[64]; /* shown, in order: indexes into info */
	size_t ncols;
};

void cli_columns_init(struct cli_columns *c, const struct cli_column *info, size_t ninfo, const int *defaults,
		      size_t ndefaults);
/* -o LIST replaces the columns; -o +LIST adds to them (as lsblk). 0 or EXIT_USAGE. */
int cli_columns_parse(struct cli_columns *c, const char *cmd, const char *list);
bool cli_columns_shown(const struct cli_columns *c, int col);
void cli_columns_help(const struct cli_columns *c);
/* A table with those columns (array columns wrap at newlines); NULL on ENOMEM. */
struct libscols_table *cli_table_new(const struct cli_columns *c, const char *name, bool json, bool raw,
				     bool noheadings);
/* Set a cell if its column is shown (NULL: left empty). 0 or -ENOMEM. */
int cli_cell(struct libscols_line *ln, const struct cli_columns *c, int col, const char *val);
int cli_cellf(struct libscols_line *ln, const struct cli_columns *c, int col, const char *fmt, ...) _printf_(4, 5);
/* Print tb on stdout: a table as libsmartcols escapes it, JSON with what it
 * leaves raw escaped too (valid UTF-8, no control byte). 0, -ENOMEM, -EIO. */
int cli_print_table(struct libscols_table *tb);
