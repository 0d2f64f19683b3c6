/*
 * The tracer: the stop loop of the process platform.  waitpid reports
 * every stop of every tracee; each is turned into exactly one proxy
 * event, and the proxy answers with one resume (ptrace_ops.c).
 */
#include <errno.h>
#include <linux/audit.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cabin/cabin.h"
#include "core/exception.h"
#include "platform/process/gdb.h"
#include "platform/process/process.h"
#include "platform/process/procfs.h"
#include "platform/process/ptrace_emul.h"
#include "platform/process/ptrace_ops.h"

/* include/linux/seccomp.h keeps it to the kernel; /proc shows it. */
#define SECCOMP_MODE_DEAD 3

static volatile sig_atomic_t timed_out;

/*
 * The wall clock ran out.  Killing the main task from here guarantees the
 * stop loop wakes up even if nothing else in the tree ever stops again;
 * the loop then kills the rest.
 */
static void on_alarm(int sig)
{
	pid_t main_pid = cabin_signals_target;

	(void)sig;
	timed_out = 1;
	if (main_pid > 0)
		kill(main_pid, SIGKILL);
}

static int arm_timeout(unsigned long seconds)
{
	struct sigaction sa;

	if (!seconds)
		return 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	if (sigaction(SIGALRM, &sa, NULL) < 0)
		return -errno;
	alarm(seconds > 86400 * 365 ? 86400 * 365 : (unsigned int)seconds);
	return 0;
}

static void check_timeout(struct cabin_process *pp)
{
	if (!timed_out || pp->proxy->timed_out)
		return;
	pp->proxy->timed_out = true;
	cabin_proxy_say(pp->proxy, "timeout: the program ran for %lu s; the whole tree was killed",
			pp->timeout);
	cabin_proxy_drain(pp->proxy);
}

void cabin_tracer_init(struct cabin_process *pp)
{
	memset(pp, 0, sizeof(*pp));
	pp->plat.name = "process";
	pp->plat.ops = &cabin_ptrace_ops;
	pp->plat.ctx = pp;
	pp->child.error_fd = -1;
	pp->clock_ran_out = &timed_out;
}

/*
 * SECCOMP_RET_DATA is not evidence: a program may install a filter of its
 * own, and when two filters both answer RET_TRACE the kernel reports the
 * newest one's data, so the program could name any rule (the fallback
 * "allow" among them).  The route is matched again here from the stopped
 * thread's registers, which the program cannot change while it is stopped.
 */
static int syscall_entry(pid_t tid, struct cabin_event *ev,
			 enum cabin_event_kind kind)
{
	struct cabin_regs regs;
	int err;

	err = cabin_ptrace_ops.get_regs(NULL, tid, &regs);
	if (err < 0)
		return err;
	ev->kind = kind;
	ev->sys.nr = regs.nr;
	memcpy(ev->sys.args, regs.args, sizeof(regs.args));
	ev->sys.ip = regs.ip;
	ev->sys.arch = AUDIT_ARCH_X86_64;
	ev->sys.rule = CABIN_RULE_UNKNOWN;
	return 0;
}

/*
 * The registers of a thread killed by the filter still hold the syscall;
 * the two bytes before rip tell int 0x80 (cd 80) from syscall (0f 05).
 */
static int exiting(pid_t tid, struct cabin_event *ev)
{
	struct cabin_regs regs;
	unsigned long status;
	unsigned char insn[2];

	if (ptrace(PTRACE_GETEVENTMSG, tid, 0, &status) < 0)
		return -errno;
	ev->kind = CABIN_EV_EXITING;
	ev->exiting.status = (int)status;
	ev->exiting.nr = -1;
	ev->exiting.arch = AUDIT_ARCH_X86_64;
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGSYS)
		return 0;
	if (cabin_ptrace_ops.get_regs(NULL, tid, &regs) < 0)
		return 0;
	ev->exiting.nr = regs.nr;
	memcpy(ev->exiting.args, regs.args, sizeof(regs.args));
	ev->exiting.ip = regs.ip;
	ev->exiting.filter_dead =
		cabin_procfs_seccomp_mode(tid) == SECCOMP_MODE_DEAD;
	if (regs.ip >= 2 &&
	    cabin_ptrace_ops.read_mem(NULL, tid, regs.ip - 2, insn, 2) == 2 &&
	    insn[0] == 0xcd && insn[1] == 0x80)
		ev->exiting.arch = AUDIT_ARCH_I386;
	return 0;
}

