/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "shared/dlopen.h"

static int dlerror_text(struct error *err)
{
	const char *e = dlerror();

	return error_take(err, -EOPNOTSUPP, ERROR_FAILED, strdup(e ? e : "unknown dlopen error"));
}

int dlopen_many_sym(void **dlp, const char *filename, struct error *err, ...)
{
	void *dl;
	void **sym;
	va_list ap;
	int r = 0;

	if (*dlp)
		return 0;
	/* RTLD_NODELETE: a library that set up threads or atexit handlers stays
	 * mapped even if it is closed; systemd opens its optional ones so too. */
	dl = dlopen(filename, RTLD_NOW | RTLD_NODELETE);
	if (!dl)
		return dlerror_text(err);
	va_start(ap, err);
	while ((sym = va_arg(ap, void **))) {
		const char *name = va_arg(ap, const char *);

		(void)dlerror();
		*sym = dlsym(dl, name);
		if (!*sym) {
			r = dlerror_text(err);
			break;
		}
	}
	va_end(ap);
	if (r < 0) {
		/* Nothing half-loaded is kept: the pointers resolved so far point
		 * into a library that is closed again, and *dlp says so. */
		dlclose(dl);
		return r;
	}
	*dlp = dl;
	return 0;
}
