/*
 * Escape attempt: SIGKILL cabin itself (argv[1], its pid from the test),
 * so that no report is written.  A line saying CONTAINED proves the
 * program reached the attack; the test checks that cabin wrote its report.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	pid_t cabin;

	if (argc < 2) {
		fprintf(stderr, "usage: %s CABIN-PID\n", argv[0]);
		return 2;
	}
	cabin = (pid_t)atoi(argv[1]);
	if (kill(cabin, SIGKILL) < 0) {
		printf("CONTAINED kill(%d, SIGKILL) failed: %s\n", cabin,
		       strerrorname_np(errno));
		return 0;
	}
	printf("ESCAPED kill(%d, SIGKILL) succeeded\n", cabin);
	return 0;
}
