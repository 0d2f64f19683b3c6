/*
 * Limits the proxy kernel enforces itself because the kernel cannot do it
 * for a whole tree: the number of live tasks (RLIMIT_NPROC counts per
 * user and exempts root), and the report that names a memory limit when
 * an allocation fails because of it.
 */
#ifndef CABIN_CORE_LIMITS_H
#define CABIN_CORE_LIMITS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/guard.h"

struct cabin_proxy;
struct cabin_task;
struct cabin_syscall;

struct cabin_proxy_limits {
	uint64_t procs;		/* live tasks in the tree; 0 = unlimited */
	uint64_t memory;	/* bytes (RLIMIT_AS, per process), for reports */
	unsigned long pending;	/* spawns between entry and exit */
	bool procs_reported;
	bool memory_reported;
	/*
	 * The whole tree's, in the run's cgroup v2 (0: not set), and what
	 * the kernel counted there by the end: for the report.
	 */
	uint64_t memory_max, pids_max, cpu_max;
	uint64_t oom_kills, pids_refused;
};

/* Syscalls the limits need to watch (entry and exit), -1 terminated. */
extern const int cabin_limits_spawn_syscalls[];
extern const int cabin_limits_memory_syscalls[];

/*
 * The guard: refuses a spawn past the task limit (EAGAIN), and names
 * the memory limit when an allocation fails because of it.
 */
extern const struct cabin_guard cabin_limits_guard;

#endif
