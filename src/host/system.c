/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The rest of the machine the article's prerequisites depend on: the CPU,
 * /dev/kvm, the distribution, OVMF firmware, the clocksource. */
#include "host/host.h"

/* Where distributions install OVMF's code image (see docs/ARCHITECTURE.md,
 * "Firmware"): Debian/Ubuntu (ovmf), Arch (edk2-ovmf), Fedora (edk2-ovmf). */
static const char *const ovmf_code_paths[] = {
	"usr/share/OVMF/OVMF_CODE_4M.fd",
	"usr/share/OVMF/OVMF_CODE.fd",
	"usr/share/edk2/x64/OVMF_CODE.4m.fd",
	"usr/share/edk2-ovmf/x64/OVMF_CODE.fd",
	"usr/share/edk2/ovmf/OVMF_CODE.fd",
	"usr/share/edk2/ovmf/OVMF_CODE_4M.qcow2",
};

enum cpu_vendor host_cpu_vendor(const struct host *h)
{
	const char *v = h->cpu.vendor_id;

	if (!v)
		return CPU_OTHER;
	if (streq(v, "GenuineIntel"))
		return CPU_INTEL;
	if (streq(v, "AuthenticAMD") || streq(v, "HygonGenuine"))
		return CPU_AMD;
	return CPU_OTHER;
}

static int load_cpu(struct host *h)
{
	_cleanup_free_ char *text = NULL, *flags = NULL;
	int k = path_read_file(h->root, "proc/cpuinfo", PATH_READ_MAX, &text, NULL);

	if (k == -ENOMEM)
		return k;
	if (k < 0) {
		host_diag(h, "proc/cpuinfo", "cannot read: %s", path_strerror(k));
		return 0;
	}
	if (cpuinfo_get(text, "vendor_id", &h->cpu.vendor_id) == -ENOMEM ||
	    cpuinfo_get(text, "model name", &h->cpu.model_name) == -ENOMEM)
		return -ENOMEM;
	k = cpuinfo_get(text, "flags", &flags);
	if (k == -ENOMEM)
		return k;
	if (k < 0) {
		host_diag(h, "proc/cpuinfo", "no \"flags\" line in the first processor's block");
		return 0;
	}
	h->cpu.vmx = word_in_list(flags, "vmx");
	h->cpu.svm = word_in_list(flags, "svm");
	h->cpu.pdpe1gb = word_in_list(flags, "pdpe1gb");
	h->cpu.hypervisor = word_in_list(flags, "hypervisor");
	return 0;
}

static int load_os_release(struct host *h)
{
	_cleanup_free_ char *text = NULL;
	const char *rel = "etc/os-release";
	int k = path_read_file(h->root, rel, 65536, &text, NULL);

	if (k == -ENOENT) {
		rel = "usr/lib/os-release";
		k = path_read_file(h->root, rel, 65536, &text, NULL);
	}
	if (k == -ENOMEM)
		return k;
	if (k < 0) {
		if (k != -ENOENT)
			host_diag(h, rel, "cannot read: %s", path_strerror(k));
		return 0;
	}
	if (osrelease_get(text, "ID", &h->sys.os_id) == -ENOMEM ||
	    osrelease_get(text, "ID_LIKE", &h->sys.os_id_like) == -ENOMEM ||
	    osrelease_get(text, "PRETTY_NAME", &h->sys.os_pretty) == -ENOMEM ||
	    osrelease_get(text, "VARIANT", &h->sys.os_variant) == -ENOMEM)
		return -ENOMEM;
	return 0;
}

static int load_firmware(struct host *h)
{
	struct strv desc = { 0 };
	int k;

	for (size_t i = 0; i < ARRAY_SIZE(ovmf_code_paths); i++)
		if (path_exists(h->root, ovmf_code_paths[i]) && strv_push(&h->sys.ovmf, ovmf_code_paths[i]) < 0)
			return -ENOMEM;
	/* QEMU's firmware descriptors (docs/interop/firmware.json). */
	k = path_list(h->root, "usr/share/qemu/firmware", &desc);
	if (k == -ENOMEM)
		return k;
	for (size_t i = 0; i < desc.n; i++) {
		if (endswith(desc.v[i], ".json") && strlen(desc.v[i]) > 5 &&
		    strv_push(&h->sys.firmware_descriptors, desc.v[i]) < 0) {
			strv_clear(&desc);
			return -ENOMEM;
		}
	}
	strv_clear(&desc);
	return 0;
}

