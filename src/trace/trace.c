/*
 * The trace writer: a proxy observer that prints every syscall the proxy
 * sees as strace does (or as one JSON object), and the tree's spawns,
 * execs, signals, faults and exits.  Each record is written whole and
 * flushed, so a killed run still leaves a trace that ends on a record.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "core/names.h"
#include "trace/decode.h"
#include "trace/kernview.h"
#include "trace/trace_int.h"

static const char *sysname(long nr, char *buf, size_t len)
{
	return cabin_decode_name(nr, buf, len);
}

/* ------------------------------------------------------------ pending */

static struct pending *pending_find(struct cabin_tracer *t, pid_t tid,
				    size_t *pos)
{
	size_t i;

	for (i = 0; i < t->npend; i++) {
		if (t->pend[i]->tid == tid) {
			if (pos)
				*pos = i;
			return t->pend[i];
		}
	}
	return NULL;
}

static void pending_free(struct pending *pc)
{
	int i;

	for (i = 0; i < 6; i++)
		cabin_sb_free(&pc->arg[i]);
	free(pc->raw);
	free(pc->opened);
	free(pc);
}

static void pending_drop(struct cabin_tracer *t, pid_t tid)
{
	size_t pos;
	struct pending *pc = pending_find(t, tid, &pos);

	if (!pc)
		return;
	t->pend[pos] = t->pend[--t->npend];
	if (t->open_tid == tid)
		t->open_tid = 0;
	pending_free(pc);
}

static struct pending *pending_new(struct cabin_tracer *t, pid_t tid)
{
	struct pending *pc;
	int i;

	pending_drop(t, tid);
	if (t->npend == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		struct pending **p = realloc(t->pend, cap * sizeof(*p));

		if (!p)
			return NULL;
		t->pend = p;
		t->cap = cap;
	}
	pc = calloc(1, sizeof(*pc));
	if (!pc)
		return NULL;
	for (i = 0; i < 6; i++)
		cabin_sb_init(&pc->arg[i], ARG_MAX_TEXT);
	pc->tid = tid;
	t->pend[t->npend++] = pc;
	return pc;
}

static void decode_args(struct cabin_tracer *t, struct cabin_proxy *p,
			struct pending *pc, int from, int to)
{
	struct cabin_decode_ctx c = {
		.p = p, .tid = pc->tid,
		.strsize = t->o.strsize ? t->o.strsize : CABIN_DECODE_STRSIZE,
		.fd_paths = t->o.fd_paths,
	};
	int i;

	if (c.strsize > STRSIZE_MAX)
		c.strsize = STRSIZE_MAX;
	for (i = from; i < to && i < 6; i++) {
		cabin_sb_reset(&pc->arg[i]);
		cabin_decode_arg(&pc->arg[i], &c, &pc->call, i);
	}
}

static void text_args(struct cabin_tracer *t, const struct pending *pc,
		      int from, int to)
{
	int i;

	for (i = from; i < to && i < 6; i++) {
		if (i > from)
			cabin_sb_puts(&t->line, ", ");
		cabin_sb_puts(&t->line, cabin_sb_str(&pc->arg[i]));
	}
}

/* "[pid 1] read(3,  <unfinished ...>", as strace when another line cuts in. */
static void write_unfinished(struct cabin_tracer *t, struct pending *pc)
{
	char name[48];

	cabin_trace_text_head(t, pc->tid, pc->entry_ns);
	cabin_sb_printf(&t->line, "%s(",
			sysname(pc->call.nr, name, sizeof(name)));
	text_args(t, pc, 0, pc->at_entry);
	if (pc->at_entry && pc->at_entry < pc->nargs)
		cabin_sb_puts(&t->line, ", ");
	cabin_sb_puts(&t->line, " <unfinished ...>");
	cabin_trace_emit(t);
	pc->shown = true;
}

/* Another record is about to be written: the open entry is cut off. */
static void close_open(struct cabin_tracer *t, pid_t except)
{
	struct pending *pc;

	if (!t->open_tid || t->open_tid == except)
		return;
	pc = pending_find(t, t->open_tid, NULL);
	t->open_tid = 0;
	if (pc && !pc->shown && cabin_trace_is_text(t))
		write_unfinished(t, pc);
}

/* ------------------------------------------------------------ races */

