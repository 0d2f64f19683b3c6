/*
 * Escape attempt: make a "loopback" packet leave by another interface
 * (argv[1]) under `network loopback`.  The guard checks the address
 * (127.0.0.1 is fine); choosing the interface makes the kernel take
 * 127.0.0.1 for an address on that link, so it ARPs for it there and
 * sends the packet there.  Every way to choose one is tried, each on a
 * fresh socket: SO_BINDTODEVICE (no capability needed on an unbound
 * socket), SO_BINDTOIFINDEX, IP_UNICAST_IF, IPV6_UNICAST_IF, a sticky
 * IPV6_PKTINFO, IP_MULTICAST_IF and an IP_PKTINFO in a send.
 *
 * Any of them accepted is the escape.  When SO_BINDTODEVICE is, a TCP
 * connect to 127.0.0.1:9 bound to the interface sends the ARP request
 * for 127.0.0.1 out of it, and the runner reads that frame on the
 * other side (the tap's counters count only what its reader took).
 *
 * `loopback_oif --sink DEV` is the runner's watcher: it makes tap DEV in
 * the test's own network namespace, says "ready", prints the first frame
 * that carries 127.0.0.1 (an ARP request or an IPv4 packet), and keeps
 * the tap until killed.
 * Never point the program at an interface that reaches another machine.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#define LOOPBACK_BE	0x7f000001u

static int sink(const char *dev)
{
	unsigned char f[2048];
	struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI };
	uint32_t ip;
	ssize_t n;
	int fd = open("/dev/net/tun", O_RDWR), seen = 0;

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", dev);
	if (fd < 0 || ioctl(fd, TUNSETIFF, &ifr) < 0) {
		printf("sink: %s: %s\n", dev, strerror(errno));
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	/* the tap lives as long as this reader: read until killed */
	while ((n = read(fd, f, sizeof(f))) > 0) {
		/* ARP: target IP at 38; IPv4: destination at 30 */
		if (n >= 42 && f[12] == 0x08 && f[13] == 0x06) {
			memcpy(&ip, f + 38, 4);
			if (ntohl(ip) == LOOPBACK_BE && !seen++)
				printf("FRAME: ARP who-has 127.0.0.1 on %s\n", dev);
		} else if (n >= 34 && f[12] == 0x08 && f[13] == 0x00) {
			memcpy(&ip, f + 30, 4);
			if (ntohl(ip) == LOOPBACK_BE && !seen++)
				printf("FRAME: IPv4 to 127.0.0.1 on %s\n", dev);
		}
		fflush(stdout);
	}
	return 1;
}

struct way {
	const char *name;
	int family, type, level, opt;
};

/* 0 when the kernel took the option, else errno. */
static int try_option(const struct way *w, const char *dev, int ifindex)
{
	const void *val = &ifindex;
	socklen_t len = sizeof(ifindex);
	struct in6_pktinfo pi6 = { .ipi6_ifindex = ifindex };
	int be = (int)htonl((uint32_t)ifindex), fd, ret;
	struct in_addr any = { 0 };

	if (w->opt == SO_BINDTODEVICE && w->level == SOL_SOCKET) {
		val = dev;
		len = (socklen_t)strlen(dev);
	} else if ((w->level == IPPROTO_IP && w->opt == IP_UNICAST_IF) ||
		   (w->level == IPPROTO_IPV6 && w->opt == IPV6_UNICAST_IF)) {
		val = &be;	/* both take network order */
	} else if (w->level == IPPROTO_IPV6 && w->opt == IPV6_PKTINFO) {
		val = &pi6;
		len = sizeof(pi6);
	} else if (w->level == IPPROTO_IP && w->opt == IP_MULTICAST_IF) {
		struct ip_mreqn m = { .imr_address = any,
				      .imr_ifindex = ifindex };
		fd = socket(w->family, w->type, 0);
		if (fd < 0)
			return errno;
		ret = setsockopt(fd, w->level, w->opt, &m, sizeof(m));
		ret = ret < 0 ? errno : 0;
		close(fd);
		return ret;
	}
	fd = socket(w->family, w->type, 0);
	if (fd < 0)
		return errno;
	ret = setsockopt(fd, w->level, w->opt, val, len) < 0 ? errno : 0;
	close(fd);
	return ret;
}

