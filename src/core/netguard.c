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

/* A refusal, counted, and reported once per syscall and program name. */
int ng_deny(struct ng_call *c, const char *what, const char *why)
{
	char shown[256];

	c->g->denied++;
	c->task->count.denied++;
	if (!cabin_log_reported(&c->p->log, c->nr, c->task->comm)) {
		snprintf(shown, sizeof(shown), "%s", what);
		cabin_log_tell(&c->p->log, "denied %s by pid %d (%s): %s",
			       cabin_printable(shown), (int)c->task->tid,
			       c->task->comm, why);
	}
	return -EACCES;
}

/* A copy from the program: all of it, or -EFAULT. */
int ng_fetch(struct ng_call *c, uint64_t addr, void *buf, size_t len)
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

/* connect or bind with no more privilege than the program. */
long ng_act(struct ng_call *c, enum ng_op op, const struct sockaddr *sa,
	    socklen_t len)
{
	struct cabin_caps caps;
	long ret = cabin_caps_lower(&caps);

	if (ret < 0)
		return ret;
	if (op == NG_CONNECT)
		ret = connect(c->sock, sa, len);
	else
		ret = bind(c->sock, sa, len);
	ret = ret < 0 ? -errno : 0;
	cabin_caps_restore(&caps);
	return ret;
}

/* connect and bind: the same copy and check, a socket file by its path. */
static long do_addressed(struct ng_call *c, enum ng_op op,
			 const struct cabin_syscall *sys)
{
	struct ng_addr a;
	long ret;

	ret = ng_fetch_addr(c, sys->args[1], (int)sys->args[2], &a);
	if (ret < 0)
		return ret;
	ret = ng_check_addr(c, op, &a);
	if (ret < 0)
		return ret;
	if (ng_unix_pathname(&a))
		return op == NG_CONNECT ? ng_connect_path(c, &a)
					: ng_bind_path(c, &a);
	return ng_act(c, op, (struct sockaddr *)&a.ss, a.len);
}

/* listen on an unbound socket binds it to the wildcard address first. */
static long do_listen(struct ng_call *c, const struct cabin_syscall *sys)
{
	struct ng_addr a = { .len = sizeof(a.ss) };
	struct cabin_caps caps;
	struct ng_ip ip;
	long ret;

	if (ng_is_ip(c->domain)) {
		if (getsockname(c->sock, (struct sockaddr *)&a.ss,
				&a.len) < 0)
			return -errno;
		if (ng_parse_ip(&a, NG_LISTEN, &ip) > 0) {
			ret = ng_check_ip(c, NG_LISTEN, &ip);
			if (ret < 0)
				return ret;
		}
	}
	ret = cabin_caps_lower(&caps);
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
static int take_socket(struct ng_call *c, int fd)
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
	struct ng_call c = {
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
		ret = do_addressed(&c, NG_CONNECT, sys);
		break;
	case SYS_bind:
		ret = do_addressed(&c, NG_BIND, sys);
		break;
	case SYS_listen:
		ret = do_listen(&c, sys);
		break;
	case SYS_sendto:
		ret = ng_sendto(&c, sys);
		break;
	case SYS_sendmsg:
		ret = ng_sendmsg(&c, sys);
		break;
	default:
		ret = ng_sendmmsg(&c, sys);
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

const struct cabin_guard cabin_netguard_guard = {
	.name = "netguard",
	.emulate = netguard_emulate,
};