/* Keyboards and mice for evdev passthrough (the article's "Passing
 * keyboard/mouse via Evdev": only names with "event" in them work). */
static int load_inputs(struct host *h)
{
	struct strv l = { 0 };
	int k = path_list(h->root, "dev/input/by-id", &l);

	if (k == -ENOMEM)
		return k;
	k = 0;
	for (size_t i = 0; k >= 0 && i < l.n; i++)
		if (endswith(l.v[i], "-event-kbd") || endswith(l.v[i], "-event-mouse"))
			k = strv_push(&h->sys.inputs, l.v[i]);
	strv_clear(&l);
	return k < 0 ? -ENOMEM : 0;
}

/* Is the group called name among the process's groups? etc/group is read
 * through the root, which is "/" here: this runs on the live machine only. */
static int user_in_group(struct host *h, const char *group_text, const char *name, bool *exists)
{
	size_t nlen = strlen(name);
	_cleanup_free_ gid_t *gids = NULL;
	int n = getgroups(0, NULL); /* any number: a fixed array gave -EINVAL, "not a member", past 256 */

	if (n < 0)
		return -errno;
	gids = calloc((size_t)n + 1, sizeof(*gids));
	if (!gids)
		return -ENOMEM;
	n = getgroups(n, gids);
	if (n < 0)
		return -errno;
	*exists = false;
	for (const char *line = group_text; line && *line;) {
		const char *end = strchrnul(line, '\n');
		if ((size_t)(end - line) > nlen + 1 && strncmp(line, name, nlen) == 0 && line[nlen] == ':') {
			const char *gidp = strchr(line + nlen + 1, ':');
			long gid;
			_cleanup_free_ char *num = NULL;
			if (gidp && gidp < end) {
				num = strndup(gidp + 1, strcspn(gidp + 1, ":\n"));
				if (!num)
					return -ENOMEM;
				if (parse_int(num, 0, UINT32_MAX, &gid) == 0) {
					*exists = true;
					if ((gid_t)gid == getegid())
						return 1;
					for (int i = 0; i < n; i++)
						if (gids[i] == (gid_t)gid)
							return 1;
				}
			}
		}
		line = *end ? end + 1 : NULL;
	}
	return 0;
}

static int load_user(struct host *h)
{
	_cleanup_free_ char *group = NULL;
	int k;

	if (!path_root_is_live(h->root))
		return 0;
	h->sys.user_known = true;
	h->sys.uid = (unsigned)getuid();
	if (h->sys.uid == 0)
		return 0;
	k = path_read_file(h->root, "etc/group", PATH_READ_MAX, &group, NULL);
	if (k == -ENOMEM)
		return k;
	if (k < 0)
		return 0;
	if ((k = user_in_group(h, group, "kvm", &h->sys.kvm_group)) < 0)
		return k;
	h->sys.in_kvm = k;
	if ((k = user_in_group(h, group, "libvirt", &h->sys.libvirt_group)) < 0)
		return k;
	h->sys.in_libvirt = k;
	return 0;
}

/* ------------------------------------------------- is / on dm-crypt? */

#define CRYPT_MAX_DEPTH 6 /* LVM on LUKS on RAID ... */

/* why: taken; NULL is -ENOMEM. */
static int crypt_unknown(struct host *h, char *why)
{
	if (!why)
		return -ENOMEM;
	if (h->sys.root_crypt < 0) {
		free(why); /* the first fact not read is kept */
		return 0;
	}
	h->sys.root_crypt = -1;
	h->sys.root_crypt_unknown = why;
	return 0;
}

