/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness for the journal's reader (src/apply/journal.c): a
 * journal in a --root may be anyone's. The input is one entry: a count of
 * copies (the first byte, at most 6), each copy's length (two bytes, little
 * endian) and bytes, then the manifest. The copies are 0.before, 0.after,
 * 1.before and 1.after of the entry, and etc/a and ROM in the root (files
 * its changes may name). In a fresh temporary root on every run: the
 * entry is listed with its drift, then undone (dry run, then forced). An
 * entry listed as damaged must be refused by undo as damaged, and one that
 * is not, never; nothing is written outside the root (path.c resolves in
 * it) and the listing and undo must not fail on memory or crash. Seeds:
 * tests/fuzz/seeds-journal (a version 1 and a version 2 entry). */
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apply/journal.h"
#include "shared/macro.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ID "20240101-000000"
#define ROM "usr/share/vgabios/10de-13c2-0123456789ab.rom"

static char root_dir[] = "/dev/shm/vfiokit-fuzz-journal-XXXXXX";

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	if (f->level > 0)
		(void)remove(p);
	return 0;
}

static void put(const char *rel, const uint8_t *b, size_t n)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root_dir, rel);
	f = fopen(path, "wb");
	if (!f)
		__builtin_trap();
	if (n && fwrite(b, 1, n, f) != n)
		__builtin_trap();
	fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "var/lib/vfiokit/journal/" ID "/0.before",
					     "var/lib/vfiokit/journal/" ID "/0.after",
					     "var/lib/vfiokit/journal/" ID "/1.before",
					     "var/lib/vfiokit/journal/" ID "/1.after",
					     "etc/a",
					     ROM };
	static bool made;
	struct path_root *r = NULL;
	struct journal_entry *e = NULL;
	size_t n = 0, off = 1, copies;
	bool damaged;
	char cmd[600];
	int k;

	if (!made) {
		if (!mkdtemp(root_dir))
			__builtin_trap();
		made = true;
	}
	(void)nftw(root_dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	if (size < 1)
		return 0;
	snprintf(cmd, sizeof(cmd), "%s/var/lib/vfiokit/journal/" ID, root_dir);
	for (char *s = cmd + strlen(root_dir) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		(void)mkdir(cmd, 0755);
		*s = '/';
	}
	(void)mkdir(cmd, 0700);
	snprintf(cmd, sizeof(cmd), "%s/etc", root_dir);
	(void)mkdir(cmd, 0755);
	snprintf(cmd, sizeof(cmd), "%s/usr", root_dir);
	(void)mkdir(cmd, 0755);
	snprintf(cmd, sizeof(cmd), "%s/usr/share", root_dir);
	(void)mkdir(cmd, 0755);
	snprintf(cmd, sizeof(cmd), "%s/usr/share/vgabios", root_dir);
	(void)mkdir(cmd, 0755);
	copies = data[0] % (ARRAY_SIZE(names) + 1);
	for (size_t i = 0; i < copies; i++) {
		size_t len;
		if (off + 2 > size)
			return 0;
		len = (size_t)data[off] | (size_t)data[off + 1] << 8;
		off += 2;
		if (len > size - off)
			len = size - off;
		put(names[i], data + off, len);
		off += len;
	}
	put("var/lib/vfiokit/journal/" ID "/manifest", data + off, size - off);

	if (path_root_open(root_dir, &r) < 0)
		__builtin_trap();
	k = journal_list(r, true, &e, &n);
	if (k < 0 || n > 1)
		__builtin_trap();
	damaged = n == 1 && e[0].state == JOURNAL_DAMAGED;
	if (n == 1 && damaged != !!e[0].why)
		__builtin_trap();
	if (n == 1 && e[0].state != JOURNAL_UNDONE) {
		for (int dry = 1; dry >= 0; dry--) {
			char *done = NULL, *diff = NULL;
			struct error err = { 0 };
			struct journal_runner x = { 0 };
			k = journal_undo(r, ID, true, dry, &x, &done, &diff, &err);
			if (k == -ENOMEM || (damaged != (k == -EBADMSG)) || (k < 0 && !err.msg))
				__builtin_trap();
			free(done);
			free(diff);
			error_clear(&err);
			strv_clear(&x.todo);
			if (k < 0)
				break;
		}
	}
	journal_entries_free(e, n);
	path_root_free(r);
	return 0;
}
