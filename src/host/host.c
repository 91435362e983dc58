/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdarg.h>

#include "host/host.h"

void host_diag(struct host *h, const char *rel, const char *fmt, ...)
{
	_cleanup_free_ char *msg = NULL;
	char *line;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (!msg) {
		h->diags_lost = true;
		return;
	}
	while (*rel == '/')
		rel++;
	/* Paths are shown as the machine names them: /sys/..., whatever the root.
	 * Names and values come from the input and are kept as they are: what
	 * prints a diag (a terminal, the snapshot's info file) escapes it, with
	 * text_escape(), so that none can forge a line or drive a terminal. */
	line = strdupf("/%s: %s", rel, msg);
	if (strv_push_take(&h->diags, line) < 0)
		h->diags_lost = true;
}

int host_load(struct path_root *root, unsigned flags, struct host **ret)
{
	struct host *h = calloc(1, sizeof(*h));
	int k = 0;

	if (!h)
		return -ENOMEM;
	h->root = root;
	if (flags & HOST_LOAD_USB)
		flags |= HOST_LOAD_PCI;
	if (flags & HOST_LOAD_PCI) {
		if ((k = pci_load(h, flags)) < 0 || (k = iommu_load_groups(h)) < 0)
			goto fail;
		if ((flags & HOST_LOAD_NAMES) && (k = names_load(h)) < 0)
			goto fail;
		if ((flags & HOST_LOAD_USB) && (k = usb_load(h)) < 0)
			goto fail;
		if ((flags & HOST_LOAD_USAGE) && (k = usage_load(h)) < 0)
			goto fail;
		if ((flags & HOST_LOAD_HOLDERS) && (k = holders_load(h)) < 0)
			goto fail;
	}
	if ((k = kernel_load(h, flags & HOST_LOAD_MODULES)) < 0)
		goto fail;
	if ((flags & HOST_LOAD_MODULES) && (flags & HOST_LOAD_PCI) && (k = kernel_match_modules(h)) < 0)
		goto fail;
	if (flags & HOST_LOAD_SYSTEM) {
		if ((k = iommu_load_state(h)) < 0 || (k = system_load(h)) < 0)
			goto fail;
	}
	if (flags & HOST_LOAD_TUNING)
		flags |= HOST_LOAD_TOPOLOGY;
	if ((flags & HOST_LOAD_TOPOLOGY) && (k = topology_load(h)) < 0)
		goto fail;
	if ((flags & HOST_LOAD_TUNING) && (k = tuning_load(h)) < 0)
		goto fail;
	if ((flags & HOST_LOAD_BOOT) && (k = boot_load(h)) < 0)
		goto fail;
	/* Only boot-time isolation asks whether / is encrypted (the early KMS
	 * driver): no other command reads mountinfo and walks dm/ for it. */
	if ((flags & HOST_LOAD_BOOT) && (flags & HOST_LOAD_SYSTEM) && (k = system_load_root_crypt(h)) < 0)
		goto fail;
	if ((flags & HOST_LOAD_PROGRESS) && (k = progress_load(h)) < 0)
		goto fail;
	/* A model that lost a problem would report a machine better than it is. */
	if (h->diags_lost) {
		k = -ENOMEM;
		goto fail;
	}
	*ret = h;
	return 0;
fail:
	host_free(h);
	return k;
}

void host_free(struct host *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < h->npci; i++)
		pci_device_free(&h->pci[i]);
	free(h->pci);
	for (size_t i = 0; i < h->ngroups; i++) {
		free(h->groups[i].devs);
		strv_clear(&h->groups[i].missing);
	}
	free(h->groups);
	kernel_free(&h->kernel);
	topology_free(&h->topo);
	tuning_free(&h->tuning);
	boot_free(&h->boot);
	progress_free(&h->progress);
	strv_clear(&h->iommu.units);
	strv_clear(&h->iommu.acpi_tables);
	strv_clear(&h->iommu.vfio_intx);
	strv_clear(&h->iommu.vfio_msi);
	system_free(h);
	free(h->pci_ids);
	strv_clear(&h->names);
	strv_clear(&h->diags);
	strv_clear(&h->pci_drivers);
	for (size_t i = 0; i < ARRAY_SIZE(h->usage_unknown); i++)
		free(h->usage_unknown[i]);
	strv_clear(&h->block_used);
	strv_clear(&h->block_used_what);
	free(h->display_manager);
	free(h->display_manager_unknown);
	free(h);
}
