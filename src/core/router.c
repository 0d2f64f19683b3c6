/*
 * Routing table storage and matching.  Matching here must agree with the
 * BPF that policy/compile_bpf.c generates from the same rules: the kernel
 * takes the fast decision, this code explains a stop after the fact and
 * routes syscalls on platforms without seccomp.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/router.h"

void cabin_router_init(struct cabin_router *r, struct cabin_route fallback)
{
	memset(r, 0, sizeof(*r));
	r->fallback = fallback;
}

void cabin_router_free(struct cabin_router *r)
{
	free(r->rules);
	r->rules = NULL;
	r->nrules = r->cap = 0;
}

static bool rule_is_valid(const struct cabin_rule *rule)
{
	unsigned int i;

	if (rule->nr < 0 || rule->ncond > CABIN_RULE_MAX_CONDS)
		return false;
	if (rule->route.kind == CABIN_ROUTE_DENY &&
	    (rule->route.err <= 0 || rule->route.err > 4095))
		return false;
	for (i = 0; i < rule->ncond; i++) {
		if (rule->cond[i].arg > 5 ||
		    rule->cond[i].op > CABIN_CMP_MASKED_EQ)
			return false;
	}
	return true;
}

int cabin_router_add(struct cabin_router *r, const struct cabin_rule *rule)
{
	struct cabin_rule *grown;

	if (!rule_is_valid(rule))
		return -EINVAL;
	if (r->nrules >= CABIN_ROUTER_MAX_RULES)
		return -E2BIG;
	if (r->nrules == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 32;

		grown = realloc(r->rules, cap * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		r->rules = grown;
		r->cap = cap;
	}
	r->rules[r->nrules] = *rule;
	return (int)r->nrules++;
}

int cabin_router_trace_all(struct cabin_router *r, const int *nrs)
{
	struct cabin_rule rule = { .route = { .kind = CABIN_ROUTE_TRACE } };
	int err;

	for (; *nrs >= 0; nrs++) {
		rule.nr = *nrs;
		err = cabin_router_add(r, &rule);
		if (err < 0)
			return err;
	}
	return 0;
}

int cabin_router_insert(struct cabin_router *r, size_t pos,
			const struct cabin_rule *rule)
{
	int id;

	if (pos > r->nrules)
		return -EINVAL;
	id = cabin_router_add(r, rule);
	if (id < 0)
		return id;
	memmove(&r->rules[pos + 1], &r->rules[pos],
		(r->nrules - 1 - pos) * sizeof(*r->rules));
	r->rules[pos] = *rule;
	return 0;
}

int cabin_router_add_rule(struct cabin_router *r, int nr,
			  struct cabin_route route, unsigned int ncond,
			  const struct cabin_cond *cond)
{
	struct cabin_rule rule = { .nr = nr, .route = route, .ncond = ncond };
	unsigned int i;
	int id;

	if (ncond > CABIN_RULE_MAX_CONDS)
		return -EINVAL;
	for (i = 0; i < ncond; i++)
		rule.cond[i] = cond[i];
	id = cabin_router_add(r, &rule);
	return id < 0 ? id : 0;
}

size_t cabin_router_drop(struct cabin_router *r, int nr)
{
	size_t i, kept = 0, before = r->nrules;

	for (i = 0; i < r->nrules; i++) {
		if (r->rules[i].nr != nr)
			r->rules[kept++] = r->rules[i];
	}
	r->nrules = kept;
	return before - kept;
}

const struct cabin_rule *cabin_router_rule(const struct cabin_router *r,
					   int id)
{
	if (id < 0 || (size_t)id >= r->nrules)
		return NULL;
	return &r->rules[id];
}

bool cabin_cond_holds(const struct cabin_cond *c, const uint64_t args[6])
{
	uint64_t a = args[c->arg];

	switch (c->op) {
	case CABIN_CMP_EQ:
		return a == c->value;
	case CABIN_CMP_NE:
		return a != c->value;
	case CABIN_CMP_LT:
		return a < c->value;
	case CABIN_CMP_LE:
		return a <= c->value;
	case CABIN_CMP_GT:
		return a > c->value;
	case CABIN_CMP_GE:
		return a >= c->value;
	case CABIN_CMP_MASKED_EQ:
		return (a & c->mask) == c->value;
	}
	return false;
}

static bool rule_matches(const struct cabin_rule *rule, int nr,
			 const uint64_t args[6])
{
	unsigned int i;

	if (rule->nr != nr)
		return false;
	for (i = 0; i < rule->ncond; i++) {
		if (!cabin_cond_holds(&rule->cond[i], args))
			return false;
	}
	return true;
}

const struct cabin_route *cabin_router_match(const struct cabin_router *r,
					     int nr, const uint64_t args[6],
					     int *rule_id)
{
	size_t i;

	for (i = 0; i < r->nrules; i++) {
		if (rule_matches(&r->rules[i], nr, args)) {
			if (rule_id)
				*rule_id = (int)i;
			return &r->rules[i].route;
		}
	}
	if (rule_id)
		*rule_id = CABIN_RULE_DEFAULT;
	return &r->fallback;
}

bool cabin_router_always_allows(const struct cabin_router *r, int nr)
{
	size_t i;

	for (i = 0; i < r->nrules; i++) {
		const struct cabin_rule *rule = &r->rules[i];

		if (rule->nr != nr)
			continue;
		if (rule->route.kind != CABIN_ROUTE_ALLOW)
			return false;
		if (!rule->ncond)
			return true;
	}
	return r->fallback.kind == CABIN_ROUTE_ALLOW;
}

const struct cabin_route *cabin_router_route(const struct cabin_router *r,
					     int rule_id)
{
	const struct cabin_rule *rule = cabin_router_rule(r, rule_id);

	return rule ? &rule->route : &r->fallback;
}

const char *cabin_route_kind_name(enum cabin_route_kind kind)
{
	static const char *const names[] = {
		[CABIN_ROUTE_ALLOW] = "allow",
		[CABIN_ROUTE_TRACE] = "trace",
		[CABIN_ROUTE_EMULATE] = "emulate",
		[CABIN_ROUTE_DENY] = "deny",
		[CABIN_ROUTE_KILL] = "kill",
	};

	if ((unsigned int)kind >= sizeof(names) / sizeof(names[0]))
		return "?";
	return names[kind];
}
