/*
 * The task table: one control block per confined thread, so that fork,
 * vfork, clone, threads and exec are first-class for the proxy kernel.
 */
#ifndef CABIN_CORE_TASK_H
#define CABIN_CORE_TASK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/event.h"

enum cabin_task_state {
	CABIN_TASK_NEW,		/* seen, first stop not yet handled */
	CABIN_TASK_RUNNING,
	CABIN_TASK_IN_SYSCALL,	/* stopped at or running a watched syscall */
	CABIN_TASK_STOPPED,	/* job-control stop */
	CABIN_TASK_EXITING,
};

struct cabin_task_counters {
	unsigned long syscalls;	/* routed syscalls that stopped */
	unsigned long denied;
	unsigned long faults;
	unsigned long signals;
	unsigned long spawns;
	unsigned long execs;
};

struct cabin_task {
	pid_t tid;
	pid_t pid;		/* thread-group id */
	pid_t parent;		/* tid that spawned it, 0 if unknown yet */
	enum cabin_task_state state;
	char comm[17];
	long cur_nr;		/* syscall in flight, -1 if none */
	uint64_t cur_args[6];
	int cur_rule;
	uint64_t entry_ns;	/* when cur_nr entered (CLOCK_MONOTONIC) */
	bool xom_sealed;	/* runs an image whose code was made execute-only */
	bool wx_pending;	/* an executable file mmap was checked: */
	uint64_t wx_dev, wx_ino;	/* the file it must map */
	/*
	 * A seccomp filter of the program's own may answer before cabin's
	 * stop: the task is resumed to stop at every syscall entry too
	 * (before any filter runs), so a call that filter refuses is seen.
	 */
	bool own_filter;
	bool entered;		/* at an entry stop, no seccomp stop yet */
	long entered_nr;
	uint64_t entered_args[6];
	bool own_answer;	/* cur_nr was answered by the program's filter */
	/*
	 * cur_nr was refused by the policy: by cabin (a deny route, a
	 * guard) or by Landlock in the kernel (the file guard's judgement
	 * at the exit).  Whoever refuses sets it; the proxy alone counts it,
	 * once, when the result is told (one source for every count).
	 */
	bool refused;
	bool fault_pending;	/* fault was delivered, its fate unknown */
	struct cabin_fault fault;
	struct cabin_task_counters count;
};

struct cabin_task_table {
	struct cabin_task **slot;	/* open addressing by tid */
	size_t cap;			/* power of two */
	size_t count;
	size_t tombs;
};

int cabin_tasks_init(struct cabin_task_table *t);
void cabin_tasks_free(struct cabin_task_table *t);

struct cabin_task *cabin_tasks_find(const struct cabin_task_table *t,
				    pid_t tid);
/* Find or create; NULL only when memory runs out. */
struct cabin_task *cabin_tasks_get(struct cabin_task_table *t, pid_t tid);
void cabin_tasks_remove(struct cabin_task_table *t, pid_t tid);

/* Move a task to a new tid (a non-leader thread that called execve). */
int cabin_tasks_rekey(struct cabin_task_table *t, pid_t from, pid_t to);

/* Iterate: start with *pos = 0; returns NULL at the end. */
struct cabin_task *cabin_tasks_next(const struct cabin_task_table *t,
				    size_t *pos);

#endif
