/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdio.h>

#include "emit/doctor-text.h"

char *doctor_text(const struct doctor_report *rep)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	for (size_t i = 0; i < rep->n; i++) {
		const struct doctor_finding *d = &rep->f[i];
		char addr[PCI_ADDR_STRLEN];

		fprintf(f, "%s%-7s %s", i ? "\n" : "", doctor_severity_name(d->severity), d->sig->id);
		if (d->has_addr) {
			format_pci_addr(&d->addr, addr);
			fprintf(f, " %s", addr);
		}
		if (d->group >= 0)
			fprintf(f, " (group %ld)", d->group);
		fprintf(f, "\n  cause:    %s\n  fix:      ", d->cause ? d->cause : "");
		/* A fix of several lines (a udev rule): the others under the first. */
		for (const char *p = d->fix ? d->fix : ""; *p; p++)
			if (*p == '\n')
				fputs("\n            ", f);
			else
				fputc(*p, f);
		fprintf(f, "\n  section:  PCI passthrough via OVMF#%s\n", d->sig->section);
		for (size_t j = 0; j < d->evidence.n; j++)
			fprintf(f, "  %s %s\n", j ? "         " : "evidence:", d->evidence.v[j]);
		if (d->count > d->evidence.n)
			fprintf(f, "            (%llu more such lines)\n", (unsigned long long)(d->count - d->evidence.n));
	}
	if (rep->dropped)
		fprintf(f, "\n(%llu more matching lines past %d findings not shown)\n", (unsigned long long)rep->dropped,
			DOCTOR_FINDINGS_MAX);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}
