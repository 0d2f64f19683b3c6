/*
 * Built with -g -O0 -pthread by run.sh (issue 19): three threads start,
 * two wait for ever, the third dies of SIGSEGV in boom(), for gdb's
 * `thread apply all bt 1` inside the sandbox.
 */
#include <pthread.h>
#include <unistd.h>

static pthread_barrier_t started;

static void *idle(void *arg)
{
	pthread_barrier_wait(&started);
	pause();
	return arg;
}

static void *boom(void *arg)
{
	pthread_barrier_wait(&started);
	*(volatile int *)arg = 1;
	return arg;
}

int main(void)
{
	pthread_t t[3];

	pthread_barrier_init(&started, NULL, 3);
	pthread_create(&t[0], NULL, idle, NULL);
	pthread_create(&t[1], NULL, idle, NULL);
	pthread_create(&t[2], NULL, boom, NULL);
	pthread_join(t[2], NULL);
	return 0;
}
