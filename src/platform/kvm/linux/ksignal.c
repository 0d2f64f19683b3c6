/*
 * The guest program's signal state and the syscalls that change it, kept
 * to Linux's semantics (kernel/signal.c) so that libc and programs see no
 * difference, and the choice of what a return to the program delivers.
 */
#include <errno.h>
#include <string.h>

#include "platform/kvm/linux/ksignal.h"
#include "platform/kvm/linux/sigframe.h"

#define SIGSET_SIZE	8ull
#define BIT(sig)	CABIN_KSIG_BIT(sig)
/* Taken before other signals: the fault being handled comes first. */
#define SYNCHRONOUS	(BIT(SIGSEGV) | BIT(SIGBUS) | BIT(SIGILL) | \
			 BIT(SIGTRAP) | BIT(SIGFPE) | BIT(SIGSYS))
#define STOP_SIGNALS	(BIT(SIGSTOP) | BIT(SIGTSTP) | BIT(SIGTTIN) | \
			 BIT(SIGTTOU))
#define IGNORE_SIGNALS	(BIT(SIGCHLD) | BIT(SIGCONT) | BIT(SIGURG) | \
			 BIT(SIGWINCH))
#define CORE_SIGNALS	(BIT(SIGQUIT) | BIT(SIGILL) | BIT(SIGTRAP) | \
			 BIT(SIGABRT) | BIT(SIGBUS) | BIT(SIGFPE) | \
			 BIT(SIGSEGV) | BIT(SIGXCPU) | BIT(SIGXFSZ) | \
			 BIT(SIGSYS))
#define SI_KERNEL_CODE	0x80

enum default_action { ACT_TERMINATE, ACT_CORE, ACT_IGNORE, ACT_STOP };

static bool valid_signal(int sig)
{
	return sig >= 1 && sig <= CABIN_KSIG_NSIG;
}

/* Everything not listed terminates, the realtime signals included. */
static enum default_action default_action(int sig)
{
	if (BIT(sig) & STOP_SIGNALS)
		return ACT_STOP;
	if (BIT(sig) & IGNORE_SIGNALS)
		return ACT_IGNORE;
	if (BIT(sig) & CORE_SIGNALS)
		return ACT_CORE;
	return ACT_TERMINATE;
}

/* Linux's sig_handler_ignored. */
static bool handler_ignores(const struct cabin_ksig *s, int sig)
{
	uint64_t h = s->act[sig].handler;

	return h == CABIN_KSIG_SIG_IGN ||
	       (h == CABIN_KSIG_SIG_DFL && default_action(sig) == ACT_IGNORE);
}

static void set_blocked(struct cabin_ksig *s, uint64_t mask)
{
	s->blocked = mask & ~CABIN_KSIG_UNBLOCKABLE;
}

static void altstack_reset(struct cabin_ksig *s)
{
	s->alt_sp = 0;
	s->alt_size = 0;
	s->alt_flags = CABIN_KSIG_SS_DISABLE;
}

void cabin_ksig_init(struct cabin_ksig *s)
{
	memset(s, 0, sizeof(*s));
	s->act = s->own;
	altstack_reset(s);
}

void cabin_ksig_thread(struct cabin_ksig *s, const struct cabin_ksig *parent)
{
	memset(s, 0, sizeof(*s));
	s->act = parent->act;
	s->blocked = parent->blocked;
	altstack_reset(s);
}

void cabin_ksig_forked(struct cabin_ksig *s)
{
	s->pending = 0;
	memset(s->info, 0, sizeof(s->info));
}

void cabin_ksig_exec(struct cabin_ksig *s)
{
	int sig;

	for (sig = 1; sig <= CABIN_KSIG_NSIG; sig++) {
		struct cabin_ksig_action *a = &s->act[sig];
		/* The new image has none of the old handlers' code. */
		uint64_t h = a->handler == CABIN_KSIG_SIG_IGN ?
			     CABIN_KSIG_SIG_IGN : CABIN_KSIG_SIG_DFL;

		memset(a, 0, sizeof(*a));
		a->handler = h;
	}
	altstack_reset(s);
	s->restore_mask = false;
}

/* POSIX: a signal made ignored is discarded even while blocked. */
static void flush_if_ignored(struct cabin_ksig *s, int sig)
{
	if (handler_ignores(s, sig))
		s->pending &= ~BIT(sig);
}

