/*
 * The proxy kernel: takes events from a platform, keeps the task table,
 * applies the routing table, records what it saw and tells the platform
 * how each stopped thread goes on.  Platform-independent by construction:
 * it only knows struct cabin_platform.
 */
#ifndef CABIN_CORE_PROXY_H
#define CABIN_CORE_PROXY_H

#include <stdbool.h>
#include <stdio.h>

#include "core/event.h"
#include "core/guard.h"
#include "core/limits.h"
#include "core/log.h"
#include "core/platform.h"
#include "core/router.h"
#include "core/task.h"

struct cabin_proxy;
struct cabin_xom;
struct cabin_memguard;

struct cabin_proxy_stats {
	unsigned long tasks;	/* threads ever seen */
	unsigned long spawns;
	unsigned long execs;
	unsigned long stops;	/* routed syscall stops */
	unsigned long denied;
	unsigned long faults;
	unsigned long faults_handled;	/* the process went on */
	unsigned long signals;
	unsigned long killed;	/* processes killed by the policy */
};

/*
 * Observers (the tracer, the report) see what the proxy sees.  For each
 * routed syscall: syscall_entry, then one syscall_result, with the task's
 * cur_nr and cur_args still describing the call; ran is false when the
 * proxy answered it (denied, emulated, refused by a limit).  Every other
 * event goes to event; for EXIT the task may be NULL (never seen).
 */
struct cabin_observer {
	void *ctx;
	void (*syscall_entry)(void *ctx, struct cabin_proxy *p,
			      struct cabin_task *task,
			      const struct cabin_syscall *sys,
			      const struct cabin_route *route);
	void (*syscall_result)(void *ctx, struct cabin_proxy *p,
			       struct cabin_task *task, long ret, bool ran);
	void (*event)(void *ctx, struct cabin_proxy *p, struct cabin_task *task,
		      const struct cabin_event *ev);
};

#define CABIN_PROXY_MAX_OBSERVERS 4
/* limits, W^X, XOM, and the file and network guards */
#define CABIN_PROXY_MAX_GUARDS 8

struct cabin_proxy {
	const struct cabin_platform *plat;
	const struct cabin_router *router;
	struct cabin_task_table tasks;
	struct cabin_log log;	/* handed to the guards */
	bool verbose;
	/* in order: limits, W^X, XOM (each off by its own setting), more */
	struct cabin_guard_slot guards[CABIN_PROXY_MAX_GUARDS];
	size_t nguards;

	pid_t main_pid;		/* the program cabin started */
	bool main_exited;
	int main_status;	/* its wait(2) status */
	bool own_filters;	/* the program installed a filter of its own */
	bool draining;		/* main is gone: the rest is being killed */

	const struct cabin_observer *observers[CABIN_PROXY_MAX_OBSERVERS];
	size_t nobservers;
	struct cabin_proxy_limits limits;
	bool timed_out;		/* the wall-clock limit ended the run */
	bool wx;		/* W^X: executable memory stays read-only */
	struct cabin_xom *xom;	/* sealed execute-only code, NULL when off */
	/* W^X's alias checks, NULL when off (or not wx) */
	const struct cabin_memguard *memguard;
	/* a routed call naming memory cabin cannot read answers EFAULT */
	bool fail_unreadable;
	struct cabin_proxy_stats stats;
};

int cabin_proxy_init(struct cabin_proxy *p, const struct cabin_platform *plat,
		     const struct cabin_router *router, FILE *log);
void cabin_proxy_free(struct cabin_proxy *p);

/* The first task, stopped before it runs the program. */
int cabin_proxy_adopt(struct cabin_proxy *p, pid_t main_pid);

/*
 * This copy of the proxy now serves a forked process alone (the kvm
 * platform forks its monitor along with the program): the tasks of other
 * processes are forgotten, parent's becomes child's, and child is the
 * main task whose end ends this copy's watch.
 */
int cabin_proxy_forked(struct cabin_proxy *p, pid_t parent, pid_t child);

/*
 * Handle one event.  Every event of a stopped thread ends with exactly one
 * resume (or kill) through the platform.  Returns 0 or -errno when the
 * platform could not act; the thread is then usually already gone.
 */
int cabin_proxy_handle(struct cabin_proxy *p, const struct cabin_event *ev);

/*
 * task (with a filter of its own) is at its syscall's entry, before any
 * filter, with sys: what its exit tells of that filter's answer is
 * recorded then.  A platform that held the entry stop for a tracer of
 * the program's says so when it lets the task go, with the registers the
 * tracer left.
 */
void cabin_proxy_note_entered(struct cabin_task *task,
			      const struct cabin_syscall *sys);

/* The status cabin exits with once every task is gone. */
int cabin_proxy_exit_code(const struct cabin_proxy *p);

void cabin_proxy_print_summary(const struct cabin_proxy *p);

/*
 * Add a guard after those the proxy starts with (limits, W^X, XOM);
 * -ENOSPC when there are too many.
 */
int cabin_proxy_guard(struct cabin_proxy *p, const struct cabin_guard *g,
		      void *ctx);

/* Add an observer; -ENOSPC when there are too many. */
int cabin_proxy_observe(struct cabin_proxy *p,
			const struct cabin_observer *o);

/* CLOCK_MONOTONIC in nanoseconds: the time base of every record. */
uint64_t cabin_proxy_now_ns(void);

/*
 * True when a denial of nr by a program named comm was reported before;
 * otherwise remembers it and returns false, so each is reported once.
 */
bool cabin_denial_reported(struct cabin_proxy *p, long nr, const char *comm);

/*
 * One "cabin: ..." notice on the proxy's log (a denial, a fault, a hint):
 * heard by the report, printed unless --quiet (core/log.h).
 */
void cabin_proxy_say(struct cabin_proxy *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Kill every task of the tree (a timeout, or the main task is gone). */
void cabin_proxy_drain(struct cabin_proxy *p);

#endif
