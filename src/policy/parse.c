/*
 * The policy language: a line-oriented parser that turns policy text into
 * a struct cabin_policy, the mutators it shares with command-line
 * overrides, and the whole-policy checks.  Every error names file, line
 * and column; the parser is bounded on arbitrary bytes.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/names.h"
#include "policy/lang.h"
#include "policy/policy.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define SHOWN_MAX 40

const struct cabin_policy_word cabin_policy_rights[] = {
	{ "read", CABIN_FILE_READ },
	{ "write", CABIN_FILE_WRITE },
	{ "create", CABIN_FILE_CREATE },
	{ "exec", CABIN_FILE_EXEC },
	{ "ioctl", CABIN_FILE_IOCTL },
	{ "list", CABIN_FILE_LIST },
	{ NULL, 0 },
};

const struct cabin_policy_word cabin_policy_isolates[] = {
	{ "pid", CABIN_ISOLATE_PID },
	{ "net", CABIN_ISOLATE_NET },
	{ "ipc", CABIN_ISOLATE_IPC },
	{ "uts", CABIN_ISOLATE_UTS },
	{ "mount", CABIN_ISOLATE_MOUNT },
	{ NULL, 0 },
};

struct word {
	char *text;
	unsigned int col;
};

/* One parse call: the text being read and where the parser is in it. */
struct ctx {
	struct cabin_policy *p;
	struct cabin_policy_error *err;
	const char *file;
	unsigned int origin;
	unsigned int line;
	unsigned int end_col;		/* just past the last word */
	bool seen_directive;
	struct word w[CABIN_POLICY_MAX_WORDS];
	unsigned int nw;
	char buf[2 * CABIN_POLICY_MAX_LINE + 2];
	char shown[SHOWN_MAX + 8];
	/* where cross-line settings were made in this text, 0 = not here */
	unsigned int net_none_line;
	unsigned int ports_line;
	unsigned int filter_line;
	unsigned int syscall_line;
};

static void verror(struct cabin_policy_error *err, const char *file,
		   unsigned int line, unsigned int col, const char *fmt,
		   va_list ap)
{
	if (!err)
		return;
	if (file != err->file)
		snprintf(err->file, sizeof(err->file), "%s", file ? file : "");
	err->line = line;
	err->column = line ? col : 0;
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
}

static void set_error(struct cabin_policy_error *err, const char *file,
		      unsigned int line, unsigned int col, const char *fmt,
		      ...) __attribute__((format(printf, 5, 6)));

static void set_error(struct cabin_policy_error *err, const char *file,
		      unsigned int line, unsigned int col, const char *fmt,
		      ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(err, file, line, col, fmt, ap);
	va_end(ap);
}

static int fail(struct ctx *c, unsigned int col, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct ctx *c, unsigned int col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(c->err, c->file, c->line, col, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int fail_errno(struct ctx *c, unsigned int col, int err)
{
	if (err == -ENOMEM) {
		fail(c, col, "out of memory");
		return err;
	}
	return fail(c, col, "too many entries (at most %d of a kind)",
		    CABIN_POLICY_MAX_ITEMS);
}

/* A word as it may be quoted in a message: short and printable. */
static const char *shown(struct ctx *c, const char *s)
{
	size_t i;

	for (i = 0; s[i] && i < SHOWN_MAX; i++) {
		unsigned char ch = (unsigned char)s[i];

		c->shown[i] = ch < 0x20 || ch >= 0x7f ? '?' : (char)ch;
	}
	if (s[i]) {
		memcpy(c->shown + i, "...", 4);
		return c->shown;
	}
	c->shown[i] = '\0';
	return c->shown;
}

/* ---- small words ---- */

const char *cabin_policy_errno_name(int err)
{
	if (err < 1 || err > 4095)
		return NULL;
	return strerrorname_np(err);
}

int cabin_policy_errno_number(const char *s)
{
	static const struct { const char *name; int err; } aliases[] = {
		{ "EWOULDBLOCK", EWOULDBLOCK },
		{ "EDEADLOCK", EDEADLOCK },
		{ "ENOTSUP", ENOTSUP },
	};
	unsigned long v;
	char *end;
	size_t i;
	int e;

	if (s[0] >= '0' && s[0] <= '9') {
		errno = 0;
		v = strtoul(s, &end, 10);
		if (errno || *end || v < 1 || v > 4095)
			return -1;
		return (int)v;
	}
	if (s[0] != 'E')
		return -1;
	for (i = 0; i < ARRAY_SIZE(aliases); i++)
		if (!strcmp(s, aliases[i].name))
			return aliases[i].err;
	for (e = 1; e <= 4095; e++) {
		const char *name = strerrorname_np(e);

		if (name && !strcmp(name, s))
			return e;
	}
	return -1;
}

bool cabin_policy_needs_quotes(const char *s)
{
	if (!*s)
		return true;
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch < 0x20 || ch == 0x7f || ch == ' ' || ch == '"' ||
		    ch == '#' || ch == '\\')
			return true;
	}
	return false;
}

