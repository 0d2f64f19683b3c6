/*
 * Escape attempt: SIGKILL the parent (the supervisor) and keep running
 * unsupervised; proof is a marker file (argv[1]) written afterwards, with
 * the result of a ptrace(PTRACE_TRACEME) that the supervisor would deny.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <time.h>
#include <unistd.h>

/*
 * Until the killed parent is gone (this process is reparented), polled
 * every 10 ms; 60 s bounds only a hang.  Under cabin, its death kills this
 * process before the reparenting shows.
 */
static void outlive(pid_t parent)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	int i;

	for (i = 0; i < 6000 && getppid() == parent; i++)
		nanosleep(&ts, NULL);
}

int main(int argc, char **argv)
{
	pid_t parent = getppid();
	long r;
	FILE *f;

	if (argc < 2) {
		fprintf(stderr, "usage: %s MARKER-FILE [TAG]\n", argv[0]);
		return 2;
	}
	/* Proof that the program ran and reached the attack. */
	printf("TRY kill(parent %d, SIGKILL)\n", parent);
	fflush(stdout);
	if (kill(parent, SIGKILL) < 0) {
		printf("CONTAINED kill(parent %d, SIGKILL) failed: %s\n",
		       parent, strerrorname_np(errno));
		return 0;
	}
	outlive(parent);
	errno = 0;
	r = ptrace(PTRACE_TRACEME, 0, NULL, NULL);
	f = fopen(argv[1], "w");
	if (!f) {
		printf("ESCAPED survived SIGKILL of parent %d (marker not written: %s)\n",
		       parent, strerrorname_np(errno));
		return 0;
	}
	fprintf(f, "pid %d survived SIGKILL of parent %d, ptrace(PTRACE_TRACEME) = %ld (%s)\n",
		getpid(), parent, r, r ? strerrorname_np(errno) : "ok");
	fclose(f);
	printf("ESCAPED survived SIGKILL of parent %d\n", parent);
	return 0;
}
