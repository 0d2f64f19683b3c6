/*
 * The 'syscall' directive: actions, argument conditions and the rules
 * they make.  Kept apart from the other directives because it is the
 * only one with a grammar of its own (NAME... when argN OP VALUE and ...).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/names.h"
#include "policy/groups.h"
#include "policy/lang.h"
#include "policy/parse_int.h"

static int parse_action(struct parse_ctx *c, const struct parse_word *w,
			struct cabin_route *r)
{
	const char *s = w->text;
	char name[32];
	size_t n;
	int e;

	memset(r, 0, sizeof(*r));
	if (!strcmp(s, "allow")) {
		r->kind = CABIN_ROUTE_ALLOW;
	} else if (!strcmp(s, "trace")) {
		r->kind = CABIN_ROUTE_TRACE;
	} else if (!strcmp(s, "kill")) {
		r->kind = CABIN_ROUTE_KILL;
	} else if (!strcmp(s, "deny")) {
		r->kind = CABIN_ROUTE_DENY;
		r->err = EPERM;
	} else if (!strncmp(s, "deny(", 5)) {
		n = strlen(s + 5);
		if (!n || s[5 + n - 1] != ')')
			return cabin_lex_fail(c, w->col,
					      "expected deny(ERRNO), got '%s'",
					      cabin_lex_shown(c, s));
		n--;
		if (n >= sizeof(name))
			n = sizeof(name) - 1;
		memcpy(name, s + 5, n);
		name[n] = '\0';
		e = cabin_policy_errno_number(name);
		if (e < 0)
			return cabin_lex_fail(c, w->col, "bad errno '%s'",
					      cabin_lex_shown(c, name));
		r->kind = CABIN_ROUTE_DENY;
		r->err = e;
	} else {
		return cabin_lex_fail(c, w->col,
				      "unknown action '%s' (expected allow, trace, kill, deny or deny(ERRNO))",
				      cabin_lex_shown(c, s));
	}
	return 0;
}

static int parse_op(struct parse_ctx *c, const struct parse_word *w,
		    enum cabin_cmp *op)
{
	static const struct { const char *s; enum cabin_cmp op; } ops[] = {
		{ "==", CABIN_CMP_EQ }, { "!=", CABIN_CMP_NE },
		{ "<", CABIN_CMP_LT }, { "<=", CABIN_CMP_LE },
		{ ">", CABIN_CMP_GT }, { ">=", CABIN_CMP_GE },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ops); i++) {
		if (!strcmp(w->text, ops[i].s)) {
			*op = ops[i].op;
			return 0;
		}
	}
	return cabin_lex_fail(c, w->col,
			      "bad operator '%s' (expected == != < <= > >= or &)",
			      cabin_lex_shown(c, w->text));
}

/* argN OP VALUE, or argN & MASK == VALUE, starting at word *i. */
static int parse_cond(struct parse_ctx *c, unsigned int *i,
		      struct cabin_cond *cd)
{
	const struct parse_word *w;
	int err;

	err = cabin_lex_need(c, *i, "a condition like arg0 == 1");
	if (err)
		return err;
	w = &c->w[*i];
	if (strncmp(w->text, "arg", 3) || w->text[3] < '0' ||
	    w->text[3] > '5' || w->text[4])
		return cabin_lex_fail(c, w->col,
				      "bad argument '%s' (expected arg0 to arg5)",
				      cabin_lex_shown(c, w->text));
	memset(cd, 0, sizeof(*cd));
	cd->arg = (unsigned int)(w->text[3] - '0');
	err = cabin_lex_need(c, ++*i, "an operator");
	if (err)
		return err;
	if (!strcmp(c->w[*i].text, "&")) {
		err = cabin_lex_need(c, ++*i, "a mask");
		if (!err)
			err = cabin_lex_u64(c, &c->w[*i], &cd->mask);
		if (!err)
			err = cabin_lex_need(c, ++*i, "'=='");
		if (err)
			return err;
		if (strcmp(c->w[*i].text, "=="))
			return cabin_lex_fail(c, c->w[*i].col,
					      "expected '==' after the mask, got '%s'",
					      cabin_lex_shown(c,
							      c->w[*i].text));
		cd->op = CABIN_CMP_MASKED_EQ;
	} else {
		err = parse_op(c, &c->w[*i], &cd->op);
		if (err)
			return err;
	}
	err = cabin_lex_need(c, ++*i, "a value");
	if (!err)
		err = cabin_lex_u64(c, &c->w[*i], &cd->value);
	++*i;
	return err;
}

static int parse_when(struct parse_ctx *c, unsigned int i,
		      struct cabin_rule *r)
{
	static const char *const and_word[] = { "and", NULL };
	int err;

	for (;;) {
		if (r->ncond == CABIN_RULE_MAX_CONDS)
			return cabin_lex_fail(c, cabin_lex_col_at(c, i),
					      "too many conditions (at most %d)",
					      CABIN_RULE_MAX_CONDS);
		err = parse_cond(c, &i, &r->cond[r->ncond]);
		if (err)
			return err;
		r->ncond++;
		if (i >= c->nw)
			return 0;
		err = cabin_lex_pick(c, i, "'and'", and_word);
		if (err < 0)
			return err;
		i++;
	}
}

