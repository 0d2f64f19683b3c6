/*
 * The policy language's parser: the directive dispatcher, every directive
 * but 'syscall' (parse_syscall.c), the checks that span lines of one
 * text, and the entry points that read a policy file or a built-in
 * profile (profiles.c holds their texts).  Words come from lex.c; what
 * they build lives in policy.c.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "policy/lang.h"
#include "policy/parse_int.h"
#include "policy/policy.h"

/* ---- files ---- */

/* A comma list of table words, or "all", into bits. */
static int parse_words(struct parse_ctx *c, const struct parse_word *w,
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
				return cabin_lex_fail(c, col,
						      "unknown %s '%s'", what,
						      cabin_lex_shown(c, bad));
			}
			*bits |= table[k].bit;
		}
		if (!comma)
			return 0;
		s = comma + 1;
	}
}

/* `files none|read-only|no-exec ...`: its first word names a strip. */
static bool is_strip(const char *words)
{
	size_t n = strcspn(words, ","), k;

	for (k = 0; cabin_policy_strips[k].name; k++)
		if (strlen(cabin_policy_strips[k].name) == n &&
		    !strncmp(words, cabin_policy_strips[k].name, n))
			return true;
	return false;
}

static int do_files(struct parse_ctx *c)
{
	char where[CABIN_POLICY_WHERE_MAX];
	unsigned int rights, i;
	bool strip;
	int err = cabin_lex_need(c, 1, "rights like read,exec");

	strip = !err && is_strip(c->w[1].text);
	if (!err && strip)
		err = parse_words(c, &c->w[1], cabin_policy_strips, 0,
				  "'none', 'read-only' or 'no-exec' word",
				  &rights);
	else if (!err)
		err = parse_words(c, &c->w[1], cabin_policy_rights,
				  CABIN_FILE_ALL, "right", &rights);
	if (!err)
		err = cabin_lex_need(c, 2, "a path");
	if (err)
		return err;
	for (i = 2; i < c->nw; i++) {
		const char *path = c->w[i].text;
		bool optional = path[0] == '?';

		path += optional;
		if (!cabin_policy_valid_path(path))
			return cabin_lex_fail(c, c->w[i].col,
					      "bad path '%s' (absolute, relative, '~' or '~/...', with '?' in front if optional)",
					      cabin_lex_shown(c, c->w[i].text));
		cabin_policy_where(where, sizeof(where), c->file, c->line,
				    c->w[i].col);
		err = strip ? cabin_policy_add_strip(c->p, path, rights,
						     optional, where)
			    : cabin_policy_put_path(c->p, path, rights,
						    optional, where,
						    c->origin);
		if (err)
			return cabin_lex_fail_errno(c, c->w[i].col, err);
	}
	return 0;
}

/* ---- network ---- */

static int add_ports(struct parse_ctx *c, uint16_t *ports, size_t *n)
{
	unsigned int i;
	size_t k;
	uint64_t v;
	int err;

	for (i = 3; i < c->nw; i++) {
		const struct parse_word *w = &c->w[i];

		err = cabin_lex_number(w->text, &v, NULL);
		if (err == -EINVAL)
			return cabin_lex_fail(c, w->col,
					      "expected a port, got '%s'",
					      cabin_lex_shown(c, w->text));
		if (err || v < 1 || v > 65535)
			return cabin_lex_fail(c, w->col,
					      "port %s out of range 1..65535",
					      cabin_lex_shown(c, w->text));
		for (k = 0; k < *n; k++)
			if (ports[k] == v)
				break;
		if (k < *n)
			continue;
		if (*n == CABIN_POLICY_MAX_PORTS)
			return cabin_lex_fail(c, w->col,
					      "too many ports (at most %d)",
					      CABIN_POLICY_MAX_PORTS);
		ports[(*n)++] = (uint16_t)v;
	}
	return 0;
}

