/*
 * The proxy kernel's trap path: a syscall it may answer itself is
 * answered here, and a fault on a lazily mapped page resolved; every
 * other trap from the program leaves for the monitor through a port,
 * with the frame's address; a trap from the kernel itself is a bug,
 * reported on its own port, and never resumed.
 */
#include <stdint.h>

#include "platform/kvm/shared/abi.h"
#include "platform/kvm/guest/guest.h"

static inline uint64_t percpu_flush(void)
{
	uint64_t v;

	__asm__ volatile("movq %%gs:%c1, %0" : "=r"(v)
			 : "i"(CABIN_KVM_PERCPU_FLUSH));
	return v;
}

static inline void percpu_clear_flush(void)
{
	__asm__ volatile("movq $0, %%gs:%c0" : : "i"(CABIN_KVM_PERCPU_FLUSH)
			 : "memory");
}

static inline uint64_t percpu_read(unsigned long off)
{
	uint64_t v;

	__asm__ volatile("movq %%gs:(%1), %0" : "=r"(v) : "r"(off));
	return v;
}

/* Only when the monitor asked, for a test: a user page, touched here. */
static void run_test_fault(void)
{
	uint64_t what = percpu_read(CABIN_KVM_PERCPU_TEST);
	uint64_t addr = percpu_read(CABIN_KVM_PERCPU_TEST_ADDR);

	if (what == CABIN_KVM_TEST_READ)
		(void)*(volatile uint64_t *)addr;
	else if (what == CABIN_KVM_TEST_EXEC)
		((void (*)(void))addr)();
	else if (what == CABIN_KVM_TEST_UD)
		__asm__ volatile("ud2");
}

void cabin_guest_trap(struct cabin_kvm_frame *f)
{
	/*
	 * The accessor met a page not mapped yet (mapped now, the copy goes
	 * on) or a bad program pointer (it returns -EFAULT).
	 */
	if (!(f->cs & 3) && f->vector == 14 &&
	    f->rip == (uint64_t)(uintptr_t)cabin_guest_copy_insn) {
		if (!cabin_guest_fault(f))
			f->rip = (uint64_t)(uintptr_t)cabin_guest_copy_fault;
		return;
	}
	/* A double fault or any other fault at CPL0 stops the VM for good. */
	if (!(f->cs & 3) || f->vector == 8) {
		for (;;) {
			out32(CABIN_KVM_PORT_PANIC, (uint32_t)(uintptr_t)f);
			__asm__ volatile("hlt");
		}
	}
	/* At entry, so that an exception's entry is tested as a syscall's. */
	run_test_fault();
	if (f->vector == CABIN_KVM_VEC_SYSCALL ?
	    !cabin_guest_local(f) && !cabin_guest_mm(f) && !cabin_guest_ring(f) :
	    !cabin_guest_fault(f))
		out32(CABIN_KVM_PORT_TRAP, (uint32_t)(uintptr_t)f);
	/*
	 * A host signal came while this vCPU was in here, where the monitor
	 * cannot deliver it: give it the frame before the program runs on.
	 */
	if (percpu_read(CABIN_KVM_PERCPU_KICK))
		out32(CABIN_KVM_PORT_SIGNAL, (uint32_t)(uintptr_t)f);
	/* The monitor changed the page tables: drop stale translations. */
	if (percpu_flush()) {
		percpu_clear_flush();
		reload_cr3();
	}
}
