/*
 * Outlive cabin: prints "ready pdeathsig N" (its parent-death signal,
 * PR_GET_PDEATHSIG), then waits for a line on stdin, which run.sh writes
 * only after it has killed cabin with SIGKILL and reaped it.  A program
 * still alive then prints "ESCAPED ..."; one that died with cabin
 * prints nothing more.
 */
#include <stdio.h>
#include <sys/prctl.h>

int main(void)
{
	char line[16];
	int sig = -1;

	setvbuf(stdout, NULL, _IONBF, 0);
	prctl(PR_GET_PDEATHSIG, &sig, 0, 0, 0);
	printf("ready pdeathsig %d\n", sig);
	if (!fgets(line, sizeof(line), stdin))
		return 1;
	printf("ESCAPED the program outlived cabin, killed with SIGKILL\n");
	return 0;
}
