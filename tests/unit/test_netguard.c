/*
 * The network guard against real sockets of the test process itself: the
 * platform reads and writes this process's memory and duplicates its own
 * descriptors, so every allowed call really connects, binds or sends, and
 * every denied one must leave its socket untouched.  Only 127.0.0.0/8 and
 * ::1 are ever reached; denied addresses are TEST-NET (192.0.2.0/24).
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <net/if.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/netguard.h"
#include "policy/compile_bpf.h"
#include "self_mem.h"

/* The test process is both cabin and the program. */

static const struct cabin_platform_ops self_ops = {
	.read_mem = self_mem_read,
	.write_mem = self_mem_write,
	.dup_fd = self_dup_fd,
};

static const struct cabin_platform self_plat = {
	.name = "self", .ops = &self_ops,
};

struct fixture {
	struct cabin_proxy proxy;
	struct cabin_netguard g;
	struct cabin_task task;
	char *log;
	size_t loglen;
	FILE *logf;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->logf = open_memstream(&f->log, &f->loglen);
	f->proxy.plat = &self_plat;
	f->proxy.log.out = f->logf;
	f->g.mode = CABIN_NET_LOOPBACK;
	f->task.tid = getpid();
	f->task.pid = getpid();
	strcpy(f->task.comm, "tester");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	fclose(f->logf);
	free(f->log);
	cabin_log_free(&f->proxy.log);
	free(f);
	return 0;
}

#define U(x) ((uint64_t)(uintptr_t)(x))

static long call(struct fixture *f, long nr, uint64_t a0, uint64_t a1,
		 uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct cabin_syscall sys = {
		.nr = nr, .args = { a0, a1, a2, a3, a4, a5 },
		.arch = AUDIT_ARCH_X86_64,
	};

	fflush(f->logf);
	return cabin_netguard_emulate(&f->proxy, &f->g, &f->task, &sys);
}

static long gconnect(struct fixture *f, int fd, const void *sa, size_t len)
{
	return call(f, SYS_connect, fd, U(sa), len, 0, 0, 0);
}

static long gbind(struct fixture *f, int fd, const void *sa, size_t len)
{
	return call(f, SYS_bind, fd, U(sa), len, 0, 0, 0);
}

static struct sockaddr_in v4(const char *ip, uint16_t port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons(port) };

	assert_int_equal(inet_pton(AF_INET, ip, &sin.sin_addr), 1);
	return sin;
}

static struct sockaddr_in6 v6(const char *ip, uint16_t port)
{
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6,
				     .sin6_port = htons(port) };

	assert_int_equal(inet_pton(AF_INET6, ip, &sin6.sin6_addr), 1);
	return sin6;
}

