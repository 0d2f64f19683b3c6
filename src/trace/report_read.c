/*
 * Reading a string of the program's memory for a report record: whatever
 * cannot be read is named as unreadable, never guessed.  The report's
 * observers (report.c, report_files.c, report_procs.c) all read here.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/umem.h"
#include "trace/report_int.h"

char *cabin_report_read_path(struct cabin_report *r, struct cabin_proxy *p,
			     pid_t tid, uint64_t addr, size_t max,
			     bool *marker)
{
	bool cut;
	ssize_t n;
	char *s;

	*marker = true;
	if (!addr)
		return strdup("(null)");
	n = cabin_umem_string(p, tid, addr, r->scratch, max + 1, &cut);
	if (n < 0) {
		if (asprintf(&s, "(unreadable %#" PRIx64 ")", addr) < 0)
			return NULL;
		return s;
	}
	*marker = false;
	s = malloc((size_t)n + 4);
	if (!s)
		return NULL;
	memcpy(s, r->scratch, (size_t)n);
	strcpy(s + n, cut ? "..." : "");
	return s;
}

char *cabin_report_read_string(struct cabin_report *r, struct cabin_proxy *p,
			       pid_t tid, uint64_t addr, size_t max)
{
	bool marker;

	return cabin_report_read_path(r, p, tid, addr, max, &marker);
}
