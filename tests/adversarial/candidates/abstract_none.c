/*
 * Escape attempt (candidate): reach a host service on an abstract unix
 * socket (argv[1], without the leading NUL) under `network none`.  The
 * program connects; if the proxy performs the connect for it, the
 * connect happens in cabin's process, outside the program's Landlock
 * domain, whose abstract-socket scope (ABI 6) would refuse it.  Success
 * is a line read from the peer (X11, D-Bus and systemd listen on
 * abstract names: a desktop's keyboard is one of them).
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	const char *name = argc > 1 ? argv[1] : "cabin-abstract-probe";
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	socklen_t len;
	char buf[64] = "";
	ssize_t n;
	int fd;

	strncpy(sun.sun_path + 1, name, sizeof(sun.sun_path) - 2);
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
			  strlen(sun.sun_path + 1));
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0) {
		printf("CONTAINED: socket(AF_UNIX): %s\n", strerror(errno));
		return 0;
	}
	if (connect(fd, (struct sockaddr *)&sun, len) < 0) {
		printf("CONTAINED: connect @%s: %s\n", name, strerror(errno));
		return 0;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	if (n > 0) {
		buf[strcspn(buf, "\n")] = '\0';
		printf("ESCAPED: talked to @%s outside the sandbox: %s\n", name,
		       buf);
	} else {
		printf("CONTAINED: connected to @%s but read nothing\n", name);
	}
	return 0;
}
