/*
 * Memory the program frees goes back to the host.
 *
 * kvm_release rss MIB ROUNDS WAY: for one way of freeing (munmap,
 * dontneed, free for MADV_FREE, brk, thread-stack), ROUNDS times: take
 * MIB MiB, touch every page, free it.  Prints the resident size of the
 * process that holds the program's memory (on kvm, /proc/self/status is
 * the monitor's) and one line "check WAY GREW LEFT": the most a round
 * grew it by while the memory was touched, and the most it stayed above
 * where it started once the memory was freed, in KiB.  No malloc while brk is moved: the
 * status file is read with read(2) into a stack buffer.
 *
 * kvm_release zero: what freed memory looks like, as on Linux: a page
 * after MADV_DONTNEED reads zero, munmapped and brk-shrunk memory faults
 * (SIGSEGV, SEGV_MAPERR at the address), a mapping again in the same
 * place reads zero.  Prints one line per step; the output must match
 * the native run's.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MADV_FREE
#define MADV_FREE	8
#endif

static long page;
static size_t size;

static long rss_kib(void)
{
	char buf[4096], *p;
	ssize_t n;
	int fd = open("/proc/self/status", O_RDONLY);

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strstr(buf, "VmRSS:");
	return p ? strtol(p + 6, NULL, 10) : -1;
}

static void touch(volatile char *m, size_t len)
{
	size_t i;

	for (i = 0; i < len; i += (size_t)page)
		m[i] = 1;
}

/* Each way takes size bytes, touches them, and frees them. */
static long grew;	/* RSS with the memory touched, less before */
static char *advised;	/* freed by advice: unmapped after measuring */

/* size bytes mapped and touched; grew is what that cost. */
static char *mapped_and_touched(void)
{
	long before = rss_kib();
	char *m = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (m == MAP_FAILED)
		exit(2);
	touch(m, size);
	grew = rss_kib() - before;
	return m;
}

static void by_munmap(void)
{
	munmap(mapped_and_touched(), size);
}

/* Measured by the caller with the mapping still there. */
static void by_dontneed(void)
{
	advised = mapped_and_touched();
	madvise(advised, size, MADV_DONTNEED);
}

/* MADV_FREE: Linux frees lazily, under pressure; kvm as DONTNEED. */
static void by_free(void)
{
	advised = mapped_and_touched();
	madvise(advised, size, MADV_FREE);
}

static void by_brk(void)
{
	long before = rss_kib();
	char *m = sbrk((intptr_t)size);

	if (m == (void *)-1)
		exit(2);
	touch(m, size);
	grew = rss_kib() - before;
	sbrk(-(intptr_t)size);
}

static void *deep(void *arg)
{
	/* Most of the stack, touched from the bottom of this frame down. */
	volatile char *m = alloca(size - (size_t)(4 << 20));

	(void)arg;
	touch(m, size - (size_t)(4 << 20));
	grew = rss_kib() - *(long *)arg;
	return NULL;
}

static void by_thread(void)
{
	long before = rss_kib();
	pthread_attr_t at;
	pthread_t t;

	pthread_attr_init(&at);
	pthread_attr_setstacksize(&at, size);
	if (pthread_create(&t, &at, deep, &before))
		exit(2);
	pthread_join(t, NULL);
	pthread_attr_destroy(&at);
}

static int rss(int rounds, const char *name)
{
	static const struct {
		const char *name;
		void (*take_and_free)(void);
	} ways[] = {
		{ "munmap", by_munmap },
		{ "dontneed", by_dontneed },
		{ "free", by_free },
		{ "brk", by_brk },
		{ "thread-stack", by_thread },
	};
	long start = rss_kib(), most = 0, left = 0, now;
	unsigned int w;
	int r;

	for (w = 0; strcmp(ways[w].name, name); w++)
		if (w + 1 == sizeof(ways) / sizeof(ways[0]))
			return 2;
	for (r = 0; r < rounds; r++) {
		ways[w].take_and_free();
		now = rss_kib();
		if (advised) {
			munmap(advised, size);
			advised = NULL;
		}
		printf("%s round %d: grew %ld KiB, %ld KiB above the start once freed\n",
		       name, r, grew, now - start);
		if (grew > most)
			most = grew;
		if (now - start > left)
			left = now - start;
	}
	printf("check %s %ld %ld\n", name, most, left);
	return 0;
}

static sigjmp_buf back;
static volatile uintptr_t fault_addr;
static volatile int fault_code;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	fault_addr = (uintptr_t)si->si_addr;
	fault_code = si->si_code;
	siglongjmp(back, 1);
}

/* Read p (base + off): its value, or the fault, relative to base. */
static void probe(const char *what, volatile char *base, long off)
{
	fault_addr = 0;
	if (sigsetjmp(back, 1) == 0) {
		printf("%s: reads %d\n", what, base[off]);
		return;
	}
	printf("%s: SIGSEGV %s, si_addr at offset %ld\n", what,
	       fault_code == SEGV_MAPERR ? "SEGV_MAPERR" : "other code",
	       (long)(fault_addr - (uintptr_t)base));
}

static int zero(void)
{
	struct sigaction sa;
	char *m, *b, *again;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_segv;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGSEGV, &sa, NULL);
	m = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return 2;
	memset(m, 7, 4 * page);
	madvise(m + page, page, MADV_DONTNEED);
	probe("after DONTNEED of page 1, page 0", m, 10);
	probe("after DONTNEED of page 1, page 1", m, page + 10);
	probe("after DONTNEED of page 1, page 2", m, 2 * page + 10);
	m[page + 20] = 3;
	probe("page 1 written again", m, page + 20);
	munmap(m + 2 * page, page);
	probe("after munmap of page 2, page 2", m, 2 * page + 30);
	probe("after munmap of page 2, page 3", m, 3 * page + 30);
	again = mmap(m + 2 * page, page, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (again != m + 2 * page)
		return 2;
	probe("page 2 mapped again", m, 2 * page + 30);
	munmap(m, 4 * page);
	probe("after munmap of all, page 0", m, 10);
	b = sbrk(0);
	if (sbrk(4 * page) == (void *)-1)
		return 2;
	memset(b, 5, 4 * page);
	sbrk(-2 * page);
	probe("brk shrunk by 2 pages, page 1", b, page);
	probe("brk shrunk by 2 pages, page 2", b, 2 * page + 40);
	sbrk(2 * page);
	probe("brk grown back, page 2", b, 2 * page + 40);
	return 0;
}

int main(int argc, char **argv)
{
	static char out[4096];

	setvbuf(stdout, out, _IOLBF, sizeof(out));
	page = sysconf(_SC_PAGESIZE);
	if (argc == 5 && !strcmp(argv[1], "rss")) {
		size = (size_t)strtoul(argv[2], NULL, 10) << 20;
		return size < (8u << 20) ? 2 : rss(atoi(argv[3]), argv[4]);
	}
	if (argc == 2 && !strcmp(argv[1], "zero"))
		return zero();
	fprintf(stderr, "usage: kvm_release rss MIB ROUNDS WAY | zero\n");
	return 2;
}
