/*
 * kvm_mm MODE [N]: anonymous memory as a program sees it, for comparing
 * the kvm platform's proxy kernel (which answers these calls and page
 * faults itself) with Linux.  Every line printed is the same on both.
 *
 *   all       each check below once, one line each
 *   loop N    N x (mmap 4 pages, munmap), nothing touched: for counting
 *             the VM exits of memory calls (--stats)
 *   touch N   mmap N MiB, write every page, munmap: for counting page
 *             faults and refills (--stats)
 *
 * The checks of "all": 64 MiB touched page by page and summed; brk grown
 * and shrunk; a page made read-only faults on a write (SIGSEGV
 * SEGV_ACCERR, caught); MADV_DONTNEED pages read back as zero; mremap
 * grows with the data kept and zeros after it; PROT_NONE and back keeps
 * the data; MAP_FIXED over a mapping gives zeros; pages never touched
 * but filled by read(2), once unmapped, come back as zeros at the same
 * address; the kernel's own writes into a page never touched; code
 * written, made executable and run.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096ul
#define MiB (1ul << 20)

static sigjmp_buf back;
static volatile int seen_sig, seen_code;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	seen_sig = sig;
	seen_code = si->si_code;
	siglongjmp(back, 1);
}

static unsigned char *anon(size_t len, int prot)
{
	void *p = mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	return p;
}

/* Bytes of [p, p + len) equal to v. */
static size_t equal(const unsigned char *p, size_t len, unsigned char v)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		n += p[i] == v;
	return n;
}

static size_t nonzero(const unsigned char *p, size_t len)
{
	return len - equal(p, len, 0);
}

static void touch(size_t mib, int show)
{
	size_t len = mib * MiB, i;
	unsigned char *p = anon(len, PROT_READ | PROT_WRITE);
	uint64_t sum = 0;

	for (i = 0; i < len; i += PAGE)
		p[i] = (unsigned char)(i / PAGE * 7 + 1);
	for (i = 0; i < len; i += PAGE)
		sum += p[i] + p[i + PAGE - 1];
	if (munmap(p, len))
		perror("munmap");
	if (show)
		printf("touch %zu MiB: sum %llu\n", mib, (unsigned long long)sum);
}

static void check_brk(void)
{
	char *start = sbrk(0);
	char *grown;

	if (sbrk(3 * MiB + 123) == (void *)-1) {
		perror("sbrk");
		return;
	}
	grown = sbrk(0);
	memset(start, 0x5a, 3 * MiB + 123);
	printf("brk: grew by %ld, last byte %#x\n", (long)(grown - start),
	       (unsigned char)grown[-1]);
	if (brk(start + PAGE))
		perror("brk");
	printf("brk: shrunk to %ld, kept %#x\n", (long)((char *)sbrk(0) - start),
	       (unsigned char)start[PAGE - 1]);
	/* Grown again, the pages given back are fresh zeros. */
	sbrk(PAGE);
	printf("brk: regrown page has %zu non-zero bytes\n",
	       nonzero((unsigned char *)start + PAGE, PAGE));
}

static void check_readonly(void)
{
	struct sigaction sa;
	unsigned char *p = anon(2 * PAGE, PROT_READ | PROT_WRITE);

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_segv;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGSEGV, &sa, NULL);
	p[0] = 1;
	if (mprotect(p, 2 * PAGE, PROT_READ))
		perror("mprotect");
	/* Both kinds: a page mapped before, and one never touched. */
	for (int i = 0; i < 2; i++) {
		seen_sig = 0;
		if (!sigsetjmp(back, 1))
			p[i * PAGE] = 2;
		printf("read-only page %d: write gives signal %d code %s, reads %d\n",
		       i, seen_sig, seen_code == SEGV_ACCERR ? "SEGV_ACCERR" : "other",
		       p[i * PAGE]);
	}
	signal(SIGSEGV, SIG_DFL);
	munmap(p, 2 * PAGE);
}

static void check_dontneed(void)
{
	unsigned char *p = anon(17 * PAGE, PROT_READ | PROT_WRITE);

	/* The 17th page is a hole to ask about. */
	munmap(p + 16 * PAGE, PAGE);
	memset(p, 0xab, 16 * PAGE);
	if (madvise(p + 4 * PAGE, 8 * PAGE, MADV_DONTNEED))
		perror("madvise");
	printf("dontneed: %zu non-zero bytes before, %zu inside, %zu after\n",
	       nonzero(p, 4 * PAGE), nonzero(p + 4 * PAGE, 8 * PAGE),
	       nonzero(p + 12 * PAGE, 4 * PAGE));
	printf("dontneed: madvise WILLNEED %d, unmapped range %d\n",
	       madvise(p, PAGE, MADV_WILLNEED),
	       madvise(p + 16 * PAGE, PAGE, MADV_DONTNEED) ? -1 : 0);
	munmap(p, 16 * PAGE);
}