/*
 * An unconditioned rule may not contradict one from the same text,
 * unless it names the call itself after a group did: `syscall allow
 * @network-io` then `syscall deny connect` carves one call out of a
 * group, and the later rule wins as it does over a profile's.  The other
 * way round a group would undo, unseen, what was written out by name:
 * an error, as is a group contradicting another group.
 */
static int check_contradiction(struct parse_ctx *c,
			       const struct parse_word *w, const char *name,
			       const struct cabin_rule *r, const char *group)
{
	struct cabin_syscall_rule *old;
	char was[40];

	old = cabin_policy_find_catchall(c->p, r->nr);

	if (r->ncond || !old || old->origin != c->origin ||
	    (old->group && !group) ||
	    cabin_policy_route_equal(&old->rule.route, &r->route))
		return 0;
	cabin_policy_route_text(&old->rule.route, was, sizeof(was));
	if (group)
		return cabin_lex_fail(c, w->col,
				      "syscall '%s' (in %s) is already %s on line %u",
				      name, group, was, old->line);
	return cabin_lex_fail(c, w->col,
			      "syscall '%s' is already %s on line %u",
			      cabin_lex_shown(c, w->text), was, old->line);
}

/* One rule for the syscall name, written at w by itself or by group. */
struct add_args {
	struct parse_ctx *c;
	const struct parse_word *w;
	struct cabin_rule *rule;
	const struct cabin_policy_group *group;
};

static int add_one(const char *name, void *arg)
{
	struct add_args *a = arg;
	struct parse_ctx *c = a->c;
	char where[CABIN_POLICY_WHERE_MAX];
	const char *group = a->group ? a->group->name : NULL;
	long nr;
	int err;

	nr = strlen(name) < 40 ? cabin_syscall_number(name) : -1;
	if (nr < 0 && group)
		return cabin_lex_fail(c, a->w->col,
				      "syscall group '%s' names '%s', which this libseccomp does not know",
				      group, name);
	if (nr < 0)
		return cabin_lex_fail(c, a->w->col, "unknown syscall '%s'",
				      cabin_lex_shown(c, name));
	a->rule->nr = (int)nr;
	err = check_contradiction(c, a->w, name, a->rule, group);
	if (err)
		return err;
	cabin_policy_where(where, sizeof(where), c->file, c->line, a->w->col);
	err = cabin_policy_add_syscall_origin(c->p, name, a->rule, c->line,
					      c->origin, where);
	if (err)
		return cabin_lex_fail_errno(c, a->w->col, err);
	if (group)
		cabin_policy_find_catchall(c->p, a->rule->nr)->group = group;
	return 0;
}

/* NAME or @GROUP: the rules it stands for. */
static int add_word(struct parse_ctx *c, const struct parse_word *w,
		    struct cabin_rule *rule)
{
	struct add_args a = { c, w, rule, NULL };
	char known[200];

	if (w->text[0] != '@')
		return add_one(w->text, &a);
	a.group = cabin_policy_group_find(w->text);
	if (!a.group) {
		cabin_policy_group_names(known, sizeof(known));
		return cabin_lex_fail(c, w->col,
				      "unknown syscall group '%s' (known: %s)",
				      cabin_lex_shown(c, w->text), known);
	}
	/* Arguments mean something else in each member. */
	if (rule->ncond)
		return cabin_lex_fail(c, w->col,
				      "'when' takes syscalls named one by one, not group '%s' ('cabin policy show %s' lists them)",
				      w->text, w->text);
	return cabin_policy_group_each(a.group, add_one, &a);
}

static int do_syscall_rule(struct parse_ctx *c)
{
	struct cabin_rule rule = { 0 };
	unsigned int i, names_end;
	int err;

	err = parse_action(c, &c->w[1], &rule.route);
	if (!err)
		err = cabin_lex_need(c, 2, "a syscall name");
	if (err)
		return err;
	for (names_end = 2; names_end < c->nw; names_end++)
		if (!strcmp(c->w[names_end].text, "when"))
			break;
	if (names_end == 2)
		return cabin_lex_fail(c, c->w[2].col,
				      "expected a syscall name before 'when'");
	if (names_end < c->nw) {
		err = parse_when(c, names_end + 1, &rule);
		if (err)
			return err;
	}
	for (i = 2; i < names_end; i++) {
		err = add_word(c, &c->w[i], &rule);
		if (err)
			return err;
	}
	if (!c->syscall_line)
		c->syscall_line = c->line;
	return 0;
}

int cabin_policy_parse_syscall(struct parse_ctx *c)
{
	static const char *const off[] = { "off", NULL };
	int err = cabin_lex_need(c, 1, "an action, 'default' or 'filter'");

	if (err)
		return err;
	if (!strcmp(c->w[1].text, "default")) {
		err = cabin_lex_exact(c, 3, "an action");
		if (!err)
			err = parse_action(c, &c->w[2],
					   &c->p->syscall_default);
		if (err)
			return err;
		c->p->has_syscall_default = true;
		if (!c->syscall_line)
			c->syscall_line = c->line;
		return 0;
	}
	if (!strcmp(c->w[1].text, "filter")) {
		err = cabin_lex_exact(c, 3, "'off'");
		if (!err)
			err = cabin_lex_pick(c, 2, "'off'", off);
		if (err < 0)
			return err;
		c->p->filter_off = true;
		c->filter_line = c->line;
		return 0;
	}
	return do_syscall_rule(c);
}
