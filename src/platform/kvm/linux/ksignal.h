/*
 * Linux signals as the kvm monitor emulates them for the guest program:
 * dispositions, blocked and pending sets, the alternate stack, what the
 * next return to the program delivers, and rt_sigreturn.  Everything read
 * from the program (a sigaction, a stack_t, a ucontext) is hostile.
 */
#ifndef CABIN_PLATFORM_KVM_KSIGNAL_H
#define CABIN_PLATFORM_KVM_KSIGNAL_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "platform/kvm/shared/abi.h"
#include "platform/kvm/vmm/gmem.h"

/*
 * The guest's ABI is the x86-64 kernel's, not the host C library's: these
 * are the kernel's values, spelled out because glibc hides SA_RESTORER and
 * makes MINSIGSTKSZ a run-time value.
 */
#define CABIN_KSIG_NSIG			64
#define CABIN_KSIG_SIG_DFL		0ull
#define CABIN_KSIG_SIG_IGN		1ull
#define CABIN_KSIG_SA_NOCLDSTOP		0x00000001ull
#define CABIN_KSIG_SA_NOCLDWAIT		0x00000002ull
#define CABIN_KSIG_SA_SIGINFO		0x00000004ull
#define CABIN_KSIG_SA_EXPOSE_TAGBITS	0x00000800ull
#define CABIN_KSIG_SA_RESTORER		0x04000000ull
#define CABIN_KSIG_SA_ONSTACK		0x08000000ull
#define CABIN_KSIG_SA_RESTART		0x10000000ull
#define CABIN_KSIG_SA_NODEFER		0x40000000ull
#define CABIN_KSIG_SA_RESETHAND		0x80000000ull
/* What sigaction keeps (UAPI_SA_FLAGS): unknown bits read back as 0. */
#define CABIN_KSIG_SA_KNOWN						\
	(CABIN_KSIG_SA_NOCLDSTOP | CABIN_KSIG_SA_NOCLDWAIT |		\
	 CABIN_KSIG_SA_SIGINFO | CABIN_KSIG_SA_ONSTACK |		\
	 CABIN_KSIG_SA_RESTART | CABIN_KSIG_SA_NODEFER |		\
	 CABIN_KSIG_SA_RESETHAND | CABIN_KSIG_SA_EXPOSE_TAGBITS |	\
	 CABIN_KSIG_SA_RESTORER)
#define CABIN_KSIG_SS_ONSTACK		1u
#define CABIN_KSIG_SS_DISABLE		2u
#define CABIN_KSIG_SS_AUTODISARM	(1u << 31)
#define CABIN_KSIG_MINSIGSTKSZ		2048ull

/* Bit of signal sig (1..64) in a 64-bit sigset. */
#define CABIN_KSIG_BIT(sig)		(1ull << ((sig) - 1))
#define CABIN_KSIG_UNBLOCKABLE	\
	(CABIN_KSIG_BIT(SIGKILL) | CABIN_KSIG_BIT(SIGSTOP))

/* The kernel's struct sigaction for rt_sigaction (sa_mask 8 bytes). */
struct cabin_ksig_action {
	uint64_t handler;	/* CABIN_KSIG_SIG_DFL, _SIG_IGN or an address */
	uint64_t flags;
	uint64_t restorer;
	uint64_t mask;
};

/* The kernel's stack_t, as sigaltstack and uc_stack hold it. */
struct cabin_ksig_stack {
	uint64_t sp;
	int32_t flags;
	uint32_t pad;
	uint64_t size;
};

struct cabin_ksig {
	/*
	 * Dispositions are the process's: every thread's act points at the
	 * first thread's own table.
	 */
	struct cabin_ksig_action *act;			/* 1..64 */
	struct cabin_ksig_action own[CABIN_KSIG_NSIG + 1];
	uint64_t blocked;		/* never holds SIGKILL or SIGSTOP */
	uint64_t pending;
	/*
	 * The siginfo of each pending signal.  Realtime signals are kept
	 * like standard ones, one instance each: a second one sent while
	 * the first is pending is lost, where Linux would queue it.
	 */
	siginfo_t info[CABIN_KSIG_NSIG + 1];
	/* sigaltstack: size 0 and flags SS_DISABLE when there is none. */
	uint64_t alt_sp, alt_size;
	uint32_t alt_flags;
	/* A mask installed until the next delivery (sigsuspend and kin). */
	bool restore_mask;
	uint64_t saved_mask;
	/*
	 * Asked for each signal about to act (a debugger sees it first, as
	 * a tracer would): false drops it.  NULL: none.
	 */
	bool (*shown)(void *ctx, int sig);
	void *shown_ctx;
};

