/* kvm_hello: the first step of the kvm platform, a standalone monitor.
 * Opens /dev/kvm, creates a VM with one vCPU and 2 MiB of guest memory
 * (one memory slot backed by this process's mapping, identity-mapped by
 * 4-level page tables with one 2 MiB page), a GDT with kernel and user
 * segments, and puts the vCPU straight into 64-bit long mode at guest
 * CPL0. The guest (the bytes below, copied into guest memory) writes
 * "hello from guest ring 0\n" byte by byte to port 0xE9, drops to CPL3
 * with iretq, and the user code does write(1, ...) and exit(0) with
 * `syscall`; LSTAR points at a ring-0 stub that forwards the write with
 * `rep outsb` to port 0xE9, returns with sysretq, and halts on exit.
 * The monitor writes port-0xE9 bytes to stdout and exits 0 on hlt; any
 * other exit prints the reason and RIP and exits 125, as does a missing
 * /dev/kvm. */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

/* Guest physical layout (identity-mapped, all in the first 2 MiB page). */
#define MEM_SIZE   0x200000ULL
#define PML4       0x1000
#define PDPT       0x2000
#define PD         0x3000
#define GDT        0x4000
#define TSS        0x5000
#define R0_CODE    0x8000 /* entry, CPL0 */
#define R3_CODE    0x9000 /* user code, CPL3 */
#define SYS_CODE   0xB000 /* LSTAR target */
#define R0_MSG     0xA000
#define R3_MSG     0xA100
#define R0_STACK   0x20000
#define R3_STACK   0x30000

#define SEL_KCODE 0x08
#define SEL_KDATA 0x10
#define SEL_UDATA 0x18 /* STAR[63:48] + 8: sysret's SS */
#define SEL_UCODE 0x20 /* STAR[63:48] + 16: sysret's 64-bit CS */
#define SEL_TSS   0x28

#define PORT 0xE9

static const char r0_msg[] = "hello from guest ring 0\n";
static const char r3_msg[] = "hello from guest ring 3 via syscall\n";

/* The guest code, assembled into this file's .rodata and copied into
 * guest memory; only relative jumps inside each piece, so position does
 * not matter. The immediates are the layout above. */
extern const unsigned char g_r0[], g_r0_end[], g_r3[], g_r3_end[],
	g_sys[], g_sys_end[];
__asm__(
	".pushsection .rodata.kvm_hello_guest,\"a\"\n"
	".code64\n"
	/* CPL0 entry: print R0_MSG (NUL-terminated) to port 0xE9. */
	"g_r0:\n"
	"  mov $0xA000, %esi\n"
	"  mov $0xE9, %dx\n"
	"1:lodsb\n"
	"  test %al, %al\n"
	"  jz 2f\n"
	"  out %al, %dx\n"
	"  jmp 1b\n"
	/* iretq to CPL3: SS, RSP, RFLAGS, CS, RIP. */
	"2:push $0x1B\n"
	"  push $0x30000\n"
	"  push $0x2\n"
	"  push $0x23\n"
	"  push $0x9000\n"
	"  iretq\n"
	"g_r0_end:\n"
	/* CPL3: write(1, R3_MSG, len); exit(0). */
	"g_r3:\n"
	"  mov $1, %eax\n"
	"  mov $1, %edi\n"
	"  mov $0xA100, %esi\n"
	"  mov $36, %edx\n"
	"  syscall\n"
	"  mov $60, %eax\n"
	"  xor %edi, %edi\n"
	"  syscall\n"
	"  ud2\n"
	"g_r3_end:\n"
	/* LSTAR: write -> rep outsb to 0xE9, return len; exit -> hlt. */
	"g_sys:\n"
	"  cmp $60, %eax\n"
	"  je 3f\n"
	"  mov %rcx, %r8\n"
	"  mov %rdx, %r9\n"
	"  mov %rdx, %rcx\n"
	"  mov $0xE9, %dx\n"
	"  rep outsb\n"
	"  mov %r8, %rcx\n"
	"  mov %r9, %rax\n"
	"  sysretq\n"
	"3:hlt\n"
	"  jmp 3b\n"
	"g_sys_end:\n"
	".popsection\n");

static void die(const char *what)
{
	fprintf(stderr, "kvm_hello: %s: %s\n", what, strerror(errno));
	exit(125);
}

