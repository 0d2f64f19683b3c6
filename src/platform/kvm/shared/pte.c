/*
 * Walking the guest's page tables and forming their entries, with no
 * host pointer of its own: the monitor and the proxy kernel both build
 * this, each with its own base for guest-physical memory.
 */
#include <string.h>

#include "platform/kvm/shared/pte.h"

static uint64_t *table_at(const struct cabin_pt *pt, uint64_t gpa)
{
	if (gpa >= pt->size || pt->size - gpa < CABIN_KVM_PAGE)
		return NULL;
	return (uint64_t *)(pt->base + gpa);
}

/* A zeroed table from the pool, or 0 when it is spent. */
static uint64_t pool_page(const struct cabin_pt *pt)
{
	uint64_t gpa = pt->ms->pt_next;
	uint64_t *t;

	if (gpa >= pt->ms->pt_end)
		return 0;
	t = table_at(pt, gpa);
	if (!t)
		return 0;
	memset(t, 0, CABIN_KVM_PAGE);
	pt->ms->pt_next = gpa + CABIN_KVM_PAGE;
	return gpa;
}

uint64_t *cabin_pt_leaf(const struct cabin_pt *pt, uint64_t gva, int create)
{
	uint64_t gpa = pt->ms->pml4, next;
	uint64_t *t;
	int shift;

	for (shift = 39; shift > 12; shift -= 9) {
		uint64_t *e;

		t = table_at(pt, gpa);
		if (!t)
			return NULL;
		e = &t[(gva >> shift) & 511];
		if (!(*e & CABIN_PTE_P)) {
			next = create ? pool_page(pt) : 0;
			if (!next)
				return NULL;
			/* Upper levels allow all; the leaf decides. */
			*e = next | CABIN_PTE_P | CABIN_PTE_W | CABIN_PTE_U;
		}
		gpa = *e & CABIN_PTE_ADDR;
	}
	t = table_at(pt, gpa);
	return t ? &t[(gva >> 12) & 511] : NULL;
}

uint64_t cabin_pt_entry(uint64_t gpa, unsigned int prot)
{
	uint64_t v = (gpa & CABIN_PTE_ADDR) | CABIN_PTE_P;

	if (!(prot & CABIN_GMEM_RWX))
		return (gpa & CABIN_PTE_ADDR) | CABIN_PTE_KEPT;
	if (prot & CABIN_GMEM_W)
		v |= CABIN_PTE_W;
	if (prot & CABIN_GMEM_USER)
		v |= CABIN_PTE_U;
	if (!(prot & CABIN_GMEM_X))
		v |= CABIN_PTE_NX;
	/* Execute-only code (--xom) carries key 1, which PKRU keeps unread. */
	if ((prot & CABIN_GMEM_X) && !(prot & CABIN_GMEM_R))
		v |= CABIN_KVM_XOM_PKEY << 59;
	return v;
}
