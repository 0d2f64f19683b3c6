/*
 * Escape attempt: ioctl(0, TIOCSTI) pushes a byte into the input queue of
 * the inherited terminal, i.e. types a command into the shell outside.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

int main(void)
{
	char c = ' ';
	int queued = 0;

	if (ioctl(STDIN_FILENO, TIOCSTI, &c) < 0) {
		printf("CONTAINED ioctl(TIOCSTI) failed: %s\n",
		       strerrorname_np(errno));
		return 0;
	}
	/* Take the byte back if it is readable, so nothing leaks out. */
	if (ioctl(STDIN_FILENO, FIONREAD, &queued) == 0 && queued > 0) {
		fcntl(STDIN_FILENO, F_SETFL,
		      fcntl(STDIN_FILENO, F_GETFL) | O_NONBLOCK);
		if (read(STDIN_FILENO, &c, 1) != 1)
			queued = 0;
	}
	printf("ESCAPED ioctl(TIOCSTI) injected a byte into the terminal%s\n",
	       queued > 0 ? " (and it was read back from it)" : "");
	return 0;
}
