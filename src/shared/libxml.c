/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>

#include "shared/dlopen.h"
#include "shared/libxml.h"

#if VFIOKIT_LIBXML2_DLOPEN
#define LIBXML_SYM_DEFINE(name) typeof(name) *sym_##name;
#define LIBXML_SYM_ARG(name) DLSYM_ARG(name),
#else
#define LIBXML_SYM_DEFINE(name) typeof(name) *const sym_##name = &name;
#endif
LIBXML_SYMBOLS(LIBXML_SYM_DEFINE)

int libxml_load(struct error *err)
{
#if VFIOKIT_LIBXML2_DLOPEN
	static void *dl;
	_cleanup_error_ struct error why = { 0 }, ignored = { 0 };
	int r;

	if (dl)
		return 0;
	if (!err)
		err = &ignored;
	r = dlopen_many_sym(&dl, LIBXML_SONAME, &why, LIBXML_SYMBOLS(LIBXML_SYM_ARG) NULL);
	if (r == -EOPNOTSUPP)
		r = error_set(err, -ELIBACC, ERROR_FAILED,
			      "libxml2 (%s) could not be loaded: %s; install it: 'apt install " LIBXML_DEB_PACKAGE
			      "' (Debian), "
			      "'dnf install libxml2' (Fedora)",
			      LIBXML_SONAME, why.msg);
	else if (r < 0)
		r = error_take(err, r, ERROR_FAILED, NULL);
	return r;
#else
	return 0;
#endif
}
