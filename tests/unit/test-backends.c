/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Each boot backend on its own: a host model holding only the text of its
 * files in, the plan's files, commands and lines out; which backends a
 * machine copy has, and which of them plan. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <fcntl.h>
#include <sys/stat.h>

#include "plan/boot/backend.h"

struct bench {
	struct host h;
	struct setup_plan p;
};

static void file(struct bench *t, const char *path, const char *text)
{
	struct boot_files *f = &t->h.boot.files;
	bool cmdline = false;

	for (const struct boot_backend *const *be = boot_backends; *be; be++)
		for (const struct boot_path *bp = (*be)->files; bp->path; bp++)
			if (bp->cmdline && (bp->suffix ? startswith(path, bp->path) : streq(path, bp->path)))
				cmdline = true;
	assert_int_equal(GROW(f->v, f->alloc, f->n + 1), 0);
	f->v[f->n++] = (struct boot_file){ strdup(path), strdup(text), cmdline };
}

static void install(struct bench *t, const struct boot_backend *be, const char *regen)
{
	struct host_boot *b = &t->h.boot;

	assert_int_equal(GROW(b->found, b->found_alloc, b->nfound + 1), 0);
	b->found[b->nfound++] = (struct boot_found){ be, regen };
}

/* Parameters to set (intel_iommu=on iommu=pt unless given), stale ones, the modules. */
static void want(struct bench *t, const char *params, const char *stale)
{
	char *s = strdup(params), *save = NULL;

	for (char *w = strtok_r(s, " ", &save); w; w = strtok_r(NULL, " ", &save))
		assert_int_equal(strv_push(&t->p.params, w), 0);
	free(s);
	if (stale)
		assert_int_equal(strv_push(&t->p.stale, stale), 0);
	for (const char *m = "vfio_pci\0vfio\0vfio_iommu_type1\0"; *m; m += strlen(m) + 1)
		assert_int_equal(strv_push(&t->p.modules, m), 0);
}

/* Run one backend's plan, as setup does. */
static void plan(struct bench *t, const struct boot_backend *be)
{
	struct cmdline_edits edits = { 0 };
	_cleanup_free_ char *params = strv_join(&t->p.params, " "), *mods = strv_join(&t->p.modules, " ");
	const char *regen = NULL;

	for (size_t i = 0; i < t->h.boot.nfound; i++)
		if (t->h.boot.found[i].be == be)
			regen = t->h.boot.found[i].regen;
	for (size_t i = 0; i < t->p.params.n; i++)
		assert_int_equal(cmdline_edits_add(&edits, CMDLINE_SET, t->p.params.v[i]), 0);
	for (size_t i = 0; i < t->p.stale.n; i++)
		assert_int_equal(cmdline_edits_add(&edits, CMDLINE_REMOVE, t->p.stale.v[i]), 0);
	assert_int_equal(be->plan(&(struct boot_plan_ctx){ &t->h, be, &t->p, &edits, params, mods, regen }), 0);
	cmdline_edits_clear(&edits);
}

static const char *out(const struct bench *t, const char *path)
{
	for (size_t i = 0; i < t->p.nfiles; i++)
		if (streq(t->p.files[i].path, path))
			return t->p.files[i].content;
	return NULL;
}

static void done(struct bench *t)
{
	boot_free(&t->h.boot);
	setup_plan_free(&t->p);
	*t = (struct bench){ 0 };
}

static void test_grub(void **state)
{
	struct bench t = { 0 };

	file(&t, "etc/default/grub", "GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet amd_iommu=on\"\n");
	install(&t, &boot_grub, "update-grub");
	want(&t, "iommu=pt", "amd_iommu=on");
	plan(&t, &boot_grub);
	assert_string_equal(out(&t, "etc/default/grub"), "GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet iommu=pt\"\n");
	assert_string_equal(t.p.commands.v[0], "update-grub");
	done(&t);
	/* No update-grub nor grub-mkconfig: the user regenerates grub.cfg. */
	file(&t, "etc/default/grub", "GRUB_CMDLINE_LINUX_DEFAULT=\"$(cat /x)\"\n");
	install(&t, &boot_grub, NULL);
	want(&t, "intel_iommu=on", NULL);
	plan(&t, &boot_grub);
	assert_int_equal(t.p.nfiles, 0);
	assert_non_null(strstr(t.p.manual.v[0], "GRUB: /etc/default/grub line 1: the value of GRUB_CMDLINE_LINUX_DEFAULT runs a command"));
	done(&t);
}

