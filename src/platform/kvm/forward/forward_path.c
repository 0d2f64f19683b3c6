/*
 * Where a program's path leads.  The program's process is the monitor's,
 * so the host resolves /proc's magic links (/proc/self/exe, cwd, root,
 * fd/N, map_files/..., the same under /proc/thread-self and /proc/<pid>,
 * and any symlink, dirfd or ".." leading there) for the monitor: its
 * binary, its descriptors (cabin's records and logs).  Every path the
 * forwarder passes on is therefore first resolved here, once, without
 * magic links (RESOLVE_NO_MAGICLINKS), to a descriptor of the monitor's
 * (above the floor, out of the program's reach), and the host's call is
 * given that descriptor's own link instead: "/proc/self/fd/D" for what
 * the call follows, "/proc/self/fd/P/NAME" for a last component it does
 * not (P its directory).  The call then acts on what was resolved, not on
 * a path the program may change meanwhile.  A path that needs a magic
 * link leads only to the program's own objects: what it holds below the
 * floor, for no more access than it holds it with, and its own file for
 * /proc/self/exe; anything else is EACCES (/proc/self/cwd too: by the
 * object alone, the monitor's descriptor for the same directory would
 * pass for it), and a magic link of /proc named as a last component
 * (readlink, lstat) whose object is not the program's (or its cwd or
 * root, by name only) does not exist (ENOENT), as a descriptor the
 * program does not hold does not on Linux.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stddef.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "platform/kvm/forward/forward_impl.h"
#include "util/procfs.h"

#define WANT_WRITE	2u

long cabin_kvm_fwd_openat2(const struct cabin_kvm_fwd *f, int dfd,
			   const char *path, const struct open_how *how)
{
	long a[6] = { dfd, (long)path, (long)how, sizeof(*how), 0, 0 };

	return cabin_kvm_fwd_host(f, SYS_openat2, a);
}

unsigned int cabin_kvm_fwd_access(unsigned int flags)
{
	unsigned int acc = flags & O_ACCMODE, bits = 0;

	if (flags & O_PATH)
		return 0;
	if (acc == O_RDONLY || acc == O_RDWR)
		bits |= 1;
	if (acc == O_WRONLY || acc == O_RDWR || (flags & O_TRUNC))
		bits |= WANT_WRITE;
	return bits;
}

static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* fd is st's file, open for at least want. */
static bool holds(int fd, const struct stat *st, unsigned int want)
{
	struct stat now;
	int fl = fcntl(fd, F_GETFL);

	return fl >= 0 && fstat(fd, &now) == 0 && same_file(&now, st) &&
	       (cabin_kvm_fwd_access((unsigned int)fl) & want) == want;
}

/* fd, if below the floor, copied above it when it is st's file. */
static long held_at(const struct cabin_kvm_fwd *f, int fd,
		    const struct stat *st, unsigned int want)
{
	int d;

	if (fd < 0 || fd >= f->fd_floor || !holds(fd, st, want))
		return -EACCES;
	d = fcntl(fd, F_DUPFD_CLOEXEC, f->fd_floor);
	if (d < 0)
		return -errno;
	/* The copy is checked again: the program may reuse the number. */
	if (holds(d, st, want))
		return d;
	close(d);
	return -EACCES;
}

/*
 * A descriptor the program holds for st, copied above the floor.  The
 * open ones are listed from /proc/self/fd rather than all numbers tried.
 */
static long held(const struct cabin_kvm_fwd *f, const struct stat *st,
		 unsigned int want)
{
	struct open_how how = { .flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC };
	char buf[4096] __attribute__((aligned(8)));
	long dir, n, r = -EACCES;

	dir = cabin_kvm_fwd_openat2(f, AT_FDCWD, "/proc/self/fd", &how);
	if (dir < 0)
		return dir;
	dir = cabin_kvm_move_fd((int)dir, f->fd_floor);
	if (dir < 0)
		return dir;
	while (r == -EACCES &&
	       (n = syscall(SYS_getdents64, (int)dir, buf, sizeof(buf))) > 0) {
		long off = 0;

		while (r == -EACCES && off < n) {
			struct dirent64 *e = (struct dirent64 *)(buf + off);
			char *end;
			long fd = strtol(e->d_name, &end, 10);

			off += e->d_reclen;
			if (*end || end == e->d_name || fd == dir)
				continue;
			r = held_at(f, (int)fd, st, want);
		}
	}
	close((int)dir);
	return r;
}

