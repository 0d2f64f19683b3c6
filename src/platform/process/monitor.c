/*
 * The stop loop of the process platform and its half of the platform
 * interface.  waitpid reports every stop of every tracee; each is turned
 * into exactly one proxy event, and the proxy answers with one resume.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
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

#include "cabin/cabin.h"
#include "core/exception.h"
#include "platform/process/process.h"
#include "platform/process/procfs.h"
#include "policy/compile_bpf.h"

/* include/linux/seccomp.h keeps it to the kernel; /proc shows it. */
#define SECCOMP_MODE_DEAD 3

volatile pid_t cabin_process_main_pid;
static volatile sig_atomic_t timed_out;

/*
 * The wall clock ran out.  Killing the main task from here guarantees the
 * stop loop wakes up even if nothing else in the tree ever stops again;
 * the loop then kills the rest.
 */
static void on_alarm(int sig)
{
	pid_t main_pid = cabin_process_main_pid;

	(void)sig;
	timed_out = 1;
	if (main_pid > 0)
		kill(main_pid, SIGKILL);
}

static int arm_timeout(unsigned long seconds)
{
	struct sigaction sa;

	if (!seconds)
		return 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	if (sigaction(SIGALRM, &sa, NULL) < 0)
		return -errno;
	alarm(seconds > 86400 * 365 ? 86400 * 365 : (unsigned int)seconds);
	return 0;
}

static void check_timeout(struct cabin_process *pp)
{
	if (!timed_out || pp->proxy->timed_out)
		return;
	pp->proxy->timed_out = true;
	cabin_proxy_say(pp->proxy, "timeout: the program ran for %lu s; the whole tree was killed",
			pp->timeout);
	cabin_proxy_drain(pp->proxy);
}

/*
 * Execute-only code has no VM_READ, so process_vm_readv cannot read it;
 * /proc/PID/mem reads with FOLL_FORCE, as a debugger does (cabin is the
 * task's tracer, so it may open it).
 */
static ssize_t read_forced(pid_t tid, uint64_t addr, void *buf, size_t len)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/mem", (int)tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = pread(fd, buf, len, (off_t)addr);
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
		return read_forced(tid, addr, buf, len);
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
static int skip_syscall(pid_t tid, long retval)
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
static int resume_failed(struct cabin_process *pp, pid_t tid, int err)
{
	if (err == -ESRCH)
		return err;
	cabin_proxy_say(pp->proxy, "pid %d: cannot be resumed (%s); killed rather than left stopped",
			(int)tid, strerror(-err));
	kill(tid, SIGKILL);
	return err;
}

static int op_resume(void *ctx, pid_t tid, const struct cabin_resume *how)
{
	int cont = how->entry_stops ? PTRACE_SYSCALL : PTRACE_CONT;
	long sig = how->sig;
	int err;

	switch (how->how) {
	case CABIN_RESUME_TO_EXIT:
		err = ptrace(PTRACE_SYSCALL, tid, 0, sig);
		break;
	case CABIN_RESUME_SKIP:
		err = skip_syscall(tid, how->retval);
		if (err < 0)
			return resume_failed(ctx, tid, err);
		err = ptrace(cont, tid, 0, sig);
		break;
	case CABIN_RESUME_LISTEN:
		err = ptrace(PTRACE_LISTEN, tid, 0, 0);
		break;
	case CABIN_RESUME_RUN:
	default:
		err = ptrace(cont, tid, 0, sig);
		break;
	}
	return err < 0 ? resume_failed(ctx, tid, -errno) : 0;
}

