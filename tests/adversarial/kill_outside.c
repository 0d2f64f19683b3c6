/*
 * Escape attempt: SIGTERM a process outside the sandbox (argv[1], the
 * test's victim).  kill() succeeding is the escape; the test also checks
 * that the victim lived.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	pid_t victim;

	if (argc < 2) {
		fprintf(stderr, "usage: %s PID\n", argv[0]);
		return 2;
	}
	victim = (pid_t)atoi(argv[1]);
	if (kill(victim, SIGTERM) < 0) {
		printf("CONTAINED kill(%d, SIGTERM) failed: %s\n", victim,
		       strerrorname_np(errno));
		return 0;
	}
	printf("ESCAPED kill(%d, SIGTERM) succeeded\n", victim);
	return 0;
}
