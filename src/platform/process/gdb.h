/*
 * `cabin run --gdb` on the process platform: cabin, the tracer of every
 * task, also serves the GDB remote protocol (src/debug) from its stop
 * loop.  A stop gdb must see is held: the proxy has decided it as ever,
 * and the thread is resumed that way (with gdb's step and signal) only
 * when gdb resumes the process.
 */
#ifndef CABIN_PROCESS_GDB_H
#define CABIN_PROCESS_GDB_H

#include <stdbool.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <sys/types.h>

#include "debug/debug.h"
#include "platform/process/process.h"

#define CABIN_GDB_MAX_HELD 1024

struct cabin_gdb_held {
	pid_t tid;
	struct cabin_resume how;	/* the proxy's decision */
	enum cabin_event_kind kind;	/* of the stop it decided */
	bool trap;		/* a debug trap the proxy was not told of */
	int sig;		/* the signal stop gdb is to see, 0: none */
	uint64_t bp_addr;	/* a trap on the stub's int3 here, 0: none */
	bool reported;
	enum cabin_debug_event event;	/* what gdb is told with the stop */
	/* A new process of the debugged one, held until its spawn event. */
	bool candidate;
};

struct cabin_gdb {
	struct cabin_debug_addr addr;
	char where[120];	/* "127.0.0.1:PORT" or the socket's path */
	bool unlink_where;	/* where is cabin's socket file */
	int listen_fd;
	bool seated;		/* gdb's connection taken (or --gdb=-) */
	int stdio_fl[2];	/* --gdb=-: stdin's, stdout's flags before */
	FILE *log;
	enum { CABIN_GDB_WAITING, CABIN_GDB_ATTACHED, CABIN_GDB_DONE } state;
	struct cabin_process *pp;
	pid_t pid;		/* the debugged process: the first exec's */
	bool pending;		/* a stop to tell gdb */
	bool overflow;		/* a thread could not be held: gdb is let go */
	bool first;		/* the stop at the first exec */
	pid_t report_tid;
	int report_sig;		/* SIGINT for gdb's ^C, else the stop's */
	bool sigio_set;
	struct sigaction old_sigio;
	struct cabin_gdb_held held[CABIN_GDB_MAX_HELD];
	size_t nheld;
	pid_t interrupted[CABIN_GDB_MAX_HELD];
	size_t ninterrupted;
	pid_t stepping[CABIN_GDB_MAX_HELD];
	size_t nstepping;
	pid_t sharers[CABIN_GDB_MAX_HELD];	/* vfork, CLONE_VM children */
	size_t nsharers;
	pid_t spawned;		/* the debugged process's last new process */
	/*
	 * Its fork or vfork child gdb hears of (fork_event), held at its
	 * first stop until gdb lets it go (D;PID) or follows it; 0: none.
	 */
	pid_t fork_child;
	enum cabin_debug_event fork_event;
	/*
	 * A vfork parent let go while the followed child shares its memory
	 * (one thread, stopped in vfork): the stub's int3s come out of it
	 * at the child's exec or at its own vfork-done, whichever is first.
	 */
	pid_t vfork_parent;
	uint64_t dr[4], dr7;
	bool dr_used;
	sig_atomic_t signals_seen;	/* cabin_signals_received at the start */
	struct cabin_debug stub;
};

/* --gdb=VALUE parsed (configure); 0 or -EINVAL said on log. */
int cabin_gdb_configure(struct cabin_gdb *g, const char *value, FILE *log);
/* The listening socket, before the sandbox (prepare). */
int cabin_gdb_prepare(struct cabin_gdb *g);
void cabin_gdb_close(struct cabin_gdb *g);
/*
 * gdb's connection, once (gdb_conn.c): 0, or -ECANCELED when the time
 * limit ran out or cabin was sent a signal while waiting, -errno.
 */
int cabin_gdb_conn_accept(struct cabin_gdb *g);
/* Did gdb write while the program ran (SIGIO)?  Cleared when asked. */
bool cabin_gdb_conn_input(void);
/* The stop loop's part: g serves the run pp. */
void cabin_gdb_start(struct cabin_gdb *g, struct cabin_process *pp);
/*
 * A SIGTRAP signal stop (status) of a debugged task: held for gdb, the
 * proxy not told (a breakpoint, a step, a watchpoint).  false: not ours.
 */
bool cabin_gdb_trap(struct cabin_process *pp, pid_t tid, int status);
/*
 * parent spawned child: a copy of the debugged process's memory loses
 * the stub's int3s; while a child shares that memory (vfork, CLONE_VM)
 * they are lifted.  Nothing for any other process of the tree.
 */
void cabin_gdb_spawned(struct cabin_process *pp, pid_t parent,
		       enum cabin_spawn_kind kind, pid_t child);
/* tid no longer shares the memory (it exec'd or ended): int3s back. */
void cabin_gdb_unshared(struct cabin_process *pp, pid_t tid);
/* After each stop: stop the other threads, then serve gdb. */
void cabin_gdb_after(struct cabin_process *pp);
/* gdb's input while the program runs: a ^C stops it, EOF lets it go. */
void cabin_gdb_poll(struct cabin_process *pp);
/*
 * tid stopped at PTRACE_EVENT_VFORK_DONE (asked for with --gdb): told
 * to gdb for the debugged process, else resumed as it ran.
 */
void cabin_gdb_vfork_done(struct cabin_process *pp, pid_t tid);
/* A task ended; the debugged process's end is told to gdb. */
void cabin_gdb_exited(struct cabin_process *pp, pid_t tid, int status);

#endif
