/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The host files of vm --apply (plan/vm-host.c) on real files: Debian 12's
 * /etc/libvirt/qemu.conf (libvirt-daemon-system 9.0.0) gets user= after its
 * commented default, not among the examples; a user= there is replaced;
 * every edit run on its own output changes nothing; the Looking Glass
 * tmpfiles line replaces the one for its path and keeps the others; which
 * files a guest's options plan.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <cmocka.h>

#include "plan/vm-host.h"
#include "shared/macro.h"

static char *qemu_conf;

static int load(void **state)
{
	_cleanup_free_ char *path = strdupf("%s/../libvirt/qemu.conf-debian12", getenv("VFIOKIT_FIXTURES"));
	FILE *f = path ? fopen(path, "r") : NULL;
	size_t n;

	if (!f)
		return -1;
	qemu_conf = calloc(1, 1 << 20);
	n = fread(qemu_conf, 1, (1 << 20) - 1, f);
	fclose(f);
	return n > 0 ? 0 : -1;
}

static int unload(void **state)
{
	free(qemu_conf);
	return 0;
}

static void test_qemu_conf(void **state)
{
	_cleanup_free_ char *a = vm_qemu_conf_set(qemu_conf, "user", "+1000"), *b = NULL, *c = NULL, *d = NULL;
	const char *at;

	assert_non_null(a);
	/* One line more, right after the packaged default, nothing else. */
	assert_int_equal(strlen(a), strlen(qemu_conf) + strlen("user = \"+1000\"\n"));
	at = strstr(a, "#user = \"libvirt-qemu\"\nuser = \"+1000\"\n");
	assert_non_null(at);
	assert_memory_equal(a, qemu_conf, (size_t)(at - a));
	assert_null(strstr(a, "#       user = \"+1000\""));
	b = vm_qemu_conf_set(a, "user", "+1000");
	assert_string_equal(a, b);
	/* Another uid replaces it in place. */
	c = vm_qemu_conf_set(b, "user", "+1001");
	assert_non_null(strstr(c, "#user = \"libvirt-qemu\"\nuser = \"+1001\"\n"));
	assert_null(strstr(c, "\"+1000\""));
	assert_int_equal(strlen(c), strlen(b));
	/* Two user= lines (by hand): the first becomes ours, the second goes. */
	d = vm_qemu_conf_set("user = \"bob\"\n# x\n  user=\"root\"\ngroup = \"kvm\"", "user", "+1000");
	assert_string_equal(d, "user = \"+1000\"\n# x\ngroup = \"kvm\"");
}

static void test_tmpfiles(void **state)
{
	const char *mine = "f /dev/shm/looking-glass 0660 alice kvm -";
	_cleanup_free_ char *a = vm_tmpfiles_set(NULL, mine), *b = NULL, *c = NULL;

	assert_string_equal(a, "f /dev/shm/looking-glass 0660 alice kvm -\n");
	b = vm_tmpfiles_set("# mine\nf\t/dev/shm/looking-glass\t0660\troot\tkvm\t-\nd /run/x 0755 root root -\n"
			    "f /dev/shm/looking-glass2 0600 bob kvm -", mine);
	assert_string_equal(b, "# mine\nf /dev/shm/looking-glass 0660 alice kvm -\nd /run/x 0755 root root -\n"
			       "f /dev/shm/looking-glass2 0600 bob kvm -");
	c = vm_tmpfiles_set(b, mine);
	assert_string_equal(b, c);
}

/* Which files a guest's options plan: here for a local libvirt, none (said
 * as by hand) for another machine's, and the Looking Glass file never
 * root's when written. */
static void test_plan(void **state)
{
	struct vm_plan p = { .shmem_mib = 32, .audio = VM_AUDIO_PULSEAUDIO, .uid = 1000,
			     .tmpfiles = (char *)"f /dev/shm/looking-glass 0660 alice kvm -" };
	struct vm_request rq = { .uri = "qemu:///system", .user = "alice", .uid = 1000, .uid_known = true,
				 .hdmi_audio_host = true };
	struct vm_host_texts t = { .qemu_conf = qemu_conf, .apply = true, .libvirt = true };
	struct setup_plan out = { 0 };
	struct strv files = { 0 };
	_cleanup_free_ char *manual = NULL;
	_cleanup_error_ struct error err = { 0 };

	assert_int_equal(vm_host_files(&rq, &p, true, &files), 0);
	assert_int_equal(files.n, 3);
	strv_clear(&files);
	assert_int_equal(vm_host_plan(&rq, &p, &t, &out, &err), 0);
	assert_int_equal(out.nfiles, 3);
	assert_string_equal(out.files[0].path, VM_LG_TMPFILES);
	assert_string_equal(out.files[1].path, VM_QEMU_CONF);
	assert_string_equal(out.files[2].path, VM_HDMI_MODPROBE);
	setup_plan_free(&out);

	rq.uri = "qemu+ssh://box/system";
	assert_int_equal(vm_host_files(&rq, &p, true, &files), 0);
	assert_int_equal(files.n, 0);
	assert_int_equal(vm_host_plan(&rq, &p, &t, &out, &err), 0);
	assert_int_equal(out.nfiles, 0);
	manual = strv_join(&out.manual, "|");
	assert_non_null(strstr(manual, "the guest runs on the host of qemu+ssh://box/system"));
	setup_plan_free(&out);

	rq.uri = "qemu:///system";
	rq.user = "root";
	assert_int_equal(vm_host_plan(&rq, &p, &t, &out, &err), -EINVAL);
	assert_int_equal(err.kind, ERROR_USAGE);
	assert_non_null(strstr(err.msg, "not root: give --user NAME"));
	setup_plan_free(&out);
}

/* The rule of libvirt's AppArmor abstraction that lets QEMU read the ROM
 * copies: found with "audit" or "allow" before it and any perms with r;
 * never a comment, a "deny", a write-only rule or another directory. */
static void test_apparmor_rom(void **state)
{
	static const struct {
		const char *text;
		unsigned line;
	} cases[] = {
		{ "  #include <abstractions/base>\n  /usr/share/seabios/** r,\n  /usr/share/vgabios/** r,\n", 3 },
		{ "/usr/share/vgabios/** r,", 1 },
		{ "\taudit /usr/share/vgabios/** rk,\n", 1 },
		{ "allow /usr/share/vgabios/* r,\n", 1 },
		{ "# /usr/share/vgabios/** r,\n", 0 },
		{ "deny /usr/share/vgabios/** r,\n", 0 },
		{ "/usr/share/vgabios/** w,\n", 0 },
		{ "/usr/share/vgabios/** rx2,\n", 0 },
		{ "/usr/share/vgabiosx/** r,\n", 0 },
		{ "/usr/share/vgabios r,\n", 0 },
		{ "", 0 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		if (vm_apparmor_rom_line(cases[i].text) != cases[i].line)
			fail_msg("'%s': line %u, not %u", cases[i].text, vm_apparmor_rom_line(cases[i].text),
				 cases[i].line);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_qemu_conf),
		cmocka_unit_test(test_tmpfiles),
		cmocka_unit_test(test_plan),
		cmocka_unit_test(test_apparmor_rom),
	};

	return cmocka_run_group_tests(tests, load, unload);
}
