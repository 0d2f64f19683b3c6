/*
 * The sends that carry an address (sendto, sendmsg, sendmmsg): each
 * message is copied whole out of the program, its control data
 * translated to cabin's descriptors, and sent by cabin from that copy.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "core/netguard_int.h"
#include "core/pathview.h"

#define NG_DATA_MAX	(256 * 1024)	/* bytes one message carries */
#define NG_CONTROL_MAX	(64 * 1024)	/* above the kernel's optmem_max */
#define NG_SCM_MAX_FD	253		/* the kernel's SCM_MAX_FD */
#define NG_SEND_WAIT_MS	1000

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

/* One message of a send, copied. */
struct ng_msg {
	struct cabin_netguard_addr name;
	bool has_name;
	char *data;
	size_t len;
	bool truncated;		/* the program asked to send more */
	char *control;
	size_t controllen;
	int pathfd;		/* a unix destination's socket file, or -1 */
	bool has_creds;		/* the program sent SCM_CREDENTIALS */
	/* msg_new zeroes what comes before fds: keep fds last but nfds */
	int fds[NG_SCM_MAX_FD];	/* SCM_RIGHTS copies, closed after the send */
	size_t nfds;
};

/*
 * Under LOOPBACK an unbound datagram socket is bound to the loopback
 * address before it sends: the kernel's automatic bind would pick the
 * wildcard, and the socket would then receive from the whole network.
 */
static int pin_to_loopback(struct cabin_netguard_call *c,
			   const struct cabin_netguard_addr *dest)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (void *)&ss;
	struct sockaddr_in6 *sin6 = (void *)&ss;
	socklen_t len = sizeof(ss);
	struct cabin_netguard_ip ip = { .v4 = true };

	if (c->g->mode != CABIN_NET_LOOPBACK ||
	    !cabin_netguard_is_ip(c->domain) || c->type == SOCK_STREAM)
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
		if (cabin_netguard_parse_ip(dest, CABIN_NETGUARD_SEND,
					    &ip) > 0 && !ip.v4) {
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

/* A message with nothing in it yet; fds is filled as nfds grows. */
static struct ng_msg *msg_new(void)
{
	struct ng_msg *m = malloc(sizeof(*m));

	if (!m)
		return NULL;
	memset(m, 0, offsetof(struct ng_msg, fds));
	m->nfds = 0;
	m->pathfd = -1;
	return m;
}

static void msg_free(struct ng_msg *m)
{
	size_t i;

	for (i = 0; i < m->nfds; i++)
		close(m->fds[i]);
	if (m->pathfd >= 0)
		close(m->pathfd);
	free(m->data);
	free(m->control);
	free(m);
}

/* A named destination is checked, and a socket file pinned to its inode. */
static int check_name(struct cabin_netguard_call *c, struct ng_msg *m)
{
	int ret = cabin_netguard_check_addr(c, CABIN_NETGUARD_SEND, &m->name);

	return ret < 0 ? ret : cabin_netguard_send_to_path(c, &m->name,
							   &m->pathfd);
}

/* The program's buffers, at most NG_DATA_MAX bytes of them in all. */
static int fetch_iov(struct cabin_netguard_call *c, uint64_t addr, uint64_t n,
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
	ret = cabin_netguard_fetch(c, addr, iov, n * sizeof(*iov));
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
		ret = cabin_netguard_fetch(c, iov[i].base, m->data + m->len,
					   want);
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

/*
 * A PKTINFO that names an interface sends by that interface, whatever
 * the destination (the kernel takes 127.0.0.1 as on its link).  Index 0
 * leaves the route to the kernel; a short one the kernel refuses itself.
 */
static bool names_interface(const struct cmsghdr *cm)
{
	struct in6_pktinfo in6;
	struct in_pktinfo in;
	size_t len = cm->cmsg_len - CMSG_LEN(0);

	if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO &&
	    len >= sizeof(in)) {
		memcpy(&in, CMSG_DATA(cm), sizeof(in));
		return in.ipi_ifindex != 0;
	}
	if (cm->cmsg_level == IPPROTO_IPV6 &&
	    (cm->cmsg_type == IPV6_PKTINFO ||
	     cm->cmsg_type == IPV6_2292PKTINFO) && len >= sizeof(in6)) {
		memcpy(&in6, CMSG_DATA(cm), sizeof(in6));
		return in6.ipi6_ifindex != 0;
	}
	return false;
}

/* Program descriptors in SCM_RIGHTS become cabin's copies of them. */
static int take_fds(struct cabin_netguard_call *c, struct ng_msg *m,
		    struct cmsghdr *cm)
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

static int translate_cmsg(struct cabin_netguard_call *c, struct ng_msg *m,
			  struct cmsghdr *cm)
{
	struct ucred cred = { .pid = getpid() };

	cabin_caps_acting_ids(&cred.uid, &cred.gid);
	if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
		return take_fds(c, m, cm);
	if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_CREDENTIALS) {
		/* cabin sends: only the ids it sends with can pass. */
		if (cm->cmsg_len != CMSG_LEN(sizeof(cred)))
			return -EINVAL;
		memcpy(CMSG_DATA(cm), &cred, sizeof(cred));
		m->has_creds = true;
		return 0;
	}
	if (c->g->mode == CABIN_NET_LOOPBACK && source_route(cm))
		return cabin_netguard_deny(c, "send with a source route",
			       "network is loopback only");
	if (c->g->mode == CABIN_NET_LOOPBACK && c->g->scope &&
	    names_interface(cm))
		return cabin_netguard_deny(c, "send through a chosen interface",
			       "network is loopback only");
	return 0;
}