static uint16_t port_of(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	assert_int_equal(getsockname(fd, (struct sockaddr *)&ss, &len), 0);
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

/* A socket bound by the test itself (not through the guard). */
static int bound(int family, int type, const char *ip)
{
	int fd = socket(family, type | SOCK_CLOEXEC, 0);
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	int ret;

	assert_true(fd >= 0);
	if (family == AF_INET) {
		sin = v4(ip, 0);
		ret = bind(fd, (struct sockaddr *)&sin, sizeof(sin));
	} else {
		sin6 = v6(ip, 0);
		ret = bind(fd, (struct sockaddr *)&sin6, sizeof(sin6));
	}
	if (ret < 0) {
		close(fd);
		return -1;
	}
	if (type == SOCK_STREAM)
		assert_int_equal(listen(fd, 8), 0);
	return fd;
}

static bool connected(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	return getpeername(fd, (struct sockaddr *)&ss, &len) == 0;
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	assert_non_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/* Routes. */

static const struct cabin_route *route(const struct cabin_router *r, int nr,
				       uint64_t a0, uint64_t a1, uint64_t a2,
				       uint64_t a3, uint64_t a4)
{
	uint64_t args[6] = { a0, a1, a2, a3, a4, 0 };

	return cabin_router_match(r, nr, args, NULL);
}

static void assert_kind(const struct cabin_route *rt,
			enum cabin_route_kind kind)
{
	assert_int_equal(rt->kind, kind);
	if (kind == CABIN_ROUTE_DENY)
		assert_int_equal(rt->err, EACCES);
}

static void test_routes_loopback(void **state)
{
	struct cabin_netguard g = { .mode = CABIN_NET_LOOPBACK, .scope = true };
	struct cabin_rule mine = {
		.nr = SYS_bind, .route = { .kind = CABIN_ROUTE_ALLOW },
	};
	struct cabin_router r;

	(void)state;
	cabin_router_init(&r, (struct cabin_route){ .kind = CABIN_ROUTE_ALLOW });
	assert_true(cabin_router_add(&r, &mine) >= 0);
	assert_int_equal(cabin_netguard_routes(&g, &r), 0);

	/* the rule added before wins */
	assert_kind(route(&r, SYS_bind, 3, 0, 0, 0, 0), CABIN_ROUTE_ALLOW);
	assert_kind(route(&r, SYS_connect, 3, 0, 0, 0, 0),
		    CABIN_ROUTE_EMULATE);
	assert_kind(route(&r, SYS_listen, 3, 0, 0, 0, 0),
		    CABIN_ROUTE_EMULATE);
	assert_kind(route(&r, SYS_sendto, 3, 0, 0, 0, 0), CABIN_ROUTE_ALLOW);
	assert_kind(route(&r, SYS_sendto, 3, 0, 0, 0, 0x1000),
		    CABIN_ROUTE_EMULATE);
	assert_kind(route(&r, SYS_sendmsg, 3, 0, 0, 0, 0),
		    CABIN_ROUTE_EMULATE);
	assert_kind(route(&r, SYS_sendmmsg, 3, 0, 0, 0, 0),
		    CABIN_ROUTE_EMULATE);

	assert_kind(route(&r, SYS_socket, AF_PACKET, SOCK_RAW, 0, 0, 0),
		    CABIN_ROUTE_DENY);
	assert_kind(route(&r, SYS_socket, AF_INET, SOCK_RAW | SOCK_CLOEXEC,
			  IPPROTO_ICMP, 0, 0), CABIN_ROUTE_DENY);
	assert_kind(route(&r, SYS_socket, AF_INET6, SOCK_RAW, 0, 0, 0),
		    CABIN_ROUTE_DENY);
	assert_kind(route(&r, SYS_socket, AF_INET, SOCK_PACKET, 0, 0, 0),
		    CABIN_ROUTE_DENY);
	assert_kind(route(&r, SYS_socket, AF_INET, SOCK_STREAM, IPPROTO_SCTP,
			  0, 0), CABIN_ROUTE_DENY);
	assert_kind(route(&r, SYS_socket, AF_INET6, SOCK_SEQPACKET, 0, 0, 0),
		    CABIN_ROUTE_DENY);
	assert_kind(route(&r, SYS_socket, AF_VSOCK, SOCK_STREAM, 0, 0, 0),
		    CABIN_ROUTE_DENY);
	/* the kernel reads the low 32 bits: high garbage is no way round */
	assert_kind(route(&r, SYS_socket, 0x100000000ull | AF_PACKET,
			  SOCK_DGRAM, 0, 0, 0), CABIN_ROUTE_DENY);
	assert_kind(route(&r, SYS_socket, AF_INET,
			  SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, 0, 0),
		    CABIN_ROUTE_ALLOW);
	assert_kind(route(&r, SYS_socket, AF_INET6, SOCK_DGRAM, 0, 0, 0),
		    CABIN_ROUTE_ALLOW);
	/* glibc's getaddrinfo asks the kernel through a raw netlink socket */
	assert_kind(route(&r, SYS_socket, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC,
			  0, 0, 0), CABIN_ROUTE_ALLOW);
	assert_kind(route(&r, SYS_socket, AF_UNIX, SOCK_STREAM, 0, 0, 0),
		    CABIN_ROUTE_ALLOW);

	assert_kind(route(&r, SYS_setsockopt, 3, IPPROTO_IP, IP_OPTIONS, 0, 0),
		    CABIN_ROUTE_DENY);
	assert_kind(route(&r, SYS_setsockopt, 3, IPPROTO_IPV6, IPV6_RTHDR, 0,
			  0), CABIN_ROUTE_DENY);
	assert_kind(route(&r, SYS_setsockopt, 3, SOL_SOCKET, SO_REUSEADDR, 0,
			  0), CABIN_ROUTE_ALLOW);
	/* nothing chooses the interface a loopback packet leaves by */
	assert_kind(route(&r, SYS_setsockopt, 3, SOL_SOCKET, SO_BINDTODEVICE,
			  0, 0), CABIN_ROUTE_DENY);
	assert_kind(route(&r, SYS_setsockopt, 3, SOL_SOCKET, SO_BINDTOIFINDEX,
			  0, 0), CABIN_ROUTE_DENY);
	assert_kind(route(&r, SYS_setsockopt, 3, 0x100000000ull | IPPROTO_IP,
			  IP_UNICAST_IF, 0, 0), CABIN_ROUTE_DENY);
	assert_kind(route(&r, SYS_setsockopt, 3, IPPROTO_IPV6, IPV6_UNICAST_IF,
			  0, 0), CABIN_ROUTE_DENY);
	assert_kind(route(&r, SYS_setsockopt, 3, IPPROTO_IPV6, IPV6_PKTINFO,
			  0, 0), CABIN_ROUTE_DENY);
	assert_kind(route(&r, SYS_setsockopt, 3, IPPROTO_IP, IP_PKTINFO, 0, 0),
		    CABIN_ROUTE_ALLOW);
	cabin_router_free(&r);
}

static void test_routes_modes(void **state)
{
	static const uint16_t ports[] = { 443 };
	struct cabin_netguard g = { .mode = CABIN_NET_NONE };
	struct cabin_router r;

	(void)state;
	cabin_router_init(&r, (struct cabin_route){ .kind = CABIN_ROUTE_ALLOW });
	assert_int_equal(cabin_netguard_routes(&g, &r), 0);
	assert_kind(route(&r, SYS_socket, AF_INET, SOCK_STREAM, 0, 0, 0),
		    CABIN_ROUTE_DENY);
	assert_kind(route(&r, SYS_socket, AF_INET6, SOCK_DGRAM, 0, 0, 0),
		    CABIN_ROUTE_DENY);
	assert_kind(route(&r, SYS_socket, AF_PACKET, SOCK_RAW, 0, 0, 0),
		    CABIN_ROUTE_DENY);
	assert_kind(route(&r, SYS_socket, AF_UNIX, SOCK_STREAM, 0, 0, 0),
		    CABIN_ROUTE_ALLOW);
	/* unix connects and sends come to the guard; binds stay the program's */
	assert_kind(route(&r, SYS_connect, 3, 0, 0, 0, 0),
		    CABIN_ROUTE_EMULATE);
	assert_kind(route(&r, SYS_sendmsg, 3, 0, 0, 0, 0),
		    CABIN_ROUTE_EMULATE);
	assert_kind(route(&r, SYS_bind, 3, 0, 0, 0, 0), CABIN_ROUTE_ALLOW);
	cabin_router_free(&r);

	g.mode = CABIN_NET_HOST;
	cabin_router_init(&r, (struct cabin_route){ .kind = CABIN_ROUTE_ALLOW });
	assert_int_equal(cabin_netguard_routes(&g, &r), 0);
	assert_int_equal(r.nrules, 0);
	cabin_router_free(&r);

	g.connect_ports = ports;
	g.nconnect_ports = 1;
	cabin_router_init(&r, (struct cabin_route){ .kind = CABIN_ROUTE_ALLOW });
	assert_int_equal(cabin_netguard_routes(&g, &r), 0);
	assert_kind(route(&r, SYS_connect, 3, 0, 0, 0, 0),
		    CABIN_ROUTE_EMULATE);
	assert_kind(route(&r, SYS_bind, 3, 0, 0, 0, 0), CABIN_ROUTE_ALLOW);
	assert_kind(route(&r, SYS_sendto, 3, 0, 0, 0, 0x1000),
		    CABIN_ROUTE_ALLOW);
	assert_kind(route(&r, SYS_sendto, 3, 0, 0, MSG_FASTOPEN, 0x1000),
		    CABIN_ROUTE_EMULATE);
	assert_kind(route(&r, SYS_sendmsg, 3, 0, MSG_FASTOPEN, 0, 0),
		    CABIN_ROUTE_EMULATE);
	assert_kind(route(&r, SYS_socket, AF_PACKET, SOCK_RAW, 0, 0, 0),
		    CABIN_ROUTE_ALLOW);
	cabin_router_free(&r);

	g = (struct cabin_netguard){ .mode = CABIN_NET_UNSET,
				     .bind_ports = ports, .nbind_ports = 1 };
	cabin_router_init(&r, (struct cabin_route){ .kind = CABIN_ROUTE_ALLOW });
	assert_int_equal(cabin_netguard_routes(&g, &r), 0);
	assert_kind(route(&r, SYS_bind, 3, 0, 0, 0, 0), CABIN_ROUTE_EMULATE);
	assert_kind(route(&r, SYS_connect, 3, 0, 0, 0, 0), CABIN_ROUTE_ALLOW);
	assert_kind(route(&r, SYS_socket, AF_PACKET, SOCK_DGRAM, 0, 0, 0),
		    CABIN_ROUTE_DENY);
	assert_kind(route(&r, SYS_socket, AF_INET, SOCK_RAW, 0, 0, 0),
		    CABIN_ROUTE_DENY);
	assert_kind(route(&r, SYS_socket, AF_NETLINK, SOCK_RAW, 0, 0, 0),
		    CABIN_ROUTE_ALLOW);
	cabin_router_free(&r);
}

/* libseccomp takes one comparison per argument: every mode must compile. */
static void test_routes_compile(void **state)
{
	static const uint16_t ports[] = { 80, 443 };
	static const enum cabin_net_mode modes[] = {
		CABIN_NET_UNSET, CABIN_NET_HOST, CABIN_NET_LOOPBACK,
		CABIN_NET_NONE,
	};
	struct cabin_netguard g = {
		.connect_ports = ports, .nconnect_ports = 2,
		.bind_ports = ports, .nbind_ports = 2,
	};
	struct cabin_router r;
	struct cabin_bpf bpf;
	size_t i;
	int bad;

	(void)state;
	for (i = 0; i < sizeof(modes) / sizeof(*modes); i++) {
		g.mode = modes[i];
		cabin_router_init(&r, (struct cabin_route){
					  .kind = CABIN_ROUTE_ALLOW });
		assert_int_equal(cabin_netguard_routes(&g, &r), 0);
		assert_int_equal(cabin_bpf_compile(&r, true, &bpf, &bad), 0);
		assert_true(bpf.prog.len > 0);
		cabin_bpf_free(&bpf);
		cabin_router_free(&r);
	}
}

/* connect */

static void test_connect_loopback(void **state)
{
	struct fixture *f = *state;
	int srv = bound(AF_INET, SOCK_STREAM, "127.0.0.1");
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in to = v4("127.0.0.1", port_of(srv));
	int before = count_fds();
	int peer;

	assert_int_equal(gconnect(f, fd, &to, sizeof(to)), 0);
	assert_true(connected(fd));
	assert_int_equal(count_fds(), before);
	peer = accept4(srv, NULL, NULL, SOCK_CLOEXEC);
	assert_true(peer >= 0);
	assert_int_equal(write(fd, "hi", 2), 2);
	assert_int_equal(f->g.denied, 0);
	assert_int_equal(f->loglen, 0);
	close(peer);
	close(fd);
	close(srv);
}

static void test_connect_denied(void **state)
{
	struct fixture *f = *state;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	struct sockaddr_in to = v4("192.0.2.1", 80);
	char line[128];

	assert_int_equal(gconnect(f, fd, &to, sizeof(to)), -EACCES);
	assert_false(connected(fd));
	assert_int_equal(port_of(fd), 0);	/* not even bound */
	assert_int_equal(gconnect(f, fd, &to, sizeof(to)), -EACCES);
	fflush(f->logf);
	snprintf(line, sizeof(line),
		 "cabin: denied connect to 192.0.2.1:80 by pid %d (tester): "
		 "network is loopback only\n", (int)getpid());
	assert_string_equal(f->log, line);
	assert_int_equal(f->g.denied, 2);
	/* marked for the proxy, which alone counts denials */
	assert_true(f->task.refused);
	close(fd);
}

static void test_connect_v6(void **state)
{
	struct fixture *f = *state;
	int srv6 = bound(AF_INET6, SOCK_STREAM, "::1");
	int srv4 = bound(AF_INET, SOCK_STREAM, "127.0.0.1");
	struct sockaddr_in6 to;
	int fd;

	if (srv6 < 0) {
		close(srv4);
		skip();
	}
	fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	to = v6("::1", port_of(srv6));
	assert_int_equal(gconnect(f, fd, &to, sizeof(to)), 0);
	assert_true(connected(fd));
	close(fd);

	fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	to = v6("::ffff:127.0.0.1", port_of(srv4));
	assert_int_equal(gconnect(f, fd, &to, sizeof(to)), 0);
	assert_true(connected(fd));
	close(fd);

	fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	to = v6("::ffff:192.0.2.1", 80);
	assert_int_equal(gconnect(f, fd, &to, sizeof(to)), -EACCES);
	to = v6("2001:db8::1", 80);
	assert_int_equal(gconnect(f, fd, &to, sizeof(to)), -EACCES);
	/* IPv4-compatible, not mapped: not loopback */
	to = v6("::127.0.0.1", 80);
	assert_int_equal(gconnect(f, fd, &to, sizeof(to)), -EACCES);
	assert_false(connected(fd));
	/* too short for an IPv6 address */
	assert_int_equal(gconnect(f, fd, &to, 20), -EINVAL);
	close(fd);
	close(srv6);
	close(srv4);
}

static void test_connect_unspec_disconnects(void **state)
{
	struct fixture *f = *state;
	int srv = bound(AF_INET, SOCK_DGRAM, "127.0.0.1");
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in to = v4("127.0.0.1", port_of(srv));
	struct sockaddr unspec = { .sa_family = AF_UNSPEC };

	assert_int_equal(gconnect(f, fd, &to, sizeof(to)), 0);
	assert_true(connected(fd));
	assert_int_equal(gconnect(f, fd, &unspec, sizeof(unspec)), 0);
	assert_false(connected(fd));
	close(fd);
	close(srv);
}

/* bind and listen */

static void test_bind(void **state)
{
	struct fixture *f = *state;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in any = v4("0.0.0.0", 0), lo2 = v4("127.0.0.2", 0);
	struct sockaddr_in unspec = { .sin_family = AF_UNSPEC };
	struct sockaddr_in6 any6 = v6("::", 0);
	struct sockaddr_in got;
	socklen_t len = sizeof(got);
	int fd6;

	assert_int_equal(gbind(f, fd, &any, sizeof(any)), -EACCES);
	assert_int_equal(gbind(f, fd, &unspec, sizeof(unspec)), -EACCES);
	assert_int_equal(port_of(fd), 0);
	assert_int_equal(gbind(f, fd, &lo2, sizeof(lo2)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&got, &len), 0);
	assert_int_equal(ntohl(got.sin_addr.s_addr), 0x7f000002);
	assert_int_not_equal(got.sin_port, 0);
	assert_int_equal(call(f, SYS_listen, fd, 4, 0, 0, 0, 0), 0);
	close(fd);

	fd6 = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd6 >= 0) {
		assert_int_equal(gbind(f, fd6, &any6, sizeof(any6)), -EACCES);
		close(fd6);
	}
	assert_non_null(strstr(f->log, "denied bind to 0.0.0.0:0 by pid"));
}

static void test_listen_unbound(void **state)
{
	struct fixture *f = *state;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	/* listen would bind it to the wildcard */
	assert_int_equal(call(f, SYS_listen, fd, 4, 0, 0, 0, 0), -EACCES);
	assert_int_equal(port_of(fd), 0);
	close(fd);
}

/* A port that was free a moment ago. */
static uint16_t free_port(void)
{
	int fd = bound(AF_INET, SOCK_STREAM, "127.0.0.1");
	uint16_t port = port_of(fd);

	close(fd);
	return port;
}

static void test_ports(void **state)
{
	struct fixture *f = *state;
	int srv = bound(AF_INET, SOCK_STREAM, "127.0.0.1");
	int other = bound(AF_INET, SOCK_STREAM, "127.0.0.1");
	uint16_t cports[1] = { port_of(srv) }, bports[1] = { free_port() };
	struct sockaddr_in to = v4("127.0.0.1", port_of(srv));
	struct sockaddr_in no = v4("127.0.0.1", port_of(other));
	struct sockaddr_in b0 = v4("127.0.0.1", 0);
	struct sockaddr_in bl = v4("127.0.0.1", bports[0]);
	int fd, u;

	f->g.mode = CABIN_NET_HOST;
	f->g.connect_ports = cports;
	f->g.nconnect_ports = 1;
	f->g.bind_ports = bports;
	f->g.nbind_ports = 1;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_int_equal(gconnect(f, fd, &no, sizeof(no)), -EACCES);
	assert_false(connected(fd));
	assert_int_equal(gconnect(f, fd, &to, sizeof(to)), 0);
	assert_true(connected(fd));
	close(fd);
	assert_non_null(strstr(f->log, "not in the connect port list"));

	/* port lists are TCP's: a UDP socket is not held to them */
	u = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_int_equal(gconnect(f, u, &no, sizeof(no)), 0);
	close(u);

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_int_equal(gbind(f, fd, &b0, sizeof(b0)), -EACCES);
	assert_int_equal(gbind(f, fd, &bl, sizeof(bl)), 0);
	assert_int_equal(port_of(fd), bports[0]);
	assert_int_equal(call(f, SYS_listen, fd, 4, 0, 0, 0, 0), 0);
	close(fd);
	close(other);
	close(srv);
}

/* sendto */

static void test_sendto_udp(void **state)
{
	struct fixture *f = *state;
	int srv = bound(AF_INET, SOCK_DGRAM, "127.0.0.1");
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in to = v4("127.0.0.1", port_of(srv));
	struct sockaddr_in out = v4("192.0.2.1", 53);
	struct sockaddr_in me;
	socklen_t len = sizeof(me);
	char buf[16] = { 0 };

	assert_int_equal(call(f, SYS_sendto, fd, U("hello"), 5, 0, U(&to),
			      sizeof(to)), 5);
	assert_int_equal(recv(srv, buf, sizeof(buf), MSG_DONTWAIT), 5);
	assert_string_equal(buf, "hello");
	/* the automatic bind went to loopback, not the wildcard */
	assert_int_equal(getsockname(fd, (struct sockaddr *)&me, &len), 0);
	assert_int_equal(ntohl(me.sin_addr.s_addr), INADDR_LOOPBACK);

	assert_int_equal(call(f, SYS_sendto, fd, U("hello"), 5, 0, U(&out),
			      sizeof(out)), -EACCES);
	assert_int_equal(call(f, SYS_sendto, fd, U("hello"), 5, 0, 1,
			      sizeof(out)), -EFAULT);
	assert_int_equal(call(f, SYS_sendto, fd, 1, 5, 0, U(&to), sizeof(to)),
			 -EFAULT);
	assert_int_equal(call(f, SYS_sendto, fd, U("x"), 1, 0, U(&to), 129),
			 -EINVAL);
	assert_int_equal(recv(srv, buf, sizeof(buf), MSG_DONTWAIT), -1);
	close(fd);
	close(srv);
}

static void test_sendto_large_is_short(void **state)
{
	struct fixture *f = *state;
	int sv[2];
	size_t big = 1024 * 1024;
	char *buf = calloc(1, big);
	int size = 4 * 1024 * 1024;
	long ret;

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0,
				    sv), 0);
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	ret = call(f, SYS_sendto, sv[0], U(buf), big, 0, U(buf), 0);
	assert_true(ret > 0 && ret <= 256 * 1024);
	close(sv[0]);
	close(sv[1]);

	/* a datagram is never cut */
	assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0,
				    sv), 0);
	assert_int_equal(call(f, SYS_sendto, sv[0], U(buf), big, 0, U(buf), 0),
			 -EMSGSIZE);
	free(buf);
	close(sv[0]);
	close(sv[1]);
}