static void test_systemd_boot(void **state)
{
	struct bench t = { 0 };

	file(&t, "boot/loader/entries/arch.conf", "title Arch\noptions root=/dev/sda2 rw\n");
	file(&t, "etc/kernel/cmdline", "root=/dev/sda2 rw\n");
	install(&t, &boot_systemd_boot, NULL);
	want(&t, "intel_iommu=on", NULL);
	plan(&t, &boot_systemd_boot);
	assert_string_equal(out(&t, "boot/loader/entries/arch.conf"), "title Arch\noptions root=/dev/sda2 rw intel_iommu=on\n");
	assert_string_equal(out(&t, "etc/kernel/cmdline"), "root=/dev/sda2 rw intel_iommu=on\n");
	assert_int_equal(t.p.manual.n, 0);
	done(&t);
	install(&t, &boot_systemd_boot, NULL);
	want(&t, "intel_iommu=on", NULL);
	plan(&t, &boot_systemd_boot);
	assert_non_null(strstr(t.p.manual.v[0], "systemd-boot: no entry in /boot/loader/entries: add \"intel_iommu=on\""));
	done(&t);
	/* An entry kernel-install wrote from /etc/kernel/cmdline (Debian 12's,
	 * seen in the reboot test) gets the bytes kernel-install writes again
	 * from the edited file when update-initramfs runs it: the parameters
	 * before the systemd.machine_id= it adds, a stale one gone. */
	file(&t, "boot/efi/loader/entries/3d80-6.1.0-57-amd64.conf",
	     "title      Debian GNU/Linux 12 (bookworm)\nversion    6.1.0-57-amd64\nmachine-id 3d80\nsort-key   debian\n"
	     "options    root=/dev/vda2 ro amd_iommu=on quiet systemd.machine_id=3d80\nlinux      /3d80/6.1.0-57-amd64/linux\n");
	file(&t, "etc/kernel/cmdline", "root=/dev/vda2  ro amd_iommu=on\tquiet\n");
	install(&t, &boot_systemd_boot, NULL);
	want(&t, "intel_iommu=on iommu=pt", "amd_iommu=on");
	plan(&t, &boot_systemd_boot);
	assert_string_equal(out(&t, "boot/efi/loader/entries/3d80-6.1.0-57-amd64.conf"),
			    "title      Debian GNU/Linux 12 (bookworm)\nversion    6.1.0-57-amd64\nmachine-id 3d80\n"
			    "sort-key   debian\noptions    root=/dev/vda2 ro quiet intel_iommu=on iommu=pt "
			    "systemd.machine_id=3d80\nlinux      /3d80/6.1.0-57-amd64/linux\n");
	done(&t);
	/* Not kernel-install's (options other than the file's words): edited where they are. */
	file(&t, "boot/loader/entries/arch.conf", "title Arch\noptions root=/dev/sda2 rw systemd.machine_id=1 splash\n");
	file(&t, "etc/kernel/cmdline", "root=/dev/sda2 rw\n");
	install(&t, &boot_systemd_boot, NULL);
	want(&t, "intel_iommu=on", NULL);
	plan(&t, &boot_systemd_boot);
	assert_string_equal(out(&t, "boot/loader/entries/arch.conf"),
			    "title Arch\noptions root=/dev/sda2 rw systemd.machine_id=1 splash intel_iommu=on\n");
	done(&t);
}

static void test_grubby(void **state)
{
	struct bench t = { 0 };

	/* GRUB's older entries take their options from $kernelopts. */
	file(&t, "boot/loader/entries/a.conf", "title F\noptions $kernelopts\n");
	install(&t, &boot_systemd_boot, NULL);
	install(&t, &boot_grubby, NULL);
	want(&t, "intel_iommu=on", NULL);
	assert_false(boot_active(&t.h.boot, &boot_systemd_boot));
	assert_true(boot_active(&t.h.boot, &boot_grubby));
	plan(&t, &boot_grubby);
	assert_int_equal(t.p.nfiles, 0);
	assert_string_equal(t.p.manual.v[0], "/boot/loader/entries/a.conf takes its options from a variable: run grubby "
					     "--update-kernel=ALL --args=\"intel_iommu=on\"");
	done(&t);
}