/* The kernel's walk over control messages, and its validity rule. */
static int translate_control(struct cabin_netguard_call *c, struct ng_msg *m)
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

static int fetch_control(struct cabin_netguard_call *c, uint64_t addr,
			 uint64_t len,
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
	ret = cabin_netguard_fetch(c, addr, m->control, len);
	return ret < 0 ? ret : translate_control(c, m);
}

static int fetch_msg(struct cabin_netguard_call *c,
		     const struct ng_user_msghdr *h,
		     struct ng_msg *m)
{
	int namelen = h->name ? h->namelen : 0;
	int ret;

	if (namelen < 0)
		return -EINVAL;
	if ((size_t)namelen > sizeof(m->name.ss))
		namelen = sizeof(m->name.ss);
	if (h->name) {
		ret = cabin_netguard_fetch_addr(c, h->name, namelen, &m->name);
		if (ret < 0)
			return ret;
		m->has_name = true;
	}
	ret = fetch_iov(c, h->iov, h->iovlen, m);
	if (!ret)
		ret = fetch_control(c, h->control, h->controllen, m);
	if (!ret && m->has_name)
		ret = check_name(c, m);
	return ret;
}

static bool blocking(int fd, unsigned int flags)
{
	int fl = fcntl(fd, F_GETFL);

	return !(flags & MSG_DONTWAIT) && fl >= 0 && !(fl & O_NONBLOCK);
}

/*
 * Root's program with other ids (--uid, --gid): the credentials the
 * kernel adds by itself to a unix send (to a peer with SO_PASSCRED) are
 * the sender's real ids, which stay root's while cabin acts; so cabin
 * names the program's ids itself, as SCM_CREDENTIALS, which the kernel
 * then passes instead.
 */
static int add_creds(struct cabin_netguard_call *c, struct ng_msg *m)
{
	struct ucred cred = { .pid = getpid() };
	size_t off = CMSG_ALIGN(m->controllen);
	struct cmsghdr *cm;
	char *grown;

	cabin_caps_acting_ids(&cred.uid, &cred.gid);
	if (c->domain != AF_UNIX || m->has_creds ||
	    (cred.uid == getuid() && cred.gid == getgid()))
		return 0;
	grown = realloc(m->control, off + CMSG_SPACE(sizeof(cred)));
	if (!grown)
		return -ENOMEM;
	memset(grown + m->controllen, 0,
	       off + CMSG_SPACE(sizeof(cred)) - m->controllen);
	m->control = grown;
	m->controllen = off + CMSG_SPACE(sizeof(cred));
	cm = (struct cmsghdr *)(grown + off);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_CREDENTIALS;
	cm->cmsg_len = CMSG_LEN(sizeof(cred));
	memcpy(CMSG_DATA(cm), &cred, sizeof(cred));
	m->has_creds = true;
	return 0;
}