static bool valid_env_name(const char *s)
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
static bool valid_path(const char *s)
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

static bool route_equal(const struct cabin_route *a,
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
	    !route_equal(&a->route, &b->route))
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

void cabin_policy_free(struct cabin_policy *p)
{
	size_t i;

	free(p->syscalls);
	for (i = 0; i < p->npaths; i++)
		free(p->paths[i].path);
	free(p->paths);
	for (i = 0; i < p->nenv_keep; i++)
		free(p->env_keep[i]);
	free(p->env_keep);
	for (i = 0; i < p->nenv_set; i++) {
		free(p->env_set[i].name);
		free(p->env_set[i].value);
	}
	free(p->env_set);
	cabin_policy_init(p);
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

int cabin_policy_add_path(struct cabin_policy *p, const char *path,
			  unsigned int rights, bool optional,
			  unsigned int line)
{
	struct cabin_path_rule *r;
	size_t i;
	int err;

	if (!valid_path(path) || !rights || (rights & ~CABIN_FILE_ALL))
		return -EINVAL;
	p->files_restricted = true;
	for (i = 0; i < p->npaths; i++) {
		r = &p->paths[i];
		if (!strcmp(r->path, path)) {
			r->rights |= rights;
			r->optional = r->optional && optional;
			return 0;
		}
	}
	err = grow((void **)&p->paths, p->npaths, sizeof(*p->paths));
	if (err)
		return err;
	r = &p->paths[p->npaths];
	r->path = strdup(path);
	if (!r->path)
		return -ENOMEM;
	r->rights = rights;
	r->optional = optional;
	r->line = line;
	p->npaths++;
	return 0;
}

static struct cabin_syscall_rule *find_catchall(struct cabin_policy *p,
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
static int add_syscall(struct cabin_policy *p, const char *name,
		       const struct cabin_rule *rule, unsigned int line,
		       unsigned int origin)
{
	struct cabin_syscall_rule *catchall, *r;
	size_t i, at;
	int err;

	if (strlen(name) >= sizeof(r->name) || !rule_valid(rule))
		return -EINVAL;
	catchall = find_catchall(p, rule->nr);
	if (!rule->ncond && catchall) {
		catchall->rule.route = rule->route;
		catchall->line = line;
		catchall->origin = origin;
		return 0;
	}
	for (i = 0; i < p->nsyscalls; i++)
		if (rule_equal(&p->syscalls[i].rule, rule))
			return 0;
	at = catchall ? (size_t)(catchall - p->syscalls) : p->nsyscalls;
	err = grow((void **)&p->syscalls, p->nsyscalls, sizeof(*p->syscalls));
	if (err)
		return err;
	memmove(&p->syscalls[at + 1], &p->syscalls[at],
		(p->nsyscalls - at) * sizeof(*p->syscalls));
	r = &p->syscalls[at];
	memset(r, 0, sizeof(*r));
	strcpy(r->name, name);
	r->rule = *rule;
	r->line = line;
	r->origin = origin;
	p->nsyscalls++;
	return 0;
}

int cabin_policy_add_syscall(struct cabin_policy *p, const char *name,
			     const struct cabin_rule *rule, unsigned int line)
{
	return add_syscall(p, name, rule, line, 0);
}

int cabin_policy_env_keep(struct cabin_policy *p, const char *name)
{
	size_t i;
	int err;

	if (!valid_env_name(name))
		return -EINVAL;
	for (i = 0; i < p->nenv_keep; i++)
		if (!strcmp(p->env_keep[i], name))
			return 0;
	err = grow((void **)&p->env_keep, p->nenv_keep, sizeof(*p->env_keep));
	if (err)
		return err;
	p->env_keep[p->nenv_keep] = strdup(name);
	if (!p->env_keep[p->nenv_keep])
		return -ENOMEM;
	p->nenv_keep++;
	return 0;
}

static struct cabin_env_set *find_env_set(struct cabin_policy *p,
					  const char *name)
{
	size_t i;

	for (i = 0; i < p->nenv_set; i++)
		if (!strcmp(p->env_set[i].name, name))
			return &p->env_set[i];
	return NULL;
}

static int env_set(struct cabin_policy *p, const char *name,
		   const char *value, unsigned int line, unsigned int origin)
{
	struct cabin_env_set *e;
	char *v;
	int err;

	if (!valid_env_name(name) || strchr(value, '\n'))
		return -EINVAL;
	v = strdup(value);
	if (!v)
		return -ENOMEM;
	e = find_env_set(p, name);
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
	return env_set(p, name, value, 0, 0);
}

/* ---- numbers ---- */

/* Decimal or 0x hex, the whole word, into 64 bits. */
static int parse_u64(const char *s, uint64_t *out, const char **rest)
{
	unsigned int base = 10;
	uint64_t v = 0;
	bool any = false;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	for (; *s; s++) {
		unsigned int d;

		if (*s >= '0' && *s <= '9')
			d = (unsigned int)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (unsigned int)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (unsigned int)(*s - 'A' + 10);
		else
			break;
		if (v > (UINT64_MAX - d) / base)
			return -ERANGE;
		v = v * base + d;
		any = true;
	}
	if (!any || (!rest && *s))
		return -EINVAL;
	if (rest)
		*rest = s;
	*out = v;
	return 0;
}

static int word_u64(struct ctx *c, const struct word *w, uint64_t *out)
{
	int err = parse_u64(w->text, out, NULL);

	if (err == -ERANGE)
		return fail(c, w->col, "number '%s' does not fit in 64 bits",
			    shown(c, w->text));
	if (err)
		return fail(c, w->col, "expected a number, got '%s'",
			    shown(c, w->text));
	return 0;
}

/* A size: a number with an optional K, M, G or T (binary) suffix. */
static int word_size(struct ctx *c, const struct word *w, uint64_t *out)
{
	static const char suffixes[] = "KMGT";
	const char *rest, *s;
	uint64_t v;
	int err = parse_u64(w->text, &v, &rest);
	unsigned int shift = 0;

	if (err == -ERANGE)
		return fail(c, w->col, "size '%s' does not fit in 64 bits",
			    shown(c, w->text));
	if (!err && *rest) {
		s = strchr(suffixes, *rest >= 'a' ? *rest - 32 : *rest);
		if (!s || !*s || rest[1])
			err = -EINVAL;
		else
			shift = 10 * (unsigned int)(s - suffixes + 1);
	}
	if (err)
		return fail(c, w->col,
			    "expected a size like 512M, got '%s'",
			    shown(c, w->text));
	if (shift && v > UINT64_MAX >> shift)
		return fail(c, w->col, "size '%s' does not fit in 64 bits",
			    shown(c, w->text));
	*out = v << shift;
	return 0;
}

/* ---- words of a line ---- */

static bool is_blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r';
}

/* One quoted stretch starting at line[*i] == '"', appended to *out. */
static int unquote(struct ctx *c, const char *line, size_t len, size_t *i,
		   char **out)
{
	size_t open = (*i)++;

	for (;;) {
		if (*i >= len)
			return fail(c, (unsigned int)open + 1,
				    "unterminated quote");
		if (line[*i] == '"') {
			(*i)++;
			return 0;
		}
		if (line[*i] == '\\') {
			if (*i + 1 >= len ||
			    (line[*i + 1] != '"' && line[*i + 1] != '\\'))
				return fail(c, (unsigned int)*i + 1,
					    "bad escape: only \\\" and \\\\ are allowed in quotes");
			(*i)++;
		}
		*(*out)++ = line[(*i)++];
	}
}

/*
 * Split a line into words: blanks separate them, '#' at the start of a
 * word starts a comment, and quoted stretches join the word they touch,
 * so NAME="a b" is one word.
 */
static int split(struct ctx *c, const char *line, size_t len)
{
	char *out = c->buf;
	size_t i = 0;
	int err;

	c->nw = 0;
	c->end_col = 1;
	for (;;) {
		while (i < len && is_blank(line[i]))
			i++;
		if (i >= len || line[i] == '#')
			return 0;
		if (c->nw == CABIN_POLICY_MAX_WORDS)
			return fail(c, (unsigned int)i + 1,
				    "too many words on one line (at most %d)",
				    CABIN_POLICY_MAX_WORDS);
		c->w[c->nw].text = out;
		c->w[c->nw].col = (unsigned int)i + 1;
		c->nw++;
		while (i < len && !is_blank(line[i])) {
			if (line[i] == '"') {
				err = unquote(c, line, len, &i, &out);
				if (err)
					return err;
			} else {
				*out++ = line[i++];
			}
		}
		*out++ = '\0';
		c->end_col = (unsigned int)i + 1;
	}
}

/* Column for "something is missing here": just past the last word. */
static unsigned int col_at(struct ctx *c, unsigned int i)
{
	return i < c->nw ? c->w[i].col : c->end_col;
}

static int need(struct ctx *c, unsigned int i, const char *what)
{
	if (i < c->nw)
		return 0;
	return fail(c, c->end_col, "expected %s after '%s'", what,
		    shown(c, c->w[c->nw - 1].text));
}

static int no_more(struct ctx *c, unsigned int i)
{
	if (i >= c->nw)
		return 0;
	return fail(c, c->w[i].col, "unexpected '%s'",
		    shown(c, c->w[i].text));
}

static int exact(struct ctx *c, unsigned int n, const char *what)
{
	int err = need(c, n - 1, what);

	return err ? err : no_more(c, n);
}

/* ---- syscall ---- */

static void route_text(const struct cabin_route *r, char *buf, size_t len)
{
	const char *name;

	switch (r->kind) {
	case CABIN_ROUTE_ALLOW:
		snprintf(buf, len, "allow");
		break;
	case CABIN_ROUTE_TRACE:
		snprintf(buf, len, "trace");
		break;
	case CABIN_ROUTE_KILL:
		snprintf(buf, len, "kill");
		break;
	case CABIN_ROUTE_DENY:
		name = cabin_policy_errno_name(r->err);
		if (name)
			snprintf(buf, len, "deny(%s)", name);
		else
			snprintf(buf, len, "deny(%d)", r->err);
		break;
	default:
		snprintf(buf, len, "route %d", (int)r->kind);
	}
}

static int parse_action(struct ctx *c, const struct word *w,
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
			return fail(c, w->col, "expected deny(ERRNO), got '%s'",
				    shown(c, s));
		n--;
		if (n >= sizeof(name))
			n = sizeof(name) - 1;
		memcpy(name, s + 5, n);
		name[n] = '\0';
		e = cabin_policy_errno_number(name);
		if (e < 0)
			return fail(c, w->col, "bad errno '%s'",
				    shown(c, name));
		r->kind = CABIN_ROUTE_DENY;
		r->err = e;
	} else {
		return fail(c, w->col,
			    "unknown action '%s' (expected allow, trace, kill, deny or deny(ERRNO))",
			    shown(c, s));
	}
	return 0;
}

