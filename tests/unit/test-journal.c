/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The journal with binary files: a real option ROM from Debian's ipxe-qemu
 * (make check installs it) written into a temporary root and undone byte
 * for byte, a ROM replacing another one, drift of a binary file, a link at
 * the name, more than the journal keeps, copies cut short or altered (the
 * entry damaged, undo refusing it with the reason), the binary diff, SHA-256
 * on FIPS 180-4's examples, and a version 1 entry (tests/fixtures/
 * journal-v1, written by vfiokit before binary files) listed and undone. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "apply/journal.h"
#include "emit/diff.h"
#include "shared/macro.h"
#include "shared/sha256.h"

#define EFI_E1000E "/usr/lib/ipxe/qemu/efi-e1000e.rom"
#define EFI_VIRTIO "/usr/lib/ipxe/qemu/efi-virtio.rom"
#define ROM_PATH "usr/share/vgabios/10de-13c2-0123456789ab.rom"

static const char *fixtures;
static char *root_dir;

struct file {
	uint8_t *buf;
	size_t len;
};

static struct file load(const char *path)
{
	struct file f = { 0 };
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		fail_msg("%s: %s (make check installs ipxe-qemu)", path, strerror(errno));
	assert_int_equal(read_fd_all(fd, 64u << 20, &f.buf, &f.len), 0);
	close(fd);
	return f;
}

static struct file load_in(const char *rel)
{
	_cleanup_free_ char *p = strdupf("%s/%s", root_dir, rel);

	assert_non_null(p);
	return load(p);
}

static void sh(const char *fmt, ...) _printf_(1, 2);
static void sh(const char *fmt, ...)
{
	va_list ap;
	char *cmd;

	va_start(ap, fmt);
	assert_true(vasprintf(&cmd, fmt, ap) >= 0);
	va_end(ap);
	assert_int_equal(system(cmd), 0);
	free(cmd);
}

static struct path_root *new_root(void)
{
	struct path_root *r;

	free(root_dir);
	root_dir = strdup("/tmp/vfiokit-journal-XXXXXX");
	assert_non_null(root_dir);
	assert_non_null(mkdtemp(root_dir));
	assert_int_equal(chmod(root_dir, 0755), 0);
	assert_int_equal(path_root_open(root_dir, &r), 0);
	return r;
}

static void drop_root(struct path_root *r)
{
	path_root_free(r);
	sh("rm -rf '%s'", root_dir);
}

static bool exists(const char *rel)
{
	_cleanup_free_ char *p = strdupf("%s/%s", root_dir, rel);
	struct stat st;

	return lstat(p, &st) == 0;
}

/* Apply one binary change of rel to f; the entry's ID. */
static char *apply_rom(struct path_root *r, const char *rel, const struct file *f)
{
	struct journal_tx tx = { .command = strdup("test") };
	char *id = NULL;
	struct error err = { 0 };

	assert_int_equal(journal_tx_add_binary(&tx, r, rel, f->buf, f->len, 0644), 0);
	assert_int_equal(journal_apply(r, &tx, NULL, &id, &err), 0);
	assert_null(err.msg);
	journal_tx_free(&tx);
	return id;
}

static int undo(struct path_root *r, const char *id, bool force, struct error *err)
{
	_cleanup_free_ char *done = NULL, *diff = NULL;
	int k = journal_undo(r, id, force, false, NULL, &done, &diff, err);

	return k;
}

