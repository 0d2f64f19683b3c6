/*
 * --gdb on the process platform: which stops gdb sees, stopping every
 * thread of the process when one stops for gdb (all-stop), and resuming
 * them as the proxy decided with gdb's steps and signals.  The proxy
 * judges every stop as it would without a debugger; a held thread only
 * waits.  The stub is served from the stop loop's own thread, so gdb's
 * requests and the proxy's decisions never race.
 */
#include <errno.h>
#include <fcntl.h>
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
#include "platform/process/gdb_target.h"
#include "platform/process/ptrace_ops.h"

int cabin_gdb_configure(struct cabin_gdb *g, const char *value, FILE *log)
{
	memset(g, 0, sizeof(*g));
	g->listen_fd = -1;
	g->stub.conn.fd = -1;
	g->log = log;
	return cabin_debug_addr_parse(value, &g->addr, log);
}

int cabin_gdb_prepare(struct cabin_gdb *g)
{
	g->listen_fd = cabin_debug_listen(&g->addr, g->log, g->where,
					  sizeof(g->where));
	/* A socket file of cabin's: gone with the listener. */
	g->unlink_where = g->listen_fd >= 0 && g->addr.ss.ss_family == AF_UNIX;
	return g->listen_fd < 0 ? g->listen_fd : 0;
}

void cabin_gdb_close(struct cabin_gdb *g)
{
	if (g->listen_fd >= 0)
		close(g->listen_fd);
	if (g->unlink_where)
		unlink(g->where);
	g->unlink_where = false;
	if (g->stub.conn.fd >= 0)
		close(g->stub.conn.fd);
	g->listen_fd = g->stub.conn.fd = -1;
	/* Only now: a SIGIO at its default would end cabin. */
	if (g->sigio_set)
		sigaction(SIGIO, &g->old_sigio, NULL);
	g->sigio_set = false;
}

/* gdb sent something while the program runs: a ^C, or it went away. */
static volatile sig_atomic_t gdb_input;

static void on_sigio(int sig)
{
	(void)sig;
	gdb_input = 1;
}

/*
 * SIGIO when gdb writes, without SA_RESTART: the stop loop's waitpid is
 * interrupted, so a ^C is seen while the program runs.
 */
static void watch_input(struct cabin_gdb *g)
{
	struct sigaction sa;
	int fl;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigio;
	if (sigaction(SIGIO, &sa, &g->old_sigio) < 0)
		return;
	g->sigio_set = true;
	fl = fcntl(g->stub.conn.fd, F_GETFL);
	if (fcntl(g->stub.conn.fd, F_SETOWN, getpid()) < 0 || fl < 0 ||
	    fcntl(g->stub.conn.fd, F_SETFL, fl | O_ASYNC) < 0)
		return;
}

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

static pid_t tgid_of(pid_t tid);
static void share(struct cabin_gdb *g, pid_t child);

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
	    tgid_of(tid) != g->pid &&
	    syscall(SYS_kcmp, g->pid, tid, KCMP_VM, 0, 0) == 0)
		share(g, tid);
	/*
	 * A sharer at its exit stop runs no more code of its own, and its
	 * vfork parent waits until after it: the int3s go back now, before
	 * the parent runs on (its exit event would come too late).
	 */
	if (pp->stop_kind == CABIN_EV_EXITING)
		cabin_gdb_unshared(pp, tid);
	if (!debugged(g, tid))
		return false;
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
		g->stub.nbrk = 0;
		cabin_proxy_say(pp->proxy, "--gdb: the debugged process ran a new program; gdb is not told of it and its breakpoints are gone");
	}
	if ((pp->stop_kind == CABIN_EV_SIGNAL ||
	     pp->stop_kind == CABIN_EV_FAULT) && how->sig) {
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

	g->pp = pp;
	pp->gdb = g;
	pp->gdb_hold = hold_hook;
	g->signals_seen = cabin_signals_received;
	cabin_gdb_target(g, &t);
	cabin_debug_init(&g->stub, -1, &t, 0);
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

bool cabin_gdb_trap(struct cabin_process *pp, pid_t tid, int status)
{
	struct cabin_gdb *g = pp->gdb;
	struct cabin_gdb_held *h;
	struct cabin_task *t;
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
	/* Resumed as it ran: to its watched call's exit, with entry stops. */
	t = task_of(g, tid);
	h->kind = CABIN_EV_NOTE;
	h->how.how = t->state == CABIN_TASK_IN_SYSCALL ?
		     CABIN_RESUME_TO_EXIT : CABIN_RESUME_RUN;
	h->how.entry_stops = t->own_filter;
	if (interrupted)
		return true;
	h->kind = CABIN_EV_SIGNAL;
	h->trap = true;
	h->sig = SIGTRAP;
	h->bp_addr = at_breakpoint(g, tid);
	want_report(g, tid);
	return true;
}

/* The stub's int3s out of a copy of the debugged process's memory. */
static void unbreak_copy(struct cabin_gdb *g, pid_t child)
{
	char path[64];
	size_t i;
	int fd;

	if (!g->stub.nbrk || g->stub.lifted)
		return;
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)child);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	for (i = 0; i < g->stub.nbrk; i++)
		if (pwrite(fd, &g->stub.brk[i].orig, 1,
			   (off_t)g->stub.brk[i].addr) != 1)
			break;
	close(fd);
}

