/*
 * The monitor's own faults on guest memory (monitor_fault.h).  The
 * catchers form a chain per host thread; the handler jumps to the
 * innermost one.  Jumps keep the signal mask the fault came with (the
 * handler runs with SA_NODEFER and blocks nothing more), so catchers
 * that are set often use sigsetjmp(env, 0), which costs no syscall.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>

#include "platform/kvm/vmm/monitor_fault.h"

static __thread struct cabin_kvm_catch *innermost;
static const unsigned char *guest_lo, *guest_hi;

void cabin_kvm_catch_push(struct cabin_kvm_catch *c)
{
	c->outer = innermost;
	innermost = c;
}

void cabin_kvm_catch_pop(struct cabin_kvm_catch *c)
{
	innermost = c->outer;
}

static void on_monitor_fault(int sig, siginfo_t *si, void *uc)
{
	const unsigned char *a = si->si_addr;
	struct cabin_kvm_catch *c = innermost;

	(void)uc;
	if (c && a >= guest_lo && a < guest_hi) {
		innermost = c->outer;
		siglongjmp(c->env, sig);
	}
	signal(sig, SIG_DFL);	/* a bug of the monitor's own: die of it */
}

void cabin_kvm_fault_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_monitor_fault;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
}

void cabin_kvm_fault_range(const unsigned char *lo, const unsigned char *hi)
{
	guest_lo = lo;
	guest_hi = hi;
}

void cabin_kvm_fault_blockable(sigset_t *set)
{
	sigfillset(set);
	sigdelset(set, SIGSEGV);
	sigdelset(set, SIGBUS);
}

int cabin_kvm_guest_copy(void *dst, const void *src, size_t n)
{
	struct cabin_kvm_catch c;

	cabin_kvm_catch_push(&c);
	if (sigsetjmp(c.env, 0))
		return -EFAULT;
	memmove(dst, src, n);
	cabin_kvm_catch_pop(&c);
	return 0;
}

bool cabin_kvm_host_page_gone(const unsigned char *p)
{
	unsigned char b;

	return cabin_kvm_guest_copy(&b, p, 1) < 0;
}
