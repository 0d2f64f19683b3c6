/*
 * Network mediation: the routes that bring address-carrying calls to the
 * proxy, and the handler that checks a copy of each address and performs
 * the call itself on a duplicate of the program's socket.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/audit.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/fsguard.h"
#include "core/netguard.h"
#include "core/pathview.h"

#define NG_DATA_MAX	(256 * 1024)	/* bytes one message carries */
#define NG_CONTROL_MAX	(64 * 1024)	/* above the kernel's optmem_max */
#define NG_SCM_MAX_FD	253		/* the kernel's SCM_MAX_FD */
#define NG_SEND_WAIT_MS	1000
#define NG_TEXT		(INET6_ADDRSTRLEN + 16)

#if defined(__x86_64__)
#define NG_NATIVE_ARCH	AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define NG_NATIVE_ARCH	AUDIT_ARCH_AARCH64
#else
#define NG_NATIVE_ARCH	0
#endif

/*
 * struct msghdr and struct mmsghdr as a native 64-bit program lays them
 * out; spelled out so that no pointer of the program is ever used as one
 * of cabin's.
 */
struct ng_user_msghdr {
	uint64_t name;
	int32_t namelen;
	uint32_t pad0;
	uint64_t iov;
	uint64_t iovlen;
	uint64_t control;
	uint64_t controllen;
	uint32_t flags;
	uint32_t pad1;
};

struct ng_user_mmsghdr {
	struct ng_user_msghdr hdr;
	uint32_t len;
	uint32_t pad;
};

struct ng_user_iovec {
	uint64_t base;
	uint64_t len;
};

_Static_assert(sizeof(struct ng_user_msghdr) == 56, "msghdr layout");
_Static_assert(sizeof(struct ng_user_mmsghdr) == 64, "mmsghdr layout");

enum ng_op { NG_CONNECT, NG_BIND, NG_SEND, NG_LISTEN };

/* One call being mediated. */
struct ng_call {
	struct cabin_proxy *p;
	struct cabin_netguard *g;
	struct cabin_task *task;
	long nr;
	int sock;		/* cabin's descriptor for the program's socket */
	int domain;
	int type;
	int protocol;
};

/* An address as copied out of the program. */
struct ng_addr {
	struct sockaddr_storage ss;
	socklen_t len;
};

/* An IP endpoint read from a copied address. */
struct ng_ip {
	bool v4;		/* an IPv4 address, mapped or not */
	bool loopback;
	uint16_t port;		/* host order */
	char text[NG_TEXT];
};

/* One message of a send, copied. */
struct ng_msg {
	struct ng_addr name;
	bool has_name;
	char *data;
	size_t len;
	bool truncated;		/* the program asked to send more */
	char *control;
	size_t controllen;
	int pathfd;		/* a unix destination's socket file, or -1 */
	int fds[NG_SCM_MAX_FD];	/* SCM_RIGHTS copies, closed after the send */
	size_t nfds;
};

static const char *const verbs[] = {
	[NG_CONNECT] = "connect to",
	[NG_BIND] = "bind to",
	[NG_SEND] = "send to",
	[NG_LISTEN] = "listen on",
};

/* Routes. */

static struct cabin_cond masked(unsigned int arg, uint64_t mask,
				uint64_t value)
{
	return (struct cabin_cond){
		.arg = arg, .op = CABIN_CMP_MASKED_EQ,
		.mask = mask, .value = value,
	};
}

static struct cabin_cond not_equal(unsigned int arg, uint64_t value)
{
	return (struct cabin_cond){
		.arg = arg, .op = CABIN_CMP_NE, .value = value,
	};
}

static const struct cabin_route ng_emulate = { .kind = CABIN_ROUTE_EMULATE };
static const struct cabin_route ng_deny = {
	.kind = CABIN_ROUTE_DENY, .err = EACCES,
};

/* The kernel reads int arguments from the low 32 bits only. */
static struct cabin_cond int_is(unsigned int arg, uint64_t value)
{
	return masked(arg, 0xffffffff, value);
}

/*
 * Sockets that reach the wire below IP (raw, packet), and IPv4's old
 * SOCK_PACKET, which the kernel turns into a packet socket.
 */
static int deny_raw(struct cabin_router *r)
{
	static const int families[] = { AF_INET, AF_INET6 };
	static const int types[] = { SOCK_RAW, SOCK_PACKET };
	struct cabin_cond c[2];
	size_t i, j;
	int err;

	c[0] = int_is(0, AF_PACKET);
	err = cabin_router_add_rule(r, SYS_socket, ng_deny, 1, c);
	for (i = 0; !err && i < 2; i++) {
		for (j = 0; !err && j < 2; j++) {
			c[0] = int_is(0, families[i]);
			c[1] = masked(1, 0xf, types[j]);
			err = cabin_router_add_rule(r, SYS_socket, ng_deny, 2, c);
		}
	}
	return err;
}

