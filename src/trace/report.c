/*
 * The behaviour report's observer and life cycle: which syscalls it
 * watches, what it reads of each at entry, where each result goes, and
 * the events, denials and counts it keeps until the run is written out.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <time.h>

#include "core/names.h"
#include "syscall/table.h"
#include "trace/report_int.h"

const int cabin_report_watch[] = {
	SYS_open, SYS_openat, SYS_openat2, SYS_creat,
	SYS_unlink, SYS_unlinkat, SYS_rmdir,
	SYS_rename, SYS_renameat, SYS_renameat2,
	SYS_chmod, SYS_fchmod, SYS_fchmodat,
#ifdef SYS_fchmodat2
	SYS_fchmodat2,
#endif
	SYS_truncate, SYS_mkdir, SYS_mkdirat,
	SYS_execve, SYS_execveat,
	SYS_connect, SYS_bind, SYS_listen, SYS_sendto, SYS_sendmsg,
	SYS_kill, SYS_tkill, SYS_tgkill,
	SYS_mmap, SYS_mprotect, SYS_pkey_mprotect,
	SYS_ptrace, SYS_process_vm_readv, SYS_process_vm_writev,
	-1
};

/*
 * What the report makes of each watched call; its operands are where
 * the syscall table says (src/syscall/x86_64.def).
 */
static const struct {
	long nr;
	enum call_kind kind;
} watched[] = {
	{ SYS_open, CALL_OPEN },
	{ SYS_openat, CALL_OPEN },
	{ SYS_openat2, CALL_OPEN },
	{ SYS_creat, CALL_OPEN },
	{ SYS_unlink, CALL_UNLINK },
	{ SYS_unlinkat, CALL_UNLINK },
	{ SYS_rmdir, CALL_UNLINK },
	{ SYS_rename, CALL_RENAME },
	{ SYS_renameat, CALL_RENAME },
	{ SYS_renameat2, CALL_RENAME },
	{ SYS_chmod, CALL_CHMOD },
	{ SYS_fchmod, CALL_CHMOD },
	{ SYS_fchmodat, CALL_CHMOD },
#ifdef SYS_fchmodat2
	{ SYS_fchmodat2, CALL_CHMOD },
#endif
	{ SYS_truncate, CALL_TRUNCATE },
	{ SYS_mkdir, CALL_MKDIR },
	{ SYS_mkdirat, CALL_MKDIR },
	{ SYS_execve, CALL_EXEC },
	{ SYS_execveat, CALL_EXEC },
	{ SYS_connect, CALL_NET },
	{ SYS_bind, CALL_NET },
	{ SYS_listen, CALL_NET },
	{ SYS_sendto, CALL_NET },
	{ SYS_sendmsg, CALL_NET },
	{ SYS_kill, CALL_SIGNAL },
	{ SYS_tkill, CALL_SIGNAL },
	{ SYS_tgkill, CALL_SIGNAL },
	{ SYS_mmap, CALL_MEM },
	{ SYS_mprotect, CALL_MEM },
	{ SYS_pkey_mprotect, CALL_MEM },
	{ SYS_ptrace, CALL_PTRACE },
	{ SYS_process_vm_readv, CALL_PTRACE },
	{ SYS_process_vm_writev, CALL_PTRACE },
};

/* ------------------------------------------------------ syscall capture */

/* Fill *s for nr; NULL when the report does not watch it. */
static const struct watch_spec *spec_of(long nr, struct watch_spec *s)
{
	struct cabin_syscall_operands op;
	size_t i;

	for (i = 0; i < sizeof(watched) / sizeof(watched[0]); i++) {
		if (watched[i].nr != nr)
			continue;
		cabin_syscall_operands(nr, &op);
		*s = (struct watch_spec){
			.nr = nr, .kind = watched[i].kind,
			.dirfd = op.dirfd, .path = op.path,
			.dirfd2 = op.dirfd2, .path2 = op.path2,
			.flags = op.flags, .mode = op.mode,
		};
		return s;
	}
	return NULL;
}

static void call_clear(struct report_call *c)
{
	size_t i;

	free(c->path);
	free(c->path2);
	free(c->raw[0]);
	free(c->raw[1]);
	free(c->opened);
	free(c->addr);
	for (i = 0; i < c->argc; i++)
		free(c->argv[i]);
	free(c->argv);
	memset(c, 0, sizeof(*c));
}

