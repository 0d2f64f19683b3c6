/*
 * The routing table: one route per syscall, optionally refined by
 * conditions on integer arguments.  The same table is compiled to BPF for
 * the kernel fast path and consulted by the proxy when a stop arrives.
 */
#ifndef CABIN_CORE_ROUTER_H
#define CABIN_CORE_ROUTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum cabin_route_kind {
	CABIN_ROUTE_ALLOW,	/* kernel fast path, never stops */
	CABIN_ROUTE_TRACE,	/* stops at entry and exit, recorded */
	CABIN_ROUTE_EMULATE,	/* the proxy answers without running it */
	CABIN_ROUTE_DENY,	/* fails with an errno */
	CABIN_ROUTE_KILL,	/* the whole process is killed */
};

struct cabin_route {
	enum cabin_route_kind kind;
	int err;		/* DENY: the errno returned */
	bool quiet;		/* DENY: answered in BPF, no stop, no report */
};

enum cabin_cmp {
	CABIN_CMP_EQ,
	CABIN_CMP_NE,
	CABIN_CMP_LT,
	CABIN_CMP_LE,
	CABIN_CMP_GT,
	CABIN_CMP_GE,
	CABIN_CMP_MASKED_EQ,	/* (arg & mask) == value */
};

#define CABIN_RULE_MAX_CONDS	6

struct cabin_cond {
	unsigned int arg;	/* 0..5 */
	enum cabin_cmp op;
	uint64_t mask;		/* MASKED_EQ only */
	uint64_t value;
};

struct cabin_rule {
	int nr;
	struct cabin_route route;
	unsigned int ncond;
	struct cabin_cond cond[CABIN_RULE_MAX_CONDS];
};

/*
 * Rule ids travel through SECCOMP_RET_DATA, which has 16 bits; the top
 * value is kept for "the default route".
 */
#define CABIN_ROUTER_MAX_RULES	0xfffe
#define CABIN_RULE_DEFAULT	(-1)
#define CABIN_RULE_UNKNOWN	(-2)	/* platform could not tell: match */

struct cabin_router {
	struct cabin_route fallback;	/* every syscall not named */
	struct cabin_rule *rules;
	size_t nrules;
	size_t cap;
};

void cabin_router_init(struct cabin_router *r, struct cabin_route fallback);
void cabin_router_free(struct cabin_router *r);

/* Append a rule; returns its id or -errno (-EINVAL for a malformed rule). */
int cabin_router_add(struct cabin_router *r, const struct cabin_rule *rule);

/* Append a trace route for each syscall of nrs (-1 ends it); 0 or -errno. */
int cabin_router_trace_all(struct cabin_router *r, const int *nrs);

/*
 * Insert a rule at position pos (0..nrules), moving later rules down: a
 * rule id is its position, so ids at and after pos change.  0 or -errno.
 */
int cabin_router_insert(struct cabin_router *r, size_t pos,
			const struct cabin_rule *rule);

/* The same, from parts; returns 0 (not the id) or -errno. */
int cabin_router_add_rule(struct cabin_router *r, int nr,
			  struct cabin_route route, unsigned int ncond,
			  const struct cabin_cond *cond);

/* Remove every rule for syscall nr; returns how many went. */
size_t cabin_router_drop(struct cabin_router *r, int nr);

const struct cabin_rule *cabin_router_rule(const struct cabin_router *r,
					   int id);

/*
 * The route for a syscall with these arguments, and the id of the rule
 * that chose it (CABIN_RULE_DEFAULT for the fallback).  First matching
 * rule wins, as in the compiled filter.
 */
const struct cabin_route *cabin_router_match(const struct cabin_router *r,
					     int nr, const uint64_t args[6],
					     int *rule_id);

/* The route for a stop whose rule id the platform already knows. */
const struct cabin_route *cabin_router_route(const struct cabin_router *r,
					     int rule_id);

/*
 * True when syscall nr is allowed whatever its arguments: every rule for
 * it up to the first unconditional one allows, or none names it and the
 * fallback allows.  A platform may then answer it without the proxy.
 */
bool cabin_router_always_allows(const struct cabin_router *r, int nr);

bool cabin_cond_holds(const struct cabin_cond *c, const uint64_t args[6]);
const char *cabin_route_kind_name(enum cabin_route_kind kind);

#endif
