/*
 * The policy as data: init and free, the mutators the parser shares with
 * command-line overrides, and the whole-policy validation and comparison
 * that do not depend on how it was written.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/names.h"
#include "policy/lang.h"
#include "policy/parse_int.h"
#include "policy/policy.h"

bool cabin_policy_valid_env_name(const char *s)
{
	if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
	      *s == '_'))
		return false;
	for (s++; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		      (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

/* "/x", ".", "./x", "x", "~", "~/x": never "~user", never "?x". */
bool cabin_policy_valid_path(const char *s)
{
	if (!*s || *s == '?' || strchr(s, '\n'))
		return false;
	if (s[0] == '~' && s[1] && s[1] != '/')
		return false;
	return true;
}

static bool route_valid(const struct cabin_route *r)
{
	switch (r->kind) {
	case CABIN_ROUTE_ALLOW:
	case CABIN_ROUTE_TRACE:
	case CABIN_ROUTE_KILL:
		return true;
	case CABIN_ROUTE_DENY:
		return r->err >= 1 && r->err <= 4095;
	default:
		return false;
	}
}

bool cabin_policy_route_equal(const struct cabin_route *a,
			      const struct cabin_route *b)
{
	if (a->kind != b->kind)
		return false;
	return a->kind != CABIN_ROUTE_DENY ||
	       (a->err == b->err && a->quiet == b->quiet);
}

static bool rule_equal(const struct cabin_rule *a, const struct cabin_rule *b)
{
	unsigned int i;

	if (a->nr != b->nr || a->ncond != b->ncond ||
	    !cabin_policy_route_equal(&a->route, &b->route))
		return false;
	for (i = 0; i < a->ncond; i++) {
		const struct cabin_cond *x = &a->cond[i], *y = &b->cond[i];

		if (x->arg != y->arg || x->op != y->op ||
		    x->value != y->value ||
		    (x->op == CABIN_CMP_MASKED_EQ && x->mask != y->mask))
			return false;
	}
	return true;
}

static bool rule_valid(const struct cabin_rule *r)
{
	unsigned int i;

	if (r->nr < 0 || r->ncond > CABIN_RULE_MAX_CONDS ||
	    !route_valid(&r->route))
		return false;
	for (i = 0; i < r->ncond; i++)
		if (r->cond[i].arg > 5 || r->cond[i].op > CABIN_CMP_MASKED_EQ)
			return false;
	return true;
}

/* ---- the policy and its mutators ---- */

void cabin_policy_init(struct cabin_policy *p)
{
	memset(p, 0, sizeof(*p));
	p->net = CABIN_NET_UNSET;
}

static void path_list_free(struct cabin_path_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->path[i]);
		free(l->where[i]);
	}
	free(l->path);
	free(l->where);
	l->path = NULL;
	l->where = NULL;
	l->n = 0;
}

static bool path_list_equal(const struct cabin_path_list *a,
			    const struct cabin_path_list *b)
{
	size_t i;

	if (a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++)
		if (strcmp(a->path[i], b->path[i]))
			return false;
	return true;
}

void cabin_policy_free(struct cabin_policy *p)
{
	size_t i;

	for (i = 0; i < p->nsyscalls; i++)
		free(p->syscalls[i].where);
	free(p->syscalls);
	for (i = 0; i < p->npaths; i++) {
		free(p->paths[i].path);
		free(p->paths[i].where);
	}
	free(p->paths);
	for (i = 0; i < p->nstrips; i++) {
		free(p->strips[i].path);
		free(p->strips[i].where);
	}
	free(p->strips);
	for (i = 0; i < p->nenv_keep; i++)
		free(p->env_keep[i]);
	free(p->env_keep);
	for (i = 0; i < p->nenv_unset; i++)
		free(p->env_unset[i]);
	free(p->env_unset);
	path_list_free(&p->trusted);
	path_list_free(&p->readable_code);
	for (i = 0; i < p->nenv_set; i++) {
		free(p->env_set[i].name);
		free(p->env_set[i].value);
	}
	free(p->env_set);
	cabin_policy_init(p);
}

struct cabin_policy *cabin_policy_new(void)
{
	struct cabin_policy *p = malloc(sizeof(*p));

	if (p)
		cabin_policy_init(p);
	return p;
}

void cabin_policy_delete(struct cabin_policy *p)
{
	if (!p)
		return;
	cabin_policy_free(p);
	free(p);
}

