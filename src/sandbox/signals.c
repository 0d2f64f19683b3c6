/*
 * Signal forwarding.  A terminal's ^C already reaches every process of the
 * foreground group, the program included; forwarding it again would
 * deliver it twice, so kernel-sent signals are forwarded only when the
 * program has left cabin's process group.
 *
 * A stopped process keeps every signal but SIGKILL pending until it is
 * continued, so, as timeout(1) does, a forwarded signal is followed by
 * SIGCONT: the run ends whatever state the program is in.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "sandbox/signals.h"

volatile pid_t cabin_signals_target;
volatile sig_atomic_t cabin_signals_received;

static const int forwarded[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };

static void forward(int sig, siginfo_t *si, void *uctx)
{
	pid_t main_pid = cabin_signals_target;
	int saved_errno = errno;

	(void)uctx;
	cabin_signals_received++;
	if (main_pid <= 0)
		return;
	if (si->si_code == SI_KERNEL && getpgid(main_pid) == getpgrp())
		return;
	kill(main_pid, sig);
	kill(main_pid, SIGCONT);
	errno = saved_errno;
}

int cabin_signals_install(struct cabin_saved_signals *saved)
{
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = forward;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(forwarded) / sizeof(*forwarded); i++) {
		if (sigaction(forwarded[i], NULL, &saved->old[i]) < 0)
			return -errno;
		if (saved->old[i].sa_handler == SIG_IGN)
			continue;
		if (sigaction(forwarded[i], &sa, NULL) < 0)
			return -errno;
	}
	sa.sa_handler = SIG_IGN;
	sa.sa_flags = 0;
	if (sigaction(SIGPIPE, &sa, &saved->old[i]) < 0)
		return -errno;
	return 0;
}

void cabin_signals_restore(const struct cabin_saved_signals *saved)
{
	size_t i;

	for (i = 0; i < sizeof(forwarded) / sizeof(*forwarded); i++)
		sigaction(forwarded[i], &saved->old[i], NULL);
	sigaction(SIGPIPE, &saved->old[i], NULL);
}
