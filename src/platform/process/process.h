/*
 * The process platform: the program runs as an ordinary child under a
 * seccomp filter, and cabin is its tracer.  Stops become proxy events
 * (tracer.c); proxy decisions become ptrace requests (ptrace_ops.c).
 */
#ifndef CABIN_PROCESS_PROCESS_H
#define CABIN_PROCESS_PROCESS_H

#include <signal.h>

#include "core/event.h"
#include "core/platform.h"
#include "core/proxy.h"
#include "sandbox/spawn.h"

struct cabin_gdb;
struct cabin_ptrace_emul;

struct cabin_process {
	struct cabin_platform plat;
	struct cabin_proxy *proxy;
	struct cabin_child child;
	bool exec_seen;		/* the first program is running */
	unsigned long timeout;	/* wall-clock seconds, 0 = none */
	/* Set by the SIGALRM handler when the timeout ran out. */
	volatile sig_atomic_t *clock_ran_out;
	/*
	 * A death reaped while the proxy waited on one thread of its own
	 * accord (XOM's exec settling, an injected syscall): handed to the
	 * proxy by the stop loop, so no exit is ever lost.
	 */
	pid_t reaped_tid;
	int reaped_status;
	/*
	 * --gdb (gdb.c): the stub's state, the kind of the stop the proxy
	 * is deciding, and the hook ptrace_ops.c asks before each resume
	 * (true: the debugger holds the thread; *step: it steps it).
	 */
	struct cabin_gdb *gdb;
	enum cabin_event_kind stop_kind;
	bool (*gdb_hold)(struct cabin_process *pp, pid_t tid,
			 const struct cabin_resume *how, bool *step);
	/*
	 * cabin_enter: the entered process, kept stopped at its exit once
	 * there (held), so that it ends only after the records.
	 */
	pid_t hold_pid;
	bool hold_now;		/* its exit stop now is the process's end */
	bool held;
	/* ptrace for tracers inside the sandbox (ptrace_emul.c), or NULL */
	bool ptrace_emul;	/* on: not --unsafe-disable=ptrace */
	bool pid_ns;		/* cabin's waiter and init run before the program */
	bool first_stop;	/* the stop being decided is a new task's first */
	/* asked before each resume, as gdb_hold (true: held for a tracer) */
	bool (*emul_hold)(struct cabin_process *pp, pid_t tid,
			  struct cabin_resume *how);
	struct cabin_ptrace_emul *pemu;
};

/* Ready to run: the platform's operations are ptrace's (ptrace_ops.c). */
void cabin_tracer_init(struct cabin_process *pp);

/*
 * Start the program, run the stop loop until every confined task is gone
 * and return the exit status for cabin.  Errors before the program runs
 * are reported on the proxy's log.
 */
int cabin_tracer_run(struct cabin_process *pp, struct cabin_proxy *proxy,
		     const struct cabin_spawn *spawn);

/*
 * cabin_enter: trace the running process pid, tell attached (0 or
 * -errno), and run the stop loop for it as cabin_tracer_run does; the
 * process is left held at its exit stop.
 */
int cabin_tracer_serve(struct cabin_process *pp, struct cabin_proxy *proxy,
		       pid_t pid, unsigned int unsafe,
		       void (*attached)(void *ctx, int err), void *ctx);

#endif
