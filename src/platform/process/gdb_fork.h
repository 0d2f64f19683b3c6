/*
 * --gdb and the debugged process's children (gdb_fork.c): a copy of its
 * memory loses the stub's int3s, a sharer lifts them, and a fork or
 * vfork child is held for gdb when gdb asked for fork events.
 */
#ifndef CABIN_PROCESS_GDB_FORK_H
#define CABIN_PROCESS_GDB_FORK_H

#include "platform/process/gdb.h"

/* A field of /proc/TID/status ("Tgid:", "PPid:"); -1 unknown. */
/* The stub's int3s out of pid's memory (a copy, or shared). */
void cabin_gdb_unbreak(struct cabin_gdb *g, pid_t pid);
/* The let-go vfork parent loses the int3s now; 0 afterwards. */
void cabin_gdb_vfork_parent_clean(struct cabin_gdb *g);
/* child shares the debugged process's memory: the int3s are lifted. */
void cabin_gdb_share(struct cabin_gdb *g, pid_t child);
/* Does gdb want to hear of a spawn of this kind (fork-events+ ...)? */
bool cabin_gdb_fork_wanted(const struct cabin_gdb *g,
			   enum cabin_spawn_kind kind);
/*
 * tid, at its first stop, is a new process whose parent is the
 * debugged one, and gdb hears of forks: it is held until its parent's
 * spawn event says what it is.
 */
bool cabin_gdb_fork_candidate(struct cabin_gdb *g, pid_t tid);

#endif
