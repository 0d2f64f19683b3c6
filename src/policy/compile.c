/*
 * Policy to routes.  Order matters because the first matching rule wins:
 * what the policy says comes first, then the guards, then what the proxy
 * must watch for the network guard and the limits.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "cabin/cabin.h"
#include "core/fsguard.h"
#include "core/limits.h"
#include "core/memguard.h"
#include "core/names.h"
#include "core/pidscope.h"
#include "core/xom.h"
#include "policy/compile.h"
#include "policy/groups.h"
#include "policy/self_protect.h"
#include "policy/setid.h"

static bool same_rule(const struct cabin_rule *a, const struct cabin_rule *b)
{
	unsigned int i;

	if (a->nr != b->nr || a->route.kind != b->route.kind ||
	    a->route.err != b->route.err || a->ncond != b->ncond)
		return false;
	for (i = 0; i < a->ncond; i++) {
		if (a->cond[i].arg != b->cond[i].arg ||
		    a->cond[i].op != b->cond[i].op ||
		    a->cond[i].mask != b->cond[i].mask ||
		    a->cond[i].value != b->cond[i].value)
			return false;
	}
	return true;
}

static bool has_rule(const struct cabin_router *r,
		     const struct cabin_rule *rule)
{
	size_t i;

	for (i = 0; i < r->nrules; i++) {
		if (same_rule(&r->rules[i], rule))
			return true;
	}
	return false;
}

static int add_policy_rules(const struct cabin_compile_input *in,
			    struct cabin_router *r, int *bad)
{
	const struct cabin_policy *p = in->policy;
	size_t i;
	int err;

	for (i = 0; i < p->nsyscalls; i++) {
		const struct cabin_rule *rule = &p->syscalls[i].rule;

		if ((in->unsafe & CABIN_UNSAFE_DENY) &&
		    rule->route.kind == CABIN_ROUTE_DENY)
			continue;
		/* A guard refused it already (W^X: USERFAULTFD_IOC_NEW). */
		if (has_rule(r, rule))
			continue;
		err = cabin_router_add(r, rule);
		if (err < 0) {
			*bad = (int)i;
			return err;
		}
	}
	return 0;
}

/*
 * Routes for the proxy's own needs may watch a syscall (trace it, or
 * emulate it on a copy), never let through one the policy refuses: they
 * are added only where the policy's route so far is allow.  Denials are
 * always welcome.  Either goes in front of the first rule that would let
 * the call run (allow or trace): first match wins, and a guard behind an
 * allow would never be consulted.  Two guards may want the same watch
 * (XOM and W^X both trace executable mmaps): libseccomp refuses a rule
 * it already has (EEXIST), so it is added once.
 */
static int append_if_allowed(struct cabin_router *r,
			     const struct cabin_rule *rule)
{
	static const uint64_t no_args[6];
	enum cabin_route_kind now;
	size_t pos;

	if (has_rule(r, rule))
		return 0;
	if (rule->route.kind != CABIN_ROUTE_DENY &&
	    rule->route.kind != CABIN_ROUTE_KILL) {
		now = cabin_router_match(r, rule->nr, no_args, NULL)->kind;
		/* Traced calls are watched anyway; guards must see them too. */
		if (now != CABIN_ROUTE_ALLOW && now != CABIN_ROUTE_TRACE)
			return 0;
	}
	for (pos = 0; pos < r->nrules; pos++) {
		const struct cabin_rule *e = &r->rules[pos];

		if (e->nr == rule->nr && (e->route.kind == CABIN_ROUTE_ALLOW ||
					  e->route.kind == CABIN_ROUTE_TRACE))
			break;
	}
	return cabin_router_insert(r, pos, rule);
}

/*
 * Routes another module wants (a guard's, asked through its routes
 * hook), each added only where append_if_allowed.
 */
static int append_from(struct cabin_router *r,
		       int (*fill)(const void *ctx, struct cabin_router *r),
		       const void *ctx)
{
	struct cabin_router wanted;
	size_t i;
	int err;

	cabin_router_init(&wanted, r->fallback);
	err = fill(ctx, &wanted);
	for (i = 0; !err && i < wanted.nrules; i++)
		err = append_if_allowed(r, &wanted.rules[i]);
	cabin_router_free(&wanted);
	return err < 0 ? err : 0;
}

