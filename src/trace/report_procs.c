/*
 * Processes in the report: the tree as spawns build it, the programs each
 * process ran with their argv, how it ended, the faults it took, and the
 * signals, W+X mappings and ptrace calls it aimed at itself or others.
 */
#include <linux/sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>

#include "core/umem.h"
#include "trace/report_int.h"

/* ------------------------------------------------------------- processes */

struct report_proc *cabin_report_proc_get(struct cabin_report *r, pid_t pid)
{
	struct report_proc *pr = cabin_report_map_get(&r->procmap, pid);

	if (pr || pid <= 0)
		return pr;
	if (r->nprocs >= REPORT_PROCS_MAX) {
		r->dropped++;
		return NULL;
	}
	if (r->nprocs == r->capprocs) {
		size_t cap = r->capprocs ? r->capprocs * 2 : 16;
		struct report_proc **v = realloc(r->procs, cap * sizeof(*v));

		if (!v)
			return NULL;
		r->procs = v;
		r->capprocs = cap;
	}
	pr = calloc(1, sizeof(*pr));
	if (!pr)
		return NULL;
	if (cabin_report_map_put(&r->procmap, pid, pr) < 0) {
		free(pr);
		return NULL;
	}
	pr->pid = pid;
	pr->early = !r->exec_seen;
	pr->idx = r->nprocs;
	r->procs[r->nprocs++] = pr;
	return pr;
}

struct report_proc *cabin_report_find_proc(const struct cabin_report *r,
					   pid_t pid)
{
	return cabin_report_map_get(&r->procmap, pid);
}

struct report_proc *cabin_report_proc_of(struct cabin_report *r,
					 const struct cabin_task *task)
{
	struct report_proc *pr = cabin_report_proc_get(r,
						       task->pid > 0 ? task->pid
								  : task->tid);

	if (pr && !pr->comm[0])
		snprintf(pr->comm, sizeof(pr->comm), "%s", task->comm);
	return pr;
}

static void exec_free(struct report_exec *e)
{
	size_t i;

	free(e->path);
	free(e->exe);
	for (i = 0; i < e->argc; i++)
		free(e->argv[i]);
	free(e->argv);
}

void cabin_report_procs_free(struct cabin_report *r)
{
	size_t i, e;

	for (i = 0; i < r->nprocs; i++) {
		for (e = 0; e < r->procs[i]->nexecs; e++)
			exec_free(&r->procs[i]->execs[e]);
		free(r->procs[i]->execs);
		free(r->procs[i]);
	}
	free(r->procs);
	free(r->procmap.key);
	free(r->procmap.val);
}

static void read_argv(struct cabin_report *r, struct cabin_proxy *p,
		      pid_t tid, uint64_t addr, struct report_call *c)
{
	size_t i;

	c->argv = calloc(REPORT_ARGS_MAX, sizeof(*c->argv));
	if (!c->argv)
		return;
	for (i = 0; i < REPORT_ARGS_MAX; i++) {
		uint64_t ptr;

		if (cabin_umem_read(p, tid, addr + i * sizeof(ptr), &ptr,
				    sizeof(ptr)) < 0) {
			c->argv_truncated = true;
			return;
		}
		if (!ptr)
			return;
		c->argv[c->argc] = cabin_report_read_string(r, p, tid, ptr,
							    REPORT_ARG_MAX);
		if (c->argv[c->argc])
			c->argc++;
	}
	c->argv_truncated = true;
}

void cabin_report_capture_exec(struct cabin_report *r, struct cabin_proxy *p,
			       pid_t tid, struct report_call *c)
{
	cabin_report_capture_paths(r, p, tid, c);
	read_argv(r, p, tid, c->args[c->spec->path + 1], c);
}

void cabin_report_add_exec(struct cabin_report *r, struct cabin_proxy *p,
			   struct cabin_task *task, struct report_call *c)
{
	struct report_proc *pr = cabin_report_proc_of(r, task);
	char exe[REPORT_PATH_MAX];
	struct report_exec *e;

