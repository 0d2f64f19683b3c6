/*
 * The remote protocol's framing: $payload#checksum, acknowledged with +
 * (until gdb asks for QStartNoAckMode), a lone ^C byte for an interrupt,
 * and the escapes of binary data ('}' followed by the byte xor 0x20).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "debug/debug.h"

int cabin_debug_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

void cabin_debug_tohex(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

ssize_t cabin_debug_fromhex(const char *in, unsigned char *out, size_t max)
{
	size_t n = 0;
	int hi, lo;

	while (in[0] && in[1] && n < max) {
		hi = cabin_debug_hexval(in[0]);
		lo = cabin_debug_hexval(in[1]);
		if (hi < 0 || lo < 0)
			break;
		out[n++] = (unsigned char)(hi << 4 | lo);
		in += 2;
	}
	return (ssize_t)n;
}

int cabin_debug_wait(struct cabin_debug_conn *c, int fd, short events)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	sigset_t block, old;
	int n, err = 0;

	sigemptyset(&block);
	sigaddset(&block, SIGALRM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGQUIT);
	sigprocmask(SIG_BLOCK, &block, &old);
	for (;;) {
		if (c->cancelled && c->cancelled(c->cancel_ctx)) {
			err = -ECANCELED;
			break;
		}
		/* The signals are let in only inside ppoll: none is missed. */
		n = ppoll(&pfd, 1, NULL, &old);
		if (n > 0)
			break;
		if (n < 0 && errno != EINTR) {
			err = -errno;
			break;
		}
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	return err;
}

ssize_t cabin_debug_read(int fd, void *buf, size_t len)
{
	ssize_t n = recv(fd, buf, len, MSG_DONTWAIT);

	/* --gdb=-: cabin's stdin, a pipe or gdb's socketpair, non-blocking. */
	if (n < 0 && errno == ENOTSOCK)
		n = read(fd, buf, len);
	return n;
}

static int next_byte(struct cabin_debug_conn *c)
{
	ssize_t n;

	while (c->pos == c->have) {
		if (cabin_debug_wait(c, c->fd, POLLIN) < 0)
			return -1;
		n = cabin_debug_read(c->fd, c->in, sizeof(c->in));
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return -1;
		c->have = (size_t)n;
		c->pos = 0;
	}
	return (unsigned char)c->in[c->pos++];
}

static int write_all(struct cabin_debug_conn *c, const char *p, size_t len)
{
	int out = c->wfd > 0 ? c->wfd : c->fd;
	ssize_t n;

	while (len) {
		/* A debugger that reads nothing does not hold cabin either. */
		if (cabin_debug_wait(c, out, POLLOUT) < 0)
			return -EPIPE;
		n = send(out, p, len, MSG_DONTWAIT | MSG_NOSIGNAL);
		/* A pipe or socketpair end of --gdb=- (non-blocking). */
		if (n < 0 && errno == ENOTSOCK)
			n = write(out, p, len);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return -EPIPE;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

ssize_t cabin_debug_recv(struct cabin_debug_conn *c, char *buf, size_t max)
{
	unsigned int sum, want;
	size_t n;
	int b, h, l;

	for (;;) {
		b = next_byte(c);
		if (b < 0)
			return -EPIPE;
		if (b == 0x03) {
			buf[0] = 0x03;
			buf[1] = '\0';
			return 1;
		}
		if (b != '$')
			continue;	/* acks, noise */
		n = 0;
		sum = 0;
		while ((b = next_byte(c)) >= 0 && b != '#') {
			sum += (unsigned int)b;
			if (n + 1 < max)
				buf[n++] = (char)b;
		}
		h = b < 0 ? -1 : next_byte(c);
		l = h < 0 ? -1 : next_byte(c);
		if (l < 0)
			return -EPIPE;
		buf[n] = '\0';
		want = (unsigned int)(cabin_debug_hexval(h) << 4 |
				      cabin_debug_hexval(l));
		if (!c->noack) {
			if ((sum & 0xff) != want) {
				if (write_all(c, "-", 1) < 0)
					return -EPIPE;
				continue;
			}
			if (write_all(c, "+", 1) < 0)
				return -EPIPE;
		}
		return (ssize_t)n;
	}
}

int cabin_debug_send(struct cabin_debug_conn *c, const char *data, size_t len)
{
	char frame[CABIN_DEBUG_PACKET_MAX * 2 + 8];
	unsigned int sum = 0;
	size_t n = 0, i;
	int b;

	frame[n++] = '$';
	for (i = 0; i < len && n < sizeof(frame) - 5; i++) {
		unsigned char ch = (unsigned char)data[i];

		if (ch == '$' || ch == '#' || ch == '}' || ch == '*') {
			frame[n++] = '}';
			sum += '}';
			ch ^= 0x20;
		}
		frame[n++] = (char)ch;
		sum += ch;
	}
	n += (size_t)snprintf(frame + n, 4, "#%02x", sum & 0xff);
	for (;;) {
		if (write_all(c, frame, n) < 0)
			return -EPIPE;
		if (c->noack)
			return 0;
		/* gdb answers + or -; anything else waits for the next read. */
		do
			b = next_byte(c);
		while (b >= 0 && b != '+' && b != '-');
		if (b < 0)
			return -EPIPE;
		if (b == '+')
			return 0;
	}
}

int cabin_debug_sendstr(struct cabin_debug_conn *c, const char *s)
{
	return cabin_debug_send(c, s, strlen(s));
}
