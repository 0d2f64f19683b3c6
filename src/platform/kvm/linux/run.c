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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cabin/cabin.h"
#include "core/names.h"
#include "core/router.h"
#include "platform/kvm/shared/abi.h"
#include "platform/kvm/linux/exec.h"
#include "platform/kvm/linux/gdb.h"
#include "platform/kvm/linux/options.h"
#include "platform/kvm/linux/entry.h"
#include "platform/kvm/vmm/monitor_fault.h"

/* How long the other processes get to hand in their records at the end. */
#define FAMILY_END_MS		2000

static int handle(struct cabin_kvm *k, struct cabin_event *ev)
{
	ev->tid = k->cur->tid;
	memset(&k->cur->resume, 0, sizeof(k->cur->resume));
	return cabin_proxy_handle(k->proxy, ev);
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
	cabin_kvm_gdb_exited(k, status);
	cabin_kvm_end_other_threads(k, status);
	exiting(k, status, nr, ip);
	if (k->cur->tid != k->pid)
		cabin_kvm_thread_exit_event(k, k->cur->tid, status);
	cabin_kvm_thread_exit_event(k, k->pid, status);
	k->cur->exited = true;
}

/* exit from one thread of several: the process goes on. */
static void thread_exit(struct cabin_kvm *k, int status, long nr, uint64_t ip)
{
	/* The leader's end is the process's: the core hears it then. */
	if (k->cur->tid != k->pid) {
		exiting(k, status, nr, ip);
		cabin_kvm_thread_exit_event(k, k->cur->tid, status);
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
	/* --gdb sees each signal first (gdb.c): it passes it, or drops it. */
	k->cur->sig.shown = k->gdb ? cabin_kvm_gdb_shown : NULL;
	k->cur->sig.shown_ctx = k;
	while (!gone(k) && cabin_ksig_deliverable(&k->cur->sig)) {
		int sig = 0;
		bool core = false;
		enum cabin_ksig_outcome o;

		o = cabin_ksig_deliver(&k->cur->sig, &k->vm.mem, f,
				       have_fx ? fx : NULL, restart_nr, &sig,
				       &core);
		if (k->cur->killed) {	/* by gdb, at the signal */
			die_by(k, k->cur->kill_sig, false);
			return;
		}
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
		cabin_proxy_say(k->proxy, "pid %d (%s): %s is not available on the kvm platform (ENOSYS)",
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
		if (ret == 0) {
			cabin_kvm_gdb_exec(k);
			return false;	/* the frame is the new program's */
		}
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
	cabin_kvm_say(k, "testing: the proxy kernel will %s 0x%llx at CPL0 (SMEP %s, SMAP %s)",
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
		si->si_addr = (void *)cabin_kvm_vcpu_cr2(k->cur->vcpu);
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
	enum cabin_kvm_gdb_end end;
	bool undone;
	siginfo_t si;

	k->stats.exception_exits++;
	/* A page that was cut short and is back: a minor fault, no signal. */
	if (f->vector == 14 &&
	    cabin_kvm_cut_short_back(k, cabin_kvm_vcpu_cr2(k->cur->vcpu), (unsigned int)f->error))
		return;
	/* gdb's own traps never reach the proxy or the program. */
	end = cabin_kvm_gdb_trap(k, f, &undone);
	if (end == CABIN_KVM_GDB_KILL)
		die_by(k, SIGKILL, false);
	if (end != CABIN_KVM_GDB_NONE || undone)
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
	uint64_t rip, cr2;

	cabin_kvm_vcpu_where(k->cur->vcpu, &rip, &cr2);
	cabin_kvm_say(k, "the kvm proxy kernel stopped: %s (rip 0x%llx, cr2 0x%llx); the program is ended",
	    what, (unsigned long long)rip, (unsigned long long)cr2);
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
	int cpl;

	if (!cabin_ksig_deliverable(&k->cur->sig))
		return;
	cpl = cabin_kvm_vcpu_cpl(k->cur->vcpu);
	if (cpl < 0)
		return;
	if (cpl == 0) {
		/* In the proxy kernel: it traps once more on its way out. */
		cabin_kvm_vm_percpu(&k->vm, k->cur->cpu)->kick = 1;
		return;
	}
	if (cabin_kvm_vcpu_get_frame(k->cur->vcpu, &f) < 0)
		return;
	f.vector = 32;
	k->cur->frame = &f;
	deliver(k, &f, -1);
	k->cur->frame = NULL;
	if (gone(k))
		return;
	cabin_kvm_vcpu_set_frame(k->cur->vcpu, &f);
}

/*
 * The proxy kernel's pool ran dry at a page (grant its run), or it freed
 * frames (give them back to the host).  Done before the vCPU's thread
 * takes the monitor lock: the proxy kernel asks while it holds the
 * memory lock, which a monitor thread holding the monitor lock may be
 * waiting for.  False when the exit is not a well-formed refill or
 * release (the locked path then ends the VM).
 */
static bool pool_exit(void *ctx, const struct kvm_run *run)
{
	struct cabin_kvm *k = ctx;
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
			cabin_kvm_ring_doorbell(&k->ringer);
			return -1;
		}
		if (run->io.port == CABIN_KVM_PORT_WAIT) {
			k->stats.ring_exits++;
			cabin_kvm_ring_wait(&k->ringer);
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

static void print_stats(struct cabin_kvm *k)
{
	const struct cabin_kvm_stats *s = &k->stats;

	cabin_kvm_say(k, "kvm exits: %lu total: %lu syscall, %lu exception, %lu host-signal, %lu ring, %lu refill, %lu release, %lu other",
	    s->exits, s->syscall_exits, s->exception_exits, s->interrupted,
	    s->ring_exits, s->refill_exits, s->release_exits, s->other_exits);
	cabin_kvm_say(k, "kvm syscalls answered in the guest without an exit: %llu",
	    (unsigned long long)cabin_kvm_shared_page(k)->local_calls);
	if (k->opt->ring)
		cabin_kvm_say(k, "kvm ring: %lu answered by the worker without an exit, %lu sent to the exit path, %lu doorbell and %lu wait exits",
		    k->ringer.answered, k->ringer.fallbacks, k->ringer.doorbells,
		    k->ringer.waits);
	cabin_kvm_say(k, "kvm memory: %llu page faults resolved in the guest, %lu refills of %llu pages, %llu mm syscalls answered in the guest, %llu pages given back to the host",
	    (unsigned long long)k->vm.ms->faults, s->refill_exits,
	    (unsigned long long)k->vm.ms->batch,
	    (unsigned long long)k->vm.ms->calls,
	    (unsigned long long)k->vm.ms->released);
	cabin_kvm_say(k, "kvm syscalls: %lu forwarded to the host kernel, %lu answered by the monitor",
	    s->syscalls_forwarded, s->syscalls_monitor);
	cabin_kvm_say(k, "kvm guest: CR4.SMEP %s, CR4.SMAP %s", k->vm.smep ? "on" : "off",
	    k->vm.smap ? "on" : "off");
}

/* One thread's loop, the monitor lock held but while the vCPU runs. */
static int run_loop(struct cabin_kvm_thread *t)
{
	struct cabin_kvm *k = t->k;
	int code, r;

	while (!gone(k)) {
		if (cabin_kvm_timed_out()) {
			k->proxy->timed_out = cabin_kvm_time_limit_reached() &&
					      !k->parent;
			finish(k, SIGKILL, -1, 0);
			break;
		}
		if (cabin_kvm_take_host_signals(k))
			deliver_async(k);
		cabin_kvm_share_clock_refresh(k);
		if (cabin_kvm_gdb_hold(t) == CABIN_KVM_GDB_KILL)
			finish(k, SIGKILL, -1, 0);
		if (gone(k))
			break;
		__atomic_store_n(&t->in_guest, 1, __ATOMIC_SEQ_CST);
		cabin_kvm_leave(t);
		r = cabin_kvm_vcpu_run(t->vcpu, t->run, pool_exit, k);
		__atomic_store_n(&t->in_guest, 0, __ATOMIC_SEQ_CST);
		cabin_kvm_enter(t);
		/* Another thread ended this one, or all, meanwhile: drop the exit. */
		if (gone(k))
			break;
		if (r < 0) {
			t->run->immediate_exit = 0;
			if (r == -EINTR || r == -EAGAIN) {
				k->stats.interrupted++;
				cabin_kvm_ring_interrupt(&k->ringer);
				continue;
			}
			/* Pages of a shared file cut short: the retry faults. */
			if (r == -EFAULT && cabin_kvm_unmap_cut_short(k))
				continue;
			cabin_kvm_say(k, "KVM_RUN: %s", strerror(-r));
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

	cabin_kvm_hostsig_vcpu(t->run);
	cabin_kvm_enter(t);
	/* Accesses with no catcher of their own: the program ends. */
	cabin_kvm_catch_push(&last);
	code = sigsetjmp(last.env, 1);
	if (code) {
		k->cur = t;
		t->frame = NULL;
		cabin_proxy_say(k->proxy, "pid %d (%s): the monitor met %s on the program's memory (a shared file cut short under its mapping); the program is ended",
		    (int)k->pid, k->comm, code == SIGBUS ? "SIGBUS" : "SIGSEGV");
		finish(k, code, -1, 0);
		code = -1;
	} else {
		code = run_loop(t);
		cabin_kvm_catch_pop(&last);
	}
	cabin_kvm_hostsig_vcpu(NULL);
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
	cabin_kvm_ring_stop(&k->ringer);
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
	k->vcpu_loop = cabin_kvm_thread_run;
	k->process_end = cabin_kvm_process_end;
	/* First of all: a time limit reached during set-up must be heard. */
	cabin_kvm_hostsig_catch();
	err = cabin_kvm_threads_init(k);
	if (err < 0) {
		cabin_kvm_say(k, "cannot start: %s", strerror(-err));
		return CABIN_EXIT_INTERNAL;
	}
	code = cabin_kvm_start(k);
	if (code) {
		cabin_kvm_leave(k->cur);
		return code;
	}
	cabin_kvm_share_setup(k);
	err = cabin_kvm_family_init(&k->family, o->fd_floor);
	if (err < 0) {
		cabin_kvm_say(k, "cannot set up for the program's processes: %s",
		    strerror(-err));
		cabin_kvm_leave(k->cur);
		return CABIN_EXIT_INTERNAL;
	}
	if (o->ring && cabin_kvm_start_ring(k) < 0) {
		cabin_kvm_say(k, "cannot start the ring worker: %s", strerror(errno));
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
	cabin_kvm_hostsig_kick(k, cabin_kvm_kick_others);
	/* --gdb: held at its first instruction until gdb resumes it. */
	if (o->gdb_fd >= 0 && cabin_kvm_gdb_init(k, o->gdb_fd) == 0 &&
	    cabin_kvm_gdb_first(k) == CABIN_KVM_GDB_KILL)
		die_by(k, SIGKILL, false);
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
	cabin_kvm_hostsig_kick(NULL, NULL);
	cabin_kvm_gdb_free(k);
	cabin_kvm_threads_free(k);
	cabin_kvm_mm_free(&k->mm);
	cabin_kvm_vm_close(&k->vm);
}
