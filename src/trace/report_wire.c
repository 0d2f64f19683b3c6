/*
 * The report across processes: a monitor that forks along with its
 * program (the kvm platform) keeps only what its own process does from
 * then on, ships that as bytes, and the run's first monitor folds it into
 * the report it writes.  Records merge by key, processes by pid.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "trace/report_int.h"

#define NO_STRING	0xffffffffu

enum {
	ITEM_REC = 1, ITEM_FAULT, ITEM_PROC, ITEM_SYSC, ITEM_NOTE, ITEM_DROPPED,
	ITEM_HANDLED, ITEM_DENIED,
};

struct cursor {
	const unsigned char *p, *end;
	bool bad;
};

static struct report_list *list_at(struct cabin_report *r, unsigned int i)
{
	struct report_list *lists[] = {
		&r->read, &r->written, &r->created, &r->deleted, &r->renamed,
		&r->chmod, &r->file_denied, &r->file_failed, &r->network,
		&r->signals, &r->ptrace, &r->denied, &r->memory,
	};

	return i < sizeof(lists) / sizeof(*lists) ? lists[i] : NULL;
}

/* ---------------------------------------------------------------- out */

/* The bytes go into a report_key: the same growing buffer. */
static void put(struct report_key *w, const void *p, size_t n)
{
	cabin_report_key_bytes(w, p, n);
}

static void put_u64(struct report_key *w, uint64_t v)
{
	put(w, &v, sizeof(v));
}

static void put_bytes(struct report_key *w, const void *p, size_t n)
{
	uint32_t len = p ? (uint32_t)n : NO_STRING;

	put(w, &len, sizeof(len));
	if (p)
		put(w, p, n);
}

static void put_str(struct report_key *w, const char *s)
{
	put_bytes(w, s, s ? strlen(s) : 0);
}

static void put_rec(struct report_key *w, const struct report_rec *rec)
{
	put_bytes(w, rec->key, rec->keylen);
	put_u64(w, rec->count);
	put_u64(w, (uint64_t)rec->pid);
	put_str(w, rec->comm);
	put_u64(w, (uint64_t)rec->nr);
	put_u64(w, (uint64_t)rec->err);
	put_u64(w, rec->refused);
	put_str(w, rec->s1);
	put_str(w, rec->s2);
	put_u64(w, (uint64_t)rec->v1);
	put_u64(w, (uint64_t)rec->v2);
	put_u64(w, (uint64_t)rec->v3);
	put_u64(w, rec->u1);
	put_u64(w, rec->u2);
}

static void put_proc(struct report_key *w, const struct report_proc *pr)
{
	size_t e, a;

	put_u64(w, ITEM_PROC);
	put_u64(w, (uint64_t)pr->pid);
	put_u64(w, (uint64_t)pr->parent);
	put_str(w, pr->comm);
	put_u64(w, pr->threads);
	put_u64(w, pr->exited);
	put_u64(w, (uint64_t)pr->status);
	put_u64(w, pr->execs_dropped);
	put_u64(w, pr->nexecs);
	for (e = 0; e < pr->nexecs; e++) {
		const struct report_exec *x = &pr->execs[e];

		put_str(w, x->path);
		put_str(w, x->exe);
		put_u64(w, x->argv ? x->argc : NO_STRING);
		for (a = 0; x->argv && a < x->argc; a++)
			put_str(w, x->argv[a]);
		put_u64(w, x->argv_truncated);
	}
}

int cabin_report_save(struct cabin_report *r, char **buf, size_t *len)
{
	struct report_key w = { 0 };
	struct report_list *l;
	unsigned int i;
	size_t n;

	for (i = 0; (l = list_at(r, i)); i++) {
		for (n = 0; n < l->n; n++) {
			put_u64(&w, ITEM_REC);
			put_u64(&w, i);
			put_rec(&w, &l->v[n]);
		}
	}
	for (n = 0; n < r->nfaults; n++) {
		put_u64(&w, ITEM_FAULT);
		put_rec(&w, &r->faults[n]);
	}
	for (n = 0; n < r->nprocs; n++)
		put_proc(&w, r->procs[n]);
	for (n = 0; n < REPORT_NR_MAX; n++) {
		if (!r->sysc[n].calls && !r->sysc[n].errors)
			continue;
		put_u64(&w, ITEM_SYSC);
		put_u64(&w, n);
		put_u64(&w, r->sysc[n].calls);
		put_u64(&w, r->sysc[n].errors);
		put_u64(&w, r->sysc[n].ns);
	}
	for (n = 0; n < r->nnotes; n++) {
		put_u64(&w, ITEM_NOTE);
		put_str(&w, r->notes[n]);
	}
	put_u64(&w, ITEM_DROPPED);
	put_u64(&w, r->dropped);
	put_u64(&w, ITEM_HANDLED);
	put_u64(&w, r->faults_handled);
	put_u64(&w, ITEM_DENIED);
	put_u64(&w, r->ndenied);
	if (w.failed) {
		free(w.buf);
		return -ENOMEM;
	}
	*buf = w.buf;
	*len = w.len;
	return 0;
}

