/*
 * Escape attempt: a confined thread left stopped for ever (docs/security.md
 * says none is).  A tracer thread that is not its process's leader holds
 * its tracee at a stop, then execs (/bin/true) and that process ends:
 * natively the tracee is detached and goes on; it then reads the end of a
 * pipe and says so (CONTAINED).  Without the fix (ptrace_emul.c,
 * cabin_ptrace_emul_exec: the tracer's tid renamed at the exec) cabin kept
 * the vanished tid as the tracer, never let the tracee go, and this
 * program hung until the suite's bound killed it (no line; red team,
 * ptrace finding 4, shown by hand with the call in tracer.c removed).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

static pid_t tracee;
static int res_pipe[2];

static void *tracer(void *arg)
{
	char r = 'F';
	int status;

	if (ptrace(PTRACE_SEIZE, tracee, NULL, NULL) == 0 &&
	    ptrace(PTRACE_INTERRUPT, tracee, NULL, NULL) == 0 &&
	    waitpid(tracee, &status, __WALL) == tracee && WIFSTOPPED(status))
		r = 'S';
	if (write(res_pipe[1], &r, 1) != 1)
		_exit(1);
	execl("/bin/true", "true", (char *)NULL);
	_exit(127);
	return arg;
}

int main(void)
{
	int go_pipe[2], done_pipe[2], status;
	pthread_t t;
	char c, r;
	pid_t q;

	if (pipe(go_pipe) || pipe(done_pipe) || pipe(res_pipe))
		return 1;
	q = fork();
	if (q < 0)
		return 1;
	if (!q) {
		tracee = fork();
		if (tracee < 0)
			_exit(1);
		if (!tracee) {
			/* Goes on once every write end of go is closed. */
			close(go_pipe[1]);
			close(res_pipe[1]);
			while (read(go_pipe[0], &c, 1) > 0)
				;
			if (write(done_pipe[1], "d", 1) != 1)
				_exit(1);
			_exit(0);
		}
		close(go_pipe[1]);
		if (pthread_create(&t, NULL, tracer, NULL))
			_exit(1);
		for (;;)
			pause();
	}
	close(go_pipe[0]);
	close(done_pipe[1]);
	close(res_pipe[1]);
	if (read(res_pipe[0], &r, 1) != 1 || r != 'S') {
		printf("FAILED the tracer thread did not hold its tracee\n");
		return 0;
	}
	if (waitpid(q, &status, 0) != q)
		return 1;
	close(go_pipe[1]);
	if (read(done_pipe[0], &c, 1) == 1)
		printf("CONTAINED the tracee went on after its tracer's process ended (detached)\n");
	else
		printf("FAILED the tracee ended without going on\n");
	return 0;
}
