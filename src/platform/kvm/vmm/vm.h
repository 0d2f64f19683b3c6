/*
 * One KVM virtual machine for one confined program: /dev/kvm, the VM, its
 * vCPU and the guest memory, set up so the vCPU can enter the program at
 * CPL3 with the proxy kernel's GDT, IDT, TSS and syscall entry in place.
 */
#ifndef CABIN_PLATFORM_KVM_VM_H
#define CABIN_PLATFORM_KVM_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/kvm.h>

#include "platform/kvm/shared/abi.h"
#include "platform/kvm/vmm/gmem.h"
#include "platform/kvm/shared/pte.h"

struct cabin_kvm_vm {
	int kvm, vm, vcpu;		/* -1 when not open */
	struct kvm_run *run;
	size_t run_size;
	struct cabin_gmem mem;
	struct cabin_kvm_mmstate *ms;	/* in guest memory: pml4, pool, ... */
	struct cabin_pt pt;		/* the page tables through mem.host */
	uint64_t pt_start;		/* the page-table pool is [pt_start, top) */
	uint64_t user_top;		/* user space is [USER_MIN, user_top) */
	bool smep, smap;		/* set in CR4 */
	bool no_smep, no_smap;		/* testing: leave them off */
	bool want_pke, pke;		/* protection keys asked for, and set */
	uint64_t lstar;			/* the proxy kernel's syscall entry */
};

/*
 * Build the VM with mem_size bytes of guest memory on kvm_fd (an open
 * /dev/kvm the VM then owns), or on /dev/kvm opened here when it is -1.
 * Returns 0, or -errno with why set to what failed ("/dev/kvm: ...").
 */
int cabin_kvm_vm_open(struct cabin_kvm_vm *vm, int kvm_fd, uint64_t mem_size,
		      char *why, size_t whylen);
void cabin_kvm_vm_close(struct cabin_kvm_vm *vm);

/*
 * Guest memory and the page-table pool alone, with no KVM behind them
 * (cabin_kvm_vm_open's first step; unit tests use it as it is): the
 * region table and the shared memory state move into the kernel area.
 */
int cabin_kvm_vm_layout(struct cabin_kvm_vm *vm, uint64_t mem_size);

/*
 * The page tables: map [gva, gva + len) (page aligned, identity) for the
 * program with CABIN_GMEM_R/W/X bits, or remove it.  -ENOMEM when the
 * page-table pool is spent, -EINVAL for a range outside user space.
 */
int cabin_kvm_pt_map(struct cabin_kvm_vm *vm, uint64_t gva, uint64_t len,
		     unsigned int prot);
int cabin_kvm_pt_unmap(struct cabin_kvm_vm *vm, uint64_t gva, uint64_t len);

/* The top-level table, first from the pool. */
int cabin_kvm_pt_init(struct cabin_kvm_vm *vm);

/* Any range, kernel area included, as prot says (CABIN_GMEM_USER too). */
int cabin_kvm_pt_set(struct cabin_kvm_vm *vm, uint64_t gva, uint64_t len,
		     unsigned int prot);

/*
 * Everything of a vCPU a forked monitor needs to go on where the parent
 * stopped.  Taken before fork: KVM answers a vCPU's ioctls only in the
 * process that made the VM.
 */
struct cabin_kvm_vcpu_state {
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	struct kvm_xcrs xcrs;
	uint64_t msr[4];		/* STAR, LSTAR, SFMASK, KERNEL_GS_BASE */
	struct kvm_xsave xsave;		/* last: it may end in a flexible array */
};

int cabin_kvm_vcpu_save(int vcpu, struct kvm_run *run,
			struct cabin_kvm_vcpu_state *st);
/* The state st into vCPU fd; 0 or -errno with why set. */
int cabin_kvm_vcpu_load(int fd, const struct cabin_kvm_vcpu_state *st,
			char *why, size_t whylen);
/* st, taken in the proxy kernel, made to start a new thread at CPL3. */
void cabin_kvm_vcpu_state_thread(struct cabin_kvm_vcpu_state *st,
				 unsigned int cpu);
/*
 * A further vCPU (KVM id cpu) for a thread of the program, in state st;
 * 0 with *fd and *run, or -errno with why set.
 */
int cabin_kvm_vm_add_vcpu(struct cabin_kvm_vm *vm, unsigned int cpu,
			  const struct cabin_kvm_vcpu_state *st, int *fd,
			  struct kvm_run **run, char *why, size_t whylen);

/* One MSR of a vCPU read (or, with set, written); 0 or -EIO. */
int cabin_kvm_vcpu_msr(int vcpu, uint32_t index, uint64_t *val, bool set);
/* The vCPU's CR2 (0 when unreadable), and where it stopped. */
uint64_t cabin_kvm_vcpu_cr2(int vcpu);
void cabin_kvm_vcpu_where(int vcpu, uint64_t *rip, uint64_t *cr2);
/*
 * KVM_RUN until an exit the caller is to see: an exit quick() takes
 * (true) goes straight back into the guest.  0, or -errno of KVM_RUN.
 */
int cabin_kvm_vcpu_run(int vcpu, struct kvm_run *run,
		       bool (*quick)(void *ctx, const struct kvm_run *run),
		       void *ctx);
/* "#PF page fault" for 14, as the run's diagnostics name vectors. */
const char *cabin_kvm_vector_name(uint64_t vector);
/* The vCPU's current privilege level (0 or 3), or -errno. */
int cabin_kvm_vcpu_cpl(int vcpu);
/*
 * The general registers of a vCPU stopped at CPL3 as a trap frame (user
 * selectors, no vector), and back; 0 or -errno.
 */
int cabin_kvm_vcpu_get_frame(int vcpu, struct cabin_kvm_frame *f);
int cabin_kvm_vcpu_set_frame(int vcpu, const struct cabin_kvm_frame *f);

/*
 * The frame a trap of vCPU cpu left on its port exit (run): it must lie
 * on that vCPU's kernel stack, else NULL.
 */
struct cabin_kvm_frame *cabin_kvm_vm_trap_frame(struct cabin_kvm_vm *vm,
					       unsigned int cpu,
					       const struct kvm_run *run);

/*
 * vCPU cpu's per-CPU page (inline: the page tables, pt.c, reach it
 * without calling up into the VM); its TSS and per-CPU data set for
 * thread tid.
 */
static inline struct cabin_kvm_percpu *
cabin_kvm_vm_percpu(struct cabin_kvm_vm *vm, unsigned int cpu)
{
	return (struct cabin_kvm_percpu *)(vm->mem.host +
					   cabin_kvm_cpu_percpu(cpu));
}

void cabin_kvm_vm_cpu_init(struct cabin_kvm_vm *vm, unsigned int cpu,
			   uint64_t tid);

/*
 * In a forked monitor: drop the parent's VM (its descriptors only name
 * it) and build a new one on this process's copy of the guest memory,
 * its vCPU in state st.  0, or -errno with why set.
 */
int cabin_kvm_vm_reopen(struct cabin_kvm_vm *vm,
			const struct cabin_kvm_vcpu_state *st, char *why,
			size_t whylen);

/*
 * Every vCPU drops stale translations at its next return to the program
 * (one that only runs the program's code meanwhile keeps them: they map
 * the program's own memory, never the kernel area).
 */
static inline void cabin_kvm_vm_flush_tlb(struct cabin_kvm_vm *vm)
{
	unsigned int cpu;

	for (cpu = 0; cpu < CABIN_KVM_MAX_CPUS; cpu++)
		cabin_kvm_vm_percpu(vm, cpu)->flush_tlb = 1;
}

#endif
