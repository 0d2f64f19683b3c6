/*
 * What the behaviour report accumulates and the internals its files share:
 * the observer (report.c), the records (report_store.c), files, sockets
 * and processes (report_files.c, report_net.c, report_procs.c), the JSON
 * document (report_json.c) and the human-readable summary (summary.c).
 */
#ifndef CABIN_TRACE_REPORT_INT_H
#define CABIN_TRACE_REPORT_INT_H

#include <errno.h>
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
	long v1, v2, v3;	/* files: v3 raced, s2 the path the program gave, */
	uint64_t u1, u2;	/* u1 the object opened has no name left */
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
	int json_fd;			/* -1: write opt.path */
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
	uint64_t faults_handled;	/* faults the process went on from */
	uint64_t ndenied;	/* calls the policy refused (task->refused) */

	struct report_sysc sysc[REPORT_NR_MAX];
	char **notes;		/* the proxy's lines to the user */
	size_t nnotes;
	unsigned long dropped;	/* records not kept: a bound was reached */
	bool exec_seen;		/* the program has started */

	char *scratch;		/* REPORT_PATH_MAX + 1 bytes */
};

/* What a watched syscall is about: which list its result goes to. */
enum call_kind {
	CALL_OTHER,
	CALL_OPEN,
	CALL_UNLINK,
	CALL_RENAME,
	CALL_CHMOD,
	CALL_TRUNCATE,
	CALL_MKDIR,
	CALL_EXEC,
	CALL_NET,
	CALL_SIGNAL,
	CALL_MEM,
	CALL_PTRACE,
};

/*
 * Where a watched syscall keeps its operands: argument indexes, -1 when
 * it has none (read off the syscall table: struct cabin_syscall_operands).
 * dirfd without path means the descriptor itself (fchmod).
 */
struct watch_spec {
	long nr;
	enum call_kind kind;
	signed char dirfd, path, dirfd2, path2, flags, mode;
};

/* A syscall between its entry and its result: what was read at entry. */
struct report_call {
	bool active;
	long nr;
	uint64_t args[6];
	const struct watch_spec *spec;	/* &spec_of_nr or NULL */
	struct watch_spec spec_of_nr;
	enum cabin_route_kind route;
	bool own;		/* answered by the program's own filter */
	char *path, *path2;	/* resolved against dirfd when relative */
	bool marker[2];		/* path, path2: cabin's marker, left as is */
	int existed;		/* O_CREAT: 1, 0, or -1 unknown */
	uint64_t flags, mode;
	const char *family;	/* NET */
	char *addr;
	long port;		/* -1: none */
	char **argv;		/* EXEC */
	size_t argc;
	bool argv_truncated;
	char *raw[2];		/* the paths as read at entry, before resolving */
	char *opened;		/* OPEN: what the kernel opened, when not path */
	bool unnamed;		/* OPEN: and it has no name left */
	bool raced;		/* the program changed a path during the call */
};

/*
 * A record's key is its identifying fields serialised: numbers as raw
 * bytes, strings with their length first, so no two keys collide.
 */
struct report_key {
	char *buf;
	size_t len, cap;
	bool failed;
};

/* The errors that say a call was refused rather than failed. */
static inline bool report_is_denial(long ret)
{
	return ret == -EACCES || ret == -EPERM;
}

/* report_read.c: a string of the program, "..." when it was cut. */
char *cabin_report_read_string(struct cabin_report *r, struct cabin_proxy *p,
			       pid_t tid, uint64_t addr, size_t max);
/*
 * The same, *marker true when the text is cabin's own marker ("(null)",
 * "(unreadable ADDR)") and not the program's: a program may name a file
 * "(unreadable 0x1)" too, and that is a relative path like any other.
 */
char *cabin_report_read_path(struct cabin_report *r, struct cabin_proxy *p,
			     pid_t tid, uint64_t addr, size_t max,
			     bool *marker);

/* Records and the pid map (report_store.c). */
void *cabin_report_map_get(const struct report_map *m, pid_t pid);
int cabin_report_map_put(struct report_map *m, pid_t pid, void *val);
/* n raw bytes onto k (growing it; failed when memory runs out). */
void cabin_report_key_bytes(struct report_key *k, const void *p, size_t n);
void cabin_report_key_num(struct report_key *k, long v);
void cabin_report_key_str(struct report_key *k, const char *s);
/*
 * The record with key k: an existing one with its count raised, or a
 * new zeroed one (*fresh) with count 1.  NULL when a bound is reached.
 */
struct report_rec *cabin_report_list_add(struct cabin_report *r,
					 struct report_list *l,
				   const struct report_key *k, bool *fresh);
