/*
 * Emulated ptrace, the stops and the waits (the model of gVisor's
 * pkg/sentry/kernel/ptrace.go, on top of cabin's own ptrace).  A real
 * stop of a tracee that is natively a ptrace-stop for its emulated tracer
 * (signal delivery, a syscall entry or exit under PTRACE_SYSCALL) keeps
 * the tracee stopped, with the proxy's resume kept for later; the status
 * is queued for the tracer, whose wait4 takes it.  A wait4 with nothing
 * queued sleeps (the kernel's wait4, or pause(2) where only emulated
 * tracees could answer it, so that signals still interrupt it) until
 * cabin interrupts it for a status, which becomes its result.
 */
#include <errno.h>
#include <linux/audit.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/guard.h"
#include "core/proxy.h"
#include "core/task.h"
#include "platform/process/process.h"
#include "platform/process/procfs.h"
#include "platform/process/ptrace_emul.h"
#include "platform/process/ptrace_emul_int.h"
#include "platform/process/ptrace_ops.h"

/* The kernel's restart codes (include/linux/errno.h), seen at exit stops. */
#define ERESTARTSYS	512
#define ERESTARTNOHAND	514

struct cabin_ptrace_emul *cabin_pemu_get(struct cabin_process *pp)
{
	if (!pp->pemu)
		pp->pemu = calloc(1, sizeof(*pp->pemu));
	return pp->pemu;
}

void cabin_ptrace_emul_free(struct cabin_process *pp)
{
	free(pp->pemu);
	pp->pemu = NULL;
}

struct pemu_tracee *cabin_pemu_tracee(struct cabin_process *pp, pid_t tid)
{
	struct cabin_ptrace_emul *e = pp->pemu;
	size_t i;

	for (i = 0; e && i < e->nt; i++) {
		if (e->t[i].tid == tid)
			return &e->t[i];
	}
	return NULL;
}

struct pemu_tracee *cabin_pemu_add(struct cabin_process *pp, pid_t tid,
				  pid_t tracer, pid_t tracer_tgid)
{
	struct cabin_ptrace_emul *e = cabin_pemu_get(pp);
	struct pemu_tracee *x;

	if (!e || e->nt == PEMU_MAX)
		return NULL;
	x = &e->t[e->nt++];
	memset(x, 0, sizeof(*x));
	x->tid = tid;
	x->ns = cabin_pemu_ns_of(tid, tracer);
	x->tracer = tracer;
	x->tracer_tgid = tracer_tgid;
	return x;
}

void cabin_pemu_forget(struct cabin_process *pp, struct pemu_tracee *x)
{
	struct cabin_ptrace_emul *e = pp->pemu;

	*x = e->t[--e->nt];
}

/*
 * cabin's own helpers in the tree: the process that waits outside the
 * PID namespace and the namespace's init (bubblewrap's scheme, sandbox.c)
 * run cabin's code, not the program's: no tracer reaches them.
 */
bool cabin_pemu_helper(struct cabin_process *pp, pid_t host)
{
	return pp->pid_ns &&
	       (host == pp->child.pid ||
		cabin_pemu_status_field(host, "NSpid:", true) == 1);
}

ssize_t cabin_pemu_mem(struct cabin_process *pp, pid_t tid, uint64_t addr,
		       void *buf, size_t len, bool write)
{
	struct cabin_task *task = cabin_tasks_find(&pp->proxy->tasks, tid);
	ssize_t n;

	n = write ? cabin_ptrace_ops.write_mem(pp, tid, addr, buf, len) :
		    process_vm_readv(tid, &(struct iovec){ buf, len }, 1,
				     &(struct iovec){ (void *)(uintptr_t)addr,
						      len }, 1, 0);
	if (n < 0 && !write)
		n = -errno;
	if (n != -EFAULT)
		return n;
	/* A breakpoint in read-only code: as mprotect could, no further. */
	if (pp->proxy->wx || pp->proxy->xom || !task || task->xom_sealed)
		return -EFAULT;
	return cabin_ptrace_ops_mem_forced(tid, addr, buf, len, write);
}

