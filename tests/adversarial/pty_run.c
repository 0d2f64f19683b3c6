/*
 * Test helper, not an escape: run a command on a fresh pseudo-terminal that
 * is its controlling terminal, copy its output to stdout, exit with its
 * status (128 + N when killed by signal N).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static void run_child(int master, char **argv)
{
	const char *name = ptsname(master);
	struct termios tio;
	int slave;

	close(master);
	if (!name || setsid() < 0)
		_exit(125);
	slave = open(name, O_RDWR);
	if (slave < 0 || ioctl(slave, TIOCSCTTY, 0) < 0)
		_exit(125);
	/* Raw: no echo of injected bytes, no \r added to the output. */
	if (tcgetattr(slave, &tio) == 0) {
		cfmakeraw(&tio);
		tcsetattr(slave, TCSANOW, &tio);
	}
	dup2(slave, 0);
	dup2(slave, 1);
	dup2(slave, 2);
	if (slave > 2)
		close(slave);
	execvp(argv[0], argv);
	_exit(errno == ENOENT ? 127 : 126);
}

int main(int argc, char **argv)
{
	struct pollfd pfd;
	int master, status = 0, done = 0;
	char buf[4096];
	pid_t pid;
	ssize_t n;

	if (argc < 2) {
		fprintf(stderr, "usage: %s PROGRAM [ARGS...]\n", argv[0]);
		return 125;
	}
	master = posix_openpt(O_RDWR | O_NOCTTY);
	if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0) {
		perror("pty_run: posix_openpt");
		return 125;
	}
	pid = fork();
	if (pid < 0)
		return 125;
	if (pid == 0)
		run_child(master, argv + 1);

	pfd.fd = master;
	pfd.events = POLLIN;
	for (;;) {
		/* Once the child is gone, drain until the pty stays quiet. */
		if (poll(&pfd, 1, done ? 100 : 50) > 0) {
			n = read(master, buf, sizeof(buf));
			if (n <= 0)
				break;
			if (write(STDOUT_FILENO, buf, n) != n)
				break;
			continue;
		}
		if (done)
			break;
		if (waitpid(pid, &status, WNOHANG) == pid)
			done = 1;
	}
	if (!done)
		waitpid(pid, &status, 0);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