static void test_kernelstub(void **state)
{
	struct bench t = { 0 };

	file(&t, "etc/kernelstub/configuration",
	     "{\"user\": {\"kernel_options\": [\"quiet\", \"iommu=pt\", \"amd_iommu=on\"]}}");
	install(&t, &boot_kernelstub, NULL);
	install(&t, &boot_systemd_boot, NULL);
	want(&t, "intel_iommu=on iommu=pt", "amd_iommu=on");
	assert_false(boot_active(&t.h.boot, &boot_systemd_boot));
	plan(&t, &boot_kernelstub);
	/* Only what it lacks is added, so that undo takes back only that. */
	assert_int_equal(t.p.exec.n, 2);
	assert_string_equal(t.p.exec.v[0], "kernelstub -a intel_iommu=on");
	assert_string_equal(t.p.exec_undo.v[0], "kernelstub -d intel_iommu=on");
	assert_string_equal(t.p.exec.v[1], "kernelstub -d amd_iommu=on");
	assert_string_equal(t.p.exec_undo.v[1], "kernelstub -a amd_iommu=on");
	for (size_t i = 0; i < t.p.exec.n; i++)
		assert_true(boot_command_recorded(t.p.exec.v[i]) && boot_command_recorded(t.p.exec_undo.v[i]));
	done(&t);
	file(&t, "etc/kernelstub/configuration", "{\"user\": 1}");
	install(&t, &boot_kernelstub, NULL);
	want(&t, "intel_iommu=on", NULL);
	plan(&t, &boot_kernelstub);
	assert_int_equal(t.p.exec.n, 0);
	assert_string_equal(t.p.manual.v[0], "kernelstub: its configuration could not be read: run kernelstub -a \"intel_iommu=on\"");
	done(&t);
}

static void test_refind_limine(void **state)
{
	struct bench t = { 0 };

	file(&t, "boot/refind_linux.conf", "\"Boot\" \"ro root=/dev/sda2\"\n\"Single\" \"ro root=/dev/sda2 single\"\n");
	file(&t, "boot/limine.conf", "/Arch\n    cmdline: root=/dev/sda2 rw\n");
	file(&t, "boot/limine.cfg", "TIMEOUT=5\n");
	install(&t, &boot_refind, NULL);
	install(&t, &boot_limine, NULL);
	want(&t, "intel_iommu=on", NULL);
	plan(&t, &boot_refind);
	plan(&t, &boot_limine);
	assert_string_equal(out(&t, "boot/refind_linux.conf"),
			    "\"Boot\" \"ro root=/dev/sda2 intel_iommu=on\"\n\"Single\" \"ro root=/dev/sda2 single intel_iommu=on\"\n");
	assert_string_equal(out(&t, "boot/limine.conf"), "/Arch\n    cmdline: root=/dev/sda2 rw intel_iommu=on\n");
	assert_null(out(&t, "boot/limine.cfg"));
	assert_string_equal(t.p.manual.v[0], "Limine: /boot/limine.cfg has no cmdline: add \"intel_iommu=on\" to each entry's");
	done(&t);
}

static void test_rpm_ostree(void **state)
{
	struct bench t = { 0 };

	file(&t, "boot/loader/entries/ostree-1-fedora.conf", "options rhgb quiet iommu=pt amd_iommu=on ostree=/x\n");
	file(&t, "etc/default/grub", "GRUB_CMDLINE_LINUX_DEFAULT=\"\"\n");
	install(&t, &boot_grub, "update-grub");
	install(&t, &boot_grubby, NULL);
	install(&t, &boot_rpm_ostree, NULL);
	install(&t, &boot_dracut, "dracut --regenerate-all -f");
	want(&t, "intel_iommu=on iommu=pt", "amd_iommu=on");
	assert_false(boot_active(&t.h.boot, &boot_grub));
	assert_false(boot_active(&t.h.boot, &boot_grubby));
	plan(&t, &boot_rpm_ostree);
	assert_int_equal(t.p.nfiles, 0);
	assert_string_equal(t.p.exec.v[0], "rpm-ostree kargs --append-if-missing=intel_iommu=on");
	assert_string_equal(t.p.exec_undo.v[0], "rpm-ostree kargs --delete-if-present=intel_iommu=on");
	assert_string_equal(t.p.exec.v[1], "rpm-ostree kargs --delete-if-present=amd_iommu=on");
	/* The image is the deployment's: rebuilt by rpm-ostree, not dracut. */
	plan(&t, &boot_dracut);
	assert_string_equal(t.p.commands.v[0], "rpm-ostree initramfs --enable");
	for (size_t i = 0; i < t.p.exec.n; i++)
		assert_true(boot_command_recorded(t.p.exec.v[i]) && boot_command_recorded(t.p.exec_undo.v[i]));
	assert_true(boot_command_recorded(t.p.commands.v[0]));
	done(&t);
}

