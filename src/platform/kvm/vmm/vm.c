/*
 * Building the VM: guest memory, the proxy kernel's image and tables
 * (GDT, IDT, TSS, per-CPU page, page tables of the kernel area) and a
 * vCPU in 64-bit mode whose syscall instruction enters the proxy kernel.
 */
#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "platform/kvm/shared/abi.h"
#include "platform/kvm/shared/guest_image.h"
#include "platform/kvm/vmm/monitor_fault.h"
#include "platform/kvm/vmm/vm.h"

#define MSR_STAR		0xc0000081
#define MSR_LSTAR		0xc0000082
#define MSR_SYSCALL_MASK	0xc0000084
#define MSR_KERNEL_GS_BASE	0xc0000102

#define CR0_PE		(1ull << 0)
#define CR0_MP		(1ull << 1)
#define CR0_ET		(1ull << 4)
#define CR0_NE		(1ull << 5)
#define CR0_WP		(1ull << 16)
#define CR0_AM		(1ull << 18)
#define CR0_PG		(1ull << 31)
#define CR4_PAE		(1ull << 5)
#define CR4_OSFXSR	(1ull << 9)
#define CR4_OSXMMEXCPT	(1ull << 10)
#define CR4_UMIP	(1ull << 11)
#define CR4_OSXSAVE	(1ull << 18)
#define CR4_SMEP	(1ull << 20)
#define CR4_SMAP	(1ull << 21)
#define CR4_PKE		(1ull << 22)
#define EFER_SCE	(1ull << 0)
#define EFER_LME	(1ull << 8)
#define EFER_LMA	(1ull << 10)
#define EFER_NXE	(1ull << 11)

/* What the syscall instruction clears: TF, IF, DF, AC, NT. */
#define SYSCALL_MASK	0x44700ull

#define CPUID_MAX	256

static int fail(char *why, size_t len, const char *what, int err)
{
	snprintf(why, len, "%s: %s", what, strerror(err));
	return -err;
}

static uint64_t gdt_code(int dpl)
{
	return 0x00af9a000000ffffull | ((uint64_t)dpl << 45);
}

static uint64_t gdt_data(int dpl)
{
	return 0x00cf92000000ffffull | ((uint64_t)dpl << 45);
}

static void write_gdt(struct cabin_kvm_vm *vm)
{
	uint64_t *gdt = (uint64_t *)(vm->mem.host + CABIN_KVM_GDT);
	uint64_t tss = CABIN_KVM_TSS;

	memset(gdt, 0, CABIN_KVM_GDT_ENTRIES * 8);
	gdt[CABIN_KVM_SEL_KCODE / 8] = gdt_code(0);
	gdt[CABIN_KVM_SEL_KDATA / 8] = gdt_data(0);
	/* UCODE32 stays zero: a far jump to compat mode faults. */
	gdt[CABIN_KVM_SEL_UDATA / 8] = gdt_data(3);
	gdt[CABIN_KVM_SEL_UCODE / 8] = gdt_code(3);
	gdt[CABIN_KVM_SEL_TSS / 8] = 0x67 | ((tss & 0xffffff) << 16) |
				     (0x89ull << 40) |
				     (((tss >> 24) & 0xff) << 56);
	gdt[CABIN_KVM_SEL_TSS / 8 + 1] = tss >> 32;
}

static void write_tss(struct cabin_kvm_vm *vm, unsigned int cpu)
{
	unsigned char *tss = vm->mem.host + cabin_kvm_cpu_tss(cpu);
	uint64_t rsp0 = cabin_kvm_cpu_stack(cpu);
	uint64_t ist1 = cabin_kvm_cpu_df_stack(cpu);
	uint16_t iomap = 0x68;	/* past the limit: no port is the program's */

	memset(tss, 0, 0x68);
	memcpy(tss + 4, &rsp0, 8);
	memcpy(tss + 0x24, &ist1, 8);
	memcpy(tss + 0x66, &iomap, 2);
}