static int parse_op(struct ctx *c, const struct word *w, enum cabin_cmp *op)
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
	return fail(c, w->col,
		    "bad operator '%s' (expected == != < <= > >= or &)",
		    shown(c, w->text));
}

/* argN OP VALUE, or argN & MASK == VALUE, starting at word *i. */
static int parse_cond(struct ctx *c, unsigned int *i, struct cabin_cond *cd)
{
	const struct word *w;
	int err;

	err = need(c, *i, "a condition like arg0 == 1");
	if (err)
		return err;
	w = &c->w[*i];
	if (strncmp(w->text, "arg", 3) || w->text[3] < '0' ||
	    w->text[3] > '5' || w->text[4])
		return fail(c, w->col,
			    "bad argument '%s' (expected arg0 to arg5)",
			    shown(c, w->text));
	memset(cd, 0, sizeof(*cd));
	cd->arg = (unsigned int)(w->text[3] - '0');
	err = need(c, ++*i, "an operator");
	if (err)
		return err;
	if (!strcmp(c->w[*i].text, "&")) {
		err = need(c, ++*i, "a mask");
		if (!err)
			err = word_u64(c, &c->w[*i], &cd->mask);
		if (!err)
			err = need(c, ++*i, "'=='");
		if (err)
			return err;
		if (strcmp(c->w[*i].text, "=="))
			return fail(c, c->w[*i].col,
				    "expected '==' after the mask, got '%s'",
				    shown(c, c->w[*i].text));
		cd->op = CABIN_CMP_MASKED_EQ;
	} else {
		err = parse_op(c, &c->w[*i], &cd->op);
		if (err)
			return err;
	}
	err = need(c, ++*i, "a value");
	if (!err)
		err = word_u64(c, &c->w[*i], &cd->value);
	++*i;
	return err;
}