static struct cabin_decode_ctx path_ctx(struct cabin_proxy *p, pid_t tid)
{
	return (struct cabin_decode_ctx){ .p = p, .tid = tid,
					  .strsize = CABIN_DECODE_STRSIZE };
}

/* Is the printed argument pos other than what memory holds now? */
static bool arg_changed(struct cabin_proxy *p, const struct pending *pc,
			int pos)
{
	struct cabin_decode_ctx c = path_ctx(p, pc->tid);
	struct cabin_strbuf now;
	bool differs;

	cabin_sb_init(&now, ARG_MAX_TEXT);
	cabin_decode_arg(&now, &c, &pc->call, pos);
	differs = strcmp(cabin_sb_str(&now), cabin_sb_str(&pc->arg[pos]));
	cabin_sb_free(&now);
	return differs;
}

/*
 * At entry, an open's path is read once more, as bytes: the kernel's
 * object is compared with it at the exit.  A second read that differs
 * from the printed one is already a race.
 */
static void race_entry(struct cabin_proxy *p, struct pending *pc)
{
	struct cabin_decode_path path[2];
	struct cabin_strbuf q;

	if (!cabin_kernview_opens(pc->call.nr) ||
	    cabin_decode_paths(pc->call.nr, pc->call.args, path) < 1 ||
	    path[0].pos >= pc->at_entry)
		return;
	pc->raw = cabin_kernview_read(p, pc->tid, pc->call.args[path[0].arg]);
	if (!pc->raw)
		return;
	cabin_sb_init(&q, ARG_MAX_TEXT);
	cabin_decode_quote(&q, pc->raw, strlen(pc->raw), false);
	pc->raced = strcmp(cabin_sb_str(&q), cabin_sb_str(&pc->arg[path[0].pos]));
	cabin_sb_free(&q);
}

/*
 * At the exit stop: the paths are read again (a change is a race), and
 * an open's descriptor names what the kernel opened.
 */
static void race_exit(struct cabin_proxy *p, struct pending *pc)
{
	struct cabin_decode_path path[2];
	struct cabin_kernview *kv;
	int n, i;

	n = cabin_decode_paths(pc->call.nr, pc->call.args, path);
	for (i = 0; i < n; i++) {
		if (path[i].pos < pc->at_entry && arg_changed(p, pc, path[i].pos))
			pc->raced = true;
	}
	if (!n || !cabin_kernview_opens(pc->call.nr) || pc->call.ret < 0)
		return;
	kv = malloc(sizeof(*kv));
	if (!kv)
		return;
	cabin_kernview_opened(p, pc->tid, pc->call.nr, pc->call.args,
			      pc->call.ret, pc->raw, path[0].arg,
			      path[0].dirfd_arg, kv);
	pc->raced |= kv->raced;
	if (kv->known && (!kv->same || pc->raced)) {
		pc->opened = strdup(kv->path);
		pc->unnamed = kv->deleted;
	}
	free(kv);
}

/* " (raced: opened \"/etc/shadow\")" after the result. */
static void text_race(struct cabin_tracer *t, const struct pending *pc)
{
	if (!pc->raced && !pc->opened)
		return;
	cabin_sb_puts(&t->line, pc->raced ? " (raced" : " (");
	if (pc->opened) {
		cabin_sb_puts(&t->line, pc->raced ? ": opened " : "opened ");
		cabin_decode_quote(&t->line, pc->opened, strlen(pc->opened),
				   false);
		if (pc->unnamed)
			cabin_sb_puts(&t->line, ", deleted");
	}
	cabin_sb_puts(&t->line, ")");
}

static void json_race(struct cabin_tracer *t, const struct pending *pc)
{
	if (pc->opened) {
		cabin_sb_puts(&t->line, ",\"opened\":");
		cabin_trace_json_cstr(&t->line, pc->opened);
		if (pc->unnamed)
			cabin_sb_puts(&t->line, ",\"deleted\":true");
	}
	if (pc->raced)
		cabin_sb_puts(&t->line, ",\"raced\":true");
}

static const char *marker(const struct pending *pc, bool ran)
{
	if (ran)
		return "";
	if (pc->own)
		return " (answered by its own seccomp filter)";
	switch (pc->route) {
	case CABIN_ROUTE_DENY:
		return " (denied by cabin)";
	case CABIN_ROUTE_EMULATE:
		return " (emulated by cabin)";
	default:
		return " (refused by cabin)";
	}
}

