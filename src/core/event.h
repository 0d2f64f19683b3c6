/*
 * Events: the only way the proxy kernel learns what a confined thread did.
 * Every platform turns its own stops (ptrace, VM exits) into these.
 */
#ifndef CABIN_CORE_EVENT_H
#define CABIN_CORE_EVENT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

enum cabin_event_kind {
	CABIN_EV_SYSCALL_ENTRY,	/* a routed syscall is about to run */
	CABIN_EV_SYSCALL_EXIT,	/* a syscall the proxy watched has returned */
	CABIN_EV_FAULT,		/* the CPU raised an exception in the program */
	CABIN_EV_SIGNAL,	/* a signal is about to be delivered */
	CABIN_EV_SPAWN,		/* fork, vfork or clone created a task */
	CABIN_EV_ATTACH,	/* a new task's first stop */
	CABIN_EV_EXEC,		/* a task replaced its program */
	CABIN_EV_EXITING,	/* a task is about to exit (registers still readable) */
	CABIN_EV_EXIT,		/* a task is gone; status is a wait(2) status */
	CABIN_EV_GROUP_STOP,	/* job-control stop (SIGSTOP, SIGTSTP, ...) */
	CABIN_EV_NOTE,		/* a line the proxy printed for the user */
	CABIN_EV_SYSCALL_ENTERED, /* any syscall's entry, before the filters */
};

enum cabin_spawn_kind {
	CABIN_SPAWN_FORK,
	CABIN_SPAWN_VFORK,
	CABIN_SPAWN_CLONE,
};

/* The architecture-neutral view of a syscall stop. */
struct cabin_syscall {
	long nr;
	uint64_t args[6];
	uint64_t ip;
	uint32_t arch;		/* AUDIT_ARCH_* */
	int rule;		/* router rule that sent it here, -1 = default */
};

/*
 * A fault is an event twice: when it is delivered (outcome DELIVERED),
 * and once its fate is known (the proxy's settle_fault): HANDLED when the
 * process went on (it faulted again, or ended another way), ENDED when it
 * died of that signal.
 */
enum cabin_fault_outcome {
	CABIN_FAULT_DELIVERED,
	CABIN_FAULT_HANDLED,
	CABIN_FAULT_ENDED,
};

struct cabin_fault {
	int sig;
	int code;		/* si_code */
	uint64_t addr;		/* si_addr */
	uint64_t ip;
	int pkey;		/* SEGV_PKUERR only */
	enum cabin_fault_outcome outcome;
};

struct cabin_event {
	enum cabin_event_kind kind;
	pid_t tid;
	union {
		struct cabin_syscall sys;		/* SYSCALL_ENTRY, _ENTERED */
		long ret;				/* SYSCALL_EXIT */
		struct cabin_fault fault;		/* FAULT */
		int sig;				/* SIGNAL, GROUP_STOP */
		struct {
			pid_t child;
			enum cabin_spawn_kind kind;
		} spawn;				/* SPAWN */
		struct {
			pid_t former_tid;
		} exec;					/* EXEC */
		struct {
			int status;
			long nr;			/* syscall in flight */
			uint64_t args[6];		/* its arguments */
			uint32_t arch;			/* its ABI */
			uint64_t ip;
			bool filter_dead;		/* a filter killed it */
		} exiting;				/* EXITING */
		int status;				/* EXIT */
		const char *note;			/* NOTE, without "cabin: " */
	};
};

const char *cabin_event_kind_name(enum cabin_event_kind kind);

#endif
