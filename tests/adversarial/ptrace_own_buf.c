/*
 * Escape attempt: a tracer reads its own unreadable memory (a PROT_NONE
 * page here; execute-only code under --xom the same way) through a
 * request's buffer: PTRACE_SETSIGINFO from the page, PTRACE_GETSIGINFO
 * back.  Natively the kernel's copy from the tracer fails (EFAULT,
 * CONTAINED).  Without the fix (ptrace_emul_req.c, get(): only
 * process_vm_readv) cabin copied the buffer with a forced /proc/PID/mem
 * read and the secret came back (ESCAPED; red team, ptrace finding 2,
 * shown by hand with get() on cabin_ptrace_ops.read_mem again).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#define SECRET "SECRET-IN-PROT_NONE-PAGE"

int main(void)
{
	char buf[sizeof(siginfo_t)], *p;
	int status, err;
	pid_t c;
	long r;

	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return 1;
	strcpy(p, SECRET);
	if (mprotect(p, 4096, PROT_NONE))
		return 1;
	c = fork();
	if (c < 0)
		return 1;
	if (!c) {
		if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) < 0)
			_exit(2);
		raise(SIGUSR1);
		_exit(0);
	}
	if (waitpid(c, &status, 0) != c || !WIFSTOPPED(status)) {
		printf("FAILED the child did not stop for its tracer (status %#x)\n",
		       status);
		return 0;
	}
	r = ptrace(PTRACE_SETSIGINFO, c, NULL, p);
	err = errno;
	memset(buf, 0, sizeof(buf));
	ptrace(PTRACE_GETSIGINFO, c, NULL, buf);
	ptrace(PTRACE_KILL, c, NULL, NULL);
	waitpid(c, &status, 0);
	if (memmem(buf, sizeof(buf), SECRET, strlen(SECRET)))
		printf("ESCAPED the PROT_NONE page read through PTRACE_SETSIGINFO\n");
	else if (r < 0)
		printf("CONTAINED PTRACE_SETSIGINFO from a PROT_NONE page: %s\n",
		       err == EFAULT ? "EFAULT" : strerror(err));
	else
		printf("FAILED PTRACE_SETSIGINFO from a PROT_NONE page answered 0, without the secret\n");
	return 0;
}
