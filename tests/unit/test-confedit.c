/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Configuration edits keep what they do not own, and a second run changes
 * nothing. The GRUB text is Debian 12's /usr/share/grub/default/grub. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "plan/confedit.h"
#include "shared/macro.h"

static struct cmdline_edit P[] = { { CMDLINE_SET, "intel_iommu=on" }, { CMDLINE_SET, "iommu=pt" } };
static const struct cmdline_edits params = { .v = P, .n = 2 };

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

/* GRUB_CMDLINE_LINUX comes first on the kernel's line: a parameter of the
 * same name there is taken out (the kernel keeps the first isolcpus=), the
 * removals done, nothing added; GRUB_CMDLINE_LINUX_DEFAULT left alone. */
static void test_grub_drop(void **state)
{
	static struct cmdline_edit E[] = { { CMDLINE_SET, "isolcpus=5,11" }, { CMDLINE_REMOVE, "amd_iommu=on" } };
	static const struct cmdline_edits e = { .v = E, .n = 2 };
	char *r = NULL, *problem = NULL;

	assert_int_equal(shell_var_drop_params("GRUB_CMDLINE_LINUX_DEFAULT=\"quiet isolcpus=1\"\n"
					       "GRUB_CMDLINE_LINUX=\"isolcpus=2-5 splash amd_iommu=on\"\n",
					       "GRUB_CMDLINE_LINUX", &e, &r, &problem),
			 0);
	assert_string_equal(r, "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet isolcpus=1\"\nGRUB_CMDLINE_LINUX=\"splash\"\n");
	free(r);
	/* Not there: the text as it was, no assignment appended. */
	assert_int_equal(shell_var_drop_params("GRUB_TIMEOUT=5\n", "GRUB_CMDLINE_LINUX", &e, &r, &problem), 0);
	assert_string_equal(r, "GRUB_TIMEOUT=5\n");
	free(r);
}

/* Two assignments of the key: sh runs the file, so an earlier one that
 * holds a parameter the edit would change may reach the kernel (a later
 * $KEY takes it in, first on the line, where the kernel keeps the first
 * isolcpus=; an if may skip the last): refused, both lines named. An
 * earlier one without such a parameter, or with the very same one, leaves
 * the last to edit; export KEY= is an assignment too. */
static void test_grub_assigned_twice(void **state)
{
	static struct cmdline_edit E[] = { { CMDLINE_SET, "isolcpus=6-11" }, { CMDLINE_SET, "intel_iommu=on" },
					   { CMDLINE_REMOVE, "amd_iommu=on" } };
	static const struct cmdline_edits e = { .v = E, .n = 3 };
	static const struct {
		const char *text, *why;
	} refused[] = {
		{ "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet isolcpus=2-5\"\nX=1\n"
		  "GRUB_CMDLINE_LINUX_DEFAULT=\"$GRUB_CMDLINE_LINUX_DEFAULT splash\"\n",
		  "lines 1 and 3 both assign GRUB_CMDLINE_LINUX_DEFAULT, and line 1 has isolcpus=2-5" },
		{ "GRUB_CMDLINE_LINUX_DEFAULT=quiet\nGRUB_CMDLINE_LINUX_DEFAULT='amd_iommu=on'\n"
		  "if [ -e /x ]; then\n\tGRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\nfi\n",
		  "lines 2 and 4 both assign GRUB_CMDLINE_LINUX_DEFAULT, and line 2 has amd_iommu=on" },
		{ "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet \\\n isolcpus=1\"\nexport GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n",
		  "lines 1 and 3 both assign" },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(refused); i++)
		for (int drop = 0; drop < 2; drop++) {
			char *r = NULL, *problem = NULL;
			assert_int_equal((drop ? shell_var_drop_params : shell_var_add_params)(refused[i].text,
											   "GRUB_CMDLINE_LINUX_DEFAULT",
											   &e, &r, &problem),
					 -EINVAL);
			assert_null(r);
			assert_non_null(problem);
			if (!strstr(problem, refused[i].why))
				fail_msg("%s: %s", refused[i].text, problem);
			free(problem);
		}
	{
		static const char *const ok[][2] = {
			/* The earlier without the parameter, or with the same value. */
			{ "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\" # was isolcpus=2-5\n"
			  "GRUB_CMDLINE_LINUX_DEFAULT=\"$GRUB_CMDLINE_LINUX_DEFAULT isolcpus=1\"\n",
			  "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\" # was isolcpus=2-5\n"
			  "GRUB_CMDLINE_LINUX_DEFAULT=\"$GRUB_CMDLINE_LINUX_DEFAULT isolcpus=6-11 intel_iommu=on\"\n" },
			{ "GRUB_CMDLINE_LINUX_DEFAULT=\"intel_iommu=on\"\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n",
			  "GRUB_CMDLINE_LINUX_DEFAULT=\"intel_iommu=on\"\n"
			  "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet isolcpus=6-11 intel_iommu=on\"\n" },
			/* export: the last assignment, edited with its export. */
			{ "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n  export\tGRUB_CMDLINE_LINUX_DEFAULT=\"quiet splash\"\n",
			  "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n"
			  "  export\tGRUB_CMDLINE_LINUX_DEFAULT=\"quiet splash isolcpus=6-11 intel_iommu=on\"\n" },
		};
		for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
			char *r = NULL, *again = NULL, *problem = NULL;
			assert_int_equal(shell_var_add_params(ok[i][0], "GRUB_CMDLINE_LINUX_DEFAULT", &e, &r, &problem), 0);
			assert_string_equal(r, ok[i][1]);
			assert_int_equal(shell_var_add_params(r, "GRUB_CMDLINE_LINUX_DEFAULT", &e, &again, &problem), 0);
			assert_string_equal(again, r);
			free(r);
			free(again);
		}
	}
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

