/*
 * cabin's side of a kvm run: the monitor is a sandboxed child; cabin only
 * passes signals on, enforces the wall-clock limit and collects the
 * status, so nothing of the program's runs with cabin's privileges.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "platform/kvm/kvm.h"

static volatile sig_atomic_t alarm_rang;

static void on_alarm(int sig)
{
	(void)sig;
	alarm_rang = 1;
}

int cabin_kvm_supervise(pid_t child, unsigned long timeout, bool *timed_out)
{
	struct sigaction sa, old;
	int status;

	*timed_out = false;
	alarm_rang = 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;	/* no SA_RESTART: waitpid returns */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, &old);
	if (timeout)
		alarm((unsigned int)timeout);
	for (;;) {
		pid_t got = waitpid(child, &status, __WALL);

		if (got == child)
			break;
		if (got < 0 && errno != EINTR) {
			status = -errno;
			break;
		}
		if (alarm_rang && !*timed_out) {
			*timed_out = true;
			kill(child, SIGKILL);
		}
	}
	alarm(0);
	sigaction(SIGALRM, &old, NULL);
	return status;
}
