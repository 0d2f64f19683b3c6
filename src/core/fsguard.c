/*
 * File mediation: the metadata calls, performed by the proxy on the very
 * file it checked against the rules (fsguard_rules.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/audit.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/ioctl.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <utime.h>

#include "core/fsguard.h"
#include "core/names.h"
#include "core/pathview.h"
#include "core/umem.h"

/* Generic numbers, the same on every architecture cabin runs on. */
#ifndef SYS_fchmodat2
#define SYS_fchmodat2		452
#endif
#ifndef SYS_setxattrat
#define SYS_setxattrat		463
#endif
#ifndef SYS_removexattrat
#define SYS_removexattrat	466
#endif
#ifndef SYS_file_setattr
#define SYS_file_setattr	469
#endif

/*
 * The ioctls that change a file's attributes on any descriptor, read-only
 * ones included: the kernel asks only that the caller own the file.  The
 * 32-bit variants carry an int, as the others in fact do.
 */
#define FG_IOC32_SETFLAGS	_IOW('f', 2, int)
#define FG_IOC32_SETVERSION	_IOW('v', 2, int)
#define FG_IOC_ENABLE_VERITY	_IOW('f', 133, char[128])
#define FG_IOC_SET_POLICY	_IOR('f', 19, char[12])
#define FG_IOC_SUBVOL_SETFLAGS	_IOW(0x94, 26, uint64_t)	/* btrfs */

#if defined(__x86_64__)
#define FG_NATIVE_ARCH	AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define FG_NATIVE_ARCH	AUDIT_ARCH_AARCH64
#else
#define FG_NATIVE_ARCH	0
#endif

enum fg_kind {
	FG_CHMOD, FG_CHOWN, FG_UTIME, FG_SETXATTR, FG_REMOVEXATTR, FG_IOCTL,
};

/* Where the call names its file. */
enum fg_form {
	FG_PATH,	/* a path in arg 0, links followed */
	FG_LPATH,	/* a path in arg 0, the link itself */
	FG_FD,		/* a descriptor in arg 0 */
	FG_AT,		/* a directory descriptor in arg 0, a path in arg 1 */
};

enum fg_times { FG_T_NONE, FG_T_UTIMBUF, FG_T_TIMEVAL, FG_T_TIMESPEC };

struct fg_op {
	long nr;
	const char *name;
	enum fg_kind kind;
	enum fg_form form;
	enum fg_times times;
	int flags_arg;		/* the AT_* flags argument, -1 for none */
	unsigned int flags_ok;	/* the AT_* flags it accepts */
};

#define AT_BOTH	(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)

static const struct fg_op ops[] = {
#ifdef SYS_chmod
	{ SYS_chmod, "chmod", FG_CHMOD, FG_PATH, FG_T_NONE, -1, 0 },
#endif
	{ SYS_fchmod, "fchmod", FG_CHMOD, FG_FD, FG_T_NONE, -1, 0 },
	{ SYS_fchmodat, "fchmodat", FG_CHMOD, FG_AT, FG_T_NONE, -1, 0 },
	{ SYS_fchmodat2, "fchmodat2", FG_CHMOD, FG_AT, FG_T_NONE, 3, AT_BOTH },
#ifdef SYS_chown
	{ SYS_chown, "chown", FG_CHOWN, FG_PATH, FG_T_NONE, -1, 0 },
	{ SYS_lchown, "lchown", FG_CHOWN, FG_LPATH, FG_T_NONE, -1, 0 },
#endif
	{ SYS_fchown, "fchown", FG_CHOWN, FG_FD, FG_T_NONE, -1, 0 },
	{ SYS_fchownat, "fchownat", FG_CHOWN, FG_AT, FG_T_NONE, 4, AT_BOTH },
#ifdef SYS_utime
	{ SYS_utime, "utime", FG_UTIME, FG_PATH, FG_T_UTIMBUF, -1, 0 },
#endif
#ifdef SYS_utimes
	{ SYS_utimes, "utimes", FG_UTIME, FG_PATH, FG_T_TIMEVAL, -1, 0 },
#endif
#ifdef SYS_futimesat
	{ SYS_futimesat, "futimesat", FG_UTIME, FG_AT, FG_T_TIMEVAL, -1, 0 },
#endif
	{ SYS_utimensat, "utimensat", FG_UTIME, FG_AT, FG_T_TIMESPEC, 3,
	  AT_BOTH },
	{ SYS_setxattr, "setxattr", FG_SETXATTR, FG_PATH, FG_T_NONE, -1, 0 },
	{ SYS_lsetxattr, "lsetxattr", FG_SETXATTR, FG_LPATH, FG_T_NONE, -1,
	  0 },
	{ SYS_fsetxattr, "fsetxattr", FG_SETXATTR, FG_FD, FG_T_NONE, -1, 0 },
	{ SYS_removexattr, "removexattr", FG_REMOVEXATTR, FG_PATH, FG_T_NONE,
	  -1, 0 },
	{ SYS_lremovexattr, "lremovexattr", FG_REMOVEXATTR, FG_LPATH,
	  FG_T_NONE, -1, 0 },
	{ SYS_fremovexattr, "fremovexattr", FG_REMOVEXATTR, FG_FD, FG_T_NONE,
	  -1, 0 },
	{ SYS_ioctl, "ioctl", FG_IOCTL, FG_FD, FG_T_NONE, -1, 0 },
};