/*
 * socket() with a family outside allowed (ascending).  libseccomp takes
 * one comparison per argument in a rule, so "none of these" is spelled as
 * one rule per other value below the largest, and one for all above it;
 * the comparisons are on all 64 bits, so high garbage is refused too.
 */
static int deny_families(struct cabin_router *r, const int *allowed,
			 size_t n)
{
	struct cabin_cond c = { .arg = 0, .op = CABIN_CMP_EQ };
	size_t i = 0;
	int family, err = 0;

	for (family = 0; !err && family < allowed[n - 1]; family++) {
		if (family == allowed[i]) {
			i++;
			continue;
		}
		c.value = (uint64_t)family;
		err = cabin_router_add_rule(r, SYS_socket, ng_deny, 1, &c);
	}
	c.op = CABIN_CMP_GT;
	c.value = (uint64_t)allowed[n - 1];
	return err ? err : cabin_router_add_rule(r, SYS_socket, ng_deny, 1, &c);
}

/*
 * Under LOOPBACK: only the families the guard understands, and of IP only
 * TCP, UDP and ping sockets; SCTP and MPTCP can reach addresses that no
 * connect names (connectx through setsockopt, peer-announced subflows).
 */
static int deny_unmediated_sockets(struct cabin_router *r)
{
	static const int local[] = { AF_UNIX, AF_INET, AF_INET6, AF_NETLINK };
	static const int families[] = { AF_INET, AF_INET6 };
	static const int types[] = { SOCK_RAW, SOCK_RDM, SOCK_SEQPACKET,
				     SOCK_PACKET };
	static const int protocols[] = { IPPROTO_SCTP, IPPROTO_MPTCP };
	struct cabin_cond c[2];
	size_t i, j;
	int err = deny_families(r, local, sizeof(local) / sizeof(*local));

	for (i = 0; !err && i < 2; i++) {
		c[0] = int_is(0, families[i]);
		for (j = 0; !err && j < sizeof(types) / sizeof(*types); j++) {
			c[1] = masked(1, 0xf, types[j]);
			err = cabin_router_add_rule(r, SYS_socket, ng_deny, 2, c);
		}
		for (j = 0; !err && j < 2; j++) {
			c[1] = int_is(2, protocols[j]);
			err = cabin_router_add_rule(r, SYS_socket, ng_deny, 2, c);
		}
	}
	return err;
}

/*
 * IP options and routing headers that send a packet to a first hop other
 * than its destination: a connect to 127.0.0.1 would leave the host.
 */
static int deny_source_routes(struct cabin_router *r)
{
	static const int v6[] = { IPV6_RTHDR, IPV6_2292RTHDR,
				  IPV6_2292PKTOPTIONS };
	struct cabin_cond c[2] = { int_is(1, IPPROTO_IP),
				   int_is(2, IP_OPTIONS) };
	size_t i;
	int err = cabin_router_add_rule(r, SYS_setsockopt, ng_deny, 2, c);

	for (i = 0; !err && i < sizeof(v6) / sizeof(*v6); i++) {
		c[0] = int_is(1, IPPROTO_IPV6);
		c[1] = int_is(2, v6[i]);
		err = cabin_router_add_rule(r, SYS_setsockopt, ng_deny, 2, c);
	}
	return err;
}

static int route_loopback(struct cabin_router *r)
{
	struct cabin_cond to = not_equal(4, 0);
	int err;

	err = cabin_router_add_rule(r, SYS_connect, ng_emulate, 0, NULL);
	if (!err)
		err = cabin_router_add_rule(r, SYS_bind, ng_emulate, 0, NULL);
	if (!err)
		err = cabin_router_add_rule(r, SYS_listen, ng_emulate, 0, NULL);
	if (!err)
		err = cabin_router_add_rule(r, SYS_sendto, ng_emulate, 1, &to);
	if (!err)
		err = cabin_router_add_rule(r, SYS_sendmsg, ng_emulate, 0, NULL);
	if (!err)
		err = cabin_router_add_rule(r, SYS_sendmmsg, ng_emulate, 0, NULL);
	if (!err)
		err = deny_unmediated_sockets(r);
	if (!err)
		err = deny_source_routes(r);
	return err;
}

/*
 * Port lists alone: connect and bind, plus what connects or binds by
 * another name (TCP Fast Open sends, listen's implicit bind).
 */
static int route_ports(const struct cabin_netguard *g, struct cabin_router *r)
{
	struct cabin_cond c[2] = { not_equal(4, 0),
				   masked(3, MSG_FASTOPEN, MSG_FASTOPEN) };
	int err = 0;

	if (g->nconnect_ports) {
		err = cabin_router_add_rule(r, SYS_connect, ng_emulate, 0, NULL);
		if (!err)
			err = cabin_router_add_rule(r, SYS_sendto, ng_emulate, 2, c);
		c[0] = masked(2, MSG_FASTOPEN, MSG_FASTOPEN);
		if (!err)
			err = cabin_router_add_rule(r, SYS_sendmsg, ng_emulate, 1, c);
		if (!err)
			err = cabin_router_add_rule(r, SYS_sendmmsg, ng_emulate, 1, &c[1]);
	}
	if (!err && g->nbind_ports) {
		err = cabin_router_add_rule(r, SYS_bind, ng_emulate, 0, NULL);
		if (!err)
			err = cabin_router_add_rule(r, SYS_listen, ng_emulate, 0, NULL);
	}
	return err;
}

