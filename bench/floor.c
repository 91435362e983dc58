/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The floor: the least a program can do to read what `vfiokit groups -J`
 * shows, with no model, no names, no output formatting. For each device in
 * TREE/sys/bus/pci/devices: the first 64 bytes of config (vendor, device,
 * subsystem ids, class, revision), reset_method, boot_vga and reset
 * existence (numa_node and driver_override only when groups shows their
 * columns, which -J does not by default), and the driver and iommu_group links; then
 * each group's device list. Prints only a count. */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static unsigned long bytes;

static void rd(int dfd, const char *name, size_t size)
{
	char buf[256];
	int fd = openat(dfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	ssize_t n = read(fd, buf, size);
	if (n > 0)
		bytes += (unsigned long)n;
	close(fd);
}

int main(int argc, char **argv)
{
	static const char *const attrs[] = { "reset_method", "boot_vga" };
	char path[4096], link[4096];
	unsigned devices = 0, members = 0;
	struct dirent *de;
	DIR *dir;

	if (argc != 2)
		return 2;
	snprintf(path, sizeof(path), "%s/sys/bus/pci/devices", argv[1]);
	if (!(dir = opendir(path)))
		return 1;
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		int dfd = openat(dirfd(dir), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd < 0)
			continue;
		rd(dfd, "config", 64);
		for (size_t i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++)
			rd(dfd, attrs[i], 256);
		bytes += faccessat(dfd, "reset", F_OK, 0) == 0;
		bytes += readlinkat(dfd, "driver", link, sizeof(link)) > 0;
		bytes += readlinkat(dfd, "iommu_group", link, sizeof(link)) > 0;
		bytes += readlinkat(dirfd(dir), de->d_name, link, sizeof(link)) > 0;
		close(dfd);
		devices++;
	}
	closedir(dir);
	snprintf(path, sizeof(path), "%s/sys/kernel/iommu_groups", argv[1]);
	if ((dir = opendir(path))) {
		while ((de = readdir(dir))) {
			if (de->d_name[0] == '.')
				continue;
			char p2[4200];
			snprintf(p2, sizeof(p2), "%s/%s/devices", path, de->d_name);
			DIR *g = opendir(p2);
			if (!g)
				continue;
			struct dirent *m;
			while ((m = readdir(g)))
				members += m->d_name[0] != '.';
			closedir(g);
		}
		closedir(dir);
	}
	printf("%u devices, %u group members, %lu bytes\n", devices, members, bytes);
	return 0;
}
