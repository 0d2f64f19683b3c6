/*
 * Socket calls whose buffers are sized through a pointer (accept,
 * getsockname, recvfrom, getsockopt), the addresses the host reads
 * (bind, connect, sendto) and the socket options the program may use.  The length is read from the guest once and the host kernel
 * gets a private copy of it, so the guest cannot grow it after the check.
 * Options are an allowlist because some carry pointers or descriptors
 * (SO_ATTACH_FILTER, SO_ATTACH_BPF, TCP_ZEROCOPY_RECEIVE) that the host
 * kernel would follow into the monitor.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "platform/kvm/forward/forward_impl.h"

/* An address the host writes, with the socklen_t pointer that sizes it. */
struct addr_out {
	void *addr;
	void *lenp;		/* the guest's socklen_t */
	socklen_t len;		/* the copy the host kernel uses */
};

/*
 * Argument ai is the buffer, li its length pointer.  A NULL buffer asks
 * for no address.  The kernel never writes more than a sockaddr_storage,
 * and neither is more ever translated or offered to it.
 */
static int load_addr_out(const struct cabin_kvm_call *c, int ai, int li,
			 struct addr_out *o)
{
	int len;

	memset(o, 0, sizeof(*o));
	if (!c->guest[ai])
		return 0;
	if (cabin_gmem_translate(c->f->mem, c->guest[li], sizeof(socklen_t),
				 CABIN_GMEM_USER | CABIN_GMEM_R | CABIN_GMEM_W,
				 &o->lenp))
		return -EFAULT;
	memcpy(&len, o->lenp, sizeof(len));
	if (len < 0)
		return -EINVAL;
	o->len = (size_t)len < sizeof(struct sockaddr_storage) ?
		 (socklen_t)len : sizeof(struct sockaddr_storage);
	if (cabin_gmem_translate(c->f->mem, c->guest[ai], o->len,
				 CABIN_GMEM_USER | CABIN_GMEM_W, &o->addr))
		return -EFAULT;
	return 0;
}

/* The length back to the guest: r, or -EFAULT if its page is gone. */
static long store_addr_out(const struct cabin_kvm_call *c,
			   const struct addr_out *o, long r)
{
	if (r >= 0 && o->lenp &&
	    cabin_kvm_fwd_put(c, o->lenp, &o->len, sizeof(o->len)) < 0)
		return -EFAULT;
	return r;
}

static long host_result(long r)
{
	return r < 0 ? -errno : r;
}

/*
 * An address the host reads (bind, connect, sendto: argument ai, its
 * int length li), copied once: a unix socket's file name in it is
 * resolved for the program (forward_path.c), as any other path.
 */
static long addr_in_call(struct cabin_kvm_call *c, int ai, int li,
			 bool entry)
{
	struct sockaddr_storage addr;
	socklen_t len = (socklen_t)(int)c->guest[li];
	long a[6], r;
	int pinned = -1, i;

	if (!c->guest[ai] && c->nr == SYS_sendto) {
		len = 0;
	} else {
		/* The kernel's move_addr_to_kernel, before anything else. */
		if ((int)c->guest[li] < 0 || len > sizeof(addr))
			return -EINVAL;
		if (cabin_gmem_read(c->f->mem, c->guest[ai], &addr, len))
			return -EFAULT;
		r = cabin_kvm_fwd_sun_path(c->f, &addr, &len, entry, &pinned);
		if (r)
			return r;
		/* Closed when the call ends, also by a fault (forward.c). */
		if (pinned >= 0)
			c->pin[c->npin++] = pinned;
	}
	for (i = 0; i < 6; i++)
		a[i] = c->host[i];
	a[ai] = len ? (long)&addr : 0;
	a[li] = (long)len;
	return cabin_kvm_fwd_host(c->f, c->nr, a);
}

long cabin_kvm_fwd_bind(struct cabin_kvm_call *c)
{
	return addr_in_call(c, 1, 2, true);
}

long cabin_kvm_fwd_connect(struct cabin_kvm_call *c)
{
	return addr_in_call(c, 1, 2, false);
}

long cabin_kvm_fwd_sendto(struct cabin_kvm_call *c)
{
	return addr_in_call(c, 4, 5, false);
}

long cabin_kvm_fwd_sockname(struct cabin_kvm_call *c)
{
	struct addr_out o;
	long r;
	int err;

	/* getsockname(fd, NULL, len) faults in the kernel; here as well. */
	if (!c->guest[1])
		return -EFAULT;
	err = load_addr_out(c, 1, 2, &o);
	if (err)
		return err;
	r = cabin_kvm_fwd_host(c->f, c->nr, (const long[6]){
		c->host[0], (long)o.addr, (long)&o.len });
	return store_addr_out(c, &o, r);
}

