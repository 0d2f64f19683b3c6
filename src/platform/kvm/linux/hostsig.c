/*
 * Host signals to the monitor are the program's: the handler records
 * them and gets the vCPU out of the guest (and, through the kick the
 * threads registered, the other vCPUs); the time limit and a carried
 * SIGKILL end the program.  Below the threads (thread.c), which take
 * what was recorded for the process.
 */
#include <signal.h>
#include <string.h>

#include "platform/kvm/linux/linux.h"
#include "platform/kvm/vmm/monitor_fault.h"

/* The vCPU this host thread runs, and the process whose others to kick. */
static __thread struct kvm_run *volatile signal_run;
static struct cabin_kvm *volatile signal_k;
static void (*volatile signal_kick)(struct cabin_kvm *k);
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
	if (signal_k && signal_kick)
		signal_kick(signal_k);
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

bool cabin_kvm_time_limit_reached(void)
{
	return timeout_flag;
}

void cabin_kvm_hostsig_catch(void)
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

bool cabin_kvm_hostsig_has(int sig)
{
	return sig > 0 && sig <= 64 && host_flag[sig];
}

bool cabin_kvm_hostsig_take(int sig, siginfo_t *si)
{
	if (!host_flag[sig])
		return false;
	host_flag[sig] = 0;
	*si = host_info[sig];
	return true;
}

void cabin_kvm_hostsig_vcpu(struct kvm_run *run)
{
	signal_run = run;
}

void cabin_kvm_hostsig_kick(struct cabin_kvm *k,
			    void (*kick)(struct cabin_kvm *k))
{
	signal_kick = kick;
	signal_k = k;
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
