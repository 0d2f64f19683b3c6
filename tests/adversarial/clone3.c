/*
 * Escape attempt: clone3() with CLONE_UNTRACED, whose flags live in memory
 * where a seccomp filter cannot inspect them, to get an untraced child.
 */
#include <errno.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	struct clone_args args;
	long pid;
	int status;

	memset(&args, 0, sizeof(args));
	args.flags = CLONE_UNTRACED;
	args.exit_signal = SIGCHLD;
	/* No stack: the child runs on a copy of ours, like fork(). */
	pid = syscall(SYS_clone3, &args, sizeof(args));
	if (pid == 0)
		_exit(0);
	if (pid < 0) {
		printf("CONTAINED clone3(CLONE_UNTRACED) failed: %s\n",
		       strerrorname_np(errno));
		return 0;
	}
	waitpid(pid, &status, 0);
	printf("ESCAPED clone3(CLONE_UNTRACED) created untraced pid %ld\n", pid);
	return 0;
}
