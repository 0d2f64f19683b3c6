/*
 * Paths resolved in the confined program's view, capabilities lowered for
 * acts on its behalf, and the once-only denial record: what the network
 * and file guards share when they act for the program.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/fsuid.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/pathview.h"
#include "core/proxy.h"
#include "util/procfs.h"

#define PV_MAX_LINKS	40	/* the kernel's MAXSYMLINKS */

int cabin_pathview_task_dir(pid_t tid, const char *which)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)tid, which);
	fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* Where a relative path starts: the cwd, or the file behind dirfd. */
static int open_start(pid_t tid, int dirfd)
{
	char path[64];
	int fd;

	if (dirfd == AT_FDCWD)
		return cabin_pathview_task_dir(tid, "cwd");
	if (dirfd < 0)
		return -EBADF;
	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)tid, dirfd);
	fd = open(path, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -EBADF : -errno;
	return fd;
}

bool cabin_pathview_same(int a, int b)
{
	struct stat sa, sb;

	if (fstat(a, &sa) < 0 || fstat(b, &sb) < 0)
		return false;
	return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static bool is_dir(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && S_ISDIR(st.st_mode);
}

/*
 * procfs links mean something else to cabin than to the program: "self"
 * names cabin, and magic links jump to files by descriptor.
 */
static bool on_procfs(int fd)
{
	struct statfs sf;

	return fstatfs(fd, &sf) < 0 || sf.f_type == PROC_SUPER_MAGIC;
}

/*
 * One step of a walk: the component name in cur.  Returns the new
 * descriptor, or -errno; a symbolic link (unless nofollow) is not opened
 * but read into link, and *linked set.
 */
static int step(int root, int cur, const char *name, bool nofollow,
		char *link, size_t size, bool *linked)
{
	struct stat st;
	ssize_t n;
	int next;

	*linked = false;
	if (!strcmp(name, ".."))
		next = cabin_pathview_same(cur, root) ?
		       fcntl(cur, F_DUPFD_CLOEXEC, 0) :
		       openat(cur, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
	else
		next = openat(cur, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (next < 0)
		return -errno;
	if (nofollow || fstat(next, &st) < 0 || !S_ISLNK(st.st_mode))
		return next;
	n = on_procfs(next) ? -2 : readlinkat(next, "", link, size);
	close(next);
	if (n == -2)
		return -ELOOP;
	if (n < 0)
		return -errno;
	if (n == 0)
		return -ENOENT;
	if ((size_t)n >= size)
		return -ENAMETOOLONG;
	link[n] = '\0';
	*linked = true;
	return 0;
}

/* A walk in progress: cur is where it stands, up where cur was found. */
struct walk {
	int root;
	int cur;
	int up;
	int links;
	char pending[PATH_MAX];
	char link[PATH_MAX];
};

static void advance(struct walk *w, int next, bool dotdot)
{
	if (w->up >= 0)
		close(w->up);
	if (dotdot) {
		close(w->cur);
		w->up = -1;
	} else {
		w->up = w->cur;
	}
	w->cur = next;
}

/*
 * Splice a link's text in front of the rest of the path: a relative link
 * goes on from the directory it is in, an absolute one from the root.
 */
static int splice_link(struct walk *w, const char *rest)
{
	int fd;

	if (++w->links > PV_MAX_LINKS)
		return -ELOOP;
	if (strlen(w->link) + strlen(rest) >= sizeof(w->link))
		return -ENAMETOOLONG;
	strcat(w->link, rest);
	if (w->link[0] == '/') {
		fd = fcntl(w->root, F_DUPFD_CLOEXEC, 0);
		if (fd < 0)
			return -errno;
		close(w->cur);
		w->cur = fd;
		if (w->up >= 0)
			close(w->up);
		w->up = -1;
	}
	strcpy(w->pending, w->link);
	return 0;
}

/* One component after another, so that ".." stops at the root. */
static int walk_path(struct walk *w, unsigned int flags)
{
	const char *rest = w->pending;
	char name[NAME_MAX + 1];
	bool linked, last, slash = false;
	size_t n;
	int next;

	for (;;) {
		rest += strspn(rest, "/");
		if (!*rest)
			break;
		n = strcspn(rest, "/");
		if (n > NAME_MAX)
			return -ENAMETOOLONG;
		memcpy(name, rest, n);
		name[n] = '\0';
		rest += n;
		last = !rest[strspn(rest, "/")];
		slash = *rest == '/';
		if (!strcmp(name, ".")) {
			if (!is_dir(w->cur))
				return -ENOTDIR;
			continue;
		}
		next = step(w->root, w->cur, name,
			    last && !slash && (flags & CABIN_PATHVIEW_NOFOLLOW),
			    w->link, sizeof(w->link), &linked);
		if (next < 0)
			return next;
		if (!linked) {
			advance(w, next, !strcmp(name, ".."));
			continue;
		}
		next = splice_link(w, rest);
		if (next < 0)
			return next;
		rest = w->pending;
		slash = false;
	}
	/* "name/" must be a directory, as the kernel wants */
	return slash && !is_dir(w->cur) ? -ENOTDIR : 0;
}

int cabin_pathview_walk(int root, int start, const char *path,
			unsigned int flags, int *parent)
{
	struct walk *w;
	int ret;

	if (parent)
		*parent = -1;
	if (!path[0])
		return -ENOENT;
	if (strlen(path) >= PATH_MAX)
		return -ENAMETOOLONG;
	w = malloc(sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->root = root;
	w->up = -1;
	w->links = 0;
	strcpy(w->pending, path);
	w->cur = fcntl(path[0] == '/' ? root : start, F_DUPFD_CLOEXEC, 0);
	ret = w->cur < 0 ? -errno : walk_path(w, flags);
	if (ret < 0) {
		if (w->cur >= 0)
			close(w->cur);
		if (w->up >= 0)
			close(w->up);
	} else {
		ret = w->cur;
		if (parent)
			*parent = w->up;
		else if (w->up >= 0)
			close(w->up);
	}
	free(w);
	return ret;
}

int cabin_pathview_open(pid_t tid, int dirfd, const char *path,
			unsigned int flags, int *parent)
{
	struct cabin_caps caps;
	int root, start = -1, fd;

	if (parent)
		*parent = -1;
	if (!path[0])
		return -ENOENT;
	root = cabin_pathview_task_dir(tid, "root");
	if (root < 0)
		return root;
	if (path[0] != '/') {
		start = open_start(tid, dirfd);
		if (start < 0) {
			close(root);
			return start;
		}
	}
	fd = cabin_caps_lower(&caps);
	if (!fd) {
		fd = cabin_pathview_walk(root, start, path, flags, parent);
		cabin_caps_restore(&caps);
	}
	if (start >= 0)
		close(start);
	close(root);
	return fd;
}

int cabin_pathview_open_parent(pid_t tid, int dirfd, const char *path,
			       char *base, size_t len)
{
	const char *slash = strrchr(path, '/');
	const char *name = slash ? slash + 1 : path;
	char dir[PATH_MAX];
	size_t n;
	int fd;

	if (!*name)
		return -ENOENT;
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return -EEXIST;
	if (strlen(name) >= len || strlen(path) >= sizeof(dir))
		return -ENAMETOOLONG;
	strcpy(base, name);
	n = slash ? (size_t)(slash - path) : 0;
	if (!slash)
		strcpy(dir, ".");
	else if (!n)
		strcpy(dir, "/");
	else
		memcpy(dir, path, n);
	if (n)
		dir[n] = '\0';
	fd = cabin_pathview_open(tid, dirfd, dir, 0, NULL);
	if (fd >= 0 && !is_dir(fd)) {
		close(fd);
		return -ENOTDIR;
	}
	return fd;
}

int cabin_pathview_umask(pid_t tid)
{
	char path[64], line[128];
	unsigned int mask;
	int ret = -ENOENT;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (ret < 0 && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Umask: %o", &mask) == 1)
			ret = (int)(mask & 0777);
	}
	fclose(f);
	return ret;
}

static struct {
	bool on;
	uid_t uid;
	gid_t gid;
	uid_t ruid, euid;	/* cabin's own, to come back to */
	gid_t rgid, egid;
	gid_t *groups;
	int ngroups;
} act_as;

int cabin_caps_act_as(uid_t uid, gid_t gid)
{
	int n = getgroups(0, NULL);
	uid_t suid;
	gid_t sgid;

	if (n < 0 || getresuid(&act_as.ruid, &act_as.euid, &suid) < 0 ||
	    getresgid(&act_as.rgid, &act_as.egid, &sgid) < 0)
		return -errno;
	act_as.groups = calloc((size_t)n + 1, sizeof(gid_t));
	if (!act_as.groups)
		return -ENOMEM;
	act_as.ngroups = getgroups(n, act_as.groups);
	if (act_as.ngroups < 0 || setgroups(0, NULL) < 0) {
		free(act_as.groups);
		act_as.groups = NULL;
		return -errno;
	}
	act_as.on = true;
	act_as.uid = uid;
	act_as.gid = gid;
	return 0;
}

void cabin_caps_act_as_cabin(void)
{
	if (!act_as.on)
		return;
	if (setgroups((size_t)act_as.ngroups, act_as.groups) < 0)
		errno = 0;	/* cabin is ending its run; nothing to fail */
	free(act_as.groups);
	memset(&act_as, 0, sizeof(act_as));
}

void cabin_caps_acting_ids(uid_t *uid, gid_t *gid)
{
	*uid = act_as.on ? act_as.uid : geteuid();
	*gid = act_as.on ? act_as.gid : getegid();
}

int cabin_caps_set_fs_ids(uid_t uid, gid_t gid)
{
	/* setfsuid answers with the old id: ask again to know it took */
	setfsgid(gid);
	setfsuid(uid);
	if ((uid_t)setfsuid((uid_t)-1) != uid ||
	    (gid_t)setfsgid((gid_t)-1) != gid)
		return -EPERM;
	return 0;
}

/*
 * The program's ids for an act, never as cabin's real or saved ones: a
 * process of uid N may signal (kill(2) checks the target's real and
 * saved uid), setpriority (the target's real or effective) or ptrace
 * (all three) a process whose ids are N.  A file act takes them as the
 * file system ids only, which the kernel consults for file access and
 * a new file's owner and for nothing another process can use.  A
 * socket act a peer sees (connect, listen, send: SO_PEERCRED is the
 * effective ids, an explicit SCM_CREDENTIALS must name one of the
 * sender's) takes them as the effective ids, real and saved staying
 * root's.  A uid change out of 0 empties the effective set.
 */
static int take_program_ids(struct cabin_caps *s, bool peer)
{
	if (!peer) {
		if (cabin_caps_set_fs_ids(act_as.uid, act_as.gid) < 0) {
			if (cabin_caps_set_fs_ids(act_as.euid, act_as.egid) < 0)
				abort();	/* half the program's */
			return -EPERM;
		}
		s->as_program = true;
		return 0;
	}
	if (setresgid((gid_t)-1, act_as.gid, (gid_t)-1) < 0)
		return -EPERM;
	if (setresuid((uid_t)-1, act_as.uid, (uid_t)-1) < 0) {
		if (setresgid((gid_t)-1, act_as.egid, (gid_t)-1) < 0)
			abort();	/* half the program's: never act on */
		return -EPERM;
	}
	s->as_program = true;
	return 0;
}

/*
 * Back to cabin's ids (the effective ones bring the file system ones
 * back too); a cabin that cannot must not go on.
 */
static void give_back_ids(struct cabin_caps *s)
{
	if (!s->as_program)
		return;
	if (setresuid((uid_t)-1, act_as.euid, (uid_t)-1) < 0 ||
	    setresgid((gid_t)-1, act_as.egid, (gid_t)-1) < 0 ||
	    cabin_caps_set_fs_ids(act_as.euid, act_as.egid) < 0)
		abort();
	s->as_program = false;
}

static int caps_lower(struct cabin_caps *s, bool peer)
{
	struct __user_cap_data_struct low[_LINUX_CAPABILITY_U32S_3];

	s->lowered = false;
	s->as_program = false;
	s->hdr.version = _LINUX_CAPABILITY_VERSION_3;
	s->hdr.pid = 0;
	if (syscall(SYS_capget, &s->hdr, s->data) < 0)
		return -errno;
	if (!s->data[0].effective && !s->data[1].effective) {
		/* nested: an outer file act's ids are no peer's */
		if (peer && act_as.on && geteuid() != act_as.uid)
			return -EPERM;
		return 0;
	}
	if (act_as.on && take_program_ids(s, peer) < 0)
		return -EPERM;
	memcpy(low, s->data, sizeof(low));
	low[0].effective = 0;
	low[1].effective = 0;
	/* Acting with cabin's privileges would be an escape: fail closed. */
	if (syscall(SYS_capset, &s->hdr, low) < 0) {
		give_back_ids(s);
		return -EPERM;
	}
	s->lowered = true;
	return 0;
}

int cabin_caps_lower(struct cabin_caps *s)
{
	return caps_lower(s, false);
}

int cabin_caps_lower_as_peer(struct cabin_caps *s)
{
	return caps_lower(s, true);
}

void cabin_caps_restore(struct cabin_caps *s)
{
	/* Ids first: euid 0 again makes the permitted set effective. */
	give_back_ids(s);
	if (s->lowered)
		syscall(SYS_capset, &s->hdr, s->data);
	s->lowered = false;
}

void cabin_pathview_clean(char *path)
{
	char *out = path, *in = path;
	bool abs = path[0] == '/';

	while (*in) {
		while (*in == '/')
			in++;
		if (in[0] == '.' && (in[1] == '/' || !in[1])) {
			in++;
			continue;
		}
		if (!*in)
			break;
		if (out > path || abs)
			*out++ = '/';
		while (*in && *in != '/')
			*out++ = *in++;
	}
	if (out == path && abs)
		*out++ = '/';
	else if (out == path)
		*out++ = '.';
	*out = '\0';
}

int cabin_pathview_absolute(pid_t tid, int dirfd, const char *path,
			    char *buf, size_t len)
{
	char link[64], dir[PATH_MAX];
	ssize_t n;

	if (path[0] == '/' || (!path[0] && dirfd == AT_FDCWD)) {
		snprintf(buf, len, "%s", path);
		cabin_pathview_clean(buf);
		return 0;
	}
	if (dirfd == AT_FDCWD)
		snprintf(link, sizeof(link), "/proc/%d/cwd", (int)tid);
	else
		snprintf(link, sizeof(link), "/proc/%d/fd/%d", (int)tid, dirfd);
	n = cabin_util_readlink(link, dir, sizeof(dir));
	if (n < 0 || dir[0] != '/') {
		snprintf(buf, len, "%s", path);
		return n < 0 ? (int)n : -ENOENT;
	}
	if ((size_t)snprintf(buf, len, "%s/%s", dir, path) >= len) {
		snprintf(buf, len, "%s", path);
		return -ENAMETOOLONG;
	}
	cabin_pathview_clean(buf);
	return 0;
}
