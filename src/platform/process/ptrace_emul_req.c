/*
 * Emulated ptrace, the requests of a tracer inside the sandbox.  Making
 * and ending the relation (TRACEME, ATTACH, SEIZE, DETACH) and resuming
 * (CONT, SYSCALL, SINGLESTEP, KILL, INTERRUPT) are emulated; what reads
 * or writes a held tracee is done with cabin's own ptrace on it, the
 * tracer's buffers copied through its memory.  A request this does not
 * know fails with EIO and one line naming it, never a hang.
 */
#include <elf.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <unistd.h>

#include "core/proxy.h"
#include "core/task.h"
#include "core/xom.h"
#include "platform/process/process.h"
#include "platform/process/procfs.h"
#include "platform/process/ptrace_emul.h"
#include "platform/process/ptrace_emul_int.h"
#include "platform/process/ptrace_ops.h"

/* The largest register set copied (x86 XSTATE is a few KiB). */
#define REGSET_MAX	(64 * 1024)

#define KNOWN_OPTIONS	(PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEFORK | \
			 PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE | \
			 PTRACE_O_TRACEEXEC | PTRACE_O_TRACEVFORKDONE | \
			 PTRACE_O_TRACEEXIT | PTRACE_O_TRACESECCOMP | \
			 PTRACE_O_EXITKILL | PTRACE_O_SUSPEND_SECCOMP)

static int put(struct cabin_process *pp, pid_t tracer, uint64_t at,
	       const void *buf, size_t len)
{
	ssize_t n = cabin_ptrace_ops.write_mem(pp, tracer, at, buf, len);

	return n == (ssize_t)len ? 0 : -EFAULT;
}

/*
 * The tracer's own buffers, as the kernel's copy_from_user reads them:
 * process_vm_readv only.  The platform's read_mem falls back to a forced
 * /proc/PID/mem read (execute-only code), which would let a program read
 * its own PROT_NONE or execute-only pages through a request's buffer.
 */
static int get(pid_t tracer, uint64_t at, void *buf, size_t len)
{
	ssize_t n = process_vm_readv(tracer, &(struct iovec){ buf, len }, 1,
				     &(struct iovec){ (void *)(uintptr_t)at,
						      len }, 1, 0);

	return n == (ssize_t)len ? 0 : -EFAULT;
}

static long status_ppid(pid_t tid)
{
	return cabin_pemu_status_field(tid, "PPid:", false);
}

/* The caller's parent process becomes its tracer; cabin cannot. */
static long traceme(struct cabin_process *pp, pid_t tid)
{
	struct pemu_tracee *x = cabin_pemu_tracee(pp, tid);
	pid_t parent = (pid_t)status_ppid(cabin_procfs_tgid(tid));

	if ((x && x->tracer) || parent <= 0 ||
	    !cabin_tasks_find(&pp->proxy->tasks, parent) ||
	    cabin_pemu_helper(pp, parent))
		return -EPERM;
	if (!x)
		x = cabin_pemu_add(pp, tid, parent, parent);
	if (!x)
		return -ENOMEM;
	x->tracer = x->tracer_tgid = parent;
	x->ns = cabin_pemu_ns_of(tid, parent);
	x->child = cabin_procfs_tgid(tid) == tid;
	return 0;
}

/*
 * ATTACH and SEIZE: any thread of the confined tree but the tracer's own
 * process and one already traced (EPERM, as the kernel says).  The stop
 * that ATTACH's SIGSTOP brings natively is cabin's interrupt here: no
 * signal that could stop the whole process if the tracer went away.
 */
