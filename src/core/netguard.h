/*
 * Network mediation by the proxy kernel: `network loopback` and TCP port
 * allow-lists.  Addresses are checked on a copy the proxy owns, and the
 * proxy then acts on that copy itself, so the program cannot change what
 * was checked between the check and the act.
 */
#ifndef CABIN_CORE_NETGUARD_H
#define CABIN_CORE_NETGUARD_H

#include <stddef.h>
#include <stdint.h>

#include "core/proxy.h"
#include "core/router.h"

/*
 * How it works: connect, bind, listen and the send calls that carry an
 * address are routed to the emulate hook.  The hook copies the arguments
 * out of the program, takes the socket with dup_fd (the same open file
 * description), checks the copy, and performs the call on its descriptor
 * with every capability of cabin lowered from the effective set, so the
 * call has no more privilege than the program.  Raw, packet and exotic
 * sockets are refused in BPF; so are the IP options that route a packet
 * to a first hop other than its destination (source routing).
 *
 * What differs from the program doing it itself (documented limits):
 * - AF_UNIX peers see cabin's pid (SO_PEERCRED, SCM_CREDENTIALS, which is
 *   rewritten to cabin's own credentials), not the program's;
 * - connects and sends to abstract AF_UNIX names are made by cabin,
 *   outside the program's Landlock scope, so the guard applies the scope
 *   itself (with scope set): only a name held by a socket of the confined
 *   tree (or in a network namespace other than cabin's) is reached;
 * - under LOOPBACK (with scope set) the options that choose an interface
 *   are refused in BPF and a PKTINFO naming one in a send by the guard,
 *   so no socket is routed to 127.0.0.0/8 or ::1 through another device;
 * - AF_UNIX paths are resolved in the program's view (core/pathview.h);
 *   with file rules the file guard decides (core/fsguard.h): connect and
 *   send need write on the socket file, bind needs create on its
 *   directory.  A child of cabin in the program's root and cwd makes the
 *   socket file under the program's own name, confined to that directory
 *   (so getsockname shows the path, as on Linux); where it cannot, cabin
 *   makes it by its last component, which getsockname then shows;
 * - a send that would raise SIGPIPE returns EPIPE without the signal; a
 *   send is at most 256 KiB (short for streams, EMSGSIZE for datagrams),
 *   and MSG_ZEROCOPY is dropped (the data is copied);
 * - a blocking send waits at most a second for room, then EAGAIN; a
 *   blocking connect is made blocking by cabin, and holds the proxy (and
 *   so the other threads' routed calls) until it completes;
 * - under LOOPBACK an unbound datagram socket is bound to the loopback
 *   address before its first send, instead of to the wildcard; listen on
 *   an unbound socket (an implicit wildcard bind) is refused; a send with
 *   no address (send, write) is not routed, and its implicit bind still
 *   goes to the wildcard: such a socket can receive from the network but
 *   not answer (a private network namespace closes this);
 * - sockets other than AF_UNIX, AF_INET, AF_INET6 and AF_NETLINK, and IP
 *   sockets other than TCP, UDP and ping, are refused under LOOPBACK;
 * - port lists apply to TCP sockets only, as Landlock's do.
 */
enum cabin_net_mode {
	CABIN_NET_UNSET,	/* no network line: the profile decides */
	CABIN_NET_HOST,		/* the host's network as it is */
	CABIN_NET_LOOPBACK,	/* only 127.0.0.0/8 and ::1 (and AF_UNIX) */
	CABIN_NET_NONE,		/* no IP sockets at all */
};

struct cabin_fsguard;

struct cabin_netguard {
	enum cabin_net_mode mode;	/* LOOPBACK: addresses; HOST: ports */
	const uint16_t *connect_ports;	/* empty: any port */
	size_t nconnect_ports;
	const uint16_t *bind_ports;	/* empty: any port, 0 included */
	size_t nbind_ports;
	struct cabin_fsguard *fs;	/* unix socket files; NULL: no rules */
	/*
	 * With fs: confine the calling process so that it can make a socket
	 * file only beneath dir (a Landlock domain); 0 or -errno.
	 */
	int (*make_sock_beneath)(int dir);
	bool scope;			/* abstract names and interfaces */
	unsigned long denied;		/* calls refused, for the summary */
};

/*
 * Append to r the routes the guard needs: emulate routes for the calls it
 * mediates, and BPF denials (EACCES) for sockets it cannot mediate (raw,
 * packet; under NONE every IP socket).  They go at the end of r, so rules
 * added earlier win.  Returns 0 or -errno.
 */
int cabin_netguard_routes(const struct cabin_netguard *g,
			  struct cabin_router *r);

/*
 * The emulate handler: the result of connect, bind, listen, sendto,
 * sendmsg or sendmmsg as the guard performed it (or -errno), and -ENOSYS
 * for any other syscall.
 */
long cabin_netguard_emulate(struct cabin_proxy *p, struct cabin_netguard *g,
			    struct cabin_task *task,
			    const struct cabin_syscall *sys);

/* The guard the proxy runs: its context is a struct cabin_netguard. */
extern const struct cabin_guard cabin_netguard_guard;

#endif