static pid_t tgid_of(pid_t tid)
{
	char path[64], line[128];
	long tgid = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "Tgid:", 5))
			tgid = strtol(line + 5, NULL, 10);
	fclose(f);
	return (pid_t)tgid;
}

/* child shares the debugged process's memory: the int3s are lifted. */
static void share(struct cabin_gdb *g, pid_t child)
{
	if (!in_list(g->sharers, g->nsharers, child, false, NULL) &&
	    g->nsharers < CABIN_GDB_MAX_HELD)
		g->sharers[g->nsharers++] = child;
	cabin_debug_lift(&g->stub, true);
}

void cabin_gdb_spawned(struct cabin_process *pp, pid_t parent,
		       enum cabin_spawn_kind kind, pid_t child)
{
	struct cabin_gdb *g = pp->gdb;
	struct cabin_task *t;

	if (!g || g->state != CABIN_GDB_ATTACHED)
		return;
	/* Only the debugged process's memory ever had the stub's int3s. */
	t = task_of(g, parent);
	if (!t || t->pid != g->pid || tgid_of(child) == g->pid)
		return;
	/*
	 * A copy (fork, clone without CLONE_VM) runs without them: gdb
	 * follows the parent.  A child sharing the memory (vfork, CLONE_VM)
	 * would run into them: they are lifted until it execs or exits, as
	 * gdb does for vfork.
	 */
	if (kind == CABIN_SPAWN_FORK ||
	    (kind == CABIN_SPAWN_CLONE &&
	     syscall(SYS_kcmp, g->pid, child, KCMP_VM, 0, 0) > 0)) {
		/* kcmp: 0 the same memory, > 0 another, -1 unknown (lifted). */
		unbreak_copy(g, child);
		return;
	}
	share(g, child);
}

void cabin_gdb_unshared(struct cabin_process *pp, pid_t tid)
{
	struct cabin_gdb *g = pp->gdb;

	if (!g || !in_list(g->sharers, g->nsharers, tid, true, &g->nsharers))
		return;
	if (!g->nsharers && g->state == CABIN_GDB_ATTACHED)
		cabin_debug_lift(&g->stub, false);
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
	return all;
}

/*
 * gdb's connection, once.  Waiting is given up (-ECANCELED) when the
 * time limit runs out or cabin is sent a signal: then the program runs
 * on undebugged.
 */
static int connect_gdb(struct cabin_gdb *g)
{
	int err = cabin_debug_accept(&g->stub.conn, &g->listen_fd, g->where,
				     g->log);

	if (err == 0)
		watch_input(g);
	return err;
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
	while (g->nheld)
		release(g, &g->held[0], false,
			g->held[0].trap ? 0 : g->held[0].sig);
	cabin_gdb_close(g);
}

static void resume_as_asked(struct cabin_gdb *g)
{
	size_t i;
	bool step;
	int sig;

	undo_hits(g, false);
	/* A stop gdb was not told of yet comes first: all stay stopped. */
	for (i = 0; i < g->nheld; i++) {
		if (g->held[i].sig && !g->held[i].reported &&
		    cabin_debug_action_for(&g->stub, g->held[i].tid, &step,
					   &sig)) {
			g->pending = true;
			g->report_tid = g->held[i].tid;
			return;
		}
	}
	for (i = 0; i < g->nheld;) {
		if (!cabin_debug_action_for(&g->stub, g->held[i].tid, &step,
					    &sig)) {
			i++;
			continue;
		}
		release(g, &g->held[i], step, sig);
	}
}

void cabin_gdb_after(struct cabin_process *pp)
{
	struct cabin_gdb *g = pp->gdb;
	struct cabin_gdb_held *h;
	enum cabin_debug_verdict v;
	int err, sig;

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
	if (g->stub.conn.fd < 0) {
		err = connect_gdb(g);
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
	if (!h && g->nheld)
		h = &g->held[0];	/* ^C, and the leader is gone */
	if (!h) {
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
	h->reported = true;
	g->pending = false;
	v = cabin_debug_serve(&g->stub, h->tid, sig, g->first);
	g->first = false;
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
	if (!gdb_input)
		return;
	gdb_input = 0;
	pfd.fd = g->stub.conn.fd;
	pfd.events = POLLIN;
	while (poll(&pfd, 1, 0) == 1) {
		n = recv(pfd.fd, &b, 1, MSG_DONTWAIT);
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
	if (tid != g->pid || g->state != CABIN_GDB_ATTACHED)
		return;
	if (g->stub.conn.fd >= 0)
		cabin_debug_exited(&g->stub, status);
	g->state = CABIN_GDB_DONE;
	g->pending = false;
	cabin_gdb_close(g);
}