long cabin_kvm_fwd_accept(struct cabin_kvm_call *c)
{
	struct addr_out o;
	long r;
	int err;

	err = load_addr_out(c, 1, 2, &o);
	if (err)
		return err;
	r = cabin_kvm_fwd_host(c->f, SYS_accept4, (const long[6]){
		c->host[0], (long)o.addr, (long)(o.addr ? &o.len : NULL),
		c->nr == SYS_accept4 ? (long)c->guest[3] : 0L });
	r = r < 0 ? r : cabin_kvm_fwd_new_fd(c->f, r);
	/* As the kernel: no descriptor when its address cannot be told. */
	if (r >= 0 && store_addr_out(c, &o, r) < 0) {
		close((int)r);
		return -EFAULT;
	}
	return r;
}

long cabin_kvm_fwd_recvfrom(struct cabin_kvm_call *c)
{
	struct addr_out o;
	long r;
	int err;

	err = load_addr_out(c, 4, 5, &o);
	if (err)
		return err;
	r = cabin_kvm_fwd_host(c->f, SYS_recvfrom, (const long[6]){
		c->host[0], c->host[1], c->host[2], c->host[3], (long)o.addr,
		(long)(o.addr ? &o.len : NULL) });
	return store_addr_out(c, &o, r);
}

#define GET 0x1
#define SET 0x2

struct sockopt {
	int level, name;
	unsigned int dir;
};

/* Options whose value is plain data: no pointer, no descriptor. */
static const struct sockopt sockopts[] = {
	{ SOL_SOCKET, SO_REUSEADDR, GET | SET },
	{ SOL_SOCKET, SO_REUSEPORT, GET | SET },
	{ SOL_SOCKET, SO_KEEPALIVE, GET | SET },
	{ SOL_SOCKET, SO_BROADCAST, GET | SET },
	{ SOL_SOCKET, SO_SNDBUF, GET | SET },
	{ SOL_SOCKET, SO_RCVBUF, GET | SET },
	{ SOL_SOCKET, SO_LINGER, GET | SET },
	{ SOL_SOCKET, SO_OOBINLINE, GET | SET },
	{ SOL_SOCKET, SO_RCVLOWAT, GET | SET },
	{ SOL_SOCKET, SO_SNDLOWAT, GET | SET },
	{ SOL_SOCKET, SO_RCVTIMEO_OLD, GET | SET },
	{ SOL_SOCKET, SO_SNDTIMEO_OLD, GET | SET },
	{ SOL_SOCKET, SO_RCVTIMEO_NEW, GET | SET },
	{ SOL_SOCKET, SO_SNDTIMEO_NEW, GET | SET },
	{ SOL_SOCKET, SO_TIMESTAMP_OLD, GET | SET },
	{ SOL_SOCKET, SO_TIMESTAMP_NEW, GET | SET },
	{ SOL_SOCKET, SO_TIMESTAMPNS_OLD, GET | SET },
	{ SOL_SOCKET, SO_TIMESTAMPNS_NEW, GET | SET },
	{ SOL_SOCKET, SO_PASSCRED, GET | SET },
	{ SOL_SOCKET, SO_PRIORITY, GET | SET },
	{ SOL_SOCKET, SO_DONTROUTE, GET | SET },
	{ SOL_SOCKET, SO_PEEK_OFF, GET | SET },
	{ SOL_SOCKET, SO_BINDTODEVICE, GET | SET },
	{ SOL_SOCKET, SO_TYPE, GET },
	{ SOL_SOCKET, SO_ERROR, GET },
	{ SOL_SOCKET, SO_DOMAIN, GET },
	{ SOL_SOCKET, SO_PROTOCOL, GET },
	{ SOL_SOCKET, SO_ACCEPTCONN, GET },
	{ SOL_SOCKET, SO_PEERCRED, GET },
	{ SOL_SOCKET, SO_COOKIE, GET },
	{ IPPROTO_TCP, TCP_NODELAY, GET | SET },
	{ IPPROTO_TCP, TCP_MAXSEG, GET | SET },
	{ IPPROTO_TCP, TCP_CORK, GET | SET },
	{ IPPROTO_TCP, TCP_KEEPIDLE, GET | SET },
	{ IPPROTO_TCP, TCP_KEEPINTVL, GET | SET },
	{ IPPROTO_TCP, TCP_KEEPCNT, GET | SET },
	{ IPPROTO_TCP, TCP_SYNCNT, GET | SET },
	{ IPPROTO_TCP, TCP_LINGER2, GET | SET },
	{ IPPROTO_TCP, TCP_DEFER_ACCEPT, GET | SET },
	{ IPPROTO_TCP, TCP_WINDOW_CLAMP, GET | SET },
	{ IPPROTO_TCP, TCP_QUICKACK, GET | SET },
	{ IPPROTO_TCP, TCP_CONGESTION, GET | SET },
	{ IPPROTO_TCP, TCP_USER_TIMEOUT, GET | SET },
	{ IPPROTO_TCP, TCP_FASTOPEN, GET | SET },
	{ IPPROTO_TCP, TCP_FASTOPEN_CONNECT, GET | SET },
	{ IPPROTO_TCP, TCP_NOTSENT_LOWAT, GET | SET },
	{ IPPROTO_TCP, TCP_INFO, GET },
	{ IPPROTO_IP, IP_TOS, GET | SET },
	{ IPPROTO_IP, IP_TTL, GET | SET },
	{ IPPROTO_IP, IP_HDRINCL, GET | SET },
	{ IPPROTO_IP, IP_RECVERR, GET | SET },
	{ IPPROTO_IP, IP_PKTINFO, GET | SET },
	{ IPPROTO_IP, IP_RECVTTL, GET | SET },
	{ IPPROTO_IP, IP_RECVTOS, GET | SET },
	{ IPPROTO_IP, IP_RECVORIGDSTADDR, GET | SET },
	{ IPPROTO_IP, IP_MTU_DISCOVER, GET | SET },
	{ IPPROTO_IP, IP_FREEBIND, GET | SET },
	{ IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, GET | SET },
	{ IPPROTO_IP, IP_MULTICAST_IF, GET | SET },
	{ IPPROTO_IP, IP_MULTICAST_TTL, GET | SET },
	{ IPPROTO_IP, IP_MULTICAST_LOOP, GET | SET },
	{ IPPROTO_IP, IP_ADD_MEMBERSHIP, SET },
	{ IPPROTO_IP, IP_DROP_MEMBERSHIP, SET },
	{ IPPROTO_IP, IP_ADD_SOURCE_MEMBERSHIP, SET },
	{ IPPROTO_IP, IP_DROP_SOURCE_MEMBERSHIP, SET },
	{ IPPROTO_IP, IP_MTU, GET },
	{ IPPROTO_IPV6, IPV6_V6ONLY, GET | SET },
	{ IPPROTO_IPV6, IPV6_UNICAST_HOPS, GET | SET },
	{ IPPROTO_IPV6, IPV6_MULTICAST_IF, GET | SET },
	{ IPPROTO_IPV6, IPV6_MULTICAST_HOPS, GET | SET },
	{ IPPROTO_IPV6, IPV6_MULTICAST_LOOP, GET | SET },
	{ IPPROTO_IPV6, IPV6_RECVPKTINFO, GET | SET },
	{ IPPROTO_IPV6, IPV6_RECVHOPLIMIT, GET | SET },
	{ IPPROTO_IPV6, IPV6_TCLASS, GET | SET },
	{ IPPROTO_IPV6, IPV6_RECVTCLASS, GET | SET },
	{ IPPROTO_IPV6, IPV6_RECVERR, GET | SET },
	{ IPPROTO_IPV6, IPV6_MTU_DISCOVER, GET | SET },
	{ IPPROTO_IPV6, IPV6_FREEBIND, GET | SET },
	{ IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, SET },
	{ IPPROTO_IPV6, IPV6_DROP_MEMBERSHIP, SET },
	{ IPPROTO_IPV6, IPV6_MTU, GET },
};

