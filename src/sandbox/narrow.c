/*
 * The mounts that take rights away (see narrow.h).  Read-only and
 * noexec are flags of a bind mount of the path over itself, set on it
 * and every mount below (AT_RECURSIVE), so that a rename, link or open
 * for writing anywhere beneath meets EROFS or EXDEV whatever the uid.
 * A hidden directory is an empty read-only tmpfs of mode 0; a hidden
 * file an empty mode-0 file from such a tmpfs, bound over it.  Mode 0
 * refuses its owner too, as the program holds no CAP_DAC_OVERRIDE, and
 * a read-only mount refuses the chmod that would open it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sandbox/narrow.h"

#define NARROW_MASK_FLAGS (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC)

static int setattr(const char *path, unsigned int flags, __u64 set,
		   __u64 clear)
{
	struct mount_attr attr = { .attr_set = set, .attr_clr = clear };

	if (!set && !clear)
		return 0;
	if (mount_setattr(AT_FDCWD, path, flags, &attr, sizeof(attr)) < 0)
		return -errno;
	return 0;
}

/*
 * A file has no empty tmpfs of its own: one is put over its directory
 * for a moment, a mode-0 file made there is bound over the file (named
 * through a descriptor taken before, under the staging mount), and the
 * staging mount goes again.  The bind keeps its tmpfs alive.
 */
static int hide_file(const char *path)
{
	char dir[PATH_MAX], target[64], staged[PATH_MAX + 16];
	char *slash;
	int fd, f, err = 0;

	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir))
		return -ENAMETOOLONG;
	slash = strrchr(dir, '/');
	if (!slash)
		return -EINVAL;
	if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	snprintf(target, sizeof(target), "/proc/self/fd/%d", fd);
	snprintf(staged, sizeof(staged), "%s/.cabin-hidden",
		 strcmp(dir, "/") ? dir : "");
	if (mount("tmpfs", dir, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  "mode=0700,size=4k,nr_inodes=4") < 0) {
		err = -errno;
		goto out;
	}
	f = open(staged, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0);
	if (f < 0 || mount(staged, target, NULL, MS_BIND, NULL) < 0)
		err = -errno;
	if (f >= 0)
		close(f);
	if (umount2(dir, MNT_DETACH) < 0 && !err)
		err = -errno;
	if (!err)
		err = setattr(path, 0, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
			      MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, 0);
out:
	close(fd);
	return err;
}

static int hide(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return hide_file(path);
	if (mount("tmpfs", path, "tmpfs", NARROW_MASK_FLAGS,
		  "mode=0000,size=4k,nr_inodes=1") < 0)
		return -errno;
	return 0;
}

static int narrow_one(const struct cabin_narrow *n)
{
	int err;

	if (n->hide)
		return hide(n->path);
	if (mount(n->path, n->path, NULL, MS_BIND | MS_REC, NULL) < 0)
		return -errno;
	/* What is taken away holds below too; what is given back, here. */
	err = setattr(n->path, AT_RECURSIVE, n->set, 0);
	return err ? err : setattr(n->path, 0, 0, n->clear);
}

int cabin_narrow_apply(const struct cabin_narrow *n, size_t count,
		       const char *cwd, int *failed)
{
	size_t i;
	int err;

	for (i = 0; i < count; i++) {
		err = narrow_one(&n[i]);
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
