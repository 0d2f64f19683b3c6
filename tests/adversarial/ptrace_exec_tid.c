/*
 * Escape attempt: a stale tid.  A thread that is not its process's leader
 * is seized by the tracer, then execs: the kernel gives it the leader's
 * tid and reports the end of neither former tid.  Its former tid is free,
 * and once a process outside the sandbox gets it, a PTRACE_KILL that
 * still "reaches" it kills that process (red team, ptrace finding 1:
 * 27790 forks outside, then "outside process killed by signal 9").
 * Natively the request fails with ESRCH (CONTAINED).  Without the fix
 * (ptrace_emul.c, cabin_ptrace_emul_exec) cabin kept the entry and the
 * request answered 0 after tgkill of the stale tid (ESCAPED; shown by
 * hand with the call in tracer.c removed).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int tid_pipe[2], go_pipe[2];

static void *thread(void *arg)
{
	pid_t tid = (pid_t)syscall(SYS_gettid);
	char c;

	if (write(tid_pipe[1], &tid, sizeof(tid)) != sizeof(tid) ||
	    read(go_pipe[0], &c, 1) != 1)
		_exit(1);
	execl("/bin/true", "true", (char *)NULL);
	_exit(127);
	return arg;
}

int main(void)
{
	pthread_t t;
	pid_t child, tid;
	int status;
	long r;

	if (pipe(tid_pipe) || pipe(go_pipe))
		return 1;
	child = fork();
	if (child < 0)
		return 1;
	if (!child) {
		if (pthread_create(&t, NULL, thread, NULL))
			_exit(1);
		for (;;)
			pause();
	}
	if (read(tid_pipe[0], &tid, sizeof(tid)) != sizeof(tid))
		return 1;
	if (ptrace(PTRACE_SEIZE, tid, NULL, NULL) < 0) {
		printf("FAILED seize of the thread: %s\n", strerror(errno));
		return 0;
	}
	if (write(go_pipe[1], "g", 1) != 1 || waitpid(child, &status, 0) < 0)
		return 1;
	r = ptrace(PTRACE_KILL, tid, NULL, NULL);
	if (r < 0 && errno == ESRCH)
		printf("CONTAINED PTRACE_KILL of the execed thread's former tid: ESRCH\n");
	else if (r < 0)
		printf("CONTAINED PTRACE_KILL of the execed thread's former tid: %s (not ESRCH)\n",
		       strerror(errno));
	else
		printf("ESCAPED PTRACE_KILL of a vanished tid answered 0: cabin signalled whoever has tid %d now\n",
		       (int)tid);
	return 0;
}
