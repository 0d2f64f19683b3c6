/*
 * Who connected to --gdb.  Whoever holds the connection can write the
 * program's memory and registers, so it must be someone who could debug
 * the program anyway: the user who ran cabin, from a process nothing
 * confines.  The kernel names the peer: NETLINK_SOCK_DIAG looks the
 * peer's socket up by the connection's exact 4-tuple and gives its owner
 * (the uid that created it) and inode; /proc/PID/fd says which processes
 * hold that inode.  Every holder must be unconfined: no seccomp filter,
 * no no_new_privs, not traced by this cabin.  Confinement is inherited
 * by every child and cannot be dropped, so a confined program cannot
 * reach the seat through a process it starts either (docs/security.md).
 * On a unix socket (--gdb=unix:PATH) SO_PEERCRED names the uid and the
 * process that called connect, which may be a supervisor connecting for
 * a confined program (another cabin's netguard does): the holders of the
 * peer socket (unix_diag's UNIX_DIAG_PEER) are checked as for TCP.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "debug/debug.h"

#define MAX_HOLDERS 16

/*
 * One sock_diag request (its netlink header filled in here) and the
 * kernel's answer: 0 once match() took a message, else -errno (the
 * kernel's error, or -ENOENT for no such socket).
 */
static int diag_ask(struct nlmsghdr *req, size_t len,
		    bool (*match)(const struct nlmsghdr *h, void *ctx),
		    void *ctx)
{
	union {
		struct nlmsghdr nh;
		char b[8192];
	} resp;
	struct sockaddr_nl nl = { .nl_family = AF_NETLINK };
	struct nlmsghdr *h;
	ssize_t n;
	int s, err = -ENOENT;

	req->nlmsg_len = (unsigned int)len;
	req->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	req->nlmsg_flags = NLM_F_REQUEST;
	s = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (s < 0)
		return -errno;
	if (sendto(s, req, len, 0, (struct sockaddr *)&nl, sizeof(nl)) < 0 ||
	    (n = recv(s, &resp, sizeof(resp), 0)) < 0) {
		err = -errno;
		close(s);
		return err;
	}
	for (h = &resp.nh; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
		if (h->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = NLMSG_DATA(h);

			err = e->error ? e->error : -ENOENT;
			break;
		}
		if (h->nlmsg_type == SOCK_DIAG_BY_FAMILY && match(h, ctx)) {
			err = 0;
			break;
		}
	}
	close(s);
	return err;
}

struct inet_want {
	struct inet_diag_sockid id;
	uid_t uid;
	unsigned long inode;
};

/* The exact connection, nothing near it. */
static bool inet_match(const struct nlmsghdr *h, void *ctx)
{
	struct inet_want *w = ctx;
	const struct inet_diag_msg *m = NLMSG_DATA(h);

	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*m)) ||
	    m->id.idiag_sport != w->id.idiag_sport ||
	    m->id.idiag_dport != w->id.idiag_dport ||
	    memcmp(m->id.idiag_src, w->id.idiag_src, 16) ||
	    memcmp(m->id.idiag_dst, w->id.idiag_dst, 16) || !m->idiag_inode)
		return false;
	w->uid = m->idiag_uid;
	w->inode = m->idiag_inode;
	return true;
}