static long attach(struct cabin_process *pp, pid_t tracer, pid_t ns,
		   bool seize, uint64_t options)
{
	pid_t host = cabin_pemu_host_of(pp, tracer, ns);
	pid_t tgid = cabin_procfs_tgid(tracer);
	struct pemu_tracee *x;

	if (host < 0)
		return -ESRCH;
	if (cabin_procfs_tgid(host) == tgid || cabin_pemu_helper(pp, host))
		return -EPERM;
	if (seize && (options & ~(uint64_t)KNOWN_OPTIONS))
		return -EINVAL;
	x = cabin_pemu_tracee(pp, host);
	if (x && (x->tracer || x->gone))
		return -EPERM;
	if (!x)
		x = cabin_pemu_add(pp, host, tracer, tgid);
	if (!x)
		return -ENOMEM;
	x->tracer = tracer;
	x->tracer_tgid = tgid;
	x->ns = ns;
	/* The real parent waits for a leader; a thread's end is its tracer's. */
	x->child = cabin_procfs_tgid(host) == host && status_ppid(host) == tgid;
	x->seized = seize;
	x->options = seize ? options : 0;
	if (!seize) {
		x->pending = (SIGSTOP << 8) | 0x7f;
		if (ptrace(PTRACE_INTERRUPT, host, 0, 0) < 0 && errno != ESRCH)
			return -errno;
	}
	return 0;
}

/* A word of the tracee: only where it may read or write it itself. */
static long peek(struct cabin_process *pp, pid_t tracer,
		 struct pemu_tracee *x, uint64_t addr, uint64_t data)
{
	long word;

	if (cabin_pemu_mem(pp, x->tid, addr, &word, sizeof(word),
				  false) != sizeof(word))
		return -EIO;
	return put(pp, tracer, data, &word, sizeof(word));
}

static long poke(struct cabin_process *pp, struct pemu_tracee *x,
		 uint64_t addr, uint64_t data)
{
	long word = (long)data;

	if (cabin_pemu_mem(pp, x->tid, addr, &word, sizeof(word),
				  true) != sizeof(word))
		return -EIO;
	return 0;
}

/*
 * Under execute-only code a register write must not open the key to
 * reads (PKRU, in XSTATE; FPREGS and other sets share the XSAVE area):
 * the XSAVE image from before the write, or nothing to check (NULL).
 */
static void *xom_before(struct cabin_process *pp, pid_t tid, size_t *len)
{
	const struct cabin_task *t = cabin_tasks_find(&pp->proxy->tasks, tid);
	struct iovec iov;

	if (!pp->proxy->xom || pp->proxy->xom->pkey < 0 || !t ||
	    !t->xom_sealed)
		return NULL;
	iov.iov_len = REGSET_MAX;
	iov.iov_base = calloc(1, iov.iov_len);
	if (iov.iov_base &&
	    ptrace(PTRACE_GETREGSET, tid, (void *)NT_X86_XSTATE, &iov) < 0)
		iov.iov_len = 0;
	*len = iov.iov_len;
	return iov.iov_base;
}

/*
 * After the write: a PKRU that lets execute-only code be read is undone
 * (the image from before written back) and the request fails with EPERM,
 * as the proxy's stop check would end the task (cabin_pemu_release runs
 * that check as well before the tracee runs).
 */
static long xom_after(struct cabin_process *pp, pid_t tid, void *before,
		      size_t len, long ret)
{
	const struct cabin_xom *x = pp->proxy->xom;
	unsigned char *now;
	struct iovec iov;
	uint32_t pkru;
	bool open;

	if (!x || x->pkey < 0 || ret < 0)
		goto out;
	now = calloc(1, REGSET_MAX);
	iov = (struct iovec){ now, REGSET_MAX };
	open = !now ||
	       ptrace(PTRACE_GETREGSET, tid, (void *)NT_X86_XSTATE, &iov) < 0 ||
	       cabin_xom_pkru_of(now, iov.iov_len, x->pkru_offset, &pkru) < 0 ||
	       cabin_xom_pkru_reads(pkru, x->pkey);
	free(now);
	if (open) {
		iov = (struct iovec){ before, len };
		if (!before || !len ||
		    ptrace(PTRACE_SETREGSET, tid, (void *)NT_X86_XSTATE, &iov) < 0)
			cabin_pemu_signal(pp, cabin_procfs_tgid(tid), tid, SIGKILL);
		ret = -EPERM;
	}
out:
	free(before);
	return ret;
}