static const char *const M[] = { "vfio_pci", "vfio", "vfio_iommu_type1" };
static const struct strv mods3 = { .v = (char **)M, .n = 3 };

/* Run an edit, compare, then run it on its own output: the same text. */
#define TWICE(call_in, call_again, in, out)                                                    \
	do {                                                                                   \
		char *r = NULL, *again = NULL, *problem = NULL;                                  \
		const char *text_ = (in);                                                      \
		assert_int_equal((call_in), 0);                                                \
		assert_string_equal(r, (out));                                                 \
		text_ = r;                                                                     \
		assert_int_equal((call_again), 0);                                             \
		assert_string_equal(again, r);                                                 \
		(void)problem;                                                                 \
		free(r);                                                                       \
		free(again);                                                                   \
	} while (0)

static void mkinit(const char *in, const struct strv *files, const char *out)
{
	TWICE(mkinitcpio_conf_edit(text_, &mods3, files, &r, &problem),
	      mkinitcpio_conf_edit(text_, &mods3, files, &again, &problem), in, out);
}

static void test_mkinitcpio(void **state)
{
	static const char *const F[] = { "/usr/local/bin/vfio-pci-override.sh" };
	static const struct strv files = { .v = (char **)F, .n = 1 };
	char *r = NULL, *problem = NULL;

	/* Arch's default file (its comment shows an example MODULES line). */
	mkinit("# MODULES\n#     MODULES=(usbhid xhci_hcd)\nMODULES=()\n\nBINARIES=()\nFILES=()\n"
	       "HOOKS=(base udev autodetect microcode modconf kms keyboard keymap consolefont block filesystems fsck)\n",
	       NULL,
	       "# MODULES\n#     MODULES=(usbhid xhci_hcd)\nMODULES=(vfio_pci vfio vfio_iommu_type1)\n\nBINARIES=()\nFILES=()\n"
	       "HOOKS=(base udev autodetect microcode modconf kms keyboard keymap consolefont block filesystems fsck)\n");
	/* A KMS driver first: the VFIO modules go before it (the article). */
	mkinit("MODULES=(amdgpu vfio_pci)\nHOOKS=(base systemd autodetect block)\n", NULL,
	       "MODULES=(vfio_pci vfio vfio_iommu_type1 amdgpu)\nHOOKS=(base systemd autodetect modconf block)\n");
	/* Already right: nothing changes, whatever the spacing. */
	mkinit("MODULES=( vfio_pci  vfio vfio_iommu_type1 btrfs ) # mine\nHOOKS=(base udev modconf)\n", NULL,
	       "MODULES=( vfio_pci  vfio vfio_iommu_type1 btrfs ) # mine\nHOOKS=(base udev modconf)\n");
	/* Multi-line array; no HOOKS line; FILES for the override script. */
	mkinit("MODULES=(ext4\n  nvme)\nFILES=(/etc/x)\n", &files,
	       "MODULES=(vfio_pci vfio vfio_iommu_type1 ext4 nvme)\nFILES=(/etc/x /usr/local/bin/vfio-pci-override.sh)\n");
	/* No MODULES at all: appended. */
	mkinit("HOOKS=(base modconf)", NULL, "HOOKS=(base modconf)\nMODULES=(vfio_pci vfio vfio_iommu_type1)\n");
	/* Quotes, an expansion, no closing parenthesis: untouched, with the line. */
	assert_int_equal(mkinitcpio_conf_edit("A=1\nMODULES=(\"$X\")\n", &mods3, NULL, &r, &problem), -EINVAL);
	assert_null(r);
	assert_non_null(strstr(problem, "line 2: MODULES=(...) holds quotes, a comment, an expansion or another assignment"));
	free(problem);
	assert_int_equal(mkinitcpio_conf_edit("MODULES=(a b\n", &mods3, NULL, &r, &problem), -EINVAL);
	assert_non_null(strstr(problem, "has no closing )"));
	free(problem);
}

