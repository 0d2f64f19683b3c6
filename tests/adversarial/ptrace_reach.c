/*
 * Escape attempt: a tracer inside reaches for what it must not trace:
 * its own thread group (the kernel refuses: EPERM), its parent process
 * (cabin's PID-namespace init, or cabin itself without a namespace) and
 * pid argv[1] if given (a process outside).  Under cabin's emulated
 * ptrace every one fails as the kernel would refuse it (EPERM, or ESRCH
 * for a pid outside the tree).  With the emulation and the deny list off
 * (--unsafe-disable=ptrace,deny,sigscope) the real ptrace runs: its
 * parent is cabin, and the attach to it succeeds (ESCAPED).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile pid_t helper_tid;

static void *helper(void *arg)
{
	helper_tid = (pid_t)syscall(SYS_gettid);
	pause();
	return arg;
}

/* 0 if the attach worked (and was undone), else its errno. */
static int attach(pid_t pid)
{
	int status;

	if (ptrace(PTRACE_ATTACH, pid, NULL, NULL) < 0)
		return errno;
	waitpid(pid, &status, __WALL);
	ptrace(PTRACE_DETACH, pid, NULL, NULL);
	return 0;
}

int main(int argc, char **argv)
{
	pid_t parent = getppid(), outside = argc > 1 ? atoi(argv[1]) : 0;
	int own, up, out = 0;
	pthread_t t;

	if (pthread_create(&t, NULL, helper, NULL) != 0)
		return 2;
	while (!helper_tid)
		sched_yield();
	own = attach(helper_tid);
	up = attach(parent);
	if (outside > 0)
		out = attach(outside);
	if (!own || !up || (outside > 0 && !out)) {
		printf("ESCAPED attached to %s %d\n",
		       !own ? "its own thread" : !up ? "its parent" : "pid",
		       !own ? helper_tid : !up ? parent : outside);
		return 0;
	}
	printf("CONTAINED own thread: %s, parent %d: %s%s%s\n",
	       strerrorname_np(own), parent, strerrorname_np(up),
	       outside > 0 ? ", outside pid: " : "",
	       outside > 0 ? strerrorname_np(out) : "");
	return 0;
}
