/*
 * The guest's 4-level page tables as the monitor writes them: identity
 * mappings of 4 KiB pages, tables taken from a pool at the top of guest
 * memory that user space never reaches, so the program cannot touch them.
 * The proxy kernel writes the same tables (pte.c) for anonymous memory.
 */
#include <errno.h>
#include <string.h>

#include "platform/kvm/shared/abi.h"
#include "platform/kvm/vmm/vm.h"

int cabin_kvm_pt_init(struct cabin_kvm_vm *vm)
{
	struct cabin_kvm_mmstate *ms = vm->ms;

	if (ms->pt_next >= ms->pt_end || ms->pt_next + CABIN_KVM_PAGE > vm->mem.size)
		return -ENOMEM;
	memset(vm->mem.host + ms->pt_next, 0, CABIN_KVM_PAGE);
	ms->pml4 = ms->pt_next;
	ms->pt_next += CABIN_KVM_PAGE;
	return 0;
}

int cabin_kvm_pt_set(struct cabin_kvm_vm *vm, uint64_t gva, uint64_t len,
		     unsigned int prot)
{
	uint64_t a;

	for (a = gva; a < gva + len; a += CABIN_KVM_PAGE) {
		uint64_t *e = cabin_pt_leaf(&vm->pt, a, 1);

		if (!e)
			return -ENOMEM;
		*e = cabin_pt_entry(a, prot);
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
	for (a = gva; a < gva + len;) {
		uint64_t *e = cabin_pt_leaf(&vm->pt, a, 0);

		if (!e) {
			a = cabin_pt_skip(a);
			continue;
		}
		*e = 0;
		a += CABIN_KVM_PAGE;
	}
	cabin_kvm_vm_flush_tlb(vm);
	return 0;
}