/* ----------------------------------------------------------------- in */

static uint64_t get_u64(struct cursor *c)
{
	uint64_t v = 0;

	if ((size_t)(c->end - c->p) < sizeof(v)) {
		c->bad = true;
		return 0;
	}
	memcpy(&v, c->p, sizeof(v));
	c->p += sizeof(v);
	return v;
}

/* A copy of the next byte string (NUL added), or NULL for none. */
static char *get_bytes(struct cursor *c, size_t *len)
{
	uint32_t n;
	char *s;

	if (c->bad || (size_t)(c->end - c->p) < sizeof(n)) {
		c->bad = true;
		return NULL;
	}
	memcpy(&n, c->p, sizeof(n));
	c->p += sizeof(n);
	if (n == NO_STRING)
		return NULL;
	if ((size_t)(c->end - c->p) < n) {
		c->bad = true;
		return NULL;
	}
	s = malloc((size_t)n + 1);
	if (!s) {
		c->bad = true;
		return NULL;
	}
	memcpy(s, c->p, n);
	s[n] = 0;
	c->p += n;
	if (len)
		*len = n;
	return s;
}

static void get_comm(struct cursor *c, char comm[17])
{
	char *s = get_bytes(c, NULL);

	snprintf(comm, 17, "%s", s ? s : "");
	free(s);
}

/* A record as saved; rec owns its strings. */
static void get_rec(struct cursor *c, struct report_rec *rec)
{
	memset(rec, 0, sizeof(*rec));
	rec->key = get_bytes(c, &rec->keylen);
	rec->count = get_u64(c);
	rec->pid = (pid_t)get_u64(c);
	get_comm(c, rec->comm);
	rec->nr = (long)get_u64(c);
	rec->err = (int)get_u64(c);
	rec->refused = get_u64(c) != 0;
	rec->s1 = get_bytes(c, NULL);
	rec->s2 = get_bytes(c, NULL);
	rec->v1 = (long)get_u64(c);
	rec->v2 = (long)get_u64(c);
	rec->v3 = (long)get_u64(c);
	rec->u1 = get_u64(c);
	rec->u2 = get_u64(c);
	if (!rec->key)
		c->bad = true;
}

/* Into list l: a new record takes rec's fields, a known one its count. */
static void absorb_rec(struct cabin_report *r, struct report_list *l,
		       struct report_rec *rec)
{
	struct report_key k = { rec->key, rec->keylen, rec->keylen, false };
	struct report_rec *into;
	bool fresh;
	char *key;

	into = cabin_report_list_add(r, l, &k, &fresh);
	if (!into) {
		cabin_report_rec_free(rec);
		return;
	}
	if (!fresh) {
		into->count += rec->count - 1;
		cabin_report_rec_free(rec);
		return;
	}
	key = into->key;
	free(rec->key);
	*into = *rec;
	into->key = key;
}

static void absorb_fault(struct cabin_report *r, struct report_rec *rec)
{
	if (r->nfaults >= REPORT_FAULTS_MAX) {
		r->dropped++;
		cabin_report_rec_free(rec);
		return;
	}
	r->faults[r->nfaults++] = *rec;
}

static void add_exec(struct cabin_report *r, struct report_proc *pr,
		     struct report_exec *x)
{
	struct report_exec *grown = NULL;
	size_t a;

	if (pr && pr->nexecs < REPORT_EXECS_MAX &&
	    pr->nexecs == pr->capexecs) {
		grown = realloc(pr->execs, (pr->capexecs + 2) * sizeof(*grown));
		if (grown) {
			pr->execs = grown;
			pr->capexecs += 2;
		}
	}
	if (pr && pr->nexecs < REPORT_EXECS_MAX &&
	    pr->nexecs < pr->capexecs) {
		pr->execs[pr->nexecs++] = *x;
		return;
	}
	r->dropped++;
	for (a = 0; x->argv && a < x->argc; a++)
		free(x->argv[a]);
	free(x->argv);
	free(x->path);
	free(x->exe);
}