static void booster(const char *in, const char *out)
{
	TWICE(booster_yaml_edit(text_, &mods3, &r, &problem), booster_yaml_edit(text_, &mods3, &again, &problem), in,
	      out);
}

static void test_booster(void **state)
{
	char *r = NULL, *problem = NULL;

	booster("", "modules_force_load: vfio_pci,vfio,vfio_iommu_type1\n");
	booster("compression: zstd\nmodules_force_load: nvme, vfio\nnetwork:\n  dhcp: on\n",
		"compression: zstd\nmodules_force_load: vfio_pci,vfio_iommu_type1,nvme,vfio\nnetwork:\n  dhcp: on\n");
	/* Indented: another mapping's key, not the top-level one. */
	booster("x:\n  modules_force_load: a\n", "x:\n  modules_force_load: a\nmodules_force_load: vfio_pci,vfio,vfio_iommu_type1\n");
	assert_int_equal(booster_yaml_edit("modules_force_load: [a, b]\n", &mods3, &r, &problem), -EINVAL);
	assert_non_null(strstr(problem, "line 1: modules_force_load is not a plain"));
	free(problem);
}

static void bls(const char *in, const char *out)
{
	TWICE(bls_entry_add_params(text_, &params, &r), bls_entry_add_params(text_, &params, &again), in, out);
}

static void test_bls(void **state)
{
	char *r = NULL;

	/* Arch's systemd-boot entry, as the wiki writes it. */
	bls("title   Arch Linux\nlinux   /vmlinuz-linux\ninitrd  /initramfs-linux.img\n"
	    "options root=\"LABEL=arch os\" rw\n",
	    "title   Arch Linux\nlinux   /vmlinuz-linux\ninitrd  /initramfs-linux.img\n"
	    "options root=\"LABEL=arch os\" rw intel_iommu=on iommu=pt\n");
	/* Two options lines are one command line: a parameter is replaced where
	 * it is, the other goes on the last line. */
	bls("options intel_iommu=off quiet\noptions rw\n", "options intel_iommu=on quiet\noptions rw iommu=pt\n");
	bls("title x\nlinux /vmlinuz\n", "title x\nlinux /vmlinuz\noptions intel_iommu=on iommu=pt\n");
	/* GRUB's $kernelopts: not ours to edit. */
	assert_int_equal(bls_entry_add_params("options $kernelopts\n", &params, &r), -EINVAL);
}

