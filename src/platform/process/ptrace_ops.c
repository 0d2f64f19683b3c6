/*
 * The process platform's half of the platform interface, with ptrace:
 * memory through process_vm_readv/writev (and /proc/PID/mem for
 * execute-only code), registers through PTRACE_GETREGS and POKEUSER,
 * resumes as PTRACE_CONT/SYSCALL/LISTEN, task facts from /proc.  XOM's
 * part reads PKRU with PTRACE_GETREGSET and injects syscalls into a
 * stopped thread; W^X's part reads the maps from /proc.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <elf.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include "platform/process/process.h"
#include "platform/process/procfs.h"
#include "platform/process/ptrace_ops.h"
#include "platform/proclink.h"

/*
 * Execute-only code has no VM_READ, so process_vm_readv cannot read it;
 * /proc/PID/mem reads with FOLL_FORCE, as a debugger does (cabin is the
 * task's tracer, so it may open it).  --gdb writes breakpoints into
 * read-only code the same way.
 */
ssize_t cabin_ptrace_ops_mem_forced(pid_t tid, uint64_t addr, void *buf,
				    size_t len, bool write)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/mem", (int)tid);
	fd = open(path, (write ? O_WRONLY : O_RDONLY) | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write ? pwrite(fd, buf, len, (off_t)addr) :
		    pread(fd, buf, len, (off_t)addr);
	if (n < 0)
		n = -errno;
	close(fd);
	return n;
}

static ssize_t op_read_mem(void *ctx, pid_t tid, uint64_t addr, void *buf,
			   size_t len)
{
	struct iovec local = { .iov_base = buf, .iov_len = len };
	struct iovec remote = { .iov_base = (void *)(uintptr_t)addr,
				.iov_len = len };
	ssize_t n;

	(void)ctx;
	n = process_vm_readv(tid, &local, 1, &remote, 1, 0);
	if (n < 0 && errno == EFAULT)
		return cabin_ptrace_ops_mem_forced(tid, addr, buf, len, false);
	return n < 0 ? -errno : n;
}

static ssize_t op_write_mem(void *ctx, pid_t tid, uint64_t addr,
			    const void *buf, size_t len)
{
	struct iovec local = { .iov_base = (void *)buf, .iov_len = len };
	struct iovec remote = { .iov_base = (void *)(uintptr_t)addr,
				.iov_len = len };
	ssize_t n;

	(void)ctx;
	n = process_vm_writev(tid, &local, 1, &remote, 1, 0);
	return n < 0 ? -errno : n;
}

static int op_get_regs(void *ctx, pid_t tid, struct cabin_regs *regs)
{
	struct user_regs_struct r;

	(void)ctx;
	if (ptrace(PTRACE_GETREGS, tid, 0, &r) < 0)
		return -errno;
	regs->nr = (long)r.orig_rax;
	regs->args[0] = r.rdi;
	regs->args[1] = r.rsi;
	regs->args[2] = r.rdx;
	regs->args[3] = r.r10;
	regs->args[4] = r.r8;
	regs->args[5] = r.r9;
	regs->ret = (long)r.rax;
	regs->ip = r.rip;
	regs->sp = r.rsp;
	return 0;
}

/*
 * The words of user_regs_struct cabin ever changes: the general-purpose
 * registers, rip, eflags and orig_rax.  Never the segment selectors or
 * the FS/GS bases: PTRACE_SETREGS writes those back too, and the kernel
 * may refuse them (EIO) or apply them with side effects for a program
 * that loaded its own (an LDT entry, a null selector with RPL 1 or 2, a
 * base set with wrgsbase), leaving the thread half-changed.
 */
static const size_t gp_words[] = {
	offsetof(struct user_regs_struct, r15),
	offsetof(struct user_regs_struct, r14),
	offsetof(struct user_regs_struct, r13),
	offsetof(struct user_regs_struct, r12),
	offsetof(struct user_regs_struct, rbp),
	offsetof(struct user_regs_struct, rbx),
	offsetof(struct user_regs_struct, r11),
	offsetof(struct user_regs_struct, r10),
	offsetof(struct user_regs_struct, r9),
	offsetof(struct user_regs_struct, r8),
	offsetof(struct user_regs_struct, rax),
	offsetof(struct user_regs_struct, rcx),
	offsetof(struct user_regs_struct, rdx),
	offsetof(struct user_regs_struct, rsi),
	offsetof(struct user_regs_struct, rdi),
	offsetof(struct user_regs_struct, orig_rax),
	offsetof(struct user_regs_struct, rip),
	offsetof(struct user_regs_struct, eflags),
	offsetof(struct user_regs_struct, rsp),
};