static void write_idt(struct cabin_kvm_vm *vm, const uint64_t *isr)
{
	uint64_t *idt = (uint64_t *)(vm->mem.host + CABIN_KVM_IDT);
	int v;

	memset(idt, 0, 256 * 16);
	for (v = 0; v < 32; v++) {
		uint64_t off = isr[v];
		/* int3 and into may be used from CPL3, as on Linux. */
		uint64_t attr = (v == 3 || v == 4) ? 0xee : 0x8e;
		uint64_t ist = v == 8 ? 1 : 0;

		idt[2 * v] = (off & 0xffff) | ((uint64_t)CABIN_KVM_SEL_KCODE << 16) |
			     (ist << 32) | (attr << 40) |
			     (((off >> 16) & 0xffff) << 48);
		idt[2 * v + 1] = off >> 32;
	}
}

struct cabin_kvm_frame *cabin_kvm_vm_trap_frame(struct cabin_kvm_vm *vm,
					       unsigned int cpu,
					       const struct kvm_run *run)
{
	uint64_t top = cabin_kvm_cpu_stack(cpu);
	uint32_t at;
	void *p;

	if (run->io.size != 4 || run->io.count != 1)
		return NULL;
	memcpy(&at, (const char *)run + run->io.data_offset, 4);
	if (at < top - cabin_kvm_cpu_stack_size(cpu) || at % 8 ||
	    at + sizeof(struct cabin_kvm_frame) > top)
		return NULL;
	if (cabin_gmem_gpa(&vm->mem, at, sizeof(struct cabin_kvm_frame), &p) < 0)
		return NULL;
	return p;
}

void cabin_kvm_vm_cpu_init(struct cabin_kvm_vm *vm, unsigned int cpu,
			   uint64_t tid)
{
	struct cabin_kvm_percpu *pc = cabin_kvm_vm_percpu(vm, cpu);

	write_tss(vm, cpu);
	memset(pc, 0, sizeof(*pc));
	pc->kernel_stack = cabin_kvm_cpu_stack(cpu);
	pc->cpu = cpu;
	pc->tid = tid;
	pc->smap = vm->smap;
}
_Static_assert(offsetof(struct cabin_kvm_percpu, smap) == CABIN_KVM_PERCPU_SMAP,
	       "entry.S reads smap there");

/*
 * The kernel area: supervisor only, code executable, the rest not; and
 * the page-table pool, which the proxy kernel writes too.
 */
static int map_kernel(struct cabin_kvm_vm *vm)
{
	unsigned int rw = CABIN_GMEM_R | CABIN_GMEM_W;
	int err;

	err = cabin_kvm_pt_set(vm, CABIN_KVM_PAGE,
			       CABIN_KVM_KERNEL - CABIN_KVM_PAGE, rw);
	if (!err)
		err = cabin_kvm_pt_set(vm, CABIN_KVM_KERNEL,
				       CABIN_KVM_KERNEL_END - CABIN_KVM_KERNEL,
				       CABIN_GMEM_R | CABIN_GMEM_X);
	if (!err)
		err = cabin_kvm_pt_set(vm, CABIN_KVM_KERNEL_END,
				       CABIN_KVM_KAREA_END - CABIN_KVM_KERNEL_END,
				       rw);
	if (!err)
		err = cabin_kvm_pt_set(vm, vm->pt_start,
				       vm->ms->pt_end - vm->pt_start, rw);
	return err;
}

static int load_kernel(struct cabin_kvm_vm *vm, const uint64_t **isr,
		       uint64_t *entry)
{
	const struct cabin_guest_header *h =
		(const struct cabin_guest_header *)cabin_guest_image;
	uint64_t tab;

	if (cabin_guest_image_size > CABIN_KVM_KERNEL_END - CABIN_KVM_KERNEL ||
	    cabin_guest_image_size < sizeof(*h) ||
	    memcmp(h->magic, "CABINPK1", 8))
		return -ENOEXEC;
	memcpy(vm->mem.host + CABIN_KVM_KERNEL, cabin_guest_image,
	       cabin_guest_image_size);
	tab = h->isr_table;
	if (tab < CABIN_KVM_KERNEL ||
	    tab + 32 * 8 > CABIN_KVM_KERNEL + cabin_guest_image_size)
		return -ENOEXEC;
	*isr = (const uint64_t *)(vm->mem.host + tab);
	*entry = h->syscall_entry;
	return 0;
}

