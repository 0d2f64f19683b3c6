/*
 * cabin's side of a kvm run: the monitor is a sandboxed child; cabin only
 * writes the records it sends into their files, passes signals on,
 * enforces the wall-clock limit and collects the status, so nothing of
 * the program's runs with cabin's privileges.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "platform/kvm/host/supervise.h"
#include "platform/kvm/vmm/signals.h"

#define MAX_PUMPS	4

static volatile sig_atomic_t alarm_rang;

static void on_alarm(int sig)
{
	(void)sig;
	alarm_rang = 1;
}

static void write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

/* One round of copying; false once every source is at its end. */
static bool pump(struct pollfd *pfd, const struct cabin_kvm_pump *pumps,
		 size_t n)
{
	char buf[65536];
	bool open = false;
	size_t i;

	for (i = 0; i < n; i++)
		open |= pfd[i].fd >= 0;
	if (!open)
		return false;
	if (poll(pfd, n, -1) < 0)
		return errno == EINTR;
	for (i = 0; i < n; i++) {
		ssize_t got;

		if (pfd[i].fd < 0 || !pfd[i].revents)
			continue;
		got = read(pfd[i].fd, buf, sizeof(buf));
		if (got > 0)
			write_all(pumps[i].to, buf, (size_t)got);
		else if (got == 0 || errno != EINTR)
			pfd[i].fd = -1;
	}
	return true;
}

#define GRACE_S	5

/*
 * At the limit the monitor is asked to end the program itself (its
 * report says so); if it has not within GRACE_S seconds, it is killed.
 */
static void expire(pid_t child, bool *timed_out)
{
	if (!alarm_rang)
		return;
	alarm_rang = 0;
	if (!*timed_out) {
		*timed_out = true;
		kill(child, CABIN_KVM_SIG_TIMEOUT);
		alarm(GRACE_S);
	} else {
		kill(child, SIGKILL);
	}
}

int cabin_kvm_supervise(pid_t child, unsigned long timeout,
			const struct cabin_kvm_pump *pumps, size_t npumps,
			bool *timed_out)
{
	struct pollfd pfd[MAX_PUMPS];
	struct sigaction sa, old;
	size_t i;
	int status;

	*timed_out = false;
	alarm_rang = 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;	/* no SA_RESTART: poll and waitpid return */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, &old);
	if (timeout)
		alarm((unsigned int)timeout);
	if (npumps > MAX_PUMPS)
		npumps = MAX_PUMPS;
	for (i = 0; i < npumps; i++) {
		pfd[i].fd = pumps[i].from;
		pfd[i].events = POLLIN;
	}
	/* The sources end when the monitor (and its init) are gone. */
	while (npumps && pump(pfd, pumps, npumps))
		expire(child, timed_out);
	for (;;) {
		pid_t got = waitpid(child, &status, __WALL);

		if (got == child)
			break;
		if (got < 0 && errno != EINTR) {
			status = -errno;
			break;
		}
		expire(child, timed_out);
	}
	alarm(0);
	sigaction(SIGALRM, &old, NULL);
	return status;
}
