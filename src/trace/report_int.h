/*
 * What the behaviour report accumulates, shared by the observer and JSON
 * writer (report.c) and the human-readable summary (summary.c).
 */
#ifndef CABIN_TRACE_REPORT_INT_H
#define CABIN_TRACE_REPORT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "trace/report.h"

/* Bounds on what one record may hold: the program chooses the sizes. */
#define REPORT_PATH_MAX 4096		/* bytes of a path, "..." after */
#define REPORT_ARGS_MAX 64		/* argv entries of one exec */
#define REPORT_ARG_MAX 1024		/* bytes of one argv entry */
#define REPORT_RECORDS_MAX 8192		/* distinct records per list */
#define REPORT_PROCS_MAX 32768
#define REPORT_EXECS_MAX 32		/* per process */
#define REPORT_FAULTS_MAX 256
#define REPORT_NR_MAX 1024		/* syscall numbers counted */

/*
 * One deduplicated record.  Which fields mean what depends on the list
 * (see the writers); key is what two equal records share.
 */
struct report_rec {
	char *key;
	size_t keylen;
	unsigned long count;
	pid_t pid;		/* the first process that did it */
	char comm[17];
	long nr;		/* syscall */
	int err;		/* errno, 0 when it succeeded */
	bool refused;		/* the proxy answered it (not the kernel) */
	char *s1, *s2;		/* path / from, to / address / detail */
	long v1, v2, v3;
	uint64_t u1, u2;
};

struct report_list {
	struct report_rec *v;
	size_t n, cap;
	size_t *slot;		/* hash of key -> index + 1 */
	size_t nslots;
};

struct report_exec {
	char *path;		/* as the program asked for it */
	char *exe;		/* what the kernel ran (interpreter for #!) */
	char **argv;		/* NULL when the exec was not seen at entry */
	size_t argc;
	bool argv_truncated;
};

struct report_proc {
	size_t idx;		/* in cabin_report.procs */
	pid_t pid;
	pid_t parent;		/* 0: cabin started it */
	char comm[17];
	struct report_exec *execs;	/* at most REPORT_EXECS_MAX */
	size_t nexecs, capexecs;
	unsigned long execs_dropped;
	unsigned long threads;	/* threads it created */
	bool exited;
	int status;		/* wait(2) status */
	bool early;		/* there before the tree's first exec */
};

/*
 * Cabin's own processes (the sandbox's outer process and PID-namespace
 * init) run no program: they were there before the first exec and never
 * exec'd.
 */
static inline bool report_proc_sandbox(const struct report_proc *pr)
{
	return pr->early && !pr->nexecs;
}

struct report_sysc {
	unsigned long calls;
	unsigned long errors;
	uint64_t ns;
};

/* Pid -> pointer, open addressing; entries are never removed. */
struct report_map {
	pid_t *key;
	void **val;
	size_t cap, count;
};

struct cabin_report {
	struct cabin_report_options opt;
	struct cabin_observer observer;
	uint64_t start_ns;	/* CLOCK_MONOTONIC */
	struct timespec start_real;

	struct report_map procmap;	/* pid -> struct report_proc */
	struct report_proc **procs;	/* in order of appearance */
	size_t nprocs, capprocs;
	struct report_map pending;	/* tid -> struct report_call */

	struct report_list read, written, created, deleted, renamed, chmod;
	struct report_list file_denied, file_failed;
	struct report_list network, signals, ptrace, denied, memory;
	struct report_rec faults[REPORT_FAULTS_MAX];
	size_t nfaults;

	struct report_sysc sysc[REPORT_NR_MAX];
	unsigned long dropped;	/* records not kept: a bound was reached */
	bool exec_seen;		/* the program has started */

	char *scratch;		/* REPORT_PATH_MAX + 1 bytes */
};

/* Summary (summary.c). */
void cabin_report_write_summary(struct cabin_report *r, FILE *f,
				struct cabin_proxy *p, int exit_code,
				bool timed_out);

/* Shared helpers (report.c). */
const char *cabin_report_prot(long prot, char *buf);
const char *cabin_report_mode(long mode, char *buf, size_t len);
bool cabin_report_system_path(const char *path);
/* Syscalls seen, most time first; out has room for REPORT_NR_MAX. */
size_t cabin_report_sorted_syscalls(const struct cabin_report *r,
				    const struct report_sysc **out);
const char *cabin_report_result(const struct report_rec *rec);
/* "PTRACE_ATTACH", "request 0x42" in buf, or NULL for req < 0. */
const char *cabin_report_ptrace_request(long req, char *buf, size_t len);
struct report_proc *cabin_report_find_proc(const struct cabin_report *r,
					   pid_t pid);

#endif