/* path resolved without any magic link, O_PATH, above the floor. */
static long pin_plain(const struct cabin_kvm_fwd *f, int dfd,
		      const char *path, uint64_t flags)
{
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC | flags,
		.resolve = RESOLVE_NO_MAGICLINKS,
	};
	long r = cabin_kvm_fwd_openat2(f, dfd, path, &how);

	return r < 0 ? r : cabin_kvm_move_fd((int)r, f->fd_floor);
}

/*
 * The monitor's binary, which the program's /proc/self/exe names: the
 * program's own file instead (by the monitor's name for it, so no magic
 * link on the way).
 */
static long own_exe(const struct cabin_kvm_fwd *f, const struct stat *st,
		    bool *exe)
{
	struct stat mine;

	if (!f->exe || !f->exe[0] || stat("/proc/self/exe", &mine) < 0 ||
	    !same_file(&mine, st))
		return -EACCES;
	if (exe)
		*exe = true;
	return pin_plain(f, AT_FDCWD, f->exe, 0);
}

long cabin_kvm_fwd_magic(const struct cabin_kvm_fwd *f, int dfd,
			 const char *path, bool follow, unsigned int want,
			 bool *exe)
{
	struct stat st;
	long a[6] = { dfd, (long)path, (long)&st,
		      follow ? 0 : AT_SYMLINK_NOFOLLOW, 0, 0 };
	long r = cabin_kvm_fwd_host(f, SYS_newfstatat, a);

	/* What lies past a magic link is the monitor's to know: no ENOTDIR. */
	if (r < 0)
		return r == -ELOOP ? r : -EACCES;
	if (!follow && S_ISLNK(st.st_mode))
		return -ELOOP;
	r = held(f, &st, want);
	return r == -EACCES ? own_exe(f, &st, exe) : r;
}

/*
 * path split at its last component: what is before it into dir (PATH_MAX,
 * "." added, so it names the directory), *name the rest, trailing
 * slashes kept.  false when there is no last component ("/", "").
 */
static bool split(const char *path, char *dir, const char **name)
{
	size_t end, last;

	for (end = strlen(path); end && path[end - 1] == '/'; end--)
		;
	for (last = end; last && path[last - 1] != '/'; last--)
		;
	if (!end)
		return false;
	memcpy(dir, path, last);
	strcpy(dir + last, ".");
	*name = path + last;
	return true;
}

/* How many directories up a magic link may be looked for. */
#define PARENT_DEPTH	4

static long pin_depth(const struct cabin_kvm_fwd *f, int dfd,
		      const char *path, uint64_t flags, unsigned int want,
		      int depth);

long cabin_kvm_fwd_pin_parent(const struct cabin_kvm_fwd *f, int dfd,
			      const char *path, const char **name)
{
	char dir[PATH_MAX];

	if (!split(path, dir, name))
		return -EACCES;
	return pin_depth(f, dfd, dir, O_DIRECTORY, 0, PARENT_DEPTH);
}

/*
 * path as a descriptor of the monitor's: without magic links, or the
 * program's object a magic link names, or what lies below a directory
 * of the program's that a magic link names (/proc/self/fd/3/file, 3 the
 * program's), resolved from there without magic links.
 */
static long pin_depth(const struct cabin_kvm_fwd *f, int dfd,
		      const char *path, uint64_t flags, unsigned int want,
		      int depth)
{
	long r = pin_plain(f, dfd, path, flags), p;
	char dir[PATH_MAX];
	const char *name;
	struct stat st;

	if (r != -ELOOP)
		return r;
	r = cabin_kvm_fwd_magic(f, dfd, path, true, want, NULL);
	if (r >= 0 && (flags & O_DIRECTORY) &&
	    (fstat((int)r, &st) < 0 || !S_ISDIR(st.st_mode))) {
		close((int)r);
		return -ENOTDIR;
	}
	if (r >= 0 || r == -ELOOP || !depth || !split(path, dir, &name))
		return r;
	p = pin_depth(f, dfd, dir, O_DIRECTORY, 0, depth - 1);
	if (p < 0)
		return p;
	r = pin_plain(f, (int)p, name, flags);
	close((int)p);
	/* A magic link at the last step: not the program's, as seen above. */
	return r == -ELOOP ? -EACCES : r;
}

