/*
 * Escape attempt: make a syscall through the i386 ABI (int $0x80 with
 * getpid = 20) from a 64-bit process, hoping the filter only checks x86_64
 * numbers (20 is writev there). A fault means the kernel has no int 0x80.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define I386_NR_GETPID	20L

static void on_fault(int sig)
{
	static const char msg[] =
		"CONTAINED int 0x80 faulted (kernel has no ia32 emulation)\n";

	(void)sig;
	if (write(STDOUT_FILENO, msg, sizeof(msg) - 1) < 0)
		_exit(2);
	_exit(0);
}

int main(void)
{
	struct sigaction sa;
	long r;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fault;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGILL, &sa, NULL);

	/* The compat entry may clobber r8-r11; no pointer args are passed. */
	__asm__ volatile ("int $0x80"
			  : "=a" (r)
			  : "0" (I386_NR_GETPID)
			  : "r8", "r9", "r10", "r11", "memory", "cc");
	if (r == -38)
		printf("CONTAINED int 0x80 returned ENOSYS (kernel has no ia32 emulation)\n");
	else if (r == getpid())
		printf("ESCAPED int 0x80 getpid returned %ld\n", r);
	else
		printf("CONTAINED int 0x80 getpid returned %ld, not the pid\n", r);
	return 0;
}
