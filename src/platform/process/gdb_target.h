/* The stub's operations on the debugged process (gdb_target.c). */
#ifndef CABIN_PROCESS_GDB_TARGET_H
#define CABIN_PROCESS_GDB_TARGET_H

#include "platform/process/gdb.h"

void cabin_gdb_target(struct cabin_gdb *g, struct cabin_debug_target *t);
/* /proc/PID/maps: the mapping holding addr is private ("rwxp"). */
bool cabin_gdb_target_private(pid_t pid, uint64_t addr);
/* gdb's watchpoints onto tid's debug registers, before it resumes. */
void cabin_gdb_target_debugregs(struct cabin_gdb *g, pid_t tid);

/* The held stop of tid, or NULL. */
struct cabin_gdb_held *cabin_gdb_target_held(struct cabin_gdb *g, pid_t tid);

#endif
