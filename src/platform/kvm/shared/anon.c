/*
 * Anonymous memory decided in the proxy kernel: only what is certainly
 * right is answered here, everything else falls back to the monitor.
 * Pages are mapped lazily, at their first fault.  What keeps the two
 * sides consistent: a frame behind no entry (present or kept) is zero,
 * so unmapping releases only the frames of entries (the host drops them:
 * zero, and no longer committed), and a fault maps a frame without
 * zeroing it.
 */
#include <linux/errno.h>
#include <linux/mman.h>

#include "platform/kvm/shared/anon.h"

#define PAGE		CABIN_GMEM_PAGE
#define FALLBACK	CABIN_ANON_FALLBACK
#define PROT_ALL	(PROT_READ | PROT_WRITE | PROT_EXEC)
/* Flags that change nothing of a private anonymous mapping here. */
#define MMAP_FLAGS	(MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | \
			 MAP_FIXED_NOREPLACE | MAP_NORESERVE | MAP_STACK)

static uint64_t page_up(uint64_t v)
{
	return (v + PAGE - 1) & ~(PAGE - 1);
}

unsigned int cabin_anon_prot(int prot, bool xom)
{
	unsigned int p = 0;

	if (xom && (prot & PROT_ALL) == PROT_EXEC)
		return CABIN_GMEM_X;
	if (prot & PROT_READ)
		p |= CABIN_GMEM_R;
	if (prot & PROT_WRITE)
		p |= CABIN_GMEM_W | CABIN_GMEM_R;
	if (prot & PROT_EXEC)
		p |= CABIN_GMEM_X | CABIN_GMEM_R;
	return p;
}

bool cabin_anon_user(const struct cabin_kvm_mmstate *ms, uint64_t addr,
		     uint64_t len)
{
	return addr >= CABIN_KVM_USER_MIN && addr <= ms->user_top &&
	       len <= ms->user_top - addr;
}

bool cabin_anon_is_free(const struct cabin_gmem_table *t,
			const struct cabin_kvm_mmstate *ms, uint64_t addr,
			uint64_t len)
{
	return cabin_anon_user(ms, addr, len) &&
	       cabin_gmem_table_is_free(t, addr, len);
}

uint64_t cabin_anon_find_free(const struct cabin_gmem_table *t,
			      const struct cabin_kvm_mmstate *ms, uint64_t len)
{
	uint64_t lo = page_up(ms->brk) + CABIN_ANON_GAP;

	if (lo < CABIN_KVM_USER_MIN)
		lo = CABIN_KVM_USER_MIN;
	return cabin_gmem_table_free_below(t, lo, ms->mmap_base, len);
}

uint64_t cabin_anon_run(const struct cabin_kvm_mmstate *ms, uint64_t gva)
{
	return gva / PAGE / (ms->batch ? ms->batch : 1);
}

/* Private anonymous memory: the kernel's to map, zero and drop. */
static bool anon_tag(unsigned int tag)
{
	return tag == CABIN_KVM_TAG_ANON || tag == CABIN_KVM_TAG_STACK ||
	       tag == CABIN_KVM_TAG_HEAP;
}

/*
 * Shared mappings are host mappings the monitor keeps in step with a
 * file or another process: only the monitor may change them.  A private
 * file mapping is a copy, the program's own.
 */
static bool private_tag(const struct cabin_kvm_mmstate *ms, unsigned int tag)
{
	if (anon_tag(tag))
		return true;
	return tag >= CABIN_KVM_TAG_FIRST_FILE && tag < CABIN_KVM_TAGS &&
	       !(ms->shared_tags[tag / 8] & (1u << (tag % 8)));
}

/*
 * Every region overlapping [addr, addr + len) is private (and anonymous,
 * with anon_only); with whole, they also leave no gap.
 */
static bool regions_ok(const struct cabin_anon *a, uint64_t addr,
		       uint64_t len, bool whole, bool anon_only)
{
	const struct cabin_gmem_table *t = a->tab;
	uint64_t at = addr, end = addr + len;
	unsigned int i;

	for (i = 0; i < t->n; i++) {
		const struct cabin_gmem_region *r = &t->r[i];

		if (r->gva + r->len <= addr)
			continue;
		if (r->gva >= end)
			break;
		if (whole && r->gva > at)
			return false;
		if (!private_tag(a->pt.ms, r->tag) ||
		    (anon_only && !anon_tag(r->tag)))
			return false;
		at = r->gva + r->len;
	}
	return !whole || at >= end;
}

/*
 * The present and kept entries of the range: removed and their frames
 * released (clear), or given prot; pages not mapped yet stay so.  One
 * release covers the first to the last frame removed: those between were
 * behind no entry, so zero already.
 */