static void text_result(struct cabin_tracer *t, struct pending *pc, bool ran,
			uint64_t now)
{
	char name[48];

	bool all = pc->call.done || pc->route == CABIN_ROUTE_ALLOW;

	if (pc->shown) {
		cabin_trace_text_head(t, pc->tid, now);
		cabin_sb_printf(&t->line, "<... %s resumed>",
				sysname(pc->call.nr, name, sizeof(name)));
		if (all)
			text_args(t, pc, pc->at_entry, pc->nargs);
	} else {
		cabin_trace_text_head(t, pc->tid, pc->entry_ns);
		cabin_sb_printf(&t->line, "%s(",
				sysname(pc->call.nr, name, sizeof(name)));
		text_args(t, pc, 0, all ? pc->nargs : pc->at_entry);
	}
	cabin_sb_puts(&t->line, ") = ");
	cabin_decode_ret(&t->line, &pc->call);
	text_race(t, pc);
	cabin_sb_puts(&t->line, marker(pc, ran));
	if (t->o.durations && pc->call.done) {
		uint64_t d = now > pc->entry_ns ? now - pc->entry_ns : 0;

		cabin_sb_printf(&t->line, " <%llu.%06llu>",
				(unsigned long long)(d / 1000000000u),
				(unsigned long long)(d % 1000000000u / 1000));
	}
	cabin_trace_emit(t);
}

static void json_result(struct cabin_tracer *t, struct pending *pc, bool ran,
			uint64_t now)
{
	char name[48];
	int i, last = pc->call.done || pc->route == CABIN_ROUTE_ALLOW ?
		      pc->nargs : pc->at_entry;
	int err = cabin_decode_errno(&pc->call);

	cabin_trace_json_head(t, "syscall", pc->pid, pc->tid, pc->entry_ns);
	cabin_sb_puts(&t->line, ",\"syscall\":");
	cabin_trace_json_cstr(&t->line, sysname(pc->call.nr, name,
						sizeof(name)));
	cabin_sb_printf(&t->line, ",\"nr\":%ld,\"args\":[", pc->call.nr);
	for (i = 0; i < last && i < 6; i++) {
		if (i)
			cabin_sb_puts(&t->line, ",");
		cabin_trace_json_cstr(&t->line, cabin_sb_str(&pc->arg[i]));
	}
	cabin_sb_puts(&t->line, "]");
	if (pc->call.done) {
		struct cabin_strbuf r;

		cabin_sb_init(&r, 4096);
		cabin_decode_ret(&r, &pc->call);
		cabin_sb_printf(&t->line, ",\"ret\":%ld,\"result\":",
				pc->call.ret);
		cabin_trace_json_cstr(&t->line, cabin_sb_str(&r));
		cabin_sb_free(&r);
	} else {
		cabin_sb_puts(&t->line, ",\"ret\":null,\"result\":\"?\"");
	}
	if (err) {
		cabin_sb_puts(&t->line, ",\"errno\":");
		cabin_trace_json_cstr(&t->line, cabin_decode_errno_name(err));
	}
	if (pc->call.done)
		cabin_sb_printf(&t->line, ",\"duration_ns\":%llu",
				(unsigned long long)(now > pc->entry_ns ?
						     now - pc->entry_ns : 0));
	json_race(t, pc);
	if (pc->own)
		cabin_sb_puts(&t->line, ",\"own_filter\":true");
	cabin_sb_printf(&t->line, ",\"denied\":%s,\"emulated\":%s}",
			!ran && !pc->own && pc->route != CABIN_ROUTE_EMULATE ?
				"true" : "false",
			!ran && pc->route == CABIN_ROUTE_EMULATE ? "true" :
								   "false");
	cabin_trace_emit(t);
}

/* The call is over (returned, answered, or its task is gone). */
static void finish_call(struct cabin_tracer *t, struct cabin_proxy *p,
			struct pending *pc, bool ran, uint64_t now)
{
	if (pc->call.done || pc->route == CABIN_ROUTE_ALLOW)
		decode_args(t, p, pc, pc->at_entry, pc->nargs);
	if (cabin_trace_is_text(t))
		text_result(t, pc, ran, now);
	else
		json_result(t, pc, ran, now);
	pending_drop(t, pc->tid);
}

/* ------------------------------------------------------------ observer */

static void end_pending(struct cabin_tracer *t, struct cabin_proxy *p,
			pid_t tid, uint64_t now);

