/*
 * Escape attempt: make the report name another file than the one the
 * kernel opened.  Two files, race-p and race-s, in the working directory; a thread flips the one byte that
 * tells them apart in the path buffer while the main thread opens it
 * RACE_OPENS times.  The proxy reads the path at the syscall stop and
 * the kernel reads it again once the thread runs: a flip in between
 * makes a record that names the other file.  Each descriptor is checked
 * with fstat, so the program knows how often it really opened race-s.
 * It prints that count; the runner compares it with the report's, which
 * must be equal (CONTAINED), and differs when --unsafe-disable=racecheck
 * lets the records take the path as read at entry (ESCAPED).
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
 * Each open picks either file with even odds and is raced about half the
 * time: hundreds of lies in a run where one suffices, so a run without
 * any is beyond any plausible chance.
 */
#define RACE_OPENS 2000
#define MAX_FLIPPERS 8
#ifndef HOLD
#define HOLD 1000
#endif

static char path[PATH_MAX + 16];
static _Atomic(char) *flipped;	/* 'p' (race-p) or 's' (race-s) */
static atomic_int stop;

/* A while in each state, so that both reads of one open can see either. */
static void hold(void)
{
	volatile int k;

	for (k = 0; k < HOLD; k++)
		;
}

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
		hold();
		atomic_store_explicit(flipped, 'p', memory_order_relaxed);
		hold();
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
		opens++;
		if (fstat(fd, &st) == 0 && st.st_ino == sec.st_ino &&
		    st.st_dev == sec.st_dev)
			hits++;
		close(fd);
	}
	atomic_store(&stop, 1);
	while (n--)
		pthread_join(t[n], NULL);
	printf("ATTEMPTED race_path: opened %s/race-s %d times (of %d opens)\n",
	       dir, hits, opens);
	return 0;
}
