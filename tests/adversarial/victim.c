/*
 * Test helper, not an escape: a process outside the sandbox for
 * ptrace_attach to hijack. Calls getppid() in a loop and exits 0 after
 * argv[1] seconds (default 15); exit status 42 means it was tampered with.
 */
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	long rounds = (argc > 1 ? atol(argv[1]) : 15) * 50;

	while (rounds-- > 0) {
		syscall(SYS_getppid);
		nanosleep(&ts, NULL);
	}
	return 0;
}