/* Writes the general-purpose words of want that differ from have. */
static int poke_changed(pid_t tid, const struct user_regs_struct *want,
			const struct user_regs_struct *have)
{
	const char *w = (const char *)want, *h = (const char *)have;
	unsigned long long v;
	size_t i, off;

	for (i = 0; i < sizeof(gp_words) / sizeof(*gp_words); i++) {
		off = gp_words[i];
		if (!memcmp(w + off, h + off, sizeof(v)))
			continue;
		memcpy(&v, w + off, sizeof(v));
		if (ptrace(PTRACE_POKEUSER, tid,
			   (void *)(offsetof(struct user, regs) + off),
			   (void *)(uintptr_t)v) < 0)
			return -errno;
	}
	return 0;
}

static int op_set_regs(void *ctx, pid_t tid, const struct cabin_regs *regs)
{
	struct user_regs_struct have, r;

	(void)ctx;
	if (ptrace(PTRACE_GETREGS, tid, 0, &have) < 0)
		return -errno;
	r = have;
	r.orig_rax = (unsigned long long)regs->nr;
	r.rdi = regs->args[0];
	r.rsi = regs->args[1];
	r.rdx = regs->args[2];
	r.r10 = regs->args[3];
	r.r8 = regs->args[4];
	r.r9 = regs->args[5];
	r.rax = (unsigned long long)regs->ret;
	r.rip = regs->ip;
	r.rsp = regs->sp;
	return poke_changed(tid, &r, &have);
}

/*
 * Skipping a syscall: number -1 runs nothing and leaves rax as set.  Only
 * those two words are written (see gp_words): a failed skip would leave
 * the thread stopped.
 */
int cabin_ptrace_ops_skip(pid_t tid, long retval)
{
	const size_t orig_rax = offsetof(struct user, regs.orig_rax);
	const size_t rax = offsetof(struct user, regs.rax);

	if (ptrace(PTRACE_POKEUSER, tid, (void *)orig_rax, (void *)-1L) < 0 ||
	    ptrace(PTRACE_POKEUSER, tid, (void *)rax, (void *)retval) < 0)
		return -errno;
	return 0;
}

/*
 * A thread whose resume failed while it is still stopped would stay
 * stopped for ever, with signals (SIGTERM forwarded by cabin included)
 * pending behind the stop.  Gone (ESRCH) is no failure: its exit follows.
 * Anything else ends the process: what cannot be resumed as decided must
 * not run otherwise (a skipped syscall must not run).
 */
int cabin_ptrace_ops_resume_failed(struct cabin_process *pp, pid_t tid,
				   int err)
{
	if (err == -ESRCH)
		return err;
	cabin_proxy_say(pp->proxy, "pid %d: cannot be resumed (%s); killed rather than left stopped",
			(int)tid, strerror(-err));
	kill(tid, SIGKILL);
	return err;
}

/*
 * tid, stopped outside any syscall, is about to run a syscall instruction
 * (syscall 0f 05, sysenter 0f 34, int 0x80 cd 80)?
 */
static bool at_syscall_insn(pid_t tid)
{
	struct __ptrace_syscall_info info;
	unsigned char b[2];
	long rip, word;

	if (ptrace(PTRACE_GET_SYSCALL_INFO, tid, sizeof(info), &info) <= 0 ||
	    info.op != PTRACE_SYSCALL_INFO_NONE)
		return false;
	errno = 0;
	rip = ptrace(PTRACE_PEEKUSER, tid,
		     (void *)(offsetof(struct user, regs) +
			      offsetof(struct user_regs_struct, rip)), 0);
	word = errno ? 0 : ptrace(PTRACE_PEEKTEXT, tid, (void *)rip, 0);
	if (errno)
		return false;
	memcpy(b, &word, sizeof(b));
	return (b[0] == 0x0f && (b[1] == 0x05 || b[1] == 0x34)) ||
	       (b[0] == 0xcd && b[1] == 0x80);
}

int cabin_ptrace_ops_resume_now(struct cabin_process *pp, pid_t tid,
				const struct cabin_resume *how, bool step)
{
	int cont = how->entry_stops ? PTRACE_SYSCALL : PTRACE_CONT;
	long sig = how->sig;
	int err;

	/*
	 * A debugger's single step goes on through the proxy's stops.  A
	 * PTRACE_SINGLESTEP has no syscall-entry stop, which a task with a
	 * filter of its own needs (a call that filter refuses is traced at
	 * its entry): over a syscall instruction it runs to that entry
	 * first, and the step goes on from the entry stop (the kernel's
	 * step trap at the syscall's exit, or after the exit stop).
	 */
	if (step && !(how->entry_stops && at_syscall_insn(tid)))
		cont = PTRACE_SINGLESTEP;
	switch (how->how) {
	case CABIN_RESUME_TO_EXIT:
		err = ptrace(PTRACE_SYSCALL, tid, 0, sig);
		break;
	case CABIN_RESUME_SKIP:
		err = cabin_ptrace_ops_skip(tid, how->retval);
		if (err < 0)
			return cabin_ptrace_ops_resume_failed(pp, tid, err);
		err = ptrace(cont, tid, 0, sig);
		break;
	case CABIN_RESUME_STAY_STOPPED:
		err = ptrace(PTRACE_LISTEN, tid, 0, 0);
		break;
	case CABIN_RESUME_RUN:
	default:
		err = ptrace(cont, tid, 0, sig);
		break;
	}
	return err < 0 ? cabin_ptrace_ops_resume_failed(pp, tid, -errno) : 0;
}