static int signal_stop(pid_t tid, int sig, struct cabin_event *ev)
{
	siginfo_t si;
	struct cabin_regs regs;

	ev->kind = CABIN_EV_SIGNAL;
	ev->sig = sig;
	if (ptrace(PTRACE_GETSIGINFO, tid, 0, &si) < 0)
		return 0;
	if (!cabin_is_fault(si.si_signo, si.si_code))
		return 0;
	ev->kind = CABIN_EV_FAULT;
	ev->fault.sig = si.si_signo;
	ev->fault.code = si.si_code;
	ev->fault.addr = (uint64_t)(uintptr_t)si.si_addr;
	ev->fault.pkey = si.si_code == SEGV_PKUERR ? (int)si.si_pkey : -1;
	ev->fault.ip = cabin_ptrace_ops.get_regs(NULL, tid, &regs) == 0 ?
		       regs.ip : 0;
	return 0;
}

/*
 * Only a task with a filter of its own is resumed to stop at syscall
 * entries; for every other task a syscall stop is an exit.
 */
static bool at_entry_stop(struct cabin_process *pp, pid_t tid)
{
	struct cabin_task *task = cabin_tasks_find(&pp->proxy->tasks, tid);
	struct __ptrace_syscall_info info;

	return task && task->own_filter &&
	       ptrace(PTRACE_GET_SYSCALL_INFO, tid, sizeof(info), &info) > 0 &&
	       info.op == PTRACE_SYSCALL_INFO_ENTRY;
}

/* A task's first stop under PTRACE_SEIZE looks like a SIGSTOP group-stop. */
static bool is_first_stop(struct cabin_process *pp, pid_t tid)
{
	struct cabin_task *task = cabin_tasks_find(&pp->proxy->tasks, tid);

	return !task || task->state == CABIN_TASK_NEW;
}

static int ptrace_event_stop(struct cabin_process *pp, pid_t tid, int sig,
			     struct cabin_event *ev)
{
	if (is_first_stop(pp, tid)) {
		ev->kind = CABIN_EV_ATTACH;
		return 0;
	}
	switch (sig) {
	case SIGSTOP:
	case SIGTSTP:
	case SIGTTIN:
	case SIGTTOU:
		ev->kind = CABIN_EV_GROUP_STOP;
		ev->sig = sig;
		return 0;
	}
	ev->kind = CABIN_EV_ATTACH;
	return 0;
}

static int translate_stop(struct cabin_process *pp, pid_t tid, int status,
			  struct cabin_event *ev)
{
	int sig = WSTOPSIG(status), event = status >> 16;
	unsigned long msg = 0;

	memset(ev, 0, sizeof(*ev));
	ev->tid = tid;
	if (sig == (SIGTRAP | 0x80)) {
		struct cabin_regs regs;

		if (at_entry_stop(pp, tid))
			return syscall_entry(tid, ev, CABIN_EV_SYSCALL_ENTERED);
		ev->kind = CABIN_EV_SYSCALL_EXIT;
		ev->ret = cabin_ptrace_ops.get_regs(NULL, tid, &regs) == 0 ?
			  regs.ret : 0;
		return 0;
	}
	switch (event) {
	case 0:
		return signal_stop(tid, sig, ev);
	case PTRACE_EVENT_SECCOMP:
		return syscall_entry(tid, ev, CABIN_EV_SYSCALL_ENTRY);
	case PTRACE_EVENT_EXIT:
		return exiting(tid, ev);
	case PTRACE_EVENT_STOP:
		return ptrace_event_stop(pp, tid, sig, ev);
	}
	if (ptrace(PTRACE_GETEVENTMSG, tid, 0, &msg) < 0)
		return -errno;
	switch (event) {
	case PTRACE_EVENT_FORK:
	case PTRACE_EVENT_VFORK:
	case PTRACE_EVENT_CLONE:
		ev->kind = CABIN_EV_SPAWN;
		ev->spawn.child = (pid_t)msg;
		ev->spawn.kind = event == PTRACE_EVENT_FORK ? CABIN_SPAWN_FORK :
				 event == PTRACE_EVENT_VFORK ? CABIN_SPAWN_VFORK :
							       CABIN_SPAWN_CLONE;
		return 0;
	case PTRACE_EVENT_EXEC:
		ev->kind = CABIN_EV_EXEC;
		ev->exec.former_tid = (pid_t)msg;
		pp->exec_seen = true;
		return 0;
	}
	return -EINVAL;
}

