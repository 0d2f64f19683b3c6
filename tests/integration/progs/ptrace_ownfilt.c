/*
 * A child with a seccomp filter of its own that refuses openat (EACCES)
 * opens a file three times; with argument "traced" its parent traces it
 * with PTRACE_SYSCALL through every stop (entry and exit).  cabin's
 * trace must show the three refused calls either way.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void child(int traced)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_openat, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EACCES),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { sizeof(f) / sizeof(*f), f };
	int i, fd;

	if (traced && (ptrace(PTRACE_TRACEME, 0, NULL, NULL) < 0 ||
		       raise(SIGSTOP)))
		_exit(2);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog))
		_exit(3);
	for (i = 0; i < 3; i++) {
		fd = open("/etc/hostname", O_RDONLY);
		printf("open: %s\n", fd < 0 ? strerror(errno) : "opened");
	}
	fflush(stdout);
	_exit(0);
}

int main(int argc, char **argv)
{
	int traced = argc > 1 && !strcmp(argv[1], "traced");
	int status, sig;
	pid_t c;

	fflush(stdout);
	c = fork();
	if (c < 0)
		return 1;
	if (!c)
		child(traced);
	while (waitpid(c, &status, 0) == c && WIFSTOPPED(status)) {
		sig = WSTOPSIG(status) == SIGTRAP || WSTOPSIG(status) == SIGSTOP ?
		      0 : WSTOPSIG(status);
		ptrace(PTRACE_SYSCALL, c, NULL, (void *)(long)sig);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
