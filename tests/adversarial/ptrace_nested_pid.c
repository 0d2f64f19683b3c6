/*
 * Escape attempt: a tracer names a task of a nested PID namespace by a
 * pid of that namespace.  The program may unshare(CLONE_NEWUSER |
 * CLONE_NEWPID); its nested tasks then have small pids there (2, 3) that
 * in the tracer's own namespace belong to someone else or to no one.
 * Natively a pid is the tracer's namespace's: one no task there has is
 * ESRCH, its own is EPERM (CONTAINED).  Without the fix
 * (ptrace_emul_ns.c, the NSpid entry at the tracer's depth) cabin matched
 * the innermost pid: SEIZE of the free pid and of the tracer's own pid
 * both answered 0 and attached a nested task (ESCAPED; red team, ptrace
 * finding 7, shown with the red team's build of cabin).
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

static int pids[2];

static void nested(void)
{
	pid_t init, me;
	int i;

	if (unshare(CLONE_NEWUSER | CLONE_NEWPID) < 0)
		_exit(3);
	init = fork();
	if (init < 0)
		_exit(1);
	if (init) {
		/* the nested init, in the tracer's namespace */
		if (write(pids[1], &init, sizeof(init)) != sizeof(init))
			_exit(1);
		_exit(0);
	}
	for (i = 0; i < 2; i++) {
		if (fork() == 0) {
			me = getpid();
			if (write(pids[1], &me, sizeof(me)) != sizeof(me))
				_exit(1);
			for (;;)
				pause();
		}
	}
	for (;;)
		pause();
}

static const char *errname(long r, int err)
{
	return r == 0 ? "0 (attached)" : err == ESRCH ? "ESRCH" :
	       err == EPERM ? "EPERM" : strerror(err);
}

int main(void)
{
	pid_t a, init, inner[2], me = getpid();
	int status, i, err;
	char what[2][80];
	bool bad = false, shown = false;
	long r;

	if (pipe(pids))
		return 1;
	a = fork();
	if (a < 0)
		return 1;
	if (!a)
		nested();
	if (waitpid(a, &status, 0) != a || !WIFEXITED(status) ||
	    WEXITSTATUS(status)) {
		printf("SKIP no nested PID namespace here (status %#x)\n", status);
		return 0;
	}
	if (read(pids[0], &init, sizeof(init)) != sizeof(init) ||
	    read(pids[0], &inner[0], sizeof(pid_t)) != sizeof(pid_t) ||
	    read(pids[0], &inner[1], sizeof(pid_t)) != sizeof(pid_t))
		return 1;
	for (i = 0; i < 2; i++) {
		what[i][0] = 0;
		/* Only pids that are not some other task's in this namespace. */
		if (inner[i] != me && (kill(inner[i], 0) == 0 || errno != ESRCH))
			continue;
		r = ptrace(PTRACE_SEIZE, inner[i], NULL, NULL);
		err = errno;
		shown = true;
		snprintf(what[i], sizeof(what[i]), "%s pid %d: %s",
			 inner[i] == me ? "own" : "free", (int)inner[i],
			 errname(r, err));
		if (inner[i] == me ? r == 0 || err != EPERM :
				     r == 0 || err != ESRCH)
			bad = true;
	}
	kill(init, SIGKILL);
	if (!shown)
		printf("SKIP the nested pids are all taken here\n");
	else if (bad)
		printf("ESCAPED SEIZE by a nested namespace's pid: %s %s\n",
		       what[0], what[1]);
	else
		printf("CONTAINED SEIZE by a nested namespace's pid: %s %s (ESRCH/EPERM)\n",
		       what[0], what[1]);
	return 0;
}
