/*
 * For t_kvm_gdb.sh: a breakpoint gdb writes into this program's code
 * gives the program no new power.  It calls target() (where gdb breaks),
 * then tries to write into target()'s read-only page itself: natively,
 * and under gdb on kvm alike, that is a SIGSEGV, which the handler
 * reports.  Prints "called 1" and "text write: SIGSEGV", exits 0.
 * kvm_gdbtext shared FILE: maps FILE shared (read-only) at shared_at,
 * prints "mapped", calls target() (where gdb tries a breakpoint in the
 * mapping, which must be refused) and exits 0.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

static sigjmp_buf back;
void *volatile shared_at;

/*
 * Kept a real call by gcc and clang (the sanitizer build) alike: not
 * inlined, and its argument read from a volatile, so that no compiler
 * folds or clones the call.
 */
static volatile int zero;

__attribute__((noinline, used)) int target(int x)
{
	return x + 1;
}

static void on_segv(int sig)
{
	(void)sig;
	siglongjmp(back, 1);
}

int main(int argc, char **argv)
{
	struct sigaction sa;

	if (argc > 2 && !strcmp(argv[1], "shared")) {
		int fd = open(argv[2], O_RDWR);
		void *p = fd < 0 ? MAP_FAILED :
			  mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);

		if (p == MAP_FAILED) {
			puts("not mapped");
			return 1;
		}
		shared_at = p;
		puts("mapped");
		return target(zero) - 1;
	}

	printf("called %d\n", target(zero));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_segv;
	sigaction(SIGSEGV, &sa, NULL);
	if (sigsetjmp(back, 1) == 0) {
		*(volatile unsigned char *)(void *)target = 0xc3;
		puts("text write: ok");
	} else {
		puts("text write: SIGSEGV");
	}
	return 0;
}