int cabin_netguard_routes(const struct cabin_netguard *g,
			  struct cabin_router *r)
{
	static const int local[] = { AF_UNIX, AF_NETLINK };

	switch (g->mode) {
	case CABIN_NET_NONE:
		return deny_families(r, local, 2);
	case CABIN_NET_LOOPBACK:
		return route_loopback(r);
	case CABIN_NET_UNSET:
	case CABIN_NET_HOST:
		break;
	}
	if (g->mode != CABIN_NET_HOST) {
		int err = deny_raw(r);

		if (err < 0)
			return err;
	}
	return route_ports(g, r);
}

/* Reports. */

static int deny(struct ng_call *c, const char *what, const char *why)
{
	FILE *log = c->p->log ? c->p->log : stderr;

	c->g->denied++;
	c->task->count.denied++;
	if (!cabin_denial_reported(c->p, c->nr, c->task->comm)) {
		fprintf(log, "cabin: denied %s by pid %d (%s): %s\n", what,
			(int)c->task->tid, c->task->comm, why);
		fflush(log);
	}
	return -EACCES;
}

/* Copies from the program. */

static int fetch(struct ng_call *c, uint64_t addr, void *buf, size_t len)
{
	const struct cabin_platform *plat = c->p->plat;
	ssize_t n;

	if (!len)
		return 0;
	if (addr + len < addr)
		return -EFAULT;
	n = plat->ops->read_mem(plat->ctx, c->task->tid, addr, buf, len);
	return n == (ssize_t)len ? 0 : -EFAULT;
}

/* len is the program's int: negative or larger than any address fails. */
static int fetch_addr(struct ng_call *c, uint64_t addr, int len,
		      struct ng_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (len < 0 || (size_t)len > sizeof(a->ss))
		return -EINVAL;
	a->len = (socklen_t)len;
	return fetch(c, addr, &a->ss, (size_t)len);
}

/* Checks. */

static bool is_ip(int family)
{
	return family == AF_INET || family == AF_INET6;
}

static void describe_v4(struct ng_ip *ip, const struct in_addr *in,
			uint16_t port)
{
	char text[INET_ADDRSTRLEN];

	ip->v4 = true;
	ip->loopback = (ntohl(in->s_addr) >> 24) == 127;
	ip->port = port;
	inet_ntop(AF_INET, in, text, sizeof(text));
	snprintf(ip->text, sizeof(ip->text), "%s:%u", text, port);
}

static void describe_v6(struct ng_ip *ip, const struct in6_addr *in6,
			uint16_t port)
{
	char text[INET6_ADDRSTRLEN];

	ip->v4 = IN6_IS_ADDR_V4MAPPED(in6);
	ip->loopback = IN6_IS_ADDR_LOOPBACK(in6) ||
		       (ip->v4 && in6->s6_addr[12] == 127);
	ip->port = port;
	inet_ntop(AF_INET6, in6, text, sizeof(text));
	snprintf(ip->text, sizeof(ip->text), "[%s]:%u", text, port);
}

/*
 * The IP endpoint an address names: 1 when it names one, 0 for another
 * family, -EINVAL when too short to name one.  An IPv4 socket reads
 * AF_UNSPEC as AF_INET in bind and send (a compatibility rule of the
 * kernel), so those are checked as IPv4; in connect it disconnects.
 */
static int parse_ip(const struct ng_addr *a, enum ng_op op, struct ng_ip *ip)
{
	const struct sockaddr_in *sin = (const void *)&a->ss;
	const struct sockaddr_in6 *sin6 = (const void *)&a->ss;

	switch (a->ss.ss_family) {
	case AF_UNSPEC:
		if (op == NG_CONNECT)
			return 0;
		describe_v4(ip, &sin->sin_addr, ntohs(sin->sin_port));
		return 1;
	case AF_INET:
		if (a->len < sizeof(*sin))
			return -EINVAL;
		describe_v4(ip, &sin->sin_addr, ntohs(sin->sin_port));
		return 1;
	case AF_INET6:
		if (a->len < offsetof(struct sockaddr_in6, sin6_scope_id))
			return -EINVAL;
		describe_v6(ip, &sin6->sin6_addr, ntohs(sin6->sin6_port));
		return 1;
	}
	return 0;
}

static bool port_listed(const uint16_t *ports, size_t n, uint16_t port)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (ports[i] == port)
			return true;
	}
	return false;
}

/* Port lists follow Landlock's: TCP only. */
static bool is_tcp(const struct ng_call *c)
{
	return is_ip(c->domain) && c->type == SOCK_STREAM &&
	       (c->protocol == IPPROTO_TCP || c->protocol == IPPROTO_MPTCP);
}

