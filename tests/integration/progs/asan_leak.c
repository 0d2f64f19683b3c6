/*
 * Built with -fsanitize=address by run.sh (issue 19).  LeakSanitizer
 * stops the world with ptrace: a clone(CLONE_UNTRACED) task attaches to
 * every thread, waits for each stop, reads the registers and detaches.
 * A check runs while three more threads are alive, then the exit check
 * reports the leaks and sets the status, as natively.
 */
#include <pthread.h>
#include <sanitizer/lsan_interface.h>
#include <stdio.h>
#include <stdlib.h>

static pthread_barrier_t both;
static void *volatile sink;

static void *run(void *arg)
{
	sink = malloc(33);	/* overwritten by the next: a leak */
	pthread_barrier_wait(&both);
	pthread_barrier_wait(&both);
	return arg;
}

int main(void)
{
	pthread_t t[3];
	int i;

	pthread_barrier_init(&both, NULL, 4);
	for (i = 0; i < 3; i++)
		pthread_create(&t[i], NULL, run, NULL);
	pthread_barrier_wait(&both);
	sink = NULL;
	fprintf(stderr, "check with 4 threads: %d\n",
		__lsan_do_recoverable_leak_check());
	pthread_barrier_wait(&both);
	for (i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	return 0;
}
