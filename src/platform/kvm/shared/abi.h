/*
 * The contract between the kvm monitor (host) and the proxy kernel (guest
 * CPL0): where things live in guest memory, the ports a trap leaves by,
 * and the frame a trap leaves behind.  Included by both sides, so only
 * fixed-size types and constants.
 */
#ifndef CABIN_PLATFORM_KVM_ABI_H
#define CABIN_PLATFORM_KVM_ABI_H

/*
 * Guest memory is identity mapped: guest-virtual == guest-physical for the
 * kernel area and for every user page, so a user range contiguous in the
 * program's view is contiguous in the monitor's host mapping too.  The
 * first page is never mapped; the kernel area is supervisor-only; user
 * mappings start at CABIN_KVM_USER_MIN; page tables come from a pool at
 * the top of guest memory that no user range may reach, mapped for the
 * kernel alone, which writes entries too.
 */
#define CABIN_KVM_PAGE		0x1000
#define CABIN_KVM_GDT		0x1000
#define CABIN_KVM_TSS		0x2000
#define CABIN_KVM_IDT		0x3000
#define CABIN_KVM_PERCPU	0x4000		/* struct cabin_kvm_percpu */
#define CABIN_KVM_SHARED	0x5000		/* struct cabin_kvm_shared */
#define CABIN_KVM_RING		0x6000		/* struct cabin_kvm_ring */
#define CABIN_KVM_MMSTATE	0x7000		/* struct cabin_kvm_mmstate */
#define CABIN_KVM_KERNEL	0x10000		/* proxy kernel image (flat) */
#define CABIN_KVM_KERNEL_END	0x70000
#define CABIN_KVM_DF_STACK	0x78000		/* top of the double-fault stack */
#define CABIN_KVM_STACK		0xA0000		/* top of the kernel stack */
#define CABIN_KVM_REGIONS	0x100000	/* struct cabin_gmem_table */
#define CABIN_KVM_GRANTS	0x180000	/* the pool's grant bitmap */
/*
 * vCPU 0 uses the TSS, per-CPU page and stacks above; each further vCPU
 * (a thread of the program) has a block: its TSS and per-CPU data in the
 * first page, its double-fault stack in the second, its kernel stack in
 * the rest.  Blocks 1-15 lie below the region table, 16-31 after the
 * grant bitmap.
 */
#define CABIN_KVM_MAX_CPUS	32
#define CABIN_KVM_CPUS		0xA0000
#define CABIN_KVM_CPUS_HIGH	0x190000
#define CABIN_KVM_CPU_SIZE	0x6000
#define CABIN_KVM_CPU_PERCPU	0x800		/* in the block's first page */
#define CABIN_KVM_KAREA_END	0x200000	/* end of the kernel area */
#define CABIN_KVM_USER_MIN	0x200000

/* Selectors, as Linux has them: sysret's CS/SS and signal frames agree. */
#define CABIN_KVM_SEL_KCODE	0x10
#define CABIN_KVM_SEL_KDATA	0x18
#define CABIN_KVM_SEL_UCODE32	0x23		/* left not present: no compat mode */
#define CABIN_KVM_SEL_UDATA	0x2b
#define CABIN_KVM_SEL_UCODE	0x33
#define CABIN_KVM_SEL_TSS	0x40
#define CABIN_KVM_GDT_ENTRIES	10

/*
 * Ports: the proxy kernel writes the guest-physical address of a frame
 * (32 bits: it lies in the kernel area) with `out %eax`.
 */
#define CABIN_KVM_PORT_TRAP	0x0cb0	/* syscall or exception from CPL3 */
#define CABIN_KVM_PORT_PANIC	0x0cb1	/* exception at CPL0: a kernel bug */
#define CABIN_KVM_PORT_SIGNAL	0x0cb2	/* back to CPL3 with a signal waiting */
#define CABIN_KVM_PORT_DOORBELL	0x0cb3	/* ring: wake the sleeping worker */
#define CABIN_KVM_PORT_WAIT	0x0cb4	/* ring: spun long enough, block */
#define CABIN_KVM_PORT_REFILL	0x0cb5	/* pool: grant the run of this page */
#define CABIN_KVM_PORT_RELEASE	0x0cb6	/* pool: give back mmstate's release */

#define CABIN_KVM_VEC_SYSCALL	0x100	/* frame.vector of a syscall */

/* The protection key of execute-only code (--xom), denied by PKRU. */
#define CABIN_KVM_XOM_PKEY	1ull
#define CABIN_KVM_XOM_PKRU	0x4u		/* access disabled for key 1 */

#ifndef __ASSEMBLER__
#include <stdint.h>