void cabin_report_rec_free(struct report_rec *rec);
void cabin_report_list_free(struct report_list *l);
/* A copy, or NULL (written as null) when s is NULL or memory ran out. */
char *cabin_report_dup(const char *s);
void cabin_report_rec_who(struct report_rec *rec,
			  const struct cabin_task *task);
/*
 * A new record of a non-file list, its key k (freed here) completed with
 * who, what and how it ended; NULL when it was already there or dropped.
 */
struct report_rec *cabin_report_add_event(struct cabin_report *r,
					  struct report_list *l,
					  const struct cabin_task *task,
				    struct report_key *k, long nr, long ret,
				    bool refused);

/* Files (report_files.c). */
extern const struct cabin_report_fs cabin_report_proc_fs;
/* The paths exactly as given, then resolved against their descriptors. */
void cabin_report_capture_paths(struct cabin_report *r, struct cabin_proxy *p,
				pid_t tid, struct report_call *c);
void cabin_report_capture_file(struct cabin_report *r, struct cabin_proxy *p,
			       pid_t tid, struct report_call *c);
void cabin_report_file_result(struct cabin_report *r,
			      const struct cabin_task *task,
			const struct report_call *c, long ret);
/* At the result of a call that ran: what the kernel acted on. */
void cabin_report_race_check(struct cabin_report *r, struct cabin_proxy *p,
			     pid_t tid, struct report_call *c, long ret);

/* Sockets (report_net.c). */
void cabin_report_capture_net(struct cabin_proxy *p, pid_t tid,
			      struct report_call *c);
void cabin_report_net_result(struct cabin_report *r,
			     const struct cabin_task *task,
		       const struct report_call *c, long ret, bool refused);
/* "ip:port", "[ip6]:port" or the unix name. */
char *cabin_report_net_address(const char *family, const char *addr, long port);

/* Processes, signals, memory and faults (report_procs.c). */
struct report_proc *cabin_report_proc_get(struct cabin_report *r, pid_t pid);
struct report_proc *cabin_report_proc_of(struct cabin_report *r,
					 const struct cabin_task *task);
void cabin_report_procs_free(struct cabin_report *r);
void cabin_report_capture_exec(struct cabin_report *r, struct cabin_proxy *p,
			       pid_t tid, struct report_call *c);
/* c (may be NULL) hands what it read at entry over to the record. */
void cabin_report_add_exec(struct cabin_report *r, struct cabin_proxy *p,
			   struct cabin_task *task, struct report_call *c);
void cabin_report_on_spawn(struct cabin_report *r, struct cabin_proxy *p,
		     struct cabin_task *task, const struct cabin_event *ev);
void cabin_report_on_exit(struct cabin_report *r, struct cabin_task *task,
			  const struct cabin_event *ev);
void cabin_report_on_fault(struct cabin_report *r, struct cabin_proxy *p,
		     struct cabin_task *task, const struct cabin_fault *f);
void cabin_report_signal_result(struct cabin_report *r,
				const struct cabin_task *task,
			  const struct report_call *c, long ret, bool refused);
void cabin_report_mem_result(struct cabin_report *r,
			     const struct cabin_task *task,
		       const struct report_call *c, long ret, bool refused);
void cabin_report_ptrace_result(struct cabin_report *r,
				const struct cabin_task *task,
			  const struct report_call *c, long ret, bool refused);

/* JSON (report_json.c): written next to its path, then renamed there. */
int cabin_report_write_json(struct cabin_report *r, struct cabin_proxy *p,
			    int exit_code, bool timed_out);

/* Summary (summary.c). */
void cabin_report_write_summary(struct cabin_report *r, FILE *f,
				struct cabin_proxy *p, int exit_code,
				bool timed_out);

/* Shared with the summary (report_json.c, report_files.c, report_procs.c). */
const char *cabin_report_result(const struct report_rec *rec);
/* Syscalls seen, most time first; out has room for REPORT_NR_MAX. */
size_t cabin_report_sorted_syscalls(const struct cabin_report *r,
				    const struct report_sysc **out);
const char *cabin_report_mode(long mode, char *buf, size_t len);
const char *cabin_report_prot(long prot, char *buf);
/* "PTRACE_ATTACH", "request 0x42" in buf, or NULL for req < 0. */
const char *cabin_report_ptrace_request(long req, char *buf, size_t len);
struct report_proc *cabin_report_find_proc(const struct cabin_report *r,
					   pid_t pid);
/* Defined in summary.c. */
bool cabin_report_system_path(const char *path);

#endif
