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
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "platform/kvm/vmm/gmem.h"

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
	g->tab = calloc(1, sizeof(*g->tab));
	if (!g->tab)
		return -ENOMEM;
	g->own_tab = true;
	/* NORESERVE: a large guest costs only the pages it touches. */
	p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED) {
		int err = -errno;

		cabin_gmem_free(g);
		return err;
	}
	/*
	 * 4 KiB host pages: a huge page per first touch would commit 512
	 * times what the program touched (KVM backs the guest with what the
	 * host maps; THP "always" maps 2 MiB).
	 */
	madvise(p, size, MADV_NOHUGEPAGE);
	g->host = p;
	g->size = size;
	g->gpa_base = gpa_base;
	return 0;
}

void cabin_gmem_free(struct cabin_gmem *g)
{
	if (g->host)
		munmap(g->host, g->size);
	if (g->own_tab)
		free(g->tab);
	memset(g, 0, sizeof(*g));
}

void cabin_gmem_move_table(struct cabin_gmem *g, struct cabin_gmem_table *tab)
{
	memcpy(tab, g->tab, sizeof(*tab));
	if (g->own_tab)
		free(g->tab);
	g->tab = tab;
	g->own_tab = false;
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

	if (!g->host || !range_ok(gva, len) || gpa % CABIN_GMEM_PAGE ||
	    !prot_ok(prot))
		return -EINVAL;
	if (gpa < g->gpa_base || !in_host(g, gpa - g->gpa_base, len))
		return -ERANGE;
	r.off = gpa - g->gpa_base;
	return cabin_gmem_table_insert(g->tab, &r);
}

int cabin_gmem_set(struct cabin_gmem *g, uint64_t gva, uint64_t len,
		   unsigned int prot, unsigned int tag, uint64_t foff)
{
	if (!g->host || g->gpa_base || !range_ok(gva, len) || !prot_ok(prot))
		return -EINVAL;
	if (!in_host(g, gva, len))
		return -ERANGE;
	return cabin_gmem_table_set(g->tab, gva, len, prot, tag, foff);
}

void cabin_gmem_merge(struct cabin_gmem *g, uint64_t gva)
{
	cabin_gmem_table_merge(g->tab, gva);
}

int cabin_gmem_unmap(struct cabin_gmem *g, uint64_t gva, uint64_t len)
{
	if (!range_ok(gva, len))
		return -EINVAL;
	return cabin_gmem_table_unmap(g->tab, gva, len);
}

const struct cabin_gmem_region *cabin_gmem_find(const struct cabin_gmem *g,
						uint64_t gva)
{
	return g->tab ? cabin_gmem_table_find(g->tab, gva) : NULL;
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
	after = cabin_gmem_region_last(r) - gva;
	*n = len - 1 <= after ? len : after + 1;
	*off = r->off + (gva - r->gva);
	/* map checked this already; a broken table must not reach the host. */
	if (!in_host(g, *off, *n))
		return -EFAULT;
	return 0;
}

/* The monitor is about to write [gva, gva + len), checked: map it first. */
static void note_write(const struct cabin_gmem *g, uint64_t gva, uint64_t len,
		       unsigned int access)
{
	uint64_t off, n, done;

	if (!g->on_write || !(access & CABIN_GMEM_W))
		return;
	for (done = 0; done < len; done += n) {
		if (piece(g, gva + done, len - done, access, &off, &n))
			return;
		g->on_write(g->on_write_ctx, gva + done, n,
			    cabin_gmem_find(g, gva + done)->prot);
	}
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
	note_write(g, gva, len, access);
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

/* Bytes between host and guest memory, through the monitor's accessor. */
static int move(const struct cabin_gmem *g, void *dst, const void *src,
		uint64_t n)
{
	if (g->copy)
		return g->copy(dst, src, n);
	memmove(dst, src, n);
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
	note_write(g, gva, len, access);
	for (done = 0; done < len; done += n) {
		err = piece(g, gva + done, len - done, access, &off, &n);
		if (!err && out)
			err = move(g, (unsigned char *)out + done,
				   g->host + off, n);
		else if (!err)
			err = move(g, g->host + off,
				   (const unsigned char *)in + done, n);
		if (err)
			return err;
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

/*
 * Copy the string at gva into buf (cap bytes, cap > 0) a page at a time,
 * up to its NUL: no byte past the NUL's page is read, so a page the host
 * no longer backs after the string is no fault, as for the kernel.
 * Returns its length, without the NUL.
 */
static ssize_t string_copy(const struct cabin_gmem *g, uint64_t gva,
			   char *buf, uint64_t cap)
{
	const char *nul;
	uint64_t off, n, done;
	int err;

	for (done = 0; done < cap; done += n) {
		/* A string running past 2^64 faults, it does not wrap to 0. */
		if (gva + done < gva)
			return -EFAULT;
		err = piece(g, gva + done, cap - done,
			    CABIN_GMEM_USER | CABIN_GMEM_R, &off, &n);
		if (err)
			return err;
		/* To the end of the page: the next may fault. */
		if (n > CABIN_GMEM_PAGE - (gva + done) % CABIN_GMEM_PAGE)
			n = CABIN_GMEM_PAGE - (gva + done) % CABIN_GMEM_PAGE;
		err = move(g, buf + done, g->host + off, n);
		if (err)
			return err;
		/* Looked for in the copy: another vCPU may change the guest's. */
		nul = memchr(buf + done, '\0', n);
		if (nul)
			return (ssize_t)(nul - buf);
	}
	return -ENAMETOOLONG;
}

ssize_t cabin_gmem_string(const struct cabin_gmem *g, uint64_t gva,
			  char *buf, size_t cap)
{
	ssize_t len;

	if (!cap)
		return -EINVAL;
	buf[0] = '\0';
	if (!g->host)
		return -EFAULT;
	len = string_copy(g, gva, buf, cap);
	if (len < 0) {
		buf[0] = '\0';
		return len;
	}
	buf[len] = '\0';
	return len;
}
