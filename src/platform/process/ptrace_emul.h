/*
 * ptrace for tracers inside the sandbox.  cabin is the real tracer of
 * every confined task, so a program's own tracer (a sanitizer's stop-the-
 * world, a debugger) cannot be one: its ptrace calls stop in the proxy
 * (route trace, never run) and are answered here.  Each task keeps an
 * emulated tracer; a real stop of a tracee that would natively be a
 * ptrace-stop for that tracer holds the tracee and queues the status for
 * the tracer's wait4.  Requests on a held tracee are done with cabin's
 * own ptrace.  Pids are the program's (its PID namespace); a pid outside
 * the confined tree is ESRCH.
 *
 * A tracer inside gets no more power over its tracee than the tracee has
 * itself: every syscall the tracee then makes still meets cabin's filter
 * and the proxy (an emulated entry stop comes before seccomp, an exit
 * stop after the proxy's own exit work), and its memory writes respect
 * the tracee's page protections where W^X or execute-only code is on.
 */
#ifndef CABIN_PROCESS_PTRACE_EMUL_H
#define CABIN_PROCESS_PTRACE_EMUL_H

#include <stdbool.h>
#include <sys/types.h>

#include "core/event.h"
#include "core/platform.h"

struct cabin_process;

/*
 * Before the proxy's resume of tid is carried out (how may be changed):
 * a ptrace or wait4 call is answered instead of run, a clone's
 * CLONE_UNTRACED is dropped, a stop that is a ptrace-stop for tid's
 * emulated tracer holds it.  true: tid stays stopped.
 */
bool cabin_ptrace_emul_resume(struct cabin_process *pp, pid_t tid,
			      struct cabin_resume *how);

/*
 * A syscall-entry stop of a task its emulated tracer resumed with
 * PTRACE_SYSCALL (status from waitpid): held for that tracer, the proxy
 * not told (seccomp and the proxy come after).  false: not one.
 */
bool cabin_ptrace_emul_stop(struct cabin_process *pp, pid_t tid, int status);

/*
 * parent spawned child (before the proxy hears of it): with the tracer's
 * option for that kind, the child gets the same tracer and the parent an
 * event stop.
 */
void cabin_ptrace_emul_spawned(struct cabin_process *pp, pid_t parent,
			       enum cabin_spawn_kind kind, pid_t child);

/* tid execed, former_tid the tid it had (a thread's exec takes the leader's). */
void cabin_ptrace_emul_exec(struct cabin_process *pp, pid_t tid,
			    pid_t former_tid);

/* A task ended (its last status): told to its tracer; its tracees let go. */
void cabin_ptrace_emul_exited(struct cabin_process *pp, pid_t tid,
			      int status);

void cabin_ptrace_emul_free(struct cabin_process *pp);

#endif