_Static_assert(sizeof(siginfo_t) == 128, "the kernel's siginfo is 128 bytes");
_Static_assert(sizeof(struct cabin_ksig_action) == 32, "struct sigaction");
_Static_assert(sizeof(struct cabin_ksig_stack) == 24, "stack_t");

/* All SIG_DFL, nothing blocked or pending, no altstack. */
void cabin_ksig_init(struct cabin_ksig *s);
/*
 * A new thread's: the dispositions of parent's process, parent's mask,
 * nothing pending, no altstack (clone with CLONE_THREAD).
 */
void cabin_ksig_thread(struct cabin_ksig *s, const struct cabin_ksig *parent);
/*
 * execve: handlers become SIG_DFL (SIG_IGN stays), flags, restorers and
 * masks are cleared; blocked and pending are kept; the altstack is off.
 */
void cabin_ksig_exec(struct cabin_ksig *s);
/* fork: the child keeps handlers, mask and altstack; nothing is pending. */
void cabin_ksig_forked(struct cabin_ksig *s);

/*
 * The syscalls, with Linux's checks in Linux's order: -EINVAL for a
 * sigsetsize other than 8 (sigpending: above 8), -EFAULT for a pointer
 * the program cannot read or write.  As in Linux, a new action or mask
 * stays in force when only the write of the old one faults.
 */
long cabin_ksig_sigaction(struct cabin_ksig *s, const struct cabin_gmem *g,
			  int sig, uint64_t act, uint64_t oact,
			  uint64_t sigsetsize);
long cabin_ksig_sigprocmask(struct cabin_ksig *s, const struct cabin_gmem *g,
			    int how, uint64_t set, uint64_t oset,
			    uint64_t sigsetsize);
/* user_sp: the program's rsp at the syscall, to tell if it runs on it. */
long cabin_ksig_sigaltstack(struct cabin_ksig *s, const struct cabin_gmem *g,
			    uint64_t ss, uint64_t oss, uint64_t user_sp);
/* Pending signals that are blocked, as Linux reports them. */
long cabin_ksig_sigpending(const struct cabin_ksig *s,
			   const struct cabin_gmem *g, uint64_t set,
			   uint64_t sigsetsize);
/*
 * rt_sigsuspend's mask (and that of ppoll, pselect6, epoll_pwait): read
 * it and block it until the next delivery, whose frame saves the mask
 * from before.  The caller then waits for cabin_ksig_deliverable and
 * returns -EINTR.  If no handler runs, delivery puts the old mask back.
 */
long cabin_ksig_sigsuspend(struct cabin_ksig *s, const struct cabin_gmem *g,
			   uint64_t set, uint64_t sigsetsize);
/* The same with a mask the monitor already holds. */
void cabin_ksig_suspend_mask(struct cabin_ksig *s, uint64_t mask);

/*
 * Send a signal (kill, raise, a host signal, SIGPIPE).  Dropped when it
 * is not blocked and ignored (SIG_IGN, or SIG_DFL whose default is to
 * ignore): Linux keeps a blocked one, since the disposition may change
 * before it is unblocked.  SIGCONT discards pending stop signals and a
 * stop signal discards a pending SIGCONT; resuming a stopped program is
 * the caller's.  A standard signal already pending is not queued again.
 */
void cabin_ksig_queue(struct cabin_ksig *s, const siginfo_t *info);
/*
 * A signal the CPU caused (SIGSEGV, SIGILL, SIGFPE, SIGBUS, SIGTRAP), as
 * the kernel's force_sig: blocked or ignored, it is unblocked and reset
 * to SIG_DFL, so the program cannot survive a fault it refuses to see.
 * Its siginfo replaces that of the same signal already pending.
 */
void cabin_ksig_force(struct cabin_ksig *s, const siginfo_t *info);
/* A pending signal that is not blocked. */
bool cabin_ksig_deliverable(const struct cabin_ksig *s);