/*
 * Room to send on fd within NG_SEND_WAIT_MS.  A signal cabin takes
 * meanwhile (--gdb's SIGIO when gdb writes, installed without
 * SA_RESTART so that the stop loop's waitpid sees a ^C) does not cut the
 * wait short: that would fail the program's blocking send with EAGAIN.
 */
static bool wait_room(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	struct timespec start, now;
	long left = NG_SEND_WAIT_MS;
	int n;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		n = poll(&pfd, 1, (int)left);
		if (n >= 0 || errno != EINTR)
			return n > 0;
		clock_gettime(CLOCK_MONOTONIC, &now);
		left = NG_SEND_WAIT_MS -
		       ((now.tv_sec - start.tv_sec) * 1000 +
			(now.tv_nsec - start.tv_nsec) / 1000000);
		if (left <= 0)
			return false;
	}
}

/*
 * cabin never blocks for long or takes a SIGPIPE on the program's behalf:
 * it sends with MSG_DONTWAIT | MSG_NOSIGNAL and waits a bounded time for
 * room when the program's socket is blocking.
 */
static long send_copy(struct cabin_netguard_call *c, struct ng_msg *m,
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
	bool wait = blocking(c->sock, flags);
	struct cabin_caps caps;
	long ret;

	/* a stream may take part of it; a datagram is whole or nothing */
	if (m->truncated && c->type != SOCK_STREAM)
		return -EMSGSIZE;
	flags &= ~(unsigned int)MSG_ZEROCOPY;
	flags |= MSG_DONTWAIT | MSG_NOSIGNAL;
	ret = m->has_name ? pin_to_loopback(c, &m->name) : 0;
	if (!ret)
		ret = add_creds(c, m);
	if (ret < 0)
		return ret;
	mh.msg_control = m->controllen ? m->control : NULL;
	mh.msg_controllen = m->controllen;
	ret = cabin_caps_lower_as_peer(&caps);
	if (ret < 0)
		return ret;
	ret = sendmsg(c->sock, &mh, (int)flags);
	if (ret < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && wait &&
	    wait_room(c->sock))
		ret = sendmsg(c->sock, &mh, (int)flags);
	if (ret < 0)
		ret = -errno;
	cabin_caps_restore(&caps);
	return ret;
}

long cabin_netguard_sendto(struct cabin_netguard_call *c,
			   const struct cabin_syscall *sys)
{
	struct ng_user_iovec one = { .base = sys->args[1],
				     .len = sys->args[2] };
	struct ng_msg *m = msg_new();
	long ret;

	if (!m)
		return -ENOMEM;
	if (one.len > SSIZE_MAX)
		one.len = SSIZE_MAX;
	ret = cabin_netguard_fetch_addr(c, sys->args[4], (int)sys->args[5],
					&m->name);
	m->has_name = true;
	if (!ret && one.len) {
		m->truncated = one.len > NG_DATA_MAX;
		m->len = one.len < NG_DATA_MAX ? one.len : NG_DATA_MAX;
		m->data = malloc(m->len);
		ret = m->data ? cabin_netguard_fetch(c, one.base, m->data,
						     m->len) : -ENOMEM;
	}
	if (!ret)
		ret = check_name(c, m);
	if (!ret)
		ret = send_copy(c, m, (unsigned int)sys->args[3]);
	msg_free(m);
	return ret;
}

static long send_one(struct cabin_netguard_call *c, uint64_t addr,
		     unsigned int flags)
{
	struct ng_user_msghdr h;
	struct ng_msg *m;
	long ret = cabin_netguard_fetch(c, addr, &h, sizeof(h));

	if (ret < 0)
		return ret;
	m = msg_new();
	if (!m)
		return -ENOMEM;
	ret = fetch_msg(c, &h, m);
	if (!ret)
		ret = send_copy(c, m, flags);
	msg_free(m);
	return ret;
}

long cabin_netguard_sendmsg(struct cabin_netguard_call *c,
			    const struct cabin_syscall *sys)
{
	return send_one(c, sys->args[1], (unsigned int)sys->args[2]);
}

/* As the kernel: stop at the first error, report it only if none went. */
long cabin_netguard_sendmmsg(struct cabin_netguard_call *c,
			     const struct cabin_syscall *sys)
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
