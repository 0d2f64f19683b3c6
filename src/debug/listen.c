/*
 * Where --gdb listens.  The socket is cabin's own, made in cabin's process
 * before any sandbox exists and close-on-exec, so the program never holds
 * it; loopback unless the user names another address, and then it is said.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "debug/debug.h"

static int bad(FILE *log, const char *value, const char *why)
{
	fprintf(log, "cabin: --gdb=%s: %s; give - (gdb on cabin's stdin and stdout), unix:PATH, PORT, :PORT or HOST:PORT (HOST an IP address, 127.0.0.1 if left out)\n",
		value, why);
	return -EINVAL;
}

static int parse_port(const char *s, unsigned int *port)
{
	char *end;
	unsigned long n;

	if (!*s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	n = strtoul(s, &end, 10);
	if (errno || *end || n > 65535)
		return -1;
	*port = (unsigned int)n;
	return 0;
}

int cabin_debug_addr_parse(const char *value, struct cabin_debug_addr *a,
			   FILE *log)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)&a->ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&a->ss;
	char host[64] = "127.0.0.1";
	const char *colon = strrchr(value, ':'), *port_s = value, *orig = value;
	unsigned int port;

	memset(a, 0, sizeof(*a));
	/*
	 * gdb started cabin (target remote | cabin run --gdb=- ...): the
	 * protocol is on cabin's stdin and stdout, nothing listens, so there
	 * is no seat anybody else could take.
	 */
	if (!strcmp(value, "-")) {
		a->stdio = true;
		a->loopback = true;
		return 0;
	}
	/* A socket file: only who may open it (0600: the user) connects. */
	if (!strncmp(value, "unix:", 5)) {
		struct sockaddr_un *un = (struct sockaddr_un *)&a->ss;

		if (!value[5])
			return bad(log, orig, "the socket's path is empty");
		if (strlen(value + 5) >= sizeof(un->sun_path))
			return bad(log, orig, "the socket's path is too long");
		un->sun_family = AF_UNIX;
		strcpy(un->sun_path, value + 5);
		a->len = sizeof(*un);
		a->loopback = true;
		return 0;
	}
	if (colon) {
		size_t n = (size_t)(colon - value);

		port_s = colon + 1;
		if (n >= 2 && value[0] == '[' && value[n - 1] == ']') {
			value++;
			n -= 2;
		}
		if (n >= sizeof(host))
			return bad(log, orig, "the host is too long");
		if (n) {
			memcpy(host, value, n);
			host[n] = '\0';
		}
	}
	if (parse_port(port_s, &port) < 0)
		return bad(log, orig, "the port must be a number from 0 to 65535 (0: any free port)");
	if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((uint16_t)port);
		a->len = sizeof(*in4);
		a->loopback = (ntohl(in4->sin_addr.s_addr) >> 24) == 127;
	} else if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		a->len = sizeof(*in6);
		a->loopback = IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
	} else {
		return bad(log, orig, "the host is not an IPv4 or IPv6 address");
	}
	return 0;
}

int cabin_debug_listen(const struct cabin_debug_addr *a, FILE *log,
		       char *where, size_t wlen)
{
	struct sockaddr_storage got;
	socklen_t len = sizeof(got);
	char host[INET6_ADDRSTRLEN];
	const void *ip;
	unsigned int port;
	int fd, one = 1, err;

	fd = socket(a->ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	if (a->ss.ss_family == AF_UNIX) {
		const char *path = ((const struct sockaddr_un *)&a->ss)->sun_path;

		/* Made 0600 from the start: nobody else can open it. */
		mode_t old = umask(0177);

		err = bind(fd, (const struct sockaddr *)&a->ss, a->len);
		umask(old);
		if (err < 0 || listen(fd, 1) < 0)
			goto fail;
		snprintf(where, wlen, "%s", path);
		return fd;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)&a->ss, a->len) < 0 ||
	    listen(fd, 1) < 0 ||
	    getsockname(fd, (struct sockaddr *)&got, &len) < 0)
		goto fail;
	if (got.ss_family == AF_INET) {
		ip = &((struct sockaddr_in *)&got)->sin_addr;
		port = ntohs(((struct sockaddr_in *)&got)->sin_port);
	} else {
		ip = &((struct sockaddr_in6 *)&got)->sin6_addr;
		port = ntohs(((struct sockaddr_in6 *)&got)->sin6_port);
	}
	inet_ntop(got.ss_family, ip, host, sizeof(host));
	snprintf(where, wlen, got.ss_family == AF_INET6 ?
		 "[%s]:%u" : "%s:%u", host, port);
	if (!a->loopback)
		fprintf(log, "cabin: warning: --gdb listens on %s, not a loopback address: whoever reaches it first can debug the program\n",
			where);
	return fd;
