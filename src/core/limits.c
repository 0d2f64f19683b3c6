/*
 * Tree-wide limits.  The proxy handles stops one at a time, so counting
 * live tasks plus spawns in flight is exact: two threads forking at once
 * cannot both slip under the limit.
 */
#include <errno.h>
#include <sys/syscall.h>

#include "core/limits.h"
#include "core/names.h"
#include "core/proxy.h"
#include "core/router.h"

const int cabin_limits_spawn_syscalls[] = {
	SYS_clone, SYS_fork, SYS_vfork, -1,
};

const int cabin_limits_memory_syscalls[] = {
	SYS_mmap, SYS_mremap, SYS_brk, -1,
};

static bool is_spawn(long nr)
{
	return nr == SYS_clone || nr == SYS_fork || nr == SYS_vfork;
}

static long limits_entry(struct cabin_proxy *p, void *ctx,
			 struct cabin_task *task,
			 const struct cabin_syscall *sys)
{
	struct cabin_proxy_limits *l = &p->limits;

	(void)ctx;
	if (!is_spawn(sys->nr) || !l->procs)
		return 0;
	if (p->tasks.count + l->pending >= l->procs) {
		if (!l->procs_reported) {
			l->procs_reported = true;
			cabin_log_say(&p->log, "process limit reached (%llu tasks): %s refused with EAGAIN for pid %d (%s)",
					(unsigned long long)l->procs,
					sys->nr == SYS_clone ? "clone" : "fork",
					(int)task->tid, task->comm);
		}
		return -EAGAIN;
	}
	l->pending++;
	return 0;
}

static void report_memory(struct cabin_proxy *p, struct cabin_task *task)
{
	struct cabin_proxy_limits *l = &p->limits;
	char name[32];

	if (l->memory_reported)
		return;
	l->memory_reported = true;
	cabin_log_say(&p->log, "address-space limit reached (--rlimit-as %lluM, per process): %s by pid %d (%s) failed with ENOMEM",
			(unsigned long long)(l->memory >> 20),
			cabin_syscall_name(task->cur_nr, name, sizeof(name)),
			(int)task->tid, task->comm);
}

static void limits_settle(struct cabin_proxy *p, void *ctx,
			  struct cabin_task *task, long ret)
{
	struct cabin_proxy_limits *l = &p->limits;

	(void)ctx;
	if (is_spawn(task->cur_nr)) {
		if (l->pending)
			l->pending--;
		return;
	}
	if (!l->memory)
		return;
	/* brk reports failure by returning the old break, below the ask. */
	if (ret == -ENOMEM ||
	    (task->cur_nr == SYS_brk && task->cur_args[0] &&
	     (uint64_t)ret < task->cur_args[0]))
		report_memory(p, task);
}

/* want: a struct cabin_proxy_limits, the limits that are set. */
static int limits_routes(const void *want, struct cabin_router *r)
{
	const struct cabin_proxy_limits *l = want;
	int err = 0;

	if (l->procs)
		err = cabin_router_trace_all(r, cabin_limits_spawn_syscalls);
	if (!err && l->memory)
		err = cabin_router_trace_all(r, cabin_limits_memory_syscalls);
	return err;
}

const struct cabin_guard cabin_limits_guard = {
	.name = "limits",
	.routes = limits_routes,
	.entry = limits_entry,
	.settle = limits_settle,
};