	if (!pr)
		return;
	r->exec_seen = true;
	snprintf(pr->comm, sizeof(pr->comm), "%s", task->comm);
	if (pr->nexecs >= REPORT_EXECS_MAX) {
		pr->execs_dropped++;
		r->dropped++;
		return;
	}
	if (pr->nexecs == pr->capexecs) {
		size_t cap = pr->capexecs ? pr->capexecs * 2 : 2;

		e = realloc(pr->execs, cap * sizeof(*e));
		if (!e) {
			r->dropped++;
			return;
		}
		pr->execs = e;
		pr->capexecs = cap;
	}
	e = &pr->execs[pr->nexecs++];
	memset(e, 0, sizeof(*e));
	if (p->plat->ops->task_exe &&
	    p->plat->ops->task_exe(p->plat->ctx, task->tid, exe,
				   sizeof(exe)) >= 0)
		e->exe = strdup(exe);
	if (!c)
		return;
	/* The record takes over what was read at entry. */
	e->path = c->path;
	e->argv = c->argv;
	e->argc = c->argc;
	e->argv_truncated = c->argv_truncated;
	c->path = NULL;
	c->argv = NULL;
	c->argc = 0;
}

/* ---------------------------------------------------------------- events */

static bool spawned_process(struct cabin_proxy *p, struct cabin_task *task,
			    const struct cabin_event *ev)
{
	pid_t tgid = -1;

	if (ev->spawn.kind != CABIN_SPAWN_CLONE)
		return true;
	if (p->plat->ops->task_tgid)
		tgid = p->plat->ops->task_tgid(p->plat->ctx, ev->spawn.child);
	if (tgid > 0)
		return tgid == ev->spawn.child;
	return task->cur_nr == SYS_clone &&
	       !(task->cur_args[0] & CLONE_THREAD);
}

void cabin_report_on_spawn(struct cabin_report *r, struct cabin_proxy *p,
		     struct cabin_task *task, const struct cabin_event *ev)
{
	struct report_proc *parent = cabin_report_proc_of(r, task), *child;

	if (!spawned_process(p, task, ev)) {
		if (parent)
			parent->threads++;
		return;
	}
	child = cabin_report_proc_get(r, ev->spawn.child);
	if (!child)
		return;
	if (!child->parent)
		child->parent = task->pid;
	/* A fork inherits the name; the child's own stops refresh it. */
	if (!child->comm[0])
		snprintf(child->comm, sizeof(child->comm), "%s", task->comm);
}

void cabin_report_on_exit(struct cabin_report *r, struct cabin_task *task,
			  const struct cabin_event *ev)
{
	struct report_proc *pr = cabin_report_map_get(&r->procmap, ev->tid);

	/* Only a thread-group leader's status is the process's. */
	if (!pr || (task && task->pid > 0 && task->pid != task->tid))
		return;
	pr->exited = true;
	pr->status = ev->status;
	if (task && task->comm[0])
		snprintf(pr->comm, sizeof(pr->comm), "%s", task->comm);
}

static char *describe(struct cabin_proxy *p, pid_t tid, uint64_t addr)
{
	char where[REPORT_PATH_MAX];

	if (!p->plat->ops->describe_addr ||
	    p->plat->ops->describe_addr(p->plat->ctx, tid, addr, where,
					sizeof(where)) < 0)
		return NULL;
	return strdup(where);
}

void cabin_report_on_fault(struct cabin_report *r, struct cabin_proxy *p,
			   struct cabin_task *task, const struct cabin_fault *f)
{
	struct report_rec *rec;

	cabin_report_proc_of(r, task);
	if (r->nfaults >= REPORT_FAULTS_MAX) {
		r->dropped++;
		return;
	}
	rec = &r->faults[r->nfaults++];
	memset(rec, 0, sizeof(*rec));
	cabin_report_rec_who(rec, task);
	rec->count = 1;
	rec->v1 = f->sig;
	rec->v2 = f->code;
	rec->u1 = f->addr;
	rec->u2 = f->ip;
	rec->s1 = describe(p, task->tid, f->ip);
	rec->s2 = describe(p, task->tid, f->addr);
}

/* ---------------------------------------------- signals, memory, ptrace */