/*
 * cabin_enter's process: a main thread that calls exit (pthread_exit)
 * while other threads run on is not the process's end; it is not held
 * (the process's end then is its last thread's, reported as under cabin
 * run).  exit_group, a fatal signal, or the last thread: held.
 */
static bool leader_leaves_early(pid_t tid, const struct cabin_event *ev)
{
	struct cabin_regs regs;

	if (WIFSIGNALED(ev->exiting.status) ||
	    cabin_ptrace_ops.get_regs(NULL, tid, &regs) < 0 ||
	    regs.nr != SYS_exit)
		return false;
	return cabin_procfs_threads(tid) > 1;
}

/*
 * cabin_enter's process stays stopped at its exit (ptrace_ops.c did not
 * resume it): to the proxy it has ended now, with the status it is
 * ending with, and the rest of its tree is drained as after any end.
 */
static void hold_exit(struct cabin_process *pp, pid_t tid, int status)
{
	struct cabin_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = CABIN_EV_EXIT;
	ev.tid = tid;
	ev.status = status;
	cabin_proxy_handle(pp->proxy, &ev);
}

static void handle_status(struct cabin_process *pp, pid_t tid, int status)
{
	struct cabin_event ev;
	int err;

	if (WIFEXITED(status) || WIFSIGNALED(status)) {
		memset(&ev, 0, sizeof(ev));
		ev.kind = CABIN_EV_EXIT;
		ev.tid = tid;
		ev.status = status;
		cabin_proxy_handle(pp->proxy, &ev);
		cabin_ptrace_emul_exited(pp, tid, status);
		cabin_gdb_exited(pp, tid, status);
		return;
	}
	if (!WIFSTOPPED(status))
		return;
	/* Asked for by --gdb alone: the proxy has no part in it. */
	if (WIFSTOPPED(status) && (status >> 16) == PTRACE_EVENT_VFORK_DONE) {
		cabin_gdb_vfork_done(pp, tid);
		return;
	}
	/* An entry stop for a tracer inside: before seccomp and the proxy. */
	if (cabin_ptrace_emul_stop(pp, tid, status))
		return;
	/* A debugger's breakpoint or step: gdb's alone, as natively. */
	if (cabin_gdb_trap(pp, tid, status))
		return;
	err = translate_stop(pp, tid, status, &ev);
	if (err < 0) {
		/* Gone between the stop and our look: its exit follows. */
		if (err == -ESRCH)
			return;
		/* Not understood: it must not stay stopped, nor run unseen. */
		cabin_ptrace_ops_resume_failed(pp, tid, err);
		return;
	}
	if (ev.kind == CABIN_EV_SPAWN) {
		cabin_gdb_spawned(pp, tid, ev.spawn.kind, ev.spawn.child);
		cabin_ptrace_emul_spawned(pp, tid, ev.spawn.kind,
					  ev.spawn.child);
	}
	if (ev.kind == CABIN_EV_EXEC) {
		cabin_gdb_unshared(pp, tid);
		cabin_gdb_unshared(pp, ev.exec.former_tid);
		cabin_ptrace_emul_exec(pp, tid, ev.exec.former_tid);
	}
	pp->stop_kind = ev.kind;
	if (ev.kind == CABIN_EV_EXITING && tid == pp->hold_pid)
		pp->hold_now = !leader_leaves_early(tid, &ev);
	pp->first_stop = ev.kind == CABIN_EV_ATTACH && is_first_stop(pp, tid);
	cabin_proxy_handle(pp->proxy, &ev);
	pp->stop_kind = CABIN_EV_NOTE;
	if (pp->held && tid == pp->hold_pid && ev.kind == CABIN_EV_EXITING)
		hold_exit(pp, tid, ev.exiting.status);
}

/* Which path the narrowing mounts could not cover (sandbox/narrow.h). */
static void report_narrow_failure(FILE *log, const struct cabin_spawn *spawn,
				  const struct cabin_spawn_error *e)
{
	const struct cabin_sandbox *sb = spawn->sandbox;
	const char *path = "cabin's own binary";

	if (sb && e->detail >= 0 && (size_t)e->detail < sb->nnarrow)
		path = sb->narrow[e->detail].path;
	else if (sb && (size_t)e->detail == sb->nnarrow && sb->cwd)
		path = sb->cwd;
	fprintf(log, "cabin: cannot cover %s for --deny, --read-only or 'files none/read-only/no-exec' (a mount in the program's namespace): %s; nothing was run\n",
		path, e->err == ESTALE ? "it was renamed or replaced (or a symlink put on its path) after cabin checked it; run again" :
		strerror(e->err));
}

