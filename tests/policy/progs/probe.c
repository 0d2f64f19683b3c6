/*
 * probe: one operation, its outcome on stdout, for tests/policy/run.sh.
 *
 *   probe MODE ARGS...
 *
 * Prints "TRY MODE" first, before any attempt, so that a test can tell
 * that the program ran and reached the operation; then "OK[ detail]" and
 * exits 0 when the operation succeeded, prints "ERR ENAME" and exits 1
 * when it failed, exits 2 on bad usage.  Reads
 * print what they read after the OK line.  Nothing here is destructive
 * beyond the operation named: opens for writing never write.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#ifndef SYS_fsopen
#define SYS_fsopen 430
#endif
#ifndef MSG_FASTOPEN
#define MSG_FASTOPEN 0x20000000
#endif

static int ok(const char *detail)
{
	printf("OK%s%s\n", detail ? " " : "", detail ? detail : "");
	fflush(stdout);
	return 0;
}

static int err(void)
{
	const char *n = strerrorname_np(errno);

	printf("ERR %s\n", n ? n : "?");
	fflush(stdout);
	return 1;
}

static int res(long r)
{
	return r < 0 ? err() : ok(NULL);
}

static int usage(void)
{
	fputs("usage: probe MODE ARGS... (see the source)\n", stderr);
	return 2;
}

/* An IPv4 or IPv6 socket address from text. */
static socklen_t addr_of(const char *host, const char *port,
			 struct sockaddr_storage *ss)
{
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons((unsigned short)atoi(port));
		return sizeof(*a4);
	}
	if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((unsigned short)atoi(port));
		return sizeof(*a6);
	}
	fprintf(stderr, "probe: bad address '%s'\n", host);
	exit(2);
}

static int cat_fd(int fd)
{
	char buf[4096];
	ssize_t n;

	printf("OK\n");
	fflush(stdout);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (write(1, buf, (size_t)n) != n)
			return 1;
	return n < 0 ? 1 : 0;
}

static int net(const char *mode, int argc, char **argv)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, type = SOCK_STREAM;

	if (argc < 4)
		return usage();
	len = addr_of(argv[2], argv[3], &ss);
	if (!strncmp(mode, "udp", 3))
		type = SOCK_DGRAM;
	fd = socket(ss.ss_family, type | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return err();
	if (!strcmp(mode, "tcp")) {
		return res(connect(fd, (struct sockaddr *)&ss, len));
	} else if (!strcmp(mode, "bind")) {
		return res(bind(fd, (struct sockaddr *)&ss, len));
	} else if (!strcmp(mode, "listen")) {
		/* bind, listen: a server on that address */
		if (bind(fd, (struct sockaddr *)&ss, len) < 0)
			return err();
		return res(listen(fd, 1));
	} else if (!strcmp(mode, "udp")) {
		return res(sendto(fd, "x", 1, 0, (struct sockaddr *)&ss, len));
	} else if (!strcmp(mode, "udp-connect")) {
		if (connect(fd, (struct sockaddr *)&ss, len) < 0)
			return err();
		return res(send(fd, "x", 1, 0));
	} else if (!strcmp(mode, "udp-sendmsg")) {
		struct iovec iov = { .iov_base = "x", .iov_len = 1 };
		struct msghdr mh = { .msg_name = &ss, .msg_namelen = len,
				     .msg_iov = &iov, .msg_iovlen = 1 };

		return res(sendmsg(fd, &mh, 0));
	} else if (!strcmp(mode, "udp-sendmmsg")) {
		struct iovec iov = { .iov_base = "x", .iov_len = 1 };
		struct mmsghdr mm[2];
		int n;

		memset(mm, 0, sizeof(mm));
		mm[0].msg_hdr.msg_name = &ss;
		mm[0].msg_hdr.msg_namelen = len;
		mm[0].msg_hdr.msg_iov = &iov;
		mm[0].msg_hdr.msg_iovlen = 1;
		mm[1] = mm[0];
		n = sendmmsg(fd, mm, 2, 0);
		if (n < 0)
			return err();
		return n == 0 ? (errno = EAGAIN, err()) : ok(NULL);
	} else if (!strcmp(mode, "tcp-fastopen")) {
		/* connect by sendto on a TCP socket */
		return res(sendto(fd, "x", 1, MSG_FASTOPEN,
				  (struct sockaddr *)&ss, len));
	}
	return usage();
}