static void test_sha256(void **state)
{
	char h[SHA256_HEX_SIZE];
	_cleanup_free_ char *million = malloc(1000000);

	sha256_hex("abc", 3, h);
	assert_string_equal(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	sha256_hex("", 0, h);
	assert_string_equal(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, h);
	assert_string_equal(h, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	assert_non_null(million);
	memset(million, 'a', 1000000);
	sha256_hex(million, 1000000, h);
	assert_string_equal(h, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/* A ROM written, the manifest saying its length and sha256, undone: gone,
 * and the directories applying made with it. */
static void test_rom_write_undo(void **state)
{
	struct path_root *r = new_root();
	struct file rom = load(EFI_E1000E), got, man;
	char h[SHA256_HEX_SIZE];
	struct error err = { 0 };
	_cleanup_free_ char *id = NULL, *line = NULL, *mrel = NULL;

	assert_non_null(memchr(rom.buf, 0, rom.len)); /* NUL bytes: not text */
	id = apply_rom(r, ROM_PATH, &rom);
	got = load_in(ROM_PATH);
	assert_int_equal(got.len, rom.len);
	assert_memory_equal(got.buf, rom.buf, rom.len);
	mrel = strdupf("var/lib/vfiokit/journal/%s/manifest", id);
	man = load_in(mrel);
	assert_true(startswith((char *)man.buf, "vfiokit-journal 2\n"));
	sha256_hex(rom.buf, rom.len, h);
	line = strdupf("file 0 binary 0 644 - - 1 644 %zu %s " ROM_PATH "\n", rom.len, h);
	assert_non_null(strstr((char *)man.buf, line));
	assert_int_equal(undo(r, NULL, false, &err), 0);
	assert_null(err.msg);
	assert_false(exists(ROM_PATH));
	assert_false(exists("usr/share/vgabios"));
	assert_false(exists("usr/share"));
	free(got.buf);
	free(man.buf);
	free(rom.buf);
	drop_root(r);
}

/* A ROM replacing another: undo puts the other back byte for byte; the
 * diff says both by length and sha256. */
static void test_rom_replace(void **state)
{
	struct path_root *r = new_root();
	struct file a = load(EFI_VIRTIO), b = load(EFI_E1000E), got;
	struct journal_tx tx = { 0 };
	char ha[SHA256_HEX_SIZE], hb[SHA256_HEX_SIZE];
	struct error err = { 0 };
	_cleanup_free_ char *id = NULL, *diff = NULL, *want = NULL, *dir = strdupf("%s/usr/share/vgabios", root_dir);

	sh("mkdir -p '%s' && cp " EFI_VIRTIO " '%s/%s'", dir, root_dir, ROM_PATH);
	assert_int_equal(journal_tx_add_binary(&tx, r, ROM_PATH, b.buf, b.len, 0644), 0);
	diff = journal_tx_diff(&tx);
	sha256_hex(a.buf, a.len, ha);
	sha256_hex(b.buf, b.len, hb);
	want = strdupf("--- /" ROM_PATH "\n+++ /" ROM_PATH "\n-binary file, %zu bytes, sha256 %s\n"
		       "+binary file, %zu bytes, sha256 %s\n",
		       a.len, ha, b.len, hb);
	assert_string_equal(diff, want);
	journal_tx_free(&tx);
	id = apply_rom(r, ROM_PATH, &b);
	assert_int_equal(undo(r, id, false, &err), 0);
	got = load_in(ROM_PATH);
	assert_int_equal(got.len, a.len);
	assert_memory_equal(got.buf, a.buf, a.len);
	free(got.buf);
	free(a.buf);
	free(b.buf);
	drop_root(r);
}

/* One byte of the copy changed since: drift, named; undo refuses it
 * unless forced. */
static void test_rom_drift(void **state)
{
	struct path_root *r = new_root();
	struct file rom = load(EFI_E1000E);
	struct journal_entry *e = NULL;
	size_t n = 0;
	struct error err = { 0 };
	_cleanup_free_ char *id = apply_rom(r, ROM_PATH, &rom);

	journal_list(r, true, &e, &n);
	assert_int_equal(n, 1);
	assert_int_equal(e[0].drifted.n, 0);
	journal_entries_free(e, n);
	sh("printf '\\001' | dd of='%s/%s' bs=1 seek=4096 conv=notrunc 2>/dev/null", root_dir, ROM_PATH);
	assert_int_equal(journal_list(r, true, &e, &n), 0);
	assert_int_equal(e[0].drifted.n, 1);
	assert_string_equal(e[0].drifted.v[0], ROM_PATH);
	journal_entries_free(e, n);
	assert_int_equal(undo(r, NULL, false, &err), -ESTALE);
	assert_non_null(strstr(err.msg, "changed since vfiokit wrote it: /" ROM_PATH));
	assert_true(exists(ROM_PATH));
	error_clear(&err);
	assert_int_equal(undo(r, NULL, true, &err), 0);
	assert_false(exists(ROM_PATH));
	free(rom.buf);
	drop_root(r);
}

/* A link at the name: refused, nothing followed; more than 16 MiB refused. */
static void test_rom_refused(void **state)
{
	struct path_root *r = new_root();
	struct file rom = load(EFI_E1000E),
		    big = { .buf = calloc(1, JOURNAL_BINARY_MAX + 1), .len = JOURNAL_BINARY_MAX + 1 };
	struct journal_tx tx = { 0 };

	sh("mkdir -p '%s/usr/share/vgabios' '%s/etc' && echo secret >'%s/etc/shadow' && ln -s ../../../etc/shadow '%s/%s'",
	   root_dir, root_dir, root_dir, root_dir, ROM_PATH);
	assert_int_equal(journal_tx_add_binary(&tx, r, ROM_PATH, rom.buf, rom.len, 0644), -ELOOP);
	assert_non_null(strstr(tx.err.msg, "/" ROM_PATH " is a symbolic link: vfiokit does not write through it"));
	assert_int_equal(tx.n, 0);
	journal_tx_free(&tx);
	assert_non_null(big.buf);
	assert_int_equal(journal_tx_add_binary(&tx, r, "usr/share/vgabios/big.rom", big.buf, big.len, 0644), -EFBIG);
	assert_non_null(strstr(tx.err.msg, "more than the journal keeps of a binary file (16 MiB)"));
	journal_tx_free(&tx);
	free(big.buf);
	free(rom.buf);
	drop_root(r);
}

/* A copy cut short, one with a byte altered, one longer, a bad length in
 * the manifest: the entry is damaged, listed so with the reason, and undo
 * refuses it, the file left as it is. */
static void test_damaged(void **state)
{
	static const struct {
		const char *cmd, *why;
	} cases[] = {
		{ "truncate -s 1000 '%s/%s/0.after'", "the copy 0.after is 1000 bytes where its manifest says" },
		{ "printf x | dd of='%s/%s/0.after' bs=1 seek=100 conv=notrunc 2>/dev/null",
		  "the bytes of the copy 0.after are not those its manifest names" },
		{ "echo more >>'%s/%s/0.after'", "the copy 0.after is longer than the" },
		{ "sed -i 's/^file 0 binary 0 644 - - 1 644 [0-9]*/file 0 binary 0 644 - - 1 644 99999999999/' '%s/%s/manifest'",
		  "its manifest has a line vfiokit cannot read" },
		{ "sed -i 's/^file 0 binary/file 0 text/' '%s/%s/manifest'",
		  "the copy 0.after of a text file holds NUL bytes" },
		{ "rm '%s/%s/0.after'", "the copy 0.after of /" ROM_PATH " cannot be read" },
		/* A mode vfiokit never writes: set-user-ID for the undo to create. */
		{ "sed -i 's/^file 0 binary 0 644 - - 1 644 /file 0 binary 0 6755 - - 1 644 /' '%s/%s/manifest'",
		  "its manifest has a line vfiokit cannot read" },
		/* One copy named by a second line: each change once, in order. */
		{ "sed -i 's/^\\(file \\)0\\( binary .*\\)$/&\\n\\10\\2/' '%s/%s/manifest'",
		  "its manifest has a line vfiokit cannot read" },
	};
	struct file rom = load(EFI_E1000E);

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct path_root *r = new_root();
		_cleanup_free_ char *id = apply_rom(r, ROM_PATH, &rom),
				    *dir = strdupf("var/lib/vfiokit/journal/%s", id);
		struct journal_entry *e = NULL;
		size_t n = 0;
		struct error err = { 0 };
		struct file got;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
		sh(cases[i].cmd, root_dir, dir); /* the table's own formats */
#pragma GCC diagnostic pop
		assert_int_equal(journal_list(r, true, &e, &n), 0);
		assert_int_equal(n, 1);
		assert_int_equal(e[0].state, JOURNAL_DAMAGED);
		if (!strstr(e[0].why, cases[i].why))
			fail_msg("case %zu: '%s' does not say '%s'", i, e[0].why, cases[i].why);
		journal_entries_free(e, n);
		assert_int_equal(undo(r, id, true, &err), -EBADMSG);
		assert_non_null(strstr(err.msg, "is damaged ("));
		assert_non_null(strstr(err.msg, cases[i].why));
		error_clear(&err);
		got = load_in(ROM_PATH);
		assert_int_equal(got.len, rom.len);
		free(got.buf);
		drop_root(r);
	}
	free(rom.buf);
}

/* Text still diffs as text; a text file that holds a NUL byte now is shown
 * by length and sha256, never cut at the NUL. */
static void test_text_diff(void **state)
{
	struct path_root *r = new_root();
	struct journal_tx tx = { 0 };
	_cleanup_free_ char *diff = NULL, *d2 = NULL;

	assert_int_equal(journal_tx_add(&tx, r, "etc/a.conf", "one\ntwo\n", 0644), 0);
	diff = journal_tx_diff(&tx);
	assert_string_equal(diff, "--- /dev/null\n+++ /etc/a.conf\n@@ -0,0 +1,2 @@\n+one\n+two\n");
	journal_tx_free(&tx);
	d2 = diff_binary("/x", "a\0b", 3, "a\0b", 3);
	assert_string_equal(d2, "");
	drop_root(r);
}

/* A version 1 entry: listed as applied, no drift; undone to the files
 * before it (qemu.conf's 1.before, the new files removed). */
static void test_v1_entry(void **state)
{
	struct path_root *r = new_root();
	struct journal_entry *e = NULL;
	size_t n = 0;
	struct error err = { 0 };
	struct file before, conf;

	sh("cp -a '%s/../journal-v1/.' '%s/'", fixtures, root_dir);
	assert_int_equal(journal_list(r, true, &e, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(e[0].state, JOURNAL_APPLIED);
	assert_string_equal(e[0].id, "20261201-100912");
	assert_int_equal(e[0].paths.n, 3);
	assert_string_equal(e[0].paths.v[1], "etc/libvirt/qemu.conf");
	assert_int_equal(e[0].drifted.n, 0);
	journal_entries_free(e, n);
	before = load_in("var/lib/vfiokit/journal/20261201-100912/1.before");
	assert_int_equal(undo(r, NULL, false, &err), 0);
	assert_null(err.msg);
	conf = load_in("etc/libvirt/qemu.conf");
	assert_int_equal(conf.len, before.len);
	assert_memory_equal(conf.buf, before.buf, before.len);
	assert_false(exists("etc/tmpfiles.d/10-looking-glass.conf"));
	assert_false(exists("etc/modprobe.d"));
	assert_int_equal(journal_list(r, false, &e, &n), 0);
	assert_int_equal(e[0].state, JOURNAL_UNDONE);
	journal_entries_free(e, n);
	/* Its manifest stays version 1. */
	free(before.buf);
	before = load_in("var/lib/vfiokit/journal/20261201-100912/manifest");
	assert_true(startswith((char *)before.buf, "vfiokit-journal 1\nstate undone\n"));
	free(before.buf);
	free(conf.buf);
	drop_root(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256),      cmocka_unit_test(test_rom_write_undo),
		cmocka_unit_test(test_rom_replace), cmocka_unit_test(test_rom_drift),
		cmocka_unit_test(test_rom_refused), cmocka_unit_test(test_damaged),
		cmocka_unit_test(test_text_diff),   cmocka_unit_test(test_v1_entry),
	};

	fixtures = getenv("VFIOKIT_FIXTURES");
	if (!fixtures) {
		fprintf(stderr, "VFIOKIT_FIXTURES is not set\n");
		return 1;
	}
	umask(022);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
