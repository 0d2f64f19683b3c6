/*
 * The behaviour report: a proxy observer that turns the watched syscalls,
 * spawns, execs, exits and faults of the confined tree into deduplicated
 * records, and writes them as one JSON document (docs/report.md).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <unistd.h>

#include "core/names.h"
#include "core/umem.h"
#include "trace/json.h"
#include "trace/report_int.h"

#ifndef AT_EMPTY_PATH
#define AT_EMPTY_PATH 0x1000
#endif

const int cabin_report_watch[] = {
	SYS_open, SYS_openat, SYS_openat2, SYS_creat,
	SYS_unlink, SYS_unlinkat, SYS_rmdir,
	SYS_rename, SYS_renameat, SYS_renameat2,
	SYS_chmod, SYS_fchmod, SYS_fchmodat,
#ifdef SYS_fchmodat2
	SYS_fchmodat2,
#endif
	SYS_truncate, SYS_mkdir, SYS_mkdirat,
	SYS_execve, SYS_execveat,
	SYS_connect, SYS_bind, SYS_listen, SYS_sendto, SYS_sendmsg,
	SYS_kill, SYS_tkill, SYS_tgkill,
	SYS_mmap, SYS_mprotect, SYS_pkey_mprotect,
	SYS_ptrace, SYS_process_vm_readv, SYS_process_vm_writev,
	-1
};

enum call_kind {
	CALL_OTHER,
	CALL_OPEN,
	CALL_UNLINK,
	CALL_RENAME,
	CALL_CHMOD,
	CALL_TRUNCATE,
	CALL_MKDIR,
	CALL_EXEC,
	CALL_NET,
	CALL_SIGNAL,
	CALL_MEM,
	CALL_PTRACE,
};

/*
 * Where a watched syscall keeps its operands: argument indexes, -1 when
 * it has none.  dirfd without path means the descriptor itself (fchmod).
 */
struct watch_spec {
	long nr;
	enum call_kind kind;
	signed char dirfd, path, dirfd2, path2, flags, mode;
};

static const struct watch_spec specs[] = {
	{ SYS_open, CALL_OPEN, -1, 0, -1, -1, 1, 2 },
	{ SYS_openat, CALL_OPEN, 0, 1, -1, -1, 2, 3 },
	{ SYS_openat2, CALL_OPEN, 0, 1, -1, -1, -1, -1 },
	{ SYS_creat, CALL_OPEN, -1, 0, -1, -1, -1, 1 },
	{ SYS_unlink, CALL_UNLINK, -1, 0, -1, -1, -1, -1 },
	{ SYS_unlinkat, CALL_UNLINK, 0, 1, -1, -1, 2, -1 },
	{ SYS_rmdir, CALL_UNLINK, -1, 0, -1, -1, -1, -1 },
	{ SYS_rename, CALL_RENAME, -1, 0, -1, 1, -1, -1 },
	{ SYS_renameat, CALL_RENAME, 0, 1, 2, 3, -1, -1 },
	{ SYS_renameat2, CALL_RENAME, 0, 1, 2, 3, 4, -1 },
	{ SYS_chmod, CALL_CHMOD, -1, 0, -1, -1, -1, 1 },
	{ SYS_fchmod, CALL_CHMOD, 0, -1, -1, -1, -1, 1 },
	{ SYS_fchmodat, CALL_CHMOD, 0, 1, -1, -1, -1, 2 },
#ifdef SYS_fchmodat2
	{ SYS_fchmodat2, CALL_CHMOD, 0, 1, -1, -1, 3, 2 },
#endif
	{ SYS_truncate, CALL_TRUNCATE, -1, 0, -1, -1, -1, -1 },
	{ SYS_mkdir, CALL_MKDIR, -1, 0, -1, -1, -1, 1 },
	{ SYS_mkdirat, CALL_MKDIR, 0, 1, -1, -1, -1, 2 },
	{ SYS_execve, CALL_EXEC, -1, 0, -1, -1, -1, -1 },
	{ SYS_execveat, CALL_EXEC, 0, 1, -1, -1, 4, -1 },
	{ SYS_connect, CALL_NET, -1, -1, -1, -1, -1, -1 },
	{ SYS_bind, CALL_NET, -1, -1, -1, -1, -1, -1 },
	{ SYS_listen, CALL_NET, -1, -1, -1, -1, -1, -1 },
	{ SYS_sendto, CALL_NET, -1, -1, -1, -1, -1, -1 },
	{ SYS_sendmsg, CALL_NET, -1, -1, -1, -1, -1, -1 },
	{ SYS_kill, CALL_SIGNAL, -1, -1, -1, -1, -1, -1 },
	{ SYS_tkill, CALL_SIGNAL, -1, -1, -1, -1, -1, -1 },
	{ SYS_tgkill, CALL_SIGNAL, -1, -1, -1, -1, -1, -1 },
	{ SYS_mmap, CALL_MEM, -1, -1, -1, -1, -1, -1 },
	{ SYS_mprotect, CALL_MEM, -1, -1, -1, -1, -1, -1 },
	{ SYS_pkey_mprotect, CALL_MEM, -1, -1, -1, -1, -1, -1 },
	{ SYS_ptrace, CALL_PTRACE, -1, -1, -1, -1, -1, -1 },
	{ SYS_process_vm_readv, CALL_PTRACE, -1, -1, -1, -1, -1, -1 },
	{ SYS_process_vm_writev, CALL_PTRACE, -1, -1, -1, -1, -1, -1 },
};

/* A syscall between its entry and its result: what was read at entry. */
struct report_call {
	bool active;
	long nr;
	uint64_t args[6];
	const struct watch_spec *spec;
	enum cabin_route_kind route;
	char *path, *path2;	/* resolved against dirfd when relative */
	int existed;		/* O_CREAT: 1, 0, or -1 unknown */
	uint64_t flags, mode;
	const char *family;	/* NET */
	char *addr;
	long port;		/* -1: none */
	char **argv;		/* EXEC */
	size_t argc;
	bool argv_truncated;
};

/* ------------------------------------------------------------ pid map */

static size_t pid_hash(pid_t pid, size_t cap)
{
	return ((uint32_t)pid * 2654435761u) & (cap - 1);
}

static int map_grow(struct report_map *m)
{
	size_t cap = m->cap ? m->cap * 2 : 64, i;
	pid_t *key = calloc(cap, sizeof(*key));
	void **val = calloc(cap, sizeof(*val));

	if (!key || !val) {
		free(key);
		free(val);
		return -ENOMEM;
	}
	for (i = 0; i < m->cap; i++) {
		size_t h;

		if (!m->key[i])
			continue;
		for (h = pid_hash(m->key[i], cap); key[h];
		     h = (h + 1) & (cap - 1))
			;
		key[h] = m->key[i];
		val[h] = m->val[i];
	}
	free(m->key);
	free(m->val);
	m->key = key;
	m->val = val;
	m->cap = cap;
	return 0;
}

static void *map_get(const struct report_map *m, pid_t pid)
{
	size_t h;

	if (!m->cap || pid <= 0)
		return NULL;
	for (h = pid_hash(pid, m->cap); m->key[h]; h = (h + 1) & (m->cap - 1)) {
		if (m->key[h] == pid)
			return m->val[h];
	}
	return NULL;
}

static int map_put(struct report_map *m, pid_t pid, void *val)
{
	size_t h;

	if (pid <= 0)
		return -EINVAL;
	if ((m->count + 1) * 2 > m->cap && map_grow(m) < 0)
		return -ENOMEM;
	for (h = pid_hash(pid, m->cap); m->key[h]; h = (h + 1) & (m->cap - 1)) {
		if (m->key[h] == pid) {
			m->val[h] = val;
			return 0;
		}
	}
	m->key[h] = pid;
	m->val[h] = val;
	m->count++;
	return 0;
}