/* Room for one more element of an array that grows one at a time. */
static int grow(void **arr, size_t n, size_t size)
{
	void *a;

	if (n >= CABIN_POLICY_MAX_ITEMS)
		return -E2BIG;
	a = realloc(*arr, (n + 1) * size);
	if (!a)
		return -ENOMEM;
	*arr = a;
	return 0;
}

static int append_rule(struct cabin_path_rule **arr, size_t *n,
		       const char *path, unsigned int rights, bool optional,
		       const char *where, unsigned int origin)
{
	struct cabin_path_rule *r;
	int err = grow((void **)arr, *n, sizeof(**arr));

	if (err)
		return err;
	r = &(*arr)[*n];
	r->path = strdup(path);
	r->where = where ? strdup(where) : NULL;
	if (!r->path || (where && !r->where)) {
		free(r->path);
		free(r->where);
		return -ENOMEM;
	}
	r->rights = rights;
	r->optional = optional;
	r->origin = origin;
	(*n)++;
	return 0;
}

/* "//", "/./" and a trailing "/" dropped: the same name written so. */
static void tidy(char *s)
{
	char *in = s, *out = s;

	while (*in) {
		if (in[0] == '/' && (in[1] == '/' ||
				     (in[1] == '.' && (in[2] == '/' || !in[2])))) {
			in += in[1] == '/' ? 1 : 2;
			continue;
		}
		*out++ = *in++;
	}
	while (out > s + 1 && out[-1] == '/')
		out--;
	if (out == s)
		*out++ = '/';
	*out = '\0';
}

/*
 * The place a rule's path names, for telling two rules on one place
 * apart from two places: ".", "./x", "x/" and the working directory's
 * absolute name are one (symlinks resolved where the path exists);
 * "~" forms are compared as written.
 */
static void place_of(const char *path, char *buf, size_t len)
{
	char cwd[PATH_MAX], real[PATH_MAX];

	if (path[0] != '/' && path[0] != '~' && getcwd(cwd, sizeof(cwd)))
		snprintf(buf, len, "%s/%s", cwd, path);
	else
		snprintf(buf, len, "%s", path);
	tidy(buf);
	if (buf[0] == '/' && realpath(buf, real))
		snprintf(buf, len, "%s", real);
}

static bool same_place(const char *a, const char *b)
{
	char pa[PATH_MAX + 8], pb[PATH_MAX + 8];

	if (!strcmp(a, b))
		return true;
	place_of(a, pa, sizeof(pa));
	place_of(b, pb, sizeof(pb));
	return !strcmp(pa, pb);
}

/*
 * A path named again in the same text (or on the command line) gets the
 * union; named again by a later text (the lines after `profile
 * default` name a path of the profile's), the later rule replaces the
 * earlier one, so a policy can narrow a profile's grant on that path
 * (`files read .`, or `./`, or the working directory's absolute name).
 */
int cabin_policy_put_path(struct cabin_policy *p, const char *path,
			  unsigned int rights, bool optional,
			  const char *where, unsigned int origin)
{
	struct cabin_path_rule *r;
	char *w;
	size_t i;

	if (!cabin_policy_valid_path(path) || !rights ||
	    (rights & ~CABIN_FILE_ALL))
		return -EINVAL;
	p->files_restricted = true;
	for (i = 0; i < p->npaths; i++) {
		r = &p->paths[i];
		if (!same_place(r->path, path))
			continue;
		if (!origin || r->origin == origin) {
			r->rights |= rights;
			r->optional = r->optional && optional;
			return 0;
		}
		w = where ? strdup(where) : NULL;
		if (where && !w)
			return -ENOMEM;
		free(r->where);
		r->where = w;
		r->rights = rights;
		r->optional = optional;
		r->origin = origin;
		return 0;
	}
	return append_rule(&p->paths, &p->npaths, path, rights, optional,
			   where, origin);
}

int cabin_policy_add_path(struct cabin_policy *p, const char *path,
			  unsigned int rights, bool optional,
			  const char *where)
{
	return cabin_policy_put_path(p, path, rights, optional, where, 0);
}

