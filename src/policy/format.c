/*
 * The normal form of a policy: the flattened result of a profile and
 * everything written after it, printed in a fixed order so that two
 * policies that mean the same print the same, and it parses back equal.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "core/names.h"
#include "policy/groups.h"
#include "policy/lang.h"
#include "policy/policy.h"

#define WRAP 76

/* A line being written: words are added until it would pass WRAP. */
struct out {
	FILE *f;
	const char *head;	/* repeated when the line wraps */
	size_t col;
	bool words;		/* a word follows the head on this line */
	bool section;		/* a section was printed already */
};

static void section(struct out *o, const char *comment)
{
	fprintf(o->f, "%s# %s\n", o->section ? "\n" : "", comment);
	o->section = true;
}

static void start(struct out *o, const char *head)
{
	o->head = head;
	o->col = (size_t)fprintf(o->f, "%s", head);
	o->words = false;
}

static void end(struct out *o)
{
	fputc('\n', o->f);
}

static size_t quoted_len(const char *s)
{
	size_t n = strlen(s) + 2;

	for (; *s; s++)
		n += *s == '"' || *s == '\\';
	return n;
}

static void put_quoted(FILE *f, const char *s)
{
	if (!cabin_policy_needs_quotes(s)) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

/* prefix then s, quoted when it must be; wraps the line before it. */
static void word(struct out *o, const char *prefix, const char *s)
{
	size_t len = strlen(prefix) + (cabin_policy_needs_quotes(s) ?
				       quoted_len(s) : strlen(s));

	if (o->words && o->col + 1 + len > WRAP) {
		end(o);
		start(o, o->head);
	}
	fputc(' ', o->f);
	fputs(prefix, o->f);
	put_quoted(o->f, s);
	o->col += 1 + len;
	o->words = true;
}

static bool same_route(const struct cabin_route *a,
		       const struct cabin_route *b)
{
	return a->kind == b->kind &&
	       (a->kind != CABIN_ROUTE_DENY || a->err == b->err);
}

static const char *rule_name(const struct cabin_syscall_rule *r, char *buf,
			     size_t len)
{
	const char *name = cabin_syscall_name(r->rule.nr, buf, len);

	return strncmp(name, "syscall_", 8) ? name : r->name;
}

static void print_cond(FILE *f, const struct cabin_cond *c)
{
	static const char *const ops[] = {
		[CABIN_CMP_EQ] = "==", [CABIN_CMP_NE] = "!=",
		[CABIN_CMP_LT] = "<", [CABIN_CMP_LE] = "<=",
		[CABIN_CMP_GT] = ">", [CABIN_CMP_GE] = ">=",
	};

	if (c->op == CABIN_CMP_MASKED_EQ)
		fprintf(f, "arg%u & %#" PRIx64 " == %#" PRIx64, c->arg,
			c->mask, c->value);
	else if (c->value < 4096)
		fprintf(f, "arg%u %s %" PRIu64, c->arg, ops[c->op], c->value);
	else
		fprintf(f, "arg%u %s %#" PRIx64, c->arg, ops[c->op], c->value);
}

/* Whether the rules from i on are group g's members in its order. */
struct group_match {
	const struct cabin_policy *p;
	const char *group;
	size_t i, n;
};

static int match_member(const char *name, void *arg)
{
	struct group_match *m = arg;
	const struct cabin_syscall_rule *r;

	if (m->i + m->n >= m->p->nsyscalls)
		return 1;
	r = &m->p->syscalls[m->i + m->n];
	if (r->group != m->group ||
	    r->rule.ncond || strcmp(r->name, name) ||
	    !same_route(&r->rule.route, &m->p->syscalls[m->i].rule.route))
		return 1;
	m->n++;
	return 0;
}

/*
 * How many rules from i on a group stands for: all its members, named
 * by it, in its order, with one route; 0 when a later rule took one of
 * them (they are then printed by name).
 */
static size_t group_run(const struct cabin_policy *p, size_t i)
{
	struct group_match m = { p, p->syscalls[i].group, i, 0 };
	const struct cabin_policy_group *g;

	if (!m.group || !(g = cabin_policy_group_find(m.group)))
		return 0;
	return cabin_policy_group_each(g, match_member, &m) ? 0 : m.n;
}

/*
 * Consecutive catch-all rules with one route share a line; a group whose
 * members are all there as it named them is printed as written.
 */
static void print_syscalls(struct out *o, const struct cabin_policy *p)
{
	char head[48], name[64];
	size_t i = 0, j, n;
	unsigned int k;

	while (i < p->nsyscalls) {
		const struct cabin_syscall_rule *r = &p->syscalls[i];

		memcpy(head, "syscall ", 8);
		cabin_policy_route_text(&r->rule.route, head + 8,
					sizeof(head) - 8);
		start(o, head);
		if (r->rule.ncond) {
			word(o, "", rule_name(r, name, sizeof(name)));
			for (k = 0; k < r->rule.ncond; k++) {
				fputs(k ? " and " : " when ", o->f);
				print_cond(o->f, &r->rule.cond[k]);
			}
			end(o);
			i++;
			continue;
		}
		for (j = i; j < p->nsyscalls; j += n) {
			const struct cabin_syscall_rule *rj = &p->syscalls[j];

			if (rj->rule.ncond ||
			    !same_route(&rj->rule.route, &r->rule.route))
				break;
			n = group_run(p, j);
			if (n) {
				word(o, "", rj->group);
			} else {
				word(o, "", rule_name(rj, name, sizeof(name)));
				n = 1;
			}
		}
		end(o);
		i = j;
	}
}

static void print_syscall_section(struct out *o, const struct cabin_policy *p)
{
	char head[48];

	if (!p->filter_off && !p->has_syscall_default && !p->nsyscalls)
		return;
	section(o, "syscalls");
	if (p->filter_off)
		fputs("syscall filter off\n", o->f);
	if (p->has_syscall_default) {
		cabin_policy_route_text(&p->syscall_default, head,
					sizeof(head));
		fprintf(o->f, "syscall default %s\n", head);
	}
	print_syscalls(o, p);
}

static void rights_text(unsigned int rights, char *buf, size_t len)
{
	size_t i, n = 0;

	if ((rights & CABIN_FILE_ALL) == CABIN_FILE_ALL) {
		snprintf(buf, len, "all");
		return;
	}
	buf[0] = '\0';
	for (i = 0; cabin_policy_rights[i].name; i++)
		if (rights & cabin_policy_rights[i].bit)
			n += (size_t)snprintf(buf + n, len - n, "%s%s",
					      n ? "," : "",
					      cabin_policy_rights[i].name);
}

/* One line per rights set, in the order each set first appears. */
static void print_files(struct out *o, const struct cabin_policy *p)
{
	char head[64];
	size_t i, j, k;

	if (!p->npaths)
		return;
	section(o, "files");
	for (i = 0; i < p->npaths; i++) {
		unsigned int rights = p->paths[i].rights;

		for (k = 0; k < i; k++)
			if (p->paths[k].rights == rights)
				break;
		if (k < i)
			continue;
		memcpy(head, "files ", 6);
		rights_text(rights, head + 6, sizeof(head) - 6);
		start(o, head);
		for (j = i; j < p->npaths; j++)
			if (p->paths[j].rights == rights)
				word(o, p->paths[j].optional ? "?" : "",
				     p->paths[j].path);
		end(o);
	}
}

/* Then what is taken away: one line per set, `files none ~/.ssh`. */
static void print_strips(struct out *o, const struct cabin_policy *p)
{
	char head[64];
	size_t i, j, k, n;

	for (i = 0; i < p->nstrips; i++) {
		unsigned int strip = p->strips[i].rights;

		for (k = 0; k < i; k++)
			if (p->strips[k].rights == strip)
				break;
		if (k < i)
			continue;
		if (!p->npaths && !i)
			section(o, "files");
		n = (size_t)snprintf(head, sizeof(head), "files ");
		for (k = 0; cabin_policy_strips[k].name; k++)
			if (strip & cabin_policy_strips[k].bit)
				n += (size_t)snprintf(head + n,
						      sizeof(head) - n,
						      "%s%s", n > 6 ? "," : "",
						      cabin_policy_strips[k].name);
		start(o, head);
		for (j = i; j < p->nstrips; j++)
			if (p->strips[j].rights == strip)
				word(o, p->strips[j].optional ? "?" : "",
				     p->strips[j].path);
		end(o);
	}
}

static void print_ports(struct out *o, const char *head,
			const uint16_t *ports, size_t n)
{
	char buf[8];
	size_t i;

	if (!n)
		return;
	start(o, head);
	for (i = 0; i < n; i++) {
		snprintf(buf, sizeof(buf), "%u", ports[i]);
		word(o, "", buf);
	}
	end(o);
}

static void print_network(struct out *o, const struct cabin_policy *p)
{
	static const char *const modes[] = {
		[CABIN_NET_HOST] = "host",
		[CABIN_NET_LOOPBACK] = "loopback",
		[CABIN_NET_NONE] = "none",
	};

	if (p->net == CABIN_NET_UNSET && !p->nconnect_ports &&
	    !p->nbind_ports)
		return;
	section(o, "network");
	if (p->net != CABIN_NET_UNSET && p->net <= CABIN_NET_NONE)
		fprintf(o->f, "network %s\n", modes[p->net]);
	print_ports(o, "network connect tcp", p->connect_ports,
		    p->nconnect_ports);
	print_ports(o, "network bind tcp", p->bind_ports, p->nbind_ports);
}

static void print_size(FILE *f, const char *what, uint64_t v)
{
	static const char suffixes[] = "TGMK";
	unsigned int i;

	for (i = 0; i < 4; i++) {
		unsigned int shift = 10 * (4 - i);

		if (!(v & ((UINT64_C(1) << shift) - 1))) {
			fprintf(f, "limit %s %" PRIu64 "%c\n", what,
				v >> shift, suffixes[i]);
			return;
		}
	}
	fprintf(f, "limit %s %" PRIu64 "\n", what, v);
}

static void print_limits(struct out *o, const struct cabin_policy *p)
{
	const struct cabin_limits *l = &p->limits;

	if (!l->rlimit_as && !l->rlimit_cpu && !l->procs && !l->rlimit_nofile &&
	    !l->rlimit_fsize && !l->timeout && !l->memory_max &&
	    !l->pids_max && !l->cpu_max)
		return;
	section(o, "limits");
	if (l->memory_max)
		print_size(o->f, "memory", l->memory_max);
	if (l->pids_max)
		fprintf(o->f, "limit pids-max %" PRIu64 "\n", l->pids_max);
	if (l->cpu_max)
		fprintf(o->f, "limit cpu-max %" PRIu64 "%%\n", l->cpu_max);
	if (l->rlimit_as)
		print_size(o->f, "rlimit-as", l->rlimit_as);
	if (l->rlimit_cpu)
		fprintf(o->f, "limit rlimit-cpu %" PRIu64 "\n", l->rlimit_cpu);
	if (l->procs)
		fprintf(o->f, "limit procs %" PRIu64 "\n", l->procs);
	if (l->rlimit_nofile)
		fprintf(o->f, "limit rlimit-nofile %" PRIu64 "\n",
			l->rlimit_nofile);
	if (l->rlimit_fsize)
		print_size(o->f, "rlimit-fsize", l->rlimit_fsize);
	if (l->timeout)
		fprintf(o->f, "limit timeout %" PRIu64 "\n", l->timeout);
}

static void print_env(struct out *o, const struct cabin_policy *p)
{
	size_t i;

	if (!p->env_clear && !p->nenv_keep && !p->nenv_unset && !p->nenv_set)
		return;
	section(o, "environment");
	if (p->env_clear)
		fputs("env clear\n", o->f);
	if (p->nenv_keep) {
		start(o, "env keep");
		for (i = 0; i < p->nenv_keep; i++)
			word(o, "", p->env_keep[i]);
		end(o);
	}
	if (p->nenv_unset) {
		start(o, "env unset");
		for (i = 0; i < p->nenv_unset; i++)
			word(o, "", p->env_unset[i]);
		end(o);
	}
	for (i = 0; i < p->nenv_set; i++) {
		fprintf(o->f, "env set %s=", p->env_set[i].name);
		if (p->env_set[i].value[0])
			put_quoted(o->f, p->env_set[i].value);
		fputc('\n', o->f);
	}
}

/* One "memory trust" or "memory readable-code" line, when it has paths. */
static void format_files(struct out *o, const char *head,
			 const struct cabin_path_list *l)
{
	size_t i;

	if (!l->n)
		return;
	start(o, head);
	for (i = 0; i < l->n; i++)
		word(o, "", l->path[i]);
	end(o);
}

static void print_isolation(struct out *o, const struct cabin_policy *p)
{
	size_t i;
	bool first = true;

	if (p->isolate) {
		section(o, "namespaces");
		fputs("isolate ", o->f);
		if ((p->isolate & CABIN_ISOLATE_ALL) == CABIN_ISOLATE_ALL) {
			fputs("all", o->f);
		} else {
			for (i = 0; cabin_policy_isolates[i].name; i++) {
				const struct cabin_policy_word *w =
					&cabin_policy_isolates[i];

				if (!(p->isolate & w->bit))
					continue;
				fprintf(o->f, "%s%s", first ? "" : ",", w->name);
				first = false;
			}
		}
		fputc('\n', o->f);
	}
	if (p->private_tmp) {
		section(o, "/tmp");
		fputs("tmp private\n", o->f);
	}
	if (p->memory || p->trusted.n || p->readable_code.n) {
		section(o, "memory protection");
		if (p->memory)
			fprintf(o->f, "memory %s\n",
				p->memory & CABIN_MEMORY_XOM ? "xom" : "wx");
		format_files(o, "memory trust", &p->trusted);
		format_files(o, "memory readable-code", &p->readable_code);
	}
}

int cabin_policy_format(const struct cabin_policy *p, FILE *out)
{
	struct out o = { .f = out };

	print_syscall_section(&o, p);
	print_files(&o, p);
	print_strips(&o, p);
	print_network(&o, p);
	print_limits(&o, p);
	print_env(&o, p);
	print_isolation(&o, p);
	if (!o.section)
		fputs("# empty policy: nothing is restricted\n", out);
	return ferror(out) ? -EIO : 0;
}
