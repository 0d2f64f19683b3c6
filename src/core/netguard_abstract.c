/*
 * Abstract unix names: the guard connects and sends to them in cabin's
 * own process, where the program's Landlock scope on abstract sockets
 * (ABI 6) does not reach, so it applies that scope itself, on every
 * kernel: a name is reached only when the socket holding it belongs to
 * the confined tree.  The kernel is asked which socket holds the name
 * (sock_diag), and the tree's descriptor tables whether one of its tasks
 * holds that socket.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/netguard_int.h"

#define NG_DIAG_BUF	32768

/* What a dump of the unix sockets of cabin's network namespace found. */
struct ng_holder {
	const char *name;	/* sun_path bytes, the leading NUL included */
	size_t len;
	int type;
	ino_t self;		/* the program's socket */
	bool self_seen;		/* it lives in cabin's namespace */
	ino_t ino;		/* the socket holding the name, 0: none */
};

bool cabin_netguard_unix_abstract(const struct cabin_netguard_addr *a)
{
	const struct sockaddr_un *sun = (const void *)&a->ss;

	return a->ss.ss_family == AF_UNIX &&
	       a->len > offsetof(struct sockaddr_un, sun_path) &&
	       sun->sun_path[0] == '\0';
}

static void diag_match(struct ng_holder *h, const struct nlmsghdr *nh)
{
	const struct unix_diag_msg *m = NLMSG_DATA(nh);
	const struct rtattr *a = (const void *)(m + 1);
	int alen = (int)nh->nlmsg_len - (int)NLMSG_LENGTH(sizeof(*m));

	if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(*m)))
		return;
	if (m->udiag_ino == h->self)
		h->self_seen = true;
	if (m->udiag_type != h->type)
		return;
	for (; RTA_OK(a, alen); a = RTA_NEXT(a, alen)) {
		if (a->rta_type == UNIX_DIAG_NAME &&
		    RTA_PAYLOAD(a) == h->len &&
		    !memcmp(RTA_DATA(a), h->name, h->len))
			h->ino = m->udiag_ino;
	}
}

/*
 * Whether a whole message starts at nh with left bytes to go: NLMSG_OK,
 * without its comparisons of a signed length with the unsigned header.
 */
static bool diag_fits(const struct nlmsghdr *nh, size_t left)
{
	return left >= sizeof(*nh) && nh->nlmsg_len >= sizeof(*nh) &&
	       nh->nlmsg_len <= left;
}

/* The message after nh, and what is left after it (NLMSG_NEXT). */
static const struct nlmsghdr *diag_next(const struct nlmsghdr *nh,
					size_t *left)
{
	size_t step = NLMSG_ALIGN(nh->nlmsg_len);

	*left = step < *left ? *left - step : 0;
	return (const void *)((const char *)nh + step);
}

/* One batch of the dump: 1 when more follow, 0 at its end, or -errno. */
static int diag_batch(int fd, struct ng_holder *h, char *buf)
{
	const struct nlmsghdr *nh = (const void *)buf;
	ssize_t n = recv(fd, buf, NG_DIAG_BUF, MSG_TRUNC);
	size_t left;

	if (n < 0)
		return -errno;
	/* a batch cut short could hide the program's socket or the name */
	if (n == 0 || n > NG_DIAG_BUF)
		return n ? -EMSGSIZE : -EIO;
	for (left = (size_t)n; diag_fits(nh, left); nh = diag_next(nh, &left)) {
		if (nh->nlmsg_type == NLMSG_DONE)
			return 0;
		if (nh->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = NLMSG_DATA(nh);

			return e->error ? e->error : -EIO;
		}
		if (nh->nlmsg_type == SOCK_DIAG_BY_FAMILY)
			diag_match(h, nh);
	}
	return 1;
}

