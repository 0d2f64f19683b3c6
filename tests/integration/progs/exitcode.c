/* exitcode: small process-lifecycle helpers for the integration suite.
 *
 *   exitcode exit N                 exit with status N
 *   exitcode raise SIG              raise signal number SIG (user-sent)
 *   exitcode segv                   write through a NULL pointer
 *   exitcode vfork PROG [ARGS...]   vfork + execv PROG, wait, report
 *   exitcode spawn PROG [ARGS...]   posix_spawn PROG, wait, report
 *   exitcode execveat PATH [ARGS]   open PATH, execveat(fd, "", AT_EMPTY_PATH)
 *   exitcode execveat-dir DIR NAME [ARGS]
 *                                   execveat(open(DIR), NAME, 0)
 *   exitcode setsid                 child setsid(), grandchild setpgid(0,0)
 *
 * The reporting modes exit with the waited child's exit code.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static int report(const char *what, pid_t pid)
{
	int st;
	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR) {
			perror("waitpid");
			return 99;
		}
	}
	if (WIFEXITED(st)) {
		printf("%s: exited %d\n", what, WEXITSTATUS(st));
		fflush(stdout);
		return WEXITSTATUS(st);
	}
	if (WIFSIGNALED(st)) {
		printf("%s: killed by signal %d\n", what, WTERMSIG(st));
		fflush(stdout);
		return 128 + WTERMSIG(st);
	}
	printf("%s: status 0x%x\n", what, st);
	return 99;
}

static int do_execveat(int dirfd, const char *name, char **argv, int flags)
{
	fflush(stdout);
	syscall(SYS_execveat, dirfd, name, argv, environ, flags);
	fprintf(stderr, "execveat: %s\n", strerror(errno));
	return 1;
}

static int do_setsid(void)
{
	pid_t my_sid = getsid(0);
	fflush(stdout);
	pid_t c = fork();
	if (c < 0) {
		perror("fork");
		return 99;
	}
	if (c == 0) {
		if (setsid() < 0) {
			perror("setsid");
			_exit(1);
		}
		printf("child: session leader %d, new session %d\n",
		       getsid(0) == getpid() && getpgrp() == getpid(),
		       getsid(0) != my_sid);
		fflush(stdout);
		pid_t g = fork();
		if (g < 0)
			_exit(99);
		if (g == 0) {
			if (setpgid(0, 0) < 0) {
				perror("setpgid");
				_exit(1);
			}
			printf("grandchild: own group %d, same session %d\n",
			       getpgrp() == getpid(), getsid(0) == getppid());
			fflush(stdout);
			_exit(4);
		}
		_exit(report("grandchild", g) + 1);
	}
	return report("child", c);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		goto usage;
	const char *mode = argv[1];

	if (strcmp(mode, "exit") == 0 && argc == 3)
		return atoi(argv[2]);

	if (strcmp(mode, "raise") == 0 && argc == 3) {
		raise(atoi(argv[2]));
		fprintf(stderr, "exitcode: survived signal %s\n", argv[2]);
		return 1;
	}

	if (strcmp(mode, "segv") == 0) {
		*(volatile int *)(uintptr_t)0 = 1;
		return 1;
	}

	if (strcmp(mode, "vfork") == 0 && argc >= 3) {
		fflush(stdout);
		pid_t pid = vfork();
		if (pid < 0) {
			perror("vfork");
			return 99;
		}
		if (pid == 0) {
			execv(argv[2], &argv[2]);
			_exit(127);
		}
		return report("vfork", pid);
	}

	if (strcmp(mode, "spawn") == 0 && argc >= 3) {
		pid_t pid;
		fflush(stdout);
		int e = posix_spawn(&pid, argv[2], NULL, NULL, &argv[2], environ);
		if (e) {
			fprintf(stderr, "posix_spawn: %s\n", strerror(e));
			return 99;
		}
		return report("spawn", pid);
	}

	if (strcmp(mode, "execveat") == 0 && argc >= 3) {
		int fd = open(argv[2], O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			perror(argv[2]);
			return 1;
		}
		return do_execveat(fd, "", &argv[2], AT_EMPTY_PATH);
	}

	if (strcmp(mode, "execveat-dir") == 0 && argc >= 4) {
		int dfd = open(argv[2], O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (dfd < 0) {
			perror(argv[2]);
			return 1;
		}
		return do_execveat(dfd, argv[3], &argv[3], 0);
	}

	if (strcmp(mode, "setsid") == 0)
		return do_setsid();

usage:
	fprintf(stderr, "usage: exitcode exit N | raise SIG | segv | vfork PROG... |"
			" spawn PROG... | execveat PATH... | execveat-dir DIR NAME... | setsid\n");
	return 2;
}
