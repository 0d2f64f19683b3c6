/*
 * Network mediation: the handler that takes a duplicate of the program's
 * socket, checks a copy of the address a call names, and performs connect,
 * bind and listen itself; sends are in netguard_send.c.
 */
#include <errno.h>
#include <linux/audit.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/names.h"
#include "core/netguard_int.h"
#include "core/pathview.h"

#if defined(__x86_64__)
#define NG_NATIVE_ARCH	AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define NG_NATIVE_ARCH	AUDIT_ARCH_AARCH64
#else
#define NG_NATIVE_ARCH	0
#endif

/* connect and bind: the same copy and check, a socket file by its path. */
static long do_addressed(struct cabin_netguard_call *c,
			 enum cabin_netguard_op op,
			 const struct cabin_syscall *sys)
{
	struct cabin_netguard_addr a;
	long ret;

	ret = cabin_netguard_fetch_addr(c, sys->args[1], (int)sys->args[2], &a);
	if (ret < 0)
		return ret;
	ret = cabin_netguard_check_addr(c, op, &a);
	if (ret < 0)
		return ret;
	if (cabin_netguard_unix_pathname(&a))
		return op == CABIN_NETGUARD_CONNECT ? cabin_netguard_connect_path(c, &a)
					: cabin_netguard_bind_path(c, &a);
	return cabin_netguard_act(c, op, (struct sockaddr *)&a.ss, a.len);
}

/* listen on an unbound socket binds it to the wildcard address first. */
static long do_listen(struct cabin_netguard_call *c,
		      const struct cabin_syscall *sys)
{
	struct cabin_netguard_addr a = { .len = sizeof(a.ss) };
	struct cabin_caps caps;
	struct cabin_netguard_ip ip;
	long ret;

	if (cabin_netguard_is_ip(c->domain)) {
		if (getsockname(c->sock, (struct sockaddr *)&a.ss,
				&a.len) < 0)
			return -errno;
		if (cabin_netguard_parse_ip(&a, CABIN_NETGUARD_LISTEN,
					    &ip) > 0) {
			ret = cabin_netguard_check_ip(c, CABIN_NETGUARD_LISTEN,
						      &ip);
			if (ret < 0)
				return ret;
		}
	}
	/* the listener's SO_PEERCRED, which a connecting peer reads */
	ret = cabin_caps_lower_as_peer(&caps);
	if (ret < 0)
		return ret;
	ret = listen(c->sock, (int)sys->args[1]) < 0 ? -errno : 0;
	cabin_caps_restore(&caps);
	return ret;
}

static int sock_int(int fd, int opt, int *val)
{
	socklen_t len = sizeof(*val);

	return getsockopt(fd, SOL_SOCKET, opt, val, &len) < 0 ? -errno : 0;
}

/* The checks depend on what the socket is, not on what the program says. */
static int take_socket(struct cabin_netguard_call *c, int fd)
{
	const struct cabin_platform *plat = c->p->plat;
	int ret;

	if (!plat->ops->dup_fd)
		return -ENOSYS;
	c->sock = plat->ops->dup_fd(plat->ctx, c->task->tid, fd);
	if (c->sock < 0)
		return c->sock;
	ret = sock_int(c->sock, SO_DOMAIN, &c->domain);
	if (!ret)
		ret = sock_int(c->sock, SO_TYPE, &c->type);
	if (!ret)
		ret = sock_int(c->sock, SO_PROTOCOL, &c->protocol);
	return ret;
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
	struct cabin_netguard_call c = {
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
		ret = do_addressed(&c, CABIN_NETGUARD_CONNECT, sys);
		break;
	case SYS_bind:
		ret = do_addressed(&c, CABIN_NETGUARD_BIND, sys);
		break;
	case SYS_listen:
		ret = do_listen(&c, sys);
		break;
	case SYS_sendto:
		ret = cabin_netguard_sendto(&c, sys);
		break;
	case SYS_sendmsg:
		ret = cabin_netguard_sendmsg(&c, sys);
		break;
	default:
		ret = cabin_netguard_sendmmsg(&c, sys);
		break;
	}
out:
	if (c.sock >= 0)
		close(c.sock);
	return ret;
}

static long netguard_emulate(struct cabin_proxy *p, void *ctx,
			     struct cabin_task *task,
			     const struct cabin_syscall *sys)
{
	return cabin_netguard_emulate(p, ctx, task, sys);
}

/* want: the struct cabin_netguard the routes are for. */
static int netguard_routes(const void *want, struct cabin_router *r)
{
	return cabin_netguard_routes(want, r);
}

const struct cabin_guard cabin_netguard_guard = {
	.name = "netguard",
	.routes = netguard_routes,
	.emulate = netguard_emulate,
};