static int check_ip(struct ng_call *c, enum ng_op op, const struct ng_ip *ip)
{
	bool binding = op == NG_BIND || op == NG_LISTEN;
	const uint16_t *ports = binding ? c->g->bind_ports
					: c->g->connect_ports;
	size_t nports = binding ? c->g->nbind_ports : c->g->nconnect_ports;
	char what[NG_TEXT + 16];
	char why[64];

	snprintf(what, sizeof(what), "%s %s", verbs[op], ip->text);
	if (c->g->mode == CABIN_NET_NONE)
		return deny(c, what, "network is none");
	if (c->g->mode == CABIN_NET_LOOPBACK && !ip->loopback)
		return deny(c, what, "network is loopback only");
	if (!nports || !is_tcp(c) || port_listed(ports, nports, ip->port))
		return 0;
	snprintf(why, sizeof(why), "port %u is not in the %s port list",
		 ip->port, binding ? "bind" : "connect");
	return deny(c, what, why);
}

/* 0 when the address may be used, -errno (reported when denied). */
static int check_addr(struct ng_call *c, enum ng_op op,
		      const struct ng_addr *a)
{
	struct ng_ip ip;
	int ret;

	if (a->len < sizeof(sa_family_t))
		return op == NG_SEND ? 0 : -EINVAL;
	ret = parse_ip(a, op, &ip);
	if (ret <= 0)
		return ret;
	return check_ip(c, op, &ip);
}

/* Acting with no more privilege than the program. */

static long act_connect(struct ng_call *c, const struct sockaddr *sa,
			socklen_t len)
{
	struct cabin_caps caps;
	long ret = cabin_caps_lower(&caps);

	if (ret < 0)
		return ret;
	ret = connect(c->sock, sa, len) < 0 ? -errno : 0;
	cabin_caps_restore(&caps);
	return ret;
}

static long act_bind(struct ng_call *c, const struct sockaddr *sa,
		     socklen_t len)
{
	struct cabin_caps caps;
	long ret = cabin_caps_lower(&caps);

	if (ret < 0)
		return ret;
	ret = bind(c->sock, sa, len) < 0 ? -errno : 0;
	cabin_caps_restore(&caps);
	return ret;
}

/* AF_UNIX paths, resolved in the program's view of the file system. */

#define NG_UNIX_PATH	(sizeof(((struct sockaddr_un *)0)->sun_path) + 1)

static bool unix_pathname(const struct ng_addr *a)
{
	const struct sockaddr_un *sun = (const void *)&a->ss;

	return a->ss.ss_family == AF_UNIX &&
	       a->len > offsetof(struct sockaddr_un, sun_path) &&
	       sun->sun_path[0] != '\0';
}

/* The path of a unix address, terminated (the kernel's may not be). */
static void unix_path(const struct ng_addr *a, char *path)
{
	const struct sockaddr_un *sun = (const void *)&a->ss;
	size_t max = a->len - offsetof(struct sockaddr_un, sun_path);

	if (max > sizeof(sun->sun_path))
		max = sizeof(sun->sun_path);
	memcpy(path, sun->sun_path, max);
	path[max] = '\0';
}

/* A unix address naming cabin's descriptor fd, as the kernel follows it. */
static void proc_fd_addr(int fd, struct ng_addr *a)
{
	struct sockaddr_un *sun = (void *)&a->ss;

	memset(a, 0, sizeof(*a));
	sun->sun_family = AF_UNIX;
	snprintf(sun->sun_path, sizeof(sun->sun_path), "/proc/self/fd/%d", fd);
	a->len = offsetof(struct sockaddr_un, sun_path) +
		 strlen(sun->sun_path) + 1;
}

/*
 * The socket file a unix address names, as an O_PATH descriptor, once the
 * file guard (when files are restricted) found it writable.  Connects and
 * sends then go through /proc/self/fd, so the inode reached is the one
 * checked, whatever the program renames meanwhile.
 */
static int open_socket_file(struct ng_call *c, enum ng_op op,
			    const struct ng_addr *a)
{
	char path[NG_UNIX_PATH], what[NG_UNIX_PATH + 32];
	int fd, parent, ok = 1;

	unix_path(a, path);
	fd = cabin_pathview_open(c->task->tid, AT_FDCWD, path, 0, &parent);
	if (fd < 0)
		return fd;
	if (c->g->fs)
		ok = cabin_fsguard_allows(c->g->fs, c->task->tid, fd, parent,
					  CABIN_FSGUARD_WRITE);
	if (parent >= 0)
		close(parent);
	if (ok > 0)
		return fd;
	close(fd);
	if (ok < 0)
		return ok;
	snprintf(what, sizeof(what), "%s unix:%s", verbs[op], path);
	return deny(c, what, "outside the policy's writable files");
}