int main(int argc, char **argv)
{
	const char *m;
	int fd;

	if (argc < 2)
		return usage();
	m = argv[1];
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("TRY %s\n", m);

	/* files */
	if (!strcmp(m, "read") && argc == 3) {
		fd = open(argv[2], O_RDONLY | O_CLOEXEC);
		return fd < 0 ? err() : cat_fd(fd);
	}
	if (!strcmp(m, "open-w") && argc == 3)	/* opens, never writes */
		return res(open(argv[2], O_WRONLY | O_APPEND | O_CLOEXEC));
	if (!strcmp(m, "open-rw") && argc == 3)	/* opens, never writes */
		return res(open(argv[2], O_RDWR | O_CLOEXEC));
	if (!strcmp(m, "write") && argc == 4) {
		size_t n = strlen(argv[3]);

		fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			  0644);
		if (fd < 0)
			return err();
		return res(write(fd, argv[3], n) == (ssize_t)n ? 0 : -1);
	}
	if (!strcmp(m, "truncate") && argc == 4)
		return res(truncate(argv[2], atol(argv[3])));
	if (!strcmp(m, "rename") && argc == 4)
		return res(rename(argv[2], argv[3]));
	if (!strcmp(m, "exchange") && argc == 4)
		return res(renameat2(AT_FDCWD, argv[2], AT_FDCWD, argv[3],
				     RENAME_EXCHANGE));
	if (!strcmp(m, "link") && argc == 4)
		return res(link(argv[2], argv[3]));
	if (!strcmp(m, "mkdir") && argc == 3)
		return res(mkdir(argv[2], 0755));
	if (!strcmp(m, "exec") && argc >= 3) {
		execv(argv[2], argv + 2);
		return err();
	}

	/* processes */
	if (!strcmp(m, "kill") && argc == 4)
		return res(kill(atoi(argv[2]), atoi(argv[3])));
	if (!strcmp(m, "getppid") && argc == 2) {
		char b[32];

		snprintf(b, sizeof(b), "%ld", syscall(SYS_getppid));
		return ok(b);
	}
	if (!strcmp(m, "ppid-mem") && argc == 2) {
		/* the parent's memory, the way a debugger writes it */
		char p[64];

		snprintf(p, sizeof(p), "/proc/%d/mem", (int)getppid());
		return res(open(p, O_RDWR | O_CLOEXEC));
	}
	if (!strcmp(m, "sethostname") && argc == 3)
		return res(sethostname(argv[2], strlen(argv[2])));

	/* the file-system tree: the @mount group, old and new mount API */
	if (!strcmp(m, "chroot") && argc == 3)
		return res(chroot(argv[2]));
	if (!strcmp(m, "umount") && argc == 3)
		return res(umount2(argv[2], 0));
	if (!strcmp(m, "fsopen") && argc == 2)	/* a context, never mounted */
		return res(syscall(SYS_fsopen, "tmpfs", 0));

	/* terminal: type one harmless character into our own terminal */
	if (!strcmp(m, "tiocsti") && argc == 2)
		return res(ioctl(0, TIOCSTI, " "));
	if (!strcmp(m, "tiocsti-hi") && argc == 2)	/* high bits set */
		return res(syscall(SYS_ioctl, 0, (long)TIOCSTI | (1L << 32),
				   " "));
	if (!strcmp(m, "tiocsti-tty") && argc == 2) {
		fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
		if (fd < 0)
			return err();
		return res(ioctl(fd, TIOCSTI, " "));
	}

	/* sockets */
	if (!strcmp(m, "socket") && argc == 4)	/* FAMILY TYPE as numbers */
		return res(socket(atoi(argv[2]), atoi(argv[3]), 0));
	if (!strcmp(m, "raw4") && argc == 2)
		return res(socket(AF_INET, SOCK_RAW, IPPROTO_ICMP));
	if (!strcmp(m, "raw6") && argc == 2)
		return res(socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6));
	if (!strcmp(m, "packet") && argc == 2)
		return res(socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL)));
	if (!strcmp(m, "tcp") || !strcmp(m, "bind") || !strcmp(m, "listen") ||
	    !strncmp(m, "udp", 3) || !strcmp(m, "tcp-fastopen"))
		return net(m, argc, argv);
	return usage();
}
