/* Shared only inside src/debug: the stub's parts. */
#ifndef CABIN_DEBUG_DEBUG_INT_H
#define CABIN_DEBUG_DEBUG_INT_H

#include "debug/debug.h"

/* q and v packets: queries, qXfer, thread lists; reply into d->out. */
void cabin_debug_query(struct cabin_debug *d, const char *pkt);
/* Z and z packets: breakpoints and watchpoints; reply into d->out. */
void cabin_debug_breakpoint(struct cabin_debug *d, const char *pkt);
/* m and M: memory, with the stub's own int3 bytes hidden. */
void cabin_debug_mem_read(struct cabin_debug *d, const char *pkt);
void cabin_debug_mem_write(struct cabin_debug *d, const char *pkt);
/* The link map as qXfer:libraries-svr4's XML into out; its length. */
size_t cabin_debug_libraries(struct cabin_debug *d, char *out, size_t len);
/* A thread id of gdb's ("p1.2", "2", "-1", "0") as a tid (-1: all). */
pid_t cabin_debug_thread_id(const struct cabin_debug *d, const char *s,
			    const char **end);

/* The process of gdb's thread tid: the fork child's, or d->pid. */
pid_t cabin_debug_process_of(const struct cabin_debug *d, pid_t tid);
/* tid as gdb writes it: "pPID.TID" when it said multiprocess+. */
int cabin_debug_tid_str(const struct cabin_debug *d, pid_t tid, char *out,
			size_t len);
/* A host signal as gdb numbers it, and back; 0 for none. */
int cabin_debug_gdb_signal(int sig);
int cabin_debug_host_signal(int gsig);

/*
 * One packet (NUL-terminated, any bytes): a verdict when it ends the
 * stop, else -1 with d->out set.  The fuzz target calls it directly.
 */
int cabin_debug_dispatch(struct cabin_debug *d, const char *pkt);

#endif
