/*
 * The stub's reach on the kvm platform.  Registers are the program's as
 * the guest keeps them while a thread is stopped: the trap frame of the
 * thread whose trap the monitor handles (or that waits in a call), the
 * vCPU itself when it was stopped at CPL3, else the frame its entry
 * pushed at the top of its kernel stack.  Memory is reached only through
 * the program's own mappings: gdb may write an int3 into read-only code
 * (the page tables stay as they were, so the program gains nothing), but
 * never into a shared mapping, whose bytes are a file's or another
 * process's.  No tid outside the process, no guest-kernel memory.
 */
#include <errno.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "platform/kvm/linux/gdb.h"
#include "platform/kvm/linux/gdb_target.h"

#define MSR_FS_BASE		0xc0000100
#define MSR_GS_BASE		0xc0000101
#define MSR_KERNEL_GS_BASE	0xc0000102
/* What popf changes at CPL3: CF PF AF ZF SF TF DF OF AC ID, never IOPL. */
#define USER_FLAGS		0x240dd5ull
/* The program's half of the address space. */
#define USER_TOP		(1ull << 47)

struct cabin_kvm_thread *cabin_kvm_gdb_thread(struct cabin_kvm *k, pid_t tid)
{
	unsigned int i;

	for (i = 0; i < CABIN_KVM_MAX_CPUS; i++) {
		struct cabin_kvm_thread *t = k->threads[i];

		if (t && t->tid == tid && !t->exited && !t->host_done)
			return t;
	}
	return NULL;
}

int cabin_kvm_gdb_regs_of(struct cabin_kvm *k, struct cabin_kvm_thread *t,
			  struct cabin_kvm_gdb_regs *u)
{
	void *p;
	int cpl;

	memset(u, 0, sizeof(*u));
	if (t->frame) {
		/*
		 * A trap being handled.  At a syscall the monitor checked the
		 * number and arguments: they stay as checked.
		 */
		u->f = t->frame;
		u->writable = t == k->cur &&
			      t->frame->vector != CABIN_KVM_VEC_SYSCALL;
		return 0;
	}
	cpl = cabin_kvm_vcpu_cpl(t->vcpu);
	if (cpl == 3) {
		if (cabin_kvm_vcpu_get_frame(t->vcpu, &u->copy) < 0)
			return -EIO;
		u->f = &u->copy;
		u->vcpu = true;
		u->writable = true;
		return 0;
	}
	if (cpl < 0)
		return -EIO;
	/* In the guest kernel: its entry saved them at the stack's top. */
	if (cabin_gmem_gpa(&k->vm.mem,
			   cabin_kvm_cpu_stack(t->cpu) -
			   sizeof(struct cabin_kvm_frame),
			   sizeof(struct cabin_kvm_frame), &p) < 0)
		return -EIO;
	u->f = p;
	return 0;
}

int cabin_kvm_gdb_regs_put(struct cabin_kvm_thread *t,
			   const struct cabin_kvm_gdb_regs *u)
{
	return u->vcpu ? cabin_kvm_vcpu_set_frame(t->vcpu, u->f) : 0;
}

