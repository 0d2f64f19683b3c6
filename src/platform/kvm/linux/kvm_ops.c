/*
 * The platform operations the proxy kernel core calls, on the kvm
 * platform: memory is the guest's (through the region table), registers
 * are the trap frame, and "resume" only records the decision, which the
 * run loop carries out when the core returns.  Each acts on the thread
 * its tid names, -ESRCH when this process has none by that tid.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "platform/kvm/shared/abi.h"
#include "platform/kvm/linux/entry.h"
#include "platform/proclink.h"

/*
 * The thread tid names: the one whose trap is being handled (even once
 * marked exited, while its end is reported), or another live one.
 */
static struct cabin_kvm_thread *thread_of(struct cabin_kvm *k, pid_t tid)
{
	if (k->cur && k->cur->tid == tid)
		return k->cur;
	return cabin_kvm_thread_by_tid(k, tid);
}

/*
 * Whether tid names a thread of this process, one whose end is still
 * being reported included: the process's facts are its.
 */
static bool in_process(struct cabin_kvm *k, pid_t tid)
{
	unsigned int i;

	if (tid == k->pid || thread_of(k, tid))
		return true;
	for (i = 0; i < CABIN_KVM_MAX_CPUS; i++)
		if (k->threads[i] && !k->threads[i]->host_done &&
		    k->threads[i]->tid == tid)
			return true;
	return false;
}

/*
 * Or a child process this monitor forked: until it execs (which its own
 * monitor reports) its name and program are this process's.
 */
static bool in_process_or_child(struct cabin_kvm *k, pid_t tid)
{
	return in_process(k, tid) || cabin_kvm_family_has(&k->family, tid);
}

static ssize_t op_read_mem(void *ctx, pid_t tid, uint64_t addr, void *buf,
			   size_t len)
{
	struct cabin_kvm *k = ctx;
	size_t done = 0;

	if (!thread_of(k, tid))
		return -ESRCH;
	/* Byte-exact like process_vm_readv: as much as is readable. */
	while (done < len) {
		size_t n = len - done;
		uint64_t page_left = 4096 - ((addr + done) & 4095);

		if (n > page_left)
			n = page_left;
		if (cabin_gmem_read(&k->vm.mem, addr + done,
				    (char *)buf + done, n) < 0)
			break;
		done += n;
	}
	return done ? (ssize_t)done : -EFAULT;
}

static ssize_t op_write_mem(void *ctx, pid_t tid, uint64_t addr,
			    const void *buf, size_t len)
{
	struct cabin_kvm *k = ctx;
	int err;

	if (!thread_of(k, tid))
		return -ESRCH;
	err = cabin_gmem_write(&k->vm.mem, addr, buf, len);
	return err < 0 ? err : (ssize_t)len;
}

/* Registers are a trap's: a thread in none has none to give. */
static struct cabin_kvm_frame *frame_of(struct cabin_kvm *k, pid_t tid)
{
	struct cabin_kvm_thread *t = thread_of(k, tid);

	return t ? t->frame : NULL;
}

static int op_get_regs(void *ctx, pid_t tid, struct cabin_regs *r)
{
	const struct cabin_kvm_frame *f = frame_of(ctx, tid);

	if (!f)
		return -ESRCH;
	memset(r, 0, sizeof(*r));
	r->nr = (long)f->rax;
	r->args[0] = f->rdi;
	r->args[1] = f->rsi;
	r->args[2] = f->rdx;
	r->args[3] = f->r10;
	r->args[4] = f->r8;
	r->args[5] = f->r9;
	r->ret = (long)f->rax;
	r->ip = f->rip;
	r->sp = f->rsp;
	return 0;
}

static int op_set_regs(void *ctx, pid_t tid, const struct cabin_regs *r)
{
	struct cabin_kvm_frame *f = frame_of(ctx, tid);

	if (!f)
		return -ESRCH;
	f->rdi = r->args[0];
	f->rsi = r->args[1];
	f->rdx = r->args[2];
	f->r10 = r->args[3];
	f->r8 = r->args[4];
	f->r9 = r->args[5];
	return 0;
}

static int op_resume(void *ctx, pid_t tid, const struct cabin_resume *how)
{
	struct cabin_kvm_thread *t = thread_of(ctx, tid);

	if (!t)
		return -ESRCH;
	t->resume = *how;
	return 0;
}