static int parse_when(struct ctx *c, unsigned int i, struct cabin_rule *r)
{
	int err;

	for (;;) {
		if (r->ncond == CABIN_RULE_MAX_CONDS)
			return fail(c, col_at(c, i),
				    "too many conditions (at most %d)",
				    CABIN_RULE_MAX_CONDS);
		err = parse_cond(c, &i, &r->cond[r->ncond]);
		if (err)
			return err;
		r->ncond++;
		if (i >= c->nw)
			return 0;
		if (strcmp(c->w[i].text, "and"))
			return fail(c, c->w[i].col, "expected 'and', got '%s'",
				    shown(c, c->w[i].text));
		i++;
	}
}

/* An unconditioned rule may not contradict one from the same text. */
static int check_contradiction(struct ctx *c, const struct word *w,
			       const struct cabin_rule *r)
{
	struct cabin_syscall_rule *old = find_catchall(c->p, r->nr);
	char was[40];

	if (r->ncond || !old || old->origin != c->origin ||
	    route_equal(&old->rule.route, &r->route))
		return 0;
	route_text(&old->rule.route, was, sizeof(was));
	return fail(c, w->col, "syscall '%s' is already %s on line %u",
		    shown(c, w->text), was, old->line);
}

static int do_syscall_rule(struct ctx *c)
{
	struct cabin_rule rule = { 0 };
	unsigned int i, names_end;
	long nr;
	int err;

	err = parse_action(c, &c->w[1], &rule.route);
	if (!err)
		err = need(c, 2, "a syscall name");
	if (err)
		return err;
	for (names_end = 2; names_end < c->nw; names_end++)
		if (!strcmp(c->w[names_end].text, "when"))
			break;
	if (names_end == 2)
		return fail(c, c->w[2].col, "expected a syscall name before 'when'");
	if (names_end < c->nw) {
		err = parse_when(c, names_end + 1, &rule);
		if (err)
			return err;
	}
	for (i = 2; i < names_end; i++) {
		const struct word *w = &c->w[i];

		nr = strlen(w->text) < 40 ? cabin_syscall_number(w->text) : -1;
		if (nr < 0)
			return fail(c, w->col, "unknown syscall '%s'",
				    shown(c, w->text));
		rule.nr = (int)nr;
		err = check_contradiction(c, w, &rule);
		if (err)
			return err;
		err = add_syscall(c->p, w->text, &rule, c->line, c->origin);
		if (err)
			return fail_errno(c, w->col, err);
	}
	if (!c->syscall_line)
		c->syscall_line = c->line;
	return 0;
}