/* A parameter there with another value (a guide's isolcpus=2-5) is
 * replaced, never given a second time, by the backends that change the
 * command line by commands; their undo puts the old value back. */
static void test_exec_replace(void **state)
{
	struct bench t = { 0 };

	(void)state;
	file(&t, "etc/kernelstub/configuration",
	     "{\"user\": {\"kernel_options\": [\"quiet\", \"isolcpus=2-5\", \"nohz_full=6-11\"]}}");
	install(&t, &boot_kernelstub, NULL);
	want(&t, "isolcpus=6-11 nohz_full=6-11 rcu_nocbs=6-11", NULL);
	plan(&t, &boot_kernelstub);
	assert_int_equal(t.p.exec.n, 3);
	assert_string_equal(t.p.exec.v[0], "kernelstub -d isolcpus=2-5");
	assert_string_equal(t.p.exec_undo.v[0], "kernelstub -a isolcpus=2-5");
	assert_string_equal(t.p.exec.v[1], "kernelstub -a isolcpus=6-11");
	assert_string_equal(t.p.exec_undo.v[1], "kernelstub -d isolcpus=6-11");
	assert_string_equal(t.p.exec.v[2], "kernelstub -a rcu_nocbs=6-11");
	done(&t);

	file(&t, "boot/loader/entries/ostree-1-fedora.conf",
	     "title Fedora\noptions rhgb quiet isolcpus=2-5 rcu-nocbs=2-5 ostree=/x\n");
	install(&t, &boot_rpm_ostree, NULL);
	want(&t, "isolcpus=6-11 nohz_full=6-11 rcu_nocbs=6-11", NULL);
	plan(&t, &boot_rpm_ostree);
	assert_int_equal(t.p.exec.n, 2);
	assert_string_equal(t.p.exec.v[0], "rpm-ostree kargs --replace=isolcpus=6-11 --replace=rcu-nocbs=6-11");
	assert_string_equal(t.p.exec_undo.v[0], "rpm-ostree kargs --replace=isolcpus=2-5 --replace=rcu-nocbs=2-5");
	assert_string_equal(t.p.exec.v[1], "rpm-ostree kargs --append-if-missing=nohz_full=6-11");
	done(&t);
}

/* What undo --chroot runs from a journal in a machine copy: the commands
 * setup records, nothing else (tests/undo-commands.sh runs it). */
static void test_command_recorded(void **state)
{
	static const char *const known[] = {
		"update-initramfs -u -k all", "update-grub", "grub2-mkconfig -o /boot/grub2/grub.cfg", "mkinitcpio -P",
		"dracut --regenerate-all -f", "proxmox-boot-tool refresh", "/usr/lib/booster/regenerate_images",
		"kernelstub -a vfio-pci.ids=10de:13c2,10de:0fbb", "kernelstub -d iommu=pt",
		"rpm-ostree kargs --append-if-missing=intel_iommu=on --append-if-missing=iommu=pt",
		"rpm-ostree kargs --delete-if-present=amd_iommu=on", "rpm-ostree initramfs --enable",
		/* a tuning parameter's other value replaced (setup --isolcpus) */
		"kernelstub -d isolcpus=2-5", "rpm-ostree kargs --replace=isolcpus=6-11 --replace=rcu-nocbs=6-11",
	};
	static const char *const other[] = {
		"touch /pwned", "update-grub --help", "update-grub ", "sh -c update-grub", "mkinitcpio -P -k x",
		"kernelstub -a", "kernelstub -a ", "kernelstub -a --force", "kernelstub -d a b", "kernelstub -x iommu=pt",
		"rpm-ostree kargs", "rpm-ostree kargs ", "rpm-ostree kargs --append-if-missing=",
		"rpm-ostree kargs --append-if-missing=a --import-proc-cmdline", "rpm-ostree kargs  --delete-if-present=a",
		"rpm-ostree kargs --delete-if-present=a\tb", "rpm-ostree kargs --replace=", "rpm-ostree initramfs --enable --arg=x", "",
	};

	for (size_t i = 0; i < ARRAY_SIZE(known); i++)
		assert_true(boot_command_recorded(known[i]));
	for (size_t i = 0; i < ARRAY_SIZE(other); i++)
		if (boot_command_recorded(other[i]))
			fail_msg("recorded: '%s'", other[i]);
}

