/*
 * The kvm platform's stated limits, reached by a program that shows it
 * got to each call (tests/lab/t_kvm_limits.sh):
 *
 *   kvm_limits threads N   starts up to N threads that wait on a pipe,
 *                          stops at the first pthread_create failure and
 *                          prints "threads: C of N created[, then ERRNO]";
 *                          then ends one, joins it and tries one more:
 *                          "threads: one more after one ended: created"
 *                          (or its errno).  kvm promises 32 at once
 *                          (the main thread is one), then EAGAIN.
 *   kvm_limits clone-vm    clone(CLONE_VM) without CLONE_THREAD or
 *                          CLONE_VFORK, twice: "clone-vm: child shared
 *                          the memory" where it works, "clone-vm: ENOSYS"
 *                          on kvm (which reports it once).
 *
 * Each prints "... calling" before its call: a result line without it
 * would not be the program's.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_THREADS	64

static int gate[2];

static const char *errno_name(int e)
{
	switch (e) {
	case EAGAIN:
		return "EAGAIN";
	case ENOSYS:
		return "ENOSYS";
	case EINVAL:
		return "EINVAL";
	case ENOMEM:
		return "ENOMEM";
	case EPERM:
		return "EPERM";
	}
	return strerror(e);
}

/* Waits until its gate's write end closes (a blocking host call on kvm). */
static void *waiter(void *arg)
{
	int fd = *(int *)arg;
	char c;

	while (read(fd, &c, 1) > 0)
		;
	return NULL;
}

static int threads(int want)
{
	pthread_t t[MAX_THREADS], more;
	int n, err = 0, first[2];

	if (want < 1 || want > MAX_THREADS || pipe(gate) < 0 || pipe(first) < 0)
		return 2;
	printf("threads: calling\n");
	for (n = 0; n < want; n++) {
		/* The first waits on a gate of its own, to end alone. */
		err = pthread_create(&t[n], NULL, waiter,
				     n ? &gate[0] : &first[0]);
		if (err)
			break;
	}
	if (err)
		printf("threads: %d of %d created, then %s\n", n, want,
		       errno_name(err));
	else
		printf("threads: %d of %d created\n", n, want);
	if (n > 0) {
		close(first[1]);
		pthread_join(t[0], NULL);
		err = pthread_create(&more, NULL, waiter, &gate[0]);
		printf("threads: one more after one ended: %s\n",
		       err ? errno_name(err) : "created");
		if (!err)
			t[0] = more;
		else
			t[0] = pthread_self();
	}
	close(gate[1]);
	while (n > 0) {
		n--;
		if (!pthread_equal(t[n], pthread_self()))
			pthread_join(t[n], NULL);
	}
	return 0;
}

static volatile int shared;

static int child(void *arg)
{
	(void)arg;
	shared = 1;
	return 0;
}

static int clone_vm(void)
{
	static char stack[64 * 1024] __attribute__((aligned(16)));
	int i, status;
	pid_t pid;

	for (i = 0; i < 2; i++) {
		printf("clone-vm: calling\n");
		shared = 0;
		pid = clone(child, stack + sizeof(stack), CLONE_VM | SIGCHLD,
			    NULL);
		if (pid < 0) {
			printf("clone-vm: %s\n", errno_name(errno));
			continue;
		}
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
			return 2;
		printf("clone-vm: %s\n", shared ? "child shared the memory" :
		       "child ran apart");
	}
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && !strcmp(argv[1], "threads"))
		return threads(atoi(argv[2]));
	if (argc == 2 && !strcmp(argv[1], "clone-vm"))
		return clone_vm();
	fprintf(stderr, "usage: kvm_limits threads N | clone-vm\n");
	return 2;
}
