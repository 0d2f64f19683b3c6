/*
 * Escape attempt (candidate): make the trace and the report name another
 * file than the one opened.  A thread flips a path buffer between
 * "/etc/passwd" and "/etc/shadow" (same length) while the main thread
 * opens it 2000 times; each descriptor is checked with fstat, so the
 * program knows how often it really opened /etc/shadow.  The proxy reads
 * the path at the syscall stop and the kernel reads it again when the
 * syscall runs: a flip in between makes the record false.  The runner
 * compares the count printed here with the report's count for
 * /etc/shadow (any difference is a report that lies).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char path[16] = "/etc/passwd";
static atomic_int stop;

/* byte by byte through volatile: each store must happen */
static void flip(const char *name)
{
	volatile char *p = path + 5;
	int i;

	for (i = 0; i < 6; i++)
		p[i] = name[i];
}

static void *flipper(void *arg)
{
	(void)arg;
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		flip("shadow");
		flip("passwd");
	}
	return NULL;
}

int main(void)
{
	struct stat secret, st;
	pthread_t t;
	int i, fd, hits = 0, opens = 0;

	if (stat("/etc/shadow", &secret) < 0) {
		printf("CONTAINED: stat /etc/shadow: %s\n", strerror(errno));
		return 0;
	}
	pthread_create(&t, NULL, flipper, NULL);
	for (i = 0; i < 2000; i++) {
		fd = open(path, O_RDONLY);
		if (fd < 0)
			continue;
		opens++;
		if (fstat(fd, &st) == 0 && st.st_ino == secret.st_ino &&
		    st.st_dev == secret.st_dev)
			hits++;
		close(fd);
	}
	atomic_store(&stop, 1);
	pthread_join(t, NULL);
	printf("OPENED /etc/shadow %d times (of %d opens)\n", hits, opens);
	return 0;
}