/* A UDP send to 127.0.0.1:9 naming the interface in IP_PKTINFO. */
static int try_pktinfo_send(int ifindex)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(9),
				  .sin_addr.s_addr = htonl(LOOPBACK_BE) };
	union {
		char buf[CMSG_SPACE(sizeof(struct in_pktinfo))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = "x", .iov_len = 1 };
	struct msghdr mh = {
		.msg_name = &to, .msg_namelen = sizeof(to),
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = u.buf, .msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	struct in_pktinfo pi = { .ipi_ifindex = ifindex };
	int fd = socket(AF_INET, SOCK_DGRAM, 0), ret;

	if (fd < 0)
		return errno;
	memset(u.buf, 0, sizeof(u.buf));
	cm->cmsg_level = IPPROTO_IP;
	cm->cmsg_type = IP_PKTINFO;
	cm->cmsg_len = CMSG_LEN(sizeof(pi));
	memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
	ret = sendmsg(fd, &mh, 0) < 0 ? errno : 0;
	close(fd);
	return ret;
}

/*
 * A SYN for 127.0.0.1:9 from a socket bound to dev: the kernel ARPs for
 * 127.0.0.1 on dev within the connect.  0 when it was sent, else errno.
 */
static int connect_through(const char *dev)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(9),
				  .sin_addr.s_addr = htonl(LOOPBACK_BE) };
	int fd, err = 0;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return errno;
	if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, dev,
		       (socklen_t)strlen(dev)) < 0 ||
	    (connect(fd, (struct sockaddr *)&to, sizeof(to)) < 0 &&
	     errno != EINPROGRESS))
		err = errno;
	close(fd);
	return err;
}

/* Adds name to the list its answer belongs in; keeps the first errno. */
static void tally(const char *name, int err, char *took, char *refused,
		  size_t len, int *first)
{
	char *list = err ? refused : took;

	snprintf(list + strlen(list), len - strlen(list), " %s", name);
	if (err && *first < 0)
		*first = err;
}

int main(int argc, char **argv)
{
	static const struct way ways[] = {
		{ "SO_BINDTODEVICE", AF_INET, SOCK_STREAM, SOL_SOCKET,
		  SO_BINDTODEVICE },
		{ "SO_BINDTOIFINDEX", AF_INET, SOCK_STREAM, SOL_SOCKET,
		  SO_BINDTOIFINDEX },
		{ "IP_UNICAST_IF", AF_INET, SOCK_DGRAM, IPPROTO_IP,
		  IP_UNICAST_IF },
		{ "IP_MULTICAST_IF", AF_INET, SOCK_DGRAM, IPPROTO_IP,
		  IP_MULTICAST_IF },
		{ "IPV6_UNICAST_IF", AF_INET6, SOCK_DGRAM, IPPROTO_IPV6,
		  IPV6_UNICAST_IF },
		{ "IPV6_PKTINFO", AF_INET6, SOCK_DGRAM, IPPROTO_IPV6,
		  IPV6_PKTINFO },
	};
	const char *dev = argc > 1 ? argv[1] : "tp0";
	char took[256] = "", refused[256] = "";
	int ifindex, first = -1, out;
	size_t i;

	if (argc > 2 && !strcmp(argv[1], "--sink"))
		return sink(argv[2]);
	ifindex = (int)if_nametoindex(dev);
	if (!ifindex) {
		printf("BROKEN: no interface %s: %s\n", dev, strerror(errno));
		return 1;
	}
	/* first, while no neighbour entry for 127.0.0.1 on dev exists */
	out = connect_through(dev);
	for (i = 0; i < sizeof(ways) / sizeof(*ways); i++)
		tally(ways[i].name, try_option(&ways[i], dev, ifindex), took,
		      refused, sizeof(took), &first);
	tally("IP_PKTINFO(send)", try_pktinfo_send(ifindex), took, refused,
	      sizeof(took), &first);
	if (!took[0]) {
		printf("CONTAINED every way to choose %s refused: %s\n", dev,
		       strerror(first));
		return 0;
	}
	if (strstr(took, "SO_BINDTODEVICE"))
		printf("ESCAPED a connect to 127.0.0.1:9 bound to %s: %s (took:%s; refused:%s)\n",
		       dev, out ? strerror(out) : "connect in progress", took,
		       refused);
	else
		printf("ESCAPED %s can be chosen for 127.0.0.1 (took:%s; refused:%s)\n",
		       dev, took, refused);
	return 0;
}