enum cabin_ksig_outcome {
	CABIN_KSIG_NONE,	/* nothing deliverable */
	CABIN_KSIG_HANDLER,	/* frame built, *regs now enters the handler */
	CABIN_KSIG_TERMINATE,	/* default action: die by *sig (*core) */
	CABIN_KSIG_STOP,	/* default action stop (STOP TSTP TTIN TTOU) */
	CABIN_KSIG_IGNORED,	/* only ignored signals were pending */
};

/*
 * What the return to the program does, as Linux's get_signal and
 * handle_signal.  Signals are taken lowest first, except that SIGKILL
 * comes before all and the synchronous ones (SEGV BUS ILL TRAP FPE SYS)
 * before the rest; ignored ones are consumed on the way.
 *
 * A handler gets the x86-64 rt_sigframe on the program's stack (below
 * the red zone) or at the top of the altstack for SA_ONSTACK when not
 * already on it; the frame saves *regs, the 512-byte fxsave image fx
 * (NULL: zeros) and the mask before delivery.  *regs then enters the
 * handler: rip = handler, rdi = sig, rsi = &info, rdx = &uc, rax = 0,
 * rsp = frame with [rsp] = sa_restorer and rsp + 8 16-byte aligned,
 * rflags without TF DF RF; blocked gains sa_mask and sig (unless
 * SA_NODEFER); SA_RESETHAND resets the action.  The caller must give
 * the handler a fresh FPU state and keep its own copy of the old one
 * (cabin_ksig_sigreturn does not restore it).
 *
 * A frame that cannot be built (no SA_RESTORER, which x86-64 requires; a
 * stack not writable; an altstack overflow; a handler outside the user
 * half) forces SIGSEGV, as force_sigsegv: a SIGSEGV handler, on its
 * altstack, may still run; failing that, or when the failed signal was
 * SIGSEGV itself, the outcome is TERMINATE by SIGSEGV with core.
 *
 * restart_nr >= 0 says *regs is a syscall return (vector
 * CABIN_KVM_VEC_SYSCALL) the monitor interrupted with rax = -EINTR:
 * unless a handler without SA_RESTART runs, rax = restart_nr and rip -= 2
 * so the syscall runs again (before the frame is saved, as in Linux).
 * STOP and TERMINATE leave *regs alone: after a stop, call again with the
 * same restart_nr.  After rt_sigreturn pass -1: rax is the program's.
 */
enum cabin_ksig_outcome cabin_ksig_deliver(struct cabin_ksig *s,
					   const struct cabin_gmem *g,
					   struct cabin_kvm_frame *regs,
					   const uint8_t *fx, long restart_nr,
					   int *sig, bool *core);

/*
 * rt_sigreturn: regs->rsp is the program's rsp at the syscall, frame + 8.
 * Restores the general registers (rax included: the caller stores no
 * result), rip, rsp, the flags a program may change (CF PF AF ZF SF TF DF
 * OF RF AC, with IF set and IOPL 0), the user cs and ss whatever the
 * frame says, blocked = uc_sigmask without SIGKILL and SIGSTOP, and the
 * altstack from uc_stack as Linux's restore_altstack (its errors are
 * ignored).  The fpstate is not read: the monitor restores its own copy.
 * -EFAULT: the ucontext is unreadable; -EINVAL: rip or rsp outside the
 * user half (>= 2^47), which iretq could not return to.  On error nothing
 * changed; the caller forces SIGSEGV.
 */
long cabin_ksig_sigreturn(struct cabin_ksig *s, const struct cabin_gmem *g,
			  struct cabin_kvm_frame *regs);

/* Shared with sigframe.c: Linux's on_sig_stack and __on_sig_stack. */
bool cabin_ksig_on_altstack(const struct cabin_ksig *s, uint64_t sp);
bool cabin_ksig_within_altstack(const struct cabin_ksig *s, uint64_t sp);
/* Linux's do_sigaltstack without the old value: 0 or -EPERM/-EINVAL/-ENOMEM. */
long cabin_ksig_set_altstack(struct cabin_ksig *s,
			     const struct cabin_ksig_stack *ss, uint64_t sp);

#endif
