/*
 * The syscall trace: an strace-like line, or a JSON object, for every
 * syscall the proxy sees, plus the tree's spawns, execs, signals, faults
 * and exits.  It is a proxy observer; the proxy decides what it sees.
 */
#ifndef CABIN_TRACE_TRACE_H
#define CABIN_TRACE_TRACE_H

#include <stdbool.h>
#include <stdio.h>

#include "core/proxy.h"

enum cabin_trace_format {
	CABIN_TRACE_TEXT,	/* strace's form */
	CABIN_TRACE_JSONL,	/* one JSON object per event (docs/trace.md) */
};

struct cabin_trace_options {
	FILE *out;			/* flushed after every record */
	enum cabin_trace_format format;
	bool timestamps;		/* wall-clock time of each record */
	bool durations;			/* time spent in each syscall */
	unsigned int strsize;		/* bytes of strings shown; 0 = 32 */
	bool fd_paths;			/* annotate descriptors with paths */
	/*
	 * Name what the kernel opened and mark raced paths (the program's
	 * descriptors are the kernel's: the process platform).
	 */
	bool racecheck;
};

struct cabin_tracer;

struct cabin_tracer *cabin_tracer_new(const struct cabin_trace_options *o);
const struct cabin_observer *cabin_tracer_observer(struct cabin_tracer *t);
/* Write records to out from now on (a platform moved the descriptor). */
void cabin_tracer_set_output(struct cabin_tracer *t, FILE *out);
/* Write what is still pending (unfinished calls) and flush. */
void cabin_tracer_finish(struct cabin_tracer *t);
/*
 * In a monitor forked with its program: the calls in flight are the
 * parent's, which writes them; this copy forgets them.
 */
void cabin_tracer_forked(struct cabin_tracer *t);
void cabin_tracer_free(struct cabin_tracer *t);

#endif