static void on_entry(void *ctx, struct cabin_proxy *p, struct cabin_task *task,
		     const struct cabin_syscall *sys,
		     const struct cabin_route *route)
{
	struct cabin_tracer *t = ctx;
	struct pending *pc;

	/* A call whose result never came (its exit stop was lost). */
	end_pending(t, p, task->tid, cabin_proxy_now_ns());
	close_open(t, task->tid);
	pc = pending_new(t, task->tid);
	if (!pc)
		return;
	pc->pid = task->pid;
	pc->call.nr = sys->nr;
	memcpy(pc->call.args, sys->args, sizeof(pc->call.args));
	pc->entry_ns = task->entry_ns ? task->entry_ns : cabin_proxy_now_ns();
	pc->route = route ? route->kind : CABIN_ROUTE_TRACE;
	pc->own = task->own_answer;
	pc->nargs = cabin_decode_count(sys->nr, sys->args, &pc->at_entry);
	decode_args(t, p, pc, 0, pc->at_entry);
	if (t->o.racecheck)
		race_entry(p, pc);
	t->open_tid = task->tid;
}

static bool exec_call(long nr)
{
	return nr == __NR_execve || nr == __NR_execveat;
}

static void on_result(void *ctx, struct cabin_proxy *p,
		      struct cabin_task *task, long ret, bool ran)
{
	struct cabin_tracer *t = ctx;
	struct pending *pc = pending_find(t, task->tid, NULL);
	uint64_t now = cabin_proxy_now_ns();

	close_open(t, task->tid);
	if (!pc) {
		/* The entry was missed (no memory): decode all of it now. */
		struct cabin_syscall sys = { .nr = task->cur_nr };

		memcpy(sys.args, task->cur_args, sizeof(sys.args));
		on_entry(ctx, p, task, &sys, NULL);
		pc = pending_find(t, task->tid, NULL);
		if (!pc)
			return;
	}
	t->open_tid = 0;
	/* An allowed call stopped only at entry: its result is unknown. */
	pc->call.done = !(ran && pc->route == CABIN_ROUTE_ALLOW);
	pc->call.ret = ret;
	/*
	 * Only a call that ran (to its exit stop) raced its paths; an exec
	 * that ran left no memory to read again (the exec event names it).
	 */
	if (t->o.racecheck && pc->call.done && !exec_call(pc->call.nr) &&
	    (ran || pc->route == CABIN_ROUTE_EMULATE))
		race_exit(p, pc);
	finish_call(t, p, pc, ran, now);
}

/* A task ends inside a call that will never return (exit_group, a kill). */
static void end_pending(struct cabin_tracer *t, struct cabin_proxy *p,
			pid_t tid, uint64_t now)
{
	struct pending *pc = pending_find(t, tid, NULL);

	if (!pc)
		return;
	close_open(t, tid);
	if (t->open_tid == tid)
		t->open_tid = 0;
	pc->call.done = false;
	finish_call(t, p, pc, true, now);
}

static bool in_call(struct cabin_tracer *t, pid_t tid, const long *nrs,
		    size_t n)
{
	struct pending *pc = pending_find(t, tid, NULL);
	size_t i;

	for (i = 0; pc && i < n; i++) {
		if (pc->call.nr == nrs[i])
			return true;
	}
	return false;
}

static const long spawn_calls[] = {
	__NR_clone, __NR_clone3,
#ifdef __NR_fork
	__NR_fork, __NR_vfork,
#endif
};
static const long exec_calls[] = { __NR_execve, __NR_execveat };

static void ev_spawn(struct cabin_tracer *t, struct cabin_task *task,
		     const struct cabin_event *ev, uint64_t now)
{
	static const char *const how[] = {
		[CABIN_SPAWN_FORK] = "fork",
		[CABIN_SPAWN_VFORK] = "vfork",
		[CABIN_SPAWN_CLONE] = "clone",
	};
	const char *h = (unsigned int)ev->spawn.kind < 3 ?
			how[ev->spawn.kind] : "clone";

	if (cabin_trace_is_text(t)) {
		/* The clone line already says it. */
		if (in_call(t, ev->tid, spawn_calls, sizeof(spawn_calls) /
						     sizeof(spawn_calls[0])))
			return;
		close_open(t, 0);
		cabin_trace_text_head(t, ev->tid, now);
		cabin_sb_printf(&t->line, "--- spawned pid %d (%s) ---",
				(int)ev->spawn.child, h);
	} else {
		cabin_trace_json_head(t, "spawn", task->pid, ev->tid, now);
		cabin_sb_printf(&t->line, ",\"child\":%d,\"how\":\"%s\"}",
				(int)ev->spawn.child, h);
	}
	cabin_trace_emit(t);
}