/* ----------------------------------------------------- deduplicated lists */

/*
 * A record's key is its identifying fields serialised: numbers as raw
 * bytes, strings with their length first, so no two keys collide.
 */
struct keybuf {
	char *buf;
	size_t len, cap;
	bool failed;
};

static void key_bytes(struct keybuf *k, const void *p, size_t n)
{
	if (k->failed)
		return;
	if (k->len + n > k->cap) {
		size_t cap = (k->len + n) * 2 + 64;
		char *b = realloc(k->buf, cap);

		if (!b) {
			k->failed = true;
			return;
		}
		k->buf = b;
		k->cap = cap;
	}
	memcpy(k->buf + k->len, p, n);
	k->len += n;
}

static void key_num(struct keybuf *k, long v)
{
	key_bytes(k, &v, sizeof(v));
}

static void key_str(struct keybuf *k, const char *s)
{
	size_t n = s ? strlen(s) : SIZE_MAX;

	key_bytes(k, &n, sizeof(n));
	if (s)
		key_bytes(k, s, n);
}

static uint64_t key_hash(const char *p, size_t n)
{
	uint64_t h = 14695981039346656037ull;

	while (n--)
		h = (h ^ (unsigned char)*p++) * 1099511628211ull;
	return h;
}

static int list_rehash(struct report_list *l)
{
	size_t n = l->nslots ? l->nslots * 2 : 64, i;
	size_t *slot = calloc(n, sizeof(*slot));

	if (!slot)
		return -ENOMEM;
	for (i = 0; i < l->n; i++) {
		size_t h = key_hash(l->v[i].key, l->v[i].keylen) & (n - 1);

		while (slot[h])
			h = (h + 1) & (n - 1);
		slot[h] = i + 1;
	}
	free(l->slot);
	l->slot = slot;
	l->nslots = n;
	return 0;
}

/*
 * The record with key k: an existing one with its count raised, or a
 * new zeroed one (*fresh) with count 1.  NULL when a bound is reached.
 */
static struct report_rec *list_add(struct cabin_report *r,
				   struct report_list *l,
				   const struct keybuf *k, bool *fresh)
{
	struct report_rec *rec;
	size_t h;

	*fresh = false;
	if (k->failed)
		goto drop;
	if ((l->n + 1) * 2 > l->nslots && list_rehash(l) < 0)
		goto drop;
	for (h = key_hash(k->buf, k->len) & (l->nslots - 1); l->slot[h];
	     h = (h + 1) & (l->nslots - 1)) {
		rec = &l->v[l->slot[h] - 1];
		if (rec->keylen == k->len && !memcmp(rec->key, k->buf, k->len)) {
			rec->count++;
			return rec;
		}
	}
	if (l->n >= REPORT_RECORDS_MAX)
		goto drop;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct report_rec *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			goto drop;
		l->v = v;
		l->cap = cap;
	}
	rec = &l->v[l->n];
	memset(rec, 0, sizeof(*rec));
	rec->key = malloc(k->len ? k->len : 1);
	if (!rec->key)
		goto drop;
	memcpy(rec->key, k->buf, k->len);
	rec->keylen = k->len;
	rec->count = 1;
	l->slot[h] = ++l->n;
	*fresh = true;
	return rec;
drop:
	r->dropped++;
	return NULL;
}

static void rec_free(struct report_rec *rec)
{
	free(rec->key);
	free(rec->s1);
	free(rec->s2);
}

static void list_free(struct report_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		rec_free(&l->v[i]);
	free(l->v);
	free(l->slot);
	memset(l, 0, sizeof(*l));
}

/* A copy, or NULL (written as null) when s is NULL or memory ran out. */
static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void rec_who(struct report_rec *rec, const struct cabin_task *task)
{
	if (!task)
		return;
	rec->pid = task->pid;
	snprintf(rec->comm, sizeof(rec->comm), "%s", task->comm);
}

/* ------------------------------------------------------------- processes */

static struct report_proc *proc_get(struct cabin_report *r, pid_t pid)
{
	struct report_proc *pr = map_get(&r->procmap, pid);

	if (pr || pid <= 0)
		return pr;
	if (r->nprocs >= REPORT_PROCS_MAX) {
		r->dropped++;
		return NULL;
	}
	if (r->nprocs == r->capprocs) {
		size_t cap = r->capprocs ? r->capprocs * 2 : 16;
		struct report_proc **v = realloc(r->procs, cap * sizeof(*v));

		if (!v)
			return NULL;
		r->procs = v;
		r->capprocs = cap;
	}
	pr = calloc(1, sizeof(*pr));
	if (!pr)
		return NULL;
	if (map_put(&r->procmap, pid, pr) < 0) {
		free(pr);
		return NULL;
	}
	pr->pid = pid;
	pr->early = !r->exec_seen;
	pr->idx = r->nprocs;
	r->procs[r->nprocs++] = pr;
	return pr;
}

struct report_proc *cabin_report_find_proc(const struct cabin_report *r,
					   pid_t pid)
{
	return map_get(&r->procmap, pid);
}

static struct report_proc *proc_of(struct cabin_report *r,
				   const struct cabin_task *task)
{
	struct report_proc *pr = proc_get(r, task->pid > 0 ? task->pid
							   : task->tid);

	if (pr && !pr->comm[0])
		snprintf(pr->comm, sizeof(pr->comm), "%s", task->comm);
	return pr;
}

static void exec_free(struct report_exec *e)
{
	size_t i;

	free(e->path);
	free(e->exe);
	for (i = 0; i < e->argc; i++)
		free(e->argv[i]);
	free(e->argv);
}

/* ------------------------------------------------ reading program memory */

/* A string of the program, "..." appended when it was cut. */
static char *read_string(struct cabin_report *r, struct cabin_proxy *p,
			 pid_t tid, uint64_t addr, size_t max)
{
	bool cut;
	ssize_t n;
	char *s;

	if (!addr)
		return strdup("(null)");
	n = cabin_umem_string(p, tid, addr, r->scratch, max + 1, &cut);
	if (n < 0) {
		if (asprintf(&s, "(unreadable %#" PRIx64 ")", addr) < 0)
			return NULL;
		return s;
	}
	s = malloc((size_t)n + 4);
	if (!s)
		return NULL;
	memcpy(s, r->scratch, (size_t)n);
	strcpy(s + n, cut ? "..." : "");
	return s;
}

static void read_argv(struct cabin_report *r, struct cabin_proxy *p,
		      pid_t tid, uint64_t addr, struct report_call *c)
{
	size_t i;

	c->argv = calloc(REPORT_ARGS_MAX, sizeof(*c->argv));
	if (!c->argv)
		return;
	for (i = 0; i < REPORT_ARGS_MAX; i++) {
		uint64_t ptr;

		if (cabin_umem_read(p, tid, addr + i * sizeof(ptr), &ptr,
				    sizeof(ptr)) < 0) {
			c->argv_truncated = true;
			return;
		}
		if (!ptr)
			return;
		c->argv[c->argc] = read_string(r, p, tid, ptr, REPORT_ARG_MAX);
		if (c->argv[c->argc])
			c->argc++;
	}
	c->argv_truncated = true;
}

/* "dir/name" for a path relative to a descriptor, or the path as given. */
static char *resolve(struct cabin_report *r, pid_t tid, int dirfd,
		     char *path, bool empty_is_fd)
{
	char dir[REPORT_PATH_MAX];
	const struct cabin_report_fs *fs = r->opt.fs;
	char *s;

	if (!path || path[0] == '/' || dirfd == AT_FDCWD)
		return path;
	if (path[0] && !strcmp(path, "."))
		return path;
	if (!path[0] && !empty_is_fd)
		return path;
	if (fs->fd_path(fs->ctx, tid, dirfd, dir, sizeof(dir)) < 0) {
		if (asprintf(&s, "<fd %d>%s%s", dirfd, path[0] ? "/" : "",
			     path) < 0)
			return path;
	} else if (asprintf(&s, "%s%s%s", dir, path[0] ? "/" : "",
			    path) < 0) {
		return path;
	}
	free(path);
	return s;
}

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

