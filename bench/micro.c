/*
 * micro - the measuring half of Cabin's benchmarks (bench/run.sh drives it).
 *
 *   micro WORKLOAD N          run one syscall workload N times after a
 *                             warm-up of N/10, in 10 batches (N >= 10),
 *                             print "WORKLOAD N NS ns/op", NS the median
 *                             of the batches' means (robust to the odd
 *                             preemption on a shared machine)
 *   micro spawn N CMD...      fork+exec CMD N times after one warm-up
 *                             spawn, print "spawn N NS ns/op" (startup)
 *   micro run FILE CMD...     run CMD once; write "WALL_NS MAXRSS_KB
 *                             HWM_KB STATUS" to FILE (or, for "-", to
 *                             stderr after "micro run: ") and exit as CMD
 *                             did
 *
 * MAXRSS_KB is ru_maxrss from wait4(), the figure GNU time's %M prints: the
 * largest of the child and every descendant reaped below it. HWM_KB is the
 * child's own VmHWM from /proc, sampled every 10 ms while it runs, so it
 * is the peak of that one process (the last sample before it exits).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define MAP_SMALL (64UL << 10)
#define MAP_TOUCH (64UL << 20)
#define NBATCH 10

static int zero_fd = -1;
static int ping_wr = -1, pong_rd = -1;
static pid_t pong_pid = -1;
static long page_size;

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

static void op_mmap64k(void)
{
	void *p = mmap(NULL, MAP_SMALL, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		die("mmap 64 KiB");
	if (munmap(p, MAP_SMALL) < 0)
		die("munmap");
}

/* 64 MiB of fresh anonymous memory, one write per 4 KiB page (no THP). */
static void op_touch64m(void)
{
	volatile char *p;
	size_t off;

	p = mmap(NULL, MAP_TOUCH, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		die("mmap 64 MiB");
	if (madvise((void *)p, MAP_TOUCH, MADV_NOHUGEPAGE) < 0)
		die("madvise");
	for (off = 0; off < MAP_TOUCH; off += page_size)
		p[off] = 1;
	if (munmap((void *)p, MAP_TOUCH) < 0)
		die("munmap");
}

/* One round trip of a byte to the child started by pipe_setup(). */
static void op_pipe(void)
{
	char c = 'x';

	if (write(ping_wr, &c, 1) != 1)
		die("write ping");
	if (read(pong_rd, &c, 1) != 1)
		die("read pong");
}

static void pipe_setup(void)
{
	int ping[2], pong[2];
	char c;

	if (pipe2(ping, O_CLOEXEC) < 0 || pipe2(pong, O_CLOEXEC) < 0)
		die("pipe");
	pong_pid = fork();
	if (pong_pid < 0)
		die("fork");
	if (pong_pid == 0) {
		close(ping[1]);
		close(pong[0]);
		while (read(ping[0], &c, 1) == 1)
			if (write(pong[1], &c, 1) != 1)
				_exit(1);
		_exit(0);
	}
	close(ping[0]);
	close(pong[1]);
	ping_wr = ping[1];
	pong_rd = pong[0];
}

static void pipe_teardown(void)
{
	int status;

	close(ping_wr);
	close(pong_rd);
	if (waitpid(pong_pid, &status, 0) != pong_pid)
		die("waitpid");
}

static void wait_ok(pid_t pid, const char *what)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		die("waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "micro: %s failed (status 0x%x)\n", what,
			status);
		exit(1);
	}
}

static void op_forkwait(void)
{
	pid_t pid = fork();

	if (pid < 0)
		die("fork");
	if (pid == 0)
		_exit(0);
	wait_ok(pid, "child");
}

static void op_forkexec(void)
{
	static char *const argv[] = { "true", NULL };
	pid_t pid;

	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		execve("/bin/true", argv, environ);
		_exit(127);
	}
	wait_ok(pid, "/bin/true");
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

struct workload {
	const char *name;
	void (*op)(void);
	void (*setup)(void);
	void (*teardown)(void);
};

static const struct workload workloads[] = {
	{ "getppid", op_getppid, NULL, NULL },
	{ "read1", op_read1, NULL, NULL },
	{ "openclose", op_openclose, NULL, NULL },
	{ "mmap64k", op_mmap64k, NULL, NULL },
	{ "touch64m", op_touch64m, NULL, NULL },
	{ "pipe", op_pipe, pipe_setup, pipe_teardown },
	{ "forkwait", op_forkwait, NULL, NULL },
	{ "forkexec", op_forkexec, NULL, NULL },
};

#define NWORKLOADS (sizeof(workloads) / sizeof(workloads[0]))