static int op_kill(void *ctx, pid_t tid, int sig)
{
	(void)ctx;
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
	return cabin_procfs_fd_path(tid, fd, buf, len);
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

static const struct cabin_platform_ops process_ops = {
	.read_mem = op_read_mem,
	.write_mem = op_write_mem,
	.get_regs = op_get_regs,
	.set_regs = op_set_regs,
	.resume = op_resume,
	.kill = op_kill,
	.interrupt = op_interrupt,
	.describe_addr = op_describe_addr,
	.task_name = op_task_name,
	.task_tgid = op_task_tgid,
	.task_exe = op_task_exe,
	.dup_fd = op_dup_fd,
	.range_prot = op_range_prot,
	.fd_path = op_fd_path,
	.regions = op_regions,
	.addr_pkey = op_addr_pkey,
	.region_at = op_region_at,
	.personality = op_personality,
	.open_region = op_open_region,
	.open_exe = op_open_exe,
	.get_xstate = op_get_xstate,
	.exec_settle = op_exec_settle,
	.inject_syscall = op_inject_syscall,
};

void cabin_process_init(struct cabin_process *pp)
{
	memset(pp, 0, sizeof(*pp));
	pp->plat.name = "process";
	pp->plat.ops = &process_ops;
	pp->plat.ctx = pp;
	pp->child.error_fd = -1;
}

/*
 * SECCOMP_RET_DATA is not evidence: a program may install a filter of its
 * own, and when two filters both answer RET_TRACE the kernel reports the
 * newest one's data, so the program could name any rule (the fallback
 * "allow" among them).  The route is matched again here from the stopped
 * thread's registers, which the program cannot change while it is stopped.
 */
static int syscall_entry(pid_t tid, struct cabin_event *ev,
			 enum cabin_event_kind kind)
{
	struct cabin_regs regs;
	int err;

	err = op_get_regs(NULL, tid, &regs);
	if (err < 0)
		return err;
	ev->kind = kind;
	ev->sys.nr = regs.nr;
	memcpy(ev->sys.args, regs.args, sizeof(regs.args));
	ev->sys.ip = regs.ip;
	ev->sys.arch = AUDIT_ARCH_X86_64;
	ev->sys.rule = CABIN_RULE_UNKNOWN;
	return 0;
}

/*
 * The registers of a thread killed by the filter still hold the syscall;
 * the two bytes before rip tell int 0x80 (cd 80) from syscall (0f 05).
 */
static int exiting(pid_t tid, struct cabin_event *ev)
{
	struct cabin_regs regs;
	unsigned long status;
	unsigned char insn[2];

	if (ptrace(PTRACE_GETEVENTMSG, tid, 0, &status) < 0)
		return -errno;
	ev->kind = CABIN_EV_EXITING;
	ev->exiting.status = (int)status;
	ev->exiting.nr = -1;
	ev->exiting.arch = AUDIT_ARCH_X86_64;
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGSYS)
		return 0;
	if (op_get_regs(NULL, tid, &regs) < 0)
		return 0;
	ev->exiting.nr = regs.nr;
	memcpy(ev->exiting.args, regs.args, sizeof(regs.args));
	ev->exiting.ip = regs.ip;
	ev->exiting.filter_dead =
		cabin_procfs_seccomp_mode(tid) == SECCOMP_MODE_DEAD;
	if (regs.ip >= 2 &&
	    op_read_mem(NULL, tid, regs.ip - 2, insn, 2) == 2 &&
	    insn[0] == 0xcd && insn[1] == 0x80)
		ev->exiting.arch = AUDIT_ARCH_I386;
	return 0;
}

static int signal_stop(pid_t tid, int sig, struct cabin_event *ev)
{
	siginfo_t si;
	struct cabin_regs regs;

	ev->kind = CABIN_EV_SIGNAL;
	ev->sig = sig;
	if (ptrace(PTRACE_GETSIGINFO, tid, 0, &si) < 0)
		return 0;
	if (!cabin_is_fault(si.si_signo, si.si_code))
		return 0;
	ev->kind = CABIN_EV_FAULT;
	ev->fault.sig = si.si_signo;
	ev->fault.code = si.si_code;
	ev->fault.addr = (uint64_t)(uintptr_t)si.si_addr;
	ev->fault.pkey = si.si_code == SEGV_PKUERR ? (int)si.si_pkey : -1;
	ev->fault.ip = op_get_regs(NULL, tid, &regs) == 0 ? regs.ip : 0;
	return 0;
}

/*
 * Only a task with a filter of its own is resumed to stop at syscall
 * entries; for every other task a syscall stop is an exit.
 */
static bool at_entry_stop(struct cabin_process *pp, pid_t tid)
{
	struct cabin_task *task = cabin_tasks_find(&pp->proxy->tasks, tid);
	struct __ptrace_syscall_info info;

	return task && task->own_filter &&
	       ptrace(PTRACE_GET_SYSCALL_INFO, tid, sizeof(info), &info) > 0 &&
	       info.op == PTRACE_SYSCALL_INFO_ENTRY;
}

/* A task's first stop under PTRACE_SEIZE looks like a SIGSTOP group-stop. */
static bool is_first_stop(struct cabin_process *pp, pid_t tid)
{
	struct cabin_task *task = cabin_tasks_find(&pp->proxy->tasks, tid);

	return !task || task->state == CABIN_TASK_NEW;
}

static int ptrace_event_stop(struct cabin_process *pp, pid_t tid, int sig,
			     struct cabin_event *ev)
{
	if (is_first_stop(pp, tid)) {
		ev->kind = CABIN_EV_ATTACH;
		return 0;
	}
	switch (sig) {
	case SIGSTOP:
	case SIGTSTP:
	case SIGTTIN:
	case SIGTTOU:
		ev->kind = CABIN_EV_GROUP_STOP;
		ev->sig = sig;
		return 0;
	}
	ev->kind = CABIN_EV_ATTACH;
	return 0;
}

static int translate_stop(struct cabin_process *pp, pid_t tid, int status,
			  struct cabin_event *ev)
{
	int sig = WSTOPSIG(status), event = status >> 16;
	unsigned long msg = 0;

