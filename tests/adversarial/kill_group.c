/*
 * Escape attempt: SIGKILL the whole process group with kill(0, ...).  The
 * program starts in cabin's group, and a PID namespace does not cut a
 * group: a killed cabin writes no report.  The program may die of its
 * own signal (then it printed only ATTEMPT); the test checks that cabin
 * survived and wrote its report.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
	printf("ATTEMPT kill(0, SIGKILL)\n");
	fflush(stdout);
	if (kill(0, SIGKILL) < 0) {
		printf("CONTAINED kill(0, SIGKILL) failed: %s\n",
		       strerrorname_np(errno));
		return 0;
	}
	printf("ESCAPED kill(0, SIGKILL) returned\n");
	return 0;
}