static long connect_path(struct ng_call *c, const struct ng_addr *a)
{
	struct ng_addr target;
	int fd = open_socket_file(c, NG_CONNECT, a);
	long ret;

	if (fd < 0)
		return fd;
	proc_fd_addr(fd, &target);
	ret = act_connect(c, (struct sockaddr *)&target.ss, target.len);
	close(fd);
	return ret;
}

/* The directory a socket file would be made in, if it may be made. */
static int open_bind_dir(struct ng_call *c, const char *path, char *base,
			 size_t len)
{
	char what[NG_UNIX_PATH + 32];
	int dir, ok = 1;

	dir = cabin_pathview_open_parent(c->task->tid, AT_FDCWD, path, base,
					 len);
	if (dir < 0)
		return dir == -EEXIST ? -EADDRINUSE : dir;
	if (c->g->fs)
		ok = cabin_fsguard_allows(c->g->fs, c->task->tid, dir, -1,
					  CABIN_FSGUARD_CREATE);
	if (ok > 0)
		return dir;
	close(dir);
	if (ok < 0)
		return ok;
	snprintf(what, sizeof(what), "bind to unix:%s", path);
	return deny(c, what, "outside the directories the policy lets it create in");
}

/* bind by the last component, from cabin's cwd moved into dir. */
static long bind_in(struct ng_call *c, int dir, const char *base)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	socklen_t len = offsetof(struct sockaddr_un, sun_path) +
			strlen(base) + 1;
	int mask = cabin_pathview_umask(c->task->tid);
	struct cabin_caps caps;
	mode_t old;
	long ret;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", base);
	ret = cabin_caps_lower(&caps);
	if (ret < 0)
		return ret;
	old = umask(mask < 0 ? 077 : (mode_t)mask);
	ret = fchdir(dir) < 0 ? -errno : 0;
	if (!ret)
		ret = bind(c->sock, (struct sockaddr *)&sun, len) < 0 ?
		      -errno : 0;
	umask(old);
	cabin_caps_restore(&caps);
	return ret;
}

/*
 * Bind to a socket file in the program's view: its directory is resolved
 * once and checked for create, and the kernel makes the file there by
 * name, with cabin's cwd moved into that directory for the call (cabin is
 * single-threaded), the program's umask and cabin's uid, the program's.
 */
static long bind_path(struct ng_call *c, const struct ng_addr *a)
{
	char path[NG_UNIX_PATH], base[NG_UNIX_PATH];
	int dir, here;
	long ret;

	unix_path(a, path);
	dir = open_bind_dir(c, path, base, sizeof(base));
	if (dir < 0)
		return dir;
	here = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	ret = here < 0 ? -errno : bind_in(c, dir, base);
	if (here >= 0) {
		/* back with capabilities: cabin's cwd may need them */
		if (fchdir(here) < 0 && !ret)
			ret = -errno;
		close(here);
	}
	close(dir);
	return ret;
}

/* A send to a socket file goes to the inode checked. */
static int send_to_path(struct ng_call *c, struct ng_addr *name, int *fd)
{
	if (!unix_pathname(name))
		return 0;
	*fd = open_socket_file(c, NG_SEND, name);
	if (*fd < 0)
		return *fd;
	proc_fd_addr(*fd, name);
	return 0;
}

/* The calls. */

static long do_connect(struct ng_call *c, const struct cabin_syscall *sys)
{
	struct ng_addr a;
	long ret;

	ret = fetch_addr(c, sys->args[1], (int)sys->args[2], &a);
	if (ret < 0)
		return ret;
	ret = check_addr(c, NG_CONNECT, &a);
	if (ret < 0)
		return ret;
	if (unix_pathname(&a))
		return connect_path(c, &a);
	return act_connect(c, (struct sockaddr *)&a.ss, a.len);
}

static long do_bind(struct ng_call *c, const struct cabin_syscall *sys)
{
	struct ng_addr a;
	long ret;

	ret = fetch_addr(c, sys->args[1], (int)sys->args[2], &a);
	if (ret < 0)
		return ret;
	ret = check_addr(c, NG_BIND, &a);
	if (ret < 0)
		return ret;
	if (unix_pathname(&a))
		return bind_path(c, &a);
	return act_bind(c, (struct sockaddr *)&a.ss, a.len);
}

/* listen on an unbound socket binds it to the wildcard address first. */
static long do_listen(struct ng_call *c, const struct cabin_syscall *sys)
{
	struct ng_addr a = { .len = sizeof(a.ss) };
	struct cabin_caps caps;
	struct ng_ip ip;
	long ret;

	if (is_ip(c->domain)) {
		if (getsockname(c->sock, (struct sockaddr *)&a.ss,
				&a.len) < 0)
			return -errno;
		if (parse_ip(&a, NG_LISTEN, &ip) > 0) {
			ret = check_ip(c, NG_LISTEN, &ip);
			if (ret < 0)
				return ret;
		}
	}
	ret = cabin_caps_lower(&caps);
	if (ret < 0)
		return ret;
	ret = listen(c->sock, (int)sys->args[1]) < 0 ? -errno : 0;
	cabin_caps_restore(&caps);
	return ret;
}