bool cabin_pemu_skip(struct cabin_process *pp, pid_t tid, long ret)
{
	int err = cabin_ptrace_ops_skip(tid, ret);

	if (err < 0) {
		cabin_ptrace_ops_resume_failed(pp, tid, err);
		return false;
	}
	return true;
}

static bool wait_selects(const struct pemu_waiter *w,
			 const struct pemu_tracee *x)
{
	if (!x->tracer)
		return false;
	if (w->options & __WNOTHREAD ? x->tracer != w->tid :
				       x->tracer_tgid != w->tgid)
		return false;
	/* 0 and below -1 name process groups: any tracee, as for -1. */
	return w->pid <= 0 || x->ns == w->pid;
}

/* wait4 answered with x's status: *status, a zeroed *rusage, its pid. */
static long wait_answer(struct cabin_process *pp, const struct pemu_waiter *w,
			struct pemu_tracee *x)
{
	struct rusage ru;
	int status = x->status;
	pid_t ns = x->ns;

	memset(&ru, 0, sizeof(ru));
	if (w->status_at && cabin_ptrace_ops.write_mem(pp, w->tid, w->status_at,
						       &status, sizeof(status)) < 0)
		return -EFAULT;
	if (w->rusage_at && cabin_ptrace_ops.write_mem(pp, w->tid, w->rusage_at,
						       &ru, sizeof(ru)) < 0)
		return -EFAULT;
	x->queued = false;
	if (x->gone)
		cabin_pemu_forget(pp, x);
	return ns;
}

/* Does the tracer's process have a real child the wait may select? */
static bool real_child(struct cabin_process *pp, pid_t tracer, pid_t tgid,
		       long pid)
{
	struct cabin_task *t;
	size_t pos = 0;

	while ((t = cabin_tasks_next(&pp->proxy->tasks, &pos))) {
		if (t->pid != t->tid || cabin_pemu_status_field(t->tid, "PPid:", false) != tgid)
			continue;
		if (pid <= 0 || cabin_pemu_ns_of(t->tid, tracer) == pid)
			return true;
	}
	return false;
}

/*
 * wait4 of a task that is an emulated tracer: a queued status answers it;
 * with none, a wait only emulated tracees can answer returns 0 (WNOHANG)
 * or sleeps as pause(2); one a real child could answer runs in the
 * kernel.  Either is interrupted when a status comes (wake_waiter).
 */
void cabin_pemu_wait_entry(struct cabin_process *pp, pid_t tid,
			   const uint64_t a[6])
{
	struct cabin_ptrace_emul *e = pp->pemu;
	struct pemu_waiter w = {
		.tid = tid, .tgid = cabin_procfs_tgid(tid), .pid = (int)a[0],
		.status_at = a[1], .options = (int)a[2], .rusage_at = a[3],
	};
	bool any = false;
	size_t i;

	for (i = 0; e && i < e->nt; i++) {
		if (!wait_selects(&w, &e->t[i]))
			continue;
		any = true;
		if (e->t[i].queued) {
			cabin_pemu_skip(pp, tid, wait_answer(pp, &w, &e->t[i]));
			return;
		}
	}
	if (!any)
		return;
	if (real_child(pp, tid, w.tgid, w.pid)) {
		if (!(w.options & WNOHANG) && e->nw < PEMU_MAX)
			e->w[e->nw++] = w;
		return;
	}
	if (w.options & WNOHANG) {
		cabin_pemu_skip(pp, tid, 0);
		return;
	}
	if (e->nw == PEMU_MAX) {
		cabin_pemu_skip(pp, tid, -EAGAIN);
		return;
	}
	/*
	 * Nothing the kernel could answer: the call sleeps as pause(2)
	 * instead, so that a signal interrupts it as it would the wait;
	 * its exit stop makes it wait4 again (real_wait_exit).
	 */
	if (ptrace(PTRACE_POKEUSER, tid,
		   (void *)offsetof(struct user, regs.orig_rax),
		   (void *)SYS_pause) < 0) {
		cabin_ptrace_ops_resume_failed(pp, tid, -errno);
		return;
	}
	e->w[e->nw++] = w;
}