static void test_proxmox(void **state)
{
	struct bench t = { 0 };

	file(&t, "etc/kernel/cmdline", "root=ZFS=rpool/ROOT/pve-1 boot=zfs\n");
	install(&t, &boot_systemd_boot, NULL);
	install(&t, &boot_proxmox, "proxmox-boot-tool refresh");
	want(&t, "intel_iommu=on iommu=pt", NULL);
	assert_false(boot_active(&t.h.boot, &boot_systemd_boot));
	plan(&t, &boot_proxmox);
	assert_int_equal(t.p.nfiles, 1);
	assert_string_equal(out(&t, "etc/kernel/cmdline"), "root=ZFS=rpool/ROOT/pve-1 boot=zfs intel_iommu=on iommu=pt\n");
	assert_int_equal(t.p.commands.n, 1);
	assert_string_equal(t.p.commands.v[0], "proxmox-boot-tool refresh");
	assert_int_equal(t.p.manual.n, 0);
	done(&t);
	/* With GRUB, /etc/default/grub holds the line; the refresh still syncs the ESPs. */
	install(&t, &boot_grub, "update-grub");
	install(&t, &boot_proxmox, "proxmox-boot-tool refresh");
	want(&t, "intel_iommu=on", NULL);
	plan(&t, &boot_proxmox);
	assert_int_equal(t.p.nfiles, 0);
	assert_int_equal(t.p.manual.n, 0);
	assert_string_equal(t.p.commands.v[0], "proxmox-boot-tool refresh");
	done(&t);
	/* Neither: said, not guessed. */
	install(&t, &boot_proxmox, "proxmox-boot-tool refresh");
	want(&t, "intel_iommu=on", NULL);
	plan(&t, &boot_proxmox);
	assert_int_equal(t.p.commands.n, 0);
	assert_non_null(strstr(t.p.manual.v[0], "proxmox-boot-tool: no /etc/kernel/cmdline"));
	done(&t);
}

static void test_generators(void **state)
{
	struct bench t = { 0 };

	file(&t, "etc/initramfs-tools/modules", "# list\nvfio\n");
	file(&t, "etc/mkinitcpio.conf", "MODULES=(amdgpu)\nHOOKS=(base udev autodetect modconf block)\n");
	file(&t, "etc/mkinitcpio.d/linux.preset", "default_config=\"/etc/mkinitcpio-custom.conf\"\n");
	file(&t, "etc/mkinitcpio.conf.d/gpu.conf", "MODULES=(nvidia)\n");
	install(&t, &boot_initramfs_tools, "update-initramfs -u -k all");
	install(&t, &boot_mkinitcpio, "mkinitcpio -P");
	install(&t, &boot_booster, NULL);
	want(&t, "", NULL);
	t.p.by_address = true;
	plan(&t, &boot_initramfs_tools);
	plan(&t, &boot_mkinitcpio);
	plan(&t, &boot_booster);
	/* The hook that copies the driver_override script comes first. */
	assert_string_equal(t.p.files[0].path, "etc/initramfs-tools/hooks/vfio-pci-override");
	assert_int_equal(t.p.files[0].mode, 0755);
	assert_string_equal(out(&t, "etc/initramfs-tools/modules"), "# list\nvfio\nvfio_pci\nvfio_iommu_type1\n");
	assert_string_equal(out(&t, "etc/mkinitcpio.conf"),
			    "MODULES=(vfio_pci vfio vfio_iommu_type1 amdgpu)\nHOOKS=(base udev autodetect modconf block)\n"
			    "FILES=(/usr/local/bin/vfio-pci-override.sh)\n");
	assert_string_equal(out(&t, "etc/booster.yaml"), "modules_force_load: vfio_pci,vfio,vfio_iommu_type1\n");
	assert_int_equal(t.p.commands.n, 2);
	assert_string_equal(t.p.commands.v[0], "update-initramfs -u -k all");
	assert_string_equal(t.p.commands.v[1], "mkinitcpio -P");
	assert_non_null(strstr(t.p.manual.v[0], "booster: rebuild each image"));
	assert_non_null(strstr(t.p.warnings.v[0], "builds from /etc/mkinitcpio-custom.conf"));
	assert_non_null(strstr(t.p.warnings.v[1], "/etc/mkinitcpio.conf.d/gpu.conf sets MODULES"));
	done(&t);
	/* An earlier identical-cards setup stays in dracut's image. */
	file(&t, "etc/dracut.conf.d/vfio.conf", "install_items+=\" /etc/modprobe.d/vfio.conf /usr/local/bin/vfio-pci-override.sh \"\n");
	install(&t, &boot_dracut, "reinstall-kernels");
	want(&t, "", NULL);
	plan(&t, &boot_dracut);
	assert_non_null(strstr(out(&t, "etc/dracut.conf.d/vfio.conf"), "force_drivers+=\" vfio_pci vfio vfio_iommu_type1 \"\n"
									    "install_items+=\" /etc/modprobe.d/vfio.conf "
									    "/usr/local/bin/vfio-pci-override.sh \"\n"));
	assert_string_equal(t.p.commands.v[0], "reinstall-kernels");
	done(&t);
}