static int get_regs(void *ctx, pid_t tid, struct cabin_debug_regs *r)
{
	struct cabin_kvm *k = ctx;
	struct cabin_kvm_thread *t = cabin_kvm_gdb_thread(k, tid);
	struct cabin_kvm_gdb_regs u;
	struct user_regs_struct *g = &r->gp;
	const struct cabin_kvm_frame *f;
	struct kvm_xsave x;
	uint64_t v = 0;

	if (!t)
		return -ESRCH;
	if (cabin_kvm_gdb_regs_of(k, t, &u) < 0)
		return -EIO;
	f = u.f;
	memset(r, 0, sizeof(*r));
	g->r15 = f->r15; g->r14 = f->r14; g->r13 = f->r13; g->r12 = f->r12;
	g->rbp = f->rbp; g->rbx = f->rbx; g->r11 = f->r11; g->r10 = f->r10;
	g->r9 = f->r9; g->r8 = f->r8; g->rax = f->rax; g->rcx = f->rcx;
	g->rdx = f->rdx; g->rsi = f->rsi; g->rdi = f->rdi;
	g->orig_rax = f->vector == CABIN_KVM_VEC_SYSCALL ? f->rax : -1ull;
	g->rip = f->rip;
	g->cs = CABIN_KVM_SEL_UCODE;
	g->eflags = f->rflags;
	g->rsp = f->rsp;
	g->ss = CABIN_KVM_SEL_UDATA;
	if (cabin_kvm_vcpu_msr(t->vcpu, MSR_FS_BASE, &v, false) == 0)
		g->fs_base = v;
	/* Past swapgs in the guest kernel, the program's is the other one. */
	v = 0;
	if (cabin_kvm_vcpu_msr(t->vcpu, u.vcpu ? MSR_GS_BASE :
			       MSR_KERNEL_GS_BASE, &v, false) == 0)
		g->gs_base = v;
	/* The guest kernel uses no FPU: the vCPU's is the program's. */
	if (ioctl(t->vcpu, KVM_GET_XSAVE, &x) == 0)
		memcpy(&r->fp, x.region, sizeof(r->fp));
	return 0;
}

/*
 * Where gdb stopped the thread, its general registers are the user's to
 * set, as the program could itself: rip in the program's half, flags
 * only as popf changes them, the selectors never; fs_base as
 * arch_prctl would.  The FPU's are refused (a bad MXCSR would fault in
 * the guest kernel, not in the program).
 */
static int set_regs(void *ctx, pid_t tid, const struct cabin_debug_regs *r)
{
	struct cabin_kvm *k = ctx;
	struct cabin_kvm_thread *t = cabin_kvm_gdb_thread(k, tid);
	const struct user_regs_struct *g = &r->gp;
	struct cabin_debug_regs have;
	struct cabin_kvm_gdb_regs u;
	struct cabin_kvm_frame *f;
	uint64_t fs;

	if (!t)
		return -ESRCH;
	if (get_regs(ctx, tid, &have) < 0 ||
	    cabin_kvm_gdb_regs_of(k, t, &u) < 0)
		return -EIO;
	if (!u.writable || memcmp(&have.fp, &r->fp, sizeof(r->fp)))
		return -EPERM;
	if (g->rip >= USER_TOP || g->fs_base >= USER_TOP)
		return -EINVAL;
	f = u.f;
	f->r15 = g->r15; f->r14 = g->r14; f->r13 = g->r13; f->r12 = g->r12;
	f->rbp = g->rbp; f->rbx = g->rbx; f->r11 = g->r11; f->r10 = g->r10;
	f->r9 = g->r9; f->r8 = g->r8; f->rax = g->rax; f->rcx = g->rcx;
	f->rdx = g->rdx; f->rsi = g->rsi; f->rdi = g->rdi;
	f->rip = g->rip;
	f->rsp = g->rsp;
	f->rflags = (f->rflags & ~USER_FLAGS) | (g->eflags & USER_FLAGS);
	fs = g->fs_base;
	if (fs != have.gp.fs_base &&
	    cabin_kvm_vcpu_msr(t->vcpu, MSR_FS_BASE, &fs, true) < 0)
		return -EIO;
	return cabin_kvm_gdb_regs_put(t, &u);
}

/*
 * The program's mapping at addr: [addr, addr + *n) of it, at most len
 * bytes and within one page; its host bytes, or NULL.
 */
