/*
 * --gdb on the process platform: which stops gdb sees, stopping every
 * thread of the process when one stops for gdb (all-stop), and resuming
 * them as the proxy decided with gdb's steps and signals.  The proxy
 * judges every stop as it would without a debugger; a held thread only
 * waits.  The stub is served from the stop loop's own thread, so gdb's
 * requests and the proxy's decisions never race.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/ptrace.h>
#include <linux/kcmp.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/task.h"
#include "sandbox/signals.h"

#define RIP (offsetof(struct user, regs) + offsetof(struct user_regs_struct, rip))
#include "platform/process/gdb.h"
#include "platform/process/gdb_fork.h"
#include "platform/process/gdb_target.h"
#include "platform/process/procfs.h"
#include "platform/process/ptrace_ops.h"

static struct cabin_task *task_of(struct cabin_gdb *g, pid_t tid)
{
	return cabin_tasks_find(&g->pp->proxy->tasks, tid);
}

static bool debugged(struct cabin_gdb *g, pid_t tid)
{
	struct cabin_task *t = task_of(g, tid);

	return g->state == CABIN_GDB_ATTACHED && t && t->pid == g->pid;
}

static bool in_list(const pid_t *list, size_t n, pid_t tid, bool drop,
		    size_t *count)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (list[i] != tid)
			continue;
		if (drop)
			((pid_t *)list)[i] = list[--*count];
		return true;
	}
	return false;
}

static struct cabin_gdb_held *hold(struct cabin_gdb *g, pid_t tid)
{
	struct cabin_gdb_held *h;

	if (g->nheld == CABIN_GDB_MAX_HELD) {
		g->overflow = true;
		return NULL;
	}
	h = &g->held[g->nheld++];
	memset(h, 0, sizeof(*h));
	h->tid = tid;
	h->kind = g->pp->stop_kind;
	in_list(g->interrupted, g->ninterrupted, tid, true, &g->ninterrupted);
	return h;
}

/* A stop gdb is to be told of: the first one wins, others wait held. */
static void want_report(struct cabin_gdb *g, pid_t tid)
{
	in_list(g->stepping, g->nstepping, tid, true, &g->nstepping);
	if (g->pending)
		return;
	g->pending = true;
	g->report_tid = tid;
}

static void release(struct cabin_gdb *g, struct cabin_gdb_held *h, bool step,
		    int sig);

/*
 * The debugged process's spawn event (gdb_fork.c saw it first): a fork
 * child gdb hears of is told with the parent's stop; a new process held
 * as a fork child that is none (a clone, a second fork) runs on.
 */
static bool spawn_stop(struct cabin_gdb *g, pid_t tid,
		       const struct cabin_resume *how)
{
	struct cabin_gdb_held *h = cabin_gdb_target_held(g, g->spawned);

	if (h && h->candidate && g->spawned != g->fork_child)
		release(g, h, false, 0);
	if (!g->fork_child || g->fork_child != g->spawned ||
	    !(h = hold(g, tid)))
		return false;
	h->how = *how;
	h->event = g->fork_event;
	want_report(g, tid);
	return true;
}

