/*
 * A process ends while another of its threads lives: that thread is
 * spinning in user code or blocked in read, pause, a futex or nanosleep.
 * Linux ends the whole process at once (exit_group, a fatal signal, a
 * SIGKILL from another process); so must the kvm platform.
 *
 * Usage: kvm_exit STATE HOW
 *   STATE: spin, read, pause, futex, nanosleep (what the other thread does)
 *   HOW:   exit      the main thread exits with status 3
 *          fork      a child does "exit"; the parent prints its status
 *          fork-signal a child's main thread dies of SIGTERM (its default
 *                    action); the parent prints its status
 *          fork-kill a child's main thread exits alone (the process
 *                    lives on in the other); the parent SIGKILLs it and
 *                    prints its status
 * Prints one line per step; the output must match the native run's.
 */
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kvm_status.h"

static const char *state;
static volatile int ready;
static int never_written[2];
static unsigned int futex_word;

static void *other(void *arg)
{
	struct timespec long_ts = { 100000, 0 };
	char c;

	(void)arg;
	__atomic_store_n(&ready, 1, __ATOMIC_SEQ_CST);
	if (!strcmp(state, "spin"))
		for (;;)
			__asm__ volatile("" ::: "memory");
	else if (!strcmp(state, "read"))
		read(never_written[0], &c, 1);
	else if (!strcmp(state, "pause"))
		for (;;)
			pause();
	else if (!strcmp(state, "futex"))
		for (;;)
			syscall(SYS_futex, &futex_word, FUTEX_WAIT, 0, NULL,
				NULL, 0);
	else if (!strcmp(state, "nanosleep"))
		for (;;)
			nanosleep(&long_ts, NULL);
	printf("the other thread returned: wrong\n");
	return NULL;
}

/* The other thread started, and (very likely) reached its state. */
static void start_other(void)
{
	pthread_t t;

	if (pipe(never_written) < 0 ||
	    pthread_create(&t, NULL, other, NULL) != 0) {
		perror("kvm_exit: setup");
		exit(2);
	}
	while (!__atomic_load_n(&ready, __ATOMIC_SEQ_CST))
		sched_yield();
	usleep(100000);
}

enum how { BY_EXIT, BY_SIGNAL, BY_KILL };

static int in_child(enum how how)
{
	int go[2], st = 0;
	pid_t pid;
	char c;

	if (pipe(go) < 0)
		return 2;
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return 2;
	if (pid == 0) {
		close(go[0]);
		start_other();
		if (how == BY_SIGNAL)
			kill(getpid(), SIGTERM);
		if (how != BY_KILL)
			exit(3);
		write(go[1], "r", 1);
		syscall(SYS_exit, 0);
	}
	close(go[1]);
	if (how == BY_KILL) {
		if (read(go[0], &c, 1) != 1) {
			printf("child never got ready\n");
			return 1;
		}
		kill(pid, SIGKILL);
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	status_line("child", st);
	return 0;
}

int main(int argc, char **argv)
{
	const char *how;

	if (argc != 3) {
		fprintf(stderr, "usage: kvm_exit STATE HOW\n");
		return 2;
	}
	state = argv[1];
	how = argv[2];
	printf("%s, then %s\n", state, how);
	if (!strcmp(how, "fork"))
		return in_child(BY_EXIT);
	if (!strcmp(how, "fork-signal"))
		return in_child(BY_SIGNAL);
	if (!strcmp(how, "fork-kill"))
		return in_child(BY_KILL);
	start_other();
	exit(3);
}
