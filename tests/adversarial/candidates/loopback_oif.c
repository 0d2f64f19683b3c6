/*
 * Escape attempt (candidate): make a "loopback" connect leave the host.
 * Under `network loopback` the guard checks the address (127.0.0.1 is
 * fine) but not the interface: SO_BINDTODEVICE (argv[1], no capability
 * needed on an unbound socket) makes the kernel route 127.0.0.1 out of
 * that interface as if on link, so it ARPs for 127.0.0.1 and sends the
 * SYN there.  A real loopback connect to a closed port is refused at
 * once (ECONNREFUSED); anything else means the SYN went elsewhere.  The
 * runner confirms on the wire: run it in a network namespace with a veth
 * pair and count what the peer receives (ip -s link).  Never point it at
 * an interface that reaches another machine.
 */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(9) };
	const char *dev = argc > 1 ? argv[1] : "v0";
	struct pollfd p;
	socklen_t len = sizeof(int);
	int fd, err = 0;

	inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		printf("CONTAINED: socket: %s\n", strerror(errno));
		return 0;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, dev, strlen(dev)) < 0) {
		printf("CONTAINED: SO_BINDTODEVICE %s: %s\n", dev, strerror(errno));
		return 0;
	}
	if (connect(fd, (struct sockaddr *)&to, sizeof(to)) < 0 &&
	    errno != EINPROGRESS) {
		printf("%s: connect 127.0.0.1:9 through %s: %s\n",
		       errno == ECONNREFUSED ? "CONTAINED" : "ESCAPED", dev,
		       strerror(errno));
		return 0;
	}
	/* a refusal from loopback is immediate; 5 s bounds only a SYN sent away */
	p = (struct pollfd){ .fd = fd, .events = POLLOUT };
	if (poll(&p, 1, 5000) == 1)
		getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
	if (err == ECONNREFUSED)
		printf("CONTAINED: 127.0.0.1:9 refused on loopback\n");
	else
		printf("ESCAPED: the SYN for 127.0.0.1:9 went out of %s (%s)\n",
		       dev, err ? strerror(err) : "no answer");
	return 0;
}