/* The peer socket's owner and inode, from the kernel's socket table. */
static int diag_lookup(int fd, uid_t *uid, unsigned long *inode)
{
	struct sockaddr_storage ours, theirs;
	socklen_t ol = sizeof(ours), tl = sizeof(theirs);
	struct {
		struct nlmsghdr nh;
		struct inet_diag_req_v2 r;
	} req;
	struct inet_want w;
	int err;

	if (getsockname(fd, (struct sockaddr *)&ours, &ol) < 0 ||
	    getpeername(fd, (struct sockaddr *)&theirs, &tl) < 0)
		return -errno;
	memset(&req, 0, sizeof(req));
	req.r.sdiag_family = (unsigned char)theirs.ss_family;
	req.r.sdiag_protocol = IPPROTO_TCP;
	req.r.idiag_states = ~0u;
	req.r.id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
	req.r.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
	/* The peer's socket: its local end is our remote one. */
	if (theirs.ss_family == AF_INET) {
		const struct sockaddr_in *t = (const void *)&theirs;
		const struct sockaddr_in *o = (const void *)&ours;

		req.r.id.idiag_sport = t->sin_port;
		req.r.id.idiag_dport = o->sin_port;
		memcpy(req.r.id.idiag_src, &t->sin_addr, 4);
		memcpy(req.r.id.idiag_dst, &o->sin_addr, 4);
	} else if (theirs.ss_family == AF_INET6) {
		const struct sockaddr_in6 *t = (const void *)&theirs;
		const struct sockaddr_in6 *o = (const void *)&ours;

		req.r.id.idiag_sport = t->sin6_port;
		req.r.id.idiag_dport = o->sin6_port;
		memcpy(req.r.id.idiag_src, &t->sin6_addr, 16);
		memcpy(req.r.id.idiag_dst, &o->sin6_addr, 16);
	} else {
		return -EAFNOSUPPORT;
	}
	w.id = req.r.id;
	err = diag_ask(&req.nh, sizeof(req), inet_match, &w);
	if (err < 0)
		return err;
	*uid = w.uid;
	*inode = w.inode;
	return 0;
}

struct unix_want {
	unsigned int ino;
	unsigned long peer;
};

static bool unix_match(const struct nlmsghdr *h, void *ctx)
{
	struct unix_want *w = ctx;
	const struct unix_diag_msg *m = NLMSG_DATA(h);
	const struct rtattr *a;
	int len;

	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*m)) || m->udiag_ino != w->ino)
		return false;
	len = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*m)));
	for (a = (const struct rtattr *)(m + 1); RTA_OK(a, len);
	     a = RTA_NEXT(a, len))
		if (a->rta_type == UNIX_DIAG_PEER &&
		    RTA_PAYLOAD(a) >= sizeof(uint32_t))
			memcpy(&w->peer, RTA_DATA(a), sizeof(uint32_t));
	return w->peer != 0;
}

/* A unix socket's peer socket inode (unix_diag, by our own inode). */
static int unix_peer_inode(int fd, unsigned long *inode)
{
	struct {
		struct nlmsghdr nh;
		struct unix_diag_req r;
	} req;
	struct unix_want w = { 0, 0 };
	struct stat st;
	int err;

	if (fstat(fd, &st) < 0)
		return -errno;
	memset(&req, 0, sizeof(req));
	req.r.sdiag_family = AF_UNIX;
	req.r.udiag_states = ~0u;
	req.r.udiag_ino = (unsigned int)st.st_ino;
	req.r.udiag_show = UDIAG_SHOW_PEER;
	req.r.udiag_cookie[0] = INET_DIAG_NOCOOKIE;
	req.r.udiag_cookie[1] = INET_DIAG_NOCOOKIE;
	w.ino = (unsigned int)st.st_ino;
	err = diag_ask(&req.nh, sizeof(req), unix_match, &w);
	if (err < 0)
		return err;
	*inode = w.peer;
	return 0;
}

