/*
 * Test helper, not an escape: run a command on a fresh pseudo-terminal that
 * is its controlling terminal, copy its output to stdout, exit with its
 * status (128 + N when killed by signal N).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static void run_child(int master, int slave, char **argv)
{
	struct termios tio;

	close(master);
	if (setsid() < 0 || ioctl(slave, TIOCSCTTY, 0) < 0)
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
	int master, slave, status = 0;
	char buf[4096];
	pid_t pid;
	ssize_t n;

	if (argc < 2) {
		fprintf(stderr, "usage: %s PROGRAM [ARGS...]\n", argv[0]);
		return 125;
	}
	master = posix_openpt(O_RDWR | O_NOCTTY);
	if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0 ||
	    !ptsname(master)) {
		perror("pty_run: posix_openpt");
		return 125;
	}
	/* Opened here, so the other side is open from the start. */
	slave = open(ptsname(master), O_RDWR | O_NOCTTY);
	if (slave < 0) {
		perror("pty_run: open the pty");
		return 125;
	}
	pid = fork();
	if (pid < 0)
		return 125;
	if (pid == 0)
		run_child(master, slave, argv + 1);
	close(slave);

	/*
	 * Until every holder of the pty's other side has closed it (EIO):
	 * the kernel hands over all that was written before, so nothing
	 * waits for the pty to stay quiet for a while.
	 */
	for (;;) {
		n = read(master, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || write(STDOUT_FILENO, buf, n) != n)
			break;
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
