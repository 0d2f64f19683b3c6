/*
 * `cabin run --gdb` on the kvm platform: the VM monitor serves the stub
 * (src/debug) from the guest's state.  cabin took gdb's connection
 * before the sandbox (host/seat.c); the monitor holds the program at its
 * first instruction until gdb resumes it, and stops every thread (the
 * monitor lock, vCPUs out of the guest) whenever one stops for gdb.
 */
#ifndef CABIN_PLATFORM_KVM_LINUX_GDB_H
#define CABIN_PLATFORM_KVM_LINUX_GDB_H

#include <pthread.h>
#include <stdbool.h>

#include "debug/debug.h"
#include "platform/kvm/linux/linux.h"

struct cabin_kvm_gdb {
	struct cabin_debug stub;
	bool attached;		/* gdb holds the connection */
	/* Threads gdb leaves stopped wait here, outside the monitor lock. */
	pthread_mutex_t mu;
	pthread_cond_t go;		/* held threads, serving, the watcher */
	/*
	 * gdb's ^C while the program runs: a host thread of the monitor
	 * watches the connection (never the lock), and the first thread
	 * back from the guest stops the process for gdb.
	 */
	pthread_t watcher;
	bool watching;
	bool serving;			/* a thread answers gdb (under mu) */
	bool interrupt;			/* ^C came (under mu) */
};

/* What a stop for gdb ends in. */
enum cabin_kvm_gdb_end {
	CABIN_KVM_GDB_NONE,	/* not gdb's: the run loop goes on as ever */
	CABIN_KVM_GDB_RESUMED,	/* gdb's, and the thread runs on */
	CABIN_KVM_GDB_KILL,	/* gdb killed the program */
};

/* gdb's connection fd (the monitor's own) is the process's; -errno. */
int cabin_kvm_gdb_init(struct cabin_kvm *k, int fd);
void cabin_kvm_gdb_free(struct cabin_kvm *k);
/* cur at the program's first instruction: held until gdb resumes it. */
enum cabin_kvm_gdb_end cabin_kvm_gdb_first(struct cabin_kvm *k);
/*
 * An exception of cur's (frame f) before the proxy hears of it: the
 * stub's int3, gdb's single step or watchpoint are gdb's stops, and an
 * int3 gdb took out meanwhile is undone (NONE then too, with nothing
 * left to deliver: *undone).
 */
enum cabin_kvm_gdb_end cabin_kvm_gdb_trap(struct cabin_kvm *k,
					  struct cabin_kvm_frame *f,
					  bool *undone);
/*
 * Signal sig about to act on cur (ctx is the struct cabin_kvm): gdb
 * sees it first; false when gdb suppressed it, or killed the program
 * (then cur is marked killed by SIGKILL).
 */
bool cabin_kvm_gdb_shown(void *ctx, int sig);
/*
 * t (cur) is about to enter the guest: it stops for gdb's ^C, and waits
 * while gdb keeps it stopped.  KILL: gdb killed the program.
 */
enum cabin_kvm_gdb_end cabin_kvm_gdb_hold(struct cabin_kvm_thread *t);
/* The process ran a new program: the stub's breakpoints went with it. */
void cabin_kvm_gdb_exec(struct cabin_kvm *k);
/* The process ended with a wait(2) status: gdb is told, held go. */
void cabin_kvm_gdb_exited(struct cabin_kvm *k, int status);
/* In a monitor just forked: its copy loses the int3s, and gdb. */
void cabin_kvm_gdb_forked(struct cabin_kvm *k);

#endif
