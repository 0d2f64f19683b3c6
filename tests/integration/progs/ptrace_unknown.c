/*
 * A tracer asks for a request cabin's ptrace emulation does not do
 * (PTRACE_ARCH_PRCTL, twice) on its stopped child: natively it works;
 * inside the sandbox it fails with EIO, never hangs, and the child is let
 * go and exits 0.  Prints each result and the child's status.
 */
#include <asm/prctl.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	unsigned long fs;
	int status, i;
	long r;
	pid_t pid = fork();

	if (pid < 0)
		return 2;
	if (pid == 0) {
		if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) < 0)
			_exit(3);
		raise(SIGSTOP);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status))
		return 4;
	for (i = 0; i < 2; i++) {
		r = ptrace(PTRACE_ARCH_PRCTL, pid, &fs, (void *)ARCH_GET_FS);
		printf("PTRACE_ARCH_PRCTL: %s\n", r < 0 ? strerrorname_np(errno) : "ok");
	}
	ptrace(PTRACE_CONT, pid, NULL, NULL);
	waitpid(pid, &status, 0);
	printf("child: %s %d\n", WIFEXITED(status) ? "exit" : "signal",
	       WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	return 0;
}