static struct report_call *call_of(struct cabin_report *r, pid_t tid,
				   bool create)
{
	struct report_call *c = cabin_report_map_get(&r->pending, tid);

	if (c || !create)
		return c;
	c = calloc(1, sizeof(*c));
	if (c && cabin_report_map_put(&r->pending, tid, c) < 0) {
		free(c);
		return NULL;
	}
	return c;
}

static void capture(struct cabin_report *r, struct cabin_proxy *p,
		    pid_t tid, struct report_call *c)
{
	switch (c->spec->kind) {
	case CALL_OPEN:
	case CALL_UNLINK:
	case CALL_RENAME:
	case CALL_CHMOD:
	case CALL_TRUNCATE:
	case CALL_MKDIR:
		cabin_report_capture_file(r, p, tid, c);
		break;
	case CALL_EXEC:
		cabin_report_capture_exec(r, p, tid, c);
		break;
	case CALL_NET:
		cabin_report_capture_net(p, tid, c);
		break;
	case CALL_OTHER:
	case CALL_SIGNAL:
	case CALL_MEM:
	case CALL_PTRACE:
		break;
	}
}

static void on_entry(void *ctx, struct cabin_proxy *p, struct cabin_task *task,
		     const struct cabin_syscall *sys,
		     const struct cabin_route *route)
{
	struct cabin_report *r = ctx;
	struct report_call *c;

	cabin_report_proc_of(r, task);
	if (sys->nr >= 0 && sys->nr < REPORT_NR_MAX)
		r->sysc[sys->nr].calls++;
	c = call_of(r, task->tid, true);
	if (!c)
		return;
	call_clear(c);
	c->active = true;
	c->nr = sys->nr;
	memcpy(c->args, sys->args, sizeof(c->args));
	c->route = route ? route->kind : CABIN_ROUTE_TRACE;
	c->own = task->own_answer;
	c->spec = spec_of(sys->nr, &c->spec_of_nr);
	c->port = -1;
	if (c->spec)
		capture(r, p, task->tid, c);
}

/* ---------------------------------------------------- results to records */

/*
 * Did cabin refuse the call itself (a deny route, a guard, a limit)?
 * The proxy answered it, and whoever refused marked it (task->refused);
 * an emulated call that failed for real (the network guard's connect
 * refused by the peer) is not marked.
 */
static bool by_cabin(const struct cabin_task *task, bool ran)
{
	return !ran && task->refused;
}

/* What a denied call was about, in a few words; NULL when nothing. */
static char *call_detail(const struct report_call *c)
{
	char buf[48], prot[4], *s = NULL;
	const char *req;
	int n = 0;

	if (!c->spec)
		return NULL;
	switch (c->spec->kind) {
	case CALL_RENAME:
		n = asprintf(&s, "%s -> %s", c->path ? c->path : "?",
			     c->path2 ? c->path2 : "?");
		break;
	case CALL_NET:
		return cabin_report_net_address(c->family, c->addr, c->port);
	case CALL_SIGNAL:
		n = asprintf(&s, "%s to %d",
			     cabin_signal_name((int)c->args[c->nr == SYS_tgkill
							     ? 2 : 1]),
			     (int)c->args[c->nr == SYS_tgkill ? 1 : 0]);
		break;
	case CALL_MEM:
		n = asprintf(&s, "prot %s",
			     cabin_report_prot((long)c->args[2], prot));
		break;
	case CALL_PTRACE:
		req = cabin_report_ptrace_request(c->nr == SYS_ptrace ?
					  (long)c->args[0] : -1,
					  buf, sizeof(buf));
		if (req && c->args[0] == PTRACE_TRACEME)
			return strdup(req);
		n = asprintf(&s, "%s%spid %d", req ? req : "", req ? " " : "",
			     (int)c->args[req ? 1 : 0]);
		break;
	case CALL_OTHER:
		return NULL;
	default:
		return cabin_report_dup(c->path);
	}
	return n < 0 ? NULL : s;
}

static void add_denied(struct cabin_report *r, const struct cabin_task *task,
		       long nr, long ret, bool refused, const char *detail)
{
	struct report_key k = { 0 };
	struct report_rec *rec;

	cabin_report_key_str(&k, detail);
	rec = cabin_report_add_event(r, &r->denied, task, &k, nr, ret, refused);
	if (rec)
		rec->s1 = cabin_report_dup(detail);
}

static void count_result(struct cabin_report *r, const struct cabin_task *task,
			 long nr, long ret)
{
	uint64_t now = cabin_proxy_now_ns();

	if (nr < 0 || nr >= REPORT_NR_MAX)
		return;
	if (ret < 0)
		r->sysc[nr].errors++;
	if (task->entry_ns && now > task->entry_ns)
		r->sysc[nr].ns += now - task->entry_ns;
}

