/*
 * Guest memory and the translation of guest pointers.  The guest passes
 * addresses and lengths the monitor must not trust, so every check here
 * is done in 64-bit unsigned arithmetic with the overflow tested before
 * the sum is used: a range is [gva, gva + len - 1], whose last byte is
 * computed only once len > 0 and gva + (len - 1) is known not to wrap.
 * A host pointer is formed only from an offset already checked against
 * the size of the mapping, so nothing outside it is ever reached.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>

#include "platform/kvm/gmem.h"

int cabin_gmem_init(struct cabin_gmem *g, uint64_t size)
{
	return cabin_gmem_init_at(g, 0, size);
}

int cabin_gmem_init_at(struct cabin_gmem *g, uint64_t gpa_base,
		       uint64_t size)
{
	void *p;

	memset(g, 0, sizeof(*g));
	if (!size || size % CABIN_GMEM_ALIGN || size > CABIN_GMEM_MAX_SIZE)
		return -EINVAL;
	if (gpa_base % CABIN_GMEM_ALIGN || gpa_base > UINT64_MAX - (size - 1))
		return -EINVAL;
	/* NORESERVE: a large guest costs only the pages it touches. */
	p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	g->host = p;
	g->size = size;
	g->gpa_base = gpa_base;
	return 0;
}

void cabin_gmem_free(struct cabin_gmem *g)
{
	if (g->host)
		munmap(g->host, g->size);
	memset(g, 0, sizeof(*g));
}

/* [off, off + len) lies inside the host mapping. */
static bool in_host(const struct cabin_gmem *g, uint64_t off, uint64_t len)
{
	return off <= g->size && len <= g->size - off;
}

/* Non-empty, page aligned, and its last byte does not wrap past 2^64. */
static bool range_ok(uint64_t gva, uint64_t len)
{
	return len && !(gva % CABIN_GMEM_PAGE) && !(len % CABIN_GMEM_PAGE) &&
	       gva <= UINT64_MAX - (len - 1);
}

/* USER alone is a PROT_NONE range: reserved, never translated. */
static bool prot_ok(unsigned int prot)
{
	return (prot & (CABIN_GMEM_R | CABIN_GMEM_W | CABIN_GMEM_X |
			CABIN_GMEM_USER)) &&
	       !(prot & ~CABIN_GMEM_PROT_MASK);
}

static bool access_ok(unsigned int access)
{
	return access && !(access & ~CABIN_GMEM_PROT_MASK);
}

/* Last byte of a region; map guaranteed it does not wrap. */
static uint64_t region_last(const struct cabin_gmem_region *r)
{
	return r->gva + (r->len - 1);
}

static void insert_region(struct cabin_gmem *g, unsigned int i,
			  const struct cabin_gmem_region *r)
{
	memmove(&g->regions[i + 1], &g->regions[i],
		(g->nregions - i) * sizeof(g->regions[0]));
	g->regions[i] = *r;
	g->nregions++;
}

static void remove_region(struct cabin_gmem *g, unsigned int i)
{
	memmove(&g->regions[i], &g->regions[i + 1],
		(g->nregions - i - 1) * sizeof(g->regions[0]));
	g->nregions--;
}

int cabin_gmem_map(struct cabin_gmem *g, uint64_t gva, uint64_t gpa,
		   uint64_t len, unsigned int prot)
{
	return cabin_gmem_map_tagged(g, gva, gpa, len, prot, 0, 0);
}

