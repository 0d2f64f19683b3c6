/*
 * Event dispatch of the proxy kernel.  Each handler updates the task table,
 * records what happened and resumes the thread exactly once.  Nothing here
 * trusts the program: names and registers come from the platform, which
 * reads them from the kernel, not from program memory.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "core/exception.h"
#include "core/memguard.h"
#include "core/names.h"
#include "core/proxy.h"
#include "core/unreadable.h"
#include "core/x32.h"
#include "core/xom.h"

static void notify_event(struct cabin_proxy *p, struct cabin_task *task,
			 const struct cabin_event *ev);

/* The report keeps what the user was told, in the same words. */
static void heard(void *ctx, const char *line)
{
	struct cabin_event ev = { .kind = CABIN_EV_NOTE, .note = line };

	notify_event(ctx, NULL, &ev);
}

int cabin_proxy_init(struct cabin_proxy *p, const struct cabin_platform *plat,
		     const struct cabin_router *router, FILE *log)
{
	memset(p, 0, sizeof(*p));
	p->plat = plat;
	p->router = router;
	cabin_log_init(&p->log, log ? log : stderr);
	p->log.heard = heard;
	p->log.ctx = p;
	/* What cabin cannot read fails first: nothing else decides on it. */
	p->guards[p->nguards++].guard = &cabin_unreadable_guard;
	p->guards[p->nguards++].guard = &cabin_limits_guard;
	p->guards[p->nguards++].guard = &cabin_memguard_guard;
	p->guards[p->nguards++].guard = &cabin_xom_guard;
	return cabin_tasks_init(&p->tasks);
}

void cabin_proxy_free(struct cabin_proxy *p)
{
	cabin_tasks_free(&p->tasks);
	cabin_log_free(&p->log);
}

int cabin_proxy_guard(struct cabin_proxy *p, const struct cabin_guard *g,
		      void *ctx)
{
	if (p->nguards >= CABIN_PROXY_MAX_GUARDS)
		return -ENOSPC;
	p->guards[p->nguards].guard = g;
	p->guards[p->nguards].ctx = ctx;
	p->nguards++;
	return 0;
}

void cabin_proxy_say(struct cabin_proxy *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cabin_log_vsay(&p->log, fmt, ap);
	va_end(ap);
}

static void refresh_identity(struct cabin_proxy *p, struct cabin_task *task)
{
	pid_t tgid;

	if (p->plat->ops->task_name(p->plat->ctx, task->tid, task->comm,
				    sizeof(task->comm)) < 0)
		snprintf(task->comm, sizeof(task->comm), "?");
	tgid = p->plat->ops->task_tgid(p->plat->ctx, task->tid);
	if (tgid > 0)
		task->pid = tgid;
}

static struct cabin_task *track(struct cabin_proxy *p, pid_t tid)
{
	struct cabin_task *task = cabin_tasks_find(&p->tasks, tid);

	if (task)
		return task;
	task = cabin_tasks_get(&p->tasks, tid);
	if (!task)
		return NULL;
	p->stats.tasks++;
	/*
	 * A child's first stop may come before its parent's spawn event:
	 * once the program's code is sealed, every new task is its
	 * descendant and is checked from its first stop on.
	 */
	task->xom_sealed = p->xom && p->xom->pkey >= 0;
	/*
	 * Filters are inherited: a task born after a filter of the
	 * program's own was installed may carry it, and its first stop can
	 * come before its parent's spawn event says whose child it is.
	 */
	task->own_filter = p->own_filters;
	refresh_identity(p, task);
	return task;
}

static int resume(struct cabin_proxy *p, pid_t tid, enum cabin_resume_how how,
		  long retval, int sig)
{
	struct cabin_task *task = cabin_tasks_find(&p->tasks, tid);
	struct cabin_resume r = { .how = how, .retval = retval, .sig = sig,
				  .entry_stops = task && task->own_filter };

	return p->plat->ops->resume(p->plat->ctx, tid, &r);
}

/*
 * Resume after an event inside a syscall the proxy watches (a fork event
 * of a traced clone, an exec): keep watching, or its result is lost.
 */
static int resume_event(struct cabin_proxy *p, struct cabin_task *task,
			int sig)
{
	return resume(p, task->tid,
		      task->state == CABIN_TASK_IN_SYSCALL ? CABIN_RESUME_TO_EXIT
							   : CABIN_RESUME_RUN,
		      0, sig);
}