static void segment(struct kvm_segment *s, uint16_t sel, bool code, int dpl)
{
	memset(s, 0, sizeof(*s));
	s->limit = 0xffffffff;
	s->selector = sel;
	s->type = code ? 11 : 3;
	s->present = 1;
	s->dpl = (uint8_t)dpl;
	s->s = 1;
	s->l = code;
	s->db = !code;
	s->g = 1;
}

/* Feature bits from KVM's CPUID that decide CR4. */
static uint64_t cr4_for(const struct kvm_cpuid2 *c, struct cabin_kvm_vm *vm)
{
	uint64_t cr4 = CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT | CR4_OSXSAVE;
	uint32_t i;

	for (i = 0; i < c->nent; i++) {
		const struct kvm_cpuid_entry2 *e = &c->entries[i];

		if (e->function != 7 || e->index != 0)
			continue;
		if ((e->ebx & (1u << 7)) && !vm->no_smep) {
			cr4 |= CR4_SMEP;
			vm->smep = true;
		}
		if ((e->ebx & (1u << 20)) && !vm->no_smap) {
			cr4 |= CR4_SMAP;
			vm->smap = true;
		}
		if (e->ecx & (1u << 2))
			cr4 |= CR4_UMIP;
		if ((e->ecx & (1u << 3)) && vm->want_pke) {
			cr4 |= CR4_PKE;
			vm->pke = true;
		}
	}
	return cr4;
}

/* XCR0: x87, SSE, AVX, AVX-512 and (with keys) PKRU when KVM offers them. */
static uint64_t xcr0_for(const struct kvm_cpuid2 *c, bool pke)
{
	uint32_t i;

	for (i = 0; i < c->nent; i++) {
		const struct kvm_cpuid_entry2 *e = &c->entries[i];

		if (e->function == 0xd && e->index == 0)
			return e->eax & (pke ? 0x2e7 : 0xe7);
	}
	return 0x3;
}

static const uint32_t kept_msrs[4] = {
	MSR_STAR, MSR_LSTAR, MSR_SYSCALL_MASK, MSR_KERNEL_GS_BASE,
};

/* The MSRs of kept_msrs, read into val or (set) written from it. */
static int vcpu_msrs(int vcpu, uint64_t val[4], bool set)
{
	union {
		struct kvm_msrs hdr;
		unsigned char buf[sizeof(struct kvm_msrs) +
				  4 * sizeof(struct kvm_msr_entry)];
	} m;
	unsigned int i;

	memset(&m, 0, sizeof(m));
	m.hdr.nmsrs = 4;
	for (i = 0; i < 4; i++) {
		m.hdr.entries[i].index = kept_msrs[i];
		m.hdr.entries[i].data = val[i];
	}
	if (ioctl(vcpu, set ? KVM_SET_MSRS : KVM_GET_MSRS, &m) != 4)
		return -EIO;
	for (i = 0; i < 4; i++)
		val[i] = m.hdr.entries[i].data;
	return 0;
}

static int set_msrs(struct cabin_kvm_vm *vm, uint64_t lstar)
{
	uint64_t val[4] = {
		((uint64_t)(CABIN_KVM_SEL_UCODE32 & ~3) << 48) |
		((uint64_t)CABIN_KVM_SEL_KCODE << 32),
		lstar, SYSCALL_MASK, CABIN_KVM_PERCPU,
	};

	return vcpu_msrs(vm->vcpu, val, true);
}