/* The attribute ioctls, and how many bytes each reads at its argument. */
static const struct fg_ioctl {
	unsigned int cmd;
	size_t size;		/* 0: by the version in its first byte */
} ioctls[] = {
	{ FS_IOC_SETFLAGS, sizeof(int) },
	{ FG_IOC32_SETFLAGS, sizeof(int) },
	{ FS_IOC_SETVERSION, sizeof(int) },
	{ FG_IOC32_SETVERSION, sizeof(int) },
	{ FS_IOC_FSSETXATTR, sizeof(struct fsxattr) },
	{ FG_IOC_SET_POLICY, 0 },
	{ FG_IOC_ENABLE_VERITY, 0 },
	{ FG_IOC_SUBVOL_SETFLAGS, sizeof(uint64_t) },
};

#define NIOCTLS (sizeof(ioctls) / sizeof(*ioctls))

#define NOPS (sizeof(ops) / sizeof(*ops))

/* Rule roots. */

/* The first exec: the program's view exists, and nothing of it ran. */
static void on_event(void *ctx, struct cabin_proxy *p,
		     struct cabin_task *task, const struct cabin_event *ev)
{
	(void)p;
	(void)task;
	if (ev->kind == CABIN_EV_EXEC)
		cabin_fsguard_resolve(ctx, ev->tid);
}

int cabin_fsguard_init(struct cabin_fsguard *g,
		       const struct cabin_fsguard_rule *rules, size_t n,
		       const char *home)
{
	size_t i;

	memset(g, 0, sizeof(*g));
	g->check_rules = true;
	g->setid = true;
	g->nodes = true;
	g->observer.ctx = g;
	g->observer.event = on_event;
	g->cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	g->paths = calloc(n ? n : 1, sizeof(*g->paths));
	g->rights = calloc(n ? n : 1, sizeof(*g->rights));
	g->home = home ? strdup(home) : NULL;
	if (g->cwd < 0 || !g->paths || !g->rights || (home && !g->home))
		goto fail;
	for (i = 0; i < n; i++) {
		g->paths[g->nrules] = strdup(rules[i].path);
		if (!g->paths[g->nrules])
			goto fail;
		g->rights[g->nrules++] = rules[i].rights;
	}
	return 0;
fail:
	cabin_fsguard_free(g);
	return -ENOMEM;
}

void cabin_fsguard_free(struct cabin_fsguard *g)
{
	size_t i;

	for (i = 0; g->paths && i < g->nrules; i++)
		free(g->paths[i]);
	free(g->paths);
	free(g->rights);
	free(g->home);
	free(g->roots);
	if (g->cwd >= 0)
		close(g->cwd);
	g->paths = NULL;
	g->rights = NULL;
	g->home = NULL;
	g->roots = NULL;
	g->nrules = g->nroots = 0;
	g->cwd = -1;
}

/* Routes. */

static const struct cabin_route fg_emulate = { .kind = CABIN_ROUTE_EMULATE };