static int do_syscall(struct ctx *c)
{
	int err = need(c, 1, "an action, 'default' or 'filter'");

	if (err)
		return err;
	if (!strcmp(c->w[1].text, "default")) {
		err = exact(c, 3, "an action");
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
		err = exact(c, 3, "'off'");
		if (err)
			return err;
		if (strcmp(c->w[2].text, "off"))
			return fail(c, c->w[2].col, "expected 'off', got '%s'",
				    shown(c, c->w[2].text));
		c->p->filter_off = true;
		c->filter_line = c->line;
		return 0;
	}
	return do_syscall_rule(c);
}

/* ---- files ---- */

static int parse_words(struct ctx *c, const struct word *w,
		       const struct cabin_policy_word *table,
		       unsigned int all, const char *what,
		       unsigned int *bits)
{
	const char *s = w->text, *comma;
	size_t n, k;

	*bits = 0;
	for (;;) {
		comma = strchr(s, ',');
		n = comma ? (size_t)(comma - s) : strlen(s);
		if (n == 3 && !strncmp(s, "all", 3)) {
			*bits |= all;
		} else {
			for (k = 0; table[k].name; k++)
				if (strlen(table[k].name) == n &&
				    !strncmp(s, table[k].name, n))
					break;
			if (!table[k].name) {
				char bad[SHOWN_MAX];

				unsigned int col = w->col +
						   (unsigned int)(s - w->text);

				snprintf(bad, sizeof(bad), "%.*s",
					 (int)(n < SHOWN_MAX - 1 ? n :
					       SHOWN_MAX - 1), s);
				return fail(c, col, "unknown %s '%s'", what,
					    shown(c, bad));
			}
			*bits |= table[k].bit;
		}
		if (!comma)
			return 0;
		s = comma + 1;
	}
}

static int do_files(struct ctx *c)
{
	unsigned int rights, i;
	int err = need(c, 1, "rights like read,exec");

	if (!err)
		err = parse_words(c, &c->w[1], cabin_policy_rights,
				  CABIN_FILE_ALL, "right", &rights);
	if (!err)
		err = need(c, 2, "a path");
	if (err)
		return err;
	for (i = 2; i < c->nw; i++) {
		const char *path = c->w[i].text;
		bool optional = path[0] == '?';

		path += optional;
		if (!valid_path(path))
			return fail(c, c->w[i].col,
				    "bad path '%s' (absolute, relative, '~' or '~/...', with '?' in front if optional)",
				    shown(c, c->w[i].text));
		err = cabin_policy_add_path(c->p, path, rights, optional,
					    c->line);
		if (err)
			return fail_errno(c, c->w[i].col, err);
	}
	return 0;
}

/* ---- network ---- */

static int add_ports(struct ctx *c, uint16_t *ports, size_t *n)
{
	unsigned int i;
	size_t k;
	uint64_t v;
	int err;

	for (i = 3; i < c->nw; i++) {
		const struct word *w = &c->w[i];

		err = parse_u64(w->text, &v, NULL);
		if (err == -EINVAL)
			return fail(c, w->col, "expected a port, got '%s'",
				    shown(c, w->text));
		if (err || v < 1 || v > 65535)
			return fail(c, w->col,
				    "port %s out of range 1..65535",
				    shown(c, w->text));
		for (k = 0; k < *n; k++)
			if (ports[k] == v)
				break;
		if (k < *n)
			continue;
		if (*n == CABIN_POLICY_MAX_PORTS)
			return fail(c, w->col, "too many ports (at most %d)",
				    CABIN_POLICY_MAX_PORTS);
		ports[(*n)++] = (uint16_t)v;
	}
	return 0;
}