int cabin_policy_add_strip(struct cabin_policy *p, const char *path,
			   unsigned int strip, bool optional,
			   const char *where)
{
	const unsigned int known = CABIN_STRIP_HIDE | CABIN_STRIP_READ_ONLY |
				   CABIN_STRIP_NO_EXEC;
	size_t i;

	if (!cabin_policy_valid_path(path) || !strip || (strip & ~known))
		return -EINVAL;
	if (strip & CABIN_STRIP_HIDE)
		strip = CABIN_STRIP_HIDE;
	for (i = 0; i < p->nstrips; i++) {
		if (same_place(p->strips[i].path, path)) {
			strip |= p->strips[i].rights;
			p->strips[i].rights = strip & CABIN_STRIP_HIDE ?
					      CABIN_STRIP_HIDE : strip;
			p->strips[i].optional = p->strips[i].optional &&
						optional;
			return 0;
		}
	}
	return append_rule(&p->strips, &p->nstrips, path, strip, optional,
			   where, 0);
}

const struct cabin_syscall_rule *
cabin_policy_syscall_of(const struct cabin_policy *p,
			const struct cabin_rule *rule)
{
	size_t i;

	for (i = 0; i < p->nsyscalls; i++)
		if (rule_equal(&p->syscalls[i].rule, rule))
			return &p->syscalls[i];
	return NULL;
}

struct cabin_syscall_rule *cabin_policy_find_catchall(struct cabin_policy *p,
						      int nr)
{
	size_t i;

	for (i = 0; i < p->nsyscalls; i++)
		if (p->syscalls[i].rule.nr == nr && !p->syscalls[i].rule.ncond)
			return &p->syscalls[i];
	return NULL;
}

/*
 * Rules for one syscall keep their conditioned rules before the one
 * unconditioned rule, since the first match wins: a condition written
 * after the catch-all could never match.
 */
int cabin_policy_add_syscall_origin(struct cabin_policy *p, const char *name,
				    const struct cabin_rule *rule,
				    unsigned int line, unsigned int origin,
				    const char *where)
{
	struct cabin_syscall_rule *catchall, *r;
	char *at_text = NULL;
	size_t i, at;
	int err;

	if (strlen(name) >= sizeof(r->name) || !rule_valid(rule))
		return -EINVAL;
	if (where && !(at_text = strdup(where)))
		return -ENOMEM;
	catchall = cabin_policy_find_catchall(p, rule->nr);
	if (!rule->ncond && catchall) {
		catchall->rule.route = rule->route;
		catchall->line = line;
		catchall->origin = origin;
		catchall->group = NULL;
		free(catchall->where);
		catchall->where = at_text;
		return 0;
	}
	for (i = 0; i < p->nsyscalls; i++) {
		if (rule_equal(&p->syscalls[i].rule, rule)) {
			free(at_text);
			return 0;
		}
	}
	at = catchall ? (size_t)(catchall - p->syscalls) : p->nsyscalls;
	err = grow((void **)&p->syscalls, p->nsyscalls, sizeof(*p->syscalls));
	if (err) {
		free(at_text);
		return err;
	}
	memmove(&p->syscalls[at + 1], &p->syscalls[at],
		(p->nsyscalls - at) * sizeof(*p->syscalls));
	r = &p->syscalls[at];
	memset(r, 0, sizeof(*r));
	strcpy(r->name, name);
	r->rule = *rule;
	r->line = line;
	r->origin = origin;
	r->where = at_text;
	p->nsyscalls++;
	return 0;
}

int cabin_policy_add_syscall(struct cabin_policy *p, const char *name,
			     const struct cabin_rule *rule, unsigned int line)
{
	return cabin_policy_add_syscall_origin(p, name, rule, line, 0, NULL);
}

/* Add name to a list of names once; drop it from another. */
static int env_list_move(char ***to, size_t *nto, char **from, size_t *nfrom,
			 const char *name)
{
	size_t i;
	int err;

	if (!cabin_policy_valid_env_name(name))
		return -EINVAL;
	for (i = 0; i < *nfrom; i++) {
		if (!strcmp(from[i], name)) {
			free(from[i]);
			memmove(&from[i], &from[i + 1],
				(--*nfrom - i) * sizeof(*from));
			break;
		}
	}
	for (i = 0; i < *nto; i++)
		if (!strcmp((*to)[i], name))
			return 0;
	err = grow((void **)to, *nto, sizeof(**to));
	if (err)
		return err;
	(*to)[*nto] = strdup(name);
	if (!(*to)[*nto])
		return -ENOMEM;
	++*nto;
	return 0;
}

int cabin_policy_env_keep(struct cabin_policy *p, const char *name)
{
	return env_list_move(&p->env_keep, &p->nenv_keep, p->env_unset,
			     &p->nenv_unset, name);
}