static void kind_result(struct cabin_report *r, struct cabin_proxy *p,
			struct cabin_task *task, struct report_call *c,
			long ret, bool ran)
{
	bool refused = by_cabin(task, ran);

	switch (c->spec->kind) {
	case CALL_OPEN:
	case CALL_UNLINK:
	case CALL_RENAME:
	case CALL_CHMOD:
	case CALL_TRUNCATE:
	case CALL_MKDIR:
		/* Only a call that ran (to its exit stop) raced its paths. */
		if (r->opt.racecheck && c->route != CABIN_ROUTE_ALLOW &&
		    (ran || c->route == CABIN_ROUTE_EMULATE))
			cabin_report_race_check(r, p, task->tid, c, ret);
		cabin_report_file_result(r, task, c, ret);
		break;
	case CALL_EXEC:
		if (ret >= 0)
			cabin_report_add_exec(r, p, task, c);
		break;
	case CALL_NET:
		cabin_report_net_result(r, task, c, ret, refused);
		break;
	case CALL_SIGNAL:
		cabin_report_signal_result(r, task, c, ret, refused);
		break;
	case CALL_MEM:
		cabin_report_mem_result(r, task, c, ret, refused);
		break;
	case CALL_PTRACE:
		cabin_report_ptrace_result(r, task, c, ret, refused);
		break;
	case CALL_OTHER:
		break;
	}
}

static void on_result(void *ctx, struct cabin_proxy *p,
		      struct cabin_task *task, long ret, bool ran)
{
	struct cabin_report *r = ctx;
	struct report_call *c = call_of(r, task->tid, false);
	long nr = task->cur_nr;
	char *detail;

	count_result(r, task, nr, ret);
	/* every denial the proxy counted, whether or not listed below */
	if (task->refused)
		r->ndenied++;
	if (!c || !c->active || c->nr != nr) {
		if (task->refused)
			add_denied(r, task, nr, ret, !ran, NULL);
		return;
	}
	/*
	 * An allowed exec has not run yet when its result comes: the exec
	 * event will say whether it did.
	 */
	if (c->spec && c->spec->kind == CALL_EXEC &&
	    c->route == CABIN_ROUTE_ALLOW)
		return;
	if (c->spec)
		kind_result(r, p, task, c, ret, ran);
	/* refused by the policy: cabin answered, or Landlock (judged) */
	if (task->refused) {
		detail = call_detail(c);
		add_denied(r, task, nr, ret, !ran, detail);
		free(detail);
	}
	call_clear(c);
}

/* ---------------------------------------------------------------- events */

static void on_exec_event(struct cabin_report *r, struct cabin_proxy *p,
			  struct cabin_task *task, const struct cabin_event *ev)
{
	pid_t caller = ev->exec.former_tid > 0 ? ev->exec.former_tid
					       : task->tid;
	struct report_call *c = call_of(r, caller, false);
	long nr = c ? c->nr : -1;

	if (c && c->active && c->spec && c->spec->kind == CALL_EXEC) {
		count_result(r, task, nr, 0);
		cabin_report_add_exec(r, p, task, c);
		call_clear(c);
	} else {
		cabin_report_add_exec(r, p, task, NULL);
	}
}

static void on_exit_event(struct cabin_report *r, struct cabin_task *task,
			  const struct cabin_event *ev)
{
	struct report_call *c = call_of(r, ev->tid, false);

	/* The tid may come back as another thread: start it afresh. */
	if (c) {
		call_clear(c);
		free(c);
		cabin_report_map_put(&r->pending, ev->tid, NULL);
	}
	cabin_report_on_exit(r, task, ev);
}

#define REPORT_NOTES_MAX 512

static void keep_note(struct cabin_report *r, const char *note)
{
	char **grown;

	if (r->nnotes >= REPORT_NOTES_MAX) {
		r->dropped++;
		return;
	}
	grown = realloc(r->notes, (r->nnotes + 1) * sizeof(*grown));
	if (!grown || !(grown[r->nnotes] = strdup(note))) {
		if (grown)
			r->notes = grown;
		r->dropped++;
		return;
	}
	r->notes = grown;
	r->nnotes++;
}

