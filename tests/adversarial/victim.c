/*
 * Test helper, not an escape: a process outside the sandbox for
 * ptrace_attach to hijack and kill_outside to signal.  Prints "ready PID"
 * once it runs, then calls getppid() in a loop until its standard input
 * ends (the test is done with it) and exits 0.  Exit status 42 means it
 * was hijacked; death by a signal, that it was killed.  Its lifetime is
 * the test's, not a number of seconds: a slow machine cannot end it early.
 */
#include <poll.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
	struct pollfd in = { .fd = STDIN_FILENO, .events = POLLIN };
	char c;

	printf("ready %d\n", (int)getpid());
	fflush(stdout);
	for (;;) {
		syscall(SYS_getppid);
		/* 20 ms paces the getppid() calls; it synchronises nothing. */
		if (poll(&in, 1, 20) > 0 && read(STDIN_FILENO, &c, 1) <= 0)
			return 0;
	}
}