static int op_kill(void *ctx, pid_t tid, int sig)
{
	struct cabin_kvm *k = ctx;

	/*
	 * Other processes have monitors of their own, ended by the first.
	 * The kill takes effect when the thread being handled goes back to
	 * its loop; the process's other threads end with it (finish).
	 */
	if (!in_process(k, tid))
		return -ESRCH;
	if (tid != k->cur->tid)
		return 0;
	k->cur->killed = true;
	k->cur->kill_sig = sig;
	return 0;
}

static int op_describe_addr(void *ctx, pid_t tid, uint64_t addr, char *buf,
			    size_t len)
{
	struct cabin_kvm *k = ctx;

	if (!in_process(k, tid))
		return -ESRCH;
	return cabin_kvm_mm_describe(&k->mm, addr, buf, len);
}

static int op_task_name(void *ctx, pid_t tid, char *buf, size_t len)
{
	struct cabin_kvm *k = ctx;

	if (!in_process_or_child(k, tid))
		return -ESRCH;
	snprintf(buf, len, "%s", k->comm);
	return 0;
}

static pid_t op_task_tgid(void *ctx, pid_t tid)
{
	struct cabin_kvm *k = ctx;

	/* A child process's monitor is another: its tid is its pid. */
	return cabin_kvm_thread_by_tid(k, tid) ? k->pid : tid;
}

static int op_task_exe(void *ctx, pid_t tid, char *buf, size_t len)
{
	struct cabin_kvm *k = ctx;

	if (!in_process_or_child(k, tid))
		return -ESRCH;
	snprintf(buf, len, "%s", k->exe);
	return 0;
}

/* The program's descriptors are the monitor's own, below the floor. */
static int op_dup_fd(void *ctx, pid_t tid, int fd)
{
	struct cabin_kvm *k = ctx;
	int d;

	if (!in_process(k, tid))
		return -ESRCH;
	if (fd < 0 || fd >= k->fwd.fd_floor)
		return -EBADF;
	d = fcntl(fd, F_DUPFD_CLOEXEC, k->fwd.fd_floor);
	return d < 0 ? -errno : d;
}

static int op_range_prot(void *ctx, pid_t tid, uint64_t addr, uint64_t len)
{
	struct cabin_kvm *k = ctx;

	if (!in_process(k, tid))
		return -ESRCH;
	return cabin_kvm_mm_range_prot(&k->mm, addr, len);
}

static int op_fd_path(void *ctx, pid_t tid, int fd, char *buf, size_t len)
{
	struct cabin_kvm *k = ctx;

	if (!in_process(k, tid))
		return -ESRCH;
	if (fd >= k->fwd.fd_floor)
		return -EBADF;
	return cabin_proclink_self_fd(fd, buf, len);
}

/* Execute-only memory (core/xom.c) on the guest's own page tables. */
static int op_regions(void *ctx, pid_t tid, struct cabin_region *out,
		      size_t max)
{
	struct cabin_kvm *k = ctx;
	const struct cabin_gmem *g = &k->vm.mem;
	size_t i, n = 0;

	if (!thread_of(k, tid))
		return -ESRCH;
	for (i = 0; i < g->tab->n && n < max; i++) {
		const struct cabin_gmem_region *r = &g->tab->r[i];
		struct cabin_region *o = &out[n++];

		memset(o, 0, sizeof(*o));
		o->start = r->gva;
		o->end = r->gva + r->len;
		o->offset = r->foff;
		o->prot = ((r->prot & CABIN_GMEM_R) ? PROT_READ : 0) |
			  ((r->prot & CABIN_GMEM_W) ? PROT_WRITE : 0) |
			  ((r->prot & CABIN_GMEM_X) ? PROT_EXEC : 0);
		if (r->tag >= CABIN_KVM_TAG_FIRST_FILE) {
			const struct cabin_kvm_name *nm = &k->mm.names[r->tag];

			o->dev = nm->dev;
			o->ino = nm->ino;
			snprintf(o->name, sizeof(o->name), "%s", nm->path);
		}
	}
	return (int)n;
}

