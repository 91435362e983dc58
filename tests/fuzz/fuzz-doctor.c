/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness for vfiokit doctor's line reader (host/log.c) and
 * signature matcher (plan/doctor.c): any bytes as a log, read through a
 * memfd as from a file. The reader must give lines no longer than
 * LOG_LINE_MAX, without NUL bytes, whose stripped message lies inside the
 * line, no more lines than the input has; every match and the report built
 * from them must stay within their bounds. Seeds: tests/fixtures/logs. */
#include <sys/mman.h>

#include "plan/doctor.h"
#include "host/log.h"
#include "shared/macro.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct doctor_report rep = { 0 };
	struct log_reader *lr = NULL;
	struct log_line ln;
	size_t newlines = 0, off = 0;
	uint64_t got = 0;
	int fd, k;

	for (size_t i = 0; i < size; i++)
		newlines += data[i] == '\n';
	fd = memfd_create("fuzz-doctor", MFD_CLOEXEC);
	if (fd < 0)
		return 0;
	while (off < size) {
		ssize_t n = write(fd, data + off, size - off);
		if (n <= 0) {
			close(fd);
			return 0;
		}
		off += (size_t)n;
	}
	if (lseek(fd, 0, SEEK_SET) < 0 || log_open_fd(fd, false, &lr) < 0)
		return 0;
	while ((k = log_next(lr, &ln)) > 0) {
		size_t len = strlen(ln.raw);
		struct doctor_match m;
		enum log_form f;

		got++;
		if (len > LOG_LINE_MAX || ln.text < ln.raw || ln.text > ln.raw + len || ln.lineno > newlines + 1)
			__builtin_trap();
		/* Stripping is pure: the same line, the same message. */
		if (log_strip(ln.raw, &f) != ln.text || f != ln.form)
			__builtin_trap();
		if (doctor_match_line(ln.text, &m)) {
			if (!m.sig || m.group < -1 || doctor_report_add(&rep, &m, "fuzz:1", ln.raw) < 0)
				__builtin_trap();
		}
	}
	if (k < 0 || got > newlines + 1 || got != log_reader_stats(lr)->lines)
		__builtin_trap();
	log_close(lr);
	if (doctor_report_finish(&rep, NULL) < 0 || rep.n > DOCTOR_FINDINGS_MAX)
		__builtin_trap();
	for (size_t i = 0; i < rep.n; i++)
		if (!rep.f[i].fix || !rep.f[i].cause || rep.f[i].evidence.n > DOCTOR_EVIDENCE_MAX ||
		    rep.f[i].count < rep.f[i].evidence.n)
			__builtin_trap();
	doctor_report_clear(&rep);
	return 0;
}