/* Level and name are C ints to the kernel, so they are compared as such. */
static bool sockopt_allowed(const struct cabin_kvm_call *c, unsigned int dir)
{
	int level = (int)c->guest[1], name = (int)c->guest[2];
	size_t i;

	for (i = 0; i < sizeof(sockopts) / sizeof(sockopts[0]); i++)
		if (sockopts[i].level == level && sockopts[i].name == name)
			return sockopts[i].dir & dir;
	return false;
}

long cabin_kvm_fwd_setsockopt(struct cabin_kvm_call *c)
{
	int len = (int)c->guest[4];
	void *val;

	if (!sockopt_allowed(c, SET))
		return -ENOPROTOOPT;
	if (len < 0)
		return -EINVAL;
	if (cabin_gmem_translate(c->f->mem, c->guest[3], (uint64_t)len,
				 CABIN_GMEM_USER | CABIN_GMEM_R, &val))
		return -EFAULT;
	return host_result(syscall(SYS_setsockopt, c->host[0], c->host[1],
				   c->host[2], val, (long)len));
}

long cabin_kvm_fwd_getsockopt(struct cabin_kvm_call *c)
{
	void *val, *lenp;
	int len;
	long r;

	if (!sockopt_allowed(c, GET))
		return -ENOPROTOOPT;
	if (cabin_gmem_translate(c->f->mem, c->guest[4], sizeof(len),
				 CABIN_GMEM_USER | CABIN_GMEM_R | CABIN_GMEM_W,
				 &lenp))
		return -EFAULT;
	memcpy(&len, lenp, sizeof(len));
	if (len < 0)
		return -EINVAL;
	if (cabin_gmem_translate(c->f->mem, c->guest[3], (uint64_t)len,
				 CABIN_GMEM_USER | CABIN_GMEM_W, &val))
		return -EFAULT;
	r = host_result(syscall(SYS_getsockopt, c->host[0], c->host[1],
				c->host[2], val, &len));
	if (r >= 0)
		memcpy(lenp, &len, sizeof(len));
	return r;
}