int cabin_fsguard_routes(struct cabin_router *r)
{
	static const struct cabin_route nosys = {
		.kind = CABIN_ROUTE_DENY, .err = ENOSYS, .quiet = true,
	};
	struct cabin_cond cmd = {
		.arg = 1, .op = CABIN_CMP_MASKED_EQ, .mask = 0xffffffff,
	};
	size_t i;
	int err = 0;

	for (i = 0; !err && i < NOPS; i++) {
		if (ops[i].kind != FG_IOCTL)
			err = cabin_router_add_rule(r, (int)ops[i].nr,
						    fg_emulate, 0, NULL);
	}
	for (i = 0; !err && i < NIOCTLS; i++) {
		cmd.value = ioctls[i].cmd;
		err = cabin_router_add_rule(r, SYS_ioctl, fg_emulate, 1, &cmd);
	}
	if (!err)
		err = cabin_router_add_rule(r, SYS_setxattrat, nosys, 0, NULL);
	if (!err)
		err = cabin_router_add_rule(r, SYS_removexattrat, nosys, 0, NULL);
	if (!err)
		err = cabin_router_add_rule(r, SYS_file_setattr, nosys, 0, NULL);
	return err;
}

static const struct fg_op *find_op(long nr)
{
	size_t i;

	for (i = 0; i < NOPS; i++) {
		if (ops[i].nr == nr)
			return &ops[i];
	}
	return NULL;
}

bool cabin_fsguard_handles(long nr)
{
	return find_op(nr) != NULL;
}

/* The calls. */

/* One call being mediated, its arguments copied. */
struct fg_call {
	struct cabin_proxy *p;
	struct cabin_fsguard *g;
	struct cabin_task *task;
	const struct fg_op *op;
	const uint64_t *args;	/* from the first one after the file */
	unsigned int flags;	/* AT_* */
	bool by_fd;		/* the call acts on an open descriptor */
	struct timespec ts[2];
	struct timespec *tsp;	/* NULL: now */
	char name[XATTR_NAME_MAX + 1];
	void *value;
	size_t size;
	const char *why;	/* a refusal's reason, NULL: the usual */
};

/* What the call acts on. */
struct fg_target {
	int fd;
	int parent;		/* the directory it was found in, or -1 */
	bool dup;		/* fd is a duplicate of the program's own */
	char what[PATH_MAX + 16];	/* for the report */
};

static long deny(struct fg_call *c, const struct fg_target *t, int err,
		 const char *why)
{
	c->g->denied++;
	c->task->refused = true;
	if (!cabin_log_reported(&c->p->log, c->op->nr, c->task->comm))
		cabin_log_tell(&c->p->log, "denied %s of %s by pid %d (%s): %s",
			       c->op->name, t->what, (int)c->task->tid,
			       c->task->comm, why);
	return -err;
}

static int fetch_times(struct fg_call *c, uint64_t addr)
{
	pid_t tid = c->task->tid;
	struct timeval tv[2];
	struct utimbuf ub;
	int i, ret;

	if (!addr)
		return 0;
	c->tsp = c->ts;
	switch (c->op->times) {
	case FG_T_TIMESPEC:
		return cabin_umem_read(c->p, tid, addr, c->ts, sizeof(c->ts));
	case FG_T_TIMEVAL:
		ret = cabin_umem_read(c->p, tid, addr, tv, sizeof(tv));
		for (i = 0; !ret && i < 2; i++) {
			if (tv[i].tv_usec < 0 || tv[i].tv_usec >= 1000000)
				return -EINVAL;
			c->ts[i].tv_sec = tv[i].tv_sec;
			c->ts[i].tv_nsec = tv[i].tv_usec * 1000;
		}
		return ret;
	case FG_T_UTIMBUF:
		ret = cabin_umem_read(c->p, tid, addr, &ub, sizeof(ub));
		c->ts[0].tv_sec = ub.actime;
		c->ts[1].tv_sec = ub.modtime;
		c->ts[0].tv_nsec = c->ts[1].tv_nsec = 0;
		return ret;
	case FG_T_NONE:
		break;
	}
	return 0;
}

/* An xattr name and value, bounded as the kernel bounds them. */
static int fetch_xattr(struct fg_call *c)
{
	bool truncated;
	ssize_t n;

	n = cabin_umem_string(c->p, c->task->tid, c->args[0], c->name,
			      sizeof(c->name), &truncated);
	if (n < 0)
		return (int)n;
	if (!n || truncated)
		return -ERANGE;
	if (c->op->kind != FG_SETXATTR || !c->args[2])
		return 0;
	if (c->args[2] > XATTR_SIZE_MAX)
		return -E2BIG;
	c->size = (size_t)c->args[2];
	c->value = malloc(c->size);
	if (!c->value)
		return -ENOMEM;
	return cabin_umem_read(c->p, c->task->tid, c->args[1], c->value,
			       c->size);
}