/*
 * Under LOOPBACK an unbound datagram socket is bound to the loopback
 * address before it sends: the kernel's automatic bind would pick the
 * wildcard, and the socket would then receive from the whole network.
 */
static int pin_to_loopback(struct ng_call *c, const struct ng_addr *dest)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (void *)&ss;
	struct sockaddr_in6 *sin6 = (void *)&ss;
	socklen_t len = sizeof(ss);
	struct ng_ip ip = { .v4 = true };

	if (c->g->mode != CABIN_NET_LOOPBACK || !is_ip(c->domain) ||
	    c->type == SOCK_STREAM)
		return 0;
	if (getsockname(c->sock, (struct sockaddr *)&ss, &len) < 0)
		return -errno;
	if (ss.ss_family == AF_INET) {
		if (sin->sin_port || sin->sin_addr.s_addr)
			return 0;
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	} else if (ss.ss_family == AF_INET6) {
		if (sin6->sin6_port ||
		    !IN6_IS_ADDR_UNSPECIFIED(&sin6->sin6_addr))
			return 0;
		if (parse_ip(dest, NG_SEND, &ip) > 0 && !ip.v4) {
			sin6->sin6_addr = in6addr_loopback;
		} else {
			sin6->sin6_addr.s6_addr[10] = 0xff;
			sin6->sin6_addr.s6_addr[11] = 0xff;
			sin6->sin6_addr.s6_addr[12] = 127;
			sin6->sin6_addr.s6_addr[15] = 1;
		}
	} else {
		return 0;
	}
	return bind(c->sock, (struct sockaddr *)&ss, len) < 0 ? -errno : 0;
}

static void msg_free(struct ng_msg *m)
{
	size_t i;

	for (i = 0; i < m->nfds; i++)
		close(m->fds[i]);
	m->nfds = 0;
	if (m->pathfd >= 0)
		close(m->pathfd);
	m->pathfd = -1;
	free(m->data);
	free(m->control);
	m->data = m->control = NULL;
}

/* The program's buffers, at most NG_DATA_MAX bytes of them in all. */
static int fetch_iov(struct ng_call *c, uint64_t addr, uint64_t n,
		     struct ng_msg *m)
{
	struct ng_user_iovec *iov;
	size_t i, total = 0, want;
	int ret;

	if (n > UIO_MAXIOV)
		return -EMSGSIZE;
	iov = calloc(n ? n : 1, sizeof(*iov));
	if (!iov)
		return -ENOMEM;
	ret = fetch(c, addr, iov, n * sizeof(*iov));
	for (i = 0; !ret && i < n; i++) {
		if (iov[i].len > SSIZE_MAX)
			ret = -EINVAL;
		else if (iov[i].len > NG_DATA_MAX - total)
			m->truncated = true;
		if (!ret)
			total += iov[i].len < NG_DATA_MAX - total ?
				 iov[i].len : NG_DATA_MAX - total;
	}
	m->data = ret ? NULL : malloc(total ? total : 1);
	if (!ret && !m->data)
		ret = -ENOMEM;
	for (i = 0; !ret && i < n && m->len < total; i++) {
		want = iov[i].len < total - m->len ? iov[i].len
						    : total - m->len;
		ret = fetch(c, iov[i].base, m->data + m->len, want);
		m->len += want;
	}
	free(iov);
	return ret;
}

static bool source_route(const struct cmsghdr *cm)
{
	if (cm->cmsg_level == IPPROTO_IP)
		return cm->cmsg_type == IP_RETOPTS;
	if (cm->cmsg_level == IPPROTO_IPV6)
		return cm->cmsg_type == IPV6_RTHDR ||
		       cm->cmsg_type == IPV6_2292RTHDR;
	return false;
}

/* Program descriptors in SCM_RIGHTS become cabin's copies of them. */
static int take_fds(struct ng_call *c, struct ng_msg *m, struct cmsghdr *cm)
{
	const struct cabin_platform *plat = c->p->plat;
	unsigned char *data = CMSG_DATA(cm);
	size_t i, n;
	int fd;

	/* translate_control made sure cmsg_len >= CMSG_LEN(0) */
	n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
	if (!n)
		return 0;
	if (n > NG_SCM_MAX_FD - m->nfds)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		memcpy(&fd, data + i * sizeof(int), sizeof(int));
		fd = plat->ops->dup_fd(plat->ctx, c->task->tid, fd);
		if (fd < 0)
			return -EBADF;
		m->fds[m->nfds++] = fd;
		memcpy(data + i * sizeof(int), &fd, sizeof(int));
	}
	return 0;
}

static int translate_cmsg(struct ng_call *c, struct ng_msg *m,
			  struct cmsghdr *cm)
{
	struct ucred cred = {
		.pid = getpid(), .uid = geteuid(), .gid = getegid(),
	};

