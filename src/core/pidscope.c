/*
 * The pid guard.  Landlock scopes signals and ptrace (and so every call
 * that checks ptrace access: process_vm_*, /proc/PID/mem, pidfd_getfd),
 * but not the owner checks of the calls below: a process of the same
 * user may lower the proxy's file size limit (it then dies of SIGXFSZ
 * writing the report), its CPU limit, or starve it by priority.  Under
 * cabin run a PID namespace answers ESRCH for every pid outside the
 * tree; a process that entered has none, so the proxy answers the same.
 * docs/security.md, "Acting outside the tree".
 */
#include <errno.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/types.h>

#include "core/pidscope.h"
#include "core/proxy.h"
#include "core/router.h"
#include "core/task.h"

/* setpriority's and ioprio_set's "which": a single process */
#define PRIO_WHO_PROCESS	0
#define IOPRIO_WHO_PROCESS	1

/* Each call and the arguments holding a pid (-1: none). */
static const struct {
	int nr;
	int pid_arg[2];
	int which_arg;		/* -1: the call always names one process */
	uint64_t which_process;
} calls[] = {
	{ SYS_prlimit64, { 0, -1 }, -1, 0 },
	{ SYS_setpriority, { 1, -1 }, 0, PRIO_WHO_PROCESS },
	{ SYS_ioprio_set, { 1, -1 }, 0, IOPRIO_WHO_PROCESS },
	{ SYS_sched_setaffinity, { 0, -1 }, -1, 0 },
	{ SYS_sched_setscheduler, { 0, -1 }, -1, 0 },
	{ SYS_sched_setparam, { 0, -1 }, -1, 0 },
	{ SYS_sched_setattr, { 0, -1 }, -1, 0 },
	{ SYS_migrate_pages, { 0, -1 }, -1, 0 },
	{ SYS_move_pages, { 0, -1 }, -1, 0 },
	{ SYS_kcmp, { 0, 1 }, -1, 0 },
	{ SYS_get_robust_list, { 0, -1 }, -1, 0 },
	{ SYS_pidfd_open, { 0, -1 }, -1, 0 },
};

#define NCALLS (sizeof(calls) / sizeof(*calls))

/*
 * Every call stops (a condition on the pid would be overridden by a
 * plain allow of the policy in libseccomp), but only where the policy's
 * own rules let it run: the guard never lets through what it refuses.
 */
static int pidscope_early_watches(const void *want,
				  const struct cabin_router *policy,
				  struct cabin_router *r)
{
	const struct cabin_route trace = { .kind = CABIN_ROUTE_TRACE };
	enum cabin_route_kind kind;
	uint64_t args[6];
	size_t i;
	int err = 0;

	(void)want;
	for (i = 0; !err && i < NCALLS; i++) {
		args[0] = args[1] = 1;
		args[2] = args[3] = args[4] = args[5] = 0;
		if (calls[i].which_arg >= 0)
			args[calls[i].which_arg] = calls[i].which_process;
		kind = cabin_router_match(policy, calls[i].nr, args, NULL)->kind;
		if (kind == CABIN_ROUTE_ALLOW || kind == CABIN_ROUTE_TRACE)
			err = cabin_router_add_rule(r, calls[i].nr, trace, 0,
						    NULL);
	}
	return err;
}

static long pidscope_entry(struct cabin_proxy *p, void *ctx,
			   struct cabin_task *task,
			   const struct cabin_syscall *sys)
{
	size_t i, j;
	pid_t pid;

	(void)ctx;
	(void)task;
	for (i = 0; i < NCALLS && calls[i].nr != sys->nr; i++)
		;
	if (i == NCALLS)
		return 0;
	if (calls[i].which_arg >= 0 &&
	    (uint32_t)sys->args[calls[i].which_arg] != calls[i].which_process)
		return -EPERM;	/* a process group or a user: not only ours */
	for (j = 0; j < 2 && calls[i].pid_arg[j] >= 0; j++) {
		pid = (pid_t)sys->args[calls[i].pid_arg[j]];
		/* 0 is the caller; a negative pid the kernel refuses itself */
		if (pid > 0 && !cabin_tasks_find(&p->tasks, pid))
			return -ESRCH;
	}
	return 0;
}

const struct cabin_guard cabin_pidscope_guard = {
	.name = "pidscope",
	.early_watches = pidscope_early_watches,
	.entry = pidscope_entry,
};