/* The processes holding socket inode: their pids, how many. */
static size_t holders(unsigned long inode, pid_t *out, size_t max)
{
	char want[48], path[600], link[48];
	struct dirent *p, *f;
	DIR *proc, *fds;
	size_t n = 0;
	ssize_t l;

	snprintf(want, sizeof(want), "socket:[%lu]", inode);
	proc = opendir("/proc");
	if (!proc)
		return 0;
	while (n < max && (p = readdir(proc))) {
		if (p->d_name[0] < '1' || p->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/fd", p->d_name);
		fds = opendir(path);
		if (!fds)
			continue;	/* gone, or not ours to look at */
		while ((f = readdir(fds))) {
			snprintf(path, sizeof(path), "/proc/%s/fd/%s",
				 p->d_name, f->d_name);
			l = readlink(path, link, sizeof(link) - 1);
			if (l < 0)
				continue;
			link[l] = '\0';
			if (!strcmp(link, want)) {
				out[n++] = (pid_t)atoi(p->d_name);
				break;
			}
		}
		closedir(fds);
	}
	closedir(proc);
	return n;
}

/* What confines pid, or NULL when nothing does. */
static const char *confinement(pid_t pid)
{
	char path[64], line[256];
	long seccomp = -1, nnp = -1, tracer = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return "its /proc/PID/status cannot be read";
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "Seccomp:", 8))
			seccomp = strtol(line + 8, NULL, 10);
		else if (!strncmp(line, "NoNewPrivs:", 11))
			nnp = strtol(line + 11, NULL, 10);
		else if (!strncmp(line, "TracerPid:", 10))
			tracer = strtol(line + 10, NULL, 10);
	}
	fclose(f);
	if (seccomp < 0 || nnp < 0 || tracer < 0)
		return "its /proc/PID/status says nothing of its confinement";
	if (tracer == getpid())
		return "it runs in this cabin's sandbox";
	if (seccomp != 0)
		return "it runs under a seccomp filter (a confined program)";
	if (nnp != 0)
		return "it runs with no_new_privs (a confined program)";
	return NULL;
}

/* cabin's real uid, and under sudo the uid that ran sudo. */
static bool allowed_uid(uid_t uid)
{
	const char *sudo = getenv("SUDO_UID");
	char *end;
	unsigned long v;

	if (uid == getuid())
		return true;
	if (getuid() != 0 || !sudo || !*sudo)
		return false;
	errno = 0;
	v = strtoul(sudo, &end, 10);
	return !errno && !*end && v == uid;
}

/* A unix socket's peer, as the kernel saw it connect: true if fd is one. */
static bool unix_peer(int fd, struct cabin_debug_peer *p)
{
	struct sockaddr_storage ours;
	socklen_t ol = sizeof(ours), cl;
	struct ucred cred;

	if (getsockname(fd, (struct sockaddr *)&ours, &ol) < 0 ||
	    ours.ss_family != AF_UNIX)
		return false;
	cl = sizeof(cred);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) == 0) {
		p->uid = cred.uid;
		p->pid = cred.pid;
	}
	return true;
}

int cabin_debug_peer_check(int fd, struct cabin_debug_peer *p)
{
	pid_t pids[MAX_HOLDERS];
	unsigned long inode = 0;
	const char *why;
	size_t n, i;
	int err;

	memset(p, 0, sizeof(*p));
	p->uid = (uid_t)-1;
	if (unix_peer(fd, p)) {
		why = p->pid > 0 ? confinement(p->pid) :
		      "the process that connected cannot be named";
		if (why) {
			snprintf(p->why, sizeof(p->why), "%s", why);
			return -EPERM;
		}
		err = unix_peer_inode(fd, &inode);
	} else {
		err = diag_lookup(fd, &p->uid, &inode);
	}
	if (err < 0) {
		snprintf(p->why, sizeof(p->why),
			 "its socket is not in the kernel's table (%s)",
			 strerror(-err));
		return -EPERM;
	}
	if (!allowed_uid(p->uid)) {
		snprintf(p->why, sizeof(p->why),
			 "uid %u is not the user who ran cabin (uid %u)",
			 (unsigned int)p->uid, (unsigned int)getuid());
		return -EPERM;
	}
	n = holders(inode, pids, MAX_HOLDERS);
	if (!n) {
		snprintf(p->why, sizeof(p->why),
			 "no process that holds its socket can be found");
		return -EPERM;
	}
	p->pid = pids[0];
	for (i = 0; i < n; i++) {
		why = confinement(pids[i]);
		if (why) {
			p->pid = pids[i];
			snprintf(p->why, sizeof(p->why), "%s", why);
			return -EPERM;
		}
	}
	return 0;
}