/* Which socket of cabin's network namespace holds the name. */
static int find_holder(struct ng_holder *h)
{
	struct {
		struct nlmsghdr nh;
		struct unix_diag_req req;
	} msg = {
		.nh = {
			.nlmsg_len = sizeof(msg),
			.nlmsg_type = SOCK_DIAG_BY_FAMILY,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
		},
		.req = {
			.sdiag_family = AF_UNIX,
			.udiag_states = ~0u,
			.udiag_show = UDIAG_SHOW_NAME,
		},
	};
	static char buf[NG_DIAG_BUF] __attribute__((aligned(8)));
	int fd, ret;

	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0)
		return -errno;
	ret = send(fd, &msg, sizeof(msg), 0) < 0 ? -errno : 1;
	while (ret > 0)
		ret = diag_batch(fd, h, buf);
	close(fd);
	return ret;
}

/* Does the descriptor table in dir (a /proc fd directory) hold want? */
static bool table_holds(const char *dir, const char *want)
{
	char link[48];
	struct dirent *e;
	bool found = false;
	ssize_t n;
	DIR *d = opendir(dir);

	while (d && !found && (e = readdir(d))) {
		n = readlinkat(dirfd(d), e->d_name, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		found = !strcmp(link, want);
	}
	if (d)
		closedir(d);
	return found;
}

/*
 * Does a descriptor table of the tree hold socket ino?  Cabin's own
 * counts: on the kvm platform the program's descriptors are the
 * monitor's, and on the process platform cabin holds no listener of its
 * own (what it inherited, the program inherited too).
 */
static bool tree_holds(struct cabin_proxy *p, ino_t ino)
{
	char want[48], dir[32];
	struct cabin_task *t;
	bool found;
	size_t pos = 0;

	snprintf(want, sizeof(want), "socket:[%lu]", (unsigned long)ino);
	found = table_holds("/proc/self/fd", want);
	while (!found && (t = cabin_tasks_next(&p->tasks, &pos))) {
		snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)t->tid);
		found = table_holds(dir, want);
	}
	return found;
}

static void describe(const struct cabin_netguard_addr *a,
		     enum cabin_netguard_op op, char *what,
		     size_t len)
{
	const struct sockaddr_un *sun = (const void *)&a->ss;
	size_t n = a->len - offsetof(struct sockaddr_un, sun_path) - 1;
	size_t i, at;

	at = (size_t)snprintf(what, len, "%s unix:@", cabin_netguard_verb(op));
	for (i = 0; i < n && at + 1 < len; i++)
		what[at++] = sun->sun_path[i + 1] >= 0x20 &&
			     sun->sun_path[i + 1] < 0x7f ?
			     sun->sun_path[i + 1] : '?';
	what[at < len ? at : len - 1] = '\0';
}

/*
 * 0 when the abstract name may be reached; -ECONNREFUSED when nothing
 * holds it (as the kernel would say); otherwise a reported refusal.
 */
int cabin_netguard_check_abstract(struct cabin_netguard_call *c,
				  enum cabin_netguard_op op,
				  const struct cabin_netguard_addr *a)
{
	const struct sockaddr_un *sun = (const void *)&a->ss;
	struct ng_holder h = {
		.name = sun->sun_path,
		.len = a->len - offsetof(struct sockaddr_un, sun_path),
		.type = c->type,
	};
	char what[sizeof(sun->sun_path) + 32], why[96];
	struct stat st;
	int ret;

	if (!c->g->scope || op == CABIN_NETGUARD_BIND ||
	    !cabin_netguard_unix_abstract(a))
		return 0;
	if (a->len > sizeof(struct sockaddr_un))
		return -EINVAL;
	if (fstat(c->sock, &st) < 0)
		return -errno;
	h.self = st.st_ino;
	describe(a, op, what, sizeof(what));
	ret = find_holder(&h);
	if (ret < 0) {
		snprintf(why, sizeof(why),
			 "cannot tell whose socket it is (sock_diag: %s)",
			 strerror(-ret));
		return cabin_netguard_deny(c, what, why);
	}
	/* a namespace of the tree's own: every name in it is the tree's */
	if (!h.self_seen)
		return 0;
	if (!h.ino)
		return -ECONNREFUSED;
	if (tree_holds(c->p, h.ino))
		return 0;
	return cabin_netguard_deny(c, what,
				   "the socket is outside the sandbox");
}