static bool hold_hook(struct cabin_process *pp, pid_t tid,
		      const struct cabin_resume *how, bool *step)
{
	struct cabin_gdb *g = pp->gdb;
	struct cabin_gdb_held *h;
	struct cabin_task *t;

	if (g->state == CABIN_GDB_WAITING && pp->stop_kind == CABIN_EV_EXEC &&
	    (t = task_of(g, tid))) {
		/* The program's first instruction is ld.so's or its own. */
		g->state = CABIN_GDB_ATTACHED;
		g->pid = t->pid;
		g->first = true;
		h = hold(g, tid);
		h->how = *how;
		h->reported = true;
		want_report(g, tid);
		return true;
	}
	/*
	 * A new process's first stop may come before its parent's vfork
	 * event: if it shares the debugged memory, the int3s go now.
	 */
	if (g->state == CABIN_GDB_ATTACHED && pp->stop_kind == CABIN_EV_ATTACH &&
	    cabin_procfs_tgid(tid) != g->pid &&
	    syscall(SYS_kcmp, g->pid, tid, KCMP_VM, 0, 0) == 0)
		cabin_gdb_share(g, tid);
	/*
	 * A sharer at its exit stop runs no more code of its own, and its
	 * vfork parent waits until after it: the int3s go back now, before
	 * the parent runs on (its exit event would come too late).
	 */
	if (pp->stop_kind == CABIN_EV_EXITING)
		cabin_gdb_unshared(pp, tid);
	/* A fork child gdb is to hear of waits for gdb (gdb_fork.c). */
	if (pp->stop_kind == CABIN_EV_ATTACH &&
	    cabin_gdb_fork_candidate(g, tid)) {
		h = hold(g, tid);
		if (!h)
			return false;
		h->how = *how;
		h->candidate = true;
		return true;
	}
	if (!debugged(g, tid))
		return false;
	if (pp->stop_kind == CABIN_EV_SPAWN && spawn_stop(g, tid, how))
		return true;
	*step = in_list(g->stepping, g->nstepping, tid, false, NULL);
	/* A new thread gets gdb's watchpoints: clone does not copy them. */
	if (pp->stop_kind == CABIN_EV_ATTACH)
		cabin_gdb_target_debugregs(g, tid);
	/*
	 * A new program: the stub's int3s went with the old image, and what
	 * they covered must not be written into the new one.  gdb is not
	 * told (no exec events): its symbols stay the old program's.
	 */
	if (pp->stop_kind == CABIN_EV_EXEC) {
		/* The old memory is the vfork parent's alone now. */
		cabin_gdb_vfork_parent_clean(g);
		/* A new memory: nothing shares it, no int3 is in it. */
		g->stub.nbrk = 0;
		g->stub.lifted = false;
		g->nsharers = 0;
		if (g->stub.exec_events && (h = hold(g, tid))) {
			/* gdb loads the new program's symbols (exec:). */
			h->how = *how;
			h->event = CABIN_DEBUG_EV_EXEC;
			want_report(g, tid);
			return true;
		}
		cabin_proxy_say(pp->proxy, "--gdb: the debugged process ran a new program; gdb is not told of it and its breakpoints are gone");
	}
	/*
	 * QPassSignals: gdb wants it passed without a stop; it waits only
	 * while the process is stopped for gdb, as any other stop.
	 */
	if ((pp->stop_kind == CABIN_EV_SIGNAL ||
	     pp->stop_kind == CABIN_EV_FAULT) && how->sig &&
	    !(how->sig > 0 && how->sig < 65 && g->stub.pass[how->sig])) {
		h = hold(g, tid);
		if (!h)
			return false;
		h->how = *how;
		h->sig = how->sig;
		want_report(g, tid);
		return true;
	}
	if (!g->pending || how->how == CABIN_RESUME_STAY_STOPPED)
		return false;
	/* Stopping the process for gdb: whatever stops now waits. */
	h = hold(g, tid);
	if (!h)
		return false;
	h->how = *how;
	return true;
}

/*
 * What ends a wait for gdb (its connection, its next packet, its ack):
 * the time limit, or a signal cabin was sent since the run began (the
 * program, held for gdb, gets it once it runs on).
 */
static const char *cancel_reason(struct cabin_gdb *g)
{
	if (*g->pp->clock_ran_out)
		return "the time limit ran out";
	if (cabin_signals_received != g->signals_seen)
		return "cabin was sent a signal";
	return NULL;
}

static bool cancelled(void *ctx)
{
	return cancel_reason(ctx) != NULL;
}