	if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
		return take_fds(c, m, cm);
	if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_CREDENTIALS) {
		/* cabin sends: only its own credentials can pass. */
		if (cm->cmsg_len != CMSG_LEN(sizeof(cred)))
			return -EINVAL;
		memcpy(CMSG_DATA(cm), &cred, sizeof(cred));
		return 0;
	}
	if (c->g->mode == CABIN_NET_LOOPBACK && source_route(cm))
		return deny(c, "send with a source route",
			    "network is loopback only");
	return 0;
}

/* The kernel's walk over control messages, and its validity rule. */
static int translate_control(struct ng_call *c, struct ng_msg *m)
{
	struct cmsghdr *cm;
	size_t off = 0;
	int ret;

	while (off <= m->controllen &&
	       m->controllen - off >= sizeof(struct cmsghdr)) {
		cm = (struct cmsghdr *)(m->control + off);
		if (cm->cmsg_len < sizeof(*cm) ||
		    cm->cmsg_len > m->controllen - off)
			return -EINVAL;
		ret = translate_cmsg(c, m, cm);
		if (ret < 0)
			return ret;
		off += CMSG_ALIGN(cm->cmsg_len);
	}
	return 0;
}

static int fetch_control(struct ng_call *c, uint64_t addr, uint64_t len,
			 struct ng_msg *m)
{
	int ret;

	if (!len)
		return 0;
	if (len > NG_CONTROL_MAX)
		return -ENOBUFS;
	/* calloc: cmsg headers need the alignment malloc gives */
	m->control = calloc(1, len);
	if (!m->control)
		return -ENOMEM;
	m->controllen = len;
	ret = fetch(c, addr, m->control, len);
	return ret < 0 ? ret : translate_control(c, m);
}

static int fetch_msg(struct ng_call *c, const struct ng_user_msghdr *h,
		     struct ng_msg *m)
{
	int namelen = h->name ? h->namelen : 0;
	int ret;

	memset(m, 0, offsetof(struct ng_msg, fds));
	m->nfds = 0;
	m->pathfd = -1;
	if (namelen < 0)
		return -EINVAL;
	if ((size_t)namelen > sizeof(m->name.ss))
		namelen = sizeof(m->name.ss);
	if (h->name) {
		ret = fetch_addr(c, h->name, namelen, &m->name);
		if (ret < 0)
			return ret;
		m->has_name = true;
	}
	ret = fetch_iov(c, h->iov, h->iovlen, m);
	if (!ret)
		ret = fetch_control(c, h->control, h->controllen, m);
	if (!ret && m->has_name)
		ret = check_addr(c, NG_SEND, &m->name);
	if (!ret && m->has_name)
		ret = send_to_path(c, &m->name, &m->pathfd);
	return ret;
}

static bool blocking(int fd, unsigned int flags)
{
	int fl = fcntl(fd, F_GETFL);

	return !(flags & MSG_DONTWAIT) && fl >= 0 && !(fl & O_NONBLOCK);
}

/*
 * cabin never blocks for long or takes a SIGPIPE on the program's behalf:
 * it sends with MSG_DONTWAIT | MSG_NOSIGNAL and waits a bounded time for
 * room when the program's socket is blocking.
 */
static long send_copy(struct ng_call *c, struct ng_msg *m,
		      unsigned int flags)
{
	struct iovec iov = { .iov_base = m->data, .iov_len = m->len };
	struct msghdr mh = {
		.msg_name = m->has_name ? &m->name.ss : NULL,
		.msg_namelen = m->has_name ? m->name.len : 0,
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = m->controllen ? m->control : NULL,
		.msg_controllen = m->controllen,
	};
	struct pollfd pfd = { .fd = c->sock, .events = POLLOUT };
	bool wait = blocking(c->sock, flags);
	struct cabin_caps caps;
	long ret;

	/* a stream may take part of it; a datagram is whole or nothing */
	if (m->truncated && c->type != SOCK_STREAM)
		return -EMSGSIZE;
	flags &= ~(unsigned int)MSG_ZEROCOPY;
	flags |= MSG_DONTWAIT | MSG_NOSIGNAL;
	ret = m->has_name ? pin_to_loopback(c, &m->name) : 0;
	if (ret < 0)
		return ret;
	ret = cabin_caps_lower(&caps);
	if (ret < 0)
		return ret;
	ret = sendmsg(c->sock, &mh, (int)flags);
	if (ret < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && wait &&
	    poll(&pfd, 1, NG_SEND_WAIT_MS) > 0)
		ret = sendmsg(c->sock, &mh, (int)flags);
	if (ret < 0)
		ret = -errno;
	cabin_caps_restore(&caps);
	return ret;
}

