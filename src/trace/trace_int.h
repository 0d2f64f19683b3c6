/*
 * What the trace writer's files share (trace.c, trace_record.c): the
 * writer and the calls it has open.  Not part of the trace API.
 */
#ifndef CABIN_TRACE_TRACE_INT_H
#define CABIN_TRACE_TRACE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "trace/decode.h"
#include "trace/trace.h"

#define ARG_MAX_TEXT (64u * 1024)	/* one decoded argument */
#define LINE_MAX_TEXT (1024u * 1024)	/* one record */
#define STRSIZE_MAX (1u << 20)

/* A syscall between its entry and its result. */
struct pending {
	pid_t tid;
	pid_t pid;
	struct cabin_decode_call call;
	uint64_t entry_ns;
	enum cabin_route_kind route;
	int nargs;
	int at_entry;		/* args[0..at_entry) were decoded at entry */
	struct cabin_strbuf arg[6];
	bool shown;		/* its "<unfinished ...>" line is written */
	bool own;		/* answered by the program's own seccomp filter */
	char *raw;		/* an open's path, read once more at entry */
	bool raced;		/* the program changed a path during the call */
	char *opened;		/* what the kernel opened, when not the path */
	bool unnamed;		/* and it has no name left */
};

struct cabin_tracer {
	struct cabin_trace_options o;
	struct cabin_observer obs;
	struct pending **pend;
	size_t npend;
	size_t cap;
	pid_t open_tid;		/* entry seen, line not written yet */
	uint64_t start_ns;
	int64_t real_off_ns;	/* CLOCK_REALTIME - CLOCK_MONOTONIC */
	struct cabin_strbuf line;
};

/* trace_record.c: the record being written in t->line. */
void cabin_trace_json_str(struct cabin_strbuf *b, const char *str,
			  size_t len);
void cabin_trace_json_cstr(struct cabin_strbuf *b, const char *s);
/* {"kind":"...","pid":..,"tid":..,"time":.. */
void cabin_trace_json_head(struct cabin_tracer *t, const char *kind,
			   pid_t pid, pid_t tid, uint64_t ns);
/* Write t->line as one record, flushed; t->line is empty after. */
void cabin_trace_emit(struct cabin_tracer *t);
bool cabin_trace_is_text(const struct cabin_tracer *t);
/* "[pid 12] 12:34:56.123456 " */
void cabin_trace_text_head(struct cabin_tracer *t, pid_t tid, uint64_t ns);

#endif