/* A sleeping wait4 that x's status answers is interrupted for it. */
static bool wake_waiter(struct cabin_process *pp, struct pemu_tracee *x)
{
	struct cabin_ptrace_emul *e = pp->pemu;
	size_t i;

	for (i = 0; i < e->nw; i++) {
		if (!x->queued || !wait_selects(&e->w[i], x))
			continue;
		/* Its exit stop takes the status (real_wait_exit). */
		ptrace(PTRACE_INTERRUPT, e->w[i].tid, 0, 0);
		return true;
	}
	return false;
}

/*
 * A tid the emulation keeps may have vanished without an exit status (an
 * exec by another thread takes it over); by then it may be anyone's,
 * outside the sandbox too.  A task still in the proxy's table has not
 * been reaped by cabin, its tracer, so its tid is not reused: only those
 * are signalled (tid 0: the process tgid).
 */
int cabin_pemu_signal(struct cabin_process *pp, pid_t tgid, pid_t tid, int sig)
{
	const struct cabin_task *t;

	t = cabin_tasks_find(&pp->proxy->tasks, tid ? tid : tgid);
	if (!t || t->pid != tgid)
		return -ESRCH;
	if (!tid)
		return kill(tgid, sig) < 0 ? -errno : 0;
	return syscall(SYS_tgkill, tgid, tid, sig) < 0 ? -errno : 0;
}

void cabin_pemu_notify(struct cabin_process *pp, struct pemu_tracee *x,
		       int status)
{
	x->queued = true;
	x->status = status;
	/* Natively the tracer's process is sent SIGCHLD; gdb waits for it. */
	wake_waiter(pp, x);
	cabin_pemu_signal(pp, x->tracer_tgid, 0, SIGCHLD);
}

/*
 * An emulated entry stop came before the proxy's own (at_entry_stop in
 * tracer.c): a task with a filter of its own gets the proxy's entry
 * bookkeeping now, from the registers its tracer left, so that a call
 * its own filter answers is still recorded at the exit.
 */
static void entered(struct cabin_task *t)
{
	struct cabin_syscall sys;
	struct cabin_regs regs;

	if (!t->own_filter || cabin_ptrace_ops.get_regs(NULL, t->tid, &regs) < 0)
		return;
	memset(&sys, 0, sizeof(sys));
	sys.nr = regs.nr;
	memcpy(sys.args, regs.args, sizeof(sys.args));
	sys.ip = regs.ip;
	sys.arch = AUDIT_ARCH_X86_64;
	sys.rule = CABIN_RULE_UNKNOWN;
	cabin_proxy_note_entered(t, &sys);
}

int cabin_pemu_release(struct cabin_process *pp, struct pemu_tracee *x,
		       int sig)
{
	struct cabin_task *t = cabin_tasks_find(&pp->proxy->tasks, x->tid);
	struct cabin_resume how = x->how;

	/*
	 * The tracer may have changed the registers while it was held: the
	 * proxy's stop checks (PKRU under execute-only code) run again
	 * before it goes on; a task they end is not resumed.
	 */
	if (t && !cabin_guards_stop_ok(pp->proxy, t)) {
		x->at_entry = false;
		x->held = false;
		x->queued = false;
		return 0;
	}

	if (t && x->at_entry)
		entered(t);
	x->at_entry = false;
	how.sig = sig;
	how.entry_stops = how.entry_stops || x->syscalls;
	x->held = false;
	x->queued = false;
	return cabin_ptrace_ops_resume_now(pp, x->tid, &how, x->step);
}