int cabin_proxy_adopt(struct cabin_proxy *p, pid_t main_pid)
{
	struct cabin_task *task = track(p, main_pid);

	if (!task)
		return -ENOMEM;
	p->main_pid = main_pid;
	task->state = CABIN_TASK_RUNNING;
	return 0;
}

int cabin_proxy_forked(struct cabin_proxy *p, pid_t parent, pid_t child)
{
	struct cabin_task *t;
	size_t pos = 0;
	pid_t *others;
	size_t n = 0, i;

	others = calloc(p->tasks.count ? p->tasks.count : 1, sizeof(*others));
	if (!others)
		return -ENOMEM;
	while ((t = cabin_tasks_next(&p->tasks, &pos)))
		if (t->tid != parent && n < p->tasks.count)
			others[n++] = t->tid;
	for (i = 0; i < n; i++)
		cabin_tasks_remove(&p->tasks, others[i]);
	free(others);
	if (cabin_tasks_rekey(&p->tasks, parent, child) < 0)
		return cabin_proxy_adopt(p, child);
	t = cabin_tasks_find(&p->tasks, child);
	t->pid = child;
	t->parent = parent;
	p->main_pid = child;
	p->main_exited = false;
	p->draining = false;
	memset(&p->stats, 0, sizeof(p->stats));
	return 0;
}

bool cabin_denial_reported(struct cabin_proxy *p, long nr, const char *comm)
{
	return cabin_log_reported(&p->log, nr, comm);
}

/* Observers see each routed syscall: its entry, then exactly one result. */
static void notify_entry(struct cabin_proxy *p, struct cabin_task *task,
			 const struct cabin_syscall *sys,
			 const struct cabin_route *route)
{
	size_t i;

	for (i = 0; i < p->nobservers; i++) {
		if (p->observers[i]->syscall_entry)
			p->observers[i]->syscall_entry(p->observers[i]->ctx, p,
						       task, sys, route);
	}
}

static void notify_result(struct cabin_proxy *p, struct cabin_task *task,
			  long ret, bool ran)
{
	size_t i;

	if (task->refused) {
		task->count.denied++;
		p->stats.denied++;
	}

	for (i = 0; i < p->nobservers; i++) {
		if (p->observers[i]->syscall_result)
			p->observers[i]->syscall_result(p->observers[i]->ctx, p,
							task, ret, ran);
	}
}

static void notify_event(struct cabin_proxy *p, struct cabin_task *task,
			 const struct cabin_event *ev)
{
	size_t i;

	for (i = 0; i < p->nobservers; i++) {
		if (p->observers[i]->event)
			p->observers[i]->event(p->observers[i]->ctx, p, task,
					       ev);
	}
}

int cabin_proxy_observe(struct cabin_proxy *p,
			const struct cabin_observer *o)
{
	if (p->nobservers >= CABIN_PROXY_MAX_OBSERVERS)
		return -ENOSPC;
	p->observers[p->nobservers++] = o;
	return 0;
}

/* The syscall does not run: it returns ret, decided by the proxy. */
static int answer(struct cabin_proxy *p, struct cabin_task *task, long ret)
{
	notify_result(p, task, ret, false);
	task->cur_nr = -1;
	return resume(p, task->tid, CABIN_RESUME_SKIP, ret, 0);
}

static int on_denied(struct cabin_proxy *p, struct cabin_task *task,
		     const struct cabin_syscall *sys, int err)
{
	char name[32];

	task->refused = true;
	if (!cabin_denial_reported(p, sys->nr, task->comm))
		cabin_proxy_say(p, "denied %s by pid %d (%s): %s",
				cabin_syscall_name(sys->nr, name, sizeof(name)),
				(int)task->tid, task->comm,
				cabin_errno_name(err));
	return answer(p, task, -err);
}

