/*
 * Prints "ready" and stops itself with SIGSTOP, the state in which a
 * signal other than SIGKILL stays pending.  If it is ever continued it
 * waits for a signal; exit 3 means it was continued and then not ended.
 */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

int main(void)
{
	printf("ready\n");
	fflush(stdout);
	raise(SIGSTOP);
	pause();
	return 3;
}
