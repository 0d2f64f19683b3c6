/*
 * Processes on the kvm platform, compared with a native run: fork with a
 * copy of memory, MAP_SHARED memory that stays shared, pipes, exec, exit
 * statuses and deaths by signal through wait, signals between processes,
 * getppid, inherited descriptors, posix_spawn (vfork).  Prints one line
 * per case; the output must match the native run's exactly.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kvm_status.h"

extern char **environ;

static int global = 1;
static volatile uintptr_t bad_addr = 16;
static volatile sig_atomic_t got_usr1;

static void on_usr1(int sig)
{
	(void)sig;
	got_usr1 = 1;
}

static int wait_for(pid_t pid)
{
	int st = 0;

	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return st;
}

static void copy_on_write(void)
{
	int *shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t pid;

	*shared = 1;
	pid = fork();
	if (pid == 0) {
		global = 2;
		*shared = 2;
		_exit(0);
	}
	wait_for(pid);
	printf("cow: parent's global %d, shared page %d\n", global, *shared);
}

static void pipe_and_status(void)
{
	int fd[2], st;
	char buf[64] = "";
	ssize_t n;
	pid_t pid;

	if (pipe(fd) < 0)
		return;
	pid = fork();
	if (pid == 0) {
		close(fd[0]);
		dprintf(fd[1], "hello from %s", getppid() > 1 ? "the child" : "?");
		_exit(3);
	}
	close(fd[1]);
	n = read(fd[0], buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = 0;
	close(fd[0]);
	st = wait_for(pid);
	printf("pipe: %s\n", buf);
	status_line("pipe child", st);
}

static void getppid_matches(void)
{
	pid_t me = getpid(), pid = fork();

	if (pid == 0)
		_exit(getppid() == me ? 0 : 1);
	status_line("getppid is the parent's pid", wait_for(pid));
}

static void exec_child(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		execl("/bin/echo", "echo", "exec: echo ran", (char *)NULL);
		_exit(127);
	}
	status_line("exec child", wait_for(pid));
	pid = fork();
	if (pid == 0) {
		execl("/nonexistent", "x", (char *)NULL);
		_exit(errno == ENOENT ? 9 : 8);
	}
	status_line("exec of a missing file", wait_for(pid));
}

/* A child that waits for signals, sent sig at once (it may not run yet). */
static void kill_pausing_child(int sig, const char *what)
{
	pid_t pid = fork();

	if (pid == 0) {
		for (;;)
			pause();
	}
	kill(pid, sig);
	status_line(what, wait_for(pid));
}

static void deaths(void)
{
	pid_t pid;

	kill_pausing_child(SIGTERM, "SIGTERM child");
	kill_pausing_child(SIGKILL, "SIGKILL child");
	pid = fork();
	if (pid == 0) {
		volatile int *nowhere = (volatile int *)(uintptr_t)bad_addr;

		*nowhere = 1;
		_exit(0);
	}
	status_line("faulting child", wait_for(pid));
}

static void signal_parent(void)
{
	sigset_t block, old;
	pid_t pid;

	signal(SIGUSR1, on_usr1);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, &old);
	pid = fork();
	if (pid == 0) {
		kill(getppid(), SIGUSR1);
		_exit(0);
	}
	while (!got_usr1)
		sigsuspend(&old);
	sigprocmask(SIG_SETMASK, &old, NULL);
	wait_for(pid);
	printf("signal from the child: %s\n", got_usr1 ? "got SIGUSR1" : "none");
}

static void inherited_fd(void)
{
	char path[] = "/tmp/kvm_procs.XXXXXX", buf[32] = "";
	int fd = mkstemp(path);
	pid_t pid;

	if (fd < 0) {
		printf("mkstemp: %s\n", strerror(errno));
		return;
	}
	pid = fork();
	if (pid == 0) {
		(void)!write(fd, "child wrote\n", 12);
		_exit(0);
	}
	wait_for(pid);
	(void)!pread(fd, buf, sizeof(buf) - 1, 0);
	printf("inherited descriptor: %s", buf);
	close(fd);
	unlink(path);
}

static void spawn(void)
{
	char *argv[] = { "echo", "spawn: echo ran", NULL };
	pid_t pid;
	int err = posix_spawn(&pid, "/bin/echo", NULL, NULL, argv, environ);

	if (err) {
		printf("posix_spawn: %s\n", strerror(err));
		return;
	}
	status_line("spawned", wait_for(pid));
}

static void no_child(void)
{
	pid_t r;

	errno = 0;
	r = waitpid(-1, NULL, 0);
	printf("waitpid without children: %d %s\n", (int)r, strerror(errno));
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	copy_on_write();
	pipe_and_status();
	getppid_matches();
	exec_child();
	deaths();
	signal_parent();
	inherited_fd();
	spawn();
	no_child();
	return 0;
}