/* rel is sys/dev/block/MAJ:MIN or sys/class/block/NAME: a device-mapper
 * device says its target in dm/uuid ("CRYPT-LUKS2-..." for cryptsetup's);
 * LVM, RAID and partitions lead down through slaves/. */
static int crypt_walk(struct host *h, const char *rel, const char *name, int depth)
{
	_cleanup_free_ char *uuid_rel = strdupf("%s/dm/uuid", rel), *dm_rel = strdupf("%s/dm", rel);
	_cleanup_free_ char *slaves_rel = strdupf("%s/slaves", rel), *uuid = NULL;
	struct strv slaves = { 0 };
	int k;

	if (!uuid_rel || !dm_rel || !slaves_rel)
		return -ENOMEM;
	if (depth > CRYPT_MAX_DEPTH)
		return crypt_unknown(h, strdupf("/%s: block devices stacked deeper than %d", rel, CRYPT_MAX_DEPTH));
	k = path_read_string(h->root, uuid_rel, &uuid);
	if (k == -ENOMEM)
		return k;
	if (k == 0 && startswith(uuid, "CRYPT-")) {
		if (h->sys.root_crypt != 1) {
			free(h->sys.root_crypt_unknown);
			h->sys.root_crypt_unknown = NULL;
			h->sys.root_crypt = 1;
			if (!(h->sys.root_crypt_dev = strdup(name)))
				return -ENOMEM;
		}
		return 0;
	}
	/* A device-mapper device (it has dm/) whose target cannot be read. */
	if (k < 0 && (k != -ENOENT || path_exists(h->root, dm_rel)))
		return crypt_unknown(h, strdupf("/%s: %s", uuid_rel, k == -ENOENT ? "absent" : path_strerror(k)));
	k = path_list(h->root, slaves_rel, &slaves);
	if (k == -ENOENT)
		return 0; /* a disk or partition: nothing below it */
	if (k < 0)
		return k == -ENOMEM ? k : crypt_unknown(h, strdupf("/%s: %s", slaves_rel, path_strerror(k)));
	k = 0;
	for (size_t i = 0; i < slaves.n && k >= 0 && h->sys.root_crypt != 1; i++) {
		_cleanup_free_ char *sub = strdupf("sys/class/block/%s", slaves.v[i]);
		k = sub ? crypt_walk(h, sub, slaves.v[i], depth + 1) : -ENOMEM;
	}
	strv_clear(&slaves);
	return k < 0 ? k : 0;
}

/* The article's warning (kernel 6.0+, "Loading vfio-pci early"): an
 * encrypted root asks its passphrase on the framebuffer the VFIO modules
 * freeze. The last mount of / in mountinfo is the one in use. */
int system_load_root_crypt(struct host *h)
{
	_cleanup_free_ char *text = NULL, *target = NULL, *source = NULL, *fstype = NULL, *rel = NULL, *link = NULL;
	unsigned major = 0, minor = 0;
	char *save = NULL;
	const char *name;
	int k = path_read_file(h->root, "proc/self/mountinfo", PATH_READ_MAX, &text, NULL);

	h->sys.root_crypt = 0;
	if (k == -ENOMEM)
		return k;
	if (k < 0)
		return crypt_unknown(h, strdupf("/%s: %s", "proc/self/mountinfo", k == -ENOENT ? "absent" : path_strerror(k)));
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct mountinfo_entry m;
		if (mountinfo_parse_line(line, &m) < 0 || !streq(m.target, "/"))
			continue;
		free(source);
		free(fstype);
		if (!(source = strdup(m.source)) || !(fstype = strdup(m.fstype)))
			return -ENOMEM;
		major = m.major;
		minor = m.minor;
	}
	if (!source)
		return crypt_unknown(h, strdupf("/%s: %s", "proc/self/mountinfo", "no mount of /"));
	if (major != 0) {
		if (!(rel = strdupf("sys/dev/block/%u:%u", major, minor)))
			return -ENOMEM;
		if (!path_exists(h->root, rel))
			return crypt_unknown(h, strdupf("/%s: %s", rel, "absent"));
		if ((k = path_readlink(h->root, rel, &link)) == -ENOMEM)
			return k;
		name = k == 0 && strrchr(link, '/') ? strrchr(link, '/') + 1 : rel + strlen("sys/dev/block/");
		return crypt_walk(h, rel, name, 0);
	}
	/* An anonymous device number (btrfs): the source names the device,
	 * /dev/mapper/NAME a link to ../dm-N. */
	if (!startswith(source, "/dev/"))
		return crypt_unknown(h, strdupf("/ is %s (%s), not a block device", source, fstype));
	if ((k = path_readlink(h->root, source, &link)) == -ENOMEM)
		return k;
	name = k == 0 ? link : source;
	name = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;
	if (!*name || streq(name, "..") || streq(name, "."))
		return crypt_unknown(h, strdupf("/ is %s (%s), not a block device", source, fstype));
	if (!(rel = strdupf("sys/class/block/%s", name)))
		return -ENOMEM;
	if (!path_exists(h->root, rel))
		return crypt_unknown(h, strdupf("/%s: %s", rel, "absent"));
	return crypt_walk(h, rel, name, 0);
}