static long pin(const struct cabin_kvm_fwd *f, int dfd, const char *path,
		uint64_t flags, unsigned int want)
{
	return pin_depth(f, dfd, path, flags, want, PARENT_DEPTH);
}

/*
 * The link dir/name leads to the cwd or the root, which are the
 * program's too (chdir is forwarded): its name (readlink) is the
 * program's to see, as getcwd is, but not what is inside by its way.
 */
static bool names_cwd_or_root(const struct cabin_kvm_fwd *f, int dir,
			      const char *name)
{
	struct stat st, mine;
	long a[6] = { dir, (long)name, (long)&st, 0, 0, 0 };

	if (cabin_kvm_fwd_host(f, SYS_newfstatat, a) < 0)
		return false;
	return (stat(".", &mine) == 0 && same_file(&mine, &st)) ||
	       (stat("/", &mine) == 0 && same_file(&mine, &st));
}

/*
 * NAME in directory dir, which the call does not follow: a magic link of
 * /proc there (fd/N, exe) exists for the program only if its object is
 * the program's; *exe when it is the monitor's binary.
 */
static int proc_entry(const struct cabin_kvm_fwd *f, int dir,
		      const char *name, size_t len, bool *exe)
{
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC,
		.resolve = RESOLVE_NO_MAGICLINKS,
	};
	char one[NAME_MAX + 1];
	long r;

	if (!cabin_util_on_procfs(dir) || len > NAME_MAX)
		return 0;
	memcpy(one, name, len);
	one[len] = '\0';
	r = cabin_kvm_fwd_openat2(f, dir, one, &how);
	if (r >= 0)
		close((int)r);
	if (r != -ELOOP)
		return 0;
	r = cabin_kvm_fwd_magic(f, dir, one, true, 0, exe);
	if (r >= 0) {
		close((int)r);
		return 0;
	}
	return names_cwd_or_root(f, dir, one) ? 0 : -ENOENT;
}

int cabin_kvm_fwd_proc_link(const struct cabin_kvm_fwd *f, int dir,
			    const char *name)
{
	return proc_entry(f, dir, name, strcspn(name, "/"), NULL);
}

/* How the call takes the last component, its flags looked at. */
static unsigned int last_kind(const struct cabin_kvm_call *c,
			      const struct cabin_kvm_arg *a)
{
	uint64_t flags = a->ref == CABIN_KVM_NOREF ? 0 : c->guest[a->ref];

	switch (a->path) {
	case CABIN_KVM_PATH_AT_NOFOLLOW:
		return flags & AT_SYMLINK_NOFOLLOW ? CABIN_KVM_PATH_NOFOLLOW :
						     CABIN_KVM_PATH_FOLLOW;
	case CABIN_KVM_PATH_AT_FOLLOW:
		return flags & AT_SYMLINK_FOLLOW ? CABIN_KVM_PATH_FOLLOW :
						   CABIN_KVM_PATH_NOFOLLOW;
	case CABIN_KVM_PATH_IN_NOFOLLOW:
		return flags & IN_DONT_FOLLOW ? CABIN_KVM_PATH_NOFOLLOW :
						CABIN_KVM_PATH_FOLLOW;
	}
	return a->path;
}

/* The pinned descriptor d with rest after it, into path (PATH_MAX). */
static int by_pin(char *path, long d, const char *rest)
{
	char link[CABIN_UTIL_FD_PATH_MAX], out[PATH_MAX];
	int n;

	cabin_util_fd_path((int)d, link, sizeof(link));
	n = snprintf(out, sizeof(out), "%s%s", link, rest);
	if (n < 0 || n >= (int)sizeof(out))
		return -ENAMETOOLONG;
	memcpy(path, out, (size_t)n + 1);
	return 0;
}