int cabin_gmem_map_tagged(struct cabin_gmem *g, uint64_t gva, uint64_t gpa,
			  uint64_t len, unsigned int prot, unsigned int tag,
			  uint64_t foff)
{
	struct cabin_gmem_region r = { gva, len, 0, prot, tag, foff };
	uint64_t last;
	unsigned int i, at;

	if (!g->host || !range_ok(gva, len) || gpa % CABIN_GMEM_PAGE ||
	    !prot_ok(prot))
		return -EINVAL;
	if (gpa < g->gpa_base || !in_host(g, gpa - g->gpa_base, len))
		return -ERANGE;
	r.off = gpa - g->gpa_base;
	last = gva + (len - 1);
	at = g->nregions;
	for (i = 0; i < g->nregions; i++) {
		const struct cabin_gmem_region *o = &g->regions[i];

		if (o->gva <= last && gva <= region_last(o))
			return -EEXIST;
		if (o->gva > gva && at == g->nregions)
			at = i;
	}
	if (g->nregions == CABIN_GMEM_MAX_REGIONS)
		return -ENOSPC;
	insert_region(g, at, &r);
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

void cabin_gmem_merge(struct cabin_gmem *g, uint64_t gva)
{
	unsigned int i;

	for (i = 0; i < g->nregions; i++)
		if (g->regions[i].gva <= gva &&
		    gva <= region_last(&g->regions[i]))
			break;
	if (i == g->nregions)
		return;
	if (i + 1 < g->nregions && continues(&g->regions[i], &g->regions[i + 1])) {
		g->regions[i].len += g->regions[i + 1].len;
		remove_region(g, i + 1);
	}
	if (i > 0 && continues(&g->regions[i - 1], &g->regions[i])) {
		g->regions[i - 1].len += g->regions[i].len;
		remove_region(g, i);
	}
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

int cabin_gmem_unmap(struct cabin_gmem *g, uint64_t gva, uint64_t len)
{
	uint64_t last;
	unsigned int i;

	if (!range_ok(gva, len))
		return -EINVAL;
	last = gva + (len - 1);
	/* Only a region reaching past both ends splits; refuse before acting. */
	for (i = 0; i < g->nregions; i++) {
		const struct cabin_gmem_region *r = &g->regions[i];

		if (r->gva < gva && region_last(r) > last &&
		    g->nregions == CABIN_GMEM_MAX_REGIONS)
			return -ENOSPC;
	}
	i = 0;
	while (i < g->nregions) {
		struct cabin_gmem_region *r = &g->regions[i];
		uint64_t rlast = region_last(r);

		if (rlast < gva || r->gva > last) {
			i++;
		} else if (r->gva < gva && rlast > last) {
			struct cabin_gmem_region tail = *r;

			keep_tail(&tail, last);
			r->len = gva - r->gva;
			insert_region(g, i + 1, &tail);
			i += 2;
		} else if (r->gva < gva) {
			r->len = gva - r->gva;
			i++;
		} else if (rlast > last) {
			keep_tail(r, last);
			i++;
		} else {
			remove_region(g, i);
		}
	}
	return 0;
}

const struct cabin_gmem_region *cabin_gmem_find(const struct cabin_gmem *g,
						uint64_t gva)
{
	unsigned int i;

	for (i = 0; i < g->nregions; i++) {
		const struct cabin_gmem_region *r = &g->regions[i];

		if (gva < r->gva)
			break;
		if (gva <= region_last(r))
			return r;
	}
	return NULL;
}

/*
 * The part of [gva, gva + len) (len > 0) that the region holding gva maps
 * with access: *n bytes (1 <= *n <= len) at host offset *off.
 */
static int piece(const struct cabin_gmem *g, uint64_t gva, uint64_t len,
		 unsigned int access, uint64_t *off, uint64_t *n)
{
	const struct cabin_gmem_region *r = cabin_gmem_find(g, gva);
	uint64_t after;

	if (!r || (r->prot & access) != access)
		return -EFAULT;
	/* Bytes of the region after gva; +1 cannot wrap as len <= size. */
	after = region_last(r) - gva;
	*n = len - 1 <= after ? len : after + 1;
	*off = r->off + (gva - r->gva);
	/* map checked this already; a broken table must not reach the host. */
	if (!in_host(g, *off, *n))
		return -EFAULT;
	return 0;
}

int cabin_gmem_translate(const struct cabin_gmem *g, uint64_t gva,
			 uint64_t len, unsigned int access, void **host)
{
	uint64_t off, o, n, done;

	*host = NULL;
	if (!access_ok(access))
		return -EINVAL;
	if (!g->host)
		return -EFAULT;
	if (!len) {
		/* Like the kernel: an empty range is never a fault. */
		if (!piece(g, gva, 1, access, &off, &n))
			*host = g->host + off;
		return 0;
	}
	if (gva > UINT64_MAX - (len - 1))
		return -EFAULT;
	if (piece(g, gva, len, access, &off, &done))
		return -EFAULT;
	/* Each further piece starts a region, so this ends within nregions. */
	while (done < len) {
		if (piece(g, gva + done, len - done, access, &o, &n) ||
		    o != off + done)
			return -EFAULT;
		done += n;
	}
	if (!in_host(g, off, len))
		return -EFAULT;
	*host = g->host + off;
	return 0;
}

int cabin_gmem_gpa(const struct cabin_gmem *g, uint64_t gpa, uint64_t len,
		   void **host)
{
	uint64_t off;

	*host = NULL;
	if (!g->host || gpa < g->gpa_base)
		return -EFAULT;
	off = gpa - g->gpa_base;
	if (!len) {
		if (off < g->size)
			*host = g->host + off;
		return 0;
	}
	if (!in_host(g, off, len))
		return -EFAULT;
	*host = g->host + off;
	return 0;
}

/* Every byte of [gva, gva + len) is mapped with access. */
static int check_range(const struct cabin_gmem *g, uint64_t gva,
		       uint64_t len, unsigned int access)
{
	uint64_t off, n, done;

	if (len && gva > UINT64_MAX - (len - 1))
		return -EFAULT;
	for (done = 0; done < len; done += n)
		if (piece(g, gva + done, len - done, access, &off, &n))
			return -EFAULT;
	return 0;
}

/*
 * Copy piecewise between guest and out (read) or in (write), after the
 * whole range checked, so a fault leaves the destination as it was.
 * memmove: the caller's buffer may itself lie in guest memory.
 */
static int copy(const struct cabin_gmem *g, uint64_t gva, void *out,
		const void *in, uint64_t len, unsigned int access)
{
	uint64_t off, n, done;
	int err;

	if (!g->host)
		return len ? -EFAULT : 0;
	err = check_range(g, gva, len, access);
	if (err)
		return err;
	for (done = 0; done < len; done += n) {
		err = piece(g, gva + done, len - done, access, &off, &n);
		if (err)
			return err;
		if (out)
			memmove((unsigned char *)out + done, g->host + off, n);
		else
			memmove(g->host + off, (const unsigned char *)in + done,
				n);
	}
	return 0;
}

int cabin_gmem_read(const struct cabin_gmem *g, uint64_t gva, void *buf,
		    size_t len)
{
	return copy(g, gva, buf, NULL, len, CABIN_GMEM_USER | CABIN_GMEM_R);
}

int cabin_gmem_write(const struct cabin_gmem *g, uint64_t gva,
		     const void *buf, size_t len)
{
	return copy(g, gva, NULL, buf, len, CABIN_GMEM_USER | CABIN_GMEM_W);
}

/* Length of the string at gva, looking at no more than cap bytes. */
static ssize_t string_len(const struct cabin_gmem *g, uint64_t gva,
			  uint64_t cap)
{
	const unsigned char *p, *nul;
	uint64_t off, n, done;

	for (done = 0; done < cap; done += n) {
		/* A string running past 2^64 faults, it does not wrap to 0. */
		if (gva + done < gva)
			return -EFAULT;
		if (piece(g, gva + done, cap - done,
			  CABIN_GMEM_USER | CABIN_GMEM_R, &off, &n))
			return -EFAULT;
		p = g->host + off;
		nul = memchr(p, '\0', n);
		if (nul)
			return (ssize_t)(done + (uint64_t)(nul - p));
	}
	return -ENAMETOOLONG;
}

ssize_t cabin_gmem_string(const struct cabin_gmem *g, uint64_t gva,
			  char *buf, size_t cap)
{
	ssize_t len;
	int err;

	if (!cap)
		return -EINVAL;
	buf[0] = '\0';
	if (!g->host)
		return -EFAULT;
	len = string_len(g, gva, cap);
	if (len < 0)
		return len;
	err = copy(g, gva, buf, NULL, (uint64_t)len,
		   CABIN_GMEM_USER | CABIN_GMEM_R);
	if (err) {
		buf[0] = '\0';
		return err;
	}
	/* Set, not copied: another vCPU may have changed the guest's NUL. */
	buf[len] = '\0';
	return len;
}
