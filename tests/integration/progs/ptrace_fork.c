/*
 * Modelled on Linux's tools/testing/selftests/x86/fsgsbase.c, which hung
 * under cabin (issue 14, item 7): a child asks to be traced by its parent
 * (PTRACE_TRACEME, refused under cabin, so it exits 1), the parent waits,
 * resumes it with PTRACE_CONT (refused too) and waits again.  Done once
 * before and once after a helper thread has run on CPU 0 alone; exit 0
 * natively and under cabin.
 */
#include <err.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile unsigned int ftx;

static void *helper(void *arg)
{
	(void)arg;
	while (ftx != 3)
		syscall(SYS_futex, &ftx, FUTEX_WAIT, 0, NULL, NULL, 0);
	return NULL;
}

static void traced_child(void)
{
	int status;
	pid_t child = fork();

	if (child < 0)
		err(1, "fork");
	if (child == 0) {
		if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) != 0)
			err(1, "PTRACE_TRACEME");
		raise(SIGTRAP);
		_exit(0);
	}
	wait(&status);
	ptrace(PTRACE_CONT, child, NULL, NULL);
	wait(&status);
}

int main(void)
{
	pthread_t thread;
	cpu_set_t cpus;

	traced_child();
	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	sched_setaffinity(0, sizeof(cpus), &cpus);
	if (pthread_create(&thread, NULL, helper, NULL) != 0)
		errx(1, "pthread_create");
	ftx = 3;
	syscall(SYS_futex, &ftx, FUTEX_WAKE, 1, NULL, NULL, 0);
	pthread_join(thread, NULL);
	traced_child();
	printf("done\n");
	return 0;
}
