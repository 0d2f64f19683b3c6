/*
 * One vCPU as the monitor drives it: run it until an exit the caller is
 * to see, and read or write what a trap or a failure needs (MSRs, CR2,
 * the registers as a trap frame).  Nothing here knows what the guest
 * runs: the exits are the caller's to interpret.
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "platform/kvm/vmm/vm.h"

int cabin_kvm_vcpu_msr(int vcpu, uint32_t index, uint64_t *val, bool set)
{
	union {
		struct kvm_msrs hdr;
		unsigned char buf[sizeof(struct kvm_msrs) +
				  sizeof(struct kvm_msr_entry)];
	} m;

	memset(&m, 0, sizeof(m));
	m.hdr.nmsrs = 1;
	m.hdr.entries[0].index = index;
	m.hdr.entries[0].data = *val;
	if (ioctl(vcpu, set ? KVM_SET_MSRS : KVM_GET_MSRS, &m) != 1)
		return -EIO;
	*val = m.hdr.entries[0].data;
	return 0;
}

uint64_t cabin_kvm_vcpu_cr2(int vcpu)
{
	struct kvm_sregs s;

	return ioctl(vcpu, KVM_GET_SREGS, &s) < 0 ? 0 : s.cr2;
}

void cabin_kvm_vcpu_where(int vcpu, uint64_t *rip, uint64_t *cr2)
{
	struct kvm_regs r;
	struct kvm_sregs s;

	memset(&r, 0, sizeof(r));
	memset(&s, 0, sizeof(s));
	ioctl(vcpu, KVM_GET_REGS, &r);
	ioctl(vcpu, KVM_GET_SREGS, &s);
	*rip = r.rip;
	*cr2 = s.cr2;
}

int cabin_kvm_vcpu_run(int vcpu, struct kvm_run *run,
		       bool (*quick)(void *ctx, const struct kvm_run *run),
		       void *ctx)
{
	int r;

	do
		r = ioctl(vcpu, KVM_RUN, 0);
	while (r == 0 && quick(ctx, run));
	return r < 0 ? -errno : 0;
}

int cabin_kvm_vcpu_cpl(int vcpu)
{
	struct kvm_sregs s;

	if (ioctl(vcpu, KVM_GET_SREGS, &s) < 0)
		return -errno;
	return s.cs.selector & 3;
}

int cabin_kvm_vcpu_get_frame(int vcpu, struct cabin_kvm_frame *f)
{
	struct kvm_regs r;

	if (ioctl(vcpu, KVM_GET_REGS, &r) < 0)
		return -errno;
	memset(f, 0, sizeof(*f));
	f->r15 = r.r15; f->r14 = r.r14; f->r13 = r.r13; f->r12 = r.r12;
	f->r11 = r.r11; f->r10 = r.r10; f->r9 = r.r9; f->r8 = r.r8;
	f->rbp = r.rbp; f->rdi = r.rdi; f->rsi = r.rsi; f->rdx = r.rdx;
	f->rcx = r.rcx; f->rbx = r.rbx; f->rax = r.rax;
	f->rip = r.rip; f->rflags = r.rflags; f->rsp = r.rsp;
	f->cs = CABIN_KVM_SEL_UCODE; f->ss = CABIN_KVM_SEL_UDATA;
	return 0;
}

int cabin_kvm_vcpu_set_frame(int vcpu, const struct cabin_kvm_frame *f)
{
	struct kvm_regs r;

	memset(&r, 0, sizeof(r));
	r.r15 = f->r15; r.r14 = f->r14; r.r13 = f->r13; r.r12 = f->r12;
	r.r11 = f->r11; r.r10 = f->r10; r.r9 = f->r9; r.r8 = f->r8;
	r.rbp = f->rbp; r.rdi = f->rdi; r.rsi = f->rsi; r.rdx = f->rdx;
	r.rcx = f->rcx; r.rbx = f->rbx; r.rax = f->rax;
	r.rip = f->rip; r.rflags = f->rflags; r.rsp = f->rsp;
	return ioctl(vcpu, KVM_SET_REGS, &r) < 0 ? -errno : 0;
}

static const char *const vector_names[32] = {
	"#DE divide error", "#DB debug", "NMI", "#BP breakpoint",
	"#OF overflow", "#BR bound range", "#UD invalid opcode",
	"#NM device not available", "#DF double fault", "coprocessor",
	"#TS invalid TSS", "#NP segment not present", "#SS stack fault",
	"#GP general protection", "#PF page fault", "reserved",
	"#MF x87 error", "#AC alignment check", "#MC machine check",
	"#XM SIMD error", "#VE virtualization", "#CP control protection",
};

const char *cabin_kvm_vector_name(uint64_t v)
{
	return v < 32 && vector_names[v] ? vector_names[v] : "exception";
}
