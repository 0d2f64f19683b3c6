/*
 * From a policy to the routing table: the policy's syscall rules, the
 * guards, the network guard's routes, the routes the proxy's own limits
 * watch, and routes that close gaps of an older Landlock.
 */
#ifndef CABIN_POLICY_COMPILE_H
#define CABIN_POLICY_COMPILE_H

#include <stdbool.h>

#include "core/netguard.h"
#include "core/router.h"
#include "policy/policy.h"

struct cabin_compile_input {
	const struct cabin_policy *policy;
	unsigned int unsafe;	/* enum cabin_unsafe */
	int landlock_abi;	/* what the kernel offers */
	bool refuse_group_kill;	/* kill(0, ...): no Landlock signal scope */
	bool deny_mounts;	/* the @mount group, refused: a run with covers */
	bool emulate_ptrace;	/* the platform emulates ptrace inside */
	bool scope_pids;	/* no PID namespace: the pid guard keeps pids in */
	/* More syscalls to trace: lists, each -1 terminated; NULL ends. */
	const int *watch[3];
};

/*
 * Fill r (initialised here) and ng.  Returns 0 or -errno; -EINVAL means
 * a rule the router refused, named in *bad (an index into policy
 * syscalls, or -1).
 */
int cabin_policy_compile_routes(const struct cabin_compile_input *in,
				struct cabin_router *r,
				struct cabin_netguard *ng, int *bad);

#endif