static void test_limine_refind(void **state)
{
	char *res = NULL, *why = NULL;

	/* limine.conf (v8): every entry's cmdline. */
	TWICE(limine_conf_add_params(text_, &params, &r), limine_conf_add_params(text_, &params, &again),
	      "timeout: 5\n\n/Arch Linux\n    protocol: linux\n    path: boot():/vmlinuz-linux\n"
	      "    cmdline: root=UUID=1234 rw\n    module_path: boot():/initramfs-linux.img\n"
	      "/Arch Linux (fallback)\n    cmdline: root=UUID=1234 rw iommu=pt\n",
	      "timeout: 5\n\n/Arch Linux\n    protocol: linux\n    path: boot():/vmlinuz-linux\n"
	      "    cmdline: root=UUID=1234 rw intel_iommu=on iommu=pt\n    module_path: boot():/initramfs-linux.img\n"
	      "/Arch Linux (fallback)\n    cmdline: root=UUID=1234 rw iommu=pt intel_iommu=on\n");
	/* The older limine.cfg. */
	TWICE(limine_conf_add_params(text_, &params, &r), limine_conf_add_params(text_, &params, &again),
	      ":Arch\nPROTOCOL=linux\nKERNEL_CMDLINE=root=/dev/sda2 rw\n",
	      ":Arch\nPROTOCOL=linux\nKERNEL_CMDLINE=root=/dev/sda2 rw intel_iommu=on iommu=pt\n");
	assert_int_equal(limine_conf_add_params("timeout: 5\n", &params, &res), -ENOENT);
	/* refind_linux.conf as mkrlconf writes it. */
	TWICE(refind_conf_add_params(text_, &params, &r, &problem), refind_conf_add_params(text_, &params, &again, &problem),
	      "\"Boot with standard options\"  \"root=PARTUUID=ab-01 rw quiet\"\n"
	      "# comment\n\"Boot to single-user mode\"    \"root=PARTUUID=ab-01 rw quiet single\"\n",
	      "\"Boot with standard options\"  \"root=PARTUUID=ab-01 rw quiet intel_iommu=on iommu=pt\"\n"
	      "# comment\n\"Boot to single-user mode\"    \"root=PARTUUID=ab-01 rw quiet single intel_iommu=on iommu=pt\"\n");
	assert_int_equal(refind_conf_add_params("\"Boot\" root=/dev/sda1\n", &params, &res, &why), -EINVAL);
	assert_non_null(strstr(why, "line 1 is not"));
	free(why);
}

static void test_remove(void **state)
{
	static struct cmdline_edit R[] = { { CMDLINE_SET, "iommu=pt" }, { CMDLINE_REMOVE, "amd_iommu=on" } };
	static const struct cmdline_edits rm = { .v = R, .n = 2 };

	/* First word, middle, last; an amd_iommu of another value stays. */
	TWICE(shell_var_add_params(text_, "GRUB_CMDLINE_LINUX_DEFAULT", &rm, &r, &problem),
	      shell_var_add_params(text_, "GRUB_CMDLINE_LINUX_DEFAULT", &rm, &again, &problem),
	      "GRUB_CMDLINE_LINUX_DEFAULT=\"amd_iommu=on quiet\"\n", "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet iommu=pt\"\n");
	TWICE(cmdline_file_add_params(text_, &rm, &r), cmdline_file_add_params(text_, &rm, &again),
	      "root=/dev/sda1 amd_iommu=on ro amd_iommu=fullflush\n", "root=/dev/sda1 ro amd_iommu=fullflush iommu=pt\n");
	TWICE(bls_entry_add_params(text_, &rm, &r), bls_entry_add_params(text_, &rm, &again),
	      "options rw amd_iommu=on\n", "options rw iommu=pt\n");
	/* Only a removal, and no value to remove it from: nothing is added. */
	TWICE(shell_var_add_params(text_, "GRUB_CMDLINE_LINUX_DEFAULT", &(struct cmdline_edits){ .v = R + 1, .n = 1 }, &r,
				   &problem),
	      shell_var_add_params(text_, "GRUB_CMDLINE_LINUX_DEFAULT", &(struct cmdline_edits){ .v = R + 1, .n = 1 },
				   &again, &problem),
	      "GRUB_TIMEOUT=5\n", "GRUB_TIMEOUT=5\n");
	/* The edit's kind is its own field: a token set that starts with '-'
	 * is a token like any other (once, a leading '-' meant "remove"). */
	TWICE(cmdline_file_add_params(text_, &(struct cmdline_edits){ .v = (struct cmdline_edit[]){ { CMDLINE_SET, "-x" } }, .n = 1 },
				      &r),
	      cmdline_file_add_params(text_, &(struct cmdline_edits){ .v = (struct cmdline_edit[]){ { CMDLINE_SET, "-x" } }, .n = 1 },
				      &again),
	      "ro x quiet\n", "ro x quiet -x\n");
}

/* A parameter given many times (here 20 bare vfio-pci.ids, each shorter
 * than the value that replaces it): one occurrence after the edit, in the
 * place of the first, and the rest of the line kept; - and _ are alike in
 * a parameter's name, as the kernel's parameq() has them. */