static void touch(const char *dir, const char *rel)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	for (char *s = strchr(path + strlen(dir) + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		mkdir(path, 0755);
		*s = '/';
	}
	assert_true((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644)) >= 0);
	assert_true(write(fd, "x\n", 2) == 2);
	close(fd);
}

/* Which backends a machine copy has, by their files and programs. */
static void test_detect(void **state)
{
	char dir[] = "/tmp/vfiokit-backends-XXXXXX", cmd[64];
	struct path_root *root = NULL;
	struct host *h = NULL;

	assert_non_null(mkdtemp(dir));
	touch(dir, "etc/kernel/cmdline");
	touch(dir, "etc/kernel/proxmox-boot-uuids");
	touch(dir, "usr/sbin/proxmox-boot-tool");
	touch(dir, "usr/sbin/update-initramfs");
	touch(dir, "boot/loader/entries/a.conf");
	touch(dir, "boot/limine/limine.conf");
	assert_int_equal(path_root_open(dir, &root), 0);
	assert_int_equal(host_load(root, HOST_LOAD_BOOT, &h), 0);
	assert_int_equal(h->boot.nfound, 4);
	assert_ptr_equal(h->boot.found[0].be, &boot_systemd_boot);
	assert_ptr_equal(h->boot.found[1].be, &boot_limine);
	assert_ptr_equal(h->boot.found[2].be, &boot_proxmox);
	assert_string_equal(h->boot.found[2].regen, "proxmox-boot-tool refresh");
	assert_ptr_equal(h->boot.found[3].be, &boot_initramfs_tools);
	assert_false(boot_active(&h->boot, &boot_systemd_boot));
	assert_string_equal(boot_text(&h->boot, "boot/loader/entries/a.conf"), "x\n");
	host_free(h);
	/* Entries that grubby writes are not systemd-boot's. */
	touch(dir, "usr/sbin/grubby");
	unlink(strcat(strcpy(cmd, dir), "/etc/kernel/cmdline"));
	assert_int_equal(host_load(root, HOST_LOAD_BOOT, &h), 0);
	assert_false(boot_installed(&h->boot, &boot_systemd_boot));
	assert_true(boot_installed(&h->boot, &boot_grubby));
	/* Without its cmdline the proxmox layout is still said (its own two paths). */
	assert_true(boot_installed(&h->boot, &boot_proxmox));
	host_free(h);
	path_root_free(root);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grub),	    cmocka_unit_test(test_systemd_boot), cmocka_unit_test(test_grubby),
		cmocka_unit_test(test_kernelstub), cmocka_unit_test(test_refind_limine), cmocka_unit_test(test_rpm_ostree),
		cmocka_unit_test(test_exec_replace), cmocka_unit_test(test_proxmox),	    cmocka_unit_test(test_generators),	cmocka_unit_test(test_detect),
		cmocka_unit_test(test_command_recorded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