static void seg(struct kvm_segment *s, uint16_t sel, int code, int dpl)
{
	memset(s, 0, sizeof *s);
	s->base = 0;
	s->limit = 0xffffffff;
	s->selector = sel | dpl;
	s->type = code ? 11 : 3; /* execute/read accessed, read/write accessed */
	s->present = 1;
	s->dpl = dpl;
	s->s = 1;
	s->l = code;
	s->db = !code;
	s->g = 1;
}

int main(void)
{
	_Static_assert(sizeof r3_msg - 1 == 36, "mov $36, %edx above");
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0) {
		fprintf(stderr, "kvm_hello: /dev/kvm: %s (no KVM here)\n",
			strerror(errno));
		return 125;
	}
	int api = ioctl(kvm, KVM_GET_API_VERSION, 0);
	if (api != KVM_API_VERSION) {
		fprintf(stderr, "kvm_hello: KVM API version %d, want %d\n", api,
			KVM_API_VERSION);
		return 125;
	}
	int vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		die("KVM_CREATE_VM");

	uint8_t *mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mem == MAP_FAILED)
		die("mmap guest memory");
	struct kvm_userspace_memory_region region = {
		.slot = 0,
		.guest_phys_addr = 0,
		.memory_size = MEM_SIZE,
		.userspace_addr = (uintptr_t)mem,
	};
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		die("KVM_SET_USER_MEMORY_REGION");

	/* Page tables: identity map of [0, 2 MiB), present, writable, user. */
	uint64_t *pml4 = (uint64_t *)(mem + PML4);
	uint64_t *pdpt = (uint64_t *)(mem + PDPT);
	uint64_t *pd = (uint64_t *)(mem + PD);
	pml4[0] = PDPT | 0x7;
	pdpt[0] = PD | 0x7;
	pd[0] = 0x0 | 0x87; /* PS: 2 MiB page */

	/* GDT: null, kernel code/data, user data/code, 64-bit TSS. */
	uint64_t *gdt = (uint64_t *)(mem + GDT);
	gdt[0] = 0;
	gdt[SEL_KCODE / 8] = 0x00AF9A000000FFFFULL;
	gdt[SEL_KDATA / 8] = 0x00CF92000000FFFFULL;
	gdt[SEL_UDATA / 8] = 0x00CFF2000000FFFFULL;
	gdt[SEL_UCODE / 8] = 0x00AFFA000000FFFFULL;
	gdt[SEL_TSS / 8] = 0x67 | ((uint64_t)TSS << 16) |
			   (0x8BULL << 40); /* present, busy 64-bit TSS */
	gdt[SEL_TSS / 8 + 1] = 0;
	*(uint64_t *)(mem + TSS + 4) = R0_STACK; /* rsp0 */

	memcpy(mem + R0_CODE, g_r0, (size_t)(g_r0_end - g_r0));
	memcpy(mem + R3_CODE, g_r3, (size_t)(g_r3_end - g_r3));
	memcpy(mem + SYS_CODE, g_sys, (size_t)(g_sys_end - g_sys));
	memcpy(mem + R0_MSG, r0_msg, sizeof r0_msg);
	memcpy(mem + R3_MSG, r3_msg, sizeof r3_msg);

	int vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0)
		die("KVM_CREATE_VCPU");
	int runsz = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (runsz < (int)sizeof(struct kvm_run))
		die("KVM_GET_VCPU_MMAP_SIZE");
	struct kvm_run *run = mmap(NULL, (size_t)runsz, PROT_READ | PROT_WRITE,
				   MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED)
		die("mmap kvm_run");

	/* CPUID: what KVM supports (long mode, syscall). */
	size_t ncpuid = 256;
	struct kvm_cpuid2 *cpuid =
		calloc(1, sizeof *cpuid + ncpuid * sizeof(struct kvm_cpuid_entry2));
	if (!cpuid)
		die("calloc");
	cpuid->nent = (uint32_t)ncpuid;
	if (ioctl(kvm, KVM_GET_SUPPORTED_CPUID, cpuid) < 0)
		die("KVM_GET_SUPPORTED_CPUID");
	if (ioctl(vcpu, KVM_SET_CPUID2, cpuid) < 0)
		die("KVM_SET_CPUID2");

	struct kvm_sregs sregs;
	if (ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0)
		die("KVM_GET_SREGS");
	sregs.cr3 = PML4;
	sregs.cr4 = 1u << 5;                  /* PAE */
	sregs.cr0 = 0x80050033;               /* PG WP NE ET MP PE */
	sregs.efer = 0x500 | 0x1;             /* LMA LME SCE */
	seg(&sregs.cs, SEL_KCODE, 1, 0);
	seg(&sregs.ds, SEL_KDATA, 0, 0);
	sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.ds;
	memset(&sregs.tr, 0, sizeof sregs.tr);
	sregs.tr.base = TSS;
	sregs.tr.limit = 0x67;
	sregs.tr.selector = SEL_TSS;
	sregs.tr.type = 11;
	sregs.tr.present = 1;
	sregs.gdt.base = GDT;
	sregs.gdt.limit = 7 * 8 - 1;
	sregs.idt.base = 0;
	sregs.idt.limit = 0; /* no IDT: any exception is a triple fault */
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0)
		die("KVM_SET_SREGS");

	/* struct kvm_msrs ends in a flexible array: build it in a buffer. */
	union {
		struct kvm_msrs hdr;
		unsigned char buf[sizeof(struct kvm_msrs) +
				  3 * sizeof(struct kvm_msr_entry)];
	} msrs;
	memset(&msrs, 0, sizeof msrs);
	msrs.hdr.nmsrs = 3;
	msrs.hdr.entries[0].index = 0xC0000081; /* STAR */
	msrs.hdr.entries[0].data =
		((uint64_t)SEL_KDATA << 48) | ((uint64_t)SEL_KCODE << 32);
	msrs.hdr.entries[1].index = 0xC0000082; /* LSTAR */
	msrs.hdr.entries[1].data = SYS_CODE;
	msrs.hdr.entries[2].index = 0xC0000084; /* FMASK: TF IF DF */
	msrs.hdr.entries[2].data = 0x700;
	/* STAR[63:48] = 0x10: sysret's CS = 0x20|3, SS = 0x18|3. */
	if (ioctl(vcpu, KVM_SET_MSRS, &msrs) != 3)
		die("KVM_SET_MSRS");

	struct kvm_regs regs;
	memset(&regs, 0, sizeof regs);
	regs.rip = R0_CODE;
	regs.rsp = R0_STACK;
	regs.rflags = 0x2;
	if (ioctl(vcpu, KVM_SET_REGS, &regs) < 0)
		die("KVM_SET_REGS");

	for (unsigned long exits = 0;; exits++) {
		if (exits > 100000) {
			fprintf(stderr, "kvm_hello: too many exits\n");
			return 125;
		}
		if (ioctl(vcpu, KVM_RUN, 0) < 0) {
			if (errno == EINTR)
				continue;
			die("KVM_RUN");
		}
		switch (run->exit_reason) {
		case KVM_EXIT_IO:
			if (run->io.direction == KVM_EXIT_IO_OUT &&
			    run->io.port == PORT && run->io.size == 1) {
				const uint8_t *p = (const uint8_t *)run +
						   run->io.data_offset;
				if (write(1, p, run->io.count) !=
				    (ssize_t)run->io.count)
					die("write");
				continue;
			}
			break;
		case KVM_EXIT_HLT:
			return 0;
		default:
			break;
		}
		if (ioctl(vcpu, KVM_GET_REGS, &regs) < 0)
			die("KVM_GET_REGS");
		fprintf(stderr,
			"kvm_hello: unexpected exit reason %u at rip 0x%llx",
			run->exit_reason, (unsigned long long)regs.rip);
		if (run->exit_reason == KVM_EXIT_IO)
			fprintf(stderr, " (io %s port 0x%x size %u)",
				run->io.direction == KVM_EXIT_IO_OUT ? "out" : "in",
				run->io.port, run->io.size);
		if (run->exit_reason == KVM_EXIT_FAIL_ENTRY)
			fprintf(stderr, " (hardware entry failure 0x%llx)",
				(unsigned long long)run->fail_entry
					.hardware_entry_failure_reason);
		if (run->exit_reason == KVM_EXIT_INTERNAL_ERROR)
			fprintf(stderr, " (suberror %u)", run->internal.suberror);
		fputc('\n', stderr);
		return 125;
	}
}
