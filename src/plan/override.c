/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "host/host.h"
#include "plan/override.h"
#include "shared/template.h"

int override_script(const char *devs, char **ret)
{
	/* The list goes in double quotes, as the host's parser of an earlier
	 * setup's script (override_script_devs) reads it back. */
	const struct tmpl_var vars[] = {
		{ "DEVS", TMPL_WORD, devs, false },
		{ NULL, 0, NULL, false },
	};

	return tmpl_render(tmpl_vfio_pci_override, vars, ret, NULL);
}

int override_initramfs_hook(char **ret)
{
	const struct tmpl_var vars[] = {
		{ "OVERRIDE_SCRIPT", TMPL_WORD, OVERRIDE_SCRIPT, false },
		{ NULL, 0, NULL, false },
	};

	return tmpl_render(tmpl_initramfs_tools_hook, vars, ret, NULL);
}
