/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Parsers for the text the kernel exposes. Pure functions over strings:
 * they never touch files, so unit tests and fuzzers drive them directly. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shared/parse-number.h"
#include "shared/strv.h"

/* A PCI address: domain:bus:device.function. */
struct pci_addr {
	uint32_t domain;
	uint8_t bus, dev, fn;
};

#define PCI_ADDR_STRLEN 17 /* "ffffffff:00:00.0" + NUL */

/* The value of one hexadecimal digit (either case), or -1. */
int parse_hex_digit(char c);
/* "0x10de" (as in sysfs) or "10de": a hex number no larger than max.
 * -EINVAL for anything else (empty, junk, trailing characters). */
int parse_hex_u32(const char *s, uint32_t max, uint32_t *ret);
/* A decimal integer, optionally negative, within [min, max]. */
int parse_int(const char *s, long min, long max, long *ret);
/* "0000:06:00.0" (domain of 4 to 8 hex digits), or "06:00.0" (domain 0). */
int parse_pci_addr(const char *s, struct pci_addr *ret);
void format_pci_addr(const struct pci_addr *a, char buf[static PCI_ADDR_STRLEN]);
int pci_addr_cmp(const struct pci_addr *a, const struct pci_addr *b);
/* A host name as hostname(7) has it: 1 to 253 letters, digits, '-' and
 * '.', not starting with '-' or '.'; what etc/hostname and an inventory's
 * host name must be before an export writes it as a node name. */
bool hostname_is_valid(const char *s);
/* Same physical card: domain, bus and device number equal. */
bool pci_addr_same_slot(const struct pci_addr *a, const struct pci_addr *b);

/*
 * Kernel command line, split as the kernel does (lib/cmdline.c next_arg):
 * words separated by whitespace, double quotes group (and are removed),
 * "--" ends the kernel's part. Each entry is "key" or "key=value".
 */
struct cmdline_param {
	char *key;
	char *value; /* NULL when the word had no '=' */
};

struct cmdline {
	struct cmdline_param *p;
	size_t n, alloc;
};

int cmdline_parse(const char *s, struct cmdline *ret);
void cmdline_free(struct cmdline *c);
/* The last occurrence wins, as for the kernel's own parameters. Keys compare
 * with '-' and '_' equal (vfio-pci.ids == vfio_pci.ids). NULL if absent;
 * *found tells a bare key ("iommu") from an absent one. */
const struct cmdline_param *cmdline_get(const struct cmdline *c, const char *key);

/* Module names compare with '-' and '_' equal; normalise to '_'. */
void module_name_normalize(char *name);
/* The module name of a modules.dep / modules.builtin path:
 * "kernel/drivers/vfio/pci/vfio-pci.ko.zst" -> "vfio_pci". NULL on ENOMEM. */
char *module_name_from_path(const char *path);

/* "/proc/cpuinfo": the first processor's value of key ("vendor_id", "flags"). */
int cpuinfo_get(const char *cpuinfo, const char *key, char **ret);
/* Whole-word search in a space-separated list ("flags" line). */
bool word_in_list(const char *list, const char *word);

/* os-release (KEY=value, shell-style quoting, # comments): value of key's
 * last assignment (the one a shell sourcing it keeps), unquoted. */
int osrelease_get(const char *text, const char *key, char **ret);

/* A physical address range [start, end], as in /proc/iomem and a PCI
 * device's "resource" file. */
struct mem_range {
	uint64_t start, end;
};

/* /sys/bus/pci/devices/X/resource: "0xstart 0xend 0xflags" per line; the
 * memory BARs (IORESOURCE_MEM) that are assigned. */
int pci_resource_parse(const char *text, struct mem_range **ret, size_t *n);
/* The length in bytes of resource line bar (from 0) of that file, 0 when
 * unassigned. 0; -EINVAL when the line is missing or not three hex numbers. */
int pci_resource_len(const char *text, unsigned bar, uint64_t *len);
/* /proc/iomem: the ranges a boot framebuffer claimed (efifb, simplefb, simpledrm,
 * vesafb, BOOTFB). As non-root the kernel shows zeros: none are returned. */
int iomem_framebuffers(const char *text, struct mem_range **ret, size_t *n);
bool mem_ranges_overlap(const struct mem_range *a, const struct mem_range *b);

/* One line of /proc/PID/mountinfo: device number, mount point (octal escapes
 * decoded) and mount source. The strings point into line, which is changed. */
struct mountinfo_entry {
	unsigned major, minor;
	const char *target, *fstype, *source;
};
int mountinfo_parse_line(char *line, struct mountinfo_entry *ret);

/* Interfaces carrying a default route: /proc/net/route (IPv4) or
 * /proc/net/ipv6_route (IPv6); "lo" is never one. Appends to ret. A line
 * that is not as the kernel writes it (route: its header first) is
 * -EINVAL, its number (from 1) in *bad_line: a route not read would leave
 * its interface looking free. */
int route_default_ifaces(const char *text, bool ipv6, struct strv *ret, size_t *bad_line);
/* The Filename of every swap area in /proc/swaps; -EINVAL and *bad_line as
 * above for a line that is not the header (first) or a swap area. */
int swaps_parse(const char *text, struct strv *ret, size_t *bad_line);

/* The state `vfiokit bind` leaves in /run/vfiokit/bound/ADDR: key=value
 * lines. Absent keys are NULL; "driver=" (empty) means no driver. */
struct bind_state {
	char *driver;          /* driver before bind, "" for none */
	char *driver_override; /* driver_override before bind, "" for none */
	char *target;          /* the driver bind moved it to */
};
int bind_state_parse(const char *text, struct bind_state *ret);
void bind_state_free(struct bind_state *s);
/* The file's text; NULL on ENOMEM. */
char *bind_state_format(const struct bind_state *s, const char *device);

/* /proc/meminfo: the value of KEY ("MemTotal") in KiB; -ENOENT, -EINVAL. */
int meminfo_get_kb(const char *text, const char *key, uint64_t *ret);
/* transparent_hugepage/enabled ("always [madvise] never"): the mode in
 * brackets, copied; -EINVAL when there is none. */
int thp_mode_parse(const char *text, char **ret);
/* parse_size() ("16G", "8192MiB") is in parse-number.h. */

/* modprobe.d text (files joined): the IDs given to vfio-pci ("options
 * vfio-pci ids=..."), and the modules with a softdep that loads vfio-pci
 * before them ("softdep X pre: vfio-pci"). Module names as modprobe
 * treats them (- and _ alike, kept with _). Appends. */
struct modprobe_conf {
	struct strv vfio_ids;
	struct strv vfio_first; /* modules X with softdep X pre: vfio-pci */
	char *vfio_install;     /* the command of the first "install vfio-pci ..." line; NULL: none */
	struct strv kvm_msrs;   /* the ignore_msrs=... and report_ignored_msrs=... of "options kvm" lines, in order */
};
int modprobe_conf_parse(const char *text, struct modprobe_conf *c);
void modprobe_conf_free(struct modprobe_conf *c);

/* The devices of the DEVS="..." line of the driver_override script setup
 * writes (OVERRIDE_SCRIPT; text NULL: none), added to devs. */
int override_script_devs(const char *text, struct strv *devs);

/* An input capability bitmap as the kernel prints it
 * (drivers/input/input.c input_print_bitmap): hex words of unsigned long,
 * the highest first, separated by single spaces, "0" when empty. Is bit
 * set? 1, 0, or -EINVAL when the text is not such a bitmap. */
int input_bitmap_test(const char *text, unsigned bit);
