/*
 * Threads on the kvm platform, compared with a native run: threads that
 * run in parallel and meet on a mutex and a condition variable, their own
 * TLS and tids, join (the kernel clears the tid word and wakes the
 * joiner), pthread_kill to one thread, a signal to the process taken by
 * the thread that does not block it, a thread that forks and execs, a
 * thread ending with pthread_exit, and exit from a thread ending all.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define WORKERS 8

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static long total;
static int arrived;
static __thread long mine;
static pid_t tids[WORKERS];
static volatile sig_atomic_t usr1_in;

static void *worker(void *arg)
{
	long n = (long)arg, i;

	mine = n * 1000;
	for (i = 0; i < 100000; i++)
		mine += i & 1;
	tids[n] = (pid_t)syscall(SYS_gettid);
	pthread_mutex_lock(&lock);
	total += mine;
	arrived++;
	pthread_cond_broadcast(&cond);
	while (arrived < WORKERS)
		pthread_cond_wait(&cond, &lock);
	pthread_mutex_unlock(&lock);
	return (void *)(mine - n * 1000);
}

static void on_usr1(int sig)
{
	(void)sig;
	usr1_in = (int)syscall(SYS_gettid) != getpid() ? 1 : 2;
}

static void *waiter(void *arg)
{
	sigset_t set;

	(void)arg;
	sigemptyset(&set);
	while (!usr1_in)
		sigsuspend(&set);
	return NULL;
}

static volatile sig_atomic_t usr2_tid;

static void on_usr2(int sig)
{
	(void)sig;
	usr2_tid = (int)syscall(SYS_gettid);
}

/* Blocks SIGUSR2, then sends it to the whole process. */
static void *blocker(void *arg)
{
	sigset_t set;

	(void)arg;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	kill(getpid(), SIGUSR2);
	return NULL;
}

static void *forker(void *arg)
{
	pid_t pid = fork();
	int st = 0;

	(void)arg;
	if (pid == 0) {
		execl("/bin/echo", "echo", "exec from a thread's child", (char *)NULL);
		_exit(127);
	}
	waitpid(pid, &st, 0);
	return (void *)(long)(WIFEXITED(st) ? WEXITSTATUS(st) : 99);
}

static void *quitter(void *arg)
{
	(void)arg;
	pthread_exit((void *)42);
	return NULL;
}

static int distinct_tids(void)
{
	int i, j;

	for (i = 0; i < WORKERS; i++) {
		if (tids[i] <= 0 || tids[i] == getpid())
			return 0;
		for (j = 0; j < i; j++)
			if (tids[i] == tids[j])
				return 0;
	}
	return 1;
}

int main(int argc, char **argv)
{
	pthread_t t[WORKERS], w;
	sigset_t block;
	void *ret;
	long sum = 0, i;

	setvbuf(stdout, NULL, _IONBF, 0);
	printf("the main thread's tid is the pid: %s\n",
	       (pid_t)syscall(SYS_gettid) == getpid() ? "yes" : "no");
	for (i = 0; i < WORKERS; i++)
		pthread_create(&t[i], NULL, worker, (void *)i);
	for (i = 0; i < WORKERS; i++) {
		pthread_join(t[i], &ret);
		sum += (long)ret;
	}
	printf("workers: total %ld, each counted %ld, tids distinct: %s\n",
	       total, sum / WORKERS, distinct_tids() ? "yes" : "no");

	/* The main thread blocks SIGUSR1: only the waiter can take it. */
	signal(SIGUSR1, on_usr1);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &block, NULL);
	pthread_create(&w, NULL, waiter, NULL);
	pthread_kill(w, SIGUSR1);
	pthread_join(w, NULL);
	printf("pthread_kill: handled in %s\n",
	       usr1_in == 1 ? "the other thread" : "the main thread");

	/* A signal for the process goes to the thread that does not block it. */
	signal(SIGUSR2, on_usr2);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &block, NULL);
	pthread_create(&w, NULL, blocker, NULL);
	sigemptyset(&block);
	while (!usr2_tid)
		sigsuspend(&block);
	pthread_join(w, NULL);
	printf("kill to the process: handled by %s\n",
	       usr2_tid == getpid() ? "the main thread" : "another thread");

	pthread_create(&w, NULL, forker, NULL);
	pthread_join(w, &ret);
	printf("fork from a thread: child exit %ld\n", (long)ret);

	pthread_create(&w, NULL, quitter, NULL);
	pthread_join(w, &ret);
	printf("pthread_exit: %ld\n", (long)ret);

	/* Many short-lived threads: vCPUs are used again. */
	for (i = 0; i < 100; i++) {
		pthread_create(&w, NULL, quitter, NULL);
		pthread_join(w, NULL);
	}
	printf("100 more threads joined\n");
	if (argc > 1 && !strcmp(argv[1], "exit-from-thread")) {
		pthread_create(&w, NULL, waiter, NULL);
		printf("exit from the main thread with a thread blocked\n");
		exit(3);
	}
	return 0;
}
