/*
 * The program's anonymous memory as the proxy kernel serves it: mmap,
 * munmap, mprotect, madvise, brk and mremap on the region table and the
 * page tables, and lazy page faults, with no host pointer of its own.
 * Built into the guest image; the monitor shares its address choice.
 */
#ifndef CABIN_PLATFORM_KVM_ANON_H
#define CABIN_PLATFORM_KVM_ANON_H

#include <stdbool.h>
#include <stdint.h>

#include "platform/kvm/shared/abi.h"
#include "platform/kvm/shared/gmem_table.h"
#include "platform/kvm/shared/pte.h"

/* Not answered here: the call goes to the monitor, which is the reference. */
#define CABIN_ANON_FALLBACK	(-4096 - 2)
/* Free space kept above the heap for it to grow into. */
#define CABIN_ANON_GAP		(1ull << 20)

/* The page-fault error code's bits. */
#define CABIN_PF_P	0x1u
#define CABIN_PF_W	0x2u
#define CABIN_PF_RSVD	0x8u
#define CABIN_PF_I	0x10u

struct cabin_anon {
	struct cabin_pt pt;
	struct cabin_gmem_table *tab;
	uint8_t *grants;		/* the bitmap at CABIN_KVM_GRANTS */
	/* Entries were changed or removed: drop stale translations. */
	void (*flush)(const struct cabin_anon *a);
	/*
	 * The frames of [lo, hi), behind no entry now (removed and flushed),
	 * go back to the host and read as zero from then on.
	 */
	void (*release)(const struct cabin_anon *a, uint64_t lo, uint64_t hi);
	/* Ask the monitor to grant the run holding gva. */
	void (*refill)(const struct cabin_anon *a, uint64_t gva);
};

/*
 * The calls, with Linux's arguments; CABIN_ANON_FALLBACK for anything
 * but private anonymous memory and private file copies, and for every
 * error, so that the monitor gives Linux's answer.  Nothing is changed
 * on a fallback except that a MAP_FIXED mapping's old pages may be gone
 * (the monitor replaces them anyway).
 */
long cabin_anon_mmap(const struct cabin_anon *a, uint64_t addr, uint64_t len,
		     int prot, int flags, uint64_t off);
long cabin_anon_munmap(const struct cabin_anon *a, uint64_t addr, uint64_t len);
long cabin_anon_mprotect(const struct cabin_anon *a, uint64_t addr,
			 uint64_t len, int prot);
long cabin_anon_madvise(const struct cabin_anon *a, uint64_t addr, uint64_t len,
			int advice);
long cabin_anon_brk(const struct cabin_anon *a, uint64_t addr);
long cabin_anon_mremap(const struct cabin_anon *a, uint64_t old,
		       uint64_t oldlen, uint64_t newlen, int flags);

/*
 * A page fault at gva with the CPU's error code: 1 when it was a page
 * not yet mapped of a private region that allows the access, now mapped.
 */
int cabin_anon_fault(const struct cabin_anon *a, uint64_t gva,
		     unsigned int error);

/* CABIN_GMEM_R/W/X for PROT_* (W and X imply R, but under xom PROT_EXEC alone). */
unsigned int cabin_anon_prot(int prot, bool xom);
/* [addr, addr + len) lies in user space. */
bool cabin_anon_user(const struct cabin_kvm_mmstate *ms, uint64_t addr,
		     uint64_t len);
/* In user space and no region there. */
bool cabin_anon_is_free(const struct cabin_gmem_table *t,
			const struct cabin_kvm_mmstate *ms, uint64_t addr,
			uint64_t len);
/* Where mmap puts len bytes it is given no address for; 0 when nowhere. */
uint64_t cabin_anon_find_free(const struct cabin_gmem_table *t,
			      const struct cabin_kvm_mmstate *ms, uint64_t len);
/* The grant run holding gva: its bit in the grant bitmap. */
uint64_t cabin_anon_run(const struct cabin_kvm_mmstate *ms, uint64_t gva);

/* The lock over the table, the page tables and the shared state. */
static inline void cabin_anon_lock(uint32_t *l)
{
	while (__atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE))
		__asm__ volatile("pause" : : : "memory");
}

static inline void cabin_anon_unlock(uint32_t *l)
{
	__atomic_store_n(l, 0, __ATOMIC_RELEASE);
}

#endif
