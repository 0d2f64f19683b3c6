/*
 * The report's storage: a pid map, and lists whose records are
 * deduplicated by a key so a loop of a million opens makes one record.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace/report_int.h"

/* ------------------------------------------------------------ pid map */

static size_t pid_hash(pid_t pid, size_t cap)
{
	return ((uint32_t)pid * 2654435761u) & (cap - 1);
}

static int map_grow(struct report_map *m)
{
	size_t cap = m->cap ? m->cap * 2 : 64, i;
	pid_t *key = calloc(cap, sizeof(*key));
	void **val = calloc(cap, sizeof(*val));

	if (!key || !val) {
		free(key);
		free(val);
		return -ENOMEM;
	}
	for (i = 0; i < m->cap; i++) {
		size_t h;

		if (!m->key[i])
			continue;
		for (h = pid_hash(m->key[i], cap); key[h];
		     h = (h + 1) & (cap - 1))
			;
		key[h] = m->key[i];
		val[h] = m->val[i];
	}
	free(m->key);
	free(m->val);
	m->key = key;
	m->val = val;
	m->cap = cap;
	return 0;
}

void *cabin_report_map_get(const struct report_map *m, pid_t pid)
{
	size_t h;

	if (!m->cap || pid <= 0)
		return NULL;
	for (h = pid_hash(pid, m->cap); m->key[h]; h = (h + 1) & (m->cap - 1)) {
		if (m->key[h] == pid)
			return m->val[h];
	}
	return NULL;
}

int cabin_report_map_put(struct report_map *m, pid_t pid, void *val)
{
	size_t h;

	if (pid <= 0)
		return -EINVAL;
	if ((m->count + 1) * 2 > m->cap && map_grow(m) < 0)
		return -ENOMEM;
	for (h = pid_hash(pid, m->cap); m->key[h]; h = (h + 1) & (m->cap - 1)) {
		if (m->key[h] == pid) {
			m->val[h] = val;
			return 0;
		}
	}
	m->key[h] = pid;
	m->val[h] = val;
	m->count++;
	return 0;
}

/* ----------------------------------------------------- deduplicated lists */

void cabin_report_key_bytes(struct report_key *k, const void *p, size_t n)
{
	if (k->failed)
		return;
	if (k->len + n > k->cap) {
		size_t cap = (k->len + n) * 2 + 64;
		char *b = realloc(k->buf, cap);

		if (!b) {
			k->failed = true;
			return;
		}
		k->buf = b;
		k->cap = cap;
	}
	memcpy(k->buf + k->len, p, n);
	k->len += n;
}

void cabin_report_key_num(struct report_key *k, long v)
{
	cabin_report_key_bytes(k, &v, sizeof(v));
}

void cabin_report_key_str(struct report_key *k, const char *s)
{
	size_t n = s ? strlen(s) : SIZE_MAX;

	cabin_report_key_bytes(k, &n, sizeof(n));
	if (s)
		cabin_report_key_bytes(k, s, n);
}

static uint64_t key_hash(const char *p, size_t n)
{
	uint64_t h = 14695981039346656037ull;

	while (n--)
		h = (h ^ (unsigned char)*p++) * 1099511628211ull;
	return h;
}

static int list_rehash(struct report_list *l)
{
	size_t n = l->nslots ? l->nslots * 2 : 64, i;
	size_t *slot = calloc(n, sizeof(*slot));

	if (!slot)
		return -ENOMEM;
	for (i = 0; i < l->n; i++) {
		size_t h = key_hash(l->v[i].key, l->v[i].keylen) & (n - 1);

		while (slot[h])
			h = (h + 1) & (n - 1);
		slot[h] = i + 1;
	}
	free(l->slot);
	l->slot = slot;
	l->nslots = n;
	return 0;
}

struct report_rec *cabin_report_list_add(struct cabin_report *r,
					 struct report_list *l,
				   const struct report_key *k, bool *fresh)
{
	struct report_rec *rec;
	size_t h;

	*fresh = false;
	if (k->failed)
		goto drop;
	if ((l->n + 1) * 2 > l->nslots && list_rehash(l) < 0)
		goto drop;
	for (h = key_hash(k->buf, k->len) & (l->nslots - 1); l->slot[h];
	     h = (h + 1) & (l->nslots - 1)) {
		rec = &l->v[l->slot[h] - 1];
		if (rec->keylen == k->len && !memcmp(rec->key, k->buf, k->len)) {
			rec->count++;
			return rec;
		}
	}
	if (l->n >= REPORT_RECORDS_MAX)
		goto drop;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct report_rec *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			goto drop;
		l->v = v;
		l->cap = cap;
	}
	rec = &l->v[l->n];
	memset(rec, 0, sizeof(*rec));
	rec->key = malloc(k->len ? k->len : 1);
	if (!rec->key)
		goto drop;
	memcpy(rec->key, k->buf, k->len);
	rec->keylen = k->len;
	rec->count = 1;
	l->slot[h] = ++l->n;
	*fresh = true;
	return rec;
drop:
	r->dropped++;
	return NULL;
}

void cabin_report_rec_free(struct report_rec *rec)
{
	free(rec->key);
	free(rec->s1);
	free(rec->s2);
}

void cabin_report_list_free(struct report_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		cabin_report_rec_free(&l->v[i]);
	free(l->v);
	free(l->slot);
	memset(l, 0, sizeof(*l));
}

char *cabin_report_dup(const char *s)
{
	return s ? strdup(s) : NULL;
}

void cabin_report_rec_who(struct report_rec *rec, const struct cabin_task *task)
{
	if (!task)
		return;
	rec->pid = task->pid;
	snprintf(rec->comm, sizeof(rec->comm), "%s", task->comm);
}

struct report_rec *cabin_report_add_event(struct cabin_report *r,
					  struct report_list *l,
					  const struct cabin_task *task,
				    struct report_key *k, long nr, long ret,
				    bool refused)
{
	struct report_rec *rec;
	bool fresh;

	cabin_report_key_num(k, task ? task->pid : 0);
	cabin_report_key_num(k, nr);
	cabin_report_key_num(k, ret < 0 ? -ret : 0);
	cabin_report_key_num(k, refused);
	rec = cabin_report_list_add(r, l, k, &fresh);
	free(k->buf);
	if (!rec || !fresh)
		return NULL;
	cabin_report_rec_who(rec, task);
	rec->nr = nr;
	rec->err = ret < 0 ? (int)-ret : 0;
	rec->refused = refused;
	return rec;
}