/* ------------------------------------------------ file-system questions */

static int proc_exists(void *ctx, pid_t tid, int dirfd, const char *path)
{
	char full[REPORT_PATH_MAX + 64];
	struct stat st;
	int n;

	(void)ctx;
	if (path[0] == '/')
		n = snprintf(full, sizeof(full), "/proc/%d/root%s", (int)tid,
			     path);
	else if (dirfd == AT_FDCWD)
		n = snprintf(full, sizeof(full), "/proc/%d/cwd/%s", (int)tid,
			     path);
	else
		n = snprintf(full, sizeof(full), "/proc/%d/fd/%d/%s",
			     (int)tid, dirfd, path);
	if (n < 0 || (size_t)n >= sizeof(full))
		return -ENAMETOOLONG;
	if (!fstatat(AT_FDCWD, full, &st, AT_SYMLINK_NOFOLLOW))
		return 1;
	return errno == ENOENT ? 0 : -errno;
}

static int proc_fd_path(void *ctx, pid_t tid, int fd, char *buf, size_t len)
{
	char link[64];
	ssize_t n;

	(void)ctx;
	if (fd == AT_FDCWD)
		snprintf(link, sizeof(link), "/proc/%d/cwd", (int)tid);
	else
		snprintf(link, sizeof(link), "/proc/%d/fd/%d", (int)tid, fd);
	n = readlink(link, buf, len - 1);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

static const struct cabin_report_fs proc_fs = {
	.exists = proc_exists,
	.fd_path = proc_fd_path,
};

/* ------------------------------------------------------ syscall capture */

static const struct watch_spec *spec_of(long nr)
{
	size_t i;

	for (i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		if (specs[i].nr == nr)
			return &specs[i];
	}
	return NULL;
}

static void call_clear(struct report_call *c)
{
	size_t i;

	free(c->path);
	free(c->path2);
	free(c->addr);
	for (i = 0; i < c->argc; i++)
		free(c->argv[i]);
	free(c->argv);
	memset(c, 0, sizeof(*c));
}

static struct report_call *call_of(struct cabin_report *r, pid_t tid,
				   bool create)
{
	struct report_call *c = map_get(&r->pending, tid);

	if (c || !create)
		return c;
	c = calloc(1, sizeof(*c));
	if (c && map_put(&r->pending, tid, c) < 0) {
		free(c);
		return NULL;
	}
	return c;
}

static int arg_int(const struct report_call *c, int i)
{
	return i < 0 ? AT_FDCWD : (int)c->args[i];
}

/* The paths exactly as the program gave them. */
static void read_paths(struct cabin_report *r, struct cabin_proxy *p,
		       pid_t tid, struct report_call *c)
{
	const struct watch_spec *s = c->spec;

	if (s->path >= 0)
		c->path = read_string(r, p, tid, c->args[s->path],
				      REPORT_PATH_MAX);
	else if (s->dirfd >= 0)
		c->path = strdup("");
	if (s->path2 >= 0)
		c->path2 = read_string(r, p, tid, c->args[s->path2],
				       REPORT_PATH_MAX);
}

/*
 * Relative to a descriptor: joined to its path.  An empty path names the
 * descriptor itself for fchmod, and with AT_EMPTY_PATH for fchmodat2 and
 * execveat (whose flags argument means that; open's does not).
 */
static void resolve_paths(struct cabin_report *r, pid_t tid,
			  struct report_call *c)
{
	const struct watch_spec *s = c->spec;
	bool empty_is_fd = s->path < 0 ||
			   ((s->kind == CALL_CHMOD || s->kind == CALL_EXEC) &&
			    s->flags >= 0 && (c->args[s->flags] & AT_EMPTY_PATH));

	c->path = resolve(r, tid, arg_int(c, s->dirfd), c->path, empty_is_fd);
	if (s->path2 >= 0)
		c->path2 = resolve(r, tid, arg_int(c, s->dirfd2), c->path2,
				   false);
}

/* open flags and mode, wherever the syscall keeps them. */
static void open_flags(struct cabin_proxy *p, pid_t tid,
		       struct report_call *c)
{
	const struct watch_spec *s = c->spec;
	uint64_t how[2];

	if (c->nr == SYS_creat) {
		c->flags = O_CREAT | O_WRONLY | O_TRUNC;
	} else if (c->nr == SYS_openat2) {
		if (cabin_umem_read(p, tid, c->args[2], how, sizeof(how)) == 0) {
			c->flags = how[0];
			c->mode = how[1];
		}
	} else {
		c->flags = c->args[s->flags];
	}
	if (s->mode >= 0)
		c->mode = c->args[s->mode];
}

/*
 * Only a look before the call tells a new file from an old one: asked
 * with the path and descriptor the program gave, before resolving them.
 */
static void open_existed(struct cabin_report *r, pid_t tid,
			 struct report_call *c)
{
	const struct watch_spec *s = c->spec;
	int err;

	c->existed = -1;
	if (!(c->flags & O_CREAT) || (c->flags & O_EXCL) || !c->path ||
	    !c->args[s->path] || !strncmp(c->path, "(unreadable", 11))
		return;
	err = r->opt.fs->exists(r->opt.fs->ctx, tid, arg_int(c, s->dirfd),
				c->path);
	c->existed = err < 0 ? -1 : err;
}

static void capture_net(struct cabin_proxy *p, pid_t tid,
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

static void capture(struct cabin_report *r, struct cabin_proxy *p,
		    pid_t tid, struct report_call *c)
{
	const struct watch_spec *s = c->spec;

	switch (s->kind) {
	case CALL_OPEN:
		read_paths(r, p, tid, c);
		open_flags(p, tid, c);
		open_existed(r, tid, c);
		resolve_paths(r, tid, c);
		break;
	case CALL_UNLINK:
	case CALL_RENAME:
	case CALL_CHMOD:
	case CALL_TRUNCATE:
	case CALL_MKDIR:
		read_paths(r, p, tid, c);
		resolve_paths(r, tid, c);
		if (s->flags >= 0)
			c->flags = c->args[s->flags];
		if (s->mode >= 0)
			c->mode = c->args[s->mode];
		break;
	case CALL_EXEC:
		read_paths(r, p, tid, c);
		resolve_paths(r, tid, c);
		read_argv(r, p, tid, c->args[s->path + 1], c);
		break;
	case CALL_NET:
		capture_net(p, tid, c);
		break;
	case CALL_OTHER:
	case CALL_SIGNAL:
	case CALL_MEM:
	case CALL_PTRACE:
		break;
	}
}

static void on_entry(void *ctx, struct cabin_proxy *p, struct cabin_task *task,
		     const struct cabin_syscall *sys,
		     const struct cabin_route *route)
{
	struct cabin_report *r = ctx;
	struct report_call *c;

	proc_of(r, task);
	if (sys->nr >= 0 && sys->nr < REPORT_NR_MAX)
		r->sysc[sys->nr].calls++;
	c = call_of(r, task->tid, true);
	if (!c)
		return;
	call_clear(c);
	c->active = true;
	c->nr = sys->nr;
	memcpy(c->args, sys->args, sizeof(c->args));
	c->route = route ? route->kind : CABIN_ROUTE_TRACE;
	c->spec = spec_of(sys->nr);
	c->port = -1;
	if (c->spec)
		capture(r, p, task->tid, c);
}

/* ---------------------------------------------------- results to records */

static bool is_denial(long ret)
{
	return ret == -EACCES || ret == -EPERM;
}

/*
 * Did cabin refuse the call?  A denied route or a limit (the proxy
 * answered a traced call) always did; an emulated call (the network
 * guard performing a connect) only when it says EACCES or EPERM: any
 * other error is the real outcome of the call, made on the program's
 * behalf.
 */
static bool by_cabin(const struct report_call *c, long ret, bool ran)
{
	if (ran || ret >= 0)
		return false;
	if (!c || c->route == CABIN_ROUTE_DENY || c->route == CABIN_ROUTE_TRACE)
		return true;
	return is_denial(ret);
}

/* One path record in a file list; kind and extra fields by the caller. */
static struct report_rec *add_path(struct cabin_report *r,
				   struct report_list *l,
				   const struct cabin_task *task,
				   const char *path, long v1, long nr, int err)
{
	struct keybuf k = { 0 };
	struct report_rec *rec;
	bool fresh;

	key_str(&k, path);
	key_num(&k, v1);
	key_num(&k, nr);
	key_num(&k, err);
	rec = list_add(r, l, &k, &fresh);
	free(k.buf);
	if (rec && fresh) {
		rec_who(rec, task);
		rec->s1 = dup_or_null(path);
		rec->v1 = v1;
		rec->nr = nr;
		rec->err = err;
	}
	return rec;
}

static void file_failure(struct cabin_report *r,
			 const struct cabin_task *task,
			 const struct report_call *c, long ret)
{
	struct report_list *l = is_denial(ret) ? &r->file_denied
					       : &r->file_failed;

	add_path(r, l, task, c->path, 0, c->nr, (int)-ret);
}

static void open_result(struct cabin_report *r, const struct cabin_task *task,
			const struct report_call *c)
{
	bool writes = (c->flags & O_ACCMODE) != O_RDONLY ||
		      (c->flags & O_TRUNC);
	bool created = (c->flags & O_CREAT) &&
		       ((c->flags & O_EXCL) || c->existed == 0);
	struct report_rec *rec;

	if ((c->flags & O_PATH) && !(c->flags & O_CREAT))
		return;
	if (created) {
		add_path(r, &r->created, task, c->path, 0, 0, 0);
	} else if (writes) {
		/* O_CREAT on a file of unknown existence: created or written. */
		rec = add_path(r, &r->written, task, c->path, 0, 0, 0);
		if (rec && (c->flags & O_CREAT) && c->existed < 0)
			rec->v2 = 1;
	} else {
		add_path(r, &r->read, task, c->path,
			 (c->flags & O_DIRECTORY) != 0, 0, 0);
	}
}

static void rename_result(struct cabin_report *r,
			  const struct cabin_task *task,
			  const struct report_call *c)
{
	struct keybuf k = { 0 };
	struct report_rec *rec;
	bool fresh;

	key_str(&k, c->path);
	key_str(&k, c->path2);
	rec = list_add(r, &r->renamed, &k, &fresh);
	free(k.buf);
	if (rec && fresh) {
		rec_who(rec, task);
		rec->s1 = dup_or_null(c->path);
		rec->s2 = dup_or_null(c->path2);
	}
}

static void file_result(struct cabin_report *r, const struct cabin_task *task,
			const struct report_call *c, long ret)
{
	bool dir;

	if (ret < 0) {
		file_failure(r, task, c, ret);
		return;
	}
	switch (c->spec->kind) {
	case CALL_OPEN:
		open_result(r, task, c);
		break;
	case CALL_UNLINK:
		dir = c->nr == SYS_rmdir || (c->flags & AT_REMOVEDIR);
		add_path(r, &r->deleted, task, c->path, dir, 0, 0);
		break;
	case CALL_RENAME:
		rename_result(r, task, c);
		break;
	case CALL_CHMOD:
		add_path(r, &r->chmod, task, c->path, (long)(c->mode & 07777),
			 0, 0);
		break;
	case CALL_TRUNCATE:
		add_path(r, &r->written, task, c->path, 0, 0, 0);
		break;
	case CALL_MKDIR:
		add_path(r, &r->created, task, c->path, 1, 0, 0);
		break;
	default:
		break;
	}
}

/* Common fields and key of the non-file lists: who, what, how it ended. */
static struct report_rec *add_event(struct cabin_report *r,
				    struct report_list *l,
				    const struct cabin_task *task,
				    struct keybuf *k, long nr, long ret,
				    bool refused)
{
	struct report_rec *rec;
	bool fresh;

	key_num(k, task ? task->pid : 0);
	key_num(k, nr);
	key_num(k, ret < 0 ? -ret : 0);
	key_num(k, refused);
	rec = list_add(r, l, k, &fresh);
	free(k->buf);
	if (!rec || !fresh)
		return NULL;
	rec_who(rec, task);
	rec->nr = nr;
	rec->err = ret < 0 ? (int)-ret : 0;
	rec->refused = refused;
	return rec;
}

static void net_result(struct cabin_report *r, const struct cabin_task *task,
		       const struct report_call *c, long ret, bool refused)
{
	struct keybuf k = { 0 };
	struct report_rec *rec;

	/* A send on a connected socket names no one: the connect did. */
	if ((c->nr == SYS_sendto || c->nr == SYS_sendmsg) && !c->family)
		return;
	key_str(&k, c->family);
	key_str(&k, c->addr);
	key_num(&k, c->port);
	key_num(&k, c->nr == SYS_listen ? (long)c->args[0] : -1);
	rec = add_event(r, &r->network, task, &k, c->nr, ret, refused);
	if (!rec)
		return;
	rec->s1 = dup_or_null(c->family);
	rec->s2 = dup_or_null(c->addr);
	rec->v1 = c->port;
	rec->v2 = c->nr == SYS_listen ? (long)c->args[0] : -1;
}

static void signal_result(struct cabin_report *r,
			  const struct cabin_task *task,
			  const struct report_call *c, long ret, bool refused)
{
	struct keybuf k = { 0 };
	struct report_rec *rec;
	long target = (int)c->args[0], sig = (int)c->args[1], tgid = 0;

	if (c->nr == SYS_tgkill) {
		tgid = target;
		target = (int)c->args[1];
		sig = (int)c->args[2];
	}
	key_num(&k, target);
	key_num(&k, sig);
	key_num(&k, tgid);
	rec = add_event(r, &r->signals, task, &k, c->nr, ret, refused);
	if (!rec)
		return;
	rec->v1 = target;
	rec->v2 = sig;
	rec->v3 = tgid;
}

static void mem_result(struct cabin_report *r, const struct cabin_task *task,
		       const struct report_call *c, long ret, bool refused)
{
	struct keybuf k = { 0 };
	struct report_rec *rec;
	long prot = (long)c->args[2];

	if ((prot & (PROT_WRITE | PROT_EXEC)) != (PROT_WRITE | PROT_EXEC))
		return;
	key_num(&k, prot);
	rec = add_event(r, &r->memory, task, &k, c->nr, ret, refused);
	if (!rec)
		return;
	rec->v1 = prot;
	rec->v2 = c->nr == SYS_mmap ? (long)c->args[3] : 0;
	rec->u1 = c->nr == SYS_mmap && ret >= 0 ? (uint64_t)ret : c->args[0];
	rec->u2 = c->args[1];
}

static void ptrace_result(struct cabin_report *r,
			  const struct cabin_task *task,
			  const struct report_call *c, long ret, bool refused)
{
	struct keybuf k = { 0 };
	struct report_rec *rec;
	bool is_ptrace = c->nr == SYS_ptrace;
	long req = is_ptrace ? (long)c->args[0] : -1;
	long target = (int)c->args[is_ptrace ? 1 : 0];

	/* Only the requests that name a target carry one. */
	if (is_ptrace && req == PTRACE_TRACEME)
		target = 0;
	key_num(&k, req);
	key_num(&k, target);
	rec = add_event(r, &r->ptrace, task, &k, c->nr, ret, refused);
	if (!rec)
		return;
	rec->v1 = req;
	rec->v2 = target;
}

const char *cabin_report_ptrace_request(long req, char *buf, size_t len)
{
	static const struct {
		long req;
		const char *name;
	} names[] = {
		{ PTRACE_TRACEME, "PTRACE_TRACEME" },
		{ PTRACE_PEEKTEXT, "PTRACE_PEEKTEXT" },
		{ PTRACE_PEEKDATA, "PTRACE_PEEKDATA" },
		{ PTRACE_POKETEXT, "PTRACE_POKETEXT" },
		{ PTRACE_POKEDATA, "PTRACE_POKEDATA" },
		{ PTRACE_CONT, "PTRACE_CONT" },
		{ PTRACE_KILL, "PTRACE_KILL" },
		{ PTRACE_GETREGS, "PTRACE_GETREGS" },
		{ PTRACE_SETREGS, "PTRACE_SETREGS" },
		{ PTRACE_ATTACH, "PTRACE_ATTACH" },
		{ PTRACE_DETACH, "PTRACE_DETACH" },
		{ PTRACE_SYSCALL, "PTRACE_SYSCALL" },
		{ PTRACE_SEIZE, "PTRACE_SEIZE" },
		{ PTRACE_INTERRUPT, "PTRACE_INTERRUPT" },
	};
	size_t i;

	if (req < 0)
		return NULL;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (names[i].req == req)
			return names[i].name;
	}
	snprintf(buf, len, "request %#lx", req);
	return buf;
}

const char *cabin_report_prot(long prot, char *buf)
{
	buf[0] = prot & PROT_READ ? 'r' : '-';
	buf[1] = prot & PROT_WRITE ? 'w' : '-';
	buf[2] = prot & PROT_EXEC ? 'x' : '-';
	buf[3] = '\0';
	return buf;
}

const char *cabin_report_mode(long mode, char *buf, size_t len)
{
	snprintf(buf, len, "%04lo", mode & 07777);
	return buf;
}

/* "ip:port", "[ip6]:port" or the unix name. */
static char *net_address(const char *family, const char *addr, long port)
{
	char *s;
	int n;

	if (!addr)
		return dup_or_null(family);
	if (port < 0)
		return strdup(addr);
	if (family && !strcmp(family, "inet6"))
		n = asprintf(&s, "[%s]:%ld", addr, port);
	else
		n = asprintf(&s, "%s:%ld", addr, port);
	return n < 0 ? NULL : s;
}

/* What a denied call was about, in a few words; NULL when nothing. */
static char *call_detail(const struct report_call *c)
{
	char buf[48], prot[4], *s = NULL;
	const char *req;
	int n = 0;

	if (!c->spec)
		return NULL;
	switch (c->spec->kind) {
	case CALL_RENAME:
		n = asprintf(&s, "%s -> %s", c->path ? c->path : "?",
			     c->path2 ? c->path2 : "?");
		break;
	case CALL_NET:
		return net_address(c->family, c->addr, c->port);
	case CALL_SIGNAL:
		n = asprintf(&s, "%s to %d",
			     cabin_signal_name((int)c->args[c->nr == SYS_tgkill
							     ? 2 : 1]),
			     (int)c->args[c->nr == SYS_tgkill ? 1 : 0]);
		break;
	case CALL_MEM:
		n = asprintf(&s, "prot %s",
			     cabin_report_prot((long)c->args[2], prot));
		break;
	case CALL_PTRACE:
		req = cabin_report_ptrace_request(c->nr == SYS_ptrace ?
					  (long)c->args[0] : -1,
					  buf, sizeof(buf));
		if (req && c->args[0] == PTRACE_TRACEME)
			return strdup(req);
		n = asprintf(&s, "%s%spid %d", req ? req : "", req ? " " : "",
			     (int)c->args[req ? 1 : 0]);
		break;
	case CALL_OTHER:
		return NULL;
	default:
		return dup_or_null(c->path);
	}
	return n < 0 ? NULL : s;
}

static void add_denied(struct cabin_report *r, const struct cabin_task *task,
		       long nr, long ret, bool refused, const char *detail)
{
	struct keybuf k = { 0 };
	struct report_rec *rec;

	key_str(&k, detail);
	rec = add_event(r, &r->denied, task, &k, nr, ret, refused);
	if (rec)
		rec->s1 = dup_or_null(detail);
}

static void add_exec(struct cabin_report *r, struct cabin_proxy *p,
		     struct cabin_task *task, struct report_call *c)
{
	struct report_proc *pr = proc_of(r, task);
	char exe[REPORT_PATH_MAX];
	struct report_exec *e;

	if (!pr)
		return;
	r->exec_seen = true;
	snprintf(pr->comm, sizeof(pr->comm), "%s", task->comm);
	if (pr->nexecs >= REPORT_EXECS_MAX) {
		pr->execs_dropped++;
		r->dropped++;
		return;
	}
	if (pr->nexecs == pr->capexecs) {
		size_t cap = pr->capexecs ? pr->capexecs * 2 : 2;

		e = realloc(pr->execs, cap * sizeof(*e));
		if (!e) {
			r->dropped++;
			return;
		}
		pr->execs = e;
		pr->capexecs = cap;
	}
	e = &pr->execs[pr->nexecs++];
	memset(e, 0, sizeof(*e));
	if (p->plat->ops->task_exe &&
	    p->plat->ops->task_exe(p->plat->ctx, task->tid, exe,
				   sizeof(exe)) >= 0)
		e->exe = strdup(exe);
	if (!c)
		return;
	/* The record takes over what was read at entry. */
	e->path = c->path;
	e->argv = c->argv;
	e->argc = c->argc;
	e->argv_truncated = c->argv_truncated;
	c->path = NULL;
	c->argv = NULL;
	c->argc = 0;
}

static void count_result(struct cabin_report *r, const struct cabin_task *task,
			 long nr, long ret)
{
	uint64_t now = cabin_proxy_now_ns();

	if (nr < 0 || nr >= REPORT_NR_MAX)
		return;
	if (ret < 0)
		r->sysc[nr].errors++;
	if (task->entry_ns && now > task->entry_ns)
		r->sysc[nr].ns += now - task->entry_ns;
}

static void kind_result(struct cabin_report *r, struct cabin_proxy *p,
			struct cabin_task *task, struct report_call *c,
			long ret, bool ran)
{
	bool refused = by_cabin(c, ret, ran);

	switch (c->spec->kind) {
	case CALL_OPEN:
	case CALL_UNLINK:
	case CALL_RENAME:
	case CALL_CHMOD:
	case CALL_TRUNCATE:
	case CALL_MKDIR:
		file_result(r, task, c, ret);
		break;
	case CALL_EXEC:
		if (ret >= 0)
			add_exec(r, p, task, c);
		break;
	case CALL_NET:
		net_result(r, task, c, ret, refused);
		break;
	case CALL_SIGNAL:
		signal_result(r, task, c, ret, refused);
		break;
	case CALL_MEM:
		mem_result(r, task, c, ret, refused);
		break;
	case CALL_PTRACE:
		ptrace_result(r, task, c, ret, refused);
		break;
	case CALL_OTHER:
		break;
	}
}

static void on_result(void *ctx, struct cabin_proxy *p,
		      struct cabin_task *task, long ret, bool ran)
{
	struct cabin_report *r = ctx;
	struct report_call *c = call_of(r, task->tid, false);
	long nr = task->cur_nr;
	char *detail;

	count_result(r, task, nr, ret);
	if (!c || !c->active || c->nr != nr) {
		if (by_cabin(NULL, ret, ran))
			add_denied(r, task, nr, ret, true, NULL);
		return;
	}
	/*
	 * An allowed exec has not run yet when its result comes: the exec
	 * event will say whether it did.
	 */
	if (c->spec && c->spec->kind == CALL_EXEC &&
	    c->route == CABIN_ROUTE_ALLOW)
		return;
	if (c->spec)
		kind_result(r, p, task, c, ret, ran);
	if (by_cabin(c, ret, ran) || (c->spec && is_denial(ret))) {
		detail = call_detail(c);
		add_denied(r, task, nr, ret, by_cabin(c, ret, ran), detail);
		free(detail);
	}
	call_clear(c);
}

/* ---------------------------------------------------------------- events */

static bool spawned_process(struct cabin_proxy *p, struct cabin_task *task,
			    const struct cabin_event *ev)
{
	pid_t tgid = -1;

	if (ev->spawn.kind != CABIN_SPAWN_CLONE)
		return true;
	if (p->plat->ops->task_tgid)
		tgid = p->plat->ops->task_tgid(p->plat->ctx, ev->spawn.child);
	if (tgid > 0)
		return tgid == ev->spawn.child;
	return task->cur_nr == SYS_clone &&
	       !(task->cur_args[0] & CLONE_THREAD);
}

static void on_spawn(struct cabin_report *r, struct cabin_proxy *p,
		     struct cabin_task *task, const struct cabin_event *ev)
{
	struct report_proc *parent = proc_of(r, task), *child;

	if (!spawned_process(p, task, ev)) {
		if (parent)
			parent->threads++;
		return;
	}
	child = proc_get(r, ev->spawn.child);
	if (!child)
		return;
	if (!child->parent)
		child->parent = task->pid;
	/* A fork inherits the name; the child's own stops refresh it. */
	if (!child->comm[0])
		snprintf(child->comm, sizeof(child->comm), "%s", task->comm);
}

static void on_exec_event(struct cabin_report *r, struct cabin_proxy *p,
			  struct cabin_task *task, const struct cabin_event *ev)
{
	pid_t caller = ev->exec.former_tid > 0 ? ev->exec.former_tid
					       : task->tid;
	struct report_call *c = call_of(r, caller, false);
	long nr = c ? c->nr : -1;

	if (c && c->active && c->spec && c->spec->kind == CALL_EXEC) {
		count_result(r, task, nr, 0);
		add_exec(r, p, task, c);
		call_clear(c);
	} else {
		add_exec(r, p, task, NULL);
	}
}

static void on_exit_event(struct cabin_report *r, struct cabin_task *task,
			  const struct cabin_event *ev)
{
	struct report_proc *pr = map_get(&r->procmap, ev->tid);
	struct report_call *c = call_of(r, ev->tid, false);

	/* The tid may come back as another thread: start it afresh. */
	if (c) {
		call_clear(c);
		free(c);
		map_put(&r->pending, ev->tid, NULL);
	}
	/* Only a thread-group leader's status is the process's. */
	if (!pr || (task && task->pid > 0 && task->pid != task->tid))
		return;
	pr->exited = true;
	pr->status = ev->status;
	if (task && task->comm[0])
		snprintf(pr->comm, sizeof(pr->comm), "%s", task->comm);
}

static char *describe(struct cabin_proxy *p, pid_t tid, uint64_t addr)
{
	char where[REPORT_PATH_MAX];

	if (!p->plat->ops->describe_addr ||
	    p->plat->ops->describe_addr(p->plat->ctx, tid, addr, where,
					sizeof(where)) < 0)
		return NULL;
	return strdup(where);
}

static void on_fault(struct cabin_report *r, struct cabin_proxy *p,
		     struct cabin_task *task, const struct cabin_fault *f)
{
	struct report_rec *rec;

	proc_of(r, task);
	if (r->nfaults >= REPORT_FAULTS_MAX) {
		r->dropped++;
		return;
	}
	rec = &r->faults[r->nfaults++];
	memset(rec, 0, sizeof(*rec));
	rec_who(rec, task);
	rec->count = 1;
	rec->v1 = f->sig;
	rec->v2 = f->code;
	rec->u1 = f->addr;
	rec->u2 = f->ip;
	rec->s1 = describe(p, task->tid, f->ip);
	rec->s2 = describe(p, task->tid, f->addr);
}

static void on_event(void *ctx, struct cabin_proxy *p, struct cabin_task *task,
		     const struct cabin_event *ev)
{
	struct cabin_report *r = ctx;

	if (ev->kind == CABIN_EV_EXIT) {
		on_exit_event(r, task, ev);
		return;
	}
	if (!task)
		return;
	switch (ev->kind) {
	case CABIN_EV_SPAWN:
		on_spawn(r, p, task, ev);
		break;
	case CABIN_EV_EXEC:
		on_exec_event(r, p, task, ev);
		break;
	case CABIN_EV_FAULT:
		on_fault(r, p, task, &ev->fault);
		break;
	default:
		proc_of(r, task);
		break;
	}
}

/* ------------------------------------------------------------------ JSON */

const char *cabin_report_result(const struct report_rec *rec)
{
	if (!rec->err)
		return "ok";
	if (rec->err == EINPROGRESS)
		return "in progress";
	if (rec->refused || rec->err == EACCES || rec->err == EPERM)
		return "denied";
	return "error";
}

static void json_errno(struct cabin_json *j, int err)
{
	if (err)
		cabin_json_str(j, "errno", cabin_errno_name(err));
}

static void json_syscall(struct cabin_json *j, long nr)
{
	char name[40];

	cabin_json_str(j, "syscall", cabin_syscall_name(nr, name,
							 sizeof(name)));
}

static void json_who(struct cabin_json *j, const struct report_rec *rec)
{
	cabin_json_int(j, "pid", rec->pid);
	cabin_json_str(j, "comm", rec->comm);
}

static void json_paths(struct cabin_json *j, const char *key,
		       const struct report_list *l, const char *kind_key)
{
	size_t i;

	cabin_json_array(j, key, true);
	for (i = 0; i < l->n; i++) {
		const struct report_rec *rec = &l->v[i];

		cabin_json_object(j, NULL, false);
		cabin_json_str(j, "path", rec->s1);
		if (kind_key)
			cabin_json_str(j, kind_key,
				       rec->v1 ? "directory" : "file");
		if (rec->v2)
			cabin_json_bool(j, "maybe_created", true);
		cabin_json_uint(j, "count", rec->count);
		cabin_json_int(j, "pid", rec->pid);
		cabin_json_end(j);
	}
	cabin_json_end(j);
}

static void json_file_errors(struct cabin_json *j, const char *key,
			     const struct report_list *l)
{
	size_t i;

	cabin_json_array(j, key, true);
	for (i = 0; i < l->n; i++) {
		cabin_json_object(j, NULL, false);
		cabin_json_str(j, "path", l->v[i].s1);
		json_syscall(j, l->v[i].nr);
		json_errno(j, l->v[i].err);
		cabin_json_uint(j, "count", l->v[i].count);
		cabin_json_int(j, "pid", l->v[i].pid);
		cabin_json_end(j);
	}
	cabin_json_end(j);
}

static void json_files(struct cabin_json *j, const struct cabin_report *r)
{
	char mode[16];
	size_t i;

	cabin_json_object(j, "files", true);
	json_paths(j, "read", &r->read, "type");
	json_paths(j, "written", &r->written, NULL);
	json_paths(j, "created", &r->created, "type");
	json_paths(j, "deleted", &r->deleted, "type");
	cabin_json_array(j, "renamed", true);
	for (i = 0; i < r->renamed.n; i++) {
		cabin_json_object(j, NULL, false);
		cabin_json_str(j, "from", r->renamed.v[i].s1);
		cabin_json_str(j, "to", r->renamed.v[i].s2);
		cabin_json_uint(j, "count", r->renamed.v[i].count);
		cabin_json_int(j, "pid", r->renamed.v[i].pid);
		cabin_json_end(j);
	}
	cabin_json_end(j);
	cabin_json_array(j, "chmod", true);
	for (i = 0; i < r->chmod.n; i++) {
		cabin_json_object(j, NULL, false);
		cabin_json_str(j, "path", r->chmod.v[i].s1);
		cabin_json_str(j, "mode", cabin_report_mode(r->chmod.v[i].v1,
							     mode,
							     sizeof(mode)));
		cabin_json_uint(j, "count", r->chmod.v[i].count);
		cabin_json_int(j, "pid", r->chmod.v[i].pid);
		cabin_json_end(j);
	}
	cabin_json_end(j);
	json_file_errors(j, "denied", &r->file_denied);
	json_file_errors(j, "failed", &r->file_failed);
	cabin_json_end(j);
}

static void json_exit(struct cabin_json *j, const struct report_proc *pr)
{
	if (pr->exited && WIFEXITED(pr->status))
		cabin_json_int(j, "exit_code", WEXITSTATUS(pr->status));
	else
		cabin_json_null(j, "exit_code");
	if (pr->exited && WIFSIGNALED(pr->status))
		cabin_json_str(j, "signal",
			       cabin_signal_name(WTERMSIG(pr->status)));
	else
		cabin_json_null(j, "signal");
}

static void json_process(struct cabin_json *j, const struct report_proc *pr)
{
	size_t i, a;

	cabin_json_object(j, NULL, false);
	cabin_json_int(j, "pid", pr->pid);
	cabin_json_int(j, "parent", pr->parent);
	cabin_json_str(j, "comm", pr->comm);
	cabin_json_bool(j, "sandbox", report_proc_sandbox(pr));
	cabin_json_array(j, "execs", false);
	for (i = 0; i < pr->nexecs; i++) {
		const struct report_exec *e = &pr->execs[i];

		cabin_json_object(j, NULL, false);
		cabin_json_str(j, "path", e->path);
		cabin_json_str(j, "exe", e->exe);
		if (e->argv) {
			cabin_json_array(j, "argv", false);
			for (a = 0; a < e->argc; a++)
				cabin_json_str(j, NULL, e->argv[a]);
			cabin_json_end(j);
		} else {
			cabin_json_null(j, "argv");
		}
		if (e->argv_truncated)
			cabin_json_bool(j, "argv_truncated", true);
		cabin_json_end(j);
	}
	cabin_json_end(j);
	cabin_json_uint(j, "threads", pr->threads);
	cabin_json_bool(j, "exited", pr->exited);
	json_exit(j, pr);
	cabin_json_end(j);
}

static void json_network(struct cabin_json *j, const struct report_list *l)
{
	char name[40];
	size_t i;

	cabin_json_array(j, "network", true);
	for (i = 0; i < l->n; i++) {
		const struct report_rec *rec = &l->v[i];

		cabin_json_object(j, NULL, false);
		cabin_json_str(j, "op", cabin_syscall_name(rec->nr, name,
							    sizeof(name)));
		cabin_json_str(j, "family", rec->s1);
		cabin_json_str(j, "address", rec->s2);
		if (rec->v1 >= 0)
			cabin_json_int(j, "port", rec->v1);
		else
			cabin_json_null(j, "port");
		if (rec->v2 >= 0)
			cabin_json_int(j, "fd", rec->v2);
		cabin_json_str(j, "result", cabin_report_result(rec));
		json_errno(j, rec->err);
		cabin_json_uint(j, "count", rec->count);
		json_who(j, rec);
		cabin_json_end(j);
	}
	cabin_json_end(j);
}

static void json_signals(struct cabin_json *j, const struct report_list *l)
{
	size_t i;

	cabin_json_array(j, "signals", true);
	for (i = 0; i < l->n; i++) {
		const struct report_rec *rec = &l->v[i];

		cabin_json_object(j, NULL, false);
		json_syscall(j, rec->nr);
		cabin_json_int(j, "target", rec->v1);
		if (rec->v3)
			cabin_json_int(j, "target_tgid", rec->v3);
		cabin_json_str(j, "signal", rec->v2 ?
			       cabin_signal_name((int)rec->v2) : "0");
		cabin_json_str(j, "result", cabin_report_result(rec));
		json_errno(j, rec->err);
		cabin_json_uint(j, "count", rec->count);
		json_who(j, rec);
		cabin_json_end(j);
	}
	cabin_json_end(j);
}

static void json_ptrace(struct cabin_json *j, const struct report_list *l)
{
	char buf[48];
	size_t i;

	cabin_json_array(j, "ptrace", true);
	for (i = 0; i < l->n; i++) {
		const struct report_rec *rec = &l->v[i];

		cabin_json_object(j, NULL, false);
		json_syscall(j, rec->nr);
		cabin_json_str(j, "request",
			       cabin_report_ptrace_request(rec->v1, buf, sizeof(buf)));
		cabin_json_int(j, "target", rec->v2);
		cabin_json_str(j, "result", cabin_report_result(rec));
		json_errno(j, rec->err);
		cabin_json_uint(j, "count", rec->count);
		json_who(j, rec);
		cabin_json_end(j);
	}
	cabin_json_end(j);
}

static void json_denied(struct cabin_json *j, const struct report_list *l)
{
	size_t i;

	cabin_json_array(j, "denied", true);
	for (i = 0; i < l->n; i++) {
		const struct report_rec *rec = &l->v[i];

		cabin_json_object(j, NULL, false);
		json_syscall(j, rec->nr);
		cabin_json_str(j, "detail", rec->s1);
		json_errno(j, rec->err);
		cabin_json_str(j, "by", rec->refused ? "cabin" : "kernel");
		cabin_json_uint(j, "count", rec->count);
		json_who(j, rec);
		cabin_json_end(j);
	}
	cabin_json_end(j);
}

static void json_hex(struct cabin_json *j, const char *key, uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%#" PRIx64, v);
	cabin_json_str(j, key, buf);
}

static void json_faults(struct cabin_json *j, const struct cabin_report *r)
{
	size_t i;

	cabin_json_array(j, "faults", true);
	for (i = 0; i < r->nfaults; i++) {
		const struct report_rec *rec = &r->faults[i];

		cabin_json_object(j, NULL, false);
		json_who(j, rec);
		cabin_json_str(j, "signal", cabin_signal_name((int)rec->v1));
		cabin_json_str(j, "code", cabin_si_code_name((int)rec->v1,
							      (int)rec->v2));
		json_hex(j, "addr", rec->u1);
		json_hex(j, "ip", rec->u2);
		cabin_json_str(j, "ip_mapping", rec->s1);
		cabin_json_str(j, "addr_mapping", rec->s2);
		cabin_json_end(j);
	}
	cabin_json_end(j);
}

static void json_memory(struct cabin_json *j, const struct report_list *l)
{
	char prot[4];
	size_t i;

	cabin_json_array(j, "memory", true);
	for (i = 0; i < l->n; i++) {
		const struct report_rec *rec = &l->v[i];

		cabin_json_object(j, NULL, false);
		json_syscall(j, rec->nr);
		cabin_json_str(j, "prot", cabin_report_prot(rec->v1, prot));
		json_hex(j, "addr", rec->u1);
		cabin_json_uint(j, "length", rec->u2);
		cabin_json_bool(j, "refused", rec->err != 0);
		json_errno(j, rec->err);
		cabin_json_uint(j, "count", rec->count);
		json_who(j, rec);
		cabin_json_end(j);
	}
	cabin_json_end(j);
}

static int by_calls(const void *a, const void *b)
{
	const struct report_sysc *x = *(const struct report_sysc *const *)a;
	const struct report_sysc *y = *(const struct report_sysc *const *)b;

	if (x->ns != y->ns)
		return x->ns < y->ns ? 1 : -1;
	if (x->calls != y->calls)
		return x->calls < y->calls ? 1 : -1;
	return x < y ? -1 : x > y;
}

size_t cabin_report_sorted_syscalls(const struct cabin_report *r,
				    const struct report_sysc **out)
{
	size_t n = 0, nr;

	for (nr = 0; nr < REPORT_NR_MAX; nr++) {
		if (r->sysc[nr].calls)
			out[n++] = &r->sysc[nr];
	}
	qsort(out, n, sizeof(*out), by_calls);
	return n;
}

static void json_syscalls(struct cabin_json *j, const struct cabin_report *r)
{
	const struct report_sysc *sorted[REPORT_NR_MAX];
	size_t i, n = cabin_report_sorted_syscalls(r, sorted);
	char name[40];

	cabin_json_array(j, "syscalls", true);
	for (i = 0; i < n; i++) {
		cabin_json_object(j, NULL, false);
		cabin_json_str(j, "name",
			       cabin_syscall_name(sorted[i] - r->sysc, name,
						  sizeof(name)));
		cabin_json_uint(j, "calls", sorted[i]->calls);
		cabin_json_uint(j, "errors", sorted[i]->errors);
		cabin_json_uint(j, "time_us", sorted[i]->ns / 1000);
		cabin_json_end(j);
	}
	cabin_json_end(j);
}

/* The command: as cabin was given it, else the main program's first argv. */
static void json_command(struct cabin_json *j, const struct cabin_report *r,
			 const struct cabin_proxy *p)
{
	const struct report_proc *main = map_get(&r->procmap, p->main_pid);
	size_t i;

	cabin_json_array(j, "command", false);
	if (r->opt.argv) {
		for (i = 0; r->opt.argv[i]; i++)
			cabin_json_str(j, NULL, r->opt.argv[i]);
	} else if (main && main->nexecs && main->execs[0].argv) {
		for (i = 0; i < main->execs[0].argc; i++)
			cabin_json_str(j, NULL, main->execs[0].argv[i]);
	}
	cabin_json_end(j);
}

static void json_started(struct cabin_json *j, const struct cabin_report *r)
{
	char buf[64];
	struct tm tm;

	if (!gmtime_r(&r->start_real.tv_sec, &tm) ||
	    !strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, sizeof(buf), "%lld",
			 (long long)r->start_real.tv_sec);
	cabin_json_str(j, "started", buf);
}

static int write_json(FILE *f, struct cabin_report *r, struct cabin_proxy *p,
		      int exit_code, bool timed_out)
{
	struct cabin_json j;
	size_t i;

	cabin_json_init(&j, f);
	cabin_json_object(&j, NULL, true);
	cabin_json_str(&j, "cabin_version", CABIN_VERSION);
	json_command(&j, r, p);
	json_started(&j, r);
	cabin_json_uint(&j, "duration_ms",
			(cabin_proxy_now_ns() - r->start_ns) / 1000000);
	cabin_json_int(&j, "exit_code", exit_code);
	cabin_json_bool(&j, "timed_out", timed_out);
	cabin_json_array(&j, "processes", true);
	for (i = 0; i < r->nprocs; i++)
		json_process(&j, r->procs[i]);
	cabin_json_end(&j);
	json_files(&j, r);
	json_network(&j, &r->network);
	json_signals(&j, &r->signals);
	json_ptrace(&j, &r->ptrace);
	json_denied(&j, &r->denied);
	json_faults(&j, r);
	json_memory(&j, &r->memory);
	json_syscalls(&j, r);
	cabin_json_uint(&j, "dropped_records", r->dropped);
	cabin_json_end(&j);
	return j.failed ? -EOVERFLOW : 0;
}

/*
 * Write the report next to its final name, then rename it there, so a
 * reader sees either no report or a whole one, never a torn one.
 */
static int write_atomically(struct cabin_report *r, struct cabin_proxy *p,
			    int exit_code, bool timed_out)
{
	char *tmp;
	FILE *f;
	int fd, err;

	if (asprintf(&tmp, "%s.tmp.%d", r->opt.path, (int)getpid()) < 0)
		return -ENOMEM;
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd < 0) {
		err = -errno;
		free(tmp);
		return err;
	}
	f = fdopen(fd, "w");
	if (!f) {
		err = -errno;
		close(fd);
		goto fail;
	}
	err = write_json(f, r, p, exit_code, timed_out);
	if (fflush(f) || ferror(f))
		err = -EIO;
	else if (!err && fsync(fd) < 0)
		err = -errno;
	if (fclose(f) && !err)
		err = -EIO;
	if (!err && rename(tmp, r->opt.path) < 0)
		err = -errno;
fail:
	if (err)
		unlink(tmp);
	free(tmp);
	return err;
}