static void check_mremap(void)
{
	unsigned char *p = anon(4 * PAGE, PROT_READ | PROT_WRITE);
	unsigned char *q;

	memset(p, 0x33, 4 * PAGE);
	q = mremap(p, 4 * PAGE, 64 * PAGE, MREMAP_MAYMOVE);
	if (q == MAP_FAILED) {
		perror("mremap");
		return;
	}
	printf("mremap grow: %zu bytes kept, %zu non-zero after\n",
	       equal(q, 4 * PAGE, 0x33), nonzero(q + 4 * PAGE, 60 * PAGE));
	q = mremap(q, 64 * PAGE, 2 * PAGE, 0);
	printf("mremap shrink: in place %d, first byte %#x\n", q != MAP_FAILED,
	       q != MAP_FAILED ? q[0] : 0);
	munmap(q, 2 * PAGE);
}

static void check_prot_none(void)
{
	unsigned char *p = anon(4 * PAGE, PROT_READ | PROT_WRITE);
	unsigned char *f;

	memset(p, 0x77, 4 * PAGE);
	mprotect(p, 4 * PAGE, PROT_NONE);
	mprotect(p, 4 * PAGE, PROT_READ);
	printf("prot none and back: %zu non-zero bytes of %lu\n",
	       nonzero(p, 4 * PAGE), 4 * PAGE);
	f = mmap(p + PAGE, PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	printf("map fixed over it: same address %d, %zu non-zero bytes\n",
	       f == p + PAGE, nonzero(f, PAGE));
	munmap(p, 4 * PAGE);
}

/* Filled by the kernel, never by the program: still zero once unmapped. */
static void check_read_into_untouched(void)
{
	unsigned char *p = anon(8 * PAGE, PROT_READ | PROT_WRITE), *q;
	static char buf[8 * PAGE];
	int fds[2];
	ssize_t n;

	memset(buf, 0x42, sizeof(buf));
	if (pipe(fds)) {
		perror("pipe");
		return;
	}
	if (write(fds[1], buf, 4 * PAGE) != (ssize_t)(4 * PAGE))
		perror("write");
	n = read(fds[0], p + 2 * PAGE, 4 * PAGE);
	printf("read into untouched pages: %zd bytes, %zu non-zero\n", n,
	       nonzero(p, 8 * PAGE));
	munmap(p, 8 * PAGE);
	q = mmap(p, 8 * PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	printf("mapped again: same address %d, %zu non-zero bytes\n", q == p,
	       nonzero(q, 8 * PAGE));
	munmap(q, 8 * PAGE);
	close(fds[0]);
	close(fds[1]);
}

/* The proxy kernel writes a page the program never touched itself. */
static void check_kernel_writes_untouched(void)
{
	unsigned char *p = anon(2 * PAGE, PROT_READ | PROT_WRITE);
	struct timespec *ts = (struct timespec *)(p + PAGE);
	int r = clock_gettime(CLOCK_REALTIME, ts);

	printf("clock_gettime into an untouched page: %d, seconds %s\n", r,
	       ts->tv_sec > 1000000000 ? "plausible" : "wrong");
	munmap(p, 2 * PAGE);
}

/* Code written to a page, then made executable: it runs. */
static void check_exec(void)
{
	unsigned char *p = anon(PAGE, PROT_READ | PROT_WRITE);
	int (*f)(void) = (int (*)(void))(void *)p;

	/* mov $42, %eax; ret */
	memcpy(p, "\xb8\x2a\x00\x00\x00\xc3", 6);
	if (mprotect(p, PAGE, PROT_READ | PROT_EXEC))
		perror("mprotect");
	printf("code made executable returns %d\n", f());
	munmap(p, PAGE);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "all";
	long n = argc > 2 ? atol(argv[2]) : 0, i;

	if (!strcmp(mode, "loop")) {
		for (i = 0; i < n; i++) {
			void *p = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

			if (p == MAP_FAILED || munmap(p, 4 * PAGE)) {
				perror("loop");
				return 1;
			}
		}
		printf("loop %ld: ok\n", n);
		return 0;
	}
	if (!strcmp(mode, "touch")) {
		if (n > 0)
			touch((size_t)n, 1);
		else
			printf("touch 0 MiB\n");
		return 0;
	}
	touch(64, 1);
	check_brk();
	check_readonly();
	check_dontneed();
	check_mremap();
	check_prot_none();
	check_read_into_untouched();
	check_kernel_writes_untouched();
	check_exec();
	return 0;
}
