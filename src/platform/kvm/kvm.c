/*
 * The monitor's run loop: enter the guest, take each VM exit, and turn it
 * into the proxy kernel core's events (syscall entry and exit, fault,
 * exec, exit).  What the router decides is done here: the syscall is
 * answered, performed by the monitor, or forwarded to the host kernel.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/kvm.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <time.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cabin/cabin.h"
#include "core/names.h"
#include "core/router.h"
#include "core/xom.h"
#include "platform/kvm/abi.h"
#include "platform/kvm/exec.h"
#include "platform/kvm/host/options.h"
#include "platform/kvm/kvm.h"
#include "platform/kvm/monitor_fault.h"
#include "platform/kvm/verdict.h"

#define MEM_DEFAULT	(2ull << 30)
#define MEM_MIN		(64ull << 20)
#define MEM_SLACK	(256ull << 20)	/* the monitor's own, under RLIMIT_AS */
#define CLOCK_REFRESH_NS	10000000ll
/* How long the other processes get to hand in their records at the end. */
#define FAMILY_END_MS		2000

/* The vCPU this host thread runs, and the process whose others to kick. */
static __thread struct kvm_run *volatile signal_run;
static struct cabin_kvm *volatile signal_k;
static volatile sig_atomic_t host_flag[65];
static siginfo_t host_info[65];
static volatile sig_atomic_t timeout_flag;
static volatile sig_atomic_t kill_flag;		/* SIGKILL, carried */

/* Host signals are the program's: recorded, and the guest is kicked out. */
static void on_host_signal(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (sig <= 0 || sig > 64 || sig == CABIN_KVM_SIG_KICK)
		return;	/* the kick only interrupts a call */
	if (sig == CABIN_KVM_SIG_CARRY) {
		sig = si->si_value.sival_int;
		if (sig <= 0 || sig > 64)
			return;
		if (sig == SIGKILL)
			kill_flag = 1;
		else if (sig != SIGSTOP) {
			host_info[sig] = *si;
			host_info[sig].si_signo = sig;
			host_info[sig].si_code = SI_USER;
			host_flag[sig] = 1;
		}
	} else if (sig == CABIN_KVM_SIG_TIMEOUT) {
		timeout_flag = 1;
	} else {
		host_info[sig] = *si;
		host_flag[sig] = 1;
	}
	if (signal_run)
		signal_run->immediate_exit = 1;
	if (signal_k)
		cabin_kvm_kick_others(signal_k);
}

bool cabin_kvm_host_signal_pending(void)
{
	int sig;

	for (sig = 1; sig <= 64; sig++)
		if (host_flag[sig])
			return true;
	return false;
}

bool cabin_kvm_timed_out(void)
{
	return timeout_flag || kill_flag;
}