static int do_network(struct parse_ctx *c)
{
	/* connect and bind first, then the modes in enum order */
	static const char *const words[] = {
		"connect", "bind", "none", "loopback", "host", NULL,
	};
	static const enum cabin_net_mode modes[] = {
		CABIN_NET_NONE, CABIN_NET_LOOPBACK, CABIN_NET_HOST,
	};
	static const char what[] = "none, loopback, host, connect or bind";
	static const char *const tcp[] = { "tcp", NULL };
	int err, k = cabin_lex_pick(c, 1, what, words);

	if (k < 0)
		return k;
	if (k >= 2) {
		err = cabin_lex_no_more(c, 2);
		if (err)
			return err;
		c->p->net = modes[k - 2];
		c->net_none_line = modes[k - 2] == CABIN_NET_NONE ?
				   c->line : 0;
		return 0;
	}
	err = cabin_lex_pick(c, 2, "'tcp'", tcp);
	if (!err)
		err = cabin_lex_need(c, 3, "a port");
	if (!err && k == 0)
		err = add_ports(c, c->p->connect_ports,
				&c->p->nconnect_ports);
	else if (!err)
		err = add_ports(c, c->p->bind_ports, &c->p->nbind_ports);
	if (!err && !c->ports_line)
		c->ports_line = c->line;
	return err;
}

/* ---- limit ---- */

int cabin_policy_parse_cpu_share(const char *s, uint64_t *percent)
{
	uint64_t whole = 0, frac = 0, scale = 100;
	const char *q = s;

	if (!isdigit((unsigned char)*q))
		return -EINVAL;
	while (isdigit((unsigned char)*q) && whole <= 100000)
		whole = whole * 10 + (uint64_t)(*q++ - '0');
	if (*q == '%' && !q[1]) {
		*percent = whole;
	} else {
		/* CPUs, to two decimals: 0.5 is 50%, 1.25 is 125%. */
		if (*q == '.') {
			for (q++; isdigit((unsigned char)*q); q++) {
				if (scale == 1)
					return -EINVAL;
				scale /= 10;
				frac += (uint64_t)(*q - '0') * scale;
			}
		}
		if (*q)
			return -EINVAL;
		*percent = whole * 100 + frac;
	}
	return *percent >= 1 && *percent <= 100000 ? 0 : -EINVAL;
}

/* The spellings that meant a per-process limit once, and what to write. */
static const char *renamed_limit(const char *what)
{
	if (!strcmp(what, "cpu"))
		return "'limit cpu' is gone: write 'limit rlimit-cpu SECONDS' (CPU seconds of each process) or 'limit cpu-max SHARE' (the whole tree's share of the CPUs)";
	if (!strcmp(what, "files"))
		return "'limit files' is gone: write 'limit rlimit-nofile N' (open descriptors of each process)";
	return NULL;
}

