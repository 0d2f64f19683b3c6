/*
 * Sockets in the report: the address a connect, bind or send names, read
 * from the program as family, address and port, and how the call ended.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>

#include "core/umem.h"
#include "trace/report_int.h"

static const char *family_name(int family)
{
	switch (family) {
	case AF_INET:
		return "inet";
	case AF_INET6:
		return "inet6";
	case AF_UNIX:
		return "unix";
	case AF_NETLINK:
		return "netlink";
	case AF_PACKET:
		return "packet";
	}
	return "other";
}

/* An abstract unix name: '@' then its bytes, NULs shown as '@' (ss(8)). */
static char *unix_name(const struct sockaddr_un *un, size_t len)
{
	size_t n = len - offsetof(struct sockaddr_un, sun_path), i;
	char *s;

	if (n && !un->sun_path[0]) {
		s = malloc(n + 1);
		if (!s)
			return NULL;
		for (i = 0; i < n; i++)
			s[i] = un->sun_path[i] ? un->sun_path[i] : '@';
		s[n] = '\0';
		return s;
	}
	return strndup(un->sun_path, n);
}

/* Decode a sockaddr of the program into family, address and port. */
static void read_sockaddr(struct cabin_proxy *p, pid_t tid, uint64_t addr,
			  uint64_t len, struct report_call *c)
{
	struct sockaddr_storage ss;
	char buf[INET6_ADDRSTRLEN];
	size_t n = len < sizeof(ss) ? (size_t)len : sizeof(ss);

	memset(&ss, 0, sizeof(ss));
	if (!addr || n < sizeof(sa_family_t) ||
	    cabin_umem_read(p, tid, addr, &ss, n) < 0) {
		c->family = addr ? "invalid" : NULL;
		return;
	}
	c->family = family_name(ss.ss_family);
	switch (ss.ss_family) {
	case AF_INET: {
		const struct sockaddr_in *in = (const void *)&ss;

		if (n < offsetof(struct sockaddr_in, sin_zero))
			break;
		c->addr = strdup(inet_ntop(AF_INET, &in->sin_addr, buf,
					   sizeof(buf)) ? buf : "?");
		c->port = ntohs(in->sin_port);
		break;
	}
	case AF_INET6: {
		const struct sockaddr_in6 *in6 = (const void *)&ss;

		if (n < offsetof(struct sockaddr_in6, sin6_scope_id))
			break;
		c->addr = strdup(inet_ntop(AF_INET6, &in6->sin6_addr, buf,
					   sizeof(buf)) ? buf : "?");
		c->port = ntohs(in6->sin6_port);
		break;
	}
	case AF_UNIX:
		c->addr = unix_name((const void *)&ss, n);
		break;
	default:
		if (asprintf(&c->addr, "family %d", ss.ss_family) < 0)
			c->addr = NULL;
		break;
	}
}

void cabin_report_capture_net(struct cabin_proxy *p, pid_t tid,
			      struct report_call *c)
{
	struct msghdr mh;

	c->port = -1;
	switch (c->nr) {
	case SYS_connect:
	case SYS_bind:
		read_sockaddr(p, tid, c->args[1], c->args[2], c);
		break;
	case SYS_sendto:
		read_sockaddr(p, tid, c->args[4], c->args[5], c);
		break;
	case SYS_sendmsg:
		if (cabin_umem_read(p, tid, c->args[1], &mh, sizeof(mh)) == 0)
			read_sockaddr(p, tid, (uintptr_t)mh.msg_name,
				      mh.msg_namelen, c);
		break;
	}
}

void cabin_report_net_result(struct cabin_report *r,
			     const struct cabin_task *task,
		       const struct report_call *c, long ret, bool refused)
{
	struct report_key k = { 0 };
	struct report_rec *rec;

	/* A send on a connected socket names no one: the connect did. */
	if ((c->nr == SYS_sendto || c->nr == SYS_sendmsg) && !c->family)
		return;
	cabin_report_key_str(&k, c->family);
	cabin_report_key_str(&k, c->addr);
	cabin_report_key_num(&k, c->port);
	cabin_report_key_num(&k, c->nr == SYS_listen ? (long)c->args[0] : -1);
	rec = cabin_report_add_event(r, &r->network, task, &k, c->nr, ret,
				     refused);
	if (!rec)
		return;
	rec->s1 = cabin_report_dup(c->family);
	rec->s2 = cabin_report_dup(c->addr);
	rec->v1 = c->port;
	rec->v2 = c->nr == SYS_listen ? (long)c->args[0] : -1;
}

char *cabin_report_net_address(const char *family, const char *addr, long port)
{
	char *s;
	int n;

	if (!addr)
		return cabin_report_dup(family);
	if (port < 0)
		return strdup(addr);
	if (family && !strcmp(family, "inet6"))
		n = asprintf(&s, "[%s]:%ld", addr, port);
	else
		n = asprintf(&s, "%s:%ld", addr, port);
	return n < 0 ? NULL : s;
}