static void ev_exec(struct cabin_tracer *t, struct cabin_proxy *p,
		    struct cabin_task *task, const struct cabin_event *ev,
		    uint64_t now)
{
	pid_t former = ev->exec.former_tid;
	char exe[4096];
	struct pending *pc;

	/* A thread's execve finishes under the leader's tid. */
	if (former > 0 && former != ev->tid &&
	    (pc = pending_find(t, former, NULL))) {
		if (cabin_trace_is_text(t) && !pc->shown)
			write_unfinished(t, pc);
		if (t->open_tid == former)
			t->open_tid = 0;
		end_pending(t, p, ev->tid, now);
		pc->tid = ev->tid;
	}
	if (p->plat->ops->task_exe(p->plat->ctx, ev->tid, exe,
				   sizeof(exe)) < 0)
		snprintf(exe, sizeof(exe), "%s", task->comm);
	if (cabin_trace_is_text(t)) {
		if (in_call(t, ev->tid, exec_calls, 2))
			return;
		close_open(t, 0);
		cabin_trace_text_head(t, ev->tid, now);
		cabin_sb_puts(&t->line, "--- exec ");
		cabin_decode_quote(&t->line, exe, strlen(exe), false);
		cabin_sb_puts(&t->line, " ---");
	} else {
		cabin_trace_json_head(t, "exec", task->pid, ev->tid, now);
		cabin_sb_puts(&t->line, ",\"path\":");
		cabin_trace_json_cstr(&t->line, exe);
		if (former > 0 && former != ev->tid)
			cabin_sb_printf(&t->line, ",\"former_tid\":%d",
					(int)former);
		cabin_sb_puts(&t->line, "}");
	}
	cabin_trace_emit(t);
}

static void ev_fault(struct cabin_tracer *t, struct cabin_task *task,
		     const struct cabin_event *ev, uint64_t now)
{
	const struct cabin_fault *f = &ev->fault;
	char buf[24];
	const char *sig = cabin_decode_signame(f->sig, buf, sizeof(buf));

	if (cabin_trace_is_text(t)) {
		close_open(t, 0);
		cabin_trace_text_head(t, ev->tid, now);
		cabin_sb_printf(&t->line,
				"--- %s {si_signo=%s, si_code=%s, si_addr=%#llx} ---",
				sig, sig, cabin_si_code_name(f->sig, f->code),
				(unsigned long long)f->addr);
	} else {
		cabin_trace_json_head(t, "fault", task->pid, ev->tid, now);
		cabin_sb_printf(&t->line,
				",\"signal\":\"%s\",\"code\":\"%s\",\"addr\":\"%#llx\",\"ip\":\"%#llx\"}",
				sig, cabin_si_code_name(f->sig, f->code),
				(unsigned long long)f->addr,
				(unsigned long long)f->ip);
	}
	cabin_trace_emit(t);
}

static void ev_signal(struct cabin_tracer *t, struct cabin_task *task,
		      const struct cabin_event *ev, uint64_t now, bool stop)
{
	char buf[24];
	const char *sig = cabin_decode_signame(ev->sig, buf, sizeof(buf));

	if (cabin_trace_is_text(t)) {
		close_open(t, 0);
		cabin_trace_text_head(t, ev->tid, now);
		if (stop)
			cabin_sb_printf(&t->line, "--- stopped by %s ---", sig);
		else
			cabin_sb_printf(&t->line, "--- %s {si_signo=%s} ---",
					sig, sig);
	} else {
		cabin_trace_json_head(t, stop ? "stop" : "signal", task->pid,
				      ev->tid, now);
		cabin_sb_printf(&t->line, ",\"signal\":\"%s\",\"signo\":%d}",
				sig, ev->sig);
	}
	cabin_trace_emit(t);
}

