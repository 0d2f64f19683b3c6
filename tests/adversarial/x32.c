/*
 * Escape attempt: call a denied syscall (ptrace) through the x32 ABI, i.e.
 * with bit 0x40000000 set in the number, hoping the filter only knows the
 * plain x86_64 numbers. 521 is ptrace in the x32 table (101 is 64-bit only).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <unistd.h>

#define X32_SYSCALL_BIT	0x40000000L
#define X32_NR_PTRACE	521L

int main(void)
{
	long r;

	/* A bogus pid: the kernel's own ptrace answers ESRCH, a deny EPERM. */
	errno = 0;
	r = syscall(X32_SYSCALL_BIT | X32_NR_PTRACE, PTRACE_PEEKDATA,
		    0x3fffffffL, 0L, 0L);
	if (r == -1 && errno == ENOSYS)
		printf("CONTAINED x32 syscall returned ENOSYS (kernel has no x32 ABI)\n");
	else if (r == -1 && errno == EPERM)
		printf("CONTAINED x32 ptrace denied: EPERM\n");
	else
		printf("ESCAPED x32 ptrace reached the kernel: returned %ld (%s)\n",
		       r, r == -1 ? strerrorname_np(errno) : "success");
	return 0;
}