static int trace_all(const void *nrs, struct cabin_router *r)
{
	return cabin_router_trace_all(r, nrs);
}

/* W^X's alias checks, unless --unsafe-disable=wx-alias. */
static bool alias_checks(const struct cabin_compile_input *in)
{
	return !(in->unsafe & CABIN_UNSAFE_WXALIAS);
}

static int own_filter_routes(const void *ctx, struct cabin_router *r)
{
	(void)ctx;
	return cabin_self_protect_own_filter(r);
}

static int setid_routes(const void *ctx, struct cabin_router *r)
{
	(void)ctx;
	return cabin_setid_routes(r);
}

/*
 * Landlock before ABI 3 does not control truncate() by path; a filtered
 * run with file rules closes that gap by refusing the call (ftruncate
 * still works on descriptors opened for writing, which Landlock checks).
 */
static int close_truncate_gap(const struct cabin_compile_input *in,
			      struct cabin_router *r)
{
	const struct cabin_rule deny = {
		.nr = SYS_truncate,
		.route = { .kind = CABIN_ROUTE_DENY, .err = EACCES },
	};
	size_t i;
	int err;

	if (!in->policy->files_restricted || in->landlock_abi >= 3)
		return 0;
	for (i = 0; i < r->nrules; i++) {
		if (r->rules[i].nr == SYS_truncate)
			return 0;
	}
	err = cabin_router_add(r, &deny);
	return err < 0 ? err : 0;
}

static int deny_one_mount_call(const char *name, void *arg)
{
	struct cabin_rule deny = {
		.route = { .kind = CABIN_ROUTE_DENY, .err = EPERM },
	};
	long nr = cabin_syscall_number(name);

	/* A member this libseccomp does not know: no call to refuse. */
	if (nr < 0)
		return 0;
	deny.nr = (int)nr;
	if (has_rule(arg, &deny))
		return 0;
	return cabin_router_add(arg, &deny) < 0 ? -EINVAL : 0;
}

/*
 * A run with covers (run/subtract.c) refuses the whole @mount group,
 * first, whatever the policy says: open_tree would copy a covered
 * directory without its cover, mount_setattr clear its read-only flag.
 */
static int deny_mounts(const struct cabin_compile_input *in,
		       struct cabin_router *r)
{
	if (!in->deny_mounts)
		return 0;
	return cabin_policy_group_each(cabin_policy_group_find("@mount"),
				       deny_one_mount_call, r);
}

/*
 * The guards' refusals, then their early watches, before the policy's
 * rules (guard.h): XOM's, then W^X's, each only when the policy asks
 * for its protection, and the pid guard's where no PID namespace keeps
 * the program's pids in.  The early watches are matched against the
 * policy's own routes, built here once.
 */
static int add_guard_refusals(const struct cabin_compile_input *in,
			      struct cabin_router *r)
{
	const struct cabin_memguard_want wx = { .alias = alias_checks(in) };
	const struct {
		const struct cabin_guard *guard;
		const void *want;
		bool on;
	} early[] = {
		{ &cabin_xom_guard, NULL,
		  in->policy->memory & CABIN_MEMORY_XOM },
		{ &cabin_memguard_guard, &wx,
		  in->policy->memory & CABIN_MEMORY_WX },
		{ &cabin_pidscope_guard, NULL, in->scope_pids },
	};
	const size_t n = sizeof(early) / sizeof(*early);
	struct cabin_router policy;
	bool built = false;
	size_t i;
	int err = 0, bad;

	for (i = 0; !err && i < n; i++) {
		if (early[i].on && early[i].guard->refusals)
			err = early[i].guard->refusals(early[i].want, r);
	}
	cabin_router_init(&policy, r->fallback);
	for (i = 0; !err && i < n; i++) {
		if (!early[i].on || !early[i].guard->early_watches)
			continue;
		if (!built)
			err = add_policy_rules(in, &policy, &bad);
		built = true;
		if (!err)
			err = early[i].guard->early_watches(early[i].want,
							    &policy, r);
	}
	cabin_router_free(&policy);
	return err < 0 ? err : 0;
}

