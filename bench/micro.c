/*
 * micro - syscall microbenchmarks for Cabin: runs one workload N times after
 * a warm-up and prints the mean wall-clock nanoseconds per operation.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static int zero_fd = -1;

static void die(const char *what)
{
	fprintf(stderr, "micro: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void op_getppid(void)
{
	if (getppid() < 0)
		die("getppid");
}

static void op_read1(void)
{
	char c;

	if (read(zero_fd, &c, 1) != 1)
		die("read /dev/zero");
}

static void op_openclose(void)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		die("open /dev/null");
	if (close(fd) < 0)
		die("close");
}

static void op_forkexec(void)
{
	static char *const argv[] = { "true", NULL };
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		execve("/bin/true", argv, environ);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid)
		die("waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "micro: /bin/true failed (status 0x%x)\n",
			status);
		exit(1);
	}
}

struct workload {
	const char *name;
	void (*op)(void);
};

static const struct workload workloads[] = {
	{ "getppid", op_getppid },
	{ "read1", op_read1 },
	{ "openclose", op_openclose },
	{ "forkexec", op_forkexec },
};

#define NWORKLOADS (sizeof(workloads) / sizeof(workloads[0]))

static void usage(void)
{
	size_t i;

	fprintf(stderr, "usage: micro WORKLOAD ITERATIONS\nworkloads:");
	for (i = 0; i < NWORKLOADS; i++)
		fprintf(stderr, " %s", workloads[i].name);
	fputc('\n', stderr);
	exit(2);
}

static unsigned long long now_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) < 0)
		die("clock_gettime");
	return (unsigned long long)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	const struct workload *w = NULL;
	unsigned long long start, end;
	unsigned long n, warm, i;
	char *endp;
	size_t k;

	if (argc != 3)
		usage();
	for (k = 0; k < NWORKLOADS; k++)
		if (strcmp(argv[1], workloads[k].name) == 0)
			w = &workloads[k];
	if (!w)
		usage();
	errno = 0;
	n = strtoul(argv[2], &endp, 10);
	if (errno || endp == argv[2] || *endp || n == 0 || argv[2][0] == '-')
		usage();

	zero_fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);
	if (zero_fd < 0)
		die("open /dev/zero");

	warm = n / 10 + 1;
	for (i = 0; i < warm; i++)
		w->op();

	start = now_ns();
	for (i = 0; i < n; i++)
		w->op();
	end = now_ns();

	printf("%s %lu %.1f ns/op\n", w->name, n, (double)(end - start) / n);
	return 0;
}
