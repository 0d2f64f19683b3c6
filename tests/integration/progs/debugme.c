/*
 * A program for the --gdb tests (dynamically linked PIE, built with -g):
 *   debugme            calls add(20, 22), prints it, exits 42 - 39 = 3
 *   debugme threads    three threads meet in worker(), print, exit 0
 *   debugme watch      writes `watched` twice, exits 5
 *   debugme fork       a child calls add(1, 2) and exits 0 if it got 3;
 *                      the parent prints its status, then as debugme
 *   debugme spin       loops until a debugger clears `spin`, exits 9
 *   debugme signal     raises SIGUSR1 (a handler counts it), prints the count
 *   debugme sysloop    a thread calls getppid() for ever, main spins
 *   debugme deny       calls add, then mount(2) (denied and reported),
 *                      prints the errno's name, exits 7
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

volatile int watched;
volatile int spin = 1;
static pthread_barrier_t meet;
static volatile sig_atomic_t handled;

static void on_usr1(int sig)
{
	(void)sig;
	handled++;
}

__attribute__((noinline)) int add(int a, int b)
{
	int sum = a + b;

	return sum;
}

__attribute__((noinline)) void *sysloop(void *arg)
{
	for (;;)
		syscall(SYS_getppid);
	return arg;
}

/* Reached when all three threads exist: a breakpoint here sees them. */
__attribute__((noinline)) void met(void)
{
	__asm__ volatile("" ::: "memory");
}

__attribute__((noinline)) void *worker(void *arg)
{
	pthread_barrier_wait(&meet);
	met();
	pthread_barrier_wait(&meet);
	return arg;
}

static int threads(void)
{
	pthread_t t[2];
	int i;

	pthread_barrier_init(&meet, NULL, 3);
	for (i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, worker, NULL);
	worker(NULL);
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	puts("threads done");
	return 0;
}

int main(int argc, char **argv)
{
	int r;

	if (argc > 1 && !strcmp(argv[1], "threads"))
		return threads();
	if (argc > 1 && !strcmp(argv[1], "signal")) {
		signal(SIGUSR1, on_usr1);
		raise(SIGUSR1);
		printf("handled %d\n", (int)handled);
		return 0;
	}
	if (argc > 1 && !strcmp(argv[1], "sysloop")) {
		pthread_t t;

		pthread_create(&t, NULL, sysloop, NULL);
		while (spin)
			;
		return 9;
	}
	if (argc > 1 && !strcmp(argv[1], "spin")) {
		while (spin)
			;
		return 9;
	}
	if (argc > 1 && !strcmp(argv[1], "watch")) {
		watched = 1;
		watched = 2;
		printf("watched %d\n", watched);
		return 5;
	}
	if (argc > 1 && !strcmp(argv[1], "fork")) {
		pid_t pid = fork();
		int status;

		if (pid == 0)
			_exit(add(1, 2) == 3 ? 0 : 1);
		waitpid(pid, &status, 0);
		printf("child status %#x\n", status);
	}
	r = add(20, 22);
	printf("sum %d\n", r);
	if (argc > 1 && !strcmp(argv[1], "deny")) {
		r = mount("none", "/tmp", "tmpfs", 0, NULL);
		printf("mount: %s\n", r < 0 ? strerrorname_np(errno) : "ok");
		return 7;
	}
	return r - 39;
}
