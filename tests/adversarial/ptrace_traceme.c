/*
 * Escape attempt: a forked child asks to be traced (PTRACE_TRACEME) and the
 * parent rewrites the child's next syscall at its syscall-entry stop
 * (getppid becomes keyctl, which the policy denies), i.e. ptrace-based
 * syscall tampering; the result is read at the exit stop.
 */
#include <linux/keyctl.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

static long tracer_pid(void)
{
	char line[256];
	long pid = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "TracerPid: %ld", &pid) == 1)
			break;
	fclose(f);
	return pid;
}

static void child(int fd)
{
	long res[2];

	res[0] = tracer_pid();
	res[1] = ptrace(PTRACE_TRACEME, 0, NULL, NULL) ? errno : 0;
	if (write(fd, res, sizeof(res)) != sizeof(res) || res[1])
		_exit(1);
	raise(SIGSTOP);
	syscall(SYS_getppid);
	_exit(0);
}

/*
 * Run to the entry of the child's getppid and turn it into keyctl; the
 * result at its exit stop: a keyring serial if it ran, else -errno.
 */
static long rewrite(pid_t pid)
{
	struct user_regs_struct regs;
	int status, i;

	if (waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status))
		return -1;
	ptrace(PTRACE_SETOPTIONS, pid, NULL, (void *)PTRACE_O_TRACESYSGOOD);
	for (i = 0; i < 100; i++) {
		if (ptrace(PTRACE_SYSCALL, pid, NULL, NULL) < 0 ||
		    waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status))
			return -1;
		if (WSTOPSIG(status) != (SIGTRAP | 0x80) ||
		    ptrace(PTRACE_GETREGS, pid, NULL, &regs) < 0)
			continue;
		if (regs.rax != (unsigned long long)-ENOSYS ||
		    regs.orig_rax != SYS_getppid)
			continue;
		regs.orig_rax = SYS_keyctl;
		regs.rdi = KEYCTL_GET_KEYRING_ID;
		regs.rsi = (unsigned long long)KEY_SPEC_SESSION_KEYRING;
		regs.rdx = 1;
		if (ptrace(PTRACE_SETREGS, pid, NULL, &regs) < 0 ||
		    ptrace(PTRACE_SYSCALL, pid, NULL, NULL) < 0 ||
		    waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status) ||
		    ptrace(PTRACE_GETREGS, pid, NULL, &regs) < 0)
			return -EIO;
		ptrace(PTRACE_CONT, pid, NULL, NULL);
		waitpid(pid, &status, 0);
		return (long)regs.rax;
	}
	return -EIO;
}

int main(void)
{
	long res[2] = { -1, EIO }, ret;
	int fds[2], status;
	pid_t pid;

	if (pipe(fds) < 0)
		return 2;
	pid = fork();
	if (pid < 0)
		return 2;
	if (pid == 0)
		child(fds[1]);
	close(fds[1]);
	if (read(fds[0], res, sizeof(res)) != sizeof(res) || res[1]) {
		waitpid(pid, &status, 0);
		if (res[0] > 0)
			printf("CONTAINED PTRACE_TRACEME failed: %s (child already traced by pid %ld)\n",
			       strerrorname_np(res[1]), res[0]);
		else
			printf("CONTAINED PTRACE_TRACEME failed: %s\n",
			       strerrorname_np(res[1]));
		return 0;
	}
	ret = rewrite(pid);
	if (ret >= 0) {
		printf("ESCAPED traced child's getppid() rewritten to keyctl, which ran (keyring %ld)\n",
		       ret);
		return 0;
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	printf("CONTAINED traced child's getppid() rewritten to keyctl: %s\n",
	       strerrorname_np((int)-ret));
	return 0;
}