static const struct fg_ioctl *find_ioctl(uint64_t cmd)
{
	size_t i;

	for (i = 0; i < NIOCTLS; i++) {
		if (ioctls[i].cmd == (unsigned int)cmd)
			return &ioctls[i];
	}
	return NULL;
}

/*
 * An attribute ioctl's argument, copied once; the call is then made on
 * the copy.  An encryption policy's size follows its version byte;
 * enabling fs-verity takes pointers into the program, so it is only
 * checked, never performed (see act_on_fd).
 */
static int fetch_ioctl(struct fg_call *c)
{
	const struct fg_ioctl *io = find_ioctl(c->args[0]);
	uint8_t version = 0;
	int ret;

	if (!io)
		return -ENOTTY;
	c->size = io->size;
	if (io->cmd == FG_IOC_SET_POLICY) {
		ret = cabin_umem_read(c->p, c->task->tid, c->args[1], &version,
				      1);
		if (ret < 0)
			return ret;
		c->size = version == 0 ? 12 : version == 2 ? 24 : 1;
	}
	if (!c->size)
		return 0;
	c->value = calloc(1, c->size < sizeof(long) ? sizeof(long) : c->size);
	if (!c->value)
		return -ENOMEM;
	return cabin_umem_read(c->p, c->task->tid, c->args[1], c->value,
			       c->size);
}

static int fetch_args(struct fg_call *c)
{
	switch (c->op->kind) {
	case FG_IOCTL:
		return fetch_ioctl(c);
	case FG_UTIME:
		return fetch_times(c, c->args[0]);
	case FG_SETXATTR:
	case FG_REMOVEXATTR:
		return fetch_xattr(c);
	case FG_CHMOD:
	case FG_CHOWN:
		break;
	}
	return 0;
}

/* The program's descriptor fd, or its cwd for AT_FDCWD. */
static int target_fd(struct fg_call *c, int fd, struct fg_target *t)
{
	const struct cabin_platform *plat = c->p->plat;

	snprintf(t->what, sizeof(t->what), "fd %d", fd);
	if (fd == AT_FDCWD) {
		snprintf(t->what, sizeof(t->what), "the working directory");
		t->fd = cabin_pathview_task_dir(c->task->tid, "cwd");
		return t->fd < 0 ? t->fd : 0;
	}
	if (fd < 0 || !plat->ops->dup_fd)
		return -EBADF;
	t->fd = plat->ops->dup_fd(plat->ctx, c->task->tid, fd);
	if (t->fd < 0)
		return -EBADF;
	t->dup = true;
	return 0;
}

/* "/proc/self/fd/N" or "/proc/thread-self/fd/N": N, else -1. */
static int proc_fd_number(const char *path)
{
	static const char *const prefixes[] = {
		"/proc/self/fd/", "/proc/thread-self/fd/",
	};
	const char *s = NULL;
	long n = 0;
	size_t i;

	for (i = 0; !s && i < 2; i++) {
		if (!strncmp(path, prefixes[i], strlen(prefixes[i])))
			s = path + strlen(prefixes[i]);
	}
	if (!s || !*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || n > INT_MAX / 10)
			return -1;
		n = n * 10 + (*s - '0');
	}
	return n <= INT_MAX ? (int)n : -1;
}

/* Is the program's /proc a procfs, where self names the program? */
static bool proc_is_procfs(struct fg_call *c)
{
	struct statfs sf;
	int fd = cabin_pathview_open(c->task->tid, AT_FDCWD, "/proc", 0, NULL);
	bool ret;

	if (fd < 0)
		return false;
	ret = fstatfs(fd, &sf) == 0 && sf.f_type == PROC_SUPER_MAGIC;
	close(fd);
	return ret;
}

static int target_path(struct fg_call *c, int dirfd, uint64_t addr,
		       struct fg_target *t)
{
	bool nofollow = c->op->form == FG_LPATH ||
			(c->flags & AT_SYMLINK_NOFOLLOW);
	char *path = malloc(PATH_MAX);
	bool truncated;
	ssize_t n;
	int fd;

	if (!path)
		return -ENOMEM;
	n = cabin_umem_string(c->p, c->task->tid, addr, path, PATH_MAX,
			      &truncated);
	if (n >= 0 && truncated)
		n = -ENAMETOOLONG;
	if (n < 0) {
		free(path);
		return (int)n;
	}
	fd = n ? proc_fd_number(path) : -1;
	if (!n && (c->flags & AT_EMPTY_PATH))
		n = target_fd(c, dirfd, t);
	else if (!n)
		n = -ENOENT;
	else if (fd >= 0 && !nofollow && proc_is_procfs(c))
		n = target_fd(c, fd, t);
	else {
		snprintf(t->what, sizeof(t->what), "%s", path);
		cabin_printable(t->what);
		t->fd = cabin_pathview_open(c->task->tid, dirfd, path,
					    nofollow ? CABIN_PATHVIEW_NOFOLLOW
						     : 0, &t->parent);
		n = t->fd < 0 ? t->fd : 0;
	}
	free(path);
	return (int)n;
}

