/*
 * Execute-only memory by protection keys: map a page, write `ret` into it,
 * make it PROT_EXEC only, call it, then read it. On a CPU and kernel with
 * protection keys the call works and the read raises SIGSEGV with si_code
 * SEGV_PKUERR (4); without them PROT_EXEC implies read and the read works.
 * Prints "call: ok", then "read: SIGSEGV si_code N" or "read: ok (no
 * execute-only memory)". Exit 0 when it could tell, 1 on setup errors.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static void say(const char *s)
{
	if (write(STDOUT_FILENO, s, strlen(s)) < 0)
		_exit(1);
}

static void on_segv(int sig, siginfo_t *si, void *ctx)
{
	char buf[64];

	(void)sig;
	(void)ctx;
	snprintf(buf, sizeof(buf), "read: SIGSEGV si_code %d\n", si->si_code);
	say(buf);
	_exit(0);
}

int main(void)
{
	struct sigaction sa;
	volatile unsigned char *page;
	void (*fn)(void);
	unsigned char c;

	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	page[0] = 0xc3;		/* ret */
	if (mprotect((void *)page, 4096, PROT_EXEC) < 0) {
		perror("mprotect");
		return 1;
	}
	fn = (void (*)(void))page;
	fn();
	say("call: ok\n");

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_segv;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGSEGV, &sa, NULL);
	c = page[0];
	printf("read: ok (no execute-only memory), byte 0x%02x\n", c);
	return 0;
}