/* sendmsg and sendmmsg */

static void test_sendmsg_rights(void **state)
{
	struct fixture *f = *state;
	int sv[2], pipefd[2], got = -1;
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl, rctl;
	struct iovec iov = { .iov_base = "x", .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
	char c, r = 0;
	int before;

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0,
				    sv), 0);
	assert_int_equal(pipe2(pipefd, O_CLOEXEC), 0);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &pipefd[1], sizeof(int));
	before = count_fds();
	assert_int_equal(call(f, SYS_sendmsg, sv[0], U(&msg), 0, 0, 0, 0), 1);
	assert_int_equal(count_fds(), before);	/* its copies are closed */

	iov.iov_base = &c;
	msg.msg_control = rctl.buf;
	msg.msg_controllen = sizeof(rctl.buf);
	assert_int_equal(recvmsg(sv[1], &msg, MSG_CMSG_CLOEXEC), 1);
	cm = CMSG_FIRSTHDR(&msg);
	assert_non_null(cm);
	assert_int_equal(cm->cmsg_type, SCM_RIGHTS);
	memcpy(&got, CMSG_DATA(cm), sizeof(int));
	assert_int_equal(write(got, "z", 1), 1);
	assert_int_equal(read(pipefd[0], &r, 1), 1);
	assert_int_equal(r, 'z');
	close(got);
	close(pipefd[0]);
	close(pipefd[1]);
	close(sv[0]);
	close(sv[1]);
}

