/*
 * Escape attempt on W^X (--wx): /proc/self/mem writes with FOLL_FORCE,
 * past the protection of the page, so a program may rewrite its own code
 * (mov eax, 42; ret over a function returning 1).  A child tries it; the
 * parent says what became of it.  Linked statically so that it starts
 * under a policy without file rules as root, where W^X refuses every
 * library the program could write.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const unsigned char code[] = { 0xb8, 0x2a, 0, 0, 0, 0xc3 };

__attribute__((noinline, aligned(64))) static int target(void)
{
	__asm__ volatile("");
	return 1;
}

/* 42: rewritten code ran; 10 + errno-ish codes otherwise. */
static int child(void)
{
	int (*volatile fn)(void) = target;
	int fd = open("/proc/self/mem", O_RDWR);

	if (fd < 0)
		return 100 + (errno & 0x7f);
	if (pwrite(fd, code, sizeof(code), (off_t)(unsigned long)fn) !=
	    (ssize_t)sizeof(code))
		return 10;
	return fn();
}

int main(void)
{
	int status;
	pid_t pid;

	setvbuf(stdout, NULL, _IONBF, 0);
	pid = fork();
	if (pid < 0) {
		printf("CONTAINED fork: %s\n", strerrorname_np(errno));
		return 0;
	}
	if (pid == 0)
		_exit(child());
	if (waitpid(pid, &status, 0) < 0) {
		printf("CONTAINED waitpid: %s\n", strerrorname_np(errno));
		return 0;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 42)
		printf("ESCAPED code rewritten through /proc/self/mem ran\n");
	else if (WIFSIGNALED(status))
		printf("CONTAINED the writer of /proc/self/mem was killed: SIG%s\n",
		       sigabbrev_np(WTERMSIG(status)));
	else if (WIFEXITED(status) && WEXITSTATUS(status) >= 100)
		printf("CONTAINED open /proc/self/mem: %s\n",
		       strerrorname_np(WEXITSTATUS(status) - 100));
	else
		printf("CONTAINED the writer exited with %d\n",
		       WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	return 0;
}