int cabin_policy_env_unset(struct cabin_policy *p, const char *name)
{
	return env_list_move(&p->env_unset, &p->nenv_unset, p->env_keep,
			     &p->nenv_keep, name);
}

int cabin_policy_add_file(struct cabin_path_list *l, const char *path,
			  const char *where)
{
	size_t i;
	int err;

	if (path[0] != '/' || !cabin_policy_valid_path(path))
		return -EINVAL;
	for (i = 0; i < l->n; i++)
		if (!strcmp(l->path[i], path))
			return 0;
	err = grow((void **)&l->path, l->n, sizeof(*l->path));
	if (!err)
		err = grow((void **)&l->where, l->n, sizeof(*l->where));
	if (err)
		return err;
	l->path[l->n] = strdup(path);
	l->where[l->n] = where ? strdup(where) : NULL;
	if (!l->path[l->n] || (where && !l->where[l->n])) {
		free(l->path[l->n]);
		free(l->where[l->n]);
		return -ENOMEM;
	}
	l->n++;
	return 0;
}

struct cabin_env_set *cabin_policy_find_env_set(struct cabin_policy *p,
						const char *name)
{
	size_t i;

	for (i = 0; i < p->nenv_set; i++)
		if (!strcmp(p->env_set[i].name, name))
			return &p->env_set[i];
	return NULL;
}

int cabin_policy_env_set_origin(struct cabin_policy *p, const char *name,
				const char *value, unsigned int line,
				unsigned int origin)
{
	struct cabin_env_set *e;
	char *v;
	int err;

	if (!cabin_policy_valid_env_name(name) || strchr(value, '\n'))
		return -EINVAL;
	v = strdup(value);
	if (!v)
		return -ENOMEM;
	e = cabin_policy_find_env_set(p, name);
	if (!e) {
		err = grow((void **)&p->env_set, p->nenv_set,
			   sizeof(*p->env_set));
		if (err) {
			free(v);
			return err;
		}
		e = &p->env_set[p->nenv_set];
		e->name = strdup(name);
		if (!e->name) {
			free(v);
			return -ENOMEM;
		}
		e->value = NULL;
		p->nenv_set++;
	}
	free(e->value);
	e->value = v;
	e->line = line;
	e->origin = origin;
	return 0;
}

int cabin_policy_env_set(struct cabin_policy *p, const char *name,
			 const char *value)
{
	return cabin_policy_env_set_origin(p, name, value, 0, 0);
}

/* ---- whole-policy checks and comparison ---- */