static void test_sendmsg_credentials(void **state)
{
	struct fixture *f = *state;
	int sv[2], on = 1;
	union {
		char buf[CMSG_SPACE(sizeof(struct ucred))];
		struct cmsghdr align;
	} ctl, rctl;
	struct iovec iov = { .iov_base = "x", .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
	struct ucred forged = { .pid = 1, .uid = 0, .gid = 0 }, seen;
	char c;

	assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0,
				    sv), 0);
	assert_int_equal(setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &on,
				    sizeof(on)), 0);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_CREDENTIALS;
	cm->cmsg_len = CMSG_LEN(sizeof(forged));
	memcpy(CMSG_DATA(cm), &forged, sizeof(forged));
	assert_int_equal(call(f, SYS_sendmsg, sv[0], U(&msg), 0, 0, 0, 0), 1);
	iov.iov_base = &c;
	msg.msg_control = rctl.buf;
	msg.msg_controllen = sizeof(rctl.buf);
	assert_int_equal(recvmsg(sv[1], &msg, 0), 1);
	cm = CMSG_FIRSTHDR(&msg);
	assert_non_null(cm);
	memcpy(&seen, CMSG_DATA(cm), sizeof(seen));
	assert_int_equal(seen.pid, getpid());
	assert_int_equal(seen.uid, geteuid());
	close(sv[0]);
	close(sv[1]);
}