static void test_repeated(void **state)
{
	static struct cmdline_edit I[] = { { CMDLINE_SET, "vfio-pci.ids=10de:13c2,10de:0fbb" },
					   { CMDLINE_SET, "intel_iommu=on" } };
	static const struct cmdline_edits ids = { .v = I, .n = 2 };
	char line[1024] = "root=/dev/sda1", grub[1100], bls[1100];

	for (int i = 0; i < 20; i++)
		strcat(line, i % 2 ? " vfio-pci.ids" : " vfio_pci.ids=1002:67df");
	strcat(line, " quiet");
	snprintf(grub, sizeof(grub), "GRUB_CMDLINE_LINUX_DEFAULT=\"%s\"\n", line);
	snprintf(bls, sizeof(bls), "title x\noptions %s\n", line);
	TWICE(cmdline_file_add_params(text_, &ids, &r), cmdline_file_add_params(text_, &ids, &again), line,
	      "root=/dev/sda1 vfio-pci.ids=10de:13c2,10de:0fbb quiet intel_iommu=on\n");
	TWICE(shell_var_add_params(text_, "GRUB_CMDLINE_LINUX_DEFAULT", &ids, &r, &problem),
	      shell_var_add_params(text_, "GRUB_CMDLINE_LINUX_DEFAULT", &ids, &again, &problem), grub,
	      "GRUB_CMDLINE_LINUX_DEFAULT=\"root=/dev/sda1 vfio-pci.ids=10de:13c2,10de:0fbb quiet intel_iommu=on\"\n");
	TWICE(bls_entry_add_params(text_, &ids, &r), bls_entry_add_params(text_, &ids, &again), bls,
	      "title x\noptions root=/dev/sda1 vfio-pci.ids=10de:13c2,10de:0fbb quiet intel_iommu=on\n");
	/* 12 bare tokens and nothing else; the duplicate as the first word. */
	TWICE(cmdline_file_add_params(text_, &ids, &r), cmdline_file_add_params(text_, &ids, &again),
	      "vfio-pci.ids vfio-pci.ids vfio-pci.ids vfio-pci.ids vfio-pci.ids vfio-pci.ids vfio-pci.ids vfio-pci.ids "
	      "vfio-pci.ids vfio-pci.ids vfio-pci.ids vfio-pci.ids",
	      "vfio-pci.ids=10de:13c2,10de:0fbb intel_iommu=on\n");
	TWICE(cmdline_file_add_params(text_, &ids, &r), cmdline_file_add_params(text_, &ids, &again),
	      "intel_iommu=off intel_iommu=on ro", "intel_iommu=on ro vfio-pci.ids=10de:13c2,10de:0fbb\n");
}

/* /etc/modprobe.d/vfio.conf is shared: only vfiokit's lines change. */
static void test_modprobe(void **state)
{
	static const char *const I[] = { "10de:13c2", "10de:0fbb" }, *const S[] = { "nouveau", "snd_hda_intel" };
	static const struct strv ids = { .v = (char **)I, .n = 2 }, soft = { .v = (char **)S, .n = 2 }, none = { 0 };
	static const char article[] = "options kvm ignore_msrs=1\noptions vfio_iommu_type1 allow_unsafe_interrupts=1";

	/* A new file: the header, then the lines. */
	TWICE(modprobe_vfio_edit(text_, "# H\n", &ids, NULL, &soft, &r, &problem),
	      modprobe_vfio_edit(text_, "# H\n", &ids, NULL, &soft, &again, &problem), "",
	      "# H\noptions vfio-pci ids=10de:13c2,10de:0fbb\nsoftdep nouveau pre: vfio-pci\nsoftdep snd_hda_intel pre: "
	      "vfio-pci\n");
	/* The article's lines (no newline at the end) kept as they are. */
	TWICE(modprobe_vfio_edit(text_, "# H\n", &ids, NULL, &none, &r, &problem),
	      modprobe_vfio_edit(text_, "# H\n", &ids, NULL, &none, &again, &problem), article,
	      "options kvm ignore_msrs=1\noptions vfio_iommu_type1 allow_unsafe_interrupts=1\noptions vfio-pci "
	      "ids=10de:13c2,10de:0fbb\n");
	/* Another card's IDs on the line stay first, its other options too;
	 * a softdep there already (- and _ alike) is not added twice. */
	TWICE(modprobe_vfio_edit(text_, "# H\n", &ids, NULL, &soft, &r, &problem),
	      modprobe_vfio_edit(text_, "# H\n", &ids, NULL, &soft, &again, &problem),
	      "# ids=1:2\noptions vfio_pci ids=1002:67df,10de:0fbb disable_vga=1 # mine\nsoftdep snd-hda-intel pre: foo "
	      "vfio-pci\noptions vfio-pci ids=9:9\n",
	      "# ids=1:2\noptions vfio_pci ids=1002:67df,10de:0fbb,10de:13c2 disable_vga=1 # mine\nsoftdep snd-hda-intel "
	      "pre: foo vfio-pci\noptions vfio-pci ids=9:9\nsoftdep nouveau pre: vfio-pci\n");
	/* By address: the install line, once; a softdep "post:" is no softdep before. */
	TWICE(modprobe_vfio_edit(text_, "# H\n", &none, "/usr/local/bin/o.sh", &soft, &r, &problem),
	      modprobe_vfio_edit(text_, "# H\n", &none, "/usr/local/bin/o.sh", &soft, &again, &problem),
	      "softdep nouveau post: vfio-pci\n",
	      "softdep nouveau post: vfio-pci\ninstall vfio-pci /usr/local/bin/o.sh\nsoftdep nouveau pre: "
	      "vfio-pci\nsoftdep snd_hda_intel pre: vfio-pci\n");
	/* Nothing to add: the text as it was. */
	TWICE(modprobe_vfio_edit(text_, "# H\n", &none, NULL, &none, &r, &problem),
	      modprobe_vfio_edit(text_, "# H\n", &none, NULL, &none, &again, &problem), article, article);
	{
		char *r = NULL, *problem = NULL;
		assert_int_equal(modprobe_vfio_edit("options vfio-pci ids=1:2 \\\n disable_vga=1\n", "# H\n", &ids, NULL,
						    &none, &r, &problem),
				 -EINVAL);
		assert_null(r);
		assert_non_null(strstr(problem, "line 1: options vfio-pci continues on the next line"));
		free(problem);
	}
}