static int report_start_failure(struct cabin_process *pp, int code,
				const struct cabin_spawn *spawn)
{
	struct cabin_spawn_error e;
	FILE *log = pp->proxy->log.out;

	if (!cabin_spawn_failure(&pp->child, &e))
		return code;
	if (e.stage == CABIN_STAGE_NARROW) {
		report_narrow_failure(log, spawn, &e);
		return CABIN_EXIT_INTERNAL;
	}
	if (e.stage == CABIN_STAGE_EXEC) {
		fprintf(log, "cabin: cannot execute %s: %s\n", pp->child.path,
			strerror(e.err));
		return code;
	}
	fprintf(log, "cabin: setting up the sandbox failed while %s: %s\n",
		cabin_spawn_stage_name(e.stage), strerror(e.err));
	return CABIN_EXIT_INTERNAL;
}

/*
 * A seccomp listener cabin inherited belongs to a filter on cabin's own
 * tree, installed by whoever started it; in the program's hands it could
 * answer "continue" to calls that filter sends it, and USER_NOTIF outranks
 * cabin's stops.  The program does not get it.
 */
static void close_inherited_listeners(struct cabin_proxy *proxy)
{
	int fds[64], n, i;

	while ((n = cabin_procfs_seccomp_listeners(fds, 64)) > 0) {
		for (i = 0; i < n; i++) {
			close(fds[i]);
			cabin_proxy_say(proxy, "closed inherited descriptor %d, a seccomp listener: the program must not answer a filter's notifications",
					fds[i]);
		}
	}
}

/* Every stop of every task, until none is left (or the held one alone). */
static void stop_loop(struct cabin_process *pp)
{
	int status;
	pid_t tid;

	for (;;) {
		tid = waitpid(-1, &status, __WALL);
		check_timeout(pp);
		if (tid < 0) {
			if (errno != EINTR)
				break;
			cabin_gdb_poll(pp);
			cabin_gdb_after(pp);
			continue;
		}
		handle_status(pp, tid, status);
		while (pp->reaped_tid) {
			tid = pp->reaped_tid;
			pp->reaped_tid = 0;
			handle_status(pp, tid, pp->reaped_status);
		}
		if (pp->held && !pp->proxy->tasks.count)
			break;
		cabin_gdb_poll(pp);
		cabin_gdb_after(pp);
	}
	alarm(0);
	cabin_ptrace_emul_free(pp);
	cabin_signals_target = 0;
}

int cabin_tracer_run(struct cabin_process *pp, struct cabin_proxy *proxy,
		     const struct cabin_spawn *spawn)
{
	int err, code;

	pp->proxy = proxy;
	pp->ptrace_emul = !(spawn->unsafe & CABIN_UNSAFE_PTRACE);
	pp->pid_ns = spawn->sandbox &&
		     (spawn->sandbox->unshare_flags & CLONE_NEWPID);
	pp->emul_hold = cabin_ptrace_emul_resume;
	if (spawn->filter && !(spawn->unsafe & CABIN_UNSAFE_SECCOMP))
		close_inherited_listeners(proxy);
	err = cabin_spawn_child(spawn, &pp->child);
	if (err < 0)
		return err;
	cabin_signals_target = pp->child.pid;
	err = cabin_proxy_adopt(proxy, pp->child.pid);
	if (err < 0) {
		kill(pp->child.pid, SIGKILL);
		return err;
	}
	err = arm_timeout(pp->timeout);
	if (err < 0) {
		kill(pp->child.pid, SIGKILL);
		return err;
	}
	stop_loop(pp);
	code = cabin_proxy_exit_code(proxy);
	if (!pp->exec_seen && !proxy->timed_out)
		code = report_start_failure(pp, code, spawn);
	close(pp->child.error_fd);
	pp->child.error_fd = -1;
	return code;
}

int cabin_tracer_serve(struct cabin_process *pp, struct cabin_proxy *proxy,
		       pid_t pid, unsigned int unsafe,
		       void (*attached)(void *ctx, int err), void *ctx)
{
	int err;

	pp->proxy = proxy;
	pp->hold_pid = pid;
	err = cabin_proxy_adopt(proxy, pid);
	if (!err)
		err = arm_timeout(pp->timeout);
	if (!err)
		err = cabin_spawn_seize(pid, unsafe, false);
	attached(ctx, err);
	if (err < 0)
		return err;
	cabin_signals_target = pid;
	stop_loop(pp);
	return cabin_proxy_exit_code(proxy);
}