static int resolve(struct fg_call *c, const struct cabin_syscall *sys,
		   struct fg_target *t)
{
	int dirfd = (int)sys->args[0];

	switch (c->op->form) {
	case FG_FD:
		c->by_fd = true;
		return target_fd(c, dirfd, t);
	case FG_PATH:
	case FG_LPATH:
		return target_path(c, AT_FDCWD, sys->args[0], t);
	case FG_AT:
		break;
	}
	/* utimensat and futimesat with no path act on dirfd itself */
	if (c->op->kind == FG_UTIME && !sys->args[1]) {
		if (c->flags)
			return -EINVAL;
		if (dirfd == AT_FDCWD)
			return -EFAULT;
		c->by_fd = true;
		return target_fd(c, dirfd, t);
	}
	return target_path(c, dirfd, sys->args[1], t);
}

static bool open_for_writing(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl >= 0 && !(fl & O_PATH) &&
	       ((fl & O_ACCMODE) == O_WRONLY || (fl & O_ACCMODE) == O_RDWR);
}

/*
 * The directory a descriptor's file is in, for the walk up: its path as
 * the kernel gives it, taken in the program's view, and only if the name
 * there still is this very file.
 */
static int parent_of(struct fg_call *c, int fd)
{
	char link[64], path[PATH_MAX], base[NAME_MAX + 1];
	struct stat st, there;
	ssize_t n;
	int dir;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof(path) - 1);
	if (n <= 0 || path[0] != '/' || fstat(fd, &st) < 0)
		return -1;
	path[n] = '\0';
	dir = cabin_pathview_open_parent(c->task->tid, AT_FDCWD, path, base,
					 sizeof(base));
	if (dir < 0)
		return -1;
	if (fstatat(dir, base, &there, AT_SYMLINK_NOFOLLOW) < 0 ||
	    !cabin_fsguard_same_file(&st, &there)) {
		close(dir);
		return -1;
	}
	return dir;
}

/*
 * A mode that raises privileges at exec: S_ISUID, or S_ISGID with
 * S_IXGRP on anything but a directory (where it only passes the group on
 * to new files).  Decided on the object the call will change.
 */
static bool setid_mode(struct fg_call *c, const struct fg_target *t)
{
	mode_t mode = (mode_t)(uint16_t)c->args[0];
	struct stat st;

	if (!c->g->setid || c->op->kind != FG_CHMOD)
		return false;
	if (mode & S_ISUID)
		return true;
	if ((mode & (S_ISGID | S_IXGRP)) != (S_ISGID | S_IXGRP))
		return false;
	return fstat(t->fd, &st) < 0 || !S_ISDIR(st.st_mode);
}

static bool special_file(mode_t mode)
{
	return S_ISCHR(mode) || S_ISBLK(mode) || S_ISFIFO(mode) ||
	       S_ISSOCK(mode);
}

/*
 * A special file's metadata: create on its directory or above (see
 * fsguard.h).  Without a known directory, nothing grants it.
 */
static int check_node(struct fg_call *c, struct fg_target *t)
{
	c->why = "a special file's metadata (write on it is for its data)";
	if (t->dup)
		t->parent = parent_of(c, t->fd);
	if (t->parent < 0)
		return 0;
	return cabin_fsguard_allows(c->g, c->task->tid, t->parent, -1,
				    CABIN_FSGUARD_CREATE);
}

/* 1 when the call may act on the target, 0 when not, or -errno. */
static int check(struct fg_call *c, struct fg_target *t)
{
	struct stat st;

	if (!c->g->check_rules)
		return 1;
	if (fstat(t->fd, &st) < 0)
		return -errno;
	if (c->g->nodes && special_file(st.st_mode))
		return check_node(c, t);
	if (t->dup && open_for_writing(t->fd))
		return 1;
	if (t->dup && !S_ISDIR(st.st_mode))
		t->parent = parent_of(c, t->fd);
	return cabin_fsguard_allows(c->g, c->task->tid, t->fd, t->parent,
				    CABIN_FSGUARD_WRITE);
}

