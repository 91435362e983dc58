/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdarg.h>
#include <stdlib.h>

#include "shared/error.h"

int error_take(struct error *e, int errnum, enum error_kind kind, char *msg)
{
	free(e->msg);
	*e = (struct error){ .errnum = msg ? errnum : -ENOMEM, .kind = kind, .msg = msg };
	return e->errnum;
}

int error_setv(struct error *e, int errnum, enum error_kind kind, const char *fmt, va_list ap)
{
	char *msg;

	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	return error_take(e, errnum, kind, msg);
}

int error_set(struct error *e, int errnum, enum error_kind kind, const char *fmt, ...)
{
	va_list ap;
	int k;

	va_start(ap, fmt);
	k = error_setv(e, errnum, kind, fmt, ap);
	va_end(ap);
	return k;
}

void error_clear(struct error *e)
{
	free(e->msg);
	*e = (struct error){ 0 };
}
