/*
 * Escape attempt: a tracer inside writes code.  Under W^X (--wx) the
 * program's code can never be written: not by mprotect, not by
 * /proc/self/mem.  A forked child asks to be traced and stops; the parent
 * POKEs "mov $42, %eax; ret" over the child's function answer() (read-only
 * code; natively ptrace writes it with FOLL_FORCE) and lets it run: the
 * child exits with what answer() returned.  Under cabin's emulated
 * ptrace with --wx the write fails as the child's own mprotect would
 * (CONTAINED ... EIO); without --wx it works, as natively (ESCAPED).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

__attribute__((noinline, aligned(16))) int answer(void)
{
	return 1;
}

int main(void)
{
	static const unsigned char code[8] = {
		0xb8, 0x2a, 0x00, 0x00, 0x00, 0xc3, 0x90, 0x90,
	};
	int (*volatile call)(void) = answer;
	int status, err = 0;
	long word;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return 2;
	if (pid == 0) {
		if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) < 0)
			_exit(3);
		raise(SIGSTOP);
		_exit(call());
	}
	if (waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status)) {
		printf("CONTAINED no stop to write at (status %#x)\n", status);
		return 0;
	}
	memcpy(&word, code, sizeof(word));
	if (ptrace(PTRACE_POKETEXT, pid, (void *)answer, (void *)word) < 0)
		err = errno;
	ptrace(PTRACE_CONT, pid, NULL, NULL);
	waitpid(pid, &status, 0);
	if (!err && WIFEXITED(status) && WEXITSTATUS(status) == 42) {
		printf("ESCAPED the tracer rewrote the tracee's code: answer() returned 42\n");
		return 0;
	}
	printf("CONTAINED POKETEXT into the tracee's code failed: %s (child status %#x)\n",
	       err ? strerrorname_np(err) : "no error", status);
	return 0;
}
