/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Configuration edits keep what they do not own, and a second run changes
 * nothing. The GRUB text is Debian 12's /usr/share/grub/default/grub. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "confedit.h"
#include "macro.h"

static const char *const P[] = { "intel_iommu=on", "iommu=pt" };
static const struct strv params = { .v = (char **)P, .n = 2 };

static void expect(const char *in, const char *out)
{
	char *r = NULL, *again = NULL, *problem = NULL;

	assert_int_equal(shell_var_add_params(in, "GRUB_CMDLINE_LINUX_DEFAULT", &params, &r, &problem), 0);
	assert_string_equal(r, out);
	assert_int_equal(shell_var_add_params(r, "GRUB_CMDLINE_LINUX_DEFAULT", &params, &again, &problem), 0);
	assert_string_equal(again, r); /* a second run changes nothing */
	free(r);
	free(again);
}

static void refuse(const char *in, const char *why)
{
	char *r = NULL, *problem = NULL;

	assert_int_equal(shell_var_add_params(in, "GRUB_CMDLINE_LINUX_DEFAULT", &params, &r, &problem), -EINVAL);
	assert_null(r);
	assert_non_null(strstr(problem, why));
	free(problem);
}

static void test_grub(void **state)
{
	expect("GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\nGRUB_CMDLINE_LINUX=\"\"\n",
	       "GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=on iommu=pt\"\nGRUB_CMDLINE_LINUX=\"\"\n");
	expect("GRUB_CMDLINE_LINUX_DEFAULT=\"quiet splash\"\n",
	       "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet splash intel_iommu=on iommu=pt\"\n");
	expect("GRUB_CMDLINE_LINUX_DEFAULT='quiet splash'\n",
	       "GRUB_CMDLINE_LINUX_DEFAULT='quiet splash intel_iommu=on iommu=pt'\n");
	expect("GRUB_CMDLINE_LINUX_DEFAULT=quiet\n", "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=on iommu=pt\"\n");
	expect("GRUB_CMDLINE_LINUX_DEFAULT=\"\"\n", "GRUB_CMDLINE_LINUX_DEFAULT=\"intel_iommu=on iommu=pt\"\n");
	/* A parameter there with another value is replaced where it stands. */
	expect("GRUB_CMDLINE_LINUX_DEFAULT=\"intel_iommu=off quiet\"\n",
	       "GRUB_CMDLINE_LINUX_DEFAULT=\"intel_iommu=on quiet iommu=pt\"\n");
	/* The last assignment is the one sh uses; comments and the rest stay. */
	expect("# GRUB_CMDLINE_LINUX_DEFAULT=\"old\"\nGRUB_CMDLINE_LINUX_DEFAULT=\"a\"\n  GRUB_CMDLINE_LINUX_DEFAULT=\"b\" # mine\n",
	       "# GRUB_CMDLINE_LINUX_DEFAULT=\"old\"\nGRUB_CMDLINE_LINUX_DEFAULT=\"a\"\n  GRUB_CMDLINE_LINUX_DEFAULT=\"b intel_iommu=on iommu=pt\" # mine\n");
	/* Continuation lines and escaped quotes are kept as they are. */
	expect("GRUB_CMDLINE_LINUX_DEFAULT=\"quiet \\\n  splash\"\nX=1\n",
	       "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet \\\n  splash intel_iommu=on iommu=pt\"\nX=1\n");
	expect("GRUB_CMDLINE_LINUX_DEFAULT=\"quiet acpi_osi=\\\"Windows 2015\\\"\"\n",
	       "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet acpi_osi=\\\"Windows 2015\\\" intel_iommu=on iommu=pt\"\n");
	/* Not there at all: appended. */
	expect("GRUB_DEFAULT=0", "GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX_DEFAULT=\"intel_iommu=on iommu=pt\"\n");
	expect("", "GRUB_CMDLINE_LINUX_DEFAULT=\"intel_iommu=on iommu=pt\"\n");
	/* What cannot be edited safely is left alone, and said. */
	refuse("GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\nGRUB_TIMEOUT=5\n", "no closing \"");
	refuse("A=1\nGRUB_CMDLINE_LINUX_DEFAULT=\"$(cat /etc/mine)\"\n", "line 2");
	refuse("GRUB_CMDLINE_LINUX_DEFAULT=`cat x`\n", "runs a command");
}

static void test_cmdline_file(void **state)
{
	char *r = NULL, *again = NULL;

	assert_int_equal(cmdline_file_add_params("root=UUID=1234 ro quiet\n", &params, &r), 0);
	assert_string_equal(r, "root=UUID=1234 ro quiet intel_iommu=on iommu=pt\n");
	assert_int_equal(cmdline_file_add_params(r, &params, &again), 0);
	assert_string_equal(again, r);
	free(r);
	free(again);
}

static void test_list(void **state)
{
	static const char *const M[] = { "vfio_pci", "vfio", "vfio_iommu_type1" };
	const struct strv mods = { .v = (char **)M, .n = 3 };
	const char *tmpl = "# List of modules that you want to include in your initramfs.\n# Examples:\n#\n# raid1\n# sd_mod\n";
	char *r = list_file_add(tmpl, &mods), *again;

	assert_non_null(r);
	assert_true(startswith(r, tmpl));
	assert_string_equal(r + strlen(tmpl), "vfio_pci\nvfio\nvfio_iommu_type1\n");
	again = list_file_add(r, &mods);
	assert_string_equal(again, r);
	free(again);
	free(r);
	/* A module listed with options, or indented, counts; a comment does not. */
	r = list_file_add("  vfio_pci ids=1:2\n# vfio\nvfio_iommu_type1", &mods);
	assert_string_equal(r, "  vfio_pci ids=1:2\n# vfio\nvfio_iommu_type1\nvfio\n");
	free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grub),
		cmocka_unit_test(test_cmdline_file),
		cmocka_unit_test(test_list),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