void cabin_gdb_start(struct cabin_gdb *g, struct cabin_process *pp)
{
	struct cabin_debug_target t;
	int wfd;

	g->pp = pp;
	pp->gdb = g;
	pp->gdb_hold = hold_hook;
	g->signals_seen = cabin_signals_received;
	cabin_gdb_target(g, &t);
	wfd = g->stub.conn.wfd;
	cabin_debug_init(&g->stub, g->stub.conn.fd, &t, 0);
	g->stub.conn.wfd = wfd;
	g->stub.conn.cancelled = cancelled;
	g->stub.conn.cancel_ctx = g;
}

/* The stub's int3 just executed by tid: its address, else 0. */
static uint64_t at_breakpoint(struct cabin_gdb *g, pid_t tid)
{
	long rip;
	size_t i;

	errno = 0;
	rip = ptrace(PTRACE_PEEKUSER, tid, (void *)RIP, 0);
	if (errno)
		return 0;
	for (i = 0; i < g->stub.nbrk; i++)
		if (g->stub.brk[i].addr == (uint64_t)rip - 1)
			return g->stub.brk[i].addr;
	return 0;
}

/*
 * Two threads may hit breakpoints at once; gdb hears of one.  The other
 * hits are undone (rip back on the int3, the trap forgotten) so that
 * they happen again if the breakpoint is still there when they resume,
 * and not in the middle of an instruction if gdb removed it.  When gdb
 * leaves, the hit it heard of is undone too if gdb did not.
 */
static void undo_hits(struct cabin_gdb *g, bool reported_too)
{
	size_t i;
	long rip;

	for (i = 0; i < g->nheld; i++) {
		struct cabin_gdb_held *h = &g->held[i];

		if (!h->trap || !h->bp_addr || (h->reported && !reported_too))
			continue;
		/* One gdb heard of and has not moved back yet, when it left. */
		errno = 0;
		rip = ptrace(PTRACE_PEEKUSER, h->tid, (void *)RIP, 0);
		if (errno || (uint64_t)rip != h->bp_addr + 1)
			continue;
		if (ptrace(PTRACE_POKEUSER, h->tid, (void *)RIP,
			   (void *)(uintptr_t)h->bp_addr) < 0)
			continue;
		h->trap = false;
		h->sig = 0;
		h->bp_addr = 0;
	}
}

/* Resumed as it ran: to its watched call's exit, with entry stops. */
static struct cabin_resume as_it_ran(struct cabin_gdb *g, pid_t tid)
{
	struct cabin_task *t = task_of(g, tid);
	struct cabin_resume how;

	memset(&how, 0, sizeof(how));
	how.how = t && t->state == CABIN_TASK_IN_SYSCALL ?
		  CABIN_RESUME_TO_EXIT : CABIN_RESUME_RUN;
	how.entry_stops = t && t->own_filter;
	return how;
}

bool cabin_gdb_trap(struct cabin_process *pp, pid_t tid, int status)
{
	struct cabin_gdb *g = pp->gdb;
	struct cabin_gdb_held *h;
	bool interrupted;

	if (!g || !WIFSTOPPED(status) || WSTOPSIG(status) != SIGTRAP ||
	    !debugged(g, tid))
		return false;
	/* The stub's own PTRACE_INTERRUPT (all-stop) is no event either. */
	interrupted = (status >> 16) == PTRACE_EVENT_STOP &&
		      in_list(g->interrupted, g->ninterrupted, tid, false, NULL);
	if ((status >> 16) != 0 && !interrupted)
		return false;
	h = hold(g, tid);
	if (!h)
		return false;
	h->kind = CABIN_EV_NOTE;
	h->how = as_it_ran(g, tid);
	if (interrupted)
		return true;
	h->kind = CABIN_EV_SIGNAL;
	h->trap = true;
	h->sig = SIGTRAP;
	h->bp_addr = at_breakpoint(g, tid);
	want_report(g, tid);
	return true;
}