	memset(ev, 0, sizeof(*ev));
	ev->tid = tid;
	if (sig == (SIGTRAP | 0x80)) {
		struct cabin_regs regs;

		if (at_entry_stop(pp, tid))
			return syscall_entry(tid, ev, CABIN_EV_SYSCALL_ENTERED);
		ev->kind = CABIN_EV_SYSCALL_EXIT;
		ev->ret = op_get_regs(NULL, tid, &regs) == 0 ? regs.ret : 0;
		return 0;
	}
	switch (event) {
	case 0:
		return signal_stop(tid, sig, ev);
	case PTRACE_EVENT_SECCOMP:
		return syscall_entry(tid, ev, CABIN_EV_SYSCALL_ENTRY);
	case PTRACE_EVENT_EXIT:
		return exiting(tid, ev);
	case PTRACE_EVENT_STOP:
		return ptrace_event_stop(pp, tid, sig, ev);
	}
	if (ptrace(PTRACE_GETEVENTMSG, tid, 0, &msg) < 0)
		return -errno;
	switch (event) {
	case PTRACE_EVENT_FORK:
	case PTRACE_EVENT_VFORK:
	case PTRACE_EVENT_CLONE:
		ev->kind = CABIN_EV_SPAWN;
		ev->spawn.child = (pid_t)msg;
		ev->spawn.kind = event == PTRACE_EVENT_FORK ? CABIN_SPAWN_FORK :
				 event == PTRACE_EVENT_VFORK ? CABIN_SPAWN_VFORK :
							       CABIN_SPAWN_CLONE;
		return 0;
	case PTRACE_EVENT_EXEC:
		ev->kind = CABIN_EV_EXEC;
		ev->exec.former_tid = (pid_t)msg;
		pp->exec_seen = true;
		return 0;
	}
	return -EINVAL;
}

static void handle_status(struct cabin_process *pp, pid_t tid, int status)
{
	struct cabin_event ev;
	int err;

	if (WIFEXITED(status) || WIFSIGNALED(status)) {
		memset(&ev, 0, sizeof(ev));
		ev.kind = CABIN_EV_EXIT;
		ev.tid = tid;
		ev.status = status;
		cabin_proxy_handle(pp->proxy, &ev);
		return;
	}
	if (!WIFSTOPPED(status))
		return;
	err = translate_stop(pp, tid, status, &ev);
	if (err < 0) {
		/* Gone between the stop and our look: its exit follows. */
		if (err == -ESRCH)
			return;
		/* Not understood: it must not stay stopped, nor run unseen. */
		resume_failed(pp, tid, err);
		return;
	}
	cabin_proxy_handle(pp->proxy, &ev);
}

static int report_start_failure(struct cabin_process *pp, int code)
{
	struct cabin_spawn_error e;
	FILE *log = pp->proxy->log.out;

	if (!cabin_spawn_failure(&pp->child, &e))
		return code;
	if (e.stage == CABIN_STAGE_EXEC) {
		fprintf(log, "cabin: cannot execute %s: %s\n", pp->child.path,
			strerror(e.err));
		return code;
	}
	fprintf(log, "cabin: setting up the sandbox failed while %s: %s\n",
		cabin_spawn_stage_name(e.stage), strerror(e.err));
	return CABIN_EXIT_INTERNAL;
}

/*
 * A seccomp listener cabin inherited belongs to a filter on cabin's own
 * tree, installed by whoever started it; in the program's hands it could
 * answer "continue" to calls that filter sends it, and USER_NOTIF outranks
 * cabin's stops.  The program does not get it.
 */
static void close_inherited_listeners(struct cabin_proxy *proxy)
{
	int fds[64], n, i;

	while ((n = cabin_procfs_seccomp_listeners(fds, 64)) > 0) {
		for (i = 0; i < n; i++) {
			close(fds[i]);
			cabin_proxy_say(proxy, "closed inherited descriptor %d, a seccomp listener: the program must not answer a filter's notifications",
					fds[i]);
		}
	}
}

int cabin_process_run(struct cabin_process *pp, struct cabin_proxy *proxy,
		      const struct cabin_spawn *spawn)
{
	int status, err, code;
	pid_t tid;

	pp->proxy = proxy;
	if (spawn->filter && !(spawn->unsafe & CABIN_UNSAFE_SECCOMP))
		close_inherited_listeners(proxy);
	err = cabin_spawn_child(spawn, &pp->child);
	if (err < 0)
		return err;
	cabin_process_main_pid = pp->child.pid;
	err = cabin_proxy_adopt(proxy, pp->child.pid);
	if (err < 0) {
		kill(pp->child.pid, SIGKILL);
		return err;
	}
	err = arm_timeout(pp->timeout);
	if (err < 0) {
		kill(pp->child.pid, SIGKILL);
		return err;
	}
	for (;;) {
		tid = waitpid(-1, &status, __WALL);
		check_timeout(pp);
		if (tid < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		handle_status(pp, tid, status);
		while (pp->reaped_tid) {
			tid = pp->reaped_tid;
			pp->reaped_tid = 0;
			handle_status(pp, tid, pp->reaped_status);
		}
	}
	alarm(0);
	cabin_process_main_pid = 0;
	code = cabin_proxy_exit_code(proxy);
	if (!pp->exec_seen && !proxy->timed_out)
		code = report_start_failure(pp, code);
	close(pp->child.error_fd);
	pp->child.error_fd = -1;
	return code;
}
