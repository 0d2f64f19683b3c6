/*
 * The guest's 4-level page tables, written by the monitor: identity
 * mappings of 4 KiB pages, tables taken from a pool at the top of guest
 * memory that user space never reaches, so the program cannot touch them.
 */
#include <errno.h>
#include <string.h>

#include "platform/kvm/abi.h"
#include "platform/kvm/vm.h"

#define PTE_P		0x1ull
#define PTE_W		0x2ull
#define PTE_U		0x4ull
#define PTE_NX		(1ull << 63)
#define PTE_ADDR	0x000ffffffffff000ull

static uint64_t *table_at(struct cabin_kvm_vm *vm, uint64_t gpa)
{
	void *p;

	if (cabin_gmem_gpa(&vm->mem, gpa, CABIN_KVM_PAGE, &p) < 0)
		return NULL;
	return p;
}

static int pool_page(struct cabin_kvm_vm *vm, uint64_t *gpa)
{
	uint64_t *t;

	if (vm->pt_next >= vm->pt_end)
		return -ENOMEM;
	*gpa = vm->pt_next;
	t = table_at(vm, *gpa);
	if (!t)
		return -EFAULT;
	memset(t, 0, CABIN_KVM_PAGE);
	vm->pt_next += CABIN_KVM_PAGE;
	return 0;
}

int cabin_kvm_pt_init(struct cabin_kvm_vm *vm)
{
	return pool_page(vm, &vm->pml4);
}

/* The leaf entry for gva; tables on the way are made when create. */
static uint64_t *leaf(struct cabin_kvm_vm *vm, uint64_t gva, bool create)
{
	uint64_t gpa = vm->pml4, next;
	int shift;

	for (shift = 39; shift > 12; shift -= 9) {
		uint64_t *t = table_at(vm, gpa);
		uint64_t *e;

		if (!t)
			return NULL;
		e = &t[(gva >> shift) & 511];
		if (!(*e & PTE_P)) {
			if (!create || pool_page(vm, &next) < 0)
				return NULL;
			/* Upper levels allow all; the leaf decides. */
			*e = next | PTE_P | PTE_W | PTE_U;
		}
		gpa = *e & PTE_ADDR;
	}
	{
		uint64_t *t = table_at(vm, gpa);

		return t ? &t[(gva >> 12) & 511] : NULL;
	}
}

static uint64_t pte_bits(unsigned int prot)
{
	uint64_t v = PTE_P;

	if (prot & CABIN_GMEM_W)
		v |= PTE_W;
	if (prot & CABIN_GMEM_USER)
		v |= PTE_U;
	if (!(prot & CABIN_GMEM_X))
		v |= PTE_NX;
	/* Execute-only code (--xom) carries key 1, which PKRU keeps unread. */
	if ((prot & CABIN_GMEM_X) && !(prot & CABIN_GMEM_R))
		v |= CABIN_KVM_XOM_PKEY << 59;
	return v;
}

int cabin_kvm_pt_set(struct cabin_kvm_vm *vm, uint64_t gva, uint64_t len,
		     unsigned int prot)
{
	uint64_t a;

	for (a = gva; a < gva + len; a += CABIN_KVM_PAGE) {
		uint64_t *e = leaf(vm, a, true);

		if (!e)
			return -ENOMEM;
		*e = a | pte_bits(prot);
	}
	return 0;
}

static bool user_range(const struct cabin_kvm_vm *vm, uint64_t gva,
		       uint64_t len)
{
	return !(gva % CABIN_KVM_PAGE) && !(len % CABIN_KVM_PAGE) &&
	       gva >= CABIN_KVM_USER_MIN && gva <= vm->user_top &&
	       len <= vm->user_top - gva;
}

int cabin_kvm_pt_map(struct cabin_kvm_vm *vm, uint64_t gva, uint64_t len,
		     unsigned int prot)
{
	if (!user_range(vm, gva, len))
		return -EINVAL;
	cabin_kvm_vm_flush_tlb(vm);
	return cabin_kvm_pt_set(vm, gva, len, prot | CABIN_GMEM_USER);
}

int cabin_kvm_pt_unmap(struct cabin_kvm_vm *vm, uint64_t gva, uint64_t len)
{
	uint64_t a;

	if (!user_range(vm, gva, len))
		return -EINVAL;
	for (a = gva; a < gva + len; a += CABIN_KVM_PAGE) {
		uint64_t *e = leaf(vm, a, false);

		if (e)
			*e = 0;
	}
	cabin_kvm_vm_flush_tlb(vm);
	return 0;
}
