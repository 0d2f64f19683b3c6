/*
 * The network guard's routes: which calls reach the proxy to be checked,
 * and which sockets BPF refuses outright because the guard could not
 * mediate what they reach.
 */
#include <errno.h>
#include <stdbool.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include "core/netguard.h"

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
			err = cabin_router_add_rule(r, SYS_socket, ng_deny, 2,
						    c);
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
			err = cabin_router_add_rule(r, SYS_socket, ng_deny, 2,
						    c);
		}
		for (j = 0; !err && j < 2; j++) {
			c[1] = int_is(2, protocols[j]);
			err = cabin_router_add_rule(r, SYS_socket, ng_deny, 2,
						    c);
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

/*
 * Options that choose the interface a packet leaves by: with one, the
 * kernel takes 127.0.0.1 for an address on that link and sends there
 * (ARP, then the packet).  A PKTINFO naming an interface in a send is
 * refused by the guard (netguard_send.c); these are registers.
 */
static int deny_interface_choice(struct cabin_router *r)
{
	static const struct {
		int level;
		int name;
	} opts[] = {
		{ SOL_SOCKET, SO_BINDTODEVICE },
		{ SOL_SOCKET, SO_BINDTOIFINDEX },
		{ SOL_SOCKET, SO_DONTROUTE },
		{ IPPROTO_IP, IP_UNICAST_IF },
		{ IPPROTO_IP, IP_MULTICAST_IF },
		{ IPPROTO_IP, IP_TRANSPARENT },
		{ IPPROTO_IPV6, IPV6_UNICAST_IF },
		{ IPPROTO_IPV6, IPV6_MULTICAST_IF },
		{ IPPROTO_IPV6, IPV6_PKTINFO },	/* sticky, for every send */
		{ IPPROTO_IPV6, IPV6_TRANSPARENT },
	};
	struct cabin_cond c[2];
	size_t i;
	int err = 0;

	for (i = 0; !err && i < sizeof(opts) / sizeof(*opts); i++) {
		c[0] = int_is(1, (uint64_t)opts[i].level);
		c[1] = int_is(2, (uint64_t)opts[i].name);
		err = cabin_router_add_rule(r, SYS_setsockopt, ng_deny, 2, c);
	}
	return err;
}

/*
 * Every call that names an address; sendto only when it names one.  Only
 * what reaches a peer when binds are the program's own (NONE: Landlock
 * decides where socket files are made).
 */
static int route_addresses(struct cabin_router *r, bool binds)
{
	static const struct {
		int nr;
		unsigned int ncond;
		bool bind;
	} calls[] = {
		{ SYS_connect, 0, false }, { SYS_bind, 0, true },
		{ SYS_listen, 0, true }, { SYS_sendto, 1, false },
		{ SYS_sendmsg, 0, false }, { SYS_sendmmsg, 0, false },
	};
	struct cabin_cond to = not_equal(4, 0);
	size_t i;
	int err = 0;

	for (i = 0; !err && i < sizeof(calls) / sizeof(*calls); i++) {
		if (calls[i].bind && !binds)
			continue;
		err = cabin_router_add_rule(r, calls[i].nr, ng_emulate,
					    calls[i].ncond,
					    calls[i].ncond ? &to : NULL);
	}
	return err;
}

static int route_loopback(const struct cabin_netguard *g,
			  struct cabin_router *r)
{
	int err = route_addresses(r, true);

	if (!err)
		err = deny_unmediated_sockets(r);
	if (!err)
		err = deny_source_routes(r);
	if (!err && g->scope)
		err = deny_interface_choice(r);
	return err;
}

/*
 * Under NONE only unix and netlink sockets exist; their addressed calls
 * come to the guard (unix socket files for the file guard, abstract
 * names for the scope), cheap as they are rare.
 */
static int route_none(struct cabin_router *r)
{
	static const int local[] = { AF_UNIX, AF_NETLINK };
	int err = route_addresses(r, false);

	return err ? err : deny_families(r, local, 2);
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
		err = cabin_router_add_rule(r, SYS_connect, ng_emulate, 0,
					    NULL);
		if (!err)
			err = cabin_router_add_rule(r, SYS_sendto, ng_emulate,
						    2, c);
		c[0] = masked(2, MSG_FASTOPEN, MSG_FASTOPEN);
		if (!err)
			err = cabin_router_add_rule(r, SYS_sendmsg, ng_emulate,
						    1, c);
		if (!err)
			err = cabin_router_add_rule(r, SYS_sendmmsg, ng_emulate,
						    1, &c[1]);
	}
	if (!err && g->nbind_ports) {
		err = cabin_router_add_rule(r, SYS_bind, ng_emulate, 0, NULL);
		if (!err)
			err = cabin_router_add_rule(r, SYS_listen, ng_emulate,
						    0, NULL);
	}
	return err;
}

int cabin_netguard_routes(const struct cabin_netguard *g,
			  struct cabin_router *r)
{
	switch (g->mode) {
	case CABIN_NET_NONE:
		return route_none(r);
	case CABIN_NET_LOOPBACK:
		return route_loopback(g, r);
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
