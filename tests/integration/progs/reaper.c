/* reaper: run a command as a child subreaper, so that everything the
 * command leaves behind is reparented to us and reaped (no zombies stuck
 * on a PID 1 that does not reap).
 *
 *   reaper PIDFILE CMD [ARGS...]
 *
 * Writes CMD's pid to PIDFILE, reaps every descendant that gets
 * reparented here, and exits only when none is left, with CMD's status
 * (exit code, or 128+N if killed by signal N).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: reaper PIDFILE CMD [ARGS...]\n");
		return 2;
	}
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0) {
		perror("PR_SET_CHILD_SUBREAPER");
		return 125;
	}
	pid_t cmd = fork();
	if (cmd < 0) {
		perror("fork");
		return 125;
	}
	if (cmd == 0) {
		execvp(argv[2], &argv[2]);
		perror(argv[2]);
		_exit(127);
	}
	FILE *f = fopen(argv[1], "w");
	if (!f || fprintf(f, "%d\n", (int)cmd) < 0 || fclose(f) != 0) {
		perror(argv[1]);
		kill(cmd, SIGKILL);
	}

	int status = 125;
	for (;;) {
		int st;
		pid_t p = waitpid(-1, &st, 0);
		if (p < 0) {
			if (errno == EINTR)
				continue;
			break; /* ECHILD: nothing left */
		}
		if (p == cmd)
			status = WIFEXITED(st) ? WEXITSTATUS(st) :
				 WIFSIGNALED(st) ? 128 + WTERMSIG(st) : 125;
	}
	return status;
}
