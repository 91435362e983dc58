/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "plan/journal-entry.h"

const char *journal_state_name(enum journal_state st)
{
	switch (st) {
	case JOURNAL_APPLYING:
		return "partly applied";
	case JOURNAL_APPLIED:
		return "applied";
	case JOURNAL_UNDOING:
		return "partly undone";
	case JOURNAL_UNDONE:
		return "undone";
	case JOURNAL_DAMAGED:
		return "damaged";
	}
	return "?";
}
