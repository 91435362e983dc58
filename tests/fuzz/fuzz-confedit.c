/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer harness: the configuration edits of vfiokit setup on any text
 * (the first byte picks the edit, and for GRUB whether parameters are added
 * to GRUB_CMDLINE_LINUX_DEFAULT or same-named ones dropped from
 * GRUB_CMDLINE_LINUX, as grub.c does both). Invariants: an edit that succeeds,
 * run again on its own output, changes nothing; a refusal says why and
 * returns no text.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "plan/confedit.h"
#include "shared/macro.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct cmdline_edit P[] = { { CMDLINE_SET, "intel_iommu=on" },
				    { CMDLINE_SET, "iommu=pt" },
				    { CMDLINE_SET, "vfio-pci.ids=10de:13c2,10de:0fbb" },
				    { CMDLINE_REMOVE, "amd_iommu=on" } };
static const struct cmdline_edits params = { .v = P, .n = 4 };
static const char *const M[] = { "vfio_pci", "vfio", "vfio_iommu_type1" };
static const struct strv mods = { .v = (char **)M, .n = 3 };
static const char *const F[] = { "/usr/local/bin/vfio-pci-override.sh" };
static const struct strv files = { .v = (char **)F, .n = 1 };
static const char *const I[] = { "10de:13c2", "10de:0fbb" };
static const struct strv ids = { .v = (char **)I, .n = 2 };
static const char *const S[] = { "nouveau", "snd_hda_intel" };
static const struct strv softdeps = { .v = (char **)S, .n = 2 };
static struct cmdline_edit K[] = { { CMDLINE_SET_BOOL, "ignore_msrs=1" }, { CMDLINE_SET_BOOL, "report_ignored_msrs=0" } };
static const struct cmdline_edits kvm = { .v = K, .n = 2 };

static int edit(unsigned which, const char *text, char **ret, char **problem)
{
	*ret = *problem = NULL;
	switch (which % 10) {
	case 0:
		/* 0, 20, ...: added to GRUB_CMDLINE_LINUX_DEFAULT; 10, 30, ...:
		 * dropped from GRUB_CMDLINE_LINUX. */
		return (which / 10) % 2 ? shell_var_drop_params(text, "GRUB_CMDLINE_LINUX", &params, ret, problem) :
					  shell_var_add_params(text, "GRUB_CMDLINE_LINUX_DEFAULT", &params, ret, problem);
	case 1: return cmdline_file_add_params(text, &params, ret);
	case 2: return (*ret = list_file_add(text, &mods)) ? 0 : -ENOMEM;
	case 3: return mkinitcpio_conf_edit(text, &mods, &files, ret, problem);
	case 4: return booster_yaml_edit(text, &mods, ret, problem);
	case 5: return bls_entry_add_params(text, &params, ret);
	case 6: return limine_conf_add_params(text, &params, ret);
	case 7: return refind_conf_add_params(text, &params, ret, problem);
	case 8: return modprobe_vfio_edit(text, "# vfiokit\n", &ids, NULL, &softdeps, ret, problem);
	default:
		/* 9, 29, ...: the install line; 19, 39, ...: kvm's options (kvm.conf). */
		return (which / 10) % 2 ? modprobe_options_edit(text, "# vfiokit\n", "kvm", &kvm, ret, problem) :
					  modprobe_vfio_edit(text, "# vfiokit\n", &ids, F[0], &softdeps, ret, problem);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text, *once = NULL, *twice = NULL, *why = NULL, *why2 = NULL;
	int k;

	if (size < 1 || size > 65536)
		return 0;
	text = strndup((const char *)data + 1, size - 1); /* files are read as C strings */
	if (!text)
		return 0;
	k = edit(data[0], text, &once, &why);
	if (k == 0) {
		if (!once)
			abort();
		if (edit(data[0], once, &twice, &why2) != 0 || !twice || strcmp(once, twice) != 0)
			abort(); /* not idempotent */
	} else if (once || (k == -EINVAL && data[0] % 10 != 5 && !why))
		abort(); /* a refusal returns no text, and says why (BLS: $variables) */
	free(text);
	free(once);
	free(twice);
	free(why);
	free(why2);
	return 0;
}