static void usage(void)
{
	size_t i;

	fprintf(stderr,
		"usage: micro WORKLOAD N | spawn N CMD... | run FILE CMD...\n"
		"workloads:");
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

static unsigned long parse_count(const char *s)
{
	unsigned long n;
	char *endp;

	errno = 0;
	n = strtoul(s, &endp, 10);
	if (errno || endp == s || *endp || n == 0 || s[0] == '-')
		usage();
	return n;
}

static pid_t spawn(char **argv)
{
	pid_t pid = fork();

	if (pid < 0)
		die("fork");
	if (pid == 0) {
		execvp(argv[0], argv);
		fprintf(stderr, "micro: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	return pid;
}

static int cmd_spawn(unsigned long n, char **argv)
{
	unsigned long long start, end;
	unsigned long i;

	wait_ok(spawn(argv), argv[0]);
	start = now_ns();
	for (i = 0; i < n; i++)
		wait_ok(spawn(argv), argv[0]);
	end = now_ns();
	printf("spawn %lu %.1f ns/op\n", n, (double)(end - start) / n);
	return 0;
}

/* VmHWM of pid in KiB, or -1 once it is gone or has no memory left. */
static long read_hwm(pid_t pid)
{
	char path[64], line[256];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmHWM: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static void child_exec(char **argv, const sigset_t *old)
{
	sigprocmask(SIG_SETMASK, old, NULL);
	execvp(argv[0], argv);
	fprintf(stderr, "micro: %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/*
 * FILE "-" prints the result on stderr as "micro run: ..." and samples
 * nothing; otherwise the child's VmHWM is sampled every 10 ms, waking at
 * once on SIGCHLD so that the wall time is not rounded up to a sample.
 */
static int cmd_run(const char *file, char **argv)
{
	unsigned long long start, end;
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	int sample = strcmp(file, "-") != 0;
	sigset_t chld, old;
	struct rusage ru;
	long hwm = -1, kb;
	pid_t pid, r;
	int status;
	FILE *f;

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &chld, &old) < 0)
		die("sigprocmask");
	start = now_ns();
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0)
		child_exec(argv, &old);
	for (;;) {
		r = wait4(pid, &status, sample ? WNOHANG : 0, &ru);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			die("wait4");
		if (r != 0)
			continue;
		kb = read_hwm(pid);
		if (kb > hwm)
			hwm = kb;
		if (sigtimedwait(&chld, NULL, &tick) < 0 && errno != EAGAIN &&
		    errno != EINTR)
			die("sigtimedwait");
	}
	end = now_ns();

	if (!sample) {
		fprintf(stderr, "micro run: %llu %ld %ld %d\n", end - start,
			ru.ru_maxrss, hwm, status);
	} else {
		f = fopen(file, "we");
		if (!f)
			die(file);
		fprintf(f, "%llu %ld %ld %d\n", end - start, ru.ru_maxrss, hwm,
			status);
		if (fclose(f) != 0)
			die(file);
	}
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

int main(int argc, char **argv)
{
	const struct workload *w = NULL;
	unsigned long long start, end;
	unsigned long n, warm, i, per, b, nb;
	double batch[NBATCH];
	size_t k;

	if (argc >= 4 && strcmp(argv[1], "spawn") == 0)
		return cmd_spawn(parse_count(argv[2]), argv + 3);
	if (argc >= 4 && strcmp(argv[1], "run") == 0)
		return cmd_run(argv[2], argv + 3);
	if (argc != 3)
		usage();
	for (k = 0; k < NWORKLOADS; k++)
		if (strcmp(argv[1], workloads[k].name) == 0)
			w = &workloads[k];
	if (!w)
		usage();
	n = parse_count(argv[2]);

	page_size = sysconf(_SC_PAGESIZE);
	if (page_size <= 0)
		page_size = 4096;
	zero_fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);
	if (zero_fd < 0)
		die("open /dev/zero");
	if (w->setup)
		w->setup();

	warm = n / 10 + 1;
	for (i = 0; i < warm; i++)
		w->op();

	nb = n >= NBATCH ? NBATCH : 1;
	for (b = 0; b < nb; b++) {
		per = n / nb + (b < n % nb);
		start = now_ns();
		for (i = 0; i < per; i++)
			w->op();
		end = now_ns();
		batch[b] = (double)(end - start) / per;
	}
	qsort(batch, nb, sizeof(batch[0]), cmp_double);

	if (w->teardown)
		w->teardown();
	printf("%s %lu %.1f ns/op\n", w->name, n, nb % 2 ? batch[nb / 2] :
	       (batch[nb / 2 - 1] + batch[nb / 2]) / 2);
	return 0;
}