/* Hold x for its tracer, the proxy's resume kept for when it is let go. */
static bool hold(struct cabin_process *pp, struct pemu_tracee *x,
		 const struct cabin_resume *how, int status)
{
	x->held = true;
	x->how = *how;	/* its sig: what the tracer's death delivers */
	cabin_pemu_notify(pp, x, status);
	return true;
}

static int event_status(int event)
{
	return ((SIGTRAP | (event << 8)) << 8) | 0x7f;
}

static int trap_status(const struct pemu_tracee *x)
{
	return (((x->options & PTRACE_O_TRACESYSGOOD) ? SIGTRAP | 0x80 :
							SIGTRAP) << 8) | 0x7f;
}

static unsigned long spawn_option(enum cabin_spawn_kind kind)
{
	return kind == CABIN_SPAWN_FORK ? PTRACE_O_TRACEFORK :
	       kind == CABIN_SPAWN_VFORK ? PTRACE_O_TRACEVFORK :
					   PTRACE_O_TRACECLONE;
}

/* child of parent's (index pi) gets its tracer, stopped first as natively. */
static struct pemu_tracee *adopt(struct cabin_process *pp, size_t pi,
				 pid_t child)
{
	struct pemu_tracee *x, *c;

	c = cabin_pemu_add(pp, child, pp->pemu->t[pi].tracer,
			   pp->pemu->t[pi].tracer_tgid);
	if (!c)
		return NULL;
	x = &pp->pemu->t[pi];
	c->seized = x->seized;
	c->options = x->options;
	c->child = cabin_procfs_tgid(child) == child &&
		   cabin_pemu_status_field(child, "PPid:", false) ==
			   x->tracer_tgid;
	c->pending = x->seized ? event_status(PTRACE_EVENT_STOP) :
				 (SIGSTOP << 8) | 0x7f;
	return c;
}

/*
 * A new task's first stop came before its parent's event stop (both are
 * cabin's, in either order): the traced task that made it, if its tracer
 * follows such children, is found from /proc, so the child never runs
 * before its tracer has seen it stopped.
 */
static struct pemu_tracee *new_child(struct cabin_process *pp, pid_t tid)
{
	struct cabin_ptrace_emul *e = pp->pemu;
	pid_t tgid = cabin_procfs_tgid(tid), from;
	unsigned long want;
	size_t i;

	if (!e || tgid <= 0)
		return NULL;
	from = tgid != tid ? tgid :
	       (pid_t)cabin_pemu_status_field(tid, "PPid:", false);
	want = tgid != tid ? PTRACE_O_TRACECLONE :
	       PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE;
	for (i = 0; i < e->nt; i++) {
		if (e->t[i].tracer && !e->t[i].gone && (e->t[i].options & want) &&
		    cabin_procfs_tgid(e->t[i].tid) == from)
			return adopt(pp, i, tid);
	}
	return NULL;
}

bool cabin_pemu_hold_stop(struct cabin_process *pp, pid_t tid,
			 struct cabin_resume *how)
{
	struct pemu_tracee *x = cabin_pemu_tracee(pp, tid);
	int status;

	if (!x && pp->stop_kind == CABIN_EV_ATTACH && pp->first_stop)
		x = new_child(pp, tid);
	if (!x || !x->tracer || x->held)
		return false;
	if (x->syscalls)
		how->entry_stops = true;
	switch (pp->stop_kind) {
	case CABIN_EV_SIGNAL:
	case CABIN_EV_FAULT:
		if (!how->sig)
			return false;
		return hold(pp, x, how, (how->sig << 8) | 0x7f);
	case CABIN_EV_ATTACH:
		/* The stop cabin's interrupt brought for ATTACH or INTERRUPT. */
		if (!x->pending)
			return false;
		status = x->pending;
		x->pending = 0;
		return hold(pp, x, how, status);
	case CABIN_EV_SYSCALL_EXIT:
		if (!x->syscalls || !x->in_syscall)
			return false;
		x->in_syscall = false;
		return hold(pp, x, how, trap_status(x));
	case CABIN_EV_SPAWN:
		status = x->spawn;
		x->spawn = 0;
		return status && hold(pp, x, how, status);
	case CABIN_EV_EXEC:
		/* Natively the tid the execing thread had. */
		status = x->former_ns ? x->former_ns : x->ns;
		x->former_ns = 0;
		if (x->options & PTRACE_O_TRACEEXEC) {
			x->msg = (unsigned long)status;
			return hold(pp, x, how, event_status(PTRACE_EVENT_EXEC));
		}
		/* Natively a SIGTRAP follows an exec of a tracee not seized. */
		if (!x->seized)
			cabin_pemu_signal(pp, cabin_procfs_tgid(tid), tid,
					  SIGTRAP);
		return false;
	case CABIN_EV_EXITING:
		if (!(x->options & PTRACE_O_TRACEEXIT) ||
		    ptrace(PTRACE_GETEVENTMSG, tid, 0, &x->msg) < 0)
			return false;
		return hold(pp, x, how, event_status(PTRACE_EVENT_EXIT));
	default:
		return false;
	}
}