static int do_network(struct ctx *c)
{
	static const struct {
		const char *name;
		enum cabin_net_mode mode;
	} modes[] = {
		{ "none", CABIN_NET_NONE },
		{ "loopback", CABIN_NET_LOOPBACK },
		{ "host", CABIN_NET_HOST },
	};
	const char *s;
	size_t i;
	int err = need(c, 1, "none, loopback, host, connect or bind");

	if (err)
		return err;
	s = c->w[1].text;
	if (!strcmp(s, "connect") || !strcmp(s, "bind")) {
		err = need(c, 2, "'tcp'");
		if (err)
			return err;
		if (strcmp(c->w[2].text, "tcp"))
			return fail(c, c->w[2].col, "expected 'tcp', got '%s'",
				    shown(c, c->w[2].text));
		err = need(c, 3, "a port");
		if (!err && s[0] == 'c')
			err = add_ports(c, c->p->connect_ports,
					&c->p->nconnect_ports);
		else if (!err)
			err = add_ports(c, c->p->bind_ports,
					&c->p->nbind_ports);
		if (!err && !c->ports_line)
			c->ports_line = c->line;
		return err;
	}
	for (i = 0; i < ARRAY_SIZE(modes); i++) {
		if (!strcmp(s, modes[i].name)) {
			err = no_more(c, 2);
			if (err)
				return err;
			c->p->net = modes[i].mode;
			c->net_none_line = modes[i].mode == CABIN_NET_NONE ?
					   c->line : 0;
			return 0;
		}
	}
	return fail(c, c->w[1].col,
		    "expected none, loopback, host, connect or bind, got '%s'",
		    shown(c, s));
}

/* ---- limit ---- */

static int do_limit(struct ctx *c)
{
	struct cabin_limits *l = &c->p->limits;
	const struct word *w;
	const char *what;
	uint64_t v;
	int err = exact(c, 3, "a value");

	if (err) {
		if (c->nw < 2)
			return fail(c, col_at(c, 1),
				    "expected memory, cpu, procs, files, fsize or timeout after 'limit'");
		return err;
	}
	what = c->w[1].text;
	w = &c->w[2];
	if (!strcmp(what, "memory") || !strcmp(what, "fsize"))
		err = word_size(c, w, &v);
	else if (!strcmp(what, "cpu") || !strcmp(what, "procs") ||
		 !strcmp(what, "files") || !strcmp(what, "timeout"))
		err = word_u64(c, w, &v);
	else
		return fail(c, c->w[1].col,
			    "unknown limit '%s' (expected memory, cpu, procs, files, fsize or timeout)",
			    shown(c, what));
	if (err)
		return err;
	if (!strcmp(what, "memory") && v < (1u << 20))
		return fail(c, w->col, "'limit memory' must be at least 1M");
	if (!strcmp(what, "files") && v < 3)
		return fail(c, w->col,
			    "'limit files' must be at least 3 (stdin, stdout, stderr)");
	if (!v)
		return fail(c, w->col, "'limit %s' must be at least 1", what);
	if (!strcmp(what, "memory"))
		l->memory = v;
	else if (!strcmp(what, "cpu"))
		l->cpu = v;
	else if (!strcmp(what, "procs"))
		l->procs = v;
	else if (!strcmp(what, "files"))
		l->files = v;
	else if (!strcmp(what, "fsize"))
		l->fsize = v;
	else
		l->timeout = v;
	return 0;
}

/* ---- env ---- */

static int do_env_set(struct ctx *c)
{
	struct cabin_env_set *old;
	unsigned int i;
	char *eq;
	int err = need(c, 2, "NAME=VALUE");

	for (i = 2; !err && i < c->nw; i++) {
		const struct word *w = &c->w[i];

		eq = strchr(w->text, '=');
		if (eq)
			*eq = '\0';
		if (!eq || !valid_env_name(w->text)) {
			if (eq)
				*eq = '=';
			return fail(c, w->col,
				    "expected NAME=VALUE with a valid name, got '%s'",
				    shown(c, w->text));
		}
		old = find_env_set(c->p, w->text);
		if (old && old->origin == c->origin &&
		    strcmp(old->value, eq + 1))
			return fail(c, w->col,
				    "'%s' is already set to another value on line %u",
				    shown(c, w->text), old->line);
		err = env_set(c->p, w->text, eq + 1, c->line, c->origin);
		if (err)
			return fail_errno(c, w->col, err);
	}
	return err;
}

static int do_env(struct ctx *c)
{
	unsigned int i;
	int err = need(c, 1, "clear, keep or set");

	if (err)
		return err;
	if (!strcmp(c->w[1].text, "clear")) {
		err = no_more(c, 2);
		if (!err)
			c->p->env_clear = true;
		return err;
	}
	if (!strcmp(c->w[1].text, "set"))
		return do_env_set(c);
	if (strcmp(c->w[1].text, "keep"))
		return fail(c, c->w[1].col,
			    "expected clear, keep or set, got '%s'",
			    shown(c, c->w[1].text));
	err = need(c, 2, "a variable name");
	for (i = 2; !err && i < c->nw; i++) {
		if (!valid_env_name(c->w[i].text))
			return fail(c, c->w[i].col,
				    "bad variable name '%s'",
				    shown(c, c->w[i].text));
		err = cabin_policy_env_keep(c->p, c->w[i].text);
		if (err)
			return fail_errno(c, c->w[i].col, err);
	}
	return err;
}