void cabin_report_signal_result(struct cabin_report *r,
				const struct cabin_task *task,
			  const struct report_call *c, long ret, bool refused)
{
	struct report_key k = { 0 };
	struct report_rec *rec;
	long target = (int)c->args[0], sig = (int)c->args[1], tgid = 0;

	if (c->nr == SYS_tgkill) {
		tgid = target;
		target = (int)c->args[1];
		sig = (int)c->args[2];
	}
	cabin_report_key_num(&k, target);
	cabin_report_key_num(&k, sig);
	cabin_report_key_num(&k, tgid);
	rec = cabin_report_add_event(r, &r->signals, task, &k, c->nr, ret,
				     refused);
	if (!rec)
		return;
	rec->v1 = target;
	rec->v2 = sig;
	rec->v3 = tgid;
}

void cabin_report_mem_result(struct cabin_report *r,
			     const struct cabin_task *task,
		       const struct report_call *c, long ret, bool refused)
{
	struct report_key k = { 0 };
	struct report_rec *rec;
	long prot = (long)c->args[2];

	if ((prot & (PROT_WRITE | PROT_EXEC)) != (PROT_WRITE | PROT_EXEC))
		return;
	cabin_report_key_num(&k, prot);
	rec = cabin_report_add_event(r, &r->memory, task, &k, c->nr, ret,
				     refused);
	if (!rec)
		return;
	rec->v1 = prot;
	rec->v2 = c->nr == SYS_mmap ? (long)c->args[3] : 0;
	rec->u1 = c->nr == SYS_mmap && ret >= 0 ? (uint64_t)ret : c->args[0];
	rec->u2 = c->args[1];
}

void cabin_report_ptrace_result(struct cabin_report *r,
				const struct cabin_task *task,
			  const struct report_call *c, long ret, bool refused)
{
	struct report_key k = { 0 };
	struct report_rec *rec;
	bool is_ptrace = c->nr == SYS_ptrace;
	long req = is_ptrace ? (long)c->args[0] : -1;
	long target = (int)c->args[is_ptrace ? 1 : 0];

	/* Only the requests that name a target carry one. */
	if (is_ptrace && req == PTRACE_TRACEME)
		target = 0;
	cabin_report_key_num(&k, req);
	cabin_report_key_num(&k, target);
	rec = cabin_report_add_event(r, &r->ptrace, task, &k, c->nr, ret,
				     refused);
	if (!rec)
		return;
	rec->v1 = req;
	rec->v2 = target;
}

const char *cabin_report_ptrace_request(long req, char *buf, size_t len)
{
	static const struct {
		long req;
		const char *name;
	} names[] = {
		{ PTRACE_TRACEME, "PTRACE_TRACEME" },
		{ PTRACE_PEEKTEXT, "PTRACE_PEEKTEXT" },
		{ PTRACE_PEEKDATA, "PTRACE_PEEKDATA" },
		{ PTRACE_POKETEXT, "PTRACE_POKETEXT" },
		{ PTRACE_POKEDATA, "PTRACE_POKEDATA" },
		{ PTRACE_CONT, "PTRACE_CONT" },
		{ PTRACE_KILL, "PTRACE_KILL" },
		{ PTRACE_GETREGS, "PTRACE_GETREGS" },
		{ PTRACE_SETREGS, "PTRACE_SETREGS" },
		{ PTRACE_ATTACH, "PTRACE_ATTACH" },
		{ PTRACE_DETACH, "PTRACE_DETACH" },
		{ PTRACE_SYSCALL, "PTRACE_SYSCALL" },
		{ PTRACE_SEIZE, "PTRACE_SEIZE" },
		{ PTRACE_INTERRUPT, "PTRACE_INTERRUPT" },
	};
	size_t i;

	if (req < 0)
		return NULL;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (names[i].req == req)
			return names[i].name;
	}
	snprintf(buf, len, "request %#lx", req);
	return buf;
}

const char *cabin_report_prot(long prot, char *buf)
{
	buf[0] = prot & PROT_READ ? 'r' : '-';
	buf[1] = prot & PROT_WRITE ? 'w' : '-';
	buf[2] = prot & PROT_EXEC ? 'x' : '-';
	buf[3] = '\0';
	return buf;
}