static void get_exec(struct cursor *c, struct report_exec *x)
{
	uint64_t argc, a;

	memset(x, 0, sizeof(*x));
	x->path = get_bytes(c, NULL);
	x->exe = get_bytes(c, NULL);
	argc = get_u64(c);
	if (argc != NO_STRING && argc <= REPORT_ARGS_MAX) {
		x->argv = calloc(argc ? argc : 1, sizeof(*x->argv));
		if (!x->argv)
			c->bad = true;
		for (a = 0; x->argv && a < argc && !c->bad; a++)
			x->argv[x->argc++] = get_bytes(c, NULL);
	} else if (argc != NO_STRING) {
		c->bad = true;
	}
	x->argv_truncated = get_u64(c) != 0;
}

/*
 * A process another monitor saw: the parent link and the name from
 * whoever knew them, the execs and the end from the process itself.
 */
static void absorb_proc(struct cabin_report *r, struct cursor *c)
{
	pid_t pid = (pid_t)get_u64(c), parent = (pid_t)get_u64(c);
	struct report_proc *pr;
	char comm[17];
	uint64_t threads, exited, status, dropped, nexecs, e;

	get_comm(c, comm);
	threads = get_u64(c);
	exited = get_u64(c);
	status = get_u64(c);
	dropped = get_u64(c);
	nexecs = get_u64(c);
	if (c->bad || nexecs > REPORT_EXECS_MAX) {
		c->bad = true;
		return;
	}
	pr = cabin_report_proc_get(r, pid);
	if (pr) {
		if (!pr->parent)
			pr->parent = parent;
		if (comm[0] && (nexecs || !pr->comm[0]))
			snprintf(pr->comm, sizeof(pr->comm), "%s", comm);
		pr->threads += threads;
		pr->execs_dropped += dropped;
		if (exited) {
			pr->exited = true;
			pr->status = (int)status;
		}
		pr->early = false;
	}
	for (e = 0; e < nexecs && !c->bad; e++) {
		struct report_exec x;

		get_exec(c, &x);
		add_exec(r, pr, &x);
	}
}

static void absorb_sysc(struct cabin_report *r, struct cursor *c)
{
	uint64_t nr = get_u64(c), calls = get_u64(c), errors = get_u64(c);
	uint64_t ns = get_u64(c);

	if (nr >= REPORT_NR_MAX) {
		c->bad = true;
		return;
	}
	r->sysc[nr].calls += calls;
	r->sysc[nr].errors += errors;
	r->sysc[nr].ns += ns;
}

static void absorb_note(struct cabin_report *r, struct cursor *c)
{
	char *note = get_bytes(c, NULL);
	char **grown;

	if (!note)
		return;
	grown = realloc(r->notes, (r->nnotes + 1) * sizeof(*grown));
	if (!grown) {
		free(note);
		r->dropped++;
		return;
	}
	r->notes = grown;
	r->notes[r->nnotes++] = note;
}

static void absorb_item(struct cabin_report *r, struct cursor *c,
			uint64_t item)
{
	struct report_list *l;
	struct report_rec rec;

	switch (item) {
	case ITEM_REC:
		l = list_at(r, (unsigned int)get_u64(c));
		get_rec(c, &rec);
		if (!l || c->bad)
			cabin_report_rec_free(&rec);
		else
			absorb_rec(r, l, &rec);
		if (!l)
			c->bad = true;
		return;
	case ITEM_FAULT:
		get_rec(c, &rec);
		if (c->bad)
			cabin_report_rec_free(&rec);
		else
			absorb_fault(r, &rec);
		return;
	case ITEM_PROC:
		absorb_proc(r, c);
		return;
	case ITEM_SYSC:
		absorb_sysc(r, c);
		return;
	case ITEM_NOTE:
		absorb_note(r, c);
		return;
	case ITEM_DROPPED:
		r->dropped += get_u64(c);
		return;
	case ITEM_HANDLED:
		r->faults_handled += get_u64(c);
		return;
	case ITEM_DENIED:
		r->ndenied += get_u64(c);
		return;
	}
	c->bad = true;
}

int cabin_report_absorb(struct cabin_report *r, const void *buf, size_t len)
{
	struct cursor c = { buf, (const unsigned char *)buf + len, false };

	while (c.p < c.end && !c.bad)
		absorb_item(r, &c, get_u64(&c));
	return c.bad ? -EINVAL : 0;
}