void cabin_gdb_vfork_done(struct cabin_process *pp, pid_t tid)
{
	struct cabin_gdb *g = pp->gdb;
	struct cabin_resume how;
	struct cabin_gdb_held *h;

	if (!g) {
		ptrace(PTRACE_CONT, tid, 0, 0);
		return;
	}
	/*
	 * gdb put its breakpoints back only now (they were out of the
	 * memory the child shared); the proxy has no part in this stop.
	 */
	if (tid == g->vfork_parent)
		cabin_gdb_vfork_parent_clean(g);
	how = as_it_ran(g, tid);
	if (debugged(g, tid) && g->stub.vfork_events && (h = hold(g, tid))) {
		h->how = how;
		h->event = CABIN_DEBUG_EV_VFORK_DONE;
		want_report(g, tid);
		return;
	}
	cabin_ptrace_ops_resume_now(pp, tid, &how,
				    in_list(g->stepping, g->nstepping, tid,
					    false, NULL));
}

/* Every live task of the process held?  The others are asked to stop. */
static bool all_held(struct cabin_gdb *g)
{
	struct cabin_task *t;
	size_t pos = 0, i;
	bool all = true;

	while ((t = cabin_tasks_next(&g->pp->proxy->tasks, &pos))) {
		if (t->pid != g->pid || t->state == CABIN_TASK_EXITING)
			continue;
		for (i = 0; i < g->nheld && g->held[i].tid != t->tid; i++)
			;
		if (i < g->nheld)
			continue;
		all = false;
		if (in_list(g->interrupted, g->ninterrupted, t->tid, false,
			    NULL))
			continue;
		if (g->ninterrupted == CABIN_GDB_MAX_HELD) {
			g->overflow = true;
			continue;
		}
		if (ptrace(PTRACE_INTERRUPT, t->tid, 0, 0) == 0)
			g->interrupted[g->ninterrupted++] = t->tid;
	}
	/* The fork child gdb hears of stops at its first stop by itself. */
	return all && (!g->fork_child ||
		       cabin_gdb_target_held(g, g->fork_child));
}

static void release(struct cabin_gdb *g, struct cabin_gdb_held *h, bool step,
		    int sig)
{
	struct cabin_resume how = h->how;

	if (h->sig)
		how.sig = sig;	/* gdb passes the signal, or not */
	cabin_gdb_target_debugregs(g, h->tid);
	if (step && !in_list(g->stepping, g->nstepping, h->tid, false, NULL) &&
	    g->nstepping < CABIN_GDB_MAX_HELD)
		g->stepping[g->nstepping++] = h->tid;
	cabin_ptrace_ops_resume_now(g->pp, h->tid, &how, step);
	*h = g->held[--g->nheld];
}

/* Detached, gone or killed: every thread resumes as the proxy decided. */
static void let_go(struct cabin_gdb *g, bool remove)
{
	undo_hits(g, true);
	if (remove)
		cabin_debug_remove_all(&g->stub);
	g->state = CABIN_GDB_DONE;
	g->pending = false;
	g->nstepping = 0;
	g->fork_child = 0;
	/* A held signal reaches the program if gdb lets it (QProgramSignals). */
	while (g->nheld)
		release(g, &g->held[0], false,
			g->held[0].trap || !cabin_debug_program_signal(
				&g->stub, g->held[0].sig) ? 0 : g->held[0].sig);
	cabin_gdb_close(g);
}

static void follow_child(struct cabin_gdb *g, pid_t child);

/* D;PID of the vfork parent let go when gdb followed its child. */
static bool gone_dropped(struct cabin_gdb *g)
{
	if (!g->stub.gone_pid || g->stub.detach_pid != g->stub.gone_pid)
		return false;
	g->stub.gone_pid = 0;
	return true;
}

/* Does gdb's resume name the fork child it was told of? */
static bool names_child(struct cabin_gdb *g)
{
	size_t i;

	for (i = 0; i < g->stub.nact; i++)
		if (g->stub.act[i].tid == g->fork_child)
			return true;
	return false;
}