static int on_syscall_entry(struct cabin_proxy *p, struct cabin_task *task,
			    const struct cabin_syscall *sys)
{
	const struct cabin_route *route;
	int rule = sys->rule;
	char name[32];
	long refused;

	if (rule == CABIN_RULE_UNKNOWN)
		route = cabin_router_match(p->router, (int)sys->nr, sys->args,
					   &rule);
	else
		route = cabin_router_route(p->router, rule);

	task->entered = false;
	task->refused = false;
	task->count.syscalls++;
	p->stats.stops++;
	task->cur_nr = sys->nr;
	task->cur_rule = rule;
	task->entry_ns = cabin_proxy_now_ns();
	memcpy(task->cur_args, sys->args, sizeof(task->cur_args));
	notify_entry(p, task, sys, route);

	switch (route->kind) {
	case CABIN_ROUTE_TRACE:
		refused = cabin_guards_entry(p, task, sys);
		if (refused) {
			/* a guard refused it: a limit, W^X, XOM, unreadable */
			task->refused = true;
			return answer(p, task, refused);
		}
		task->state = CABIN_TASK_IN_SYSCALL;
		return resume(p, task->tid, CABIN_RESUME_TO_EXIT, 0, 0);
	case CABIN_ROUTE_EMULATE:
		return answer(p, task, cabin_guards_emulate(p, task, sys));
	case CABIN_ROUTE_DENY:
		return on_denied(p, task, sys, route->err);
	case CABIN_ROUTE_KILL:
		cabin_proxy_say(p, "pid %d (%s): killed: syscall %s is routed to kill",
		    (int)task->tid, task->comm,
		    cabin_syscall_name(sys->nr, name, sizeof(name)));
		p->stats.killed++;
		return p->plat->ops->kill(p->plat->ctx, task->tid, SIGSYS);
	case CABIN_ROUTE_ALLOW:
		break;
	}
	notify_result(p, task, 0, true);
	task->cur_nr = -1;
	return resume(p, task->tid, CABIN_RESUME_RUN, 0, 0);
}

/*
 * From a filter of the program's own on, that filter answers first for
 * the calls it refuses (errno, SIGSYS, kill): they never run, and cabin
 * never sees them.  The guards stop every install, so it is said here.
 */
static void note_own_filter(struct cabin_proxy *p, struct cabin_task *task,
			    long ret)
{
	struct cabin_task *t;
	const char *how;
	uint32_t flags;
	size_t pos = 0;

	if (ret != 0)
		return;
	if (task->cur_nr == SYS_seccomp &&
	    (uint32_t)task->cur_args[0] == SECCOMP_SET_MODE_FILTER) {
		how = "seccomp";
		flags = (uint32_t)task->cur_args[1];
	} else if (task->cur_nr == SYS_prctl &&
		   (uint32_t)task->cur_args[0] == PR_SET_SECCOMP &&
		   (uint32_t)task->cur_args[1] == SECCOMP_MODE_FILTER) {
		how = "prctl";
		flags = 0;
	} else {
		return;
	}
	cabin_proxy_say(p, "pid %d (%s) installed a seccomp filter of its own (%s, flags %#x): from now on its syscalls stop at entry too, and calls that filter refuses are traced as its answer",
			(int)task->tid, task->comm, how, flags);
	p->own_filters = true;
	task->own_filter = true;
	/*
	 * TSYNC put it on every thread of the process; those running now
	 * are stopped so that their next resume brings the entry stops.
	 */
	while ((flags & SECCOMP_FILTER_FLAG_TSYNC) &&
	       (t = cabin_tasks_next(&p->tasks, &pos))) {
		if (t->pid != task->pid || t == task || t->own_filter)
			continue;
		t->own_filter = true;
		if (p->plat->ops->interrupt)
			p->plat->ops->interrupt(p->plat->ctx, t->tid);
	}
}

/*
 * Entry stop of a task that carries a filter of its own: no filter has
 * run yet.  If cabin's filter stops the call, a seccomp stop follows;
 * if the exit comes first, a more restrictive filter answered.
 */
void cabin_proxy_note_entered(struct cabin_task *task,
			      const struct cabin_syscall *sys)
{
	task->entered = true;
	task->entered_nr = sys->nr;
	memcpy(task->entered_args, sys->args, sizeof(task->entered_args));
}

static int on_syscall_entered(struct cabin_proxy *p, struct cabin_task *task,
			      const struct cabin_syscall *sys)
{
	cabin_proxy_note_entered(task, sys);
	return resume(p, task->tid, CABIN_RESUME_TO_EXIT, 0, 0);
}

/*
 * The exit came without a seccomp stop.  Where cabin's route would have
 * stopped the call, only a filter that outranks SECCOMP_RET_TRACE can
 * have answered: the program's own (errno, SIGSYS, or USER_NOTIF without
 * a listener).  The call did not run; it is recorded as that answer.
 */