/* GETREGS, GETFPREGS, SETREGS, SETFPREGS: cabin's own call on a copy. */
static long regs(struct cabin_process *pp, pid_t tracer, pid_t tid, long req,
		 uint64_t data)
{
	union {
		struct user_regs_struct r;
		struct user_fpregs_struct f;
	} buf;
	size_t len = req == PTRACE_GETREGS || req == PTRACE_SETREGS ?
		     sizeof(buf.r) : sizeof(buf.f);
	bool set = req == PTRACE_SETREGS || req == PTRACE_SETFPREGS;
	int err;

	size_t xlen = 0;
	void *before;

	if (set && (err = get(tracer, data, &buf, len)) < 0)
		return err;
	if (!set)
		return ptrace((enum __ptrace_request)req, tid, 0, &buf) < 0 ?
		       -errno : put(pp, tracer, data, &buf, len);
	before = xom_before(pp, tid, &xlen);
	err = ptrace((enum __ptrace_request)req, tid, 0, &buf) < 0 ? -errno : 0;
	return xom_after(pp, tid, before, xlen, err);
}

static long regset(struct cabin_process *pp, pid_t tracer, pid_t tid,
		   long req, uint64_t type, uint64_t data)
{
	struct iovec theirs, ours;
	size_t xlen = 0;
	void *buf, *before = NULL;
	long ret = 0;

	if (get(tracer, data, &theirs, sizeof(theirs)) < 0)
		return -EFAULT;
	ours.iov_len = theirs.iov_len < REGSET_MAX ? theirs.iov_len : REGSET_MAX;
	buf = calloc(1, ours.iov_len ? ours.iov_len : 1);
	if (!buf)
		return -ENOMEM;
	ours.iov_base = buf;
	if (req == PTRACE_SETREGSET &&
	    get(tracer, (uintptr_t)theirs.iov_base, buf, ours.iov_len) < 0)
		ret = -EFAULT;
	else if (req == PTRACE_SETREGSET) {
		before = xom_before(pp, tid, &xlen);
		ret = ptrace(PTRACE_SETREGSET, tid, (void *)type, &ours) < 0 ?
		      -errno : 0;
		ret = xom_after(pp, tid, before, xlen, ret);
	} else if (ptrace((enum __ptrace_request)req, tid, (void *)type, &ours) < 0)
		ret = -errno;
	else if (req == PTRACE_GETREGSET &&
		 (put(pp, tracer, (uintptr_t)theirs.iov_base, buf,
		      ours.iov_len) < 0 ||
		  put(pp, tracer, data + offsetof(struct iovec, iov_len),
		      &ours.iov_len, sizeof(ours.iov_len)) < 0))
		ret = -EFAULT;
	free(buf);
	return ret;
}

/* A request answered by cabin's own ptrace, its result a copied word. */
static long word_out(struct cabin_process *pp, pid_t tracer, pid_t tid,
		     long req, uint64_t addr, uint64_t data)
{
	long word;

	errno = 0;
	word = ptrace((enum __ptrace_request)req, tid, (void *)addr, 0);
	if (errno)
		return -errno;
	return put(pp, tracer, data, &word, sizeof(word));
}

static long siginfo(struct cabin_process *pp, pid_t tracer, pid_t tid,
		    long req, uint64_t data)
{
	siginfo_t si;

	if (req == PTRACE_SETSIGINFO) {
		if (get(tracer, data, &si, sizeof(si)) < 0)
			return -EFAULT;
		return ptrace(PTRACE_SETSIGINFO, tid, 0, &si) < 0 ? -errno : 0;
	}
	if (ptrace(PTRACE_GETSIGINFO, tid, 0, &si) < 0)
		return -errno;
	return put(pp, tracer, data, &si, sizeof(si));
}

static long syscall_info(struct cabin_process *pp, pid_t tracer, pid_t tid,
			 uint64_t size, uint64_t data)
{
	struct __ptrace_syscall_info info;
	long n;

	memset(&info, 0, sizeof(info));
	n = ptrace(PTRACE_GET_SYSCALL_INFO, tid, sizeof(info), &info);
	if (n < 0)
		return -errno;
	if (size > (uint64_t)n)
		size = (uint64_t)n;
	if (put(pp, tracer, data, &info, size) < 0)
		return -EFAULT;
	return n;
}

