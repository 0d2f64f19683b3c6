/*
 * What /proc says about a confined task.  Every reader is bounded and
 * treats the contents as untrusted: a program controls its own comm and,
 * through file names, parts of its maps.
 */
#ifndef CABIN_PROCESS_PROCFS_H
#define CABIN_PROCESS_PROCFS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/platform.h"

int cabin_procfs_comm(pid_t tid, char *buf, size_t len);
pid_t cabin_procfs_tgid(pid_t tid);
/* How many threads tid's process has (its Threads: line), or -1. */
int cabin_procfs_threads(pid_t tid);
/* This process's seccomp listener descriptors (at most max), or -errno. */
int cabin_procfs_seccomp_listeners(int *fds, int max);
/* The thread's seccomp mode (0, 1, 2, 3 = killed by a filter) or -errno. */
int cabin_procfs_seccomp_mode(pid_t tid);
int cabin_procfs_exe(pid_t tid, char *buf, size_t len);
/* "path+0xoff" for the mapping that holds addr, or -ENOENT. */
int cabin_procfs_describe_addr(pid_t tid, uint64_t addr, char *buf,
			       size_t len);

/* Union of PROT_* of the mappings overlapping [addr, addr + len). */
int cabin_procfs_range_prot(pid_t tid, uint64_t addr, uint64_t len);
/* Up to max mappings of tid, in address order; count or -errno. */
int cabin_procfs_regions(pid_t tid, struct cabin_region *out, size_t max);
/* The protection key of the mapping holding addr (smaps), or -errno. */
int cabin_procfs_pkey(pid_t tid, uint64_t addr);
/* The mapping of tid holding addr, or -errno (-ENOENT for none). */
int cabin_procfs_region_at(pid_t tid, uint64_t addr, struct cabin_region *rg);
/* The persona of tid (personality(2)'s value), or -errno. */
long cabin_procfs_personality(pid_t tid);
/*
 * The file a mapping maps, opened read-only: through map_files where
 * cabin may, else by its name, checked to be the same file; -errno
 * (-ESTALE when the name leads elsewhere).
 */
int cabin_procfs_open_region(pid_t tid, const struct cabin_region *rg);
/* The task's executable, opened read-only; -errno. */
int cabin_procfs_open_exe(pid_t tid);

#endif
