/*
 * The addresses the network guard checks: copied once out of the program,
 * read as an IP endpoint, and held against the mode and the port lists.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "core/netguard_int.h"

/* len is the program's int: negative or larger than any address fails. */
int cabin_netguard_fetch_addr(struct cabin_netguard_call *c, uint64_t addr,
			      int len,
			      struct cabin_netguard_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (len < 0 || (size_t)len > sizeof(a->ss))
		return -EINVAL;
	a->len = (socklen_t)len;
	return cabin_netguard_fetch(c, addr, &a->ss, (size_t)len);
}

bool cabin_netguard_is_ip(int family)
{
	return family == AF_INET || family == AF_INET6;
}

static void describe_v4(struct cabin_netguard_ip *ip, const struct in_addr *in,
			uint16_t port)
{
	char text[INET_ADDRSTRLEN];

	ip->v4 = true;
	ip->loopback = (ntohl(in->s_addr) >> 24) == 127;
	ip->port = port;
	inet_ntop(AF_INET, in, text, sizeof(text));
	snprintf(ip->text, sizeof(ip->text), "%s:%u", text, port);
}

static void describe_v6(struct cabin_netguard_ip *ip,
			const struct in6_addr *in6,
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
int cabin_netguard_parse_ip(const struct cabin_netguard_addr *a,
			    enum cabin_netguard_op op,
			    struct cabin_netguard_ip *ip)
{
	const struct sockaddr_in *sin = (const void *)&a->ss;
	const struct sockaddr_in6 *sin6 = (const void *)&a->ss;

	switch (a->ss.ss_family) {
	case AF_UNSPEC:
		if (op == CABIN_NETGUARD_CONNECT)
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
static bool is_tcp(const struct cabin_netguard_call *c)
{
	return cabin_netguard_is_ip(c->domain) && c->type == SOCK_STREAM &&
	       (c->protocol == IPPROTO_TCP || c->protocol == IPPROTO_MPTCP);
}

int cabin_netguard_check_ip(struct cabin_netguard_call *c,
			    enum cabin_netguard_op op,
			    const struct cabin_netguard_ip *ip)
{
	bool binding = op == CABIN_NETGUARD_BIND || op == CABIN_NETGUARD_LISTEN;
	const uint16_t *ports = binding ? c->g->bind_ports
					: c->g->connect_ports;
	size_t nports = binding ? c->g->nbind_ports : c->g->nconnect_ports;
	char what[CABIN_NETGUARD_TEXT + 16];
	char why[64];

	snprintf(what, sizeof(what), "%s %s", cabin_netguard_verb(op),
		 ip->text);
	if (c->g->mode == CABIN_NET_NONE)
		return cabin_netguard_deny(c, what, "network is none");
	if (c->g->mode == CABIN_NET_LOOPBACK && !ip->loopback)
		return cabin_netguard_deny(c, what, "network is loopback only");
	if (!nports || !is_tcp(c) || port_listed(ports, nports, ip->port))
		return 0;
	snprintf(why, sizeof(why), "port %u is not in the %s port list",
		 ip->port, binding ? "bind" : "connect");
	return cabin_netguard_deny(c, what, why);
}

/* 0 when the address may be used, -errno (reported when denied). */
int cabin_netguard_check_addr(struct cabin_netguard_call *c,
			      enum cabin_netguard_op op,
			      const struct cabin_netguard_addr *a)
{
	struct cabin_netguard_ip ip;
	int ret;

	if (a->len < sizeof(sa_family_t))
		return op == CABIN_NETGUARD_SEND ? 0 : -EINVAL;
	if (cabin_netguard_unix_abstract(a))
		return cabin_netguard_check_abstract(c, op, a);
	ret = cabin_netguard_parse_ip(a, op, &ip);
	if (ret <= 0)
		return ret;
	return cabin_netguard_check_ip(c, op, &ip);
}