long cabin_ksig_sigaction(struct cabin_ksig *s, const struct cabin_gmem *g,
			  int sig, uint64_t act, uint64_t oact,
			  uint64_t sigsetsize)
{
	struct cabin_ksig_action new, old;

	if (sigsetsize != SIGSET_SIZE)
		return -EINVAL;
	if (act && cabin_gmem_read(g, act, &new, sizeof(new)))
		return -EFAULT;
	if (!valid_signal(sig) || (act && (BIT(sig) & CABIN_KSIG_UNBLOCKABLE)))
		return -EINVAL;
	old = s->act[sig];
	if (act) {
		new.flags &= CABIN_KSIG_SA_KNOWN;
		new.mask &= ~CABIN_KSIG_UNBLOCKABLE;
		s->act[sig] = new;
		flush_if_ignored(s, sig);
	}
	if (oact && cabin_gmem_write(g, oact, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

long cabin_ksig_sigprocmask(struct cabin_ksig *s, const struct cabin_gmem *g,
			    int how, uint64_t set, uint64_t oset,
			    uint64_t sigsetsize)
{
	uint64_t old = s->blocked, mask;

	if (sigsetsize != SIGSET_SIZE)
		return -EINVAL;
	if (set) {
		if (cabin_gmem_read(g, set, &mask, sizeof(mask)))
			return -EFAULT;
		switch (how) {
		case SIG_BLOCK:
			set_blocked(s, old | mask);
			break;
		case SIG_UNBLOCK:
			set_blocked(s, old & ~mask);
			break;
		case SIG_SETMASK:
			set_blocked(s, mask);
			break;
		default:
			return -EINVAL;
		}
	}
	if (oset && cabin_gmem_write(g, oset, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

long cabin_ksig_sigpending(const struct cabin_ksig *s,
			   const struct cabin_gmem *g, uint64_t set,
			   uint64_t sigsetsize)
{
	/* An unblocked one would have been delivered before the syscall. */
	uint64_t mask = s->pending & s->blocked;

	if (sigsetsize > SIGSET_SIZE)
		return -EINVAL;
	/* A shorter set gets the low bytes: the guest is little-endian. */
	if (cabin_gmem_write(g, set, &mask, (size_t)sigsetsize))
		return -EFAULT;
	return 0;
}

void cabin_ksig_suspend_mask(struct cabin_ksig *s, uint64_t mask)
{
	/* A second call before delivery keeps the program's own mask. */
	if (!s->restore_mask)
		s->saved_mask = s->blocked;
	s->restore_mask = true;
	set_blocked(s, mask);
}

long cabin_ksig_sigsuspend(struct cabin_ksig *s, const struct cabin_gmem *g,
			   uint64_t set, uint64_t sigsetsize)
{
	uint64_t mask;

	if (sigsetsize != SIGSET_SIZE)
		return -EINVAL;
	if (cabin_gmem_read(g, set, &mask, sizeof(mask)))
		return -EFAULT;
	cabin_ksig_suspend_mask(s, mask);
	return 0;
}

/* Linux's prepare_signal: a stop and a continue cancel each other. */
static void cancel_stop_cont(struct cabin_ksig *s, int sig)
{
	if (sig == SIGCONT)
		s->pending &= ~STOP_SIGNALS;
	else if (BIT(sig) & STOP_SIGNALS)
		s->pending &= ~BIT(SIGCONT);
}

void cabin_ksig_queue(struct cabin_ksig *s, const siginfo_t *info)
{
	int sig = info->si_signo;

	if (!valid_signal(sig))
		return;
	cancel_stop_cont(s, sig);
	if (!(s->blocked & BIT(sig)) && handler_ignores(s, sig))
		return;
	if (s->pending & BIT(sig))
		return;
	s->pending |= BIT(sig);
	s->info[sig] = *info;
}

void cabin_ksig_force(struct cabin_ksig *s, const siginfo_t *info)
{
	int sig = info->si_signo;

	if (!valid_signal(sig))
		return;
	if ((s->blocked & BIT(sig)) ||
	    s->act[sig].handler == CABIN_KSIG_SIG_IGN) {
		s->act[sig].handler = CABIN_KSIG_SIG_DFL;
		s->blocked &= ~BIT(sig);
	}
	cancel_stop_cont(s, sig);
	/* SIGCHLD-like defaults aside, a fault is never ignored now. */
	if (handler_ignores(s, sig))
		return;
	s->pending |= BIT(sig);
	s->info[sig] = *info;
}

bool cabin_ksig_deliverable(const struct cabin_ksig *s)
{
	return (s->pending & ~s->blocked) != 0;
}

/* Linux's next_signal, with SIGKILL first as a group exit would be. */
static int dequeue(struct cabin_ksig *s, siginfo_t *info)
{
	uint64_t x = s->pending & ~s->blocked;
	int sig;

	if (!x)
		return 0;
	if (x & BIT(SIGKILL))
		x = BIT(SIGKILL);
	else if (x & SYNCHRONOUS)
		x &= SYNCHRONOUS;
	sig = __builtin_ctzll(x) + 1;
	s->pending &= ~BIT(sig);
	*info = s->info[sig];
	return sig;
}

/* The mask the frame saves: the program's own, not sigsuspend's. */
static uint64_t mask_to_save(const struct cabin_ksig *s)
{
	return s->restore_mask ? s->saved_mask : s->blocked;
}

/* No handler ran: sigsuspend's mask gives way to the program's again. */
static void restore_saved_mask(struct cabin_ksig *s)
{
	if (s->restore_mask)
		set_blocked(s, s->saved_mask);
	s->restore_mask = false;
}

/* Only the monitor's interruption of a syscall (-ERESTARTSYS) restarts. */
static void syscall_restart(struct cabin_kvm_frame *regs, long *restart_nr,
			    bool restart)
{
	if (*restart_nr < 0 || regs->vector != CABIN_KVM_VEC_SYSCALL ||
	    regs->rax != (uint64_t)-EINTR)
		return;
	if (restart) {
		regs->rax = (uint64_t)*restart_nr;
		/* Back over the 2-byte syscall instruction. */
		regs->rip -= 2;
	}
	*restart_nr = -1;
}

/* Linux's signal_delivered. */
static void handler_entered(struct cabin_ksig *s,
			    const struct cabin_ksig_action *ka, int sig,
			    uint64_t saved)
{
	uint64_t blocked = saved | ka->mask;

	if (!(ka->flags & CABIN_KSIG_SA_NODEFER))
		blocked |= BIT(sig);
	set_blocked(s, blocked);
	s->restore_mask = false;
	if (s->alt_flags & CABIN_KSIG_SS_AUTODISARM)
		altstack_reset(s);
}

/*
 * Linux's force_sigsegv after a frame failed: another signal's failure
 * lets a SIGSEGV handler try; SIGSEGV's own is fatal.  True when fatal.
 */
static bool frame_failed(struct cabin_ksig *s, int sig)
{
	siginfo_t info;

	if (sig == SIGSEGV) {
		s->act[SIGSEGV].handler = CABIN_KSIG_SIG_DFL;
		return true;
	}
	memset(&info, 0, sizeof(info));
	info.si_signo = SIGSEGV;
	info.si_code = SI_KERNEL_CODE;
	cabin_ksig_force(s, &info);
	return false;
}

/* Linux's handle_signal: true when *regs enters the handler. */
static bool run_handler(struct cabin_ksig *s, const struct cabin_gmem *g,
			struct cabin_kvm_frame *regs, const uint8_t *fx,
			long *restart_nr, const siginfo_t *info)
{
	int sig = info->si_signo;
	struct cabin_ksig_action ka = s->act[sig];
	uint64_t saved = mask_to_save(s);

	if (ka.flags & CABIN_KSIG_SA_RESETHAND)
		s->act[sig].handler = CABIN_KSIG_SIG_DFL;
	syscall_restart(regs, restart_nr, ka.flags & CABIN_KSIG_SA_RESTART);
	if (cabin_ksig_setup_frame(s, g, regs, &ka, info, fx, saved))
		return false;
	handler_entered(s, &ka, sig, saved);
	return true;
}

enum cabin_ksig_outcome cabin_ksig_deliver(struct cabin_ksig *s,
					   const struct cabin_gmem *g,
					   struct cabin_kvm_frame *regs,
					   const uint8_t *fx, long restart_nr,
					   int *sig, bool *core)
{
	bool ignored = false;
	siginfo_t info;
	int n;

	*sig = 0;
	*core = false;
	while ((n = dequeue(s, &info))) {
		const struct cabin_ksig_action *a = &s->act[n];

		*sig = n;
		/* The stored siginfo is the sender's; the number is ours. */
		info.si_signo = n;
		if (s->shown && !s->shown(s->shown_ctx, n))
			continue;
		if (a->handler == CABIN_KSIG_SIG_IGN) {
			ignored = true;
			continue;
		}
		if (a->handler != CABIN_KSIG_SIG_DFL) {
			if (run_handler(s, g, regs, fx, &restart_nr, &info))
				return CABIN_KSIG_HANDLER;
			if (!frame_failed(s, n))
				continue;
			*sig = SIGSEGV;
			*core = true;
			return CABIN_KSIG_TERMINATE;
		}
		switch (default_action(n)) {
		case ACT_IGNORE:
			ignored = true;
			continue;
		case ACT_STOP:
			return CABIN_KSIG_STOP;
		case ACT_CORE:
			*core = true;
			return CABIN_KSIG_TERMINATE;
		case ACT_TERMINATE:
			return CABIN_KSIG_TERMINATE;
		}
	}
	syscall_restart(regs, &restart_nr, true);
	restore_saved_mask(s);
	if (!ignored)
		*sig = 0;
	return ignored ? CABIN_KSIG_IGNORED : CABIN_KSIG_NONE;
}