int cabin_report_finish(struct cabin_report *r, struct cabin_proxy *p,
			int exit_code, bool timed_out)
{
	struct report_proc *main = proc_get(r, p->main_pid);
	int err = 0;

	/* The main process's status is known even if its exit was not seen. */
	if (main && !main->exited && p->main_exited) {
		main->exited = true;
		main->status = p->main_status;
	}
	if (r->opt.path)
		err = write_atomically(r, p, exit_code, timed_out);
	if (r->opt.summary)
		cabin_report_write_summary(r, r->opt.summary, p, exit_code,
					   timed_out);
	return err;
}

/* ------------------------------------------------------------- lifetime */

struct cabin_report *cabin_report_new(const struct cabin_report_options *o)
{
	struct cabin_report *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->scratch = malloc(REPORT_PATH_MAX + 1);
	if (!r->scratch) {
		free(r);
		return NULL;
	}
	r->opt = *o;
	if (!r->opt.fs)
		r->opt.fs = &proc_fs;
	r->observer = (struct cabin_observer){
		.ctx = r,
		.syscall_entry = on_entry,
		.syscall_result = on_result,
		.event = on_event,
	};
	r->start_ns = cabin_proxy_now_ns();
	clock_gettime(CLOCK_REALTIME, &r->start_real);
	return r;
}