static int do_limit(struct parse_ctx *c)
{
	enum { COUNT, SIZE, SHARE };
	static const struct {
		const char *name;
		size_t field;		/* offset in struct cabin_limits */
		int kind;
		uint64_t min;
		const char *too_small;	/* NULL: "must be at least 1" */
	} limits[] = {
		{ "memory", offsetof(struct cabin_limits, memory_max), SIZE,
		  1u << 20, "'limit memory' must be at least 1M" },
		{ "pids-max", offsetof(struct cabin_limits, pids_max), COUNT,
		  1, NULL },
		{ "cpu-max", offsetof(struct cabin_limits, cpu_max), SHARE,
		  1, NULL },
		{ "rlimit-as", offsetof(struct cabin_limits, rlimit_as), SIZE,
		  1u << 20, "'limit rlimit-as' must be at least 1M" },
		{ "rlimit-cpu", offsetof(struct cabin_limits, rlimit_cpu),
		  COUNT, 1, NULL },
		{ "procs", offsetof(struct cabin_limits, procs), COUNT, 1,
		  NULL },
		{ "rlimit-nofile", offsetof(struct cabin_limits, rlimit_nofile),
		  COUNT, 3,
		  "'limit rlimit-nofile' must be at least 3 (stdin, stdout, stderr)" },
		{ "rlimit-fsize", offsetof(struct cabin_limits, rlimit_fsize),
		  SIZE, 1, NULL },
		/* the largest file written: what it always meant */
		{ "fsize", offsetof(struct cabin_limits, rlimit_fsize), SIZE, 1,
		  NULL },
		{ "timeout", offsetof(struct cabin_limits, timeout), COUNT, 1,
		  NULL },
	};
	static const char known[] = "memory, pids-max, cpu-max, procs, timeout, rlimit-as, rlimit-cpu, rlimit-nofile or rlimit-fsize";
	const struct parse_word *w;
	const char *what;
	uint64_t v;
	size_t k;
	int err = cabin_lex_exact(c, 3, "a value");

	if (err) {
		if (c->nw < 2)
			return cabin_lex_fail(c, cabin_lex_col_at(c, 1),
					      "expected %s after 'limit'",
					      known);
		return err;
	}
	what = c->w[1].text;
	w = &c->w[2];
	if (renamed_limit(what))
		return cabin_lex_fail(c, c->w[1].col, "%s",
				      renamed_limit(what));
	for (k = 0; k < ARRAY_SIZE(limits); k++)
		if (!strcmp(what, limits[k].name))
			break;
	if (k == ARRAY_SIZE(limits))
		return cabin_lex_fail(c, c->w[1].col,
				      "unknown limit '%s' (expected %s)",
				      cabin_lex_shown(c, what), known);
	if (limits[k].kind == SHARE) {
		if (cabin_policy_parse_cpu_share(w->text, &v) < 0)
			return cabin_lex_fail(c, w->col,
					      "'limit cpu-max' takes a share of the CPUs such as 50%% or 1.5 (1%% to 100000%%), not '%s'",
					      cabin_lex_shown(c, w->text));
	} else if (limits[k].kind == SIZE) {
		err = cabin_lex_size(c, w, &v);
	} else {
		err = cabin_lex_u64(c, w, &v);
	}
	if (err)
		return err;
	if (v < limits[k].min && limits[k].too_small)
		return cabin_lex_fail(c, w->col, "%s", limits[k].too_small);
	if (v < limits[k].min)
		return cabin_lex_fail(c, w->col,
				      "'limit %s' must be at least 1", what);
	*(uint64_t *)((char *)&c->p->limits + limits[k].field) = v;
	return 0;
}

/* ---- env ---- */

static int do_env_set(struct parse_ctx *c)
{
	struct cabin_env_set *old;
	unsigned int i;
	char *eq;
	int err = cabin_lex_need(c, 2, "NAME=VALUE");

	for (i = 2; !err && i < c->nw; i++) {
		const struct parse_word *w = &c->w[i];

		eq = strchr(w->text, '=');
		if (eq)
			*eq = '\0';
		if (!eq || !cabin_policy_valid_env_name(w->text)) {
			if (eq)
				*eq = '=';
			return cabin_lex_fail(c, w->col,
					      "expected NAME=VALUE with a valid name, got '%s'",
					      cabin_lex_shown(c, w->text));
		}
		old = cabin_policy_find_env_set(c->p, w->text);
		if (old && old->origin == c->origin &&
		    strcmp(old->value, eq + 1))
			return cabin_lex_fail(c, w->col,
					      "'%s' is already set to another value on line %u",
					      cabin_lex_shown(c, w->text),
					      old->line);
		err = cabin_policy_env_set_origin(c->p, w->text, eq + 1,
						  c->line, c->origin);
		if (err)
			return cabin_lex_fail_errno(c, w->col, err);
	}
	return err;
}

static int do_env(struct parse_ctx *c)
{
	enum { CLEAR, KEEP, SET, UNSET };
	static const char *const words[] = { "clear", "keep", "set", "unset",
					     NULL };
	static const char what[] = "clear, keep, set or unset";
	unsigned int i;
	int err, k = cabin_lex_pick(c, 1, what, words);

	if (k < 0)
		return k;
	if (k == CLEAR) {
		err = cabin_lex_no_more(c, 2);
		if (!err)
			c->p->env_clear = true;
		return err;
	}
	if (k == SET)
		return do_env_set(c);
	err = cabin_lex_need(c, 2, "a variable name");
	for (i = 2; !err && i < c->nw; i++) {
		if (!cabin_policy_valid_env_name(c->w[i].text))
			return cabin_lex_fail(c, c->w[i].col,
					      "bad variable name '%s'",
					      cabin_lex_shown(c, c->w[i].text));
		err = k == KEEP ? cabin_policy_env_keep(c->p, c->w[i].text)
				: cabin_policy_env_unset(c->p, c->w[i].text);
		if (err)
			return cabin_lex_fail_errno(c, c->w[i].col, err);
	}
	return err;
}