static void change_pages(const struct cabin_anon *a, uint64_t addr,
			 uint64_t len, bool clear, unsigned int prot)
{
	uint64_t g = addr, lo = 0, hi = 0;
	bool changed = false;

	while (g < addr + len) {
		uint64_t *e = cabin_pt_leaf(&a->pt, g, 0);

		if (!e) {
			g = cabin_pt_skip(g);
			continue;
		}
		if (*e & (CABIN_PTE_P | CABIN_PTE_KEPT)) {
			*e = clear ? 0 : cabin_pt_entry(*e, prot);
			if (!changed)
				lo = g;
			hi = g + PAGE;
			changed = true;
		}
		g += PAGE;
	}
	if (!changed)
		return;
	a->flush(a);
	if (clear)
		a->release(a, lo, hi);
}

static void clear_pages(const struct cabin_anon *a, uint64_t addr,
			uint64_t len)
{
	change_pages(a, addr, len, true, 0);
}

/* Where a mapping goes, or 0 to leave the call to the monitor. */
static uint64_t place(const struct cabin_anon *a, uint64_t addr, uint64_t len,
		      int flags)
{
	const struct cabin_kvm_mmstate *ms = a->pt.ms;

	if (!(flags & (MAP_FIXED | MAP_FIXED_NOREPLACE))) {
		addr &= ~(PAGE - 1);
		if (addr && cabin_anon_is_free(a->tab, ms, addr, len))
			return addr;
		return cabin_anon_find_free(a->tab, ms, len);
	}
	if (addr % PAGE || !cabin_anon_user(ms, addr, len))
		return 0;
	if (!(flags & MAP_FIXED))
		return cabin_gmem_table_is_free(a->tab, addr, len) ? addr : 0;
	if (!regions_ok(a, addr, len, false, false))
		return 0;
	clear_pages(a, addr, len);
	return addr;
}

long cabin_anon_mmap(const struct cabin_anon *a, uint64_t addr, uint64_t len,
		     int prot, int flags, uint64_t off)
{
	uint64_t at;

	if ((flags & MAP_TYPE) != MAP_PRIVATE || !(flags & MAP_ANONYMOUS) ||
	    (flags & ~MMAP_FLAGS) || (prot & ~PROT_ALL) || !len ||
	    len > UINT64_MAX - PAGE || off % PAGE ||
	    !cabin_gmem_table_room(a->tab))
		return FALLBACK;
	len = page_up(len);
	at = place(a, addr, len, flags);
	/* Anonymous regions continue one another (foff is gva) and merge. */
	if (!at || cabin_gmem_table_set(a->tab, at, len,
					cabin_anon_prot(prot, false) |
					CABIN_GMEM_USER,
					CABIN_KVM_TAG_ANON, at) < 0)
		return FALLBACK;
	a->pt.ms->calls++;
	return (long)at;
}

/* Forget a range the caller checked is private. */
static void unmap(const struct cabin_anon *a, uint64_t addr, uint64_t len)
{
	clear_pages(a, addr, len);
	cabin_gmem_table_unmap(a->tab, addr, len);
}

long cabin_anon_munmap(const struct cabin_anon *a, uint64_t addr, uint64_t len)
{
	if (addr % PAGE || !len || len > UINT64_MAX - PAGE)
		return FALLBACK;
	len = page_up(len);
	if (!cabin_anon_user(a->pt.ms, addr, len) ||
	    !regions_ok(a, addr, len, false, false) ||
	    !cabin_gmem_table_room(a->tab))
		return FALLBACK;
	unmap(a, addr, len);
	a->pt.ms->calls++;
	return 0;
}

long cabin_anon_mprotect(const struct cabin_anon *a, uint64_t addr,
			 uint64_t len, int prot)
{
	unsigned int p = cabin_anon_prot(prot, false) | CABIN_GMEM_USER;
	uint64_t at, end;

	if (addr % PAGE || (prot & ~PROT_ALL) || !len ||
	    len > UINT64_MAX - PAGE)
		return FALLBACK;
	len = page_up(len);
	end = addr + len;
	/* Two splits at the ends at most; each piece is set in its place. */
	if (!cabin_anon_user(a->pt.ms, addr, len) ||
	    !regions_ok(a, addr, len, true, false) ||
	    a->tab->n + 4 >= CABIN_GMEM_MAX_REGIONS)
		return FALLBACK;
	for (at = addr; at < end;) {
		const struct cabin_gmem_region *r = cabin_gmem_table_find(a->tab, at);
		uint64_t stop = r->gva + r->len < end ? r->gva + r->len : end;

		cabin_gmem_table_set(a->tab, at, stop - at, p, r->tag,
				     r->foff + (at - r->gva));
		at = stop;
	}
	change_pages(a, addr, len, false, p);
	a->pt.ms->calls++;
	return 0;
}

