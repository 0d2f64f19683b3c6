/*
 * The mounts that take rights away (see narrow.h).  Read-only and
 * noexec are flags of a bind mount of the path over itself, set on it
 * and every mount below (AT_RECURSIVE), so that a rename, link or open
 * for writing anywhere beneath meets EROFS or EXDEV whatever the uid.
 * A hidden directory is an empty read-only tmpfs of mode 0; a hidden
 * file an empty mode-0 file from such a tmpfs, bound over it.  Mode 0
 * refuses its owner too, as the program holds no CAP_DAC_OVERRIDE, and
 * a read-only mount refuses the chmod that would open it.
 *
 * Every place is opened once, symlinks refused, and checked to be the
 * object cabin resolved (its device and inode); the mounts name it
 * through that descriptor, never by its name again, so that a parent
 * renamed or a symlink swapped meanwhile covers nothing else.  Each
 * directory between / and a covered place is bound over itself first:
 * a mount point cannot be renamed in its namespace (EBUSY), so within
 * the run the covered object keeps its name.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sandbox/narrow.h"

#define NARROW_HIDE_ATTR (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | \
			  MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC)

/* /proc/self/fd/N: mount(2) reaches the very object fd holds. */
struct fd_name {
	char s[32];
};

static struct fd_name fd_name(int fd)
{
	struct fd_name n;

	snprintf(n.s, sizeof(n.s), "/proc/self/fd/%d", fd);
	return n;
}

/* name below dir (AT_FDCWD for an absolute name), no symlink followed. */
static int open_nofollow(int dir, const char *name)
{
	struct open_how how = {
		.flags = O_PATH | O_NOFOLLOW | O_CLOEXEC,
		.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	long fd = syscall(SYS_openat2, dir, name, &how, sizeof(how));

	/* A symlink where cabin saw none: the place changed since. */
	if (fd < 0)
		return errno == ELOOP ? -ESTALE : -errno;
	return (int)fd;
}

static int same_object(int fd, const struct cabin_narrow *n)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	return st.st_dev == n->dev && st.st_ino == n->ino ? 0 : -ESTALE;
}

static int setattr(int tree, unsigned int flags, __u64 set, __u64 clear)
{
	struct mount_attr attr = { .attr_set = set, .attr_clr = clear };

	if (!set && !clear)
		return 0;
	if (mount_setattr(tree, "", flags | AT_EMPTY_PATH, &attr,
			  sizeof(attr)) < 0)
		return -errno;
	return 0;
}

/*
 * A copy of what is mounted at fd (and below, if recursive), given
 * set (on all) and clear (on its top), mounted over fd's object.  The
 * flags are set while the copy is detached: no moment sees it open.
 */
static int bind_over(int fd, bool recursive, __u64 set, __u64 clear)
{
	int tree, err;

	tree = (int)open_tree(fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
			      AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0));
	if (tree < 0)
		return -errno;
	err = setattr(tree, AT_RECURSIVE, set, 0);
	if (!err)
		err = setattr(tree, 0, 0, clear);
	if (!err && move_mount(tree, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH |
			       MOVE_MOUNT_T_EMPTY_PATH) < 0)
		err = -errno;
	close(tree);
	return err;
}

/* An empty tmpfs, detached, as the mount API makes it; or -errno. */
static int new_tmpfs(const char *mode, const char *inodes, unsigned int attr)
{
	int fs, mnt = -1;

	fs = (int)syscall(SYS_fsopen, "tmpfs", FSOPEN_CLOEXEC);
	if (fs < 0)
		return -errno;
	if (syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, "mode", mode, 0) ||
	    syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, "size", "4k", 0) ||
	    syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, "nr_inodes",
		    inodes, 0) ||
	    syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0))
		mnt = -errno;
	else
		mnt = (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, attr);
	if (mnt == -1)
		mnt = -errno;
	close(fs);
	return mnt;
}

