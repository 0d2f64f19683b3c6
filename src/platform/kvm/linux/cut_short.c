/*
 * A MAP_SHARED file cut short under its mapping.  The host's pages past
 * the file's new end are gone: KVM cannot back the guest's access to one
 * (KVM_RUN fails with EFAULT, naming no address).  Linux would raise
 * SIGBUS (BUS_ADRERR) at the faulting address, which the program may
 * catch.  So on that EFAULT the monitor finds the shared pages whose host
 * page is gone and takes them out of the guest's page tables; the vCPU
 * then retries the access, takes a page fault that the proxy kernel
 * hands to the monitor (the page is not its own), and the monitor turns
 * a fault on such a page into SIGBUS with CR2 as si_addr.  When the file
 * grows back over the page, the host page is there again: the next fault
 * on it maps it again and the access goes on, as on Linux.
 */
#include "platform/kvm/shared/abi.h"
#include "platform/kvm/shared/anon.h"
#include "platform/kvm/linux/linux.h"
#include "platform/kvm/vmm/monitor_fault.h"
#include "platform/kvm/shared/pte.h"

static bool shared_tag(const struct cabin_kvm_mmstate *ms, unsigned int tag)
{
	return tag < CABIN_KVM_TAGS &&
	       (ms->shared_tags[tag / 8] & (1u << (tag % 8)));
}

/* The host page behind guest page gva of region r. */
static const unsigned char *host_page(const struct cabin_kvm *k,
				      const struct cabin_gmem_region *r,
				      uint64_t gva)
{
	return k->vm.mem.host + r->off + (gva - r->gva);
}

bool cabin_kvm_cut_short_page(struct cabin_kvm *k, uint64_t gva)
{
	const struct cabin_gmem_region *r = cabin_gmem_find(&k->vm.mem, gva);

	gva &= ~(uint64_t)(CABIN_KVM_PAGE - 1);
	return r && shared_tag(k->vm.ms, r->tag) &&
	       cabin_kvm_host_page_gone(host_page(k, r, gva));
}

bool cabin_kvm_unmap_cut_short(struct cabin_kvm *k)
{
	const struct cabin_gmem_table *tab = k->vm.mem.tab;
	bool any = false;
	uint32_t i;

	cabin_kvm_mm_lock(&k->mm);
	for (i = 0; i < tab->n; i++) {
		const struct cabin_gmem_region *r = &tab->r[i];
		uint64_t a;

		if (!shared_tag(k->vm.ms, r->tag))
			continue;
		for (a = r->gva; a - r->gva < r->len; a += CABIN_KVM_PAGE) {
			uint64_t *e = cabin_pt_leaf(&k->vm.pt, a, 0);

			if (!e || !(*e & CABIN_PTE_P) ||
			    !cabin_kvm_host_page_gone(host_page(k, r, a)))
				continue;
			*e = 0;
			any = true;
		}
	}
	if (any)
		cabin_kvm_vm_flush_tlb(&k->vm);
	cabin_kvm_mm_unlock(&k->mm);
	return any;
}

/* The access a page-fault error code asks for, as a region's bit. */
static unsigned int wanted(unsigned int error)
{
	if (error & CABIN_PF_W)
		return CABIN_GMEM_W;
	return (error & CABIN_PF_I) ? CABIN_GMEM_X : CABIN_GMEM_R;
}

bool cabin_kvm_cut_short_back(struct cabin_kvm *k, uint64_t gva,
			      unsigned int error)
{
	const struct cabin_gmem_region *r;
	bool back = false;
	uint64_t *e;

	if (error & (CABIN_PF_P | CABIN_PF_RSVD))
		return false;
	gva &= ~(uint64_t)(CABIN_KVM_PAGE - 1);
	cabin_kvm_mm_lock(&k->mm);
	r = cabin_gmem_find(&k->vm.mem, gva);
	if (r && shared_tag(k->vm.ms, r->tag) && (r->prot & CABIN_GMEM_USER) &&
	    (r->prot & wanted(error)) &&
	    !cabin_kvm_host_page_gone(host_page(k, r, gva))) {
		e = cabin_pt_leaf(&k->vm.pt, gva, 1);
		if (e && !(*e & CABIN_PTE_P)) {
			*e = cabin_pt_entry(gva, r->prot);
			back = true;
		}
	}
	cabin_kvm_mm_unlock(&k->mm);
	return back;
}
