/*
 * Escape attempt: ioctl(0, TIOCLINUX, TIOCL_PASTESEL) pastes the console
 * selection into the terminal's input, like TIOCSTI (virtual consoles only).
 */
#include <errno.h>
#include <linux/tiocl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

int main(void)
{
	char sub = TIOCL_PASTESEL;

	if (ioctl(STDIN_FILENO, TIOCLINUX, &sub) < 0) {
		printf("CONTAINED ioctl(TIOCLINUX) failed: %s%s\n",
		       strerrorname_np(errno),
		       errno == EPERM ? "" : " (not a virtual console)");
		return 0;
	}
	printf("ESCAPED ioctl(TIOCLINUX, TIOCL_PASTESEL) pasted into the terminal\n");
	return 0;
}