static void test_sendmsg_bad(void **state)
{
	struct fixture *f = *state;
	int srv = bound(AF_INET, SOCK_DGRAM, "127.0.0.1");
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in to = v4("127.0.0.1", port_of(srv));
	struct sockaddr_in out = v4("192.0.2.1", 53);
	union {
		char buf[CMSG_SPACE(8)];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = "abc", .iov_len = 3 };
	struct msghdr msg = {
		.msg_name = &to, .msg_namelen = sizeof(to),
		.msg_iov = &iov, .msg_iovlen = 1,
	};
	struct cmsghdr *cm;
	char buf[8];
	int bad = 9999;

	assert_int_equal(call(f, SYS_sendmsg, fd, U(&msg), 0, 0, 0, 0), 3);
	assert_int_equal(recv(srv, buf, sizeof(buf), MSG_DONTWAIT), 3);

	assert_int_equal(call(f, SYS_sendmsg, fd, 8, 0, 0, 0, 0), -EFAULT);
	iov.iov_base = (void *)8;
	assert_int_equal(call(f, SYS_sendmsg, fd, U(&msg), 0, 0, 0, 0),
			 -EFAULT);
	iov.iov_base = "abc";
	iov.iov_len = (size_t)-1;
	assert_int_equal(call(f, SYS_sendmsg, fd, U(&msg), 0, 0, 0, 0),
			 -EINVAL);
	iov.iov_len = 3;
	msg.msg_iovlen = UIO_MAXIOV + 1;
	assert_int_equal(call(f, SYS_sendmsg, fd, U(&msg), 0, 0, 0, 0),
			 -EMSGSIZE);
	msg.msg_iovlen = 1;
	msg.msg_name = (void *)8;
	assert_int_equal(call(f, SYS_sendmsg, fd, U(&msg), 0, 0, 0, 0),
			 -EFAULT);
	msg.msg_name = &out;
	assert_int_equal(call(f, SYS_sendmsg, fd, U(&msg), 0, 0, 0, 0),
			 -EACCES);
	msg.msg_name = &to;

	/* control messages: malformed, oversized, unknown fds, routing */
	msg.msg_control = ctl.buf;
	msg.msg_controllen = sizeof(ctl.buf);
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = sizeof(ctl.buf) + 1;
	assert_int_equal(call(f, SYS_sendmsg, fd, U(&msg), 0, 0, 0, 0),
			 -EINVAL);
	cm->cmsg_len = 4;
	assert_int_equal(call(f, SYS_sendmsg, fd, U(&msg), 0, 0, 0, 0),
			 -EINVAL);
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &bad, sizeof(bad));
	assert_int_equal(call(f, SYS_sendmsg, fd, U(&msg), 0, 0, 0, 0),
			 -EBADF);
	msg.msg_controllen = 1 << 20;
	assert_int_equal(call(f, SYS_sendmsg, fd, U(&msg), 0, 0, 0, 0),
			 -ENOBUFS);
	msg.msg_controllen = sizeof(ctl.buf);
	cm->cmsg_level = IPPROTO_IP;
	cm->cmsg_type = IP_RETOPTS;
	cm->cmsg_len = CMSG_LEN(8);
	memset(CMSG_DATA(cm), 0, 8);
	assert_int_equal(call(f, SYS_sendmsg, fd, U(&msg), 0, 0, 0, 0),
			 -EACCES);
	assert_int_equal(recv(srv, buf, sizeof(buf), MSG_DONTWAIT), -1);
	close(fd);
	close(srv);
}

