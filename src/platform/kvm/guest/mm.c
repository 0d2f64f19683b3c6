/*
 * The proxy kernel's side of the program's anonymous memory: memory
 * calls and page faults answered with no VM exit (anon.c decides what),
 * under the lock shared with the monitor; here are the kernel's own
 * means: dropping translations, asking for a refill or a release.
 */
#include <stdint.h>

#include "platform/kvm/shared/abi.h"
#include "platform/kvm/shared/anon.h"
#include "platform/kvm/guest/guest.h"

#define SYS_MMAP	9
#define SYS_MPROTECT	10
#define SYS_MUNMAP	11
#define SYS_BRK		12
#define SYS_MREMAP	25
#define SYS_MADVISE	28

static struct cabin_kvm_mmstate *const ms =
	(struct cabin_kvm_mmstate *)CABIN_KVM_MMSTATE;

static void flush(const struct cabin_anon *a)
{
	(void)a;
	reload_cr3();
}

static void refill(const struct cabin_anon *a, uint64_t gva)
{
	(void)a;
	out32(CABIN_KVM_PORT_REFILL, (uint32_t)(gva / CABIN_KVM_PAGE));
}

/*
 * The monitor drops the host pages (zero from then on, and no longer
 * the host's to keep); the lock, held here, keeps anyone from mapping
 * the range again before that.
 */
static void release(const struct cabin_anon *a, uint64_t lo, uint64_t hi)
{
	(void)a;
	ms->release_lo = lo;
	ms->release_hi = hi;
	out32(CABIN_KVM_PORT_RELEASE, 0);
}

static void anon(struct cabin_anon *a)
{
	a->pt.base = 0;
	a->pt.size = ms->mem_size;
	a->pt.ms = ms;
	a->tab = (struct cabin_gmem_table *)CABIN_KVM_REGIONS;
	a->grants = (uint8_t *)CABIN_KVM_GRANTS;
	a->flush = flush;
	a->refill = refill;
	a->release = release;
}

static long call(const struct cabin_anon *a, const struct cabin_kvm_frame *f)
{
	switch (f->rax) {
	case SYS_MMAP:
		return cabin_anon_mmap(a, f->rdi, f->rsi, (int)f->rdx,
				       (int)f->r10, f->r9);
	case SYS_MUNMAP:
		return cabin_anon_munmap(a, f->rdi, f->rsi);
	case SYS_MPROTECT:
		return cabin_anon_mprotect(a, f->rdi, f->rsi, (int)f->rdx);
	case SYS_MADVISE:
		return cabin_anon_madvise(a, f->rdi, f->rsi, (int)f->rdx);
	case SYS_BRK:
		return cabin_anon_brk(a, f->rdi);
	case SYS_MREMAP:
		return cabin_anon_mremap(a, f->rdi, f->rsi, f->rdx, (int)f->r10);
	}
	return CABIN_ANON_FALLBACK;
}

int cabin_guest_mm(struct cabin_kvm_frame *f)
{
	struct cabin_anon a;
	long ret;

	if (!cabin_guest_allowed(f->rax))
		return 0;
	anon(&a);
	cabin_anon_lock(&ms->lock);
	ret = call(&a, f);
	cabin_anon_unlock(&ms->lock);
	if (ret == CABIN_ANON_FALLBACK)
		return 0;
	f->rax = (uint64_t)ret;
	return 1;
}

int cabin_guest_fault(struct cabin_kvm_frame *f)
{
	struct cabin_anon a;
	uint64_t cr2;
	int done;

	if (f->vector != 14)
		return 0;
	__asm__ volatile("movq %%cr2, %0" : "=r"(cr2));
	anon(&a);
	cabin_anon_lock(&ms->lock);
	done = cabin_anon_fault(&a, cr2, (unsigned int)f->error);
	cabin_anon_unlock(&ms->lock);
	return done;
}
