/*
 * A program that confines itself with libcabin (cabin_init, cabin_enter),
 * for tests/integration (built in the tree) and tests/install (built
 * against the installed library with pkg-config).
 *
 *   enter acts OUTSIDE REPORT   the same acts before and after the entry:
 *                               a write outside the working directory,
 *                               one inside, ptrace, a forked child's write;
 *                               exits 7
 *   enter wait REPORT           enters, says "entered", waits on stdin
 *                               (the test kills it from outside)
 *   enter leader                enters, starts a thread that says "thread:
 *                               ran" and exits 5; the main thread calls
 *                               pthread_exit before
 *   enter misuse                cabin_enter before cabin_init, cabin_init
 *                               twice: each result and reason
 *   enter platform NAME         cabin_init on platform NAME: its result
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE			/* strerrorname_np, built with plain cc */
#endif
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cabin/cabin.h>

static void try_write(const char *who, const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	printf("%s: write %s: %s\n", who, path,
	       fd >= 0 ? "ok" : strerrorname_np(errno));
	if (fd >= 0)
		close(fd);
	fflush(stdout);
}

static void try_ptrace(const char *who)
{
	long r = ptrace(PTRACE_TRACEME, 0, 0, 0);

	printf("%s: ptrace: %s\n", who, r == 0 ? "ok" : strerrorname_np(errno));
	fflush(stdout);
}

static int enter(const char *report)
{
	struct cabin_config cfg = {
		.profile = "default", .report_path = report,
	};

	if (cabin_init(&cfg) < 0) {
		printf("cabin_init failed: %s\n", cabin_error());
		return -1;
	}
	if (cabin_enter() < 0) {
		printf("cabin_enter failed: %s\n", cabin_error());
		return -1;
	}
	return 0;
}

static int acts(const char *outside, const char *report)
{
	int status;
	pid_t child;

	try_write("before", outside);
	if (enter(report) < 0)
		return 1;
	try_write("after", outside);
	try_write("after", "inside");
	try_ptrace("after");
	child = fork();
	if (child == 0) {
		try_write("child", outside);
		_exit(3);
	}
	if (child < 0 || waitpid(child, &status, 0) != child)
		return 1;
	printf("child: exit %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	return 7;
}

/* The main thread's state letter in /proc, or '?'. */
static char leader_state(void)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", getpid());
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return '?';
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : '?';
}

/* Runs on once the main thread is gone (a zombie): the process is not. */
static void *last_thread(void *arg)
{
	(void)arg;
	while (leader_state() != 'Z')
		sched_yield();
	printf("thread: ran\n");
	fflush(stdout);
	exit(5);
}

static int leader(void)
{
	pthread_t t;

	if (enter(NULL) < 0 || pthread_create(&t, NULL, last_thread, NULL))
		return 1;
	pthread_exit(NULL);
}

static void said(const char *what, int err)
{
	printf("%s: %s: %s\n", what, err ? strerrorname_np(-err) : "0",
	       cabin_error());
}

static int misuse(void)
{
	struct cabin_config cfg = { .profile = "default" };

	said("enter first", cabin_enter());
	said("init", cabin_init(&cfg));
	said("init again", cabin_init(&cfg));
	return 0;
}

int main(int argc, char **argv)
{
	struct cabin_config cfg = { 0 };
	char c;

	if (argc == 4 && !strcmp(argv[1], "acts"))
		return acts(argv[2], argv[3]);
	if (argc == 3 && !strcmp(argv[1], "wait")) {
		if (enter(argv[2]) < 0)
			return 1;
		printf("entered\n");
		fflush(stdout);
		while (read(0, &c, 1) > 0)
			;
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "leader"))
		return leader();
	if (argc == 2 && !strcmp(argv[1], "misuse"))
		return misuse();
	if (argc == 3 && !strcmp(argv[1], "platform")) {
		cfg.platform = argv[2];
		said("init", cabin_init(&cfg));
		return 0;
	}
	fprintf(stderr, "usage: %s acts OUTSIDE REPORT | wait REPORT | misuse | platform NAME\n",
		argv[0]);
	return 2;
}
