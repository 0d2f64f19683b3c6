/*
 * The region table's operations, with no host pointer and no libc beyond
 * memmove: the same code keeps the table in the monitor and in the proxy
 * kernel (built into the guest image too), so both read it alike.
 */
#include <linux/errno.h>
#include <string.h>

#include "platform/kvm/shared/gmem_table.h"

static void insert_at(struct cabin_gmem_table *t, unsigned int i,
		      const struct cabin_gmem_region *r)
{
	memmove(&t->r[i + 1], &t->r[i], (t->n - i) * sizeof(t->r[0]));
	t->r[i] = *r;
	t->n++;
}

static void remove_at(struct cabin_gmem_table *t, unsigned int i)
{
	memmove(&t->r[i], &t->r[i + 1], (t->n - i - 1) * sizeof(t->r[0]));
	t->n--;
}

int cabin_gmem_table_insert(struct cabin_gmem_table *t,
			    const struct cabin_gmem_region *r)
{
	uint64_t last = cabin_gmem_region_last(r);
	unsigned int i, at = t->n;

	for (i = 0; i < t->n; i++) {
		const struct cabin_gmem_region *o = &t->r[i];

		if (o->gva <= last && r->gva <= cabin_gmem_region_last(o))
			return -EEXIST;
		if (o->gva > r->gva && at == t->n)
			at = i;
	}
	if (t->n == CABIN_GMEM_MAX_REGIONS)
		return -ENOSPC;
	insert_at(t, at, r);
	return 0;
}

/* b continues a in every respect: one region can stand for both. */
static bool continues(const struct cabin_gmem_region *a,
		      const struct cabin_gmem_region *b)
{
	return a->gva + a->len == b->gva && a->off + a->len == b->off &&
	       a->prot == b->prot && a->tag == b->tag &&
	       a->foff + a->len == b->foff;
}

void cabin_gmem_table_merge(struct cabin_gmem_table *t, uint64_t gva)
{
	unsigned int i;

	for (i = 0; i < t->n; i++)
		if (t->r[i].gva <= gva && gva <= cabin_gmem_region_last(&t->r[i]))
			break;
	if (i == t->n)
		return;
	if (i + 1 < t->n && continues(&t->r[i], &t->r[i + 1])) {
		t->r[i].len += t->r[i + 1].len;
		remove_at(t, i + 1);
	}
	if (i > 0 && continues(&t->r[i - 1], &t->r[i])) {
		t->r[i - 1].len += t->r[i].len;
		remove_at(t, i);
	}
}

const struct cabin_gmem_region *
cabin_gmem_table_find(const struct cabin_gmem_table *t, uint64_t gva)
{
	unsigned int i;

	for (i = 0; i < t->n; i++) {
		const struct cabin_gmem_region *r = &t->r[i];

		if (gva < r->gva)
			break;
		if (gva <= cabin_gmem_region_last(r))
			return r;
	}
	return NULL;
}

/* Shrink r to its part after last (the caller knows it has one). */
static void keep_tail(struct cabin_gmem_region *r, uint64_t last)
{
	uint64_t cut = last + 1 - r->gva;

	r->gva += cut;
	r->off += cut;
	r->foff += cut;
	r->len -= cut;
}

int cabin_gmem_table_unmap(struct cabin_gmem_table *t, uint64_t gva,
			   uint64_t len)
{
	uint64_t last;
	unsigned int i;

	if (!len || gva % CABIN_GMEM_PAGE || len % CABIN_GMEM_PAGE ||
	    gva > UINT64_MAX - (len - 1))
		return -EINVAL;
	last = gva + (len - 1);
	/* Only a region reaching past both ends splits; refuse before acting. */
	for (i = 0; i < t->n; i++) {
		const struct cabin_gmem_region *r = &t->r[i];

		if (r->gva < gva && cabin_gmem_region_last(r) > last &&
		    t->n == CABIN_GMEM_MAX_REGIONS)
			return -ENOSPC;
	}
	i = 0;
	while (i < t->n) {
		struct cabin_gmem_region *r = &t->r[i];
		uint64_t rlast = cabin_gmem_region_last(r);

		if (rlast < gva || r->gva > last) {
			i++;
		} else if (r->gva < gva && rlast > last) {
			struct cabin_gmem_region tail = *r;

			keep_tail(&tail, last);
			r->len = gva - r->gva;
			insert_at(t, i + 1, &tail);
			i += 2;
		} else if (r->gva < gva) {
			r->len = gva - r->gva;
			i++;
		} else if (rlast > last) {
			keep_tail(r, last);
			i++;
		} else {
			remove_at(t, i);
		}
	}
	return 0;
}

int cabin_gmem_table_set(struct cabin_gmem_table *t, uint64_t gva,
			 uint64_t len, unsigned int prot, unsigned int tag,
			 uint64_t foff)
{
	struct cabin_gmem_region r = { gva, len, gva, prot, tag, foff };
	int err;

	/* A split and the insert: both slots known before anything moves. */
	if (t->n + 2 > CABIN_GMEM_MAX_REGIONS)
		return -ENOSPC;
	err = cabin_gmem_table_unmap(t, gva, len);
	if (!err)
		err = cabin_gmem_table_insert(t, &r);
	if (!err)
		cabin_gmem_table_merge(t, gva);
	return err;
}

bool cabin_gmem_table_is_free(const struct cabin_gmem_table *t, uint64_t gva,
			      uint64_t len)
{
	unsigned int i;

	for (i = 0; i < t->n; i++) {
		const struct cabin_gmem_region *r = &t->r[i];

		if (r->gva < gva + len && gva < r->gva + r->len)
			return false;
	}
	return true;
}

uint64_t cabin_gmem_table_free_below(const struct cabin_gmem_table *t,
				     uint64_t lo, uint64_t hi, uint64_t len)
{
	unsigned int i = t->n;

	while (i-- > 0) {
		const struct cabin_gmem_region *r = &t->r[i];
		uint64_t end = r->gva + r->len;

		if (r->gva >= hi)
			continue;
		if (end < hi && hi - end >= len && hi - len >= lo)
			return hi - len;
		hi = r->gva;
	}
	return hi > lo && hi - lo >= len ? hi - len : 0;
}
