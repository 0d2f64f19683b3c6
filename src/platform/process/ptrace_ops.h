/*
 * The platform operations of the process platform, with ptrace; ctx is
 * the struct cabin_process.  get_regs and read_mem need no ctx (the
 * stop loop calls them with NULL).
 */
#ifndef CABIN_PROCESS_PTRACE_OPS_H
#define CABIN_PROCESS_PTRACE_OPS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/platform.h"

struct cabin_process;

extern const struct cabin_platform_ops cabin_ptrace_ops;

/*
 * A stopped thread that cannot be resumed as decided (err) is killed
 * rather than left stopped or let run otherwise; gone (-ESRCH) is left
 * to its exit.  Returns err.
 */
int cabin_ptrace_ops_resume_failed(struct cabin_process *pp, pid_t tid,
				   int err);

/*
 * Resume tid as the proxy decided (how), by single steps when a debugger
 * steps it; a failure is handled as above.
 */
int cabin_ptrace_ops_resume_now(struct cabin_process *pp, pid_t tid,
				const struct cabin_resume *how, bool step);

/*
 * At a syscall stop: the call does not run and returns retval (orig_rax
 * -1, rax retval).  0 or -errno.
 */
int cabin_ptrace_ops_skip(pid_t tid, long retval);

/* tid's memory through /proc/PID/mem (FOLL_FORCE): bytes, or -errno. */
ssize_t cabin_ptrace_ops_mem_forced(pid_t tid, uint64_t addr, void *buf,
				    size_t len, bool write);

#endif