long cabin_anon_madvise(const struct cabin_anon *a, uint64_t addr, uint64_t len,
			int advice)
{
	if (addr % PAGE || len > UINT64_MAX - PAGE)
		return FALLBACK;
	len = page_up(len);
	if (!cabin_anon_user(a->pt.ms, addr, len))
		return FALLBACK;
	switch (advice) {
	case MADV_DONTNEED:
	case MADV_FREE:
		/* Anonymous pages read back as zero, as on Linux. */
		if (!regions_ok(a, addr, len, true, true))
			return FALLBACK;
		clear_pages(a, addr, len);
		break;
	case MADV_NORMAL:
	case MADV_RANDOM:
	case MADV_SEQUENTIAL:
	case MADV_WILLNEED:
	case MADV_HUGEPAGE:
	case MADV_NOHUGEPAGE:
	case MADV_DONTDUMP:
	case MADV_DODUMP:
		break;
	default:
		return FALLBACK;
	}
	a->pt.ms->calls++;
	return 0;
}

long cabin_anon_brk(const struct cabin_anon *a, uint64_t addr)
{
	struct cabin_kvm_mmstate *ms = a->pt.ms;
	uint64_t old = page_up(ms->brk), want = page_up(addr);

	if (addr >= ms->brk_start && addr <= ms->user_top) {
		if (!cabin_gmem_table_room(a->tab))
			return FALLBACK;
		if (want > old) {
			if (!cabin_anon_is_free(a->tab, ms, old, want - old) ||
			    cabin_gmem_table_set(a->tab, old, want - old,
						 CABIN_GMEM_R | CABIN_GMEM_W |
						 CABIN_GMEM_USER,
						 CABIN_KVM_TAG_HEAP, old) < 0)
				return FALLBACK;
		} else if (want < old) {
			if (!regions_ok(a, want, old - want, false, false))
				return FALLBACK;
			unmap(a, want, old - want);
		}
		ms->brk = addr;
	}
	ms->calls++;
	return (long)ms->brk;
}

long cabin_anon_mremap(const struct cabin_anon *a, uint64_t old,
		       uint64_t oldlen, uint64_t newlen, int flags)
{
	const struct cabin_gmem_region *r;
	uint64_t foff;
	unsigned int prot, tag;

	if (old % PAGE || !newlen || newlen > UINT64_MAX - PAGE ||
	    oldlen > UINT64_MAX - PAGE || (flags & ~MREMAP_MAYMOVE))
		return FALLBACK;
	oldlen = page_up(oldlen);
	newlen = page_up(newlen);
	r = cabin_gmem_table_find(a->tab, old);
	/* Moves, file mappings and errors are the monitor's. */
	if (!oldlen || !cabin_anon_user(a->pt.ms, old, oldlen) || !r ||
	    old + oldlen > r->gva + r->len || !anon_tag(r->tag) ||
	    !cabin_gmem_table_room(a->tab))
		return FALLBACK;
	prot = r->prot;
	tag = r->tag;
	foff = r->foff + (old + oldlen - r->gva);
	if (newlen < oldlen) {
		unmap(a, old + newlen, oldlen - newlen);
	} else if (newlen > oldlen) {
		if (!cabin_anon_is_free(a->tab, a->pt.ms, old + oldlen,
					newlen - oldlen) ||
		    cabin_gmem_table_set(a->tab, old + oldlen, newlen - oldlen,
					 prot, tag, foff) < 0)
			return FALLBACK;
	}
	a->pt.ms->calls++;
	return (long)old;
}

static bool granted(const struct cabin_anon *a, uint64_t gva)
{
	uint64_t run = cabin_anon_run(a->pt.ms, gva);

	return run >= CABIN_KVM_GRANTS_SIZE * 8ull ||
	       (__atomic_load_n(&a->grants[run / 8], __ATOMIC_ACQUIRE) &
		(1u << (run % 8)));
}

int cabin_anon_fault(const struct cabin_anon *a, uint64_t gva,
		     unsigned int error)
{
	const struct cabin_gmem_region *r;
	unsigned int need;
	uint64_t *e;

	if (error & (CABIN_PF_P | CABIN_PF_RSVD))
		return 0;
	need = (error & CABIN_PF_W) ? CABIN_GMEM_W :
	       (error & CABIN_PF_I) ? CABIN_GMEM_X : CABIN_GMEM_R;
	r = cabin_gmem_table_find(a->tab, gva);
	if (!r || !(r->prot & CABIN_GMEM_USER) || !(r->prot & need) ||
	    !private_tag(a->pt.ms, r->tag))
		return 0;
	e = cabin_pt_leaf(&a->pt, gva, 1);
	if (!e)
		return 0;
	if (!(*e & CABIN_PTE_P)) {
		if (!granted(a, gva))
			a->refill(a, gva);
		*e = cabin_pt_entry(gva, r->prot);
		a->pt.ms->faults++;
	}
	return 1;
}