static void resume_as_asked(struct cabin_gdb *g)
{
	struct cabin_gdb_held *h;
	size_t i;
	bool step;
	int sig;

	undo_hits(g, false);
	/*
	 * gdb neither let go of the fork child it was told of nor followed
	 * it (detach-on-fork off): the stub debugs one process, so the
	 * child runs on, confined, said.
	 */
	if (g->fork_child && g->stub.event_pid && names_child(g)) {
		/*
		 * gdb follows a vfork child and lets go of the parent only
		 * when the child execs or ends (it cannot run before): it is
		 * let go now, which gdb's later D;PID is told is done.
		 */
		g->stub.gone_pid = g->pid;
		follow_child(g, g->fork_child);
	} else if (g->fork_child && g->stub.event_pid) {
		cabin_proxy_say(g->pp->proxy, "--gdb: gdb kept pid %d, the child it was told of (detach-on-fork off); the stub debugs one process at a time, so it runs on without gdb, confined",
				(int)g->fork_child);
		h = cabin_gdb_target_held(g, g->fork_child);
		if (h)
			release(g, h, false, 0);
		g->fork_child = g->stub.event_pid = 0;
	}
	/* A stop gdb was not told of yet comes first: all stay stopped. */
	for (i = 0; i < g->nheld; i++) {
		if ((g->held[i].sig || g->held[i].event) &&
		    !g->held[i].reported &&
		    cabin_debug_action_for(&g->stub, g->held[i].tid, &step,
					   &sig)) {
			g->pending = true;
			g->report_tid = g->held[i].tid;
			return;
		}
	}
	for (i = 0; i < g->nheld;) {
		/* A fork child waits for its parent's event. */
		if (g->held[i].candidate ||
		    !cabin_debug_action_for(&g->stub, g->held[i].tid, &step,
					    &sig)) {
			i++;
			continue;
		}
		release(g, &g->held[i], step, sig);
	}
}

/* gdb is told of the fork child: it is gdb's now, no longer a candidate. */
static void told_fork(struct cabin_gdb *g)
{
	struct cabin_gdb_held *c = cabin_gdb_target_held(g, g->fork_child);

	g->stub.event_pid = g->fork_child;
	if (c)
		c->candidate = false;
}

/*
 * D;PID with a fork child told: gdb lets go of the child (it follows
 * the parent), or of the parent (it follows the child, which becomes
 * the debugged process).  The one let go runs on, confined.  false:
 * gdb let go of the debugged process and there is no other.
 */
static bool detach_one(struct cabin_gdb *g, pid_t *tid)
{
	pid_t child = g->stub.event_pid;
	struct cabin_gdb_held *h;

	if (!child || !g->fork_child)
		return false;
	if (g->stub.detach_pid == child) {
		g->fork_child = g->stub.event_pid = 0;
		h = cabin_gdb_target_held(g, child);
		if (h)
			release(g, h, false, 0);
		return true;
	}
	follow_child(g, child);
	*tid = child;
	return true;
}

/*
 * gdb follows the fork child: the parent's threads run on without the
 * stub's int3s and watchpoints, and the child is the debugged process.
 */
