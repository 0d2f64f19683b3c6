/*
 * What the run's confinement covers besides the policy's own rules: the
 * namespaces the child can have, and the two protections every filtered
 * run gets where the program's processes are host processes (sigscope,
 * kfiles).  Every other part of the run asks here.
 */
#include <errno.h>
#include <unistd.h>

#include "run/run.h"
#include "util/sysctl.h"

/*
 * A setting that forbids: present and 0 (or not a number, which the
 * kernel never writes there); an absent one (an older kernel, or no
 * such patch) forbids nothing.
 */
static bool sysctl_forbids(const char *name)
{
	int val, err = cabin_util_sysctl_int(name, &val);

	if (err == -EINVAL)
		return true;
	return err == 0 && val == 0;
}

/* Non-root namespaces need an unprivileged user namespace. */
bool cabin_run_user_namespaces_allowed(void)
{
	return geteuid() == 0 ||
	       (!sysctl_forbids("user/max_user_namespaces") &&
		!sysctl_forbids("kernel/unprivileged_userns_clone"));
}

bool cabin_run_wants_namespaces(const struct cabin_policy *p)
{
	return p->isolate || p->private_tmp;
}

/*
 * Keep the program from acting on processes outside its tree: every
 * policy but one without a filter (profile none, which promises nothing).
 * Signals are scoped by Landlock (ABI 6); a PID namespace hides every
 * other pid from the calls that name one (prlimit, setpriority, sched_*,
 * ioprio_set, /proc/PID).  docs/security.md, "Acting outside the tree".
 */
bool cabin_run_sigscope(const struct cabin_run_state *r)
{
	return !(r->cfg->unsafe & CABIN_UNSAFE_SIGSCOPE) &&
	       !r->policy->filter_off &&
	       (r->traits & CABIN_PLATFORM_HOST_TASKS);
}

/*
 * sigscope where no PID namespace of the program's own hides the other
 * pids (a process that entered keeps its own): the pid guard answers
 * ESRCH for them instead (core/pidscope.c).
 */
bool cabin_run_scope_pids(const struct cabin_run_state *r)
{
	return cabin_run_sigscope(r) && r->shared_pids;
}

/*
 * Keep the kernel's file interfaces (/proc/sys, /sys, ...), the host's
 * other terminals and device nodes out of the program's reach: every
 * filtered policy, in a mount namespace of its own (and the /proc of its
 * PID namespace, which sigscope gives).
 * docs/security.md, "Kernel and host files".
 */
bool cabin_run_kfiles(const struct cabin_run_state *r)
{
	return !(r->cfg->unsafe & CABIN_UNSAFE_KFILES) &&
	       !r->policy->filter_off &&
	       (r->traits & CABIN_PLATFORM_HOST_TASKS);
}

bool cabin_run_needs_namespaces(const struct cabin_run_state *r)
{
	return cabin_run_wants_namespaces(r->policy) || cabin_run_sigscope(r) ||
	       cabin_run_kfiles(r) || r->cfg->hostname || r->cfg->set_uid ||
	       r->cfg->set_gid || r->nnarrow;
}

/*
 * Root asked for other ids (--gid alone: uid 0 and gid; root's --uid
 * always comes with --gid): the program takes them outright.
 */
bool cabin_run_other_ids(const struct cabin_run_state *r)
{
	return geteuid() == 0 && r->cfg->set_gid &&
	       (r->traits & CABIN_PLATFORM_HOST_TASKS);
}