static void catch_host_signals(void)
{
	struct sigaction sa;
	sigset_t none;
	int sig;

	cabin_kvm_fault_install();
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_host_signal;
	sa.sa_flags = SA_SIGINFO;	/* no SA_RESTART: blocking calls return */
	sigfillset(&sa.sa_mask);
	for (sig = 1; sig <= SIGRTMAX; sig++) {
		switch (sig) {
		case SIGKILL: case SIGSTOP: case SIGSEGV: case SIGBUS:
		case SIGILL: case SIGFPE: case SIGTRAP: case SIGSYS:
			continue;
		case SIGPIPE:
			/* EPIPE is turned into the program's SIGPIPE. */
			signal(SIGPIPE, SIG_IGN);
			continue;
		}
		sigaction(sig, &sa, NULL);
	}
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

bool cabin_kvm_take_host_signals(struct cabin_kvm *k)
{
	bool any = false;
	int sig;

	for (sig = 1; sig <= 64; sig++) {
		if (!host_flag[sig])
			continue;
		host_flag[sig] = 0;
		cabin_kvm_signal_process(k, &host_info[sig]);
		any = true;
	}
	return cabin_kvm_claim_signals(k) || any;
}

void cabin_kvm_forked_signals(struct cabin_kvm *k)
{
	int sig;

	for (sig = 1; sig <= 64; sig++)
		host_flag[sig] = 0;
	k->proc_pending = 0;
	cabin_ksig_forked(&k->cur->sig);
	signal_run = k->cur->run;
}

static void say(struct cabin_kvm *k, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static struct cabin_kvm_shared *shared_page(struct cabin_kvm *k);

static void say(struct cabin_kvm *k, const char *fmt, ...)
{
	va_list ap;

	fputs("cabin: ", k->opt->log);
	va_start(ap, fmt);
	vfprintf(k->opt->log, fmt, ap);
	va_end(ap);
	fputc('\n', k->opt->log);
	fflush(k->opt->log);
}

static int handle(struct cabin_kvm *k, struct cabin_event *ev)
{
	ev->tid = k->cur->tid;
	memset(&k->cur->resume, 0, sizeof(k->cur->resume));
	return cabin_proxy_handle(k->proxy, ev);
}

/* The core hears that thread tid is gone (its EXIT), with status. */
static void thread_exit_event(struct cabin_kvm *k, pid_t tid, int status)
{
	struct cabin_event ev = { .kind = CABIN_EV_EXIT, .status = status };

	ev.tid = tid;
	memset(&k->cur->resume, 0, sizeof(k->cur->resume));
	cabin_proxy_handle(k->proxy, &ev);
}

void cabin_kvm_end_other_threads(struct cabin_kvm *k, int status)
{
	unsigned int i;

	for (i = 0; i < CABIN_KVM_MAX_CPUS; i++) {
		struct cabin_kvm_thread *t = k->threads[i];

		if (t && t != k->cur && !t->exited && t->tid != k->pid)
			thread_exit_event(k, t->tid, status);
	}
	cabin_kvm_threads_end(k);
}

/* cur is leaving: the core hears it once, registers still readable. */
static void exiting(struct cabin_kvm *k, int status, long nr, uint64_t ip)
{
	struct cabin_event ev = { .kind = CABIN_EV_EXITING };

	ev.exiting.status = status;
	ev.exiting.nr = nr;
	ev.exiting.arch = AUDIT_ARCH_X86_64;
	ev.exiting.ip = ip;
	handle(k, &ev);
}

/*
 * The program is gone with a wait(2) status; the core hears it once:
 * the other threads' ends, the calling thread's, and last the leader's,
 * whose status is the process's.
 */
static void finish(struct cabin_kvm *k, int status, long nr, uint64_t ip)
{
	if (k->done)
		return;
	k->done = true;
	cabin_kvm_end_other_threads(k, status);
	exiting(k, status, nr, ip);
	if (k->cur->tid != k->pid)
		thread_exit_event(k, k->cur->tid, status);
	thread_exit_event(k, k->pid, status);
	k->cur->exited = true;
}

/* exit from one thread of several: the process goes on. */
static void thread_exit(struct cabin_kvm *k, int status, long nr, uint64_t ip)
{
	/* The leader's end is the process's: the core hears it then. */
	if (k->cur->tid != k->pid) {
		exiting(k, status, nr, ip);
		thread_exit_event(k, k->cur->tid, status);
	}
	cabin_kvm_thread_gone(k);
}

/* The calling thread has nothing more to run: it or the process is gone. */
static bool gone(const struct cabin_kvm *k)
{
	return k->done || k->cur->exited;
}

static void die_by(struct cabin_kvm *k, int sig, bool core)
{
	finish(k, sig | (core ? 0x80 : 0), -1, k->cur->frame ? k->cur->frame->rip : 0);
}

static void note_signal(struct cabin_kvm *k, int sig)
{
	struct cabin_event ev = { .kind = CABIN_EV_SIGNAL, .sig = sig };

	handle(k, &ev);
}

/* Deliver what is pending into frame; restart_nr >= 0 after a syscall. */
static void deliver(struct cabin_kvm *k, struct cabin_kvm_frame *f,
		    long restart_nr)
{
	uint8_t fx[512];
	bool have_fx;

	have_fx = cabin_kvm_fxsave(k, fx) == 0;
	while (!gone(k) && cabin_ksig_deliverable(&k->cur->sig)) {
		int sig = 0;
		bool core = false;
		enum cabin_ksig_outcome o;

		o = cabin_ksig_deliver(&k->cur->sig, &k->vm.mem, f,
				       have_fx ? fx : NULL, restart_nr, &sig,
				       &core);
		switch (o) {
		case CABIN_KSIG_HANDLER:
			note_signal(k, sig);
			cabin_kvm_fpu_push(k, f->rsp);
			return;
		case CABIN_KSIG_TERMINATE:
			note_signal(k, sig);
			die_by(k, sig, core);
			return;
		case CABIN_KSIG_STOP:
			/* No job control in the guest: a stop is let go. */
			continue;
		case CABIN_KSIG_IGNORED:
		case CABIN_KSIG_NONE:
			return;
		}
	}
}

static long perform(struct cabin_kvm *k, long nr, const uint64_t a[6])
{
	char name[32];
	long ret;

	if (cabin_kvm_sys_handles(nr)) {
		k->stats.syscalls_monitor++;
		return cabin_kvm_sys(k, nr, a);
	}
	if (cabin_kvm_fwd_handles(nr)) {
		k->stats.syscalls_forwarded++;
		ret = cabin_kvm_forward(&k->fwd, nr, a);
		if (nr == SYS_open || nr == SYS_openat || nr == SYS_openat2 ||
		    nr == SYS_creat)
			ret = cabin_kvm_check_new_fd(k, ret);
		if (ret == -EPIPE && nr != SYS_sendto && nr != SYS_sendmsg) {
			siginfo_t si = { .si_signo = SIGPIPE, .si_code = SI_USER };

			si.si_pid = k->pid;
			cabin_ksig_queue(&k->cur->sig, &si);
		}
		return ret;
	}
	if (!cabin_denial_reported(k->proxy, nr, k->comm))
		say(k, "pid %d (%s): %s is not available on the kvm platform (ENOSYS)",
		    (int)k->pid, k->comm,
		    cabin_syscall_name(nr, name, sizeof(name)));
	return -ENOSYS;
}

static bool is_exit(long nr)
{
	return nr == SYS_exit || nr == SYS_exit_group;
}

/* Run the syscall the router let through; false when nothing returns. */
static bool run_syscall(struct cabin_kvm *k, struct cabin_kvm_frame *f,
			long nr, const uint64_t a[6])
{
	long ret;

	if (is_exit(nr)) {
		if (nr == SYS_exit && cabin_kvm_live_threads(k) > 1)
			thread_exit(k, (int)((a[0] & 0xff) << 8), nr, f->rip);
		else
			finish(k, (int)((a[0] & 0xff) << 8), nr, f->rip);
		return false;
	}
	if (nr == SYS_rt_sigreturn) {
		uint64_t frame = f->rsp - 8;

		if (cabin_ksig_sigreturn(&k->cur->sig, &k->vm.mem, f) < 0) {
			siginfo_t si = { .si_signo = SIGSEGV, .si_code = SI_KERNEL };

			cabin_ksig_force(&k->cur->sig, &si);
		} else {
			cabin_kvm_fpu_pop(k, frame);
		}
		return false;
	}
	if (nr == SYS_execve || nr == SYS_execveat) {
		ret = cabin_kvm_sys_execve(k, nr, a);
		if (ret == 0)
			return false;	/* the frame is the new program's */
		f->rax = (uint64_t)ret;
		return true;
	}
	ret = perform(k, nr, a);
	f->rax = (uint64_t)ret;
	return true;
}

/*
 * --kvm-test-fault: on the first syscall, point the kernel at a user page
 * (the stack to read, a page holding `ret` to call) as a bug would; it
 * tries at its next entry from the program, whatever the entry.
 */
static void arm_test_fault(struct cabin_kvm *k, const struct cabin_kvm_frame *f)
{
	struct cabin_kvm_percpu *pc =
		(struct cabin_kvm_percpu *)(k->vm.mem.host + CABIN_KVM_PERCPU);
	long page;

	k->test_armed = true;
	pc->test_addr = f->rsp & ~7ull;
	if (k->opt->test_fault == CABIN_KVM_FAULT_EXEC_USER) {
		page = cabin_kvm_mm_mmap(&k->mm, 0, CABIN_KVM_PAGE,
					 PROT_READ | PROT_EXEC,
					 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (page < 0)
			return;
		k->vm.mem.host[page] = 0xc3;	/* ret */
		pc->test_addr = (uint64_t)page;
	}
	pc->test_fault = k->opt->test_fault == CABIN_KVM_FAULT_READ_USER ?
			 CABIN_KVM_TEST_READ :
			 k->opt->test_fault == CABIN_KVM_FAULT_EXEC_USER ?
			 CABIN_KVM_TEST_EXEC : CABIN_KVM_TEST_UD;
	say(k, "testing: the proxy kernel will %s 0x%llx at CPL0 (SMEP %s, SMAP %s)",
	    pc->test_fault == CABIN_KVM_TEST_READ ? "read" :
	    pc->test_fault == CABIN_KVM_TEST_EXEC ? "call" : "execute ud2 near",
	    (unsigned long long)pc->test_addr, k->vm.smep ? "on" : "off",
	    k->vm.smap ? "on" : "off");
}

static void on_syscall(struct cabin_kvm *k, struct cabin_kvm_frame *f)
{
	struct cabin_event ev = { .kind = CABIN_EV_SYSCALL_ENTRY };
	long nr = (long)f->rax;
	uint64_t a[6] = { f->rdi, f->rsi, f->rdx, f->r10, f->r8, f->r9 };
	bool returns = true;	/* rax holds this syscall's result */

	k->stats.syscall_exits++;
	if (k->opt->test_fault && !k->test_armed)
		arm_test_fault(k, f);
	/*
	 * A signal that came while the program ran (or while the ring's
	 * worker was interrupted) is delivered first; the call is restarted
	 * after it as Linux would, instead of blocking with it pending.
	 */
	cabin_kvm_take_host_signals(k);
	if (cabin_ksig_deliverable(&k->cur->sig)) {
		f->rax = (uint64_t)-EINTR;
		deliver(k, f, nr);
		return;
	}
	ev.sys.nr = nr;
	memcpy(ev.sys.args, a, sizeof(a));
	ev.sys.ip = f->rip;
	ev.sys.arch = AUDIT_ARCH_X86_64;
	ev.sys.rule = CABIN_RULE_UNKNOWN;
	handle(k, &ev);
	if (k->cur->killed) {
		die_by(k, k->cur->kill_sig, false);
		return;
	}
	/* The proxy may have rewritten the arguments (XOM's mmap prot). */
	a[0] = f->rdi, a[1] = f->rsi, a[2] = f->rdx;
	a[3] = f->r10, a[4] = f->r8, a[5] = f->r9;
	switch (k->cur->resume.how) {
	case CABIN_RESUME_SKIP:
		f->rax = (uint64_t)k->cur->resume.retval;
		break;
	case CABIN_RESUME_TO_EXIT:
		returns = run_syscall(k, f, nr, a);
		if (gone(k))
			return;
		memset(&ev, 0, sizeof(ev));
		ev.kind = CABIN_EV_SYSCALL_EXIT;
		ev.ret = returns ? (long)f->rax : 0;
		handle(k, &ev);
		if (k->cur->killed) {
			die_by(k, k->cur->kill_sig, false);
			return;
		}
		break;
	default:
		returns = run_syscall(k, f, nr, a);
		break;
	}
	if (gone(k))
		return;
	cabin_kvm_take_host_signals(k);
	/* After rt_sigreturn or execve, rax is the program's, not a result. */
	if (!returns) {
		deliver(k, f, -1);
		return;
	}
	/* Linux would not have stopped the call for a signal no one sees. */
	if ((long)f->rax == -EINTR && !cabin_ksig_deliverable(&k->cur->sig) &&
	    nr != SYS_rt_sigsuspend && nr != SYS_pause) {
		f->rax = (uint64_t)nr;
		f->rip -= 2;
		return;
	}
	deliver(k, f, nr == SYS_rt_sigsuspend || nr == SYS_pause ? -1 : nr);
}

static uint64_t read_cr2(struct cabin_kvm *k)
{
	struct kvm_sregs s;

	return ioctl(k->cur->vcpu, KVM_GET_SREGS, &s) < 0 ? 0 : s.cr2;
}

/* The signal Linux sends for a CPU exception in user mode. */
static void exception_info(struct cabin_kvm *k, const struct cabin_kvm_frame *f,
			   siginfo_t *si)
{
	memset(si, 0, sizeof(*si));
	si->si_signo = SIGSEGV;
	si->si_code = SI_KERNEL;
	switch (f->vector) {
	case 0:
		si->si_signo = SIGFPE;
		si->si_code = FPE_INTDIV;
		si->si_addr = (void *)f->rip;
		break;
	case 1:
		si->si_signo = SIGTRAP;
		si->si_code = TRAP_TRACE;
		si->si_addr = (void *)f->rip;
		break;
	case 3:
		si->si_signo = SIGTRAP;
		si->si_code = SI_KERNEL;
		break;
	case 6:
		si->si_signo = SIGILL;
		si->si_code = ILL_ILLOPN;
		si->si_addr = (void *)f->rip;
		break;
	case 16:
	case 19:
		si->si_signo = SIGFPE;
		si->si_code = 0;
		si->si_addr = (void *)f->rip;
		break;
	case 17:
		si->si_signo = SIGBUS;
		si->si_code = BUS_ADRALN;
		break;
	case 14:
		si->si_addr = (void *)read_cr2(k);
		if (f->error & 0x20) {	/* PK: a protection key refused it */
			si->si_code = SEGV_PKUERR;
			si->si_pkey = (uint32_t)CABIN_KVM_XOM_PKEY;
			break;
		}
		/* A shared file cut short under the page: SIGBUS, as Linux. */
		if (!(f->error & 1) &&
		    cabin_kvm_cut_short_page(k, (uint64_t)si->si_addr)) {
			si->si_signo = SIGBUS;
			si->si_code = BUS_ADRERR;
			break;
		}
		/* The program's mappings decide, not the proxy kernel's pages. */
		si->si_code = cabin_gmem_find(&k->vm.mem, (uint64_t)si->si_addr) ?
			      SEGV_ACCERR : SEGV_MAPERR;
		break;
	}
}

static void on_exception(struct cabin_kvm *k, struct cabin_kvm_frame *f)
{
	struct cabin_event ev = { .kind = CABIN_EV_FAULT };
	siginfo_t si;

	k->stats.exception_exits++;
	/* A page that was cut short and is back: a minor fault, no signal. */
	if (f->vector == 14 &&
	    cabin_kvm_cut_short_back(k, read_cr2(k), (unsigned int)f->error))
		return;
	exception_info(k, f, &si);
	ev.fault.sig = si.si_signo;
	ev.fault.code = si.si_code;
	ev.fault.addr = (uint64_t)si.si_addr;
	ev.fault.ip = f->rip;
	ev.fault.pkey = si.si_code == SEGV_PKUERR ? (int)si.si_pkey : 0;
	handle(k, &ev);
	if (k->cur->killed) {
		die_by(k, k->cur->kill_sig, false);
		return;
	}
	/* A single step's #DB leaves TF set: Linux clears it for SIGTRAP. */
	if (f->vector == 1)
		f->rflags &= ~0x100ull;
	if (k->cur->resume.sig)
		cabin_ksig_force(&k->cur->sig, &si);
	cabin_kvm_take_host_signals(k);
	deliver(k, f, -1);
}

static struct cabin_kvm_frame *trap_frame(struct cabin_kvm *k)
{
	return cabin_kvm_vm_trap_frame(&k->vm, k->cur->cpu, k->cur->run);
}

/* A proxy-kernel bug or a VM that cannot go on: say what, end with 125. */
static int vm_failure(struct cabin_kvm *k, const char *what)
{
	struct kvm_regs r;
	struct kvm_sregs s;

	memset(&r, 0, sizeof(r));
	memset(&s, 0, sizeof(s));
	ioctl(k->cur->vcpu, KVM_GET_REGS, &r);
	ioctl(k->cur->vcpu, KVM_GET_SREGS, &s);
	say(k, "the kvm proxy kernel stopped: %s (rip 0x%llx, cr2 0x%llx); the program is ended",
	    what, (unsigned long long)r.rip, (unsigned long long)s.cr2);
	return CABIN_EXIT_INTERNAL;
}

static int on_panic(struct cabin_kvm *k)
{
	struct cabin_kvm_frame *f = trap_frame(k);
	char what[160];

	if (!f)
		return vm_failure(k, "a fault at CPL0 with an unreadable frame");
	snprintf(what, sizeof(what),
		 "%s (vector %llu, error 0x%llx) at CPL0, rip 0x%llx",
		 cabin_kvm_vector_name(f->vector), (unsigned long long)f->vector,
		 (unsigned long long)f->error, (unsigned long long)f->rip);
	return vm_failure(k, what);
}

/*
 * A trap from CPL3 at an address of the proxy kernel's image: the
 * program's code never lies there (user memory starts at
 * CABIN_KVM_USER_MIN), so this is the host's doing, never a fault to
 * blame on the program: a syscall left at CPL3 (PVM) faults fetching the
 * entry.  A program that jumps there itself only ends its own run.
 */
static bool in_proxy_kernel(const struct cabin_kvm_frame *f)
{
	return f->vector != CABIN_KVM_VEC_SYSCALL &&
	       f->rip >= CABIN_KVM_KERNEL && f->rip < CABIN_KVM_KERNEL_END;
}

static int on_kernel_fault_cpl3(struct cabin_kvm *k,
				const struct cabin_kvm_frame *f)
{
	char what[256];

	snprintf(what, sizeof(what),
		 "%s (vector %llu, error 0x%llx) at CPL3 %s 0x%llx%s",
		 cabin_kvm_vector_name(f->vector),
		 (unsigned long long)f->vector, (unsigned long long)f->error,
		 f->rip == k->vm.lstar ? "at its syscall entry" :
					 "in its code, rip",
		 (unsigned long long)f->rip,
		 f->rip == k->vm.lstar ?
		 ": this host's KVM left a syscall at CPL3 (as PVM does; see 'cabin info')" :
		 "");
	return vm_failure(k, what);
}

/* Between two instructions of the program: deliver through the vCPU. */
static void deliver_async(struct cabin_kvm *k)
{
	struct cabin_kvm_frame f;
	struct kvm_regs r;
	struct kvm_sregs s;

	if (!cabin_ksig_deliverable(&k->cur->sig) ||
	    ioctl(k->cur->vcpu, KVM_GET_SREGS, &s) < 0)
		return;
	if (!(s.cs.selector & 3)) {
		/* In the proxy kernel: it traps once more on its way out. */
		cabin_kvm_vm_percpu(&k->vm, k->cur->cpu)->kick = 1;
		return;
	}
	if (ioctl(k->cur->vcpu, KVM_GET_REGS, &r) < 0)
		return;
	memset(&f, 0, sizeof(f));
	f.r15 = r.r15; f.r14 = r.r14; f.r13 = r.r13; f.r12 = r.r12;
	f.r11 = r.r11; f.r10 = r.r10; f.r9 = r.r9; f.r8 = r.r8;
	f.rbp = r.rbp; f.rdi = r.rdi; f.rsi = r.rsi; f.rdx = r.rdx;
	f.rcx = r.rcx; f.rbx = r.rbx; f.rax = r.rax;
	f.rip = r.rip; f.rflags = r.rflags; f.rsp = r.rsp;
	f.cs = CABIN_KVM_SEL_UCODE; f.ss = CABIN_KVM_SEL_UDATA;
	f.vector = 32;
	k->cur->frame = &f;
	deliver(k, &f, -1);
	k->cur->frame = NULL;
	if (gone(k))
		return;
	r.r15 = f.r15; r.r14 = f.r14; r.r13 = f.r13; r.r12 = f.r12;
	r.r11 = f.r11; r.r10 = f.r10; r.r9 = f.r9; r.r8 = f.r8;
	r.rbp = f.rbp; r.rdi = f.rdi; r.rsi = f.rsi; r.rdx = f.rdx;
	r.rcx = f.rcx; r.rbx = f.rbx; r.rax = f.rax;
	r.rip = f.rip; r.rflags = f.rflags; r.rsp = f.rsp;
	ioctl(k->cur->vcpu, KVM_SET_REGS, &r);
}

/*
 * The proxy kernel's pool ran dry at a page (grant its run), or it freed
 * frames (give them back to the host).  Done before the vCPU's thread
 * takes the monitor lock: the proxy kernel asks while it holds the
 * memory lock, which a monitor thread holding the monitor lock may be
 * waiting for.  False when the exit is not a well-formed refill or
 * release (the locked path then ends the VM).
 */
static bool pool_exit(struct cabin_kvm *k, struct cabin_kvm_thread *t)
{
	const struct kvm_run *run = t->run;
	uint32_t page;

	if (run->exit_reason != KVM_EXIT_IO ||
	    run->io.direction != KVM_EXIT_IO_OUT ||
	    (run->io.port != CABIN_KVM_PORT_REFILL &&
	     run->io.port != CABIN_KVM_PORT_RELEASE) ||
	    run->io.size != 4 || run->io.count != 1)
		return false;
	if (run->io.port == CABIN_KVM_PORT_RELEASE) {
		if (cabin_kvm_mm_release(&k->mm) < 0)
			return false;
		__atomic_add_fetch(&k->stats.release_exits, 1, __ATOMIC_RELAXED);
	} else {
		memcpy(&page, (const char *)run + run->io.data_offset, 4);
		if (cabin_kvm_mm_refill(&k->mm, page) < 0)
			return false;
		__atomic_add_fetch(&k->stats.refill_exits, 1, __ATOMIC_RELAXED);
	}
	__atomic_add_fetch(&k->stats.exits, 1, __ATOMIC_RELAXED);
	return true;
}

/* One VM exit; returns -1 to go on, else the status to end with. */
static int on_vm_exit(struct cabin_kvm *k)
{
	struct kvm_run *run = k->cur->run;
	struct cabin_kvm_frame *f;

	__atomic_add_fetch(&k->stats.exits, 1, __ATOMIC_RELAXED);
	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		if (run->io.direction != KVM_EXIT_IO_OUT)
			break;
		if (run->io.port == CABIN_KVM_PORT_PANIC)
			return on_panic(k);
		if (run->io.port == CABIN_KVM_PORT_DOORBELL) {
			k->stats.ring_exits++;
			cabin_kvm_ring_doorbell(k);
			return -1;
		}
		if (run->io.port == CABIN_KVM_PORT_WAIT) {
			k->stats.ring_exits++;
			cabin_kvm_ring_wait(k);
			return -1;
		}
		if (run->io.port == CABIN_KVM_PORT_REFILL)
			return vm_failure(k, "a refill outside user memory or of a malformed size");
		if (run->io.port == CABIN_KVM_PORT_RELEASE)
			return vm_failure(k, "a release of memory that is not the program's private memory");
		if (run->io.port != CABIN_KVM_PORT_TRAP &&
		    run->io.port != CABIN_KVM_PORT_SIGNAL)
			break;
		f = trap_frame(k);
		if (!f)
			return vm_failure(k, "a trap with a frame off the kernel stack");
		k->cur->frame = f;
		cabin_kvm_vm_percpu(&k->vm, k->cur->cpu)->kick = 0;
		if (run->io.port == CABIN_KVM_PORT_SIGNAL) {
			cabin_kvm_take_host_signals(k);
			deliver(k, f, -1);
		} else if (f->vector == CABIN_KVM_VEC_SYSCALL) {
			on_syscall(k, f);
		} else if (in_proxy_kernel(f)) {
			k->cur->frame = NULL;
			return on_kernel_fault_cpl3(k, f);
		} else {
			on_exception(k, f);
		}
		k->cur->frame = NULL;
		return -1;
	case KVM_EXIT_SHUTDOWN:
		return vm_failure(k, "triple fault (the proxy kernel could not handle a fault)");
	case KVM_EXIT_FAIL_ENTRY:
		return vm_failure(k, "the hardware refused to enter the guest");
	case KVM_EXIT_INTERNAL_ERROR:
		return vm_failure(k, "KVM internal error");
	case KVM_EXIT_HLT:
		return vm_failure(k, "the proxy kernel halted");
	}
	k->stats.other_exits++;
	return vm_failure(k, "an unexpected VM exit");
}

static struct cabin_kvm_shared *shared_page(struct cabin_kvm *k)
{
	return (struct cabin_kvm_shared *)(k->vm.mem.host + CABIN_KVM_SHARED);
}

static int64_t host_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

/* The clock bases, at the guest's TSC of now. */
static void share_clock(struct cabin_kvm *k)
{
	struct cabin_kvm_shared *s = shared_page(k);
	uint64_t tsc = 0;

	/* MSR 0x10: IA32_TIME_STAMP_COUNTER, as the guest reads it. */
	if (!s->tsc_mult || cabin_kvm_msr(k, 0x10, &tsc, false) < 0)
		return;
	s->mono_ns = host_ns(CLOCK_MONOTONIC);
	s->real_ns = host_ns(CLOCK_REALTIME);
	s->boot_ns = host_ns(CLOCK_BOOTTIME);
	s->tsc_base = tsc;
	k->clock_shared_ns = s->mono_ns;
}

void cabin_kvm_share_ids(struct cabin_kvm *k, pid_t parent)
{
	shared_page(k)->pid = k->pid;
	shared_page(k)->ppid = parent;
	cabin_kvm_vm_percpu(&k->vm, k->cur->cpu)->tid = (uint64_t)k->cur->tid;
}

static void share_if_allowed(struct cabin_kvm *k, int nr)
{
	if (cabin_router_always_allows(k->proxy->router, nr))
		shared_page(k)->local[nr / 8] |= (uint8_t)(1u << (nr % 8));
}

/*
 * What the proxy kernel may answer itself: only syscalls the policy lets
 * pass unobserved whatever their arguments, as the process platform's
 * filter lets them pass without a stop.
 */
static void share_setup(struct cabin_kvm *k)
{
	static const int local[] = {
		SYS_getpid, SYS_gettid, SYS_getppid, SYS_clock_gettime,
		SYS_gettimeofday, SYS_time, SYS_getcpu, SYS_uname,
	};
	/* Not under W^X or XOM, whose rules only the monitor applies. */
	static const int memory[] = {
		SYS_mmap, SYS_munmap, SYS_mprotect, SYS_madvise, SYS_brk,
		SYS_mremap,
	};
	struct cabin_kvm_shared *s = shared_page(k);
	struct utsname u;
	size_t i;
	int khz;

	memset(s, 0, sizeof(*s));
	s->user_top = k->vm.user_top;
	cabin_kvm_share_ids(k, getppid());
	if (uname(&u) == 0) {
		memcpy(s->uts[0], u.sysname, 65);
		memcpy(s->uts[1], u.nodename, 65);
		memcpy(s->uts[2], u.release, 65);
		memcpy(s->uts[3], u.version, 65);
		memcpy(s->uts[4], u.machine, 65);
		memcpy(s->uts[5], u.domainname, 65);
	}
	for (i = 0; !k->mm.wx && !k->mm.xom &&
		    i < sizeof(memory) / sizeof(*memory); i++)
		share_if_allowed(k, memory[i]);
	khz = ioctl(k->cur->vcpu, KVM_GET_TSC_KHZ, 0);
	if (khz <= 0)
		return;	/* no clock here: the guest forwards all of it */
	s->tsc_mult = (uint64_t)((((unsigned __int128)1000000) << 32) /
				 (unsigned)khz);
	share_clock(k);
	/* The kernel's accessor opens with stac: only where SMAP exists. */
	for (i = 0; k->vm.smap && i < sizeof(local) / sizeof(*local); i++)
		share_if_allowed(k, local[i]);
}

static int start_program(struct cabin_kvm *k)
{
	const struct cabin_kvm_options *o = k->opt;
	struct cabin_kvm_start st;
	struct kvm_regs r;
	char why[512];
	int err;

	err = cabin_kvm_exec(&k->mm, o->path, o->exe_fd, o->argv, o->envp, &st,
			     why, sizeof(why));
	if (err < 0) {
		say(k, "cannot run %s on the kvm platform: %s", o->path, why);
		if (err == -ENOENT)
			return CABIN_EXIT_NOTFOUND;
		return err == -EACCES ? CABIN_EXIT_NOEXEC : CABIN_EXIT_INTERNAL;
	}
	snprintf(k->exe, sizeof(k->exe), "%s", st.exe);
	cabin_kvm_set_comm(k, st.exe);
	memset(&r, 0, sizeof(r));
	r.rip = st.entry;
	r.rsp = st.sp;
	r.rflags = 0x202;
	if (ioctl(k->cur->vcpu, KVM_SET_REGS, &r) < 0) {
		say(k, "KVM_SET_REGS: %s", strerror(errno));
		return CABIN_EXIT_INTERNAL;
	}
	return 0;
}

/* The program's PKRU: the execute-only key may be run, never read. */
static int set_pkru(struct cabin_kvm *k)
{
	struct kvm_xsave x;
	size_t off = k->proxy->xom ? k->proxy->xom->pkru_offset : 0;
	uint32_t pkru = CABIN_KVM_XOM_PKRU;
	uint64_t bv;

	if (!off || off + 4 > sizeof(x.region) ||
	    ioctl(k->cur->vcpu, KVM_GET_XSAVE, &x) < 0)
		return -EIO;
	memcpy((char *)x.region + off, &pkru, sizeof(pkru));
	/* XSTATE_BV: the PKRU component holds a value. */
	memcpy(&bv, (char *)x.region + 512, sizeof(bv));
	bv |= 1ull << 9;
	memcpy((char *)x.region + 512, &bv, sizeof(bv));
	return ioctl(k->cur->vcpu, KVM_SET_XSAVE, &x) < 0 ? -errno : 0;
}

/* Guest memory: 2 GiB, or what RLIMIT_AS leaves beside the monitor. */
static uint64_t guest_size(void)
{
	struct rlimit rl;
	uint64_t size = MEM_DEFAULT;

	if (getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur < size + MEM_SLACK)
		size = rl.rlim_cur > MEM_SLACK + MEM_MIN ?
		       (rl.rlim_cur - MEM_SLACK) & ~(CABIN_GMEM_ALIGN - 1) : 0;
	return size;
}

int cabin_kvm_adopt_vm(struct cabin_kvm *k)
{
	/* KVM gave the VM and the vCPU the lowest free numbers: move them. */
	k->vm.vm = cabin_kvm_move_fd(k->vm.vm, k->opt->fd_floor);
	k->vm.vcpu = cabin_kvm_move_fd(k->vm.vcpu, k->opt->fd_floor);
	k->cur->vcpu = k->vm.vcpu;
	k->cur->run = k->vm.run;
	return k->vm.vm < 0 || k->vm.vcpu < 0 ? -EMFILE : 0;
}

static bool fwd_blocking(void *ctx, bool begin)
{
	if (begin)
		return cabin_kvm_block_begin(ctx);
	cabin_kvm_block_end(ctx);
	return true;
}

static int setup(struct cabin_kvm *k)
{
	uint64_t size = guest_size();
	char why[256];
	int err;

	if (!size) {
		say(k, "the memory limit leaves no room for a kvm guest (at least %llu MiB)",
		    (unsigned long long)((MEM_MIN + MEM_SLACK) >> 20));
		return CABIN_EXIT_INTERNAL;
	}
	k->vm.no_smep = k->opt->no_smep;
	k->vm.no_smap = k->opt->no_smap;
	k->vm.want_pke = k->opt->xom;
	err = cabin_kvm_vm_open(&k->vm, k->opt->kvm_fd, size, why, sizeof(why));
	if (err < 0) {
		say(k, "cannot start the kvm platform: %s", why);
		return CABIN_EXIT_INTERNAL;
	}
	if (cabin_kvm_adopt_vm(k) < 0) {
		say(k, "cannot move the VM's descriptors out of the program's reach");
		return CABIN_EXIT_INTERNAL;
	}
	if (k->opt->xom && (!k->vm.pke || set_pkru(k) < 0)) {
		say(k, "execute-only memory (xom) needs protection keys in the kvm guest, and KVM offers none here");
		return CABIN_EXIT_INTERNAL;
	}
	cabin_kvm_mm_init(&k->mm, &k->vm);
	k->mm.wx = k->proxy->wx;
	k->mm.xom = k->opt->xom;
	k->vm.ms->batch = k->opt->batch ? k->opt->batch : 1;
	k->fwd.mem = &k->vm.mem;
	k->fwd.fd_floor = k->opt->fd_floor;
	k->fwd.blocking = fwd_blocking;
	k->fwd.ctx = k;
	k->fwd.exe = k->exe;
	return 0;
}

static void print_stats(struct cabin_kvm *k)
{
	const struct cabin_kvm_stats *s = &k->stats;

	say(k, "kvm exits: %lu total: %lu syscall, %lu exception, %lu host-signal, %lu ring, %lu refill, %lu release, %lu other",
	    s->exits, s->syscall_exits, s->exception_exits, s->interrupted,
	    s->ring_exits, s->refill_exits, s->release_exits, s->other_exits);
	say(k, "kvm syscalls answered in the guest without an exit: %llu",
	    (unsigned long long)shared_page(k)->local_calls);
	if (k->opt->ring)
		say(k, "kvm ring: %lu answered by the worker without an exit, %lu sent to the exit path, %lu doorbell and %lu wait exits",
		    k->ringer.answered, k->ringer.fallbacks, k->ringer.doorbells,
		    k->ringer.waits);
	say(k, "kvm memory: %llu page faults resolved in the guest, %lu refills of %llu pages, %llu mm syscalls answered in the guest, %llu pages given back to the host",
	    (unsigned long long)k->vm.ms->faults, s->refill_exits,
	    (unsigned long long)k->vm.ms->batch,
	    (unsigned long long)k->vm.ms->calls,
	    (unsigned long long)k->vm.ms->released);
	say(k, "kvm syscalls: %lu forwarded to the host kernel, %lu answered by the monitor",
	    s->syscalls_forwarded, s->syscalls_monitor);
	say(k, "kvm guest: CR4.SMEP %s, CR4.SMAP %s", k->vm.smep ? "on" : "off",
	    k->vm.smap ? "on" : "off");
}

/* One thread's loop, the monitor lock held but while the vCPU runs. */
static int run_loop(struct cabin_kvm_thread *t)
{
	struct cabin_kvm *k = t->k;
	int code, r;

	while (!gone(k)) {
		if (timeout_flag || kill_flag) {
			k->proxy->timed_out = timeout_flag && !k->parent;
			finish(k, SIGKILL, -1, 0);
			break;
		}
		if (cabin_kvm_take_host_signals(k))
			deliver_async(k);
		/* Keep the guest's clock close to the host's. */
		if (host_ns(CLOCK_MONOTONIC) - k->clock_shared_ns > CLOCK_REFRESH_NS)
			share_clock(k);
		if (gone(k))
			break;
		__atomic_store_n(&t->in_guest, 1, __ATOMIC_SEQ_CST);
		cabin_kvm_leave(t);
		do
			r = ioctl(t->vcpu, KVM_RUN, 0);
		while (r == 0 && pool_exit(k, t));
		__atomic_store_n(&t->in_guest, 0, __ATOMIC_SEQ_CST);
		cabin_kvm_enter(t);
		/* Another thread ended this one, or all, meanwhile: drop the exit. */
		if (gone(k))
			break;
		if (r < 0) {
			t->run->immediate_exit = 0;
			if (errno == EINTR || errno == EAGAIN) {
				k->stats.interrupted++;
				cabin_kvm_ring_interrupt(k);
				continue;
			}
			/* Pages of a shared file cut short: the retry faults. */
			if (errno == EFAULT && cabin_kvm_unmap_cut_short(k))
				continue;
			say(k, "KVM_RUN: %s", strerror(errno));
			return CABIN_EXIT_INTERNAL;
		}
		code = on_vm_exit(k);
		if (code >= 0)
			return code;
	}
	return -1;
}

void cabin_kvm_thread_run(struct cabin_kvm_thread *t)
{
	struct cabin_kvm *k = t->k;
	struct cabin_kvm_catch last;
	int code;

	signal_run = t->run;
	cabin_kvm_enter(t);
	/* Accesses with no catcher of their own: the program ends. */
	cabin_kvm_catch_push(&last);
	code = sigsetjmp(last.env, 1);
	if (code) {
		k->cur = t;
		t->frame = NULL;
		say(k, "pid %d (%s): the monitor met %s on the program's memory (a shared file cut short under its mapping); the program is ended",
		    (int)k->pid, k->comm, code == SIGBUS ? "SIGBUS" : "SIGSEGV");
		finish(k, code, -1, 0);
		code = -1;
	} else {
		code = run_loop(t);
		cabin_kvm_catch_pop(&last);
	}
	signal_run = NULL;
	/* The VM cannot go on: the program ends as if killed. */
	if (code >= 0) {
		k->failed = code;
		finish(k, SIGKILL, -1, 0);
	}
	cabin_kvm_leave(t);
}

int cabin_kvm_process_end(struct cabin_kvm *k)
{
	cabin_kvm_threads_wait(k);
	cabin_kvm_ring_stop(k);
	if (k->opt->stats && !k->parent)
		print_stats(k);
	if (k->parent && k->opt->forked_end)
		k->opt->forked_end(k->opt->hook_ctx, k);
	if (k->failed >= 0)
		return k->failed;
	return cabin_proxy_exit_code(k->proxy);
}

int cabin_kvm_run(struct cabin_kvm *k, struct cabin_proxy *proxy,
		  const struct cabin_kvm_options *o)
{
	struct cabin_event ev;
	int code, err;

	k->proxy = proxy;
	k->opt = o;
	k->pid = getpid();
	k->failed = -1;
	/* First of all: a time limit reached during set-up must be heard. */
	catch_host_signals();
	err = cabin_kvm_threads_init(k);
	if (err < 0) {
		say(k, "cannot start: %s", strerror(-err));
		return CABIN_EXIT_INTERNAL;
	}
	code = setup(k);
	if (!code)
		code = start_program(k);
	if (code) {
		cabin_kvm_leave(k->cur);
		return code;
	}
	share_setup(k);
	err = cabin_kvm_family_init(&k->family, o->fd_floor);
	if (err < 0) {
		say(k, "cannot set up for the program's processes: %s",
		    strerror(-err));
		cabin_kvm_leave(k->cur);
		return CABIN_EXIT_INTERNAL;
	}
	if (o->ring && cabin_kvm_ring_start(k) < 0) {
		say(k, "cannot start the ring worker: %s", strerror(errno));
		cabin_kvm_leave(k->cur);
		return CABIN_EXIT_INTERNAL;
	}
	cabin_proxy_adopt(proxy, k->pid);
	memset(&ev, 0, sizeof(ev));
	ev.kind = CABIN_EV_EXEC;
	ev.exec.former_tid = k->pid;
	handle(k, &ev);
	cabin_kvm_fault_range(k->vm.mem.host,
			      k->vm.mem.host + k->vm.mem.size);
	signal_k = k;
	cabin_kvm_leave(k->cur);
	cabin_kvm_thread_run(k->threads[0]);
	return cabin_kvm_process_end(k);
}

void cabin_kvm_end_family(struct cabin_kvm *k,
			  void (*fn)(void *ctx, const void *buf, size_t len),
			  void *ctx)
{
	cabin_kvm_family_end(&k->family, CABIN_KVM_SIG_TIMEOUT,
			     FAMILY_END_MS, fn, ctx);
}

void cabin_kvm_free(struct cabin_kvm *k)
{
	signal_k = NULL;
	cabin_kvm_threads_free(k);
	cabin_kvm_mm_free(&k->mm);
	cabin_kvm_vm_close(&k->vm);
}