/* ---- isolate, tmp, memory ---- */

static int do_isolate(struct ctx *c)
{
	unsigned int bits;
	int err = exact(c, 2, "a list like pid,net or 'none'");

	if (err)
		return err;
	if (!strcmp(c->w[1].text, "none")) {
		c->p->isolate = 0;
		return 0;
	}
	err = parse_words(c, &c->w[1], cabin_policy_isolates,
			  CABIN_ISOLATE_ALL, "namespace", &bits);
	if (!err)
		c->p->isolate |= bits;
	return err;
}

static int do_tmp(struct ctx *c)
{
	int err = exact(c, 2, "private or shared");

	if (err)
		return err;
	if (!strcmp(c->w[1].text, "private"))
		c->p->private_tmp = true;
	else if (!strcmp(c->w[1].text, "shared"))
		c->p->private_tmp = false;
	else
		return fail(c, c->w[1].col,
			    "expected private or shared, got '%s'",
			    shown(c, c->w[1].text));
	return 0;
}

static int do_memory(struct ctx *c)
{
	int err = exact(c, 2, "wx, xom or none");

	if (err)
		return err;
	if (!strcmp(c->w[1].text, "wx"))
		c->p->memory = CABIN_MEMORY_WX;
	else if (!strcmp(c->w[1].text, "xom"))
		c->p->memory = CABIN_MEMORY_XOM | CABIN_MEMORY_WX;
	else if (!strcmp(c->w[1].text, "none"))
		c->p->memory = 0;
	else
		return fail(c, c->w[1].col,
			    "expected wx, xom or none, got '%s'",
			    shown(c, c->w[1].text));
	return 0;
}

/* ---- profile ---- */

static int do_profile(struct ctx *c)
{
	struct cabin_policy_error perr;
	int err;

	if (c->seen_directive)
		return fail(c, c->w[0].col,
			    "'profile' must come before any other directive");
	err = exact(c, 2, "a profile name");
	if (err)
		return err;
	if (!cabin_profile_text(c->w[1].text)) {
		char known[128] = "";
		size_t i;

		for (i = 0; cabin_profile_names[i]; i++)
			snprintf(known + strlen(known),
				 sizeof(known) - strlen(known), "%s%s",
				 i ? ", " : "", cabin_profile_names[i]);
		return fail(c, c->w[1].col, "unknown profile '%s' (known: %s)",
			    shown(c, c->w[1].text), known);
	}
	err = cabin_policy_load_profile(c->p, c->w[1].text, &perr);
	if (err == -ENOMEM)
		return fail_errno(c, c->w[1].col, err);
	if (err)
		return fail(c, c->w[1].col, "profile '%s': %u: %s",
			    c->w[1].text, perr.line, perr.message);
	return 0;
}

/* ---- lines ---- */

static int do_line(struct ctx *c)
{
	static const struct {
		const char *name;
		int (*fn)(struct ctx *c);
	} directives[] = {
		{ "profile", do_profile },
		{ "syscall", do_syscall },
		{ "files", do_files },
		{ "network", do_network },
		{ "limit", do_limit },
		{ "env", do_env },
		{ "isolate", do_isolate },
		{ "tmp", do_tmp },
		{ "memory", do_memory },
	};
	size_t i;
	int err;

	for (i = 0; i < ARRAY_SIZE(directives); i++) {
		if (!strcmp(c->w[0].text, directives[i].name)) {
			err = directives[i].fn(c);
			c->seen_directive = true;
			return err;
		}
	}
	return fail(c, c->w[0].col, "unknown directive '%s'",
		    shown(c, c->w[0].text));
}

/*
 * Two settings that cannot hold together, each made on a line of this
 * text (line > 0) or inherited from a profile or earlier text (0).
 */
static int conflict(struct ctx *c, unsigned int a_line, const char *a,
		    unsigned int b_line, const char *b)
{
	if (a_line && b_line) {
		c->line = a_line > b_line ? a_line : b_line;
		return fail(c, 1, "'%s' contradicts '%s' on line %u",
			    a_line > b_line ? a : b, a_line > b_line ? b : a,
			    a_line > b_line ? b_line : a_line);
	}
	c->line = a_line ? a_line : b_line;
	if (!c->line)
		return fail(c, 0, "'%s' contradicts '%s'", a, b);
	if (c->p->profile[0])
		return fail(c, 1, "'%s' contradicts '%s' from profile %s",
			    a_line ? a : b, a_line ? b : a, c->p->profile);
	return fail(c, 1, "'%s' contradicts '%s' from an earlier policy",
		    a_line ? a : b, a_line ? b : a);
}