/*
 * libseccomp does not keep first-match order: a rule without conditions
 * for a syscall overrides every rule with conditions for it, wherever it
 * stands.  A policy's plain "allow mmap" (or "allow openat") would so
 * switch off the memory guards' (or the setid routes') refusals and
 * watches that come before it; compile_bpf would make the call stop
 * every time instead, which is safe but slow.  For the guarded
 * calls, whose earlier rules each test bits of one argument, such a rule
 * becomes one rule per combination of those bits that no earlier rule
 * takes: the same routes, in any order.
 */
static bool guarded(int nr)
{
	return nr == SYS_mmap || nr == SYS_mprotect ||
	       nr == SYS_pkey_mprotect || nr == SYS_rt_sigreturn ||
	       nr == SYS_personality || nr == SYS_shmat ||
	       cabin_setid_call(nr);
}

/* The bits of one argument the earlier rules test; false if not so. */
static bool tested_bits(const struct cabin_router *r, size_t upto, int nr,
			unsigned int *arg, uint64_t *bits, bool *any)
{
	size_t i;

	*bits = 0;
	*any = false;
	for (i = 0; i < upto; i++) {
		const struct cabin_rule *e = &r->rules[i];

		if (e->nr != nr)
			continue;
		if (e->ncond != 1 || e->cond[0].op != CABIN_CMP_MASKED_EQ ||
		    (*any && e->cond[0].arg != *arg))
			return false;
		*arg = e->cond[0].arg;
		*bits |= e->cond[0].mask;
		*any = true;
	}
	return __builtin_popcountll(*bits) <= 6;
}

static bool earlier_plain(const struct cabin_router *r, size_t upto, int nr)
{
	size_t i;

	for (i = 0; i < upto; i++) {
		if (r->rules[i].nr == nr && !r->rules[i].ncond)
			return true;
	}
	return false;
}

static bool taken_before(const struct cabin_router *r, size_t upto, int nr,
			 const uint64_t args[6])
{
	size_t i;

	for (i = 0; i < upto; i++) {
		if (r->rules[i].nr == nr &&
		    cabin_cond_holds(&r->rules[i].cond[0], args))
			return true;
	}
	return false;
}

/* Value of combination n spread over the set bits of mask. */
static uint64_t spread(uint64_t mask, unsigned int n)
{
	uint64_t v = 0, bit;
	unsigned int k = 0;

	for (bit = 1; bit && mask; bit <<= 1) {
		if (!(mask & bit))
			continue;
		if (n & (1u << k))
			v |= bit;
		mask &= ~bit;
		k++;
	}
	return v;
}

static int settle_rule(const struct cabin_router *r, size_t at,
		       struct cabin_router *out)
{
	const struct cabin_rule *rule = &r->rules[at];
	struct cabin_rule part = *rule;
	uint64_t bits, args[6] = { 0 };
	unsigned int arg = 0, n;
	bool any;
	int err;

	if (!guarded(rule->nr) || rule->ncond)
		return cabin_router_add(out, rule) < 0 ? -EINVAL : 0;
	/* Behind a rule that takes every call, it never matches. */
	if (earlier_plain(r, at, rule->nr))
		return 0;
	if (!tested_bits(r, at, rule->nr, &arg, &bits, &any) || !any)
		return cabin_router_add(out, rule) < 0 ? -EINVAL : 0;
	part.ncond = 1;
	part.cond[0] = (struct cabin_cond){
		.arg = arg, .op = CABIN_CMP_MASKED_EQ, .mask = bits,
	};
	for (n = 0; n < (1u << __builtin_popcountll(bits)); n++) {
		args[arg] = spread(bits, n);
		if (taken_before(r, at, rule->nr, args))
			continue;
		part.cond[0].value = args[arg];
		err = cabin_router_add(out, &part);
		if (err < 0)
			return err;
	}
	return 0;
}

