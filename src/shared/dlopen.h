/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once
/*
 * A library loaded when a command first needs it, as systemd does for its
 * optional libraries (src/shared/dlfcn-util.h, dlopen_many_sym_or_warn):
 * the commands that never use it do not pay for loading it and its own
 * dependencies, and a machine without it runs them all the same.
 *
 * Each symbol lives in a pointer typed after the library's own declaration
 * (its header is still included), so calls stay type-checked:
 *
 *   static typeof(virInitialize) *sym_virInitialize;
 *   r = dlopen_many_sym(&dl, "libvirt.so.0", &why, DLSYM_ARG(virInitialize), NULL);
 */
#include "shared/error.h"
#include "shared/macro.h"

/* &sym_NAME, "NAME", after checking that sym_NAME points to NAME's type. */
#define DLSYM_ARG(name)                                                                                  \
	({                                                                                               \
		_Static_assert(__builtin_types_compatible_p(typeof(sym_##name), typeof(&name)),          \
			       "sym_" #name " is not declared as typeof(" #name ") *");                    \
		(void **)&sym_##name;                                                                    \
	}),                                                                                              \
		#name

/* Opens filename (RTLD_NOW | RTLD_NODELETE) unless *dlp already holds it, and
 * resolves every (void **, const char *) pair that follows, up to NULL. 0
 * when all are there, and *dlp holds the library; else -EOPNOTSUPP with
 * err (ERROR_FAILED) holding dlerror()'s text (a missing file, a missing
 * symbol), *dlp left NULL and the library closed again, or -ENOMEM. Not
 * thread-safe: vfiokit loads its libraries from the one thread it has. */
int dlopen_many_sym(void **dlp, const char *filename, struct error *err, ...) __attribute__((sentinel));
