/*
 * The guest's 4-level page tables as data: the walk to a leaf entry and
 * the bits of an entry, shared by the monitor (through its host mapping
 * of guest memory) and the proxy kernel (through the identity mapping).
 */
#ifndef CABIN_PLATFORM_KVM_PTE_H
#define CABIN_PLATFORM_KVM_PTE_H

#include <stdint.h>

#include "platform/kvm/shared/abi.h"
#include "platform/kvm/shared/gmem_table.h"

#define CABIN_PTE_P	0x1ull
#define CABIN_PTE_W	0x2ull
#define CABIN_PTE_U	0x4ull
/*
 * Ignored by the CPU in an entry that is not present: a PROT_NONE page
 * whose frame may still hold the program's data (frames behind no entry
 * are zero, so only these and present ones need zeroing when unmapped).
 */
#define CABIN_PTE_KEPT	(1ull << 9)
#define CABIN_PTE_NX	(1ull << 63)
#define CABIN_PTE_ADDR	0x000ffffffffff000ull

/* How guest-physical addresses become pointers, and the shared state. */
struct cabin_pt {
	uintptr_t base;		/* guest-physical 0: the host mapping, or 0 */
	uint64_t size;		/* guest-physical bytes */
	struct cabin_kvm_mmstate *ms;
};

/*
 * The leaf entry for gva, or NULL when a table on the way is missing
 * (made from the pool when create, NULL when it is spent).
 */
uint64_t *cabin_pt_leaf(const struct cabin_pt *pt, uint64_t gva, int create);

/*
 * The entry of frame gpa for CABIN_GMEM_* prot: present with W, U, NX
 * and the execute-only key as prot says, or kept (not present) when prot
 * allows no access.
 */
uint64_t cabin_pt_entry(uint64_t gpa, unsigned int prot);

/* The next leaf that may exist at or after gva, where none is at gva. */
static inline uint64_t cabin_pt_skip(uint64_t gva)
{
	return (gva | ((1ull << 21) - 1)) + 1;
}

#endif
