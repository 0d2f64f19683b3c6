/*
 * The emulated tracer relations (ptrace_emul.c: stops, waits, ends;
 * ptrace_emul_req.c: the requests).  Tids here are cabin's (host) view;
 * the program's are translated at the edge.
 */
#ifndef CABIN_PROCESS_PTRACE_EMUL_INT_H
#define CABIN_PROCESS_PTRACE_EMUL_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/platform.h"

struct cabin_process;

#define PEMU_MAX	256

struct pemu_tracee {
	pid_t tid;
	pid_t ns;		/* its tid in the program's PID namespace */
	bool child;		/* a real child of the tracer's process */
	pid_t tracer;		/* the emulated tracer's tid */
	pid_t tracer_tgid;
	unsigned long options;	/* PTRACE_O_* */
	bool seized;
	bool held;		/* stopped for the tracer; how says the rest */
	struct cabin_resume how;	/* the proxy's resume, done when let go */
	bool queued;		/* status waits for the tracer's wait4 */
	int status;
	bool gone;		/* exited: reaped by the tracer, then forgotten */
	bool syscalls;		/* PTRACE_SYSCALL: entry and exit stops */
	bool in_syscall;	/* between an emulated entry and exit stop */
	bool at_entry;		/* held at an emulated entry stop */
	bool step;		/* PTRACE_SINGLESTEP */
	unsigned long msg;	/* PTRACE_GETEVENTMSG */
	pid_t former_ns;	/* its pid before a thread's exec renamed it */
	int pending;		/* status of the stop cabin's interrupt brings */
	int spawn;		/* status of its fork/vfork/clone event stop */
};

/*
 * A tracer in wait4 that nothing queued answered: the kernel's wait4
 * runs (a real child may answer it), or pause(2) in its place where only
 * emulated tracees can; an emulated status interrupts it
 * (PTRACE_INTERRUPT) and becomes the result at its exit stop.
 */
struct pemu_waiter {
	pid_t tid;
	pid_t tgid;
	long pid;		/* wait4's arguments */
	uint64_t status_at;
	int options;
	uint64_t rusage_at;
};

struct cabin_ptrace_emul {
	struct pemu_tracee t[PEMU_MAX];
	size_t nt;
	struct pemu_waiter w[PEMU_MAX];
	size_t nw;
	uint64_t said;		/* requests refused and said (ptrace_emul_req.c) */
};

struct cabin_ptrace_emul *cabin_pemu_get(struct cabin_process *pp);
struct pemu_tracee *cabin_pemu_tracee(struct cabin_process *pp, pid_t tid);
/* A new tracee of tracer: a slot, or NULL when the table is full. */
struct pemu_tracee *cabin_pemu_add(struct cabin_process *pp, pid_t tid,
				   pid_t tracer, pid_t tracer_tgid);
/* A number of /proc/TID/status, the line's last with last (ptrace_emul_ns.c). */
long cabin_pemu_status_field(pid_t tid, const char *key, bool last);
/*
 * The tracee's memory as its tracer may use it: bytes or -errno.  Where
 * the tracee could not read or write a page itself, neither can the
 * tracer when W^X or execute-only code is on (no FOLL_FORCE then).
 */
ssize_t cabin_pemu_mem(struct cabin_process *pp, pid_t tid, uint64_t addr,
		       void *buf, size_t len, bool write);
/* One of cabin's helpers (outside waiter, PID namespace init)? */
bool cabin_pemu_helper(struct cabin_process *pp, pid_t host);
/*
 * ptrace_emul_ns.c: the pid of host tid in tracer's PID namespace (-1:
 * none there), and the host tid of the tree's task tracer names ns.
 */
pid_t cabin_pemu_ns_of(pid_t host, pid_t tracer);
pid_t cabin_pemu_host_of(struct cabin_process *pp, pid_t tracer, pid_t ns);
/*
 * sig to tid of tgid (tid 0: to the process), only while the task is in
 * the proxy's table (not reaped, so its tid is not someone else's).
 */
int cabin_pemu_signal(struct cabin_process *pp, pid_t tgid, pid_t tid, int sig);
/* Queue status for x's tracer and wake it (a held wait4, SIGCHLD). */
void cabin_pemu_notify(struct cabin_process *pp, struct pemu_tracee *x,
		       int status);
/* Let a held tracee go: the proxy's resume, with sig. */
int cabin_pemu_release(struct cabin_process *pp, struct pemu_tracee *x,
		       int sig);
void cabin_pemu_forget(struct cabin_process *pp, struct pemu_tracee *x);
/* At a syscall stop: the call does not run, returns ret; false: killed. */
bool cabin_pemu_skip(struct cabin_process *pp, pid_t tid, long ret);
/*
 * wait4 of tid at its seccomp stop (a: its arguments), the proxy letting
 * it run: answered by a queued emulated status (WNOHANG: 0), else left
 * to sleep until one comes (struct pemu_waiter).
 */
void cabin_pemu_wait_entry(struct cabin_process *pp, pid_t tid,
			   const uint64_t a[6]);
/* A stop of tid that is a ptrace-stop for its emulated tracer: held. */
bool cabin_pemu_hold_stop(struct cabin_process *pp, pid_t tid,
			  struct cabin_resume *how);

#endif