static int op_addr_pkey(void *ctx, pid_t tid, uint64_t addr)
{
	struct cabin_kvm *k = ctx;
	const struct cabin_gmem_region *r;

	if (!thread_of(k, tid))
		return -ESRCH;
	r = cabin_gmem_find(&k->vm.mem, addr);
	if (!r)
		return -EFAULT;
	return (r->prot & CABIN_GMEM_X) && !(r->prot & CABIN_GMEM_R) ?
	       (int)CABIN_KVM_XOM_PKEY : 0;
}

static ssize_t op_get_xstate(void *ctx, pid_t tid, void *buf, size_t len)
{
	struct cabin_kvm_thread *t = thread_of(ctx, tid);
	struct kvm_xsave x;

	if (!t)
		return -ESRCH;
	if (ioctl(t->vcpu, KVM_GET_XSAVE, &x) < 0)
		return -errno;
	if (len > sizeof(x.region))
		len = sizeof(x.region);
	memcpy(buf, x.region, len);
	return (ssize_t)len;
}

/* The monitor performs execve itself: the image is in place already. */
static int op_exec_settle(void *ctx, pid_t tid)
{
	return thread_of(ctx, tid) ? 0 : -ESRCH;
}

/*
 * The monitor is the kernel here: it performs the call itself, as the
 * thread being handled (cur), the only one it can act for.
 */
static int op_inject_syscall(void *ctx, pid_t tid, uint64_t insn, long nr,
			     const uint64_t args[6], long *ret)
{
	struct cabin_kvm *k = ctx;

	(void)insn;
	if (thread_of(k, tid) != k->cur || !k->cur)
		return -ESRCH;
	*ret = cabin_kvm_sys(ctx, nr, args);
	return 0;
}

static const struct cabin_xom_ops kvm_xom_ops = {
	.regions = op_regions,
	.addr_pkey = op_addr_pkey,
	.get_xstate = op_get_xstate,
	.exec_settle = op_exec_settle,
	.inject_syscall = op_inject_syscall,
};

/* No W^X alias ops: the monitor maps the program's memory itself. */
const struct cabin_platform_ops cabin_kvm_ops = {
	.read_mem = op_read_mem,
	.write_mem = op_write_mem,
	.get_regs = op_get_regs,
	.set_regs = op_set_regs,
	.resume = op_resume,
	.kill = op_kill,
	.task_name = op_task_name,
	.task_tgid = op_task_tgid,
	.task_exe = op_task_exe,
	.fd_path = op_fd_path,
	.dup_fd = op_dup_fd,
	.range_prot = op_range_prot,
	.describe_addr = op_describe_addr,
	.xom = &kvm_xom_ops,
};

int cabin_kvm_fxsave(struct cabin_kvm *k, uint8_t fx[512])
{
	struct kvm_xsave x;

	if (ioctl(k->cur->vcpu, KVM_GET_XSAVE, &x) < 0)
		return -errno;
	memcpy(fx, x.region, 512);
	return 0;
}

/* The interrupted code's FPU state, kept here, not in the frame. */
void cabin_kvm_fpu_push(struct cabin_kvm *k, uint64_t frame)
{
	struct kvm_xsave *x;

	if (k->cur->nfpu == CABIN_KVM_MAX_FPU) {
		free(k->cur->fpu[0].xsave);
		memmove(&k->cur->fpu[0], &k->cur->fpu[1],
			(CABIN_KVM_MAX_FPU - 1) * sizeof(k->cur->fpu[0]));
		k->cur->nfpu--;
	}
	x = malloc(sizeof(*x));
	if (!x || ioctl(k->cur->vcpu, KVM_GET_XSAVE, x) < 0) {
		free(x);
		return;
	}
	k->cur->fpu[k->cur->nfpu].frame = frame;
	k->cur->fpu[k->cur->nfpu].xsave = x;
	k->cur->nfpu++;
}

void cabin_kvm_fpu_pop(struct cabin_kvm *k, uint64_t frame)
{
	while (k->cur->nfpu > 0) {
		struct cabin_kvm_fpu *top = &k->cur->fpu[--k->cur->nfpu];
		bool match = top->frame == frame;

		if (match)
			ioctl(k->cur->vcpu, KVM_SET_XSAVE, top->xsave);
		free(top->xsave);
		if (match)
			return;
	}
}