static void record_own_answer(struct cabin_proxy *p, struct cabin_task *task,
			      long ret)
{
	struct cabin_syscall sys = { .nr = task->entered_nr,
				     .arch = AUDIT_ARCH_X86_64 };
	const struct cabin_route *route;

	memcpy(sys.args, task->entered_args, sizeof(sys.args));
	route = cabin_router_match(p->router, (int)sys.nr, sys.args, &sys.rule);
	if (route->kind == CABIN_ROUTE_ALLOW || route->kind == CABIN_ROUTE_KILL ||
	    (route->kind == CABIN_ROUTE_DENY && route->quiet))
		return;
	task->count.syscalls++;
	task->cur_nr = sys.nr;
	task->cur_rule = sys.rule;
	task->entry_ns = cabin_proxy_now_ns();
	memcpy(task->cur_args, sys.args, sizeof(task->cur_args));
	task->own_answer = true;
	task->refused = false;
	notify_entry(p, task, &sys, route);
	notify_result(p, task, ret, false);
	task->own_answer = false;
	task->cur_nr = -1;
}

static int on_syscall_exit(struct cabin_proxy *p, struct cabin_task *task,
			   long ret)
{
	if (task->cur_nr >= 0) {
		cabin_guards_settle(p, task, ret);
		notify_result(p, task, ret, true);
		note_own_filter(p, task, ret);
	} else if (task->entered) {
		record_own_answer(p, task, ret);
	}
	task->entered = false;
	if (cabin_guards_exit(p, task, ret)) {
		task->cur_nr = -1;
		return 0;	/* killed */
	}
	task->state = CABIN_TASK_RUNNING;
	task->cur_nr = -1;
	return resume(p, task->tid, CABIN_RESUME_RUN, 0, 0);
}

/*
 * A fault's fate, once known: the line only for a fault that ended its
 * process (programs that handle their own SIGSEGV, such as valgrind, JIT
 * runtimes and garbage collectors, take thousands), and observers told
 * which.  At the exit stop the mappings are still there to name.
 */
static void settle_fault(struct cabin_proxy *p, struct cabin_task *task,
			 bool ended)
{
	struct cabin_event ev = { .kind = CABIN_EV_FAULT, .tid = task->tid };
	char where[512], line[768];
	int have_where;

	if (!task->fault_pending)
		return;
	task->fault_pending = false;
	ev.fault = task->fault;
	ev.fault.outcome = ended ? CABIN_FAULT_ENDED : CABIN_FAULT_HANDLED;
	if (ended) {
		have_where = p->plat->ops->describe_addr(p->plat->ctx,
				task->tid, ev.fault.ip, where, sizeof(where));
		cabin_fault_format(line, sizeof(line), task->tid, task->comm,
				   &ev.fault, have_where >= 0 ? where : NULL);
		cabin_proxy_say(p, "%s", line);
	} else {
		p->stats.faults_handled++;
	}
	notify_event(p, task, &ev);
}

/* A task's end settles its fault: ended if that signal killed it. */
static void settle_at_end(struct cabin_proxy *p, struct cabin_task *task,
			  int status)
{
	settle_fault(p, task, WIFSIGNALED(status) &&
			      WTERMSIG(status) == task->fault.sig);
}

static int on_fault(struct cabin_proxy *p, struct cabin_task *task,
		    const struct cabin_fault *f)
{
	task->count.faults++;
	p->stats.faults++;
	cabin_guards_fault(p, task, f);
	/* Faulting again, the thread came back from the last one. */
	settle_fault(p, task, false);
	task->fault = *f;
	task->fault_pending = true;
	return resume_event(p, task, f->sig);
}

static int on_spawn(struct cabin_proxy *p, struct cabin_task *task,
		    pid_t child_tid, enum cabin_spawn_kind kind)
{
	static const char *const kinds[] = {
		[CABIN_SPAWN_FORK] = "fork",
		[CABIN_SPAWN_VFORK] = "vfork",
		[CABIN_SPAWN_CLONE] = "clone",
	};
	struct cabin_task *child = track(p, child_tid);

	task->count.spawns++;
	p->stats.spawns++;
	if (child) {
		child->parent = task->tid;
		child->xom_sealed = task->xom_sealed;
		child->own_filter |= task->own_filter;
		if (p->verbose)
			cabin_proxy_say(p, "[pid %d] %s -> %s %d", (int)task->tid,
			    kinds[kind],
			    child->pid == task->pid ? "thread" : "process",
			    (int)child_tid);
	}
	return resume_event(p, task, 0);
}

