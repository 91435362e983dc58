/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Parser throughput, in process: rom_parse() on one file N times.
 * usage: rom-throughput FILE N   -> prints "bytes seconds MB/s images" */
#include <fcntl.h>
#include <time.h>

#include "shared/macro.h"
#include "rom/rom.h"

int main(int argc, char **argv)
{
	uint8_t *buf = NULL;
	size_t len = 0, images = 0;
	struct timespec a, b;
	long n;
	int fd;
	double s;

	if (argc != 3 || (n = strtol(argv[2], NULL, 10)) <= 0)
		return 2;
	fd = open(argv[1], O_RDONLY);
	if (fd < 0 || read_fd_all(fd, 64u << 20, &buf, &len) < 0)
		return 1;
	close(fd);
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < n; i++) {
		struct rom r;
		if (rom_parse(buf, len, &r) < 0)
			return 1;
		images = r.nimages;
		rom_free(&r);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	s = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	printf("%zu %.6f %.1f %zu\n", len, s, (double)len * (double)n / s / 1e6, images);
	free(buf);
	return 0;
}