static long do_sendto(struct ng_call *c, const struct cabin_syscall *sys)
{
	struct ng_user_iovec one = { .base = sys->args[1],
				     .len = sys->args[2] };
	struct ng_msg *m = calloc(1, sizeof(*m));
	long ret;

	if (!m)
		return -ENOMEM;
	m->pathfd = -1;
	if (one.len > SSIZE_MAX)
		one.len = SSIZE_MAX;
	ret = fetch_addr(c, sys->args[4], (int)sys->args[5], &m->name);
	m->has_name = true;
	if (!ret && one.len) {
		m->truncated = one.len > NG_DATA_MAX;
		m->len = one.len < NG_DATA_MAX ? one.len : NG_DATA_MAX;
		m->data = malloc(m->len);
		ret = m->data ? fetch(c, one.base, m->data, m->len) : -ENOMEM;
	}
	if (!ret)
		ret = check_addr(c, NG_SEND, &m->name);
	if (!ret)
		ret = send_to_path(c, &m->name, &m->pathfd);
	if (!ret)
		ret = send_copy(c, m, (unsigned int)sys->args[3]);
	msg_free(m);
	free(m);
	return ret;
}

static long send_one(struct ng_call *c, uint64_t addr, unsigned int flags)
{
	struct ng_user_msghdr h;
	struct ng_msg *m;
	long ret = fetch(c, addr, &h, sizeof(h));

	if (ret < 0)
		return ret;
	m = malloc(sizeof(*m));
	if (!m)
		return -ENOMEM;
	ret = fetch_msg(c, &h, m);
	if (!ret)
		ret = send_copy(c, m, flags);
	msg_free(m);
	free(m);
	return ret;
}

static long do_sendmsg(struct ng_call *c, const struct cabin_syscall *sys)
{
	return send_one(c, sys->args[1], (unsigned int)sys->args[2]);
}

/* As the kernel: stop at the first error, report it only if none went. */
static long do_sendmmsg(struct ng_call *c, const struct cabin_syscall *sys)
{
	const struct cabin_platform *plat = c->p->plat;
	uint64_t vec = sys->args[1];
	unsigned int vlen = (unsigned int)sys->args[2];
	unsigned int flags = (unsigned int)sys->args[3];
	unsigned int i;
	uint32_t sent;
	uint64_t at;
	long ret = 0;

	if (vlen > UIO_MAXIOV)
		vlen = UIO_MAXIOV;
	for (i = 0; i < vlen; i++) {
		at = vec + (uint64_t)i * sizeof(struct ng_user_mmsghdr);
		if (at < vec) {
			ret = -EFAULT;
			break;
		}
		ret = send_one(c, at, flags);
		if (ret < 0)
			break;
		sent = (uint32_t)ret;
		at += offsetof(struct ng_user_mmsghdr, len);
		if (plat->ops->write_mem(plat->ctx, c->task->tid, at, &sent,
					 sizeof(sent)) != sizeof(sent)) {
			ret = -EFAULT;
			break;
		}
	}
	return i ? (long)i : ret;
}

/* The handler. */

static int take_socket(struct ng_call *c, int fd)
{
	const struct cabin_platform *plat = c->p->plat;
	socklen_t len = sizeof(int);

	if (!plat->ops->dup_fd)
		return -ENOSYS;
	c->sock = plat->ops->dup_fd(plat->ctx, c->task->tid, fd);
	if (c->sock < 0)
		return c->sock;
	if (getsockopt(c->sock, SOL_SOCKET, SO_DOMAIN, &c->domain, &len) < 0)
		return -errno;
	len = sizeof(int);
	if (getsockopt(c->sock, SOL_SOCKET, SO_TYPE, &c->type, &len) < 0)
		return -errno;
	len = sizeof(int);
	if (getsockopt(c->sock, SOL_SOCKET, SO_PROTOCOL, &c->protocol,
		       &len) < 0)
		return -errno;
	return 0;
}

static bool mediated(long nr)
{
	return nr == SYS_connect || nr == SYS_bind || nr == SYS_listen ||
	       nr == SYS_sendto || nr == SYS_sendmsg || nr == SYS_sendmmsg;
}

long cabin_netguard_emulate(struct cabin_proxy *p, struct cabin_netguard *g,
			    struct cabin_task *task,
			    const struct cabin_syscall *sys)
{
	struct ng_call c = {
		.p = p, .g = g, .task = task, .nr = sys->nr, .sock = -1,
	};
	long ret;

	if ((NG_NATIVE_ARCH && sys->arch && sys->arch != NG_NATIVE_ARCH) ||
	    !mediated(sys->nr))
		return -ENOSYS;
	ret = take_socket(&c, (int)sys->args[0]);
	if (ret < 0)
		goto out;
	switch (sys->nr) {
	case SYS_connect:
		ret = do_connect(&c, sys);
		break;
	case SYS_bind:
		ret = do_bind(&c, sys);
		break;
	case SYS_listen:
		ret = do_listen(&c, sys);
		break;
	case SYS_sendto:
		ret = do_sendto(&c, sys);
		break;
	case SYS_sendmsg:
		ret = do_sendmsg(&c, sys);
		break;
	default:
		ret = do_sendmmsg(&c, sys);
		break;
	}
out:
	if (c.sock >= 0)
		close(c.sock);
	return ret;
}