/* kvm's ignore_msrs now (a bool module parameter: "Y" or "N"); -1 when kvm
 * is not loaded or the file says something else. */
static int load_kvm_ignore_msrs(struct host *h)
{
	static const char rel[] = "sys/module/kvm/parameters/ignore_msrs";
	_cleanup_free_ char *v = NULL;
	int k = path_read_string(h->root, rel, &v);

	h->sys.kvm_ignore_msrs = -1;
	if (k == -ENOMEM)
		return k;
	if (k < 0)
		return 0;
	if (streq(v, "Y") || streq(v, "1"))
		h->sys.kvm_ignore_msrs = 1;
	else if (streq(v, "N") || streq(v, "0"))
		h->sys.kvm_ignore_msrs = 0;
	return 0;
}

int system_load(struct host *h)
{
	int k;

	if ((k = load_cpu(h)) < 0 || (k = load_os_release(h)) < 0 || (k = load_firmware(h)) < 0 || (k = load_inputs(h)) < 0 || (k = input_load(h)) < 0 ||
	    (k = load_user(h)) < 0)
		return k;
	h->sys.kvm_dev = path_exists(h->root, "dev/kvm");
	h->sys.vfio_dev = path_exists(h->root, "dev/vfio/vfio");
	h->sys.efi = path_exists(h->root, "sys/firmware/efi");
	if ((k = load_kvm_ignore_msrs(h)) < 0)
		return k;
	k = path_read_string(h->root, "sys/devices/system/clocksource/clocksource0/current_clocksource",
			     &h->sys.clocksource);
	if (k == -ENOMEM)
		return k;
	if (k < 0) {
		if (k != -ENOENT)
			host_diag(h, "sys/devices/system/clocksource/clocksource0/current_clocksource", "cannot read: %s",
				  path_strerror(k));
		h->sys.clocksource = NULL;
	}
	/* hostname(5): one line; the node name inventories and exports use. */
	k = path_read_string(h->root, "etc/hostname", &h->sys.hostname);
	if (k == -ENOMEM)
		return k;
	if (k < 0 || !hostname_is_valid(h->sys.hostname)) {
		if (k < 0 && k != -ENOENT)
			host_diag(h, "etc/hostname", "cannot read: %s", path_strerror(k));
		else if (k == 0)
			host_diag(h, "etc/hostname", "not one host name");
		if (k == 0)
			free(h->sys.hostname);
		h->sys.hostname = NULL;
	}
	return 0;
}

void system_free(struct host *h)
{
	free(h->cpu.vendor_id);
	free(h->cpu.model_name);
	free(h->sys.os_id);
	free(h->sys.os_id_like);
	free(h->sys.os_pretty);
	free(h->sys.os_variant);
	free(h->sys.hostname);
	free(h->sys.root_crypt_unknown);
	free(h->sys.root_crypt_dev);
	strv_clear(&h->sys.ovmf);
	strv_clear(&h->sys.firmware_descriptors);
	strv_clear(&h->sys.inputs);
	input_free(h);
	free(h->sys.clocksource);
}
