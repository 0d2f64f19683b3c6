/*
 * One interface for the guards the proxy runs: each sees the syscalls
 * routed to it and may refuse, answer, check an exit, seal an exec, look
 * at a fault.  The proxy loops over the guards it was given, in order;
 * a guard reads the proxy's state through the handle it is passed and
 * writes through the proxy's log (core/log.h), never calling back into
 * the proxy: guards sit below it, above log, task, router and platform.
 * Every hook is optional.
 */
#ifndef CABIN_CORE_GUARD_H
#define CABIN_CORE_GUARD_H

#include <stdbool.h>

struct cabin_proxy;
struct cabin_task;
struct cabin_syscall;
struct cabin_fault;

/* cabin_guard.exec: the task stands at the exit of its execve now. */
#define CABIN_GUARD_AT_EXIT	1

struct cabin_router;

struct cabin_guard {
	const char *name;
	/*
	 * The syscalls the guard needs to see, asked by the policy
	 * compiler: routes added to r for what want (the guard's own
	 * settings) asks, which the compiler keeps where the policy's rules
	 * let them.  0 or -errno.
	 */
	int (*routes)(const void *want, struct cabin_router *r);
	/*
	 * Refusals that must stand before the policy's rules (first match
	 * wins, and no rule of a policy may let through what a guard
	 * refuses): routes added to r for want.  0 or -errno.
	 */
	int (*refusals)(const void *want, struct cabin_router *r);
	/*
	 * Watches that must stand before the policy's rules too, added
	 * only where the policy's own routes (policy) let the call run: a
	 * watch never lets through what the policy refuses.  0 or -errno.
	 */
	int (*early_watches)(const void *want,
			     const struct cabin_router *policy,
			     struct cabin_router *r);
	/*
	 * At the entry of a traced syscall: 0 to let it run (and see its
	 * exit), or the -errno it fails with instead.
	 */
	long (*entry)(struct cabin_proxy *p, void *ctx,
		      struct cabin_task *task,
		      const struct cabin_syscall *sys);
	/*
	 * At the exit of a traced syscall, before the observers hear its
	 * result: bookkeeping, which may tell the user something.
	 */
	void (*settle)(struct cabin_proxy *p, void *ctx,
		       struct cabin_task *task, long ret);
	/* After the observers: true when the guard killed the task. */
	bool (*exit)(struct cabin_proxy *p, void *ctx,
		     struct cabin_task *task, long ret);
	/* Does this guard answer the emulated syscall nr?  NULL: all. */
	bool (*handles)(long nr);
	/* Answer an emulated syscall: the value it returns (or -errno). */
	long (*emulate)(struct cabin_proxy *p, void *ctx,
			struct cabin_task *task,
			const struct cabin_syscall *sys);
	/*
	 * At an exec event: 0 to go on, CABIN_GUARD_AT_EXIT when the guard
	 * ran the execve to its exit, -errno when it killed the task.
	 */
	int (*exec)(struct cabin_proxy *p, void *ctx, struct cabin_task *task);
	/* At every other stop: false when the guard killed the task. */
	bool (*stop_ok)(struct cabin_proxy *p, void *ctx,
			struct cabin_task *task);
	/* A fault the task took (it may be the guard's doing). */
	void (*fault)(struct cabin_proxy *p, void *ctx,
		      struct cabin_task *task, const struct cabin_fault *f);
};

/* A guard as the proxy runs it: its hooks and their context. */
struct cabin_guard_slot {
	const struct cabin_guard *guard;
	void *ctx;
};

/* The proxy's guards in turn; see the hooks above. */
long cabin_guards_entry(struct cabin_proxy *p, struct cabin_task *task,
			const struct cabin_syscall *sys);
void cabin_guards_settle(struct cabin_proxy *p, struct cabin_task *task,
			 long ret);
/* True when a guard killed the task at the exit. */
bool cabin_guards_exit(struct cabin_proxy *p, struct cabin_task *task,
		       long ret);
/* The first guard that handles the call answers it; -ENOSYS if none. */
long cabin_guards_emulate(struct cabin_proxy *p, struct cabin_task *task,
			  const struct cabin_syscall *sys);
/*
 * At an exec: -errno when a guard killed the task, CABIN_GUARD_AT_EXIT
 * when one ran the execve to its exit, else 0.
 */
int cabin_guards_exec(struct cabin_proxy *p, struct cabin_task *task);
bool cabin_guards_stop_ok(struct cabin_proxy *p, struct cabin_task *task);
void cabin_guards_fault(struct cabin_proxy *p, struct cabin_task *task,
			const struct cabin_fault *f);

#endif