/*
 * What the kernel saves on its stack at every entry from the program and
 * restores with iretq: the monitor reads and edits it during the exit.
 * For a syscall, rax holds the number on entry and the result on return,
 * rip/rflags/rsp are the program's (from rcx, r11 and the user stack).
 */
struct cabin_kvm_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector;	/* CABIN_KVM_VEC_SYSCALL or 0..31 */
	uint64_t error;		/* the CPU's error code, 0 when none */
	uint64_t rip, cs, rflags, rsp, ss;
};

/* Per-vCPU data the kernel reaches through %gs after swapgs. */
struct cabin_kvm_percpu {
	uint64_t user_rsp;	/* scratch at syscall entry */
	uint64_t kernel_stack;	/* top of this vCPU's kernel stack */
	uint64_t flush_tlb;	/* set by the monitor: reload CR3 on return */
	uint64_t cpu;
	/*
	 * Testing only (cabin run --kvm-test-fault): the monitor asks the
	 * kernel to touch a user page itself, to show SMAP and SMEP stop it.
	 */
	uint64_t test_fault;	/* CABIN_KVM_TEST_* */
	uint64_t test_addr;
	uint64_t kick;		/* a signal waits: trap before iretq */
	uint64_t tid;		/* the thread this vCPU runs */
	uint64_t smap;		/* CR4.SMAP is on: every entry clears AC */
};

/* Where vCPU cpu keeps its TSS, per-CPU data and stacks. */
static inline uint64_t cabin_kvm_cpu_block(unsigned int cpu)
{
	if (cpu < 16)
		return CABIN_KVM_CPUS + (uint64_t)(cpu - 1) * CABIN_KVM_CPU_SIZE;
	return CABIN_KVM_CPUS_HIGH + (uint64_t)(cpu - 16) * CABIN_KVM_CPU_SIZE;
}

static inline uint64_t cabin_kvm_cpu_tss(unsigned int cpu)
{
	return cpu ? cabin_kvm_cpu_block(cpu) : CABIN_KVM_TSS;
}

static inline uint64_t cabin_kvm_cpu_percpu(unsigned int cpu)
{
	return cpu ? cabin_kvm_cpu_block(cpu) + CABIN_KVM_CPU_PERCPU
		   : CABIN_KVM_PERCPU;
}

static inline uint64_t cabin_kvm_cpu_df_stack(unsigned int cpu)
{
	return cpu ? cabin_kvm_cpu_block(cpu) + 2 * CABIN_KVM_PAGE
		   : CABIN_KVM_DF_STACK;
}

/* The top of the kernel stack, and how deep a trap frame may lie in it. */
static inline uint64_t cabin_kvm_cpu_stack(unsigned int cpu)
{
	return cpu ? cabin_kvm_cpu_block(cpu) + CABIN_KVM_CPU_SIZE
		   : CABIN_KVM_STACK;
}

static inline uint64_t cabin_kvm_cpu_stack_size(unsigned int cpu)
{
	return cpu ? CABIN_KVM_CPU_SIZE - 2 * CABIN_KVM_PAGE : 0x8000;
}

/*
 * What the monitor keeps for the kernel to answer syscalls without a VM
 * exit (the paper's vDSO support): the clock as a TSC reading and the
 * times it stood for, the program's identity, and which syscalls the
 * policy lets pass unobserved (only those may be answered here).
 */
#define CABIN_KVM_LOCAL_MAX	512
struct cabin_kvm_shared {
	uint64_t user_top;		/* user pointers lie below */
	uint64_t tsc_base;		/* the guest's TSC when the bases held */
	uint64_t tsc_mult;		/* nanoseconds per TSC tick, << 32 */
	int64_t mono_ns, real_ns, boot_ns;
	int64_t last_mono;		/* the kernel's: never go back */
	int64_t pid, ppid;
	uint64_t local_calls;		/* answered here, counted here */
	uint8_t local[CABIN_KVM_LOCAL_MAX / 8];
	char uts[6][65];		/* struct utsname */
};

/*
 * Asynchronous forwarding (--forward=ring, the paper's HotCalls): one
 * request slot shared with a monitor worker thread that polls it.  The
 * kernel posts a syscall (req_seq + 1), rings the doorbell only if the
 * worker sleeps, and spins until resp_seq catches up; a result of
 * CABIN_KVM_RING_FALLBACK sends the call down the exit path instead.
 */