/* Found by fuzz-confedit: appending after a last line that ends with a
 * backslash, a bare word with quotes, an unterminated array followed by
 * the line an edit appends. */
static void test_fuzz_found(void **state)
{
	char *r = NULL, *problem = NULL;

	expect("A=1 \\", "A=1 \\\n\nGRUB_CMDLINE_LINUX_DEFAULT=\"intel_iommu=on iommu=pt\"\n");
	expect("A=1 \\\n", "A=1 \\\n\nGRUB_CMDLINE_LINUX_DEFAULT=\"intel_iommu=on iommu=pt\"\n");
	refuse("GRUB_CMDLINE_LINUX_DEFAULT=a\"b c\"\n", "mixes quotes or escapes into a bare word");
	/* A removed word after "\ ": its blank stays, or the backslash would
	 * escape the closing quote (update-grub would fail on the file). */
	{
		static struct cmdline_edit E[] = { { CMDLINE_SET, "iommu=pt" }, { CMDLINE_REMOVE, "amd_iommu=on" } };
		static const struct cmdline_edits e = { .v = E, .n = 2 };
		assert_int_equal(shell_var_drop_params("GRUB_CMDLINE_LINUX=\"splash \\ amd_iommu=on\"\n", "GRUB_CMDLINE_LINUX",
						       &e, &r, &problem),
				 0);
		assert_string_equal(r, "GRUB_CMDLINE_LINUX=\"splash \\ \"\n");
		free(r);
		assert_int_equal(shell_var_drop_params("GRUB_CMDLINE_LINUX=\"a \\\\ iommu=soft\"\n", "GRUB_CMDLINE_LINUX", &e,
						       &r, &problem),
				 0);
		assert_string_equal(r, "GRUB_CMDLINE_LINUX=\"a \\\\\"\n");
		free(r);
	}
	assert_int_equal(mkinitcpio_conf_edit("FILES=(_\n", &mods3, NULL, &r, &problem), -EINVAL);
	assert_null(r);
	assert_non_null(strstr(problem, "FILES=( has no closing )"));
	free(problem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grub),
		cmocka_unit_test(test_grub_drop),
		cmocka_unit_test(test_grub_assigned_twice),
		cmocka_unit_test(test_cmdline_file),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_mkinitcpio),
		cmocka_unit_test(test_booster),
		cmocka_unit_test(test_bls),
		cmocka_unit_test(test_limine_refind),
		cmocka_unit_test(test_remove),
		cmocka_unit_test(test_repeated),
		cmocka_unit_test(test_modprobe),
		cmocka_unit_test(test_fuzz_found),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
