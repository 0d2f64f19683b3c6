/*
 * Who connected to --gdb.  Whoever holds the connection can write the
 * program's memory and registers, so it must be someone who could debug
 * the program anyway: the user who ran cabin, from a process nothing
 * confines.  --gdb=- has no peer to judge: gdb started cabin.
 *
 * unix:PATH: SO_PEERCRED names the uid and the process that called
 * connect, fixed at connect (passing the descriptor on cannot change it;
 * SO_PEERPIDFD makes sure the pid was not reused).  It must be
 * unconfined (no seccomp filter, no no_new_privs, not traced by this
 * cabin) and trace nothing: another cabin's supervisor connects and
 * sends for its confined program, a deputy.
 *
 * TCP has no such record: NETLINK_SOCK_DIAG looks the peer's socket up
 * by the connection's exact 4-tuple (its owner and inode), and a bounded
 * walk of /proc/PID/fd finds who holds that inode now.  Nobody (a socket
 * in flight in SCM_RIGHTS), a confined holder or a tracer is refused.
 * It is a snapshot: docs/security.md says what it cannot promise.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
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

/*
 * A walk of /proc, bounded: a program of the same user can open a great
 * many descriptors to make it slow (each connection costs a walk), so it
 * looks at SCAN_MAX entries and SCAN_SECONDS at most, and ends as soon
 * as cabin's time limit or a signal ends the wait for gdb.
 */
#define SCAN_MAX (1u << 18)
#define SCAN_SECONDS 2

struct scan {
	const struct cabin_debug_conn *c;
	struct timespec start;
	size_t entries;
	int err;		/* -ECANCELED, -E2BIG: the walk was cut short */
};

static bool scan_on(struct scan *s)
{
	struct timespec now;

	if (s->err)
		return false;
	if (++s->entries % 256)
		return true;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (s->c && s->c->cancelled && s->c->cancelled(s->c->cancel_ctx))
		s->err = -ECANCELED;
	else if (s->entries >= SCAN_MAX ||
		 now.tv_sec - s->start.tv_sec > SCAN_SECONDS)
		s->err = -E2BIG;
	return !s->err;
}

