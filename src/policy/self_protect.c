/*
 * The self-protection routes.  A child created with CLONE_UNTRACED is
 * not followed by ptrace, so it would outlive cabin and escape the proxy.
 * clone3 passes its flags in memory BPF cannot read, so it answers ENOSYS
 * the way an older kernel would, and libc falls back to clone, whose
 * flags BPF sees.
 *
 * kill(0, sig) signals the caller's process group, and a PID namespace
 * does not cut a process group: the program starts in cabin's.  Landlock's
 * signal scope (ABI 6) checks each member; below it, the call is refused.
 */
#include <errno.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stdbool.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "policy/self_protect.h"

static bool named(const struct cabin_router *r, int nr)
{
	size_t i;

	for (i = 0; i < r->nrules; i++) {
		if (r->rules[i].nr == nr)
			return true;
	}
	return false;
}

int cabin_self_protect_clone(struct cabin_router *r)
{
	const struct cabin_rule untraced = {
		.nr = SYS_clone,
		.route = { .kind = CABIN_ROUTE_DENY, .err = EPERM },
		.ncond = 1,
		.cond = { { .arg = 0, .op = CABIN_CMP_MASKED_EQ,
			    .mask = CLONE_UNTRACED, .value = CLONE_UNTRACED } },
	};
	const struct cabin_rule clone3 = {
		.nr = SYS_clone3,
		.route = { .kind = CABIN_ROUTE_DENY, .err = ENOSYS,
			   .quiet = true },
	};
	int err = 0;

	if (!named(r, SYS_clone))
		err = cabin_router_add(r, &untraced);
	if (err >= 0 && !named(r, SYS_clone3))
		err = cabin_router_add(r, &clone3);
	return err < 0 ? err : 0;
}

/*
 * ptrace for tracers inside the sandbox (the process platform emulates
 * it, platform/process/ptrace_emul.c): ptrace and wait4 stop in the proxy
 * and never run in the kernel, and a clone with CLONE_UNTRACED stops so
 * that the flag is taken off (its child stays followed, as every task).
 * Nothing where the policy already names the call, or refuses ptrace.
 */
int cabin_self_protect_ptrace(struct cabin_router *r, bool untraced)
{
	static const uint64_t none[6];
	const struct cabin_rule clone_untraced = {
		.nr = SYS_clone,
		.route = { .kind = CABIN_ROUTE_TRACE },
		.ncond = 1,
		.cond = { { .arg = 0, .op = CABIN_CMP_MASKED_EQ,
			    .mask = CLONE_UNTRACED, .value = CLONE_UNTRACED } },
	};
	const struct cabin_route *route;
	int rule, err = 0;

	route = cabin_router_match(r, SYS_ptrace, none, &rule);
	if (route->kind == CABIN_ROUTE_DENY || route->kind == CABIN_ROUTE_KILL)
		return 0;
	if (!named(r, SYS_ptrace))
		err = cabin_router_add_rule(r, SYS_ptrace,
			(struct cabin_route){ .kind = CABIN_ROUTE_TRACE }, 0, NULL);
	if (err >= 0 && !named(r, SYS_wait4))
		err = cabin_router_add_rule(r, SYS_wait4,
			(struct cabin_route){ .kind = CABIN_ROUTE_TRACE }, 0, NULL);
	if (err >= 0 && untraced && !named(r, SYS_clone))
		err = cabin_router_add(r, &clone_untraced);
	return err < 0 ? err : 0;
}

/* Where nothing emulates it, ptrace reaches beyond the tree: refused. */
int cabin_self_protect_no_ptrace(struct cabin_router *r)
{
	int err = 0;

	if (!named(r, SYS_ptrace))
		err = cabin_router_add_rule(r, SYS_ptrace,
			(struct cabin_route){ .kind = CABIN_ROUTE_DENY,
					      .err = EPERM }, 0, NULL);
	return err < 0 ? err : 0;
}

int cabin_self_protect_group_kill(struct cabin_router *r)
{
	/* ERRNO outranks every answer of a filter the program adds. */
	const struct cabin_rule group_kill = {
		.nr = SYS_kill,
		.route = { .kind = CABIN_ROUTE_DENY, .err = EPERM,
			   .quiet = true },
		.ncond = 1,
		.cond = { { .arg = 0, .op = CABIN_CMP_MASKED_EQ,
			    .mask = 0xffffffff, .value = 0 } },
	};
	int err = cabin_router_add(r, &group_kill);

	return err < 0 ? err : 0;
}

/*
 * A filter of the program's own.  The kernel runs every stacked filter
 * and takes the most restrictive answer; SECCOMP_RET_USER_NOTIF ranks
 * above cabin's SECCOMP_RET_TRACE, and the program's own listener could
 * answer "continue": the call would run without the proxy seeing it.  A
 * listener exists only if the filter was installed with
 * SECCOMP_FILTER_FLAG_NEW_LISTENER, a flag in a register BPF reads (the
 * kernel reads flags as an unsigned int: bit 3 is in the low half).
 * Without a listener USER_NOTIF answers ENOSYS and nothing runs.  The
 * flag is refused for every operation (only SET_MODE_FILTER takes
 * flags).  The installs themselves stop in the proxy so the trace and
 * report say a filter of the program's own now answers some calls first.
 */
int cabin_self_protect_own_filter(struct cabin_router *r)
{
	const struct cabin_rule listener = {
		.nr = SYS_seccomp,
		.route = { .kind = CABIN_ROUTE_DENY, .err = EPERM },
		.ncond = 1,
		.cond = { { .arg = 1, .op = CABIN_CMP_MASKED_EQ,
			    .mask = SECCOMP_FILTER_FLAG_NEW_LISTENER,
			    .value = SECCOMP_FILTER_FLAG_NEW_LISTENER } },
	};
	const struct cabin_rule install = {
		.nr = SYS_seccomp,
		.route = { .kind = CABIN_ROUTE_TRACE },
		.ncond = 1,
		.cond = { { .arg = 0, .op = CABIN_CMP_MASKED_EQ,
			    .mask = 0xffffffff,
			    .value = SECCOMP_SET_MODE_FILTER } },
	};
	const struct cabin_rule install_prctl = {
		.nr = SYS_prctl,
		.route = { .kind = CABIN_ROUTE_TRACE },
		.ncond = 1,
		.cond = { { .arg = 0, .op = CABIN_CMP_MASKED_EQ,
			    .mask = 0xffffffff, .value = PR_SET_SECCOMP } },
	};
	int err = cabin_router_add(r, &listener);

	if (err >= 0)
		err = cabin_router_add(r, &install);
	if (err >= 0)
		err = cabin_router_add(r, &install_prctl);
	return err < 0 ? err : 0;
}