/* CONT, SYSCALL, SINGLESTEP, DETACH: the held tracee goes on with sig. */
static long resume(struct cabin_process *pp, struct pemu_tracee *x, long req,
		   uint64_t data)
{
	/* glibc's _NSIG is one past the kernel's last signal (64). */
	if (data >= _NSIG)
		return -EIO;
	x->syscalls = req == PTRACE_SYSCALL;
	x->step = req == PTRACE_SINGLESTEP;
	if (req == PTRACE_DETACH) {
		x->tracer = 0;
		x->syscalls = false;
		x->in_syscall = false;
	}
	if (x->held && cabin_pemu_release(pp, x, (int)data) < 0)
		return -ESRCH;
	if (req == PTRACE_DETACH)
		cabin_pemu_forget(pp, x);
	return 0;
}

/* The requests the kernel knows on x86-64 that are not emulated here. */
static const struct {
	long req;
	const char *name;
} not_emulated[] = {
	{ 25, "PTRACE_GET_THREAD_AREA" }, { 26, "PTRACE_SET_THREAD_AREA" },
	{ 30, "PTRACE_ARCH_PRCTL" }, { 31, "PTRACE_SYSEMU" },
	{ 32, "PTRACE_SYSEMU_SINGLESTEP" }, { 33, "PTRACE_SINGLEBLOCK" },
	{ 0x4208, "PTRACE_LISTEN" }, { 0x4209, "PTRACE_PEEKSIGINFO" },
	{ 0x420a, "PTRACE_GETSIGMASK" }, { 0x420b, "PTRACE_SETSIGMASK" },
	{ 0x420c, "PTRACE_SECCOMP_GET_FILTER" },
	{ 0x420d, "PTRACE_SECCOMP_GET_METADATA" },
	{ 0x420f, "PTRACE_GET_RSEQ_CONFIGURATION" },
	{ 0x4210, "PTRACE_SET_SYSCALL_USER_DISPATCH_CONFIG" },
};

/* EIO, said once per request and run: what the tracer asked for. */
static long unsupported(struct cabin_process *pp, pid_t tracer, long req)
{
	const size_t n = sizeof(not_emulated) / sizeof(*not_emulated);
	struct cabin_task *t = cabin_tasks_find(&pp->proxy->tasks, tracer);
	const char *comm = t ? t->comm : "?";
	struct cabin_ptrace_emul *e = pp->pemu;
	size_t i;

	for (i = 0; i < n && not_emulated[i].req != req; i++)
		;
	if (e->said & (1ull << i))
		return -EIO;
	e->said |= 1ull << i;
	if (i < n)
		cabin_proxy_say(pp->proxy, "pid %d (%s): ptrace request %s is not emulated inside the sandbox: EIO",
				(int)tracer, comm, not_emulated[i].name);
	else
		cabin_proxy_say(pp->proxy, "pid %d (%s): ptrace request %ld is not known to cabin's emulation inside the sandbox: EIO",
				(int)tracer, comm, req);
	return -EIO;
}

static long on_held(struct cabin_process *pp, pid_t tracer,
		    struct pemu_tracee *x, long req, uint64_t addr,
		    uint64_t data)
{
	switch (req) {
	case PTRACE_PEEKTEXT:
	case PTRACE_PEEKDATA:
		return peek(pp, tracer, x, addr, data);
	case PTRACE_POKETEXT:
	case PTRACE_POKEDATA:
		return poke(pp, x, addr, data);
	case PTRACE_PEEKUSER:
		return word_out(pp, tracer, x->tid, req, addr, data);
	case PTRACE_POKEUSER:
		return ptrace(PTRACE_POKEUSER, x->tid, (void *)addr,
			      (void *)data) < 0 ? -errno : 0;
	case PTRACE_GETREGS:
	case PTRACE_SETREGS:
	case PTRACE_GETFPREGS:
	case PTRACE_SETFPREGS:
		return regs(pp, tracer, x->tid, req, data);
	case PTRACE_GETREGSET:
	case PTRACE_SETREGSET:
		return regset(pp, tracer, x->tid, req, addr, data);
	case PTRACE_GETSIGINFO:
	case PTRACE_SETSIGINFO:
		return siginfo(pp, tracer, x->tid, req, data);
	case PTRACE_GET_SYSCALL_INFO:
		return syscall_info(pp, tracer, x->tid, addr, data);
	case PTRACE_CONT:
	case PTRACE_SYSCALL:
	case PTRACE_SINGLESTEP:
		return resume(pp, x, req, data);
	}
	return unsupported(pp, tracer, req);
}