static int on_attach(struct cabin_proxy *p, struct cabin_task *task)
{
	if (p->draining) {
		p->plat->ops->kill(p->plat->ctx, task->tid, SIGKILL);
		return 0;
	}
	task->state = CABIN_TASK_RUNNING;
	return resume(p, task->tid, CABIN_RESUME_RUN, 0, 0);
}

static int on_exec(struct cabin_proxy *p, struct cabin_task *task,
		   pid_t former_tid)
{
	char exe[512];
	int err;

	/* A non-leader thread that execs takes over the leader's tid. */
	if (former_tid > 0 && former_tid != task->tid) {
		pid_t tid = task->tid;

		if (cabin_tasks_rekey(&p->tasks, former_tid, tid) < 0)
			task = track(p, tid);
		else
			task = cabin_tasks_find(&p->tasks, tid);
		if (!task)
			return -ENOMEM;
	}
	task->count.execs++;
	p->stats.execs++;
	refresh_identity(p, task);
	notify_event(p, task, &(struct cabin_event){
		.kind = CABIN_EV_EXEC, .tid = task->tid,
		.exec.former_tid = former_tid });
	if (p->verbose) {
		if (p->plat->ops->task_exe(p->plat->ctx, task->tid, exe,
					   sizeof(exe)) < 0)
			snprintf(exe, sizeof(exe), "%s", task->comm);
		cabin_proxy_say(p, "[pid %d] exec %s", (int)task->tid, exe);
	}
	task->xom_sealed = false;
	task->wx_pending = false;
	err = cabin_guards_exec(p, task);
	if (err < 0)
		return 0;	/* killed, or gone */
	if (err != CABIN_GUARD_AT_EXIT)
		return resume_event(p, task, 0);
	/* Sealing ran execve to its exit: a watched execve ends here. */
	if (task->state == CABIN_TASK_IN_SYSCALL)
		return on_syscall_exit(p, task, 0);
	return resume(p, task->tid, CABIN_RESUME_RUN, 0, 0);
}

/*
 * A thread about to die of SIGSYS was killed by a filter: a foreign ABI,
 * a kill route, or a filter the program installed itself.  This is the
 * last moment its registers say which syscall it was, so the report is
 * made here.  A SIGSYS from anywhere else (kill(2), the namespace
 * helper dying the way the program died) is no filter's doing and is
 * not explained: its registers name the kill, not a routed syscall.
 */
static void explain_seccomp_kill(struct cabin_proxy *p,
				 struct cabin_task *task,
				 const struct cabin_event *ev)
{
	long nr = ev->exiting.nr;
	const struct cabin_route *route =
		cabin_router_match(p->router, (int)nr, ev->exiting.args, NULL);
	char name[32];

	cabin_syscall_name(nr, name, sizeof(name));
	if (ev->exiting.arch == AUDIT_ARCH_I386)
		cabin_proxy_say(p, "pid %d (%s): killed: i386 syscall %ld (int 0x80), a foreign ABI",
		    (int)task->tid, task->comm, nr);
	else if (cabin_x32_nr(nr))
		cabin_proxy_say(p, "pid %d (%s): killed: x32 syscall %#lx, a foreign ABI",
		    (int)task->tid, task->comm, nr);
	else if (route->kind == CABIN_ROUTE_KILL)
		cabin_proxy_say(p, "pid %d (%s): killed: syscall %s is routed to kill",
		    (int)task->tid, task->comm, name);
	else if (ev->exiting.filter_dead)
		cabin_proxy_say(p, "pid %d (%s): killed: syscall %s, by a seccomp filter of its own",
		    (int)task->tid, task->comm, name);
	else
		return;
	p->stats.killed++;
}

static int on_exiting(struct cabin_proxy *p, struct cabin_task *task,
		      const struct cabin_event *ev)
{
	int status = ev->exiting.status;

	task->state = CABIN_TASK_EXITING;
	settle_at_end(p, task, status);
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS &&
	    ev->exiting.nr >= 0)
		explain_seccomp_kill(p, task, ev);
	return resume(p, task->tid, CABIN_RESUME_RUN, 0, 0);
}

void cabin_proxy_drain(struct cabin_proxy *p)
{
	struct cabin_task *t;
	size_t pos = 0;

	p->draining = true;
	while ((t = cabin_tasks_next(&p->tasks, &pos)))
		p->plat->ops->kill(p->plat->ctx, t->tid, SIGKILL);
}

