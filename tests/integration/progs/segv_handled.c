/*
 * Handles its own SIGSEGV N times (as valgrind, JIT runtimes and garbage
 * collectors do), prints "handled N" and exits 0; with a second argument
 * it then restores the default action and dies of one more fault, or,
 * the argument being "reraise", takes that fault in a handler that
 * re-raises it with the default action (as crash reporters do).
 */
#include <setjmp.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static sigjmp_buf env;
/* Unmapped addresses, read at run time so the compiler cannot see them. */
static volatile uintptr_t first = 8, last = 16;

static void on_segv(int sig)
{
	(void)sig;
	siglongjmp(env, 1);
}

static void on_segv_reraise(int sig)
{
	signal(sig, SIG_DFL);
	raise(sig);
}

int main(int argc, char **argv)
{
	volatile int n = 0;
	int want = argc > 1 ? atoi(argv[1]) : 1000;
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_segv;
	if (sigaction(SIGSEGV, &sa, NULL) < 0)
		return 2;
	while (n < want) {
		if (!sigsetjmp(env, 1))
			*(volatile int *)first = 1;
		n++;
	}
	printf("handled %d\n", n);
	fflush(stdout);
	if (argc > 2) {
		signal(SIGSEGV, strcmp(argv[2], "reraise") ? SIG_DFL
							    : on_segv_reraise);
		*(volatile int *)last = 1;
	}
	return 0;
}