static long act_on_fd(struct fg_call *c, int fd)
{
	const uint64_t *a = c->args;

	switch (c->op->kind) {
	case FG_CHMOD:
		return fchmod(fd, (mode_t)(uint16_t)a[0]);
	case FG_CHOWN:
		return fchown(fd, (uid_t)a[0], (gid_t)a[1]);
	case FG_UTIME:
		return futimens(fd, c->tsp);
	case FG_SETXATTR:
		return fsetxattr(fd, c->name, c->value, c->size, (int)a[3]);
	case FG_REMOVEXATTR:
		return fremovexattr(fd, c->name);
	case FG_IOCTL:
		if (!c->value) {
			errno = EOPNOTSUPP;
			return -1;
		}
		return ioctl(fd, (unsigned int)a[0], c->value);
	}
	return -1;
}

/* Through /proc/self/fd: exactly the inode resolved, link or not. */
static long act_on_path(struct fg_call *c, int fd)
{
	const uint64_t *a = c->args;
	char proc[32];

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	switch (c->op->kind) {
	case FG_CHMOD:
		return chmod(proc, (mode_t)(uint16_t)a[0]);
	case FG_CHOWN:
		return fchownat(fd, "", (uid_t)a[0], (gid_t)a[1],
				AT_EMPTY_PATH);
	case FG_UTIME:
		return utimensat(AT_FDCWD, proc, c->tsp, 0);
	case FG_SETXATTR:
		return setxattr(proc, c->name, c->value, c->size, (int)a[3]);
	case FG_REMOVEXATTR:
		return removexattr(proc, c->name);
	case FG_IOCTL:
		break;
	}
	return -1;
}

static long act(struct fg_call *c, const struct fg_target *t)
{
	struct cabin_caps caps;
	long ret = cabin_caps_lower(&caps);

	if (ret < 0)
		return ret;
	errno = 0;
	ret = c->by_fd ? act_on_fd(c, t->fd) : act_on_path(c, t->fd);
	if (ret < 0)
		ret = errno ? -errno : -EIO;
	cabin_caps_restore(&caps);
	return ret;
}

static long mediate(struct fg_call *c, const struct cabin_syscall *sys)
{
	struct fg_target t = { .fd = -1, .parent = -1 };
	long ret;

	ret = fetch_args(c);
	if (!ret)
		ret = resolve(c, sys, &t);
	if (!ret && setid_mode(c, &t))
		ret = deny(c, &t, EPERM, "a setuid or setgid mode");
	else if (!ret)
		ret = check(c, &t);
	if (ret == 0)
		ret = deny(c, &t, EACCES, c->why ? c->why :
			   "outside the policy's writable files");
	else if (ret > 0)
		ret = act(c, &t);
	if (t.fd >= 0)
		close(t.fd);
	if (t.parent >= 0)
		close(t.parent);
	return ret;
}

long cabin_fsguard_emulate(struct cabin_proxy *p, struct cabin_fsguard *g,
			   struct cabin_task *task,
			   const struct cabin_syscall *sys)
{
	struct fg_call *c;
	long ret;

	if (FG_NATIVE_ARCH && sys->arch && sys->arch != FG_NATIVE_ARCH)
		return -ENOSYS;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->p = p;
	c->g = g;
	c->task = task;
	c->op = find_op(sys->nr);
	ret = -ENOSYS;
	if (c->op) {
		c->args = &sys->args[c->op->form == FG_AT ? 2 : 1];
		if (c->op->flags_arg >= 0)
			c->flags = (unsigned int)sys->args[c->op->flags_arg];
		ret = c->flags & ~c->op->flags_ok ? -EINVAL : mediate(c, sys);
	}
	free(c->value);
	free(c);
	return ret;
}

static long fsguard_emulate(struct cabin_proxy *p, void *ctx,
			    struct cabin_task *task,
			    const struct cabin_syscall *sys)
{
	return cabin_fsguard_emulate(p, ctx, task, sys);
}

/* want: unused; the routes are the same for every policy. */
static int fsguard_routes(const void *want, struct cabin_router *r)
{
	(void)want;
	return cabin_fsguard_routes(r);
}

const struct cabin_guard cabin_fsguard_guard = {
	.name = "fsguard",
	.routes = fsguard_routes,
	.handles = cabin_fsguard_handles,
	.emulate = fsguard_emulate,
	.settle = cabin_fsguard_settle,
};