static int op_resume(void *ctx, pid_t tid, const struct cabin_resume *how)
{
	struct cabin_process *pp = ctx;
	struct cabin_resume mine = *how;
	bool step = false;

	/* cabin_enter's process ends only after the records (tracer.c). */
	if (tid == pp->hold_pid && pp->stop_kind == CABIN_EV_EXITING &&
	    pp->hold_now) {
		pp->held = true;
		return 0;
	}
	/* A tracer inside the sandbox: its calls answered, its stops held. */
	if (pp->emul_hold && pp->emul_hold(pp, tid, &mine))
		return 0;
	/* --gdb: the debugger may hold the thread, or be stepping it. */
	if (pp->gdb_hold && pp->gdb_hold(pp, tid, &mine, &step))
		return 0;
	return cabin_ptrace_ops_resume_now(pp, tid, &mine, step);
}

static int op_kill(void *ctx, pid_t tid, int sig)
{
	struct cabin_process *pp = ctx;

	/* Held at its exit stop: a SIGKILL would end the hold. */
	if (pp->held && tid == pp->hold_pid)
		return 0;
	return kill(tid, sig) < 0 ? -errno : 0;
}

static int op_interrupt(void *ctx, pid_t tid)
{
	(void)ctx;
	return ptrace(PTRACE_INTERRUPT, tid, 0, 0) < 0 ? -errno : 0;
}

static int op_describe_addr(void *ctx, pid_t tid, uint64_t addr, char *buf,
			    size_t len)
{
	(void)ctx;
	return cabin_procfs_describe_addr(tid, addr, buf, len);
}

static int op_task_name(void *ctx, pid_t tid, char *buf, size_t len)
{
	(void)ctx;
	return cabin_procfs_comm(tid, buf, len);
}

static pid_t op_task_tgid(void *ctx, pid_t tid)
{
	(void)ctx;
	return cabin_procfs_tgid(tid);
}

static int op_task_exe(void *ctx, pid_t tid, char *buf, size_t len)
{
	(void)ctx;
	return cabin_procfs_exe(tid, buf, len);
}

static int op_dup_fd(void *ctx, pid_t tid, int fd)
{
	pid_t tgid = cabin_procfs_tgid(tid);
	int pidfd, copy;

	(void)ctx;
	pidfd = (int)syscall(SYS_pidfd_open, tgid > 0 ? tgid : tid, 0);
	if (pidfd < 0)
		return -errno;
	copy = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	if (copy < 0)
		copy = -errno;
	close(pidfd);
	return copy;
}

static int op_range_prot(void *ctx, pid_t tid, uint64_t addr, uint64_t len)
{
	(void)ctx;
	return cabin_procfs_range_prot(tid, addr, len);
}

static int op_fd_path(void *ctx, pid_t tid, int fd, char *buf, size_t len)
{
	(void)ctx;
	return cabin_proclink_fd(tid, fd, buf, len);
}

static int op_regions(void *ctx, pid_t tid, struct cabin_region *out,
		      size_t max)
{
	(void)ctx;
	return cabin_procfs_regions(tid, out, max);
}

static int op_region_at(void *ctx, pid_t tid, uint64_t addr,
			struct cabin_region *rg)
{
	(void)ctx;
	return cabin_procfs_region_at(tid, addr, rg);
}

static long op_personality(void *ctx, pid_t tid)
{
	(void)ctx;
	return cabin_procfs_personality(tid);
}

static int op_open_region(void *ctx, pid_t tid, const struct cabin_region *rg)
{
	(void)ctx;
	return cabin_procfs_open_region(tid, rg);
}

static int op_open_exe(void *ctx, pid_t tid)
{
	(void)ctx;
	return cabin_procfs_open_exe(tid);
}

static int op_addr_pkey(void *ctx, pid_t tid, uint64_t addr)
{
	(void)ctx;
	return cabin_procfs_pkey(tid, addr);
}

static ssize_t op_get_xstate(void *ctx, pid_t tid, void *buf, size_t len)
{
	struct iovec iov = { .iov_base = buf, .iov_len = len };

	(void)ctx;
	if (ptrace(PTRACE_GETREGSET, tid, (void *)NT_X86_XSTATE, &iov) < 0)
		return -errno;
	return (ssize_t)iov.iov_len;
}