static struct pemu_tracee *tracee_of(struct cabin_process *pp,
				      pid_t tracer_tgid, pid_t ns)
{
	struct cabin_ptrace_emul *e = pp->pemu;
	size_t i;

	for (i = 0; e && i < e->nt; i++) {
		if (e->t[i].ns == ns && e->t[i].tracer &&
		    e->t[i].tracer_tgid == tracer_tgid && !e->t[i].gone)
			return &e->t[i];
	}
	return NULL;
}

static long request(struct cabin_process *pp, pid_t tracer,
		    const uint64_t args[6])
{
	long req = (long)args[0];
	pid_t ns = (pid_t)args[1], host;
	struct pemu_tracee *x;

	switch (req) {
	case PTRACE_TRACEME:
		return traceme(pp, tracer);
	case PTRACE_ATTACH:
	case PTRACE_SEIZE:
		return attach(pp, tracer, ns, req == PTRACE_SEIZE, args[3]);
	}
	/* Only the tracer's own process reaches its tracees. */
	x = tracee_of(pp, cabin_procfs_tgid(tracer), ns);
	if (!x)
		return -ESRCH;
	host = x->tid;
	switch (req) {
	case PTRACE_KILL:
		cabin_pemu_signal(pp, cabin_procfs_tgid(host), host, SIGKILL);
		return 0;
	case PTRACE_INTERRUPT:
		if (!x->seized)
			return -EIO;
		if (x->held)
			return 0;
		x->pending = ((SIGTRAP | (PTRACE_EVENT_STOP << 8)) << 8) | 0x7f;
		return ptrace(PTRACE_INTERRUPT, host, 0, 0) < 0 ? -errno : 0;
	case PTRACE_SETOPTIONS:
		if (args[3] & ~(uint64_t)KNOWN_OPTIONS)
			return -EINVAL;
		x->options = args[3];
		return 0;
	case PTRACE_GETEVENTMSG:
		return put(pp, tracer, args[3], &x->msg, sizeof(x->msg));
	case PTRACE_DETACH:
		return resume(pp, x, req, args[3]);
	}
	if (!x->held)
		return -ESRCH;
	return on_held(pp, tracer, x, req, args[2], args[3]);
}

/*
 * At a syscall's seccomp stop the proxy let run: ptrace and wait4 are
 * answered here, never run (a real ptrace could reach what cabin does
 * not trace); a clone loses CLONE_UNTRACED (its child stays cabin's, as
 * every task; the kernel checks the filter again on the new value).
 */
static void syscall_entry(struct cabin_process *pp, pid_t tid,
			  const struct cabin_task *task)
{
	const uint64_t *a = task->cur_args;

	switch (task->cur_nr) {
	case SYS_ptrace:
		cabin_pemu_skip(pp, tid, request(pp, tid, a));
		return;
	case SYS_wait4:
		cabin_pemu_wait_entry(pp, tid, a);
		return;
	case SYS_clone:
		if (!(a[0] & CLONE_UNTRACED))
			return;
		if (ptrace(PTRACE_POKEUSER, tid,
			   (void *)offsetof(struct user, regs.rdi),
			   (void *)(uintptr_t)(a[0] & ~(uint64_t)CLONE_UNTRACED)) < 0)
			cabin_ptrace_ops_resume_failed(pp, tid, -errno);
		return;
	}
}

bool cabin_ptrace_emul_resume(struct cabin_process *pp, pid_t tid,
			      struct cabin_resume *how)
{
	struct cabin_task *task = cabin_tasks_find(&pp->proxy->tasks, tid);

	if (!pp->ptrace_emul)
		return false;
	if (task && pp->stop_kind == CABIN_EV_SYSCALL_ENTRY &&
	    how->how == CABIN_RESUME_TO_EXIT && task->cur_nr >= 0) {
		syscall_entry(pp, tid, task);
		return false;
	}
	return cabin_pemu_hold_stop(pp, tid, how);
}