static int setup_vcpu(struct cabin_kvm_vm *vm, uint64_t lstar, char *why,
		      size_t whylen)
{
	struct kvm_cpuid2 *cpuid;
	struct kvm_sregs s;
	struct kvm_xcrs xcrs;
	int err = 0;

	cpuid = calloc(1, sizeof(*cpuid) +
			  CPUID_MAX * sizeof(struct kvm_cpuid_entry2));
	if (!cpuid)
		return fail(why, whylen, "memory", ENOMEM);
	cpuid->nent = CPUID_MAX;
	if (ioctl(vm->kvm, KVM_GET_SUPPORTED_CPUID, cpuid) < 0 ||
	    ioctl(vm->vcpu, KVM_SET_CPUID2, cpuid) < 0) {
		err = fail(why, whylen, "KVM CPUID", errno);
		goto out;
	}
	if (ioctl(vm->vcpu, KVM_GET_SREGS, &s) < 0) {
		err = fail(why, whylen, "KVM_GET_SREGS", errno);
		goto out;
	}
	s.cr0 = CR0_PG | CR0_AM | CR0_WP | CR0_NE | CR0_ET | CR0_MP | CR0_PE;
	s.cr3 = vm->ms->pml4;
	s.cr4 = cr4_for(cpuid, vm);
	s.efer = EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE;
	segment(&s.cs, CABIN_KVM_SEL_UCODE, true, 3);
	segment(&s.ss, CABIN_KVM_SEL_UDATA, false, 3);
	s.ds = s.es = s.fs = s.gs = s.ss;
	memset(&s.tr, 0, sizeof(s.tr));
	s.tr.base = CABIN_KVM_TSS;
	s.tr.limit = 0x67;
	s.tr.selector = CABIN_KVM_SEL_TSS;
	s.tr.type = 11;
	s.tr.present = 1;
	memset(&s.ldt, 0, sizeof(s.ldt));
	s.ldt.unusable = 1;
	s.gdt.base = CABIN_KVM_GDT;
	s.gdt.limit = CABIN_KVM_GDT_ENTRIES * 8 - 1;
	s.idt.base = CABIN_KVM_IDT;
	s.idt.limit = 256 * 16 - 1;
	if (ioctl(vm->vcpu, KVM_SET_SREGS, &s) < 0) {
		err = fail(why, whylen, "KVM_SET_SREGS", errno);
		goto out;
	}
	memset(&xcrs, 0, sizeof(xcrs));
	xcrs.nr_xcrs = 1;
	xcrs.xcrs[0].xcr = 0;
	xcrs.xcrs[0].value = xcr0_for(cpuid, vm->pke);
	if (ioctl(vm->vcpu, KVM_SET_XCRS, &xcrs) < 0) {
		err = fail(why, whylen, "KVM_SET_XCRS", errno);
		goto out;
	}
	if (set_msrs(vm, lstar) < 0)
		err = fail(why, whylen, "KVM_SET_MSRS", EIO);
out:
	free(cpuid);
	return err;
}

static int open_kvm(struct cabin_kvm_vm *vm, int kvm_fd, char *why,
		    size_t whylen)
{
	int api;

	vm->kvm = kvm_fd >= 0 ? kvm_fd : open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm < 0)
		return fail(why, whylen, "/dev/kvm", errno);
	api = ioctl(vm->kvm, KVM_GET_API_VERSION, 0);
	if (api != KVM_API_VERSION)
		return fail(why, whylen, "/dev/kvm: unexpected KVM API version",
			    EINVAL);
	vm->vm = ioctl(vm->kvm, KVM_CREATE_VM, 0);
	if (vm->vm < 0)
		return fail(why, whylen, "/dev/kvm: KVM_CREATE_VM", errno);
	return 0;
}

_Static_assert(sizeof(struct cabin_gmem_table) <=
	       CABIN_KVM_GRANTS - CABIN_KVM_REGIONS,
	       "the region table lies below the grant bitmap");

int cabin_kvm_vm_layout(struct cabin_kvm_vm *vm, uint64_t mem_size)
{
	uint64_t pool;
	int err;

	err = cabin_gmem_init(&vm->mem, mem_size);
	if (err < 0)
		return err;
	/* A page the host stops backing fails the copy, not the monitor. */
	vm->mem.copy = cabin_kvm_guest_copy;
	/* One table per 2 MiB of user space, plus the levels above. */
	pool = (mem_size >> 21) * CABIN_KVM_PAGE + 64 * CABIN_KVM_PAGE;
	pool = (pool + CABIN_GMEM_ALIGN - 1) & ~(CABIN_GMEM_ALIGN - 1);
	if (pool + CABIN_KVM_USER_MIN >= mem_size)
		return -EINVAL;
	cabin_gmem_move_table(&vm->mem, (struct cabin_gmem_table *)
			      (vm->mem.host + CABIN_KVM_REGIONS));
	vm->ms = (struct cabin_kvm_mmstate *)(vm->mem.host + CABIN_KVM_MMSTATE);
	memset(vm->ms, 0, sizeof(*vm->ms));
	vm->ms->mem_size = mem_size;
	vm->ms->pt_end = mem_size;
	vm->ms->pt_next = vm->pt_start = mem_size - pool;
	vm->user_top = vm->ms->user_top = vm->pt_start;
	vm->pt = (struct cabin_pt){ (uintptr_t)vm->mem.host, mem_size, vm->ms };
	return cabin_kvm_pt_init(vm);
}

