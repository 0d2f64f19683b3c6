/*
 * What the network guard's files share: the call being mediated and the
 * helpers they lean on across the dispatcher (netguard.c), the address
 * checks (netguard_addr.c), unix paths (netguard_unix.c) and sends
 * (netguard_send.c).  The routes (netguard_route.c) need none of it.
 */
#ifndef CABIN_CORE_NETGUARD_INT_H
#define CABIN_CORE_NETGUARD_INT_H

#include <arpa/inet.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "core/netguard.h"

#define NG_TEXT		(INET6_ADDRSTRLEN + 16)

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

/* netguard_call.c: naming, refusing, copying, acting as the program. */
const char *cabin_netguard_verb(enum ng_op op);
int cabin_netguard_deny(struct ng_call *c, const char *what, const char *why);
int cabin_netguard_fetch(struct ng_call *c, uint64_t addr, void *buf,
			 size_t len);
long cabin_netguard_act(struct ng_call *c, enum ng_op op,
			const struct sockaddr *sa,
			socklen_t len);

/* netguard_addr.c: copying addresses and checking IP endpoints. */
bool cabin_netguard_is_ip(int family);
int cabin_netguard_fetch_addr(struct ng_call *c, uint64_t addr, int len,
			      struct ng_addr *a);
int cabin_netguard_parse_ip(const struct ng_addr *a, enum ng_op op,
			    struct ng_ip *ip);
int cabin_netguard_check_ip(struct ng_call *c, enum ng_op op,
			    const struct ng_ip *ip);
int cabin_netguard_check_addr(struct ng_call *c, enum ng_op op,
			      const struct ng_addr *a);

/* netguard_unix.c: AF_UNIX paths in the program's view. */
bool cabin_netguard_unix_pathname(const struct ng_addr *a);
long cabin_netguard_connect_path(struct ng_call *c, const struct ng_addr *a);
long cabin_netguard_bind_path(struct ng_call *c, const struct ng_addr *a);
int cabin_netguard_send_to_path(struct ng_call *c, struct ng_addr *name,
				int *fd);

/* netguard_bindas.c: a socket file under the program's own name. */
int cabin_netguard_bind_as_program(struct ng_call *c, const struct ng_addr *a,
				   int dir,
				   int (*confine)(int dir));

/* netguard_abstract.c: abstract unix names outside the sandbox. */
bool cabin_netguard_unix_abstract(const struct ng_addr *a);
int cabin_netguard_check_abstract(struct ng_call *c, enum ng_op op,
				  const struct ng_addr *a);

/* netguard_send.c: the send calls that carry an address. */
long cabin_netguard_sendto(struct ng_call *c, const struct cabin_syscall *sys);
long cabin_netguard_sendmsg(struct ng_call *c, const struct cabin_syscall *sys);
long cabin_netguard_sendmmsg(struct ng_call *c,
			     const struct cabin_syscall *sys);

#endif
