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

#define CABIN_NETGUARD_TEXT		(INET6_ADDRSTRLEN + 16)

enum cabin_netguard_op {
	CABIN_NETGUARD_CONNECT,
	CABIN_NETGUARD_BIND,
	CABIN_NETGUARD_SEND,
	CABIN_NETGUARD_LISTEN,
};

/* One call being mediated. */
struct cabin_netguard_call {
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
struct cabin_netguard_addr {
	struct sockaddr_storage ss;
	socklen_t len;
};

/* An IP endpoint read from a copied address. */
struct cabin_netguard_ip {
	bool v4;		/* an IPv4 address, mapped or not */
	bool loopback;
	uint16_t port;		/* host order */
	char text[CABIN_NETGUARD_TEXT];
};

/* netguard_call.c: naming, refusing, copying, acting as the program. */
const char *cabin_netguard_verb(enum cabin_netguard_op op);
int cabin_netguard_deny(struct cabin_netguard_call *c, const char *what,
			const char *why);
int cabin_netguard_fetch(struct cabin_netguard_call *c, uint64_t addr,
			 void *buf,
			 size_t len);
long cabin_netguard_act(struct cabin_netguard_call *c,
			enum cabin_netguard_op op,
			const struct sockaddr *sa,
			socklen_t len);

/* netguard_addr.c: copying addresses and checking IP endpoints. */
bool cabin_netguard_is_ip(int family);
int cabin_netguard_fetch_addr(struct cabin_netguard_call *c, uint64_t addr,
			      int len,
			      struct cabin_netguard_addr *a);
int cabin_netguard_parse_ip(const struct cabin_netguard_addr *a,
			    enum cabin_netguard_op op,
			    struct cabin_netguard_ip *ip);
int cabin_netguard_check_ip(struct cabin_netguard_call *c,
			    enum cabin_netguard_op op,
			    const struct cabin_netguard_ip *ip);
int cabin_netguard_check_addr(struct cabin_netguard_call *c,
			      enum cabin_netguard_op op,
			      const struct cabin_netguard_addr *a);

/* netguard_unix.c: AF_UNIX paths in the program's view. */
bool cabin_netguard_unix_pathname(const struct cabin_netguard_addr *a);
long cabin_netguard_connect_path(struct cabin_netguard_call *c,
				 const struct cabin_netguard_addr *a);
long cabin_netguard_bind_path(struct cabin_netguard_call *c,
			      const struct cabin_netguard_addr *a);
int cabin_netguard_send_to_path(struct cabin_netguard_call *c,
				struct cabin_netguard_addr *name,
				int *fd);

/* netguard_bindas.c: a socket file under the program's own name. */
int cabin_netguard_bind_as_program(struct cabin_netguard_call *c,
				   const struct cabin_netguard_addr *a,
				   int dir,
				   int (*confine)(int dir));

/* netguard_abstract.c: abstract unix names outside the sandbox. */
bool cabin_netguard_unix_abstract(const struct cabin_netguard_addr *a);
int cabin_netguard_check_abstract(struct cabin_netguard_call *c,
				  enum cabin_netguard_op op,
				  const struct cabin_netguard_addr *a);

/* netguard_send.c: the send calls that carry an address. */
long cabin_netguard_sendto(struct cabin_netguard_call *c,
			   const struct cabin_syscall *sys);
long cabin_netguard_sendmsg(struct cabin_netguard_call *c,
			    const struct cabin_syscall *sys);
long cabin_netguard_sendmmsg(struct cabin_netguard_call *c,
			     const struct cabin_syscall *sys);

#endif