/* A send naming an interface in PKTINFO leaves by it: refused. */
static void test_sendmsg_interface(void **state)
{
	struct fixture *f = *state;
	int srv = bound(AF_INET, SOCK_DGRAM, "127.0.0.1");
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in to = v4("127.0.0.1", port_of(srv));
	union {
		char buf[CMSG_SPACE(sizeof(struct in_pktinfo))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = "abc", .iov_len = 3 };
	struct msghdr msg = {
		.msg_name = &to, .msg_namelen = sizeof(to),
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf),
	};
	struct in_pktinfo pi = { .ipi_ifindex = (int)if_nametoindex("lo") };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
	char buf[8];

	f->g.scope = true;
	memset(ctl.buf, 0, sizeof(ctl.buf));
	cm->cmsg_level = IPPROTO_IP;
	cm->cmsg_type = IP_PKTINFO;
	cm->cmsg_len = CMSG_LEN(sizeof(pi));
	memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
	assert_int_equal(call(f, SYS_sendmsg, fd, U(&msg), 0, 0, 0, 0),
			 -EACCES);
	assert_non_null(strstr(f->log, "chosen interface"));
	/* index 0 leaves the route to the kernel */
	pi.ipi_ifindex = 0;
	memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
	assert_int_equal(call(f, SYS_sendmsg, fd, U(&msg), 0, 0, 0, 0), 3);
	assert_int_equal(recv(srv, buf, sizeof(buf), MSG_DONTWAIT), 3);
	close(fd);
	close(srv);
}

static socklen_t abstract_addr(struct sockaddr_un *sun, const char *name)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	snprintf(sun->sun_path + 1, sizeof(sun->sun_path) - 1, "%s", name);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
			   strlen(name));
}