static int settle_for_libseccomp(struct cabin_router *r)
{
	struct cabin_router out;
	size_t i;
	int err = 0;

	cabin_router_init(&out, r->fallback);
	for (i = 0; !err && i < r->nrules; i++)
		err = settle_rule(r, i, &out);
	if (err) {
		cabin_router_free(&out);
		return err;
	}
	cabin_router_free(r);
	*r = out;
	return 0;
}

static void setup_netguard(const struct cabin_compile_input *in,
			   struct cabin_netguard *ng)
{
	const struct cabin_policy *p = in->policy;

	memset(ng, 0, sizeof(*ng));
	ng->mode = p->net == CABIN_NET_UNSET ? CABIN_NET_HOST : p->net;
	ng->scope = !(in->unsafe & CABIN_UNSAFE_NETSCOPE);
	/*
	 * Landlock enforces ports itself from ABI 4 on, but not for what the
	 * guard does in cabin's own process: under loopback the guard
	 * performs every connect and bind, so it checks the ports too.
	 */
	if (in->landlock_abi < 4 || ng->mode == CABIN_NET_LOOPBACK) {
		ng->connect_ports = p->connect_ports;
		ng->nconnect_ports = p->nconnect_ports;
		ng->bind_ports = p->bind_ports;
		ng->nbind_ports = p->nbind_ports;
	}
}

int cabin_policy_compile_routes(const struct cabin_compile_input *in,
				struct cabin_router *r,
				struct cabin_netguard *ng, int *bad)
{
	const struct cabin_policy *p = in->policy;
	struct cabin_route fallback = { .kind = CABIN_ROUTE_ALLOW };
	const struct cabin_memguard_want wx = { .alias = alias_checks(in) };
	const struct cabin_proxy_limits limits = {
		.procs = p->limits.procs, .memory = p->limits.rlimit_as,
	};
	size_t i;
	int err;

	*bad = -1;
	if (p->has_syscall_default)
		fallback = p->syscall_default;
	cabin_router_init(r, fallback);
	setup_netguard(in, ng);
	if (p->filter_off)
		return 0;
	err = 0;
	if (in->refuse_group_kill)
		err = cabin_self_protect_group_kill(r);
	if (!err)
		err = deny_mounts(in, r);
	if (!err)
		err = add_guard_refusals(in, r);
	if (!err)
		err = add_policy_rules(in, r, bad);
	if (!err && in->emulate_ptrace && !(in->unsafe & CABIN_UNSAFE_PTRACE))
		err = cabin_self_protect_ptrace(r,
				!(in->unsafe & CABIN_UNSAFE_UNTRACED));
	else if (!err && !(in->unsafe & CABIN_UNSAFE_DENY))
		err = cabin_self_protect_no_ptrace(r);
	if (!err && !(in->unsafe & CABIN_UNSAFE_UNTRACED))
		err = cabin_self_protect_clone(r);
	if (!err && !(in->unsafe & CABIN_UNSAFE_SETID))
		err = append_from(r, setid_routes, NULL);
	if (!err && !(in->unsafe & CABIN_UNSAFE_SECCOMP))
		err = append_from(r, own_filter_routes, NULL);
	if (!err)
		err = close_truncate_gap(in, r);
	if (!err)
		err = append_from(r, cabin_netguard_guard.routes, ng);
	/* unix socket files: the network guard routes them (netguard.h) */
	if (!err && p->files_restricted &&
	    !(in->unsafe & CABIN_UNSAFE_ROMETA))
		err = append_from(r, cabin_fsguard_guard.routes, NULL);
	if (!err && (p->memory & CABIN_MEMORY_WX))
		err = append_from(r, cabin_memguard_guard.routes, &wx);
	for (i = 0; !err && i < 3 && in->watch[i]; i++)
		err = append_from(r, trace_all, in->watch[i]);
	if (!err)
		err = append_from(r, cabin_limits_guard.routes, &limits);
	if (!err)
		err = settle_for_libseccomp(r);
	return err;
}
