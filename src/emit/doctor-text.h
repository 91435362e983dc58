/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vfiokit doctor's findings as text for a person (the CLI escapes it). */
#pragma once

#include "plan/doctor.h"

/* One block per finding: severity, id and device, cause, fix, article
 * section, evidence lines; NULL on ENOMEM. */
char *doctor_text(const struct doctor_report *rep);
