/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once
/*
 * Edits of configuration files that keep everything they do not own:
 * comments, order, other parameters, quoting. Pure: text in, text out.
 * Running an edit on its own output changes nothing.
 */
#include "strv.h"

/* In a shell-style KEY="..." file (/etc/default/grub), add params to the
 * value of the last assignment of key, keeping its quotes (", ' or none)
 * and continuation lines; a parameter already there with another value
 * (intel_iommu=off) is replaced; a missing key is appended. -EINVAL when
 * the assignment cannot be read safely (an unterminated quote, $( or `
 * in it): *problem says which line, and nothing is edited. */
int shell_var_add_params(const char *text, const char *key, const struct strv *params, char **ret, char **problem);

/* A kernel command line file (/etc/kernel/cmdline: one line): the same. */
int cmdline_file_add_params(const char *text, const struct strv *params, char **ret);

/* A list file, one item a line (/etc/initramfs-tools/modules): append the
 * items whose first word is on no line yet. */
char *list_file_add(const char *text, const struct strv *items);