static int check_whole(struct ctx *c)
{
	struct cabin_policy *p = c->p;

	if (p->filter_off && (p->nsyscalls || p->has_syscall_default))
		return conflict(c, c->filter_line, "syscall filter off",
				c->syscall_line, "syscall rules");
	if (p->net == CABIN_NET_NONE &&
	    (p->nconnect_ports || p->nbind_ports))
		return conflict(c, c->net_none_line, "network none",
				c->ports_line, "network ports");
	return 0;
}

int cabin_policy_parse(struct cabin_policy *p, const char *text, size_t len,
		       const char *filename, struct cabin_policy_error *err)
{
	struct ctx *c = calloc(1, sizeof(*c));
	const char *line = text, *nl, *nul;
	size_t n;
	int ret = 0;

	if (!c) {
		set_error(err, filename, 0, 0, "out of memory");
		return -ENOMEM;
	}
	c->p = p;
	c->err = err;
	c->file = filename;
	c->origin = ++p->parses;
	while (!ret && line < text + len) {
		nl = memchr(line, '\n', (size_t)(text + len - line));
		n = nl ? (size_t)(nl - line) : (size_t)(text + len - line);
		if (c->line == UINT_MAX - 1) {
			ret = fail(c, 1, "too many lines");
			break;
		}
		c->line++;
		if (n > CABIN_POLICY_MAX_LINE) {
			ret = fail(c, CABIN_POLICY_MAX_LINE + 1,
				   "line longer than %d bytes",
				   CABIN_POLICY_MAX_LINE);
			break;
		}
		nul = memchr(line, '\0', n);
		if (nul) {
			ret = fail(c, (unsigned int)(nul - line) + 1,
				   "NUL byte in policy text");
			break;
		}
		ret = split(c, line, n);
		if (!ret && c->nw)
			ret = do_line(c);
		line += n + 1;
	}
	if (!ret)
		ret = check_whole(c);
	free(c);
	return ret;
}

int cabin_policy_load_file(struct cabin_policy *p, const char *path,
			   struct cabin_policy_error *err)
{
	size_t len = 0, cap = CABIN_POLICY_MAX_FILE + 1;
	char *buf = malloc(cap);
	ssize_t n = 0;
	int fd, ret;

	if (!buf) {
		set_error(err, path, 0, 0, "out of memory");
		return -ENOMEM;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		free(buf);
		set_error(err, path, 0, 0, "%s", strerror(-ret));
		return ret;
	}
	while (len < cap) {
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	ret = n < 0 ? -errno : 0;
	close(fd);
	if (ret)
		set_error(err, path, 0, 0, "%s", strerror(-ret));
	else if (len > CABIN_POLICY_MAX_FILE) {
		set_error(err, path, 0, 0, "larger than 1 MiB");
		ret = -EFBIG;
	} else {
		ret = cabin_policy_parse(p, buf, len, path, err);
	}
	free(buf);
	return ret;
}

/* ---- whole-policy checks and comparison ---- */

static int invalid(struct cabin_policy_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int invalid(struct cabin_policy_error *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(err, err ? err->file : "", 0, 0, fmt, ap);
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
	if (l->memory && l->memory < (1u << 20))
		return invalid(err, "'limit memory' must be at least 1M");
	if (l->files && l->files < 3)
		return invalid(err, "'limit files' must be at least 3");
	for (i = 0; i < p->npaths; i++)
		if (!p->paths[i].rights || !valid_path(p->paths[i].path))
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

static bool env_equal(const struct cabin_policy *a,
		      const struct cabin_policy *b)
{
	size_t i;

	if (a->env_clear != b->env_clear || a->nenv_keep != b->nenv_keep ||
	    a->nenv_set != b->nenv_set)
		return false;
	for (i = 0; i < a->nenv_keep; i++)
		if (strcmp(a->env_keep[i], b->env_keep[i]))
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
	     !route_equal(&a->syscall_default, &b->syscall_default)) ||
	    a->filter_off != b->filter_off || a->nsyscalls != b->nsyscalls)
		return false;
	for (i = 0; i < a->nsyscalls; i++)
		if (!rule_equal(&a->syscalls[i].rule, &b->syscalls[i].rule))
			return false;
	if (!paths_equal(a, b) || a->net != b->net ||
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

void cabin_policy_error_print(const struct cabin_policy_error *err,
			      FILE *out)
{
	const char *file = err->file[0] ? err->file : "policy";

	if (err->line)
		fprintf(out, "%s:%u:%u: %s\n", file, err->line, err->column,
			err->message);
	else
		fprintf(out, "%s: %s\n", file, err->message);
}