long cabin_debug_proc_status(pid_t pid, const char *name)
{
	char path[64], line[256];
	size_t len = strlen(name);
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, name, len) && line[len] == ':') {
			v = strtol(line + len + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

/* The processes holding socket inode: their pids, how many. */
static size_t holders(struct scan *s, unsigned long inode, pid_t *out,
		      size_t max)
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
	while (n < max && scan_on(s) && (p = readdir(proc))) {
		if (p->d_name[0] < '1' || p->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/fd", p->d_name);
		fds = opendir(path);
		if (!fds)
			continue;	/* gone, or not ours to look at */
		while (scan_on(s) && (f = readdir(fds))) {
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

/*
 * One of pids that traces a process, else 0.  A tracer (another cabin's
 * supervisor, which performs its program's connect and send and holds
 * copies of its descriptors) can act for a confined program: it is its
 * deputy, not the user's debugger.  TracerPid names the tracing thread;
 * its process is what holds descriptors.
 */
static pid_t a_tracer(struct scan *s, const pid_t *pids, size_t n)
{
	struct dirent *p;
	long tracer, tgid;
	pid_t found = 0;
	size_t i;
	DIR *proc;

	proc = opendir("/proc");
	if (!proc)
		return -1;
	while (!found && scan_on(s) && (p = readdir(proc))) {
		if (p->d_name[0] < '1' || p->d_name[0] > '9')
			continue;
		tracer = cabin_debug_proc_status((pid_t)atoi(p->d_name),
						 "TracerPid");
		if (tracer <= 0)
			continue;
		tgid = cabin_debug_proc_status((pid_t)tracer, "Tgid");
		for (i = 0; i < n; i++)
			if (pids[i] == tracer || pids[i] == tgid)
				found = pids[i];
	}
	closedir(proc);
	return found;
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

#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77
#endif

/*
 * A unix socket's peer, as the kernel saw it connect: true if fd is one.
 * *pidfd: that process (not a later one with its pid), -1 when the kernel
 * gives none (before Linux 6.5), -ESRCH when it has ended.
 */
static bool unix_peer(int fd, struct cabin_debug_peer *p, int *pidfd)
{
	struct sockaddr_storage ours;
	socklen_t ol = sizeof(ours), cl;
	struct ucred cred;

	*pidfd = -1;
	if (getsockname(fd, (struct sockaddr *)&ours, &ol) < 0 ||
	    ours.ss_family != AF_UNIX)
		return false;
	cl = sizeof(cred);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) == 0) {
		p->uid = cred.uid;
		p->pid = cred.pid;
	}
	cl = sizeof(*pidfd);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERPIDFD, pidfd, &cl) < 0)
		*pidfd = errno == ESRCH ? -ESRCH : -1;
	return true;
}

static int refuse(struct cabin_debug_peer *p, const char *why)
{
	snprintf(p->why, sizeof(p->why), "%s", why);
	return -EPERM;
}

/* A walk cut short: cabin's wait ended, or it was too long to finish. */
static int cut_short(const struct scan *s, struct cabin_debug_peer *p)
{
	if (s->err == -ECANCELED) {
		refuse(p, "cabin's wait for gdb ended while it was checked");
		return -ECANCELED;
	}
	return refuse(p, "who holds its socket cannot be found in time (too many processes or descriptors); use --gdb=- or --gdb=unix:PATH");
}

/*
 * unix:PATH: the process that called connect, as SO_PEERCRED recorded it
 * then; passing the descriptor on later cannot change it.  It must be
 * the user's, unconfined, and no tracer (another cabin's supervisor
 * connecting for its program).
 */
static int unix_check(struct scan *s, struct cabin_debug_peer *p, int pidfd)
{
	const char *why;

	if (p->pid <= 0)
		return refuse(p, "the process that connected cannot be named");
	if (pidfd == -ESRCH)
		return refuse(p, "the process that connected has ended");
	why = confinement(p->pid);
	if (why)
		return refuse(p, why);
	if (a_tracer(s, &p->pid, 1))
		return refuse(p, "it traces another process (another cabin's supervisor, acting for its confined program)");
	if (s->err)
		return cut_short(s, p);
	/* Still the process that connected: its pid was not reused. */
	if (pidfd >= 0 &&
	    syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) < 0)
		return refuse(p, "the process that connected has ended");
	return 0;
}

/*
 * TCP: the processes holding the peer socket now.  A socket in flight
 * (SCM_RIGHTS) is held by nobody; a tracer may hold a copy for the
 * program it confines: both refused.  What TCP cannot promise is in
 * docs/security.md.
 */
static int inet_check(struct scan *s, unsigned long inode,
		      struct cabin_debug_peer *p)
{
	pid_t pids[MAX_HOLDERS];
	const char *why;
	size_t n, i;

	n = holders(s, inode, pids, MAX_HOLDERS);
	if (s->err)
		return cut_short(s, p);
	if (!n)
		return refuse(p, "no process holds its socket (it may be in flight between processes)");
	if (n == MAX_HOLDERS)
		return refuse(p, "too many processes hold its socket");
	p->pid = pids[0];
	for (i = 0; i < n; i++) {
		why = confinement(pids[i]);
		if (why) {
			p->pid = pids[i];
			return refuse(p, why);
		}
	}
	p->pid = a_tracer(s, pids, n);
	if (p->pid)
		return refuse(p, "it traces another process (another cabin's supervisor, acting for its confined program)");
	p->pid = pids[0];
	if (s->err)
		return cut_short(s, p);
	return 0;
}

int cabin_debug_peer_check(int fd, const struct cabin_debug_conn *c,
			   struct cabin_debug_peer *p)
{
	struct scan s = { .c = c };
	unsigned long inode = 0;
	int err, pidfd;
	bool is_unix;

	memset(p, 0, sizeof(*p));
	p->uid = (uid_t)-1;
	clock_gettime(CLOCK_MONOTONIC, &s.start);
	is_unix = unix_peer(fd, p, &pidfd);
	err = is_unix ? 0 : diag_lookup(fd, &p->uid, &inode);
	if (err < 0) {
		snprintf(p->why, sizeof(p->why),
			 "its socket is not in the kernel's table (%s)",
			 strerror(-err));
		err = -EPERM;
	} else if (!allowed_uid(p->uid)) {
		snprintf(p->why, sizeof(p->why),
			 "uid %u is not the user who ran cabin (uid %u)",
			 (unsigned int)p->uid, (unsigned int)getuid());
		err = -EPERM;
	} else {
		err = is_unix ? unix_check(&s, p, pidfd) :
				inet_check(&s, inode, p);
	}
	if (pidfd >= 0)
		close(pidfd);
	return err;
}
