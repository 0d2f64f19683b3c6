/*
 * The call the network guard mediates, seen from below: what every part
 * of the guard (the dispatcher, addresses, unix paths, abstract names,
 * sends) calls down into to refuse it, copy from the program and act as
 * the program.  It calls none of them.
 */
#include <errno.h>
#include <stdio.h>
#include <sys/socket.h>

#include "core/names.h"
#include "core/netguard_int.h"
#include "core/pathview.h"

static const char *const verbs[] = {
	[CABIN_NETGUARD_CONNECT] = "connect to",
	[CABIN_NETGUARD_BIND] = "bind to",
	[CABIN_NETGUARD_SEND] = "send to",
	[CABIN_NETGUARD_LISTEN] = "listen on",
};

/* How a denial names the call. */
const char *cabin_netguard_verb(enum cabin_netguard_op op)
{
	return verbs[op];
}

/* A refusal, counted, and reported once per syscall and program name. */
int cabin_netguard_deny(struct cabin_netguard_call *c, const char *what,
			const char *why)
{
	char shown[256];

	c->g->denied++;
	c->task->refused = true;
	if (!cabin_log_reported(&c->p->log, c->nr, c->task->comm)) {
		snprintf(shown, sizeof(shown), "%s", what);
		cabin_log_tell(&c->p->log, "denied %s by pid %d (%s): %s",
			       cabin_printable(shown), (int)c->task->tid,
			       c->task->comm, why);
	}
	return -EACCES;
}

/* A copy from the program: all of it, or -EFAULT. */
int cabin_netguard_fetch(struct cabin_netguard_call *c, uint64_t addr,
			 void *buf,
			 size_t len)
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

/*
 * connect or bind with no more privilege than the program; a connect
 * with its ids as a peer sees them (SO_PEERCRED).
 */
long cabin_netguard_act(struct cabin_netguard_call *c,
			enum cabin_netguard_op op,
			const struct sockaddr *sa,
			socklen_t len)
{
	struct cabin_caps caps;
	long ret = op == CABIN_NETGUARD_CONNECT ?
		   cabin_caps_lower_as_peer(&caps) : cabin_caps_lower(&caps);

	if (ret < 0)
		return ret;
	if (op == CABIN_NETGUARD_CONNECT)
		ret = connect(c->sock, sa, len);
	else
		ret = bind(c->sock, sa, len);
	ret = ret < 0 ? -errno : 0;
	cabin_caps_restore(&caps);
	return ret;
}