/* A listener on an abstract name in a child outside the "tree". */
static pid_t outside_listener(const char *name)
{
	struct sockaddr_un sun;
	socklen_t len = abstract_addr(&sun, name);
	int p[2], fd;
	char c;
	pid_t pid;

	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		if (fd < 0 || bind(fd, (struct sockaddr *)&sun, len) < 0 ||
		    listen(fd, 1) < 0)
			_exit(1);
		close(p[0]);
		if (write(p[1], "r", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(p[1]);
	assert_int_equal(read(p[0], &c, 1), 1);
	close(p[0]);
	return pid;
}

/*
 * Abstract names: the tree's own are reached, another process's are not
 * (the scope Landlock would apply), a free one is refused as the kernel
 * would; with the scope off the other's is reached.
 */
static void test_abstract_scope(void **state)
{
	struct fixture *f = *state;
	char own[64], other[64];
	struct sockaddr_un sun;
	socklen_t len;
	int l, c;
	pid_t pid;

	snprintf(own, sizeof(own), "cabin-test-own-%d", (int)getpid());
	snprintf(other, sizeof(other), "cabin-test-other-%d", (int)getpid());
	pid = outside_listener(other);
	f->g.mode = CABIN_NET_NONE;
	f->g.scope = true;

	len = abstract_addr(&sun, own);
	l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_int_equal(bind(l, (struct sockaddr *)&sun, len), 0);
	assert_int_equal(listen(l, 4), 0);
	c = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_int_equal(gconnect(f, c, &sun, len), 0);
	close(c);

	len = abstract_addr(&sun, other);
	c = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_int_equal(gconnect(f, c, &sun, len), -EACCES);
	assert_non_null(strstr(f->log, "outside the sandbox"));
	/* a datagram socket does not reach a stream listener's name */
	close(c);
	c = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_int_equal(gconnect(f, c, &sun, len), -ECONNREFUSED);
	close(c);

	len = abstract_addr(&sun, "cabin-test-nobody-holds-this");
	c = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_int_equal(gconnect(f, c, &sun, len), -ECONNREFUSED);
	close(c);

	f->g.scope = false;
	len = abstract_addr(&sun, other);
	c = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_int_equal(gconnect(f, c, &sun, len), 0);
	close(c);
	close(l);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static void test_sendmmsg(void **state)
{
	struct fixture *f = *state;
	int srv = bound(AF_INET, SOCK_DGRAM, "127.0.0.1");
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in to = v4("127.0.0.1", port_of(srv));
	struct sockaddr_in out = v4("192.0.2.1", 53);
	struct iovec iov[3] = { { "abc", 3 }, { "defg", 4 }, { "hi", 2 } };
	struct mmsghdr v[3];
	char buf[8];
	int i;

	memset(v, 0, sizeof(v));
	for (i = 0; i < 3; i++) {
		v[i].msg_hdr.msg_name = &to;
		v[i].msg_hdr.msg_namelen = sizeof(to);
		v[i].msg_hdr.msg_iov = &iov[i];
		v[i].msg_hdr.msg_iovlen = 1;
	}
	assert_int_equal(call(f, SYS_sendmmsg, fd, U(v), 2, 0, 0, 0), 2);
	assert_int_equal(v[0].msg_len, 3);
	assert_int_equal(v[1].msg_len, 4);
	assert_int_equal(recv(srv, buf, sizeof(buf), MSG_DONTWAIT), 3);
	assert_int_equal(recv(srv, buf, sizeof(buf), MSG_DONTWAIT), 4);

	/* the second is refused: one went, and that is the answer */
	v[1].msg_hdr.msg_name = &out;
	v[0].msg_len = v[1].msg_len = 0;
	assert_int_equal(call(f, SYS_sendmmsg, fd, U(v), 3, 0, 0, 0), 1);
	assert_int_equal(v[0].msg_len, 3);
	assert_int_equal(v[1].msg_len, 0);
	assert_int_equal(recv(srv, buf, sizeof(buf), MSG_DONTWAIT), 3);
	assert_int_equal(recv(srv, buf, sizeof(buf), MSG_DONTWAIT), -1);
	assert_int_equal(call(f, SYS_sendmmsg, fd, U(&v[1]), 2, 0, 0, 0),
			 -EACCES);
	assert_int_equal(call(f, SYS_sendmmsg, fd, 8, 2, 0, 0, 0), -EFAULT);
	assert_int_equal(call(f, SYS_sendmmsg, fd, U(v), 0, 0, 0, 0), 0);
	close(fd);
	close(srv);
}

/* hostile arguments */

static void test_bad_arguments(void **state)
{
	struct fixture *f = *state;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in to = v4("127.0.0.1", 1);
	int pipefd[2];

	assert_int_equal(gconnect(f, fd, (void *)8, sizeof(to)), -EFAULT);
	assert_int_equal(call(f, SYS_connect, fd, UINT64_MAX - 4, sizeof(to),
			      0, 0, 0), -EFAULT);
	assert_int_equal(gconnect(f, fd, &to, 129), -EINVAL);
	assert_int_equal(gconnect(f, fd, &to, 1), -EINVAL);
	assert_int_equal(gconnect(f, fd, &to, 0xffffffff), -EINVAL);
	assert_int_equal(gconnect(f, fd, &to, 8), -EINVAL);
	assert_int_equal(gbind(f, fd, &to, 1), -EINVAL);
	assert_int_equal(gconnect(f, 9999, &to, sizeof(to)), -EBADF);
	assert_int_equal(pipe2(pipefd, O_CLOEXEC), 0);
	assert_int_equal(gconnect(f, pipefd[0], &to, sizeof(to)), -ENOTSOCK);
	assert_int_equal(call(f, SYS_read, fd, 0, 0, 0, 0, 0), -ENOSYS);
	assert_false(connected(fd));
	close(pipefd[0]);
	close(pipefd[1]);
	close(fd);
}

/* AF_UNIX */

struct unix_dir {
	char dir[64];
	char sock[96];
	int srv;
};

static void unix_dir_make(struct unix_dir *u)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	strcpy(u->dir, "/tmp/cabin-netguard-XXXXXX");
	assert_non_null(mkdtemp(u->dir));
	snprintf(u->sock, sizeof(u->sock), "%s/s.sock", u->dir);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", u->sock);
	u->srv = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_int_equal(bind(u->srv, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_int_equal(listen(u->srv, 8), 0);
}

static void unix_dir_remove(struct unix_dir *u)
{
	char path[128];

	close(u->srv);
	unlink(u->sock);
	snprintf(path, sizeof(path), "%s/rel", u->dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/abs", u->dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/sub", u->dir);
	rmdir(path);
	rmdir(u->dir);
}

static long unix_connect(struct fixture *f, const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	long ret;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	ret = gconnect(f, fd, &sun, offsetof(struct sockaddr_un, sun_path) +
			strlen(path));
	if (ret == 0)
		assert_true(connected(fd));
	close(fd);
	return ret;
}

static void test_unix_paths(void **state)
{
	struct fixture *f = *state;
	struct unix_dir u;
	char path[128], cwd[256];

	unix_dir_make(&u);
	assert_int_equal(unix_connect(f, u.sock), 0);

	snprintf(path, sizeof(path), "%s/sub", u.dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/sub/../s.sock", u.dir);
	assert_int_equal(unix_connect(f, path), 0);

	snprintf(path, sizeof(path), "%s/rel", u.dir);
	assert_int_equal(symlink("s.sock", path), 0);
	assert_int_equal(unix_connect(f, path), 0);
	snprintf(path, sizeof(path), "%s/abs", u.dir);
	assert_int_equal(symlink(u.sock, path), 0);
	assert_int_equal(unix_connect(f, path), 0);

	/* relative paths start at the program's cwd */
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(u.dir), 0);
	assert_int_equal(unix_connect(f, "s.sock"), 0);
	assert_int_equal(unix_connect(f, "./sub/../rel"), 0);
	assert_int_equal(unix_connect(f, "abs"), 0);
	assert_int_equal(unix_connect(f, "nothing"), -ENOENT);
	assert_int_equal(unix_connect(f, "sub"), -ECONNREFUSED);
	assert_int_equal(chdir(cwd), 0);

	snprintf(path, sizeof(path), "%s/missing.sock", u.dir);
	assert_int_equal(unix_connect(f, path), -ENOENT);
	assert_int_equal(f->g.denied, 0);
	unix_dir_remove(&u);
}

/*
 * cabin as root acts without its capabilities: a socket behind a
 * directory root may only pass with CAP_DAC_OVERRIDE stays out of reach.
 */
static void test_unix_no_caps(void **state)
{
	struct fixture *f = *state;
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct unix_dir u;
	int fd;

	if (geteuid() != 0)
		skip();
	unix_dir_make(&u);
	assert_int_equal(chown(u.dir, 65534, 65534), 0);
	assert_int_equal(chmod(u.dir, 0700), 0);
	assert_int_equal(unix_connect(f, u.sock), -EACCES);
	/* and has them back afterwards */
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", u.sock);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	close(fd);
	unix_dir_remove(&u);
}

static void test_unix_bind(void **state)
{
	struct fixture *f = *state;
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int c = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	socklen_t len;
	struct stat st;

	/*
	 * Without file rules (no file guard) a socket file is made in the
	 * program's view; with them, test_fsguard checks the refusals.
	 */
	snprintf(sun.sun_path, sizeof(sun.sun_path),
		 "/tmp/cabin-netguard-%d.sock", (int)getpid());
	unlink(sun.sun_path);
	assert_int_equal(gbind(f, fd, &sun, sizeof(sun)), 0);
	assert_int_equal(stat(sun.sun_path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(unlink(sun.sun_path), 0);
	close(fd);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	/* abstract names are no file: the guard binds them */
	memset(sun.sun_path, 0, sizeof(sun.sun_path));
	snprintf(sun.sun_path + 1, sizeof(sun.sun_path) - 1,
		 "cabin-netguard-%d", (int)getpid());
	len = offsetof(struct sockaddr_un, sun_path) + 1 +
	      strlen(sun.sun_path + 1);
	assert_int_equal(gbind(f, fd, &sun, len), 0);
	assert_int_equal(call(f, SYS_listen, fd, 4, 0, 0, 0, 0), 0);
	assert_int_equal(gconnect(f, c, &sun, len), 0);
	assert_true(connected(c));
	close(c);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_routes_loopback),
		cmocka_unit_test(test_routes_modes),
		cmocka_unit_test(test_routes_compile),
		cmocka_unit_test_setup_teardown(test_connect_loopback, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_connect_denied, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_connect_v6, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_connect_unspec_disconnects,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_bind, setup, teardown),
		cmocka_unit_test_setup_teardown(test_listen_unbound, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ports, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sendto_udp, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_sendto_large_is_short,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_sendmsg_rights, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_sendmsg_credentials, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_sendmsg_bad, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_sendmmsg, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sendmsg_interface, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_abstract_scope, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bad_arguments, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_unix_paths, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_unix_no_caps, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_unix_bind, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
