/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdarg.h>

#include "shared/macro.h"

/* The one error type of a failure a user is told about: filled once, where
 * the failure is found (error_set()), passed up unchanged, said by the cli,
 * which alone maps the kind to an exit code (cli_error_exit()). A function
 * that takes a struct error * returns 0 or the negative errno it holds;
 * -ENOMEM may come without a message (none could be made). */
enum error_kind {
	ERROR_FAILED = 0, /* it could not be done: a refusal, a missing device, driver or firmware */
	ERROR_USAGE,      /* what the user typed cannot be: a usage error */
};

struct error {
	int errnum; /* negative errno: -EINVAL, -ENOENT, -EPERM, ... */
	enum error_kind kind;
	char *msg; /* what failed and the next command or option to run */
};

/* Fill e (its earlier message freed): returns errnum, or -ENOMEM when the
 * message cannot be made. */
int error_set(struct error *e, int errnum, enum error_kind kind, const char *fmt, ...) _printf_(4, 5);
int error_setv(struct error *e, int errnum, enum error_kind kind, const char *fmt, va_list ap) _printf_(4, 0);
/* The same with a message already made (taken; NULL: -ENOMEM). */
int error_take(struct error *e, int errnum, enum error_kind kind, char *msg);
void error_clear(struct error *e);
#define _cleanup_error_ _cleanup_(error_clear)
