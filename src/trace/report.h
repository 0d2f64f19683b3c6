/*
 * The behaviour report: what the confined tree did, for analysts.  A
 * proxy observer that accumulates the process tree, files, sockets,
 * signals, denials, faults and per-syscall counts, then writes a JSON
 * document (docs/report.md) atomically and an optional summary.
 */
#ifndef CABIN_TRACE_REPORT_H
#define CABIN_TRACE_REPORT_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "core/proxy.h"

/*
 * What the report may ask about files beyond the program's memory.  The
 * default (NULL) looks in /proc; tests give their own.
 */
struct cabin_report_fs {
	void *ctx;
	/*
	 * Does path exist for tid (relative to its descriptor dirfd, or to
	 * its cwd for AT_FDCWD)?  1, 0, or -errno when it cannot tell.
	 */
	int (*exists)(void *ctx, pid_t tid, int dirfd, const char *path);
	/* The path behind tid's descriptor fd (AT_FDCWD: its cwd), -errno. */
	int (*fd_path)(void *ctx, pid_t tid, int fd, char *buf, size_t len);
};

struct cabin_report_options {
	const char *path;		/* JSON report, NULL for none */
	FILE *summary;			/* human-readable summary, NULL for none */
	char *const *argv;		/* the command, NULL: the first exec's */
	/* The ids the program started with, in its own view (--uid, --gid). */
	unsigned int uid, gid;
	const struct cabin_report_fs *fs;	/* NULL: /proc */
	/*
	 * Record what the kernel opened (the program's descriptors are
	 * the kernel's: the process platform) and mark raced paths.
	 */
	bool racecheck;
};

struct cabin_report;

/* Syscalls the report must see to be complete, -1 terminated. */
extern const int cabin_report_watch[];

struct cabin_report *cabin_report_new(const struct cabin_report_options *o);
const struct cabin_observer *cabin_report_observer(struct cabin_report *r);
/*
 * The run is over: write the report (temporary file, then rename) and
 * the summary.  exit_code is cabin's; timed_out says the wall clock ended
 * it.  Returns 0 or -errno.
 */
int cabin_report_finish(struct cabin_report *r, struct cabin_proxy *p,
			int exit_code, bool timed_out);
/*
 * The JSON into fd (its owner puts it in place; path then only names it)
 * and the summary into summary, from now on.
 */
void cabin_report_redirect(struct cabin_report *r, int fd, FILE *summary);
void cabin_report_free(struct cabin_report *r);

/*
 * Across processes (report_wire.c), for a monitor that forks with its
 * program: in the child, forget what the parent already holds; the child
 * saves what it saw since as bytes; the run's first monitor absorbs them
 * (records by key, processes by pid) before it writes.  save: 0 or
 * -ENOMEM, *buf malloc'd; absorb: 0, or -EINVAL for bytes that are not a
 * saved report (what came before the fault is kept).
 */
void cabin_report_forked(struct cabin_report *r);
int cabin_report_save(struct cabin_report *r, char **buf, size_t *len);
int cabin_report_absorb(struct cabin_report *r, const void *buf, size_t len);

#endif
