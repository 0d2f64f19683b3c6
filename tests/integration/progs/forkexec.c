/* forkexec: a deterministic fork/exec/pthread workout for the integration
 * suite.  Its output must be identical natively and under `cabin run`.
 *
 *   forkexec           the full workout (see main)
 *   forkexec child N   exec'd by the workout: prints a line, exits N
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define NTHREADS 4

struct work {
	int id;
	uint64_t result;
	int child_status; /* thread 1 forks+execs too: its wait status */
};

static void status_line(const char *what, int st)
{
	if (WIFEXITED(st))
		printf("%s: exited %d\n", what, WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		printf("%s: killed by signal %d\n", what, WTERMSIG(st));
	else
		printf("%s: status 0x%x\n", what, st);
	fflush(stdout);
}

static int wait_for(pid_t pid)
{
	int st;
	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR) {
			perror("waitpid");
			exit(99);
		}
	}
	return st;
}

/* fork and execv argv in the child; returns the child pid */
static pid_t spawn_exec(char *const argv[])
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(99);
	}
	if (pid == 0) {
		execv(argv[0], argv);
		_exit(127);
	}
	return pid;
}

/* FNV-1a over a small deterministic stream, id-dependent work size */
static void *worker(void *arg)
{
	struct work *w = arg;
	uint64_t h = 1469598103934665603ULL;
	for (uint32_t i = 0; i < 200000u * (uint32_t)(w->id + 1); i++) {
		h ^= (i * 2654435761u) ^ (uint32_t)w->id;
		h *= 1099511628211ULL;
	}
	w->result = h;
	w->child_status = -1;
	if (w->id == 1) {
		/* fork+exec from a non-main thread of a multithreaded process */
		char *argv[] = { "/bin/true", NULL };
		w->child_status = wait_for(spawn_exec(argv));
	}
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "child") == 0) {
		printf("child %d: hello from exec'd self\n", atoi(argv[2]));
		return atoi(argv[2]);
	}

	printf("parent: start\n");

	/* 1. fork + exec /bin/echo */
	char *echo_argv[] = { "/bin/echo", "echo:", "hello", "from", "exec", NULL };
	status_line("echo", wait_for(spawn_exec(echo_argv)));

	/* 2. fork + exec ourselves (via /proc/self/exe) with an argument */
	char *self_argv[] = { "/proc/self/exe", "child", "7", NULL };
	status_line("self", wait_for(spawn_exec(self_argv)));

	/* 3. plain fork, child exits with a computed code */
	fflush(stdout);
	pid_t p = fork();
	if (p == 0) {
		int s = 0;
		for (int i = 1; i <= 10; i++)
			s += i;
		_exit(s % 50); /* 5 */
	}
	status_line("fork", wait_for(p));

	/* 4. a child that forks a grandchild and reports its status */
	fflush(stdout);
	p = fork();
	if (p == 0) {
		pid_t g = fork();
		if (g == 0)
			_exit(11);
		int st = wait_for(g);
		printf("grandchild: exited %d\n", WEXITSTATUS(st));
		fflush(stdout);
		_exit(12);
	}
	status_line("middle", wait_for(p));

	/* 5. a child killed by a signal */
	fflush(stdout);
	p = fork();
	if (p == 0) {
		pause();
		_exit(0);
	}
	kill(p, SIGTERM);
	status_line("killed", wait_for(p));

	/* 6. several children running concurrently, reaped in pid order */
	pid_t kids[3];
	for (int i = 0; i < 3; i++) {
		char code[8];
		snprintf(code, sizeof code, "%d", 20 + i);
		char *argv_c[] = { "/proc/self/exe", "child", code, NULL };
		fflush(stdout);
		kids[i] = fork();
		if (kids[i] == 0) {
			/* silence the child's hello so output order is fixed */
			if (!freopen("/dev/null", "w", stdout))
				_exit(98);
			execv(argv_c[0], argv_c);
			_exit(127);
		}
	}
	for (int i = 0; i < 3; i++) {
		char what[16];
		snprintf(what, sizeof what, "kid%d", i);
		status_line(what, wait_for(kids[i]));
	}

	/* 7. threads */
	pthread_t th[NTHREADS];
	struct work w[NTHREADS];
	for (int i = 0; i < NTHREADS; i++) {
		w[i].id = i;
		int e = pthread_create(&th[i], NULL, worker, &w[i]);
		if (e) {
			fprintf(stderr, "pthread_create: %s\n", strerror(e));
			return 99;
		}
	}
	for (int i = 0; i < NTHREADS; i++) {
		pthread_join(th[i], NULL);
		printf("thread %d: %016llx\n", i, (unsigned long long)w[i].result);
		if (w[i].child_status != -1) {
			char what[32];
			snprintf(what, sizeof what, "thread %d child", i);
			status_line(what, w[i].child_status);
		}
	}

	printf("parent: done\n");
	return 0;
}