static void on_event(void *ctx, struct cabin_proxy *p, struct cabin_task *task,
		     const struct cabin_event *ev)
{
	struct cabin_report *r = ctx;

	if (ev->kind == CABIN_EV_EXIT) {
		on_exit_event(r, task, ev);
		return;
	}
	if (ev->kind == CABIN_EV_NOTE) {
		keep_note(r, ev->note);
		return;
	}
	if (!task)
		return;
	switch (ev->kind) {
	case CABIN_EV_SPAWN:
		cabin_report_on_spawn(r, p, task, ev);
		break;
	case CABIN_EV_EXEC:
		on_exec_event(r, p, task, ev);
		break;
	case CABIN_EV_FAULT:
		if (ev->fault.outcome == CABIN_FAULT_ENDED)
			cabin_report_on_fault(r, p, task, &ev->fault);
		else if (ev->fault.outcome == CABIN_FAULT_HANDLED)
			r->faults_handled++;
		cabin_report_proc_of(r, task);
		break;
	default:
		cabin_report_proc_of(r, task);
		break;
	}
}

/* ------------------------------------------------------------- lifetime */

int cabin_report_finish(struct cabin_report *r, struct cabin_proxy *p,
			int exit_code, bool timed_out)
{
	struct report_proc *main = cabin_report_proc_get(r, p->main_pid);
	int err = 0;

	/* The main process's status is known even if its exit was not seen. */
	if (main && !main->exited && p->main_exited) {
		main->exited = true;
		main->status = p->main_status;
	}
	if (r->opt.path || r->json_fd >= 0)
		err = cabin_report_write_json(r, p, exit_code, timed_out);
	if (r->opt.summary)
		cabin_report_write_summary(r, r->opt.summary, p, exit_code,
					   timed_out);
	return err;
}

void cabin_report_redirect(struct cabin_report *r, int fd, FILE *summary)
{
	r->json_fd = fd;
	r->opt.summary = summary;
}

struct cabin_report *cabin_report_new(const struct cabin_report_options *o)
{
	struct cabin_report *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->scratch = malloc(REPORT_PATH_MAX + 1);
	if (!r->scratch) {
		free(r);
		return NULL;
	}
	r->opt = *o;
	r->json_fd = -1;
	if (!r->opt.fs)
		r->opt.fs = &cabin_report_proc_fs;
	r->observer = (struct cabin_observer){
		.ctx = r,
		.syscall_entry = on_entry,
		.syscall_result = on_result,
		.event = on_event,
	};
	r->start_ns = cabin_proxy_now_ns();
	clock_gettime(CLOCK_REALTIME, &r->start_real);
	return r;
}

const struct cabin_observer *cabin_report_observer(struct cabin_report *r)
{
	return &r->observer;
}

/* Everything recorded so far, freed and forgotten. */
static void report_clear(struct cabin_report *r)
{
	size_t i;

	cabin_report_procs_free(r);
	for (i = 0; i < r->pending.cap; i++) {
		if (r->pending.key[i] && r->pending.val[i]) {
			call_clear(r->pending.val[i]);
			free(r->pending.val[i]);
		}
	}
	free(r->pending.key);
	free(r->pending.val);
	cabin_report_list_free(&r->read);
	cabin_report_list_free(&r->written);
	cabin_report_list_free(&r->created);
	cabin_report_list_free(&r->deleted);
	cabin_report_list_free(&r->renamed);
	cabin_report_list_free(&r->chmod);
	cabin_report_list_free(&r->file_denied);
	cabin_report_list_free(&r->file_failed);
	for (i = 0; i < r->nnotes; i++)
		free(r->notes[i]);
	free(r->notes);
	cabin_report_list_free(&r->network);
	cabin_report_list_free(&r->signals);
	cabin_report_list_free(&r->ptrace);
	cabin_report_list_free(&r->denied);
	cabin_report_list_free(&r->memory);
	for (i = 0; i < r->nfaults; i++)
		cabin_report_rec_free(&r->faults[i]);
	r->procs = NULL;
	r->nprocs = r->capprocs = 0;
	memset(&r->procmap, 0, sizeof(r->procmap));
	memset(&r->pending, 0, sizeof(r->pending));
	r->notes = NULL;
	r->nnotes = 0;
	r->nfaults = 0;
	r->faults_handled = 0;
	r->ndenied = 0;
	memset(r->sysc, 0, sizeof(r->sysc));
	r->dropped = 0;
}

void cabin_report_forked(struct cabin_report *r)
{
	report_clear(r);
}

void cabin_report_free(struct cabin_report *r)
{
	if (!r)
		return;
	report_clear(r);
	free(r->scratch);
	free(r);
}