void cabin_ptrace_emul_spawned(struct cabin_process *pp, pid_t parent,
			       enum cabin_spawn_kind kind, pid_t child)
{
	struct pemu_tracee *x = cabin_pemu_tracee(pp, parent), *c;
	int event = kind == CABIN_SPAWN_FORK ? PTRACE_EVENT_FORK :
		    kind == CABIN_SPAWN_VFORK ? PTRACE_EVENT_VFORK :
						PTRACE_EVENT_CLONE;
	struct cabin_task *t;

	if (!x || !x->tracer || !(x->options & spawn_option(kind)))
		return;
	c = cabin_pemu_tracee(pp, child);
	if (!c || !c->tracer) {
		if (c)
			cabin_pemu_forget(pp, c);
		c = adopt(pp, (size_t)(cabin_pemu_tracee(pp, parent) -
				       pp->pemu->t), child);
		if (!c)
			return;
		/* Its first stop was already let go: an interrupt brings one. */
		t = cabin_tasks_find(&pp->proxy->tasks, child);
		if (t && t->state != CABIN_TASK_NEW)
			ptrace(PTRACE_INTERRUPT, child, 0, 0);
	}
	x = cabin_pemu_tracee(pp, parent);
	x->msg = (unsigned long)c->ns;
	x->spawn = event_status(event);
}

/*
 * The exit stop of a real wait4 of a tracer: interrupted (-ERESTARTSYS)
 * for an emulated status, that status is its result; the proxy sees it.
 */
static void real_wait_exit(struct cabin_process *pp, pid_t tid)
{
	struct cabin_ptrace_emul *e = pp->pemu;
	struct user_regs_struct r;
	struct pemu_waiter w;
	size_t i;
	long ret;

	for (i = 0; i < e->nw && e->w[i].tid != tid; i++)
		;
	if (i == e->nw)
		return;
	w = e->w[i];
	e->w[i] = e->w[--e->nw];
	if (ptrace(PTRACE_GETREGS, tid, 0, &r) < 0 ||
	    (r.orig_rax != SYS_wait4 && r.orig_rax != SYS_pause))
		return;
	/* Interrupted: by cabin for an emulated status, or by a signal. */
	if ((long)r.rax != -ERESTARTSYS && (long)r.rax != -ERESTARTNOHAND &&
	    (long)r.rax != -EINTR)
		return;
	ret = -ERESTARTSYS;
	for (i = 0; i < e->nt; i++) {
		if (e->t[i].queued && wait_selects(&w, &e->t[i])) {
			ret = wait_answer(pp, &w, &e->t[i]);
			break;
		}
	}
	/* A wait4 again, its result; restarted as wait4 if none came. */
	r.orig_rax = SYS_wait4;
	r.rax = (unsigned long long)ret;
	ptrace(PTRACE_POKEUSER, tid, (void *)offsetof(struct user, regs.orig_rax),
	       (void *)SYS_wait4);
	ptrace(PTRACE_POKEUSER, tid, (void *)offsetof(struct user, regs.rax),
	       (void *)ret);
}