static void follow_child(struct cabin_gdb *g, pid_t child)
{
	struct cabin_gdb_held *h;
	uint64_t dr[4], dr7 = g->dr7;
	bool vfork = g->fork_event == CABIN_DEBUG_EV_VFORK, keep;
	size_t i;

	g->fork_child = g->stub.event_pid = 0;
	undo_hits(g, true);
	g->nstepping = 0;
	g->nsharers = 0;
	/*
	 * A vfork parent shares the child's memory until the child execs
	 * or ends.  One thread, stopped in vfork, runs no code of its own
	 * until then: gdb's breakpoints, inserted in that memory, stay in
	 * for the child and come out of the parent before it runs on
	 * (vfork_parent).  Another thread of it would run into them: then
	 * they go, as from any parent gdb lets go.
	 */
	keep = vfork && cabin_procfs_threads(g->pid) == 1;
	memcpy(dr, g->dr, sizeof(dr));
	if (keep) {
		cabin_debug_lift(&g->stub, false);
		g->vfork_parent = g->pid;
		/* The parent's threads leave without the watchpoints. */
		memset(g->dr, 0, sizeof(g->dr));
		g->dr7 = 0;
	} else {
		cabin_debug_remove_all(&g->stub);
	}
	for (i = 0; i < g->nheld;) {
		h = &g->held[i];
		if (h->tid == child) {
			i++;
			continue;
		}
		release(g, h, false, h->trap || !cabin_debug_program_signal(
				&g->stub, h->sig) ? 0 : h->sig);
	}
	if (keep) {
		memcpy(g->dr, dr, sizeof(dr));
		g->dr7 = dr7;
	} else if (vfork) {
		cabin_gdb_share(g, g->pid);
	}
	cabin_proxy_say(g->pp->proxy, "--gdb: gdb follows pid %d, the child; pid %d runs on without gdb, confined%s",
			(int)child, (int)g->pid, vfork && !keep ?
			" (breakpoints take effect in the vfork child once it execs)" : "");
	g->pid = g->stub.pid = child;
	h = cabin_gdb_target_held(g, child);
	if (h)
		h->reported = true;
}

void cabin_gdb_after(struct cabin_process *pp)
{
	struct cabin_gdb *g = pp->gdb;
	struct cabin_gdb_held *h;
	enum cabin_debug_verdict v;
	int err, sig;
	bool first;
	size_t i;
	pid_t tid;

again:
	if (g && g->state == CABIN_GDB_ATTACHED && g->overflow) {
		/* A thread that cannot be held runs on: no all-stop to offer. */
		cabin_proxy_say(pp->proxy, "--gdb: the program has more than %d threads, more than the stub can hold stopped; gdb is let go and the program runs on, confined",
				CABIN_GDB_MAX_HELD);
		let_go(g, true);
		return;
	}
	if (!g || !g->pending || g->state != CABIN_GDB_ATTACHED ||
	    !all_held(g))
		return;
	if (!g->seated) {
		err = cabin_gdb_conn_accept(g);
		if (err == -ECANCELED) {
			cabin_proxy_say(pp->proxy, "--gdb: %s while waiting for gdb; the program runs on without it",
					cancel_reason(g));
			let_go(g, false);
			return;
		}
		if (err < 0) {
			cabin_proxy_say(pp->proxy, "--gdb: no debugger came; the program runs on");
			let_go(g, false);
			return;
		}
	}
	h = cabin_gdb_target_held(g, g->report_tid);
	/* ^C, and the leader is gone: any thread of the process. */
	for (i = 0; (!h || h->candidate) && i < g->nheld; i++)
		h = &g->held[i];
	if (!h || h->candidate) {
		g->pending = false;
		return;
	}
	sig = g->report_sig ? g->report_sig : h->sig ? h->sig : SIGTRAP;
	g->report_sig = 0;
	g->stub.stop_extra[0] = '\0';
	if (h->trap)
		cabin_debug_watch_reason(&g->stub, h->tid,
					 g->stub.stop_extra,
					 sizeof(g->stub.stop_extra));
	g->stub.pid = g->pid;
	g->stub.event = h->event;
	if (h->event == CABIN_DEBUG_EV_FORK || h->event == CABIN_DEBUG_EV_VFORK)
		told_fork(g);
	h->reported = true;
	g->pending = false;
	tid = h->tid;
	first = g->first;
serve:
	v = cabin_debug_serve(&g->stub, tid, sig, first);
	g->first = false;
	g->stub.event = CABIN_DEBUG_EV_NONE;
	switch (v) {
	case CABIN_DEBUG_RESUME:
		resume_as_asked(g);
		/*
		 * A stop gdb was not told of left every thread stopped: told
		 * now, for nothing would wake the stop loop.
		 */
		goto again;
	case CABIN_DEBUG_KILL:
		cabin_proxy_say(pp->proxy, "gdb killed the program");
		/* Out while the memory is still there: no shared page keeps one. */
		cabin_debug_remove_all(&g->stub);
		kill(g->pid, SIGKILL);
		let_go(g, false);
		return;
	case CABIN_DEBUG_GONE:
		if (cancel_reason(g))
			cabin_proxy_say(pp->proxy, "--gdb: %s; gdb is let go and the program runs on, confined",
					cancel_reason(g));
		else
			cabin_proxy_say(pp->proxy, "gdb went away; the program runs on, confined");
		let_go(g, true);
		return;
	case CABIN_DEBUG_DETACH:
		/* One of two processes let go: gdb goes on with the other. */
		if (gone_dropped(g) || detach_one(g, &tid)) {
			first = true;
			goto serve;
		}
		let_go(g, true);
		return;
	}
}