/* ---- isolate, tmp, memory ---- */

static int do_isolate(struct parse_ctx *c)
{
	unsigned int bits;
	int err = cabin_lex_exact(c, 2, "a list like pid,net or 'none'");

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

/* "DIRECTIVE WORD" where WORD is one of names: its index, or an error. */
static int one_of(struct parse_ctx *c, const char *what,
		  const char *const *names)
{
	int err = cabin_lex_exact(c, 2, what);

	return err ? err : cabin_lex_pick(c, 1, what, names);
}

static int do_tmp(struct parse_ctx *c)
{
	static const char *const words[] = { "private", "shared", NULL };
	int k = one_of(c, "private or shared", words);

	if (k < 0)
		return k;
	c->p->private_tmp = k == 0;
	return 0;
}

/*
 * "memory trust PATH...": files xom lets hold WRPKRU or XRSTOR;
 * "memory readable-code PATH...": files whose code xom leaves readable.
 */
static int do_memory_files(struct parse_ctx *c, struct cabin_path_list *l)
{
	char where[CABIN_POLICY_WHERE_MAX];
	unsigned int i;
	int err = cabin_lex_need(c, 2, "an absolute path");

	for (i = 2; !err && i < c->nw; i++) {
		cabin_policy_where(where, sizeof(where), c->file, c->line,
				   c->w[i].col);
		err = cabin_policy_add_file(l, c->w[i].text, where);
		if (err == -EINVAL)
			return cabin_lex_fail(c, c->w[i].col,
					      "'memory %s' takes absolute paths, not '%s'",
					      c->w[1].text,
					      cabin_lex_shown(c, c->w[i].text));
		if (err)
			return cabin_lex_fail_errno(c, c->w[i].col, err);
	}
	return err;
}

static int do_memory(struct parse_ctx *c)
{
	static const char *const words[] = { "wx", "xom", "none", NULL };
	static const unsigned int memory[] = {
		CABIN_MEMORY_WX, CABIN_MEMORY_XOM | CABIN_MEMORY_WX, 0,
	};
	int k;

	if (c->nw > 1 && !strcmp(c->w[1].text, "trust"))
		return do_memory_files(c, &c->p->trusted);
	if (c->nw > 1 && !strcmp(c->w[1].text, "readable-code"))
		return do_memory_files(c, &c->p->readable_code);
	k = one_of(c, "wx, xom, none, trust or readable-code", words);
	if (k < 0)
		return k;
	c->p->memory = memory[k];
	return 0;
}
/* ---- profile ---- */

static int do_profile(struct parse_ctx *c)
{
	struct cabin_policy_error perr;
	int err;

	if (c->seen_directive)
		return cabin_lex_fail(c, c->w[0].col,
				      "'profile' must come before any other directive");
	err = cabin_lex_exact(c, 2, "a profile name");
	if (err)
		return err;
	if (!cabin_profile_text(c->w[1].text)) {
		char known[128] = "";
		size_t i;

		for (i = 0; cabin_profile_names[i]; i++)
			snprintf(known + strlen(known),
				 sizeof(known) - strlen(known), "%s%s",
				 i ? ", " : "", cabin_profile_names[i]);
		return cabin_lex_fail(c, c->w[1].col,
				      "unknown profile '%s' (known: %s)",
				      cabin_lex_shown(c, c->w[1].text), known);
	}
	err = cabin_policy_load_profile(c->p, c->w[1].text, &perr);
	if (err == -ENOMEM)
		return cabin_lex_fail_errno(c, c->w[1].col, err);
	if (err)
		return cabin_lex_fail(c, c->w[1].col, "profile '%s': %u: %s",
				      c->w[1].text, perr.line, perr.message);
	return 0;
}

/* ---- lines ---- */

static int do_line(struct parse_ctx *c)
{
	static const struct {
		const char *name;
		int (*fn)(struct parse_ctx *c);
	} directives[] = {
		{ "profile", do_profile },
		{ "syscall", cabin_policy_parse_syscall },
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
	return cabin_lex_fail(c, c->w[0].col, "unknown directive '%s'",
			      cabin_lex_shown(c, c->w[0].text));
}

/*
 * Two settings that cannot hold together, each made on a line of this
 * text (line > 0) or inherited from a profile or earlier text (0).
 */
static int conflict(struct parse_ctx *c, unsigned int a_line, const char *a,
		    unsigned int b_line, const char *b)
{
	if (a_line && b_line) {
		c->line = a_line > b_line ? a_line : b_line;
		return cabin_lex_fail(c, 1, "'%s' contradicts '%s' on line %u",
				      a_line > b_line ? a : b,
				      a_line > b_line ? b : a,
				      a_line > b_line ? b_line : a_line);
	}
	c->line = a_line ? a_line : b_line;
	if (!c->line)
		return cabin_lex_fail(c, 0, "'%s' contradicts '%s'", a, b);
	if (c->p->profile[0])
		return cabin_lex_fail(c, 1,
				      "'%s' contradicts '%s' from profile %s",
				      a_line ? a : b, a_line ? b : a,
				      c->p->profile);
	return cabin_lex_fail(c, 1,
			      "'%s' contradicts '%s' from an earlier policy",
			      a_line ? a : b, a_line ? b : a);
}

static int check_whole(struct parse_ctx *c)
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
	struct parse_ctx *c = calloc(1, sizeof(*c));
	const char *pos = text;
	int ret;

	if (!c) {
		cabin_policy_set_error(err, filename, 0, 0, "out of memory");
		return -ENOMEM;
	}
	c->p = p;
	c->err = err;
	c->file = filename;
	c->origin = ++p->parses;
	while ((ret = cabin_lex_line(c, &pos, text + len)) > 0) {
		ret = c->nw ? do_line(c) : 0;
		if (ret)
			break;
	}
	if (!ret)
		ret = check_whole(c);
	free(c);
	return ret;
}

/* ---- loading a file or a built-in profile ---- */

int cabin_policy_load_file(struct cabin_policy *p, const char *path,
			   struct cabin_policy_error *err)
{
	size_t len = 0, cap = CABIN_POLICY_MAX_FILE + 1;
	char *buf = malloc(cap);
	ssize_t n = 0;
	int fd, ret;

	if (!buf) {
		cabin_policy_set_error(err, path, 0, 0, "out of memory");
		return -ENOMEM;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		free(buf);
		cabin_policy_set_error(err, path, 0, 0, "%s", strerror(-ret));
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
		cabin_policy_set_error(err, path, 0, 0, "%s", strerror(-ret));
	else if (len > CABIN_POLICY_MAX_FILE) {
		cabin_policy_set_error(err, path, 0, 0, "larger than 1 MiB");
		ret = -EFBIG;
	} else {
		ret = cabin_policy_parse(p, buf, len, path, err);
	}
	free(buf);
	return ret;
}

int cabin_policy_load_profile(struct cabin_policy *p, const char *name,
			      struct cabin_policy_error *err)
{
	const char *text = cabin_profile_text(name);
	char file[64];
	int ret;

	if (!text) {
		if (err) {
			snprintf(err->file, sizeof(err->file), "profile");
			err->line = 0;
			err->column = 0;
			snprintf(err->message, sizeof(err->message),
				 "unknown profile '%.32s' (known: default, strict, trace, none)",
				 name);
		}
		return -EINVAL;
	}
	snprintf(file, sizeof(file), "profile %s", name);
	ret = cabin_policy_parse(p, text, strlen(text), file, err);
	if (!ret)
		snprintf(p->profile, sizeof(p->profile), "%s", name);
	return ret;
}