static int invalid(struct cabin_policy_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int invalid(struct cabin_policy_error *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cabin_policy_verror(err, err ? err->file : "", 0, 0, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int validate_syscalls(const struct cabin_policy *p,
			     struct cabin_policy_error *err)
{
	char buf[64];
	size_t i, j;

	if (p->filter_off && (p->nsyscalls || p->has_syscall_default))
		return invalid(err,
			       "'syscall filter off' contradicts syscall rules");
	for (i = 0; i < p->nsyscalls; i++) {
		const struct cabin_rule *r = &p->syscalls[i].rule;

		if (!rule_valid(r))
			return invalid(err, "malformed rule for syscall '%s'",
				       cabin_syscall_name(r->nr, buf,
							  sizeof(buf)));
		for (j = 0; j < i && !r->ncond; j++)
			if (p->syscalls[j].rule.nr == r->nr &&
			    !p->syscalls[j].rule.ncond)
				return invalid(err,
					       "syscall '%s' has two actions",
					       cabin_syscall_name(r->nr, buf,
								  sizeof(buf)));
	}
	return 0;
}

int cabin_policy_validate(const struct cabin_policy *p,
			  struct cabin_policy_error *err)
{
	const struct cabin_limits *l = &p->limits;
	size_t i, j;
	int ret;

	if (err)
		err->file[0] = '\0';
	ret = validate_syscalls(p, err);
	if (ret)
		return ret;
	if (p->has_syscall_default && !route_valid(&p->syscall_default))
		return invalid(err, "malformed syscall default");
	if (p->net == CABIN_NET_NONE && (p->nconnect_ports || p->nbind_ports))
		return invalid(err, "'network none' contradicts network ports");
	if (l->rlimit_as && l->rlimit_as < (1u << 20))
		return invalid(err, "'limit rlimit-as' must be at least 1M");
	if (l->memory_max && l->memory_max < (1u << 20))
		return invalid(err, "'limit memory' must be at least 1M");
	if (l->rlimit_nofile && l->rlimit_nofile < 3)
		return invalid(err, "'limit rlimit-nofile' must be at least 3");
	if (l->cpu_max > 100000)
		return invalid(err, "'limit cpu-max' must be at most 100000%% (1000 CPUs)");
	for (i = 0; i < p->npaths; i++)
		if (!p->paths[i].rights ||
		    !cabin_policy_valid_path(p->paths[i].path))
			return invalid(err, "bad path rule");
	for (i = 0; i < p->nenv_set; i++)
		for (j = 0; j < i; j++)
			if (!strcmp(p->env_set[i].name, p->env_set[j].name) &&
			    strcmp(p->env_set[i].value, p->env_set[j].value))
				return invalid(err,
					       "'%.64s' is set to two values",
					       p->env_set[i].name);
	return 0;
}

static const struct cabin_path_rule *find_path(const struct cabin_policy *p,
					       const char *path)
{
	size_t i;

	for (i = 0; i < p->npaths; i++)
		if (!strcmp(p->paths[i].path, path))
			return &p->paths[i];
	return NULL;
}

static bool paths_equal(const struct cabin_policy *a,
			const struct cabin_policy *b)
{
	const struct cabin_path_rule *o;
	size_t i;

	if (a->files_restricted != b->files_restricted ||
	    a->npaths != b->npaths)
		return false;
	for (i = 0; i < a->npaths; i++) {
		o = find_path(b, a->paths[i].path);
		if (!o || o->rights != a->paths[i].rights ||
		    o->optional != a->paths[i].optional)
			return false;
	}
	return true;
}

static bool strips_equal(const struct cabin_policy *a,
			 const struct cabin_policy *b)
{
	size_t i, j;

	if (a->nstrips != b->nstrips)
		return false;
	for (i = 0; i < a->nstrips; i++) {
		for (j = 0; j < b->nstrips; j++)
			if (!strcmp(a->strips[i].path, b->strips[j].path))
				break;
		if (j == b->nstrips ||
		    a->strips[i].rights != b->strips[j].rights ||
		    a->strips[i].optional != b->strips[j].optional)
			return false;
	}
	return true;
}

static bool env_equal(const struct cabin_policy *a,
		      const struct cabin_policy *b)
{
	size_t i;

	if (!path_list_equal(&a->trusted, &b->trusted) ||
	    !path_list_equal(&a->readable_code, &b->readable_code))
		return false;
	if (a->env_clear != b->env_clear || a->nenv_keep != b->nenv_keep ||
	    a->nenv_unset != b->nenv_unset || a->nenv_set != b->nenv_set)
		return false;
	for (i = 0; i < a->nenv_keep; i++)
		if (strcmp(a->env_keep[i], b->env_keep[i]))
			return false;
	for (i = 0; i < a->nenv_unset; i++)
		if (strcmp(a->env_unset[i], b->env_unset[i]))
			return false;
	for (i = 0; i < a->nenv_set; i++)
		if (strcmp(a->env_set[i].name, b->env_set[i].name) ||
		    strcmp(a->env_set[i].value, b->env_set[i].value))
			return false;
	return true;
}

bool cabin_policy_equal(const struct cabin_policy *a,
			const struct cabin_policy *b)
{
	size_t i;

	if (a->has_syscall_default != b->has_syscall_default ||
	    (a->has_syscall_default &&
	     !cabin_policy_route_equal(&a->syscall_default,
				       &b->syscall_default)) ||
	    a->filter_off != b->filter_off || a->nsyscalls != b->nsyscalls)
		return false;
	for (i = 0; i < a->nsyscalls; i++)
		if (!rule_equal(&a->syscalls[i].rule, &b->syscalls[i].rule))
			return false;
	if (!paths_equal(a, b) || !strips_equal(a, b) || a->net != b->net ||
	    a->nconnect_ports != b->nconnect_ports ||
	    a->nbind_ports != b->nbind_ports ||
	    memcmp(a->connect_ports, b->connect_ports,
		   a->nconnect_ports * sizeof(uint16_t)) ||
	    memcmp(a->bind_ports, b->bind_ports,
		   a->nbind_ports * sizeof(uint16_t)) ||
	    memcmp(&a->limits, &b->limits, sizeof(a->limits)))
		return false;
	return env_equal(a, b) && a->isolate == b->isolate &&
	       a->private_tmp == b->private_tmp && a->memory == b->memory;
}