static void ev_exit(struct cabin_tracer *t, struct cabin_proxy *p,
		    struct cabin_task *task, const struct cabin_event *ev,
		    uint64_t now)
{
	int s = ev->status;
	char sig[24];

	end_pending(t, p, ev->tid, now);
	if (cabin_trace_is_text(t)) {
		close_open(t, 0);
		cabin_trace_text_head(t, ev->tid, now);
		if (WIFSIGNALED(s))
			cabin_sb_printf(&t->line, "+++ killed by %s%s +++",
					cabin_decode_signame(WTERMSIG(s), sig,
							     sizeof(sig)),
					WCOREDUMP(s) ? " (core dumped)" : "");
		else
			cabin_sb_printf(&t->line, "+++ exited with %d +++",
					WEXITSTATUS(s));
	} else {
		cabin_trace_json_head(t, "exit", task ? task->pid : ev->tid,
				      ev->tid, now);
		if (WIFSIGNALED(s))
			cabin_sb_printf(&t->line,
					",\"signal\":\"%s\",\"core_dumped\":%s}",
					cabin_decode_signame(WTERMSIG(s), sig,
							     sizeof(sig)),
					WCOREDUMP(s) ? "true" : "false");
		else
			cabin_sb_printf(&t->line, ",\"code\":%d}",
					WEXITSTATUS(s));
	}
	cabin_trace_emit(t);
}

static void on_event(void *ctx, struct cabin_proxy *p, struct cabin_task *task,
		     const struct cabin_event *ev)
{
	struct cabin_tracer *t = ctx;
	uint64_t now = cabin_proxy_now_ns();

	if (ev->kind == CABIN_EV_EXIT) {
		ev_exit(t, p, task, ev, now);
		return;
	}
	if (!task)
		return;
	switch (ev->kind) {
	case CABIN_EV_SPAWN:
		ev_spawn(t, task, ev, now);
		break;
	case CABIN_EV_EXEC:
		ev_exec(t, p, task, ev, now);
		break;
	case CABIN_EV_FAULT:
		if (ev->fault.outcome == CABIN_FAULT_DELIVERED)
			ev_fault(t, task, ev, now);
		break;
	case CABIN_EV_SIGNAL:
		ev_signal(t, task, ev, now, false);
		break;
	case CABIN_EV_GROUP_STOP:
		ev_signal(t, task, ev, now, true);
		break;
	case CABIN_EV_EXITING:
		end_pending(t, p, ev->tid, now);
		break;
	default:
		break;
	}
}

/* ------------------------------------------------------------ API */

struct cabin_tracer *cabin_tracer_new(const struct cabin_trace_options *o)
{
	struct cabin_tracer *t = calloc(1, sizeof(*t));
	struct timespec mono, real;

	if (!t)
		return NULL;
	t->o = *o;
	if (!t->o.out)
		t->o.out = stderr;
	t->obs = (struct cabin_observer){
		.ctx = t,
		.syscall_entry = on_entry,
		.syscall_result = on_result,
		.event = on_event,
	};
	cabin_sb_init(&t->line, LINE_MAX_TEXT);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_REALTIME, &real);
	t->start_ns = (uint64_t)mono.tv_sec * 1000000000u +
		      (uint64_t)mono.tv_nsec;
	t->real_off_ns = ((int64_t)real.tv_sec - (int64_t)mono.tv_sec) *
			 1000000000 + (real.tv_nsec - mono.tv_nsec);
	return t;
}

const struct cabin_observer *cabin_tracer_observer(struct cabin_tracer *t)
{
	return &t->obs;
}

void cabin_tracer_set_output(struct cabin_tracer *t, FILE *out)
{
	t->o.out = out;
}

void cabin_tracer_forked(struct cabin_tracer *t)
{
	while (t && t->npend)
		pending_drop(t, t->pend[0]->tid);
}

void cabin_tracer_finish(struct cabin_tracer *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->npend; i++) {
		struct pending *pc = t->pend[i];

		if (cabin_trace_is_text(t)) {
			if (!pc->shown)
				write_unfinished(t, pc);
		} else {
			pc->call.done = false;
			json_result(t, pc, true, cabin_proxy_now_ns());
		}
	}
	while (t->npend)
		pending_drop(t, t->pend[0]->tid);
	t->open_tid = 0;
	fflush(t->o.out);
}

void cabin_tracer_free(struct cabin_tracer *t)
{
	if (!t)
		return;
	while (t->npend)
		pending_drop(t, t->pend[0]->tid);
	free(t->pend);
	cabin_sb_free(&t->line);
	free(t);
}