/*
 * Wait for the next stop of tid alone.  A signal arriving meanwhile is
 * kept in *pending (and suppressed) so that it can be raised again once
 * the proxy's business is done.
 */
static int wait_own_stop(struct cabin_process *pp, pid_t tid, int *status,
			 int *pending)
{
	for (;;) {
		if (waitpid(tid, status, __WALL) < 0)
			return errno == EINTR ? -EINTR : -errno;
		if (!WIFSTOPPED(*status)) {
			pp->reaped_tid = tid;
			pp->reaped_status = *status;
			return -ESRCH;
		}
		if (WSTOPSIG(*status) == (SIGTRAP | 0x80) || (*status >> 16))
			return 0;
		*pending = WSTOPSIG(*status);
		if (ptrace(PTRACE_SYSCALL, tid, 0, 0) < 0)
			return -errno;
	}
}

/*
 * Resume with PTRACE_SYSCALL until the syscall in progress (or the next
 * one) reaches its exit; seccomp stops on the way are passed through.
 */
static int run_to_syscall_exit(struct cabin_process *pp, pid_t tid,
			       int *pending)
{
	struct __ptrace_syscall_info info;
	int status, err;

	for (;;) {
		if (ptrace(PTRACE_SYSCALL, tid, 0, 0) < 0)
			return -errno;
		do
			err = wait_own_stop(pp, tid, &status, pending);
		while (err == -EINTR);
		if (err < 0)
			return err;
		if (WSTOPSIG(status) != (SIGTRAP | 0x80))
			continue;
		if (ptrace(PTRACE_GET_SYSCALL_INFO, tid, sizeof(info), &info) < 0)
			return -errno;
		if (info.op == PTRACE_SYSCALL_INFO_EXIT)
			return 0;
	}
}

static void raise_pending(pid_t tid, int sig)
{
	if (sig)
		syscall(SYS_tgkill, cabin_procfs_tgid(tid), tid, sig);
}

static int op_exec_settle(void *ctx, pid_t tid)
{
	int pending = 0, err;

	err = run_to_syscall_exit(ctx, tid, &pending);
	raise_pending(tid, pending);
	return err;
}

/*
 * The stopped thread runs one syscall of the proxy's through a syscall
 * instruction of its own code, then gets its registers back.  Only valid
 * at a stop where the registers are final (a syscall exit, not an entry).
 */
static int op_inject_syscall(void *ctx, pid_t tid, uint64_t insn, long nr,
			     const uint64_t args[6], long *ret)
{
	struct user_regs_struct saved, r;
	int pending = 0, err, back;

	if (ptrace(PTRACE_GETREGS, tid, 0, &saved) < 0)
		return -errno;
	r = saved;
	r.rip = insn;
	r.rax = (unsigned long long)nr;
	r.orig_rax = (unsigned long long)-1;
	r.rdi = args[0];
	r.rsi = args[1];
	r.rdx = args[2];
	r.r10 = args[3];
	r.r8 = args[4];
	r.r9 = args[5];
	err = poke_changed(tid, &r, &saved);
	if (err < 0) {
		poke_changed(tid, &saved, &r);	/* undo what was written */
		return err;
	}
	err = run_to_syscall_exit(ctx, tid, &pending);
	if (ptrace(PTRACE_GETREGS, tid, 0, &r) < 0) {
		if (!err)
			err = -errno;
	} else {
		if (!err)
			*ret = (long)r.rax;
		back = poke_changed(tid, &saved, &r);
		if (!err)
			err = back;
	}
	raise_pending(tid, pending);
	return err;
}

static const struct cabin_xom_ops process_xom_ops = {
	.regions = op_regions,
	.addr_pkey = op_addr_pkey,
	.get_xstate = op_get_xstate,
	.exec_settle = op_exec_settle,
	.inject_syscall = op_inject_syscall,
};

static const struct cabin_wx_ops process_wx_ops = {
	.regions = op_regions,
	.region_at = op_region_at,
	.personality = op_personality,
	.open_region = op_open_region,
	.open_exe = op_open_exe,
};

const struct cabin_platform_ops cabin_ptrace_ops = {
	.read_mem = op_read_mem,
	.write_mem = op_write_mem,
	.get_regs = op_get_regs,
	.set_regs = op_set_regs,
	.resume = op_resume,
	.kill = op_kill,
	.interrupt = op_interrupt,
	.task_name = op_task_name,
	.task_tgid = op_task_tgid,
	.task_exe = op_task_exe,
	.fd_path = op_fd_path,
	.dup_fd = op_dup_fd,
	.range_prot = op_range_prot,
	.describe_addr = op_describe_addr,
	.xom = &process_xom_ops,
	.wx = &process_wx_ops,
};
