/*
 * What the run's confinement covers besides the policy's own rules: the
 * namespaces the child can have, and the two protections every filtered
 * run gets where the program's processes are host processes (sigscope,
 * kfiles).  Every other part of the run asks here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "run/run.h"

/* Non-root namespaces need an unprivileged user namespace. */
bool cabin_run_user_namespaces_allowed(void)
{
	char buf[32] = "";
	FILE *f;

	if (geteuid() == 0)
		return true;
	f = fopen("/proc/sys/user/max_user_namespaces", "re");
	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = '\0';
		fclose(f);
		if (atoi(buf) <= 0)
			return false;
	}
	f = fopen("/proc/sys/kernel/unprivileged_userns_clone", "re");
	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = '\0';
		fclose(f);
		if (atoi(buf) == 0)
			return false;
	}
	return true;
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
	       cabin_run_kfiles(r);
}
