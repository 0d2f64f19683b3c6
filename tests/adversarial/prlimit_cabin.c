/*
 * Escape attempt (candidate): change the resource limits of a process
 * outside the tree.  prlimit64 on another process needs only matching
 * user and group ids (no capability check on the target, unlike ptrace),
 * so without a PID namespace the program can name its parent, cabin, or
 * any other process of the same user (argv[1]).  RLIMIT_FSIZE 0 makes
 * cabin's next write to its trace or report file fail with SIGXFSZ, so
 * the record of what the program did is lost.  Success is the call
 * succeeding and the target's limit reading back as 0.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	pid_t target = argc > 1 ? atoi(argv[1]) : getppid();
	struct rlimit zero = { 0, 0 }, now;

	if (target == 1) {
		printf("CONTAINED: the parent is a PID namespace's init, "
		       "cabin is not visible\n");
		return 0;
	}
	if (prlimit(target, RLIMIT_FSIZE, &zero, NULL) < 0) {
		printf("CONTAINED: prlimit(%d, RLIMIT_FSIZE): %s\n", (int)target,
		       strerror(errno));
		return 0;
	}
	if (prlimit(target, RLIMIT_FSIZE, NULL, &now) == 0 && now.rlim_cur == 0)
		printf("ESCAPED: RLIMIT_FSIZE of pid %d is now 0\n", (int)target);
	else
		printf("CONTAINED: the limit did not change\n");
	return 0;
}