static unsigned char *program_bytes(struct cabin_kvm *k, uint64_t addr,
				    size_t len, bool write, size_t *n)
{
	const struct cabin_gmem_region *r = cabin_gmem_find(&k->vm.mem, addr);
	uint64_t page_left = 4096 - (addr & 4095);
	void *host;

	*n = len < page_left ? len : page_left;
	if (!r || !(r->prot & CABIN_GMEM_USER) ||
	    (write && cabin_kvm_mm_shared(&k->mm, r)))
		return NULL;
	if (cabin_gmem_translate(&k->vm.mem, addr, *n, CABIN_GMEM_USER,
				 &host) < 0)
		return NULL;
	/* A page the guest kernel maps lazily is mapped before it is written. */
	if (write && k->vm.mem.on_write)
		k->vm.mem.on_write(k->vm.mem.on_write_ctx, addr, *n, r->prot);
	return host;
}

static int copy_bytes(struct cabin_kvm *k, void *dst, const void *src,
		      size_t n)
{
	if (k->vm.mem.copy)
		return k->vm.mem.copy(dst, src, n);
	memmove(dst, src, n);
	return 0;
}

static ssize_t access_mem(struct cabin_kvm *k, pid_t tid, uint64_t addr,
			  void *buf, size_t len, bool write)
{
	unsigned char *host;
	size_t done = 0, n;

	if (!cabin_kvm_gdb_thread(k, tid))
		return -ESRCH;
	while (done < len) {
		host = program_bytes(k, addr + done, len - done, write, &n);
		if (!host)
			break;
		if (copy_bytes(k, write ? host : (unsigned char *)buf + done,
			       write ? (unsigned char *)buf + done : host,
			       n) < 0)
			break;
		done += n;
	}
	return done ? (ssize_t)done : -EFAULT;
}

static ssize_t read_mem(void *ctx, pid_t tid, uint64_t addr, void *buf,
			size_t len)
{
	return access_mem(ctx, tid, addr, buf, len, false);
}

static ssize_t write_mem(void *ctx, pid_t tid, uint64_t addr,
			 const void *buf, size_t len)
{
	return access_mem(ctx, tid, addr, (void *)buf, len, true);
}

static size_t threads(void *ctx, pid_t *out, size_t max)
{
	struct cabin_kvm *k = ctx;
	size_t n = 0;
	unsigned int i;

	for (i = 0; i < CABIN_KVM_MAX_CPUS; i++) {
		struct cabin_kvm_thread *t = k->threads[i];

		if (t && !t->exited && !t->host_done && n++ < max)
			out[n - 1] = t->tid;
	}
	return n;
}

static ssize_t auxv(void *ctx, uint64_t off, void *buf, size_t len)
{
	struct cabin_kvm *k = ctx;
	size_t size = k->mm.auxv_words * sizeof(uint64_t);

	if (off >= size)
		return 0;
	if (len > size - off)
		len = size - off;
	memcpy(buf, (const char *)k->mm.auxv + off, len);
	return (ssize_t)len;
}

static int exe(void *ctx, char *buf, size_t len)
{
	struct cabin_kvm *k = ctx;

	if (!k->exe[0])
		return -ENOENT;
	snprintf(buf, len, "%s", k->exe);
	return 0;
}

static bool private_at(void *ctx, uint64_t addr)
{
	struct cabin_kvm *k = ctx;
	const struct cabin_gmem_region *r = cabin_gmem_find(&k->vm.mem, addr);

	return r && (r->prot & CABIN_GMEM_USER) &&
	       !cabin_kvm_mm_shared(&k->mm, r);
}

/*
 * No hardware watchpoints: a debug register would trap in the guest
 * kernel too, whenever it touches the watched bytes for the program.
 */
void cabin_kvm_gdb_target(struct cabin_kvm *k, struct cabin_debug_target *t)
{
	*t = (struct cabin_debug_target){
		.ctx = k, .get_regs = get_regs, .set_regs = set_regs,
		.read_mem = read_mem, .write_mem = write_mem,
		.threads = threads, .auxv = auxv, .exe = exe,
		.private_at = private_at,
	};
}
