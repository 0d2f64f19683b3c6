/*
 * A tracer resumes its tracee with signal 65 (past the kernel's last, 64;
 * glibc's _NSIG is 65): the kernel refuses with EIO and leaves the tracee
 * as it was, still stopped and traced; PTRACE_KILL then ends it.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	int status;
	pid_t c = fork();
	long r;

	if (c < 0)
		return 1;
	if (!c) {
		for (;;)
			pause();
	}
	if (ptrace(PTRACE_ATTACH, c, NULL, NULL) < 0 ||
	    waitpid(c, &status, 0) != c)
		return 1;
	r = ptrace(PTRACE_CONT, c, NULL, (void *)65L);
	printf("CONT with signal 65: %s\n", r < 0 ? strerror(errno) : "0");
	r = ptrace(PTRACE_DETACH, c, NULL, (void *)65L);
	printf("DETACH with signal 65: %s\n", r < 0 ? strerror(errno) : "0");
	printf("child waited: %ld\n", (long)waitpid(c, &status, WNOHANG));
	r = ptrace(PTRACE_KILL, c, NULL, NULL);
	printf("KILL: %s\n", r < 0 ? strerror(errno) : "0");
	if (waitpid(c, &status, 0) != c)
		return 1;
	printf("child: %s %d\n", WIFSIGNALED(status) ? "signal" : "exit",
	       WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
	return 0;
}