static int add_slot(struct cabin_kvm_vm *vm, char *why, size_t whylen)
{
	struct kvm_userspace_memory_region slot = {
		.slot = 0,
		.guest_phys_addr = 0,
		.memory_size = vm->mem.size,
		.userspace_addr = (uintptr_t)vm->mem.host,
	};

	if (ioctl(vm->vm, KVM_SET_USER_MEMORY_REGION, &slot) < 0)
		return fail(why, whylen, "KVM_SET_USER_MEMORY_REGION", errno);
	return 0;
}

static int add_memory(struct cabin_kvm_vm *vm, uint64_t mem_size, char *why,
		      size_t whylen)
{
	int err;

	err = cabin_kvm_vm_layout(vm, mem_size);
	if (err < 0)
		return fail(why, whylen, "guest memory", -err);
	return add_slot(vm, why, whylen);
}

static int add_vcpu(struct cabin_kvm_vm *vm, unsigned int id, char *why,
		    size_t whylen)
{
	int size;

	vm->run = NULL;
	vm->vcpu = ioctl(vm->vm, KVM_CREATE_VCPU, (unsigned long)id);
	if (vm->vcpu < 0)
		return fail(why, whylen, "KVM_CREATE_VCPU", errno);
	size = ioctl(vm->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size < (int)sizeof(struct kvm_run))
		return fail(why, whylen, "KVM_GET_VCPU_MMAP_SIZE", EINVAL);
	vm->run = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       vm->vcpu, 0);
	if (vm->run == MAP_FAILED) {
		vm->run = NULL;
		return fail(why, whylen, "mmap of kvm_run", errno);
	}
	vm->run_size = (size_t)size;
	return 0;
}

int cabin_kvm_vcpu_save(int vcpu, struct kvm_run *run,
			struct cabin_kvm_vcpu_state *st)
{
	memset(st, 0, sizeof(*st));
	/*
	 * KVM finishes the port write that left the guest only at the next
	 * KVM_RUN (rip still names the out): let it, without entering.
	 */
	run->immediate_exit = 1;
	ioctl(vcpu, KVM_RUN, 0);
	run->immediate_exit = 0;
	if (ioctl(vcpu, KVM_GET_REGS, &st->regs) < 0 ||
	    ioctl(vcpu, KVM_GET_SREGS, &st->sregs) < 0 ||
	    ioctl(vcpu, KVM_GET_XCRS, &st->xcrs) < 0 ||
	    ioctl(vcpu, KVM_GET_XSAVE, &st->xsave) < 0)
		return -errno;
	return vcpu_msrs(vcpu, st->msr, false);
}

/* st, saved in the proxy kernel, made to start a thread at CPL3. */
void cabin_kvm_vcpu_state_thread(struct cabin_kvm_vcpu_state *st,
				 unsigned int cpu)
{
	uint64_t user_gs = st->msr[3];

	segment(&st->sregs.cs, CABIN_KVM_SEL_UCODE, true, 3);
	segment(&st->sregs.ss, CABIN_KVM_SEL_UDATA, false, 3);
	st->sregs.gs.base = user_gs;
	st->msr[3] = cabin_kvm_cpu_percpu(cpu);
	st->sregs.tr.base = cabin_kvm_cpu_tss(cpu);
}

int cabin_kvm_vcpu_load(int fd, const struct cabin_kvm_vcpu_state *st,
		      char *why, size_t whylen)
{
	struct kvm_xsave xsave = st->xsave;
	struct kvm_xcrs xcrs = st->xcrs;
	uint64_t msr[4];

	memcpy(msr, st->msr, sizeof(msr));
	if (ioctl(fd, KVM_SET_SREGS, &st->sregs) < 0)
		return fail(why, whylen, "KVM_SET_SREGS", errno);
	if (ioctl(fd, KVM_SET_XCRS, &xcrs) < 0)
		return fail(why, whylen, "KVM_SET_XCRS", errno);
	if (ioctl(fd, KVM_SET_XSAVE, &xsave) < 0)
		return fail(why, whylen, "KVM_SET_XSAVE", errno);
	if (vcpu_msrs(fd, msr, true) < 0)
		return fail(why, whylen, "KVM_SET_MSRS", EIO);
	if (ioctl(fd, KVM_SET_REGS, &st->regs) < 0)
		return fail(why, whylen, "KVM_SET_REGS", errno);
	return 0;
}