fail:
	err = errno;
	fprintf(log, "cabin: --gdb: cannot listen: %s\n", strerror(err));
	if (fd >= 0)
		close(fd);
	return -err;
}

/*
 * --gdb=-: the protocol keeps copies of cabin's stdin and stdout (above
 * 2, close-on-exec, so the program never holds them); cabin's own 0 and
 * 1 become /dev/null and its stderr, which the program inherits, as
 * gdbserver does with -.  Nothing listens: nobody else can connect.
 */
int cabin_debug_take_stdio(struct cabin_debug_conn *c, int fl[2], FILE *log)
{
	int in, out, null, err;

	in = fcntl(0, F_DUPFD_CLOEXEC, 3);
	out = in < 0 ? -1 : fcntl(1, F_DUPFD_CLOEXEC, 3);
	null = out < 0 ? -1 : open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (null < 0 || dup2(null, 0) < 0 || dup2(2, 1) < 0) {
		err = errno;
		fprintf(log, "cabin: --gdb=-: cannot take stdin and stdout for gdb: %s\n",
			strerror(err));
		if (in >= 0)
			close(in);
		if (out >= 0)
			close(out);
		if (null >= 0)
			close(null);
		return -err;
	}
	close(null);
	fl[0] = fcntl(in, F_GETFL);
	fl[1] = fcntl(out, F_GETFL);
	fcntl(in, F_SETFL, fl[0] | O_NONBLOCK);
	fcntl(out, F_SETFL, fl[1] | O_NONBLOCK);
	c->fd = in;
	c->wfd = out;
	return 0;
}

void cabin_debug_give_stdio(struct cabin_debug_conn *c, const int fl[2])
{
	/* Given back as they came: a terminal's flags are the shell's too. */
	fcntl(c->fd, F_SETFL, fl[0]);
	fcntl(c->wfd, F_SETFL, fl[1]);
	close(c->wfd);
	c->wfd = 0;
}

/*
 * Only the user's own unconfined debugger may take the seat (peer.c);
 * anyone else is closed on and cabin waits on.  A program that connects
 * again and again gets its first refusals said, then only every
 * power-of-two'th: it cannot fill cabin's stderr.  1: refused, 0: the
 * seat is taken, -ECANCELED: the wait ended during the check.
 */
static int refused(struct cabin_debug_conn *c, int fd, unsigned long *n,
		   FILE *log)
{
	struct cabin_debug_peer p;
	int err;

	err = cabin_debug_peer_check(fd, c, &p);
	if (err == 0)
		return 0;
	close(fd);
	if (err == -ECANCELED)
		return err;
	++*n;
	if (*n > 4 && (*n & (*n - 1)))
		return 1;
	fprintf(log, "cabin: --gdb: refused a connection (uid %d, pid %d): %s; still waiting for gdb",
		(int)p.uid, (int)p.pid, p.why);
	if (*n > 4)
		fprintf(log, " (%lu refused so far, not all said)", *n);
	fputc('\n', log);
	fflush(log);
	return 1;
}

int cabin_debug_accept(struct cabin_debug_conn *c, int *listen_fd,
		       const char *where, FILE *log)
{
	unsigned long refusals = 0;
	int fd, err, one = 1;

	/*
	 * Said only now, when a signal or the time limit ends the wait: who
	 * reads this line may count on it.
	 */
	fprintf(log, "cabin: waiting for gdb on %s (target remote %s)\n",
		where, where);
	fflush(log);
	for (;;) {
		err = cabin_debug_wait(c, *listen_fd, POLLIN);
		if (err < 0)
			return err;
		fd = accept4(*listen_fd, NULL, NULL,
			     SOCK_CLOEXEC | SOCK_NONBLOCK);
		err = fd >= 0 ? refused(c, fd, &refusals, log) : 0;
		if (err < 0)
			return err;
		if (err)
			continue;
		if (fd >= 0)
			break;
		if (errno != EINTR && errno != EAGAIN &&
		    errno != ECONNABORTED)
			return -errno;
	}
	/* One debugger: nobody else may connect after it. */
	close(*listen_fd);
	*listen_fd = -1;
	c->fd = fd;
	/* Small packets both ways: Nagle would hold each one back. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return 0;
}