static void describe_exit(struct cabin_proxy *p, struct cabin_task *task,
			  int status)
{
	if (!p->verbose || task->tid != task->pid)
		return;
	if (WIFEXITED(status))
		cabin_proxy_say(p, "[pid %d] exit %d", (int)task->tid,
		    WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		cabin_proxy_say(p, "[pid %d] killed by %s", (int)task->tid,
		    cabin_signal_name(WTERMSIG(status)));
}

static int on_task_exit(struct cabin_proxy *p, pid_t tid, int status)
{
	struct cabin_task *task = cabin_tasks_find(&p->tasks, tid);

	if (task) {
		settle_at_end(p, task, status);
		describe_exit(p, task, status);
	}
	cabin_tasks_remove(&p->tasks, tid);
	if (tid == p->main_pid && !p->main_exited) {
		p->main_exited = true;
		p->main_status = status;
		cabin_proxy_drain(p);
	}
	return 0;
}

int cabin_proxy_handle(struct cabin_proxy *p, const struct cabin_event *ev)
{
	struct cabin_task *task;

	if (ev->kind == CABIN_EV_EXIT) {
		notify_event(p, cabin_tasks_find(&p->tasks, ev->tid), ev);
		return on_task_exit(p, ev->tid, ev->status);
	}
	task = track(p, ev->tid);
	if (!task) {
		p->plat->ops->kill(p->plat->ctx, ev->tid, SIGKILL);
		return -ENOMEM;
	}
	/*
	 * A PKRU that lets code be read ends the program at any stop; at an
	 * exec the old image is gone and the new one not yet sealed.
	 */
	if (ev->kind != CABIN_EV_EXITING && ev->kind != CABIN_EV_EXEC &&
	    !cabin_guards_stop_ok(p, task))
		return 0;
	if (ev->kind != CABIN_EV_SYSCALL_ENTRY &&
	    ev->kind != CABIN_EV_SYSCALL_ENTERED &&
	    ev->kind != CABIN_EV_SYSCALL_EXIT && ev->kind != CABIN_EV_EXEC)
		notify_event(p, task, ev);
	switch (ev->kind) {
	case CABIN_EV_SYSCALL_ENTRY:
		return on_syscall_entry(p, task, &ev->sys);
	case CABIN_EV_SYSCALL_ENTERED:
		return on_syscall_entered(p, task, &ev->sys);
	case CABIN_EV_SYSCALL_EXIT:
		return on_syscall_exit(p, task, ev->ret);
	case CABIN_EV_FAULT:
		return on_fault(p, task, &ev->fault);
	case CABIN_EV_SIGNAL:
		task->count.signals++;
		p->stats.signals++;
		return resume_event(p, task, ev->sig);
	case CABIN_EV_SPAWN:
		return on_spawn(p, task, ev->spawn.child, ev->spawn.kind);
	case CABIN_EV_ATTACH:
		return on_attach(p, task);
	case CABIN_EV_EXEC:
		return on_exec(p, task, ev->exec.former_tid);
	case CABIN_EV_EXITING:
		return on_exiting(p, task, ev);
	case CABIN_EV_GROUP_STOP:
		task->state = CABIN_TASK_STOPPED;
		return resume(p, task->tid, CABIN_RESUME_STAY_STOPPED, 0, 0);
	case CABIN_EV_EXIT:
	case CABIN_EV_NOTE:
		break;
	}
	return -EINVAL;
}

int cabin_proxy_exit_code(const struct cabin_proxy *p)
{
	if (p->timed_out)
		return 124;
	if (!p->main_exited)
		return 125;
	if (WIFEXITED(p->main_status))
		return WEXITSTATUS(p->main_status);
	if (WIFSIGNALED(p->main_status))
		return 128 + WTERMSIG(p->main_status);
	return 125;
}

uint64_t cabin_proxy_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void cabin_proxy_print_summary(const struct cabin_proxy *p)
{
	const struct cabin_proxy_stats *s = &p->stats;

	fprintf(p->log.out,
		"cabin: summary: %lu threads, %lu spawns, %lu execs, %lu syscall stops, %lu denied, %lu faults, %lu signals, %lu killed by policy\n",
		s->tasks, s->spawns, s->execs, s->stops, s->denied, s->faults,
		s->signals, s->killed);
	fflush(p->log.out);
}