int cabin_kvm_vm_add_vcpu(struct cabin_kvm_vm *vm, unsigned int cpu,
			  const struct cabin_kvm_vcpu_state *st, int *fd,
			  struct kvm_run **run, char *why, size_t whylen)
{
	int first = vm->vcpu;
	struct kvm_run *first_run = vm->run;
	size_t first_size = vm->run_size;
	int err;

	/* The set-up steps work on vm->vcpu: lend them the new one. */
	err = add_vcpu(vm, cpu, why, whylen);
	if (!err)
		err = setup_vcpu(vm, st->msr[1], why, whylen);
	if (!err)
		err = cabin_kvm_vcpu_load(vm->vcpu, st, why, whylen);
	*fd = vm->vcpu;
	*run = vm->run;
	if (err < 0 && vm->vcpu >= 0) {
		if (vm->run)
			munmap(vm->run, vm->run_size);
		close(vm->vcpu);
	}
	vm->vcpu = first;
	vm->run = first_run;
	vm->run_size = first_size;
	return err;
}

static void drop_vm(struct cabin_kvm_vm *vm)
{
	if (vm->run)
		munmap(vm->run, vm->run_size);
	vm->run = NULL;
	if (vm->vcpu >= 0)
		close(vm->vcpu);
	if (vm->vm >= 0)
		close(vm->vm);
	vm->vm = vm->vcpu = -1;
}

int cabin_kvm_vm_reopen(struct cabin_kvm_vm *vm,
			const struct cabin_kvm_vcpu_state *st, char *why,
			size_t whylen)
{
	int err;

	drop_vm(vm);
	vm->vm = ioctl(vm->kvm, KVM_CREATE_VM, 0);
	if (vm->vm < 0)
		return fail(why, whylen, "/dev/kvm: KVM_CREATE_VM", errno);
	err = add_slot(vm, why, whylen);
	if (!err)
		err = add_vcpu(vm, 0, why, whylen);
	if (!err)
		err = setup_vcpu(vm, st->msr[1], why, whylen);
	if (err < 0)
		return err;
	return cabin_kvm_vcpu_load(vm->vcpu, st, why, whylen);
}

int cabin_kvm_vm_open(struct cabin_kvm_vm *vm, int kvm_fd, uint64_t mem_size,
		      char *why, size_t whylen)
{
	const uint64_t *isr;
	uint64_t lstar;
	int err;

	{
		bool no_smep = vm->no_smep, no_smap = vm->no_smap;
		bool want_pke = vm->want_pke;

		memset(vm, 0, sizeof(*vm));
		vm->no_smep = no_smep;
		vm->no_smap = no_smap;
		vm->want_pke = want_pke;
	}
	vm->kvm = vm->vm = vm->vcpu = -1;
	err = open_kvm(vm, kvm_fd, why, whylen);
	if (!err)
		err = add_memory(vm, mem_size, why, whylen);
	if (err < 0)
		return err;
	err = load_kernel(vm, &isr, &lstar);
	if (err < 0)
		return fail(why, whylen, "the proxy kernel image", -err);
	write_gdt(vm);
	write_idt(vm, isr);
	cabin_kvm_vm_cpu_init(vm, 0, 0);
	err = map_kernel(vm);
	if (err < 0)
		return fail(why, whylen, "the kernel page tables", -err);
	err = add_vcpu(vm, 0, why, whylen);
	if (err < 0)
		return err;
	vm->lstar = lstar;
	err = setup_vcpu(vm, lstar, why, whylen);
	/* CR4 is known now: the first vCPU's entry learns whether SMAP is on. */
	cabin_kvm_vm_percpu(vm, 0)->smap = vm->smap;
	return err;
}

void cabin_kvm_vm_close(struct cabin_kvm_vm *vm)
{
	drop_vm(vm);
	if (vm->kvm >= 0)
		close(vm->kvm);
	vm->kvm = vm->vm = vm->vcpu = -1;
	cabin_gmem_free(&vm->mem);
}
