/*
 * forkbomb MODE N MARK
 *
 *   loop: the first process forks up to N children, each of which sleeps;
 *         prints "forked K" and, if a fork failed, "fork failed ENAME".
 *   bomb: every process forks in a loop, N rounds (so up to 2^N
 *         processes if nothing stops it), then the first one forks up
 *         to 40 more sleepers until a fork fails, and prints as above.
 *
 * The first process exits 0 right after printing, leaving the sleepers
 * for cabin to clean up.  A sleeper never ends by itself, so a leftover
 * stays one however long the test looks (the suite kills leftovers at its
 * end).  MARK only makes the command line unique, so the test can look
 * for leftovers with pgrep -f.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void sleeper(void)
{
	for (;;)
		pause();
}

int main(int argc, char **argv)
{
	pid_t first = getpid();
	int n, i, forked = 0, failed = 0, bomb;

	if (argc != 4)
		return 2;
	bomb = !strcmp(argv[1], "bomb");
	n = atoi(argv[2]);
	for (i = 0; i < n; i++) {
		pid_t p = fork();

		if (p < 0) {
			failed = errno;
			break;
		}
		if (p == 0) {
			if (!bomb)
				sleeper();
			continue;	/* a bomb child keeps forking */
		}
		if (getpid() == first)
			forked++;
	}
	if (getpid() != first)
		sleeper();
	/* A bomb's first process keeps trying, so that it sees the limit. */
	for (i = 0; bomb && !failed && i < 40; i++) {
		pid_t p = fork();

		if (p < 0)
			failed = errno;
		else if (p == 0)
			sleeper();
		else
			forked++;
	}
	printf("forked %d\n", forked);
	if (failed)
		printf("fork failed %s\n", strerrorname_np(failed));
	return 0;
}