bool cabin_ptrace_emul_stop(struct cabin_process *pp, pid_t tid, int status)
{
	const struct cabin_resume on = { .how = CABIN_RESUME_RUN,
					 .entry_stops = true };
	struct __ptrace_syscall_info info;
	struct pemu_tracee *x;

	if (!pp->pemu || !WIFSTOPPED(status) ||
	    WSTOPSIG(status) != (SIGTRAP | 0x80) ||
	    ptrace(PTRACE_GET_SYSCALL_INFO, tid, sizeof(info), &info) <= 0)
		return false;
	if (info.op == PTRACE_SYSCALL_INFO_EXIT) {
		real_wait_exit(pp, tid);
		return false;
	}
	x = cabin_pemu_tracee(pp, tid);
	if (!x || !x->tracer || !x->syscalls || x->held ||
	    info.op != PTRACE_SYSCALL_INFO_ENTRY)
		return false;
	x->in_syscall = true;
	x->at_entry = true;
	return hold(pp, x, &on, trap_status(x));
}

/* tid no longer traces nor waits: its tracees are let go, as natively. */
static void tracer_gone(struct cabin_process *pp, pid_t tid)
{
	struct cabin_ptrace_emul *e = pp->pemu;
	struct pemu_tracee *x;
	size_t i;

	for (i = 0; i < e->nw;) {
		if (e->w[i].tid == tid)
			e->w[i] = e->w[--e->nw];
		else
			i++;
	}
	for (i = 0; i < e->nt;) {
		x = &e->t[i];
		if (x->tracer != tid) {
			i++;
			continue;
		}
		if (x->held)
			cabin_pemu_release(pp, x, x->how.sig);
		cabin_pemu_forget(pp, x);
	}
}

/*
 * An exec by a thread that is not the leader: the kernel gives it the
 * leader's tid and reports no end of either former tid.  The old leader
 * ended (its tracees detached, itself forgotten: natively its tracer
 * hears of no exit either); what the execing thread was, traced or
 * tracer, goes on under the leader's tid.  No stale tid is kept, so none
 * is signalled once someone else has it.
 */
void cabin_ptrace_emul_exec(struct cabin_process *pp, pid_t tid,
			    pid_t former_tid)
{
	struct cabin_ptrace_emul *e = pp->pemu;
	struct pemu_tracee *x;
	size_t i;

	if (!e || former_tid <= 0 || former_tid == tid)
		return;
	tracer_gone(pp, tid);
	x = cabin_pemu_tracee(pp, tid);
	if (x)
		cabin_pemu_forget(pp, x);
	for (i = 0; i < e->nw; i++) {
		if (e->w[i].tid == former_tid)
			e->w[i].tid = tid;
	}
	for (i = 0; i < e->nt; i++) {
		x = &e->t[i];
		if (x->tracer == former_tid)
			x->tracer = tid;
		if (x->tid != former_tid)
			continue;
		x->tid = tid;
		x->former_ns = x->ns;
		x->ns = cabin_pemu_ns_of(tid, x->tracer);
		/* Now the leader: its end is its real parent's to wait for. */
		x->child = cabin_pemu_status_field(tid, "PPid:", false) ==
			   x->tracer_tgid;
	}
}

void cabin_ptrace_emul_exited(struct cabin_process *pp, pid_t tid, int status)
{
	struct cabin_ptrace_emul *e = pp->pemu;
	struct pemu_tracee *x;

	if (!e)
		return;
	/* Its tracees are let go, as the kernel detaches them. */
	tracer_gone(pp, tid);
	x = cabin_pemu_tracee(pp, tid);
	if (!x)
		return;
	/* A real child's end reaches its parent's real wait4 as well. */
	if (x->gone || x->child) {
		cabin_pemu_forget(pp, x);
		return;
	}
	x->gone = true;
	x->held = false;
	cabin_pemu_notify(pp, x, status);
}
