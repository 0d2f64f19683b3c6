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
};

struct cabin_gdb {
	struct cabin_debug_addr addr;
	char where[120];	/* "127.0.0.1:PORT" or the socket's path */
	bool unlink_where;	/* where is cabin's socket file */
	int listen_fd;
	bool seated;		/* gdb's connection taken (or --gdb=-) */
	unsigned long refusals;	/* connections refused so far */
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
/* A task ended; the debugged process's end is told to gdb. */
void cabin_gdb_exited(struct cabin_process *pp, pid_t tid, int status);

#endif
