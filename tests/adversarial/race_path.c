/*
 * Escape attempt: make the trace and the report name another file than
 * the one the kernel opened.  Two files, race-p and race-s, in the
 * working directory; threads flip the one byte that tells them apart in
 * the path buffer while the main thread opens it RACE_OPENS times.  The
 * proxy reads the path at the syscall stop and the kernel reads it again
 * once the thread runs: a flip in between makes a record that names the
 * other file.  Each descriptor is checked with fstat, so the program
 * knows what it really opened, in order.  It prints that and how often
 * it got race-s; the runner compares them with the trace's opens (each
 * the kernel's object: the path shown, or the one named after "opened")
 * and with the report's count: equal is CONTAINED.  With
 * --unsafe-disable=racecheck the records take the path as read at entry,
 * and differ (ESCAPED).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * Each open picks either file; with a flipper on every CPU some flipper
 * runs while cabin reads the path, and runs on this machine (2 CPUs)
 * showed 50 to 500 opens of 2000 where cabin and the kernel read
 * different names: one suffices.
 */
#define RACE_OPENS 2000
#define MAX_FLIPPERS 8

static char path[PATH_MAX + 16];
static char opened[RACE_OPENS + 1];	/* what each open got: p or s */
static _Atomic(char) *flipped;	/* 'p' (race-p) or 's' (race-s) */
static atomic_int stop;

/*
 * One flipper on each CPU: whichever CPU cabin runs on while the opener
 * is stopped, a flipper runs on another during that window.
 */
static void pin(long cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET((int)cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static void *flipper(void *arg)
{
	pin((long)arg);
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		atomic_store_explicit(flipped, 's', memory_order_relaxed);
		atomic_store_explicit(flipped, 'p', memory_order_relaxed);
	}
	return NULL;
}

static int make(const char *dir, const char *name, struct stat *st)
{
	char p[PATH_MAX + 16];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || fstat(fd, st) < 0) {
		printf("FAILED race_path: %s: %s\n", p, strerror(errno));
		return -1;
	}
	close(fd);
	return 0;
}

int main(void)
{
	struct stat pub, sec, st;
	char dir[PATH_MAX];
	int i, fd, hits = 0, opens = 0;
	pthread_t t[MAX_FLIPPERS];
	long n, ncpu;

	if (!getcwd(dir, sizeof(dir)) || make(dir, "race-p", &pub) < 0 ||
	    make(dir, "race-s", &sec) < 0)
		return 1;
	snprintf(path, sizeof(path), "%s/race-p", dir);
	flipped = (_Atomic(char) *)&path[strlen(path) - 1];
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	if (ncpu > MAX_FLIPPERS)
		ncpu = MAX_FLIPPERS;
	for (n = 0; n < ncpu; n++) {
		if (pthread_create(&t[n], NULL, flipper, (void *)n)) {
			printf("FAILED race_path: no thread\n");
			return 1;
		}
	}
	for (i = 0; i < RACE_OPENS; i++) {
		fd = open(path, O_RDONLY);
		if (fd < 0)
			continue;
		if (fstat(fd, &st) == 0 && st.st_ino == sec.st_ino &&
		    st.st_dev == sec.st_dev)
			hits++;
		opened[opens++] = st.st_ino == sec.st_ino ? 's' : 'p';
		close(fd);
	}
	atomic_store(&stop, 1);
	while (n--)
		pthread_join(t[n], NULL);
	printf("KERNEL-OPENED %s\n", opened);
	printf("ATTEMPTED race_path: opened %s/race-s %d times (of %d opens)\n",
	       dir, hits, opens);
	return 0;
}