/* gdb's interrupt: every thread stops, gdb hears SIGINT. */
static void interrupt_stop(struct cabin_gdb *g)
{
	g->pending = true;
	g->report_tid = g->pid;
	g->report_sig = SIGINT;
}

void cabin_gdb_poll(struct cabin_process *pp)
{
	struct cabin_gdb *g = pp->gdb;
	struct pollfd pfd;
	char b;
	ssize_t n;

	if (!g || g->state != CABIN_GDB_ATTACHED || g->pending ||
	    g->stub.conn.fd < 0)
		return;
	/* A ^C that came with the resume packet is read already. */
	while (g->stub.conn.pos < g->stub.conn.have) {
		if (g->stub.conn.in[g->stub.conn.pos++] == 0x03) {
			interrupt_stop(g);
			return;
		}
	}
	if (!cabin_gdb_conn_input())
		return;
	pfd.fd = g->stub.conn.fd;
	pfd.events = POLLIN;
	while (poll(&pfd, 1, 0) == 1) {
		n = cabin_debug_read(pfd.fd, &b, 1);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
			cabin_proxy_say(pp->proxy, "gdb went away; the program runs on, confined");
			let_go(g, true);
			return;
		}
		if (n == 1 && b == 0x03) {
			interrupt_stop(g);
			return;
		}
		if (n < 0)
			return;
	}
}

void cabin_gdb_exited(struct cabin_process *pp, pid_t tid, int status)
{
	struct cabin_gdb *g = pp->gdb;
	struct cabin_gdb_held *h;

	if (!g)
		return;
	h = cabin_gdb_target_held(g, tid);
	if (h)
		*h = g->held[--g->nheld];
	in_list(g->interrupted, g->ninterrupted, tid, true, &g->ninterrupted);
	in_list(g->stepping, g->nstepping, tid, true, &g->nstepping);
	cabin_gdb_unshared(pp, tid);
	if (tid == g->fork_child)
		g->fork_child = g->stub.event_pid = 0;
	if (tid != g->pid || g->state != CABIN_GDB_ATTACHED)
		return;
	if (g->stub.conn.fd >= 0) {
		bool noack = g->stub.conn.noack;

		cabin_debug_exited(&g->stub, status);
		/*
		 * A followed vfork child ended: gdb lets go of its parent
		 * (D;PID) before it has no process left; then goodbye.
		 */
		g->stub.conn.noack = noack;
		while (g->stub.gone_pid &&
		       cabin_debug_serve(&g->stub, tid, 0, true) ==
		       CABIN_DEBUG_DETACH && !gone_dropped(g))
			;
	}
	g->state = CABIN_GDB_DONE;
	g->pending = false;
	cabin_gdb_close(g);
}