#define CABIN_KVM_RING_FALLBACK	(-4096 - 1)
#define CABIN_KVM_RING_SPIN	200000		/* pauses before PORT_WAIT */
struct cabin_kvm_ring {
	uint32_t req_seq;		/* futex word of the kernel's posts */
	uint32_t resp_seq;		/* futex word of the worker's answers */
	uint32_t worker_sleeping;	/* futex word: doorbell needed */
	uint32_t on;
	uint64_t nr, args[6];
	int64_t ret;
	uint8_t eligible[CABIN_KVM_LOCAL_MAX / 8];	/* may go by the ring */
};

/*
 * The program's anonymous memory, owned by the proxy kernel: the state
 * the monitor's memory calls and the kernel's share, under one spinlock
 * with the region table (CABIN_KVM_REGIONS) and the page tables.  The
 * page-table pool [pt_next, pt_end) is taken from by both.  The frames
 * behind user pages are granted to the kernel in aligned runs of batch
 * pages, one bit each at CABIN_KVM_GRANTS; a fault in a run not yet
 * granted asks the monitor (PORT_REFILL) to commit the whole run.  Frames
 * the program frees go back to the host: the kernel writes their range
 * to release_lo/hi, holding the lock, and asks (PORT_RELEASE); the
 * monitor drops the host pages (they read as zero after) and the grants
 * of the runs wholly inside.
 */
#define CABIN_KVM_TAGS		512		/* the monitor's region tags */
/* Bits for 2 GiB of pages (the guest's most); runs past it are not granted. */
#define CABIN_KVM_GRANTS_SIZE	0x10000
struct cabin_kvm_mmstate {
	uint32_t lock;
	uint32_t pad;
	uint64_t pml4;
	uint64_t pt_next, pt_end;
	uint64_t user_top;
	uint64_t brk_start, brk;
	uint64_t mmap_base;		/* mmap searches below it */
	uint64_t mem_size;		/* guest-physical bytes */
	uint64_t batch;			/* pages per grant, a power of two */
	uint64_t faults;		/* page faults resolved in the kernel */
	uint64_t calls;			/* memory calls answered in the kernel */
	uint64_t release_lo, release_hi;	/* PORT_RELEASE's range */
	uint64_t released;		/* pages given back to the host */
	uint8_t shared_tags[CABIN_KVM_TAGS / 8];	/* MAP_SHARED files */
};

/* Region tags: what backs a range (the monitor names file tags). */
enum {
	CABIN_KVM_TAG_ANON,
	CABIN_KVM_TAG_STACK,
	CABIN_KVM_TAG_HEAP,
	CABIN_KVM_TAG_SHARED_ANON,	/* MAP_SHARED|MAP_ANONYMOUS: host-shared */
	CABIN_KVM_TAG_FIRST_FILE,
};

enum {
	CABIN_KVM_TEST_NONE,
	CABIN_KVM_TEST_READ,	/* read test_addr (a user page): SMAP */
	CABIN_KVM_TEST_EXEC,	/* call test_addr (a user page): SMEP */
	CABIN_KVM_TEST_UD,	/* ud2 in the kernel */
};

_Static_assert(sizeof(struct cabin_kvm_frame) == 22 * 8, "frame layout");
_Static_assert(CABIN_KVM_CPUS + 15 * CABIN_KVM_CPU_SIZE <= CABIN_KVM_REGIONS &&
	       CABIN_KVM_GRANTS + CABIN_KVM_GRANTS_SIZE <= CABIN_KVM_CPUS_HIGH &&
	       CABIN_KVM_CPUS_HIGH + (CABIN_KVM_MAX_CPUS - 16) *
	       CABIN_KVM_CPU_SIZE <= CABIN_KVM_KAREA_END,
	       "the vCPU blocks fit between the kernel area's tables");
_Static_assert(sizeof(struct cabin_kvm_shared) <= CABIN_KVM_PAGE, "one page");
_Static_assert(sizeof(struct cabin_kvm_ring) <= CABIN_KVM_PAGE, "one page");
_Static_assert(sizeof(struct cabin_kvm_mmstate) <= CABIN_KVM_PAGE, "one page");
_Static_assert(CABIN_KVM_GRANTS + CABIN_KVM_GRANTS_SIZE <= CABIN_KVM_KAREA_END,
	       "the grant bitmap lies in the kernel area");
#endif

/* Offsets the assembly uses. */
#define CABIN_KVM_PERCPU_USER_RSP	0
#define CABIN_KVM_PERCPU_KSTACK		8
#define CABIN_KVM_PERCPU_FLUSH		16
#define CABIN_KVM_PERCPU_TEST		32
#define CABIN_KVM_PERCPU_TEST_ADDR	40
#define CABIN_KVM_PERCPU_KICK		48
#define CABIN_KVM_PERCPU_TID		56
#define CABIN_KVM_PERCPU_SMAP		64

#endif
