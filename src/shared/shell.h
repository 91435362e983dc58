/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once
/* Every value vfiokit puts into generated shell goes through sh_quote. */

/* s as one POSIX shell word: in single quotes, each ' written '\''.
 * Heap text; NULL on ENOMEM. */
char *sh_quote(const char *s);
/* s made safe as a file name and a systemd unit name: [A-Za-z0-9.-] kept,
 * every other byte written _XX (hex), so that different names stay
 * different. Heap text; NULL on ENOMEM. */
char *name_escape(const char *s);