const struct cabin_observer *cabin_report_observer(struct cabin_report *r)
{
	return &r->observer;
}

void cabin_report_free(struct cabin_report *r)
{
	size_t i, e;

	if (!r)
		return;
	for (i = 0; i < r->nprocs; i++) {
		for (e = 0; e < r->procs[i]->nexecs; e++)
			exec_free(&r->procs[i]->execs[e]);
		free(r->procs[i]->execs);
		free(r->procs[i]);
	}
	free(r->procs);
	for (i = 0; i < r->pending.cap; i++) {
		if (r->pending.key[i] && r->pending.val[i]) {
			call_clear(r->pending.val[i]);
			free(r->pending.val[i]);
		}
	}
	free(r->pending.key);
	free(r->pending.val);
	free(r->procmap.key);
	free(r->procmap.val);
	list_free(&r->read);
	list_free(&r->written);
	list_free(&r->created);
	list_free(&r->deleted);
	list_free(&r->renamed);
	list_free(&r->chmod);
	list_free(&r->file_denied);
	list_free(&r->file_failed);
	list_free(&r->network);
	list_free(&r->signals);
	list_free(&r->ptrace);
	list_free(&r->denied);
	list_free(&r->memory);
	for (i = 0; i < r->nfaults; i++)
		rec_free(&r->faults[i]);
	free(r->scratch);
	free(r);
}