static int attach(int tree, int fd)
{
	if (move_mount(tree, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH |
		       MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return -errno;
	return 0;
}

/*
 * A file has no empty tmpfs of its own: one is put over its directory
 * for a moment (a detached mount cannot be copied), a mode-0 file made
 * there is bound over the file (held by its descriptor), and the
 * staging mount goes again.  The bind keeps its tmpfs alive.
 */
static int hide_file(int dir, int fd)
{
	int staging, f, tree, err;

	staging = new_tmpfs("0700", "4", MOUNT_ATTR_NOSUID |
			    MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
	if (staging < 0)
		return staging;
	f = openat(staging, ".cabin-hidden",
		   O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0);
	err = f < 0 ? -errno : attach(staging, dir);
	if (!err) {
		tree = (int)open_tree(f, "", OPEN_TREE_CLONE |
				      OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
		err = tree < 0 ? -errno : setattr(tree, 0, NARROW_HIDE_ATTR, 0);
		if (!err)
			err = attach(tree, fd);
		if (tree >= 0)
			close(tree);
		if (umount2(fd_name(staging).s, MNT_DETACH) < 0 && !err)
			err = -errno;
	}
	if (f >= 0)
		close(f);
	close(staging);
	return err;
}

static int hide(int dir, int fd)
{
	struct stat st;
	int mnt, err;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return hide_file(dir, fd);
	mnt = new_tmpfs("0000", "1", NARROW_HIDE_ATTR);
	if (mnt < 0)
		return mnt;
	err = attach(mnt, fd);
	close(mnt);
	return err;
}

/* The part of path from its start up to its end, as a name. */
static int prefix(char *buf, size_t len, const char *path, const char *end)
{
	size_t n = (size_t)(end - path);

	if (n >= len)
		return -ENAMETOOLONG;
	memcpy(buf, path, n);
	buf[n] = '\0';
	return 0;
}

/* dir is an earlier place, or a directory above one: already bound. */
static bool bound_before(const struct cabin_narrow *n, size_t i,
			 const char *dir)
{
	size_t k, len = strlen(dir);

	for (k = 0; k < i; k++) {
		if (!strncmp(n[k].path, dir, len) &&
		    (n[k].path[len] == '/' || n[k].path[len] == '\0'))
			return true;
	}
	return false;
}

/* Each directory between / and place i, bound over itself (see top). */
static int pin_parents(const struct cabin_narrow *n, size_t i)
{
	char dir[PATH_MAX];
	const char *p = n[i].path;
	int fd, err;

	for (p = strchr(p + 1, '/'); p; p = strchr(p + 1, '/')) {
		err = prefix(dir, sizeof(dir), n[i].path, p);
		if (err < 0)
			return err;
		if (bound_before(n, i, dir))
			continue;
		fd = open_nofollow(AT_FDCWD, dir);
		if (fd < 0)
			return fd;
		err = bind_over(fd, true, 0, 0);
		close(fd);
		if (err < 0)
			return err;
	}
	return 0;
}

static int narrow_one(const struct cabin_narrow *n, size_t i)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(n[i].path, '/');
	int d, fd, err;

	err = pin_parents(n, i);
	if (!err && slash)
		err = prefix(dir, sizeof(dir), n[i].path,
			     slash == n[i].path ? slash + 1 : slash);
	if (err < 0)
		return err;
	if (!slash || !slash[1])
		return -EINVAL;		/* never "/": nothing can be over it */
	d = open_nofollow(AT_FDCWD, dir);
	if (d < 0)
		return d;
	fd = open_nofollow(d, slash + 1);
	err = fd < 0 ? fd : same_object(fd, &n[i]);
	if (!err && n[i].hide)
		err = hide(d, fd);
	/* What is taken away holds below too; what is given back, here. */
	else if (!err)
		err = bind_over(fd, true, n[i].set, n[i].clear);
	if (fd >= 0)
		close(fd);
	close(d);
	return err;
}

int cabin_narrow_apply(const struct cabin_narrow *n, size_t count,
		       const char *cwd, int *failed)
{
	size_t i;
	int err;

	for (i = 0; i < count; i++) {
		err = narrow_one(n, i);
		if (err < 0) {
			*failed = (int)i;
			return err;
		}
	}
	if (count && cwd && chdir(cwd) < 0) {
		*failed = (int)count;
		return -errno;
	}
	return 0;
}