int cabin_kvm_fwd_resolve(const struct cabin_kvm_fwd *f, int dfd,
			  char *path, unsigned int kind, unsigned int want,
			  int *pinned, bool *exe)
{
	char name[PATH_MAX];
	const char *last;
	size_t len = strlen(path);
	bool slash = len && path[len - 1] == '/';
	int err = 0;
	long d;

	*pinned = -1;
	/* "": the descriptor itself (AT_EMPTY_PATH), which is the program's. */
	if (!path[0])
		return 0;
	/* A trailing slash makes the kernel follow the last component. */
	if (kind == CABIN_KVM_PATH_NOFOLLOW && slash)
		kind = CABIN_KVM_PATH_FOLLOW;
	if (strspn(path, "/") == len || kind == CABIN_KVM_PATH_FOLLOW) {
		d = pin(f, dfd, path, 0, want);
		if (d >= 0)
			err = by_pin(path, d, slash ? "/" : "");
	} else {
		d = cabin_kvm_fwd_pin_parent(f, dfd, path, &last);
		if (d >= 0)
			err = proc_entry(f, (int)d, last, strcspn(last, "/"),
					 exe);
		if (d >= 0 && !err) {
			snprintf(name, sizeof(name), "%s", last);
			err = by_pin(path, d, "/");
			if (!err && strlen(path) + strlen(name) >= PATH_MAX)
				err = -ENAMETOOLONG;
			if (!err)
				strcat(path, name);
		}
	}
	/* A host without openat2 (before 5.6) has no magic-link check. */
	if (d == -ENOSYS)
		return 0;
	if (d < 0)
		return (int)d;
	if (err) {
		close((int)d);
		return err;
	}
	*pinned = (int)d;
	return 0;
}

int cabin_kvm_fwd_path(struct cabin_kvm_call *c, int i,
		       const struct cabin_kvm_fwd_entry *e)
{
	const struct cabin_kvm_arg *a = &e->arg[i];
	unsigned int kind = last_kind(c, a);
	int dfd = AT_FDCWD, err, pinned;

	if (kind == CABIN_KVM_PATH_OWN || !c->host[i])
		return 0;
	if (i > 0 && e->arg[i - 1].kind == CABIN_KVM_ARG_DIRFD)
		dfd = (int)c->host[i - 1];
	err = cabin_kvm_fwd_resolve(c->f, dfd, (char *)c->host[i], kind,
				    a->flags & CABIN_KVM_ARG_WR ? WANT_WRITE : 0,
				    &pinned, &c->self_exe);
	if (pinned >= 0)
		c->pin[c->npin++] = pinned;
	return err;
}

int cabin_kvm_fwd_sun_path(const struct cabin_kvm_fwd *f,
			   struct sockaddr_storage *addr, socklen_t *len,
			   bool entry, int *pinned)
{
	struct sockaddr_un *un = (struct sockaddr_un *)addr;
	size_t head = offsetof(struct sockaddr_un, sun_path), n;
	char path[PATH_MAX];
	int err;

	*pinned = -1;
	/* Unnamed and abstract addresses name no file. */
	if (*len <= head || un->sun_family != AF_UNIX || !un->sun_path[0])
		return 0;
	n = *len - head < sizeof(un->sun_path) ? *len - head :
						 sizeof(un->sun_path);
	memcpy(path, un->sun_path, n);
	path[n] = '\0';
	err = cabin_kvm_fwd_resolve(f, AT_FDCWD, path, entry ?
				    CABIN_KVM_PATH_ENTRY : CABIN_KVM_PATH_FOLLOW,
				    0, pinned, NULL);
	if (err || *pinned < 0)
		return err;
	n = strlen(path);
	/* The descriptor's name is longer: a long name may no longer fit. */
	if (n >= sizeof(un->sun_path)) {
		close(*pinned);
		*pinned = -1;
		return -ENAMETOOLONG;
	}
	memcpy(un->sun_path, path, n + 1);
	*len = (socklen_t)(head + n + 1);
	return 0;
}
