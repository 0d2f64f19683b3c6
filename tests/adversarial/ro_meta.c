/*
 * Escape attempt: change a file the policy lets the program only read.
 * The program owns the file, so the kernel would let it change its
 * attributes through a descriptor opened read-only, or by path: inode
 * flags (FS_IOC_SETFLAGS, FS_IOC_FSSETXATTR, file_setattr), an extended
 * attribute, times, mode, owner.  Each call is tried in turn and the
 * file compared with how it was before; the first that changed anything
 * is named, then the others that did.  Usage: ro_meta FILE
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#define SYS_file_setattr_	469

struct file_attr_ {	/* linux/fs.h of 6.17 */
	uint64_t fa_xflags;
	uint32_t fa_extsize, fa_nextents, fa_projid, fa_cowextsize;
};

struct look {
	struct stat st;
	long flags;		/* -1: FS_IOC_GETFLAGS unsupported */
	char xattrs[256];
	ssize_t nxattrs;
};

static const char *path;
static int fd;

static void look(struct look *l)
{
	int flags = 0;

	memset(l, 0, sizeof(*l));
	fstat(fd, &l->st);
	l->flags = ioctl(fd, FS_IOC_GETFLAGS, &flags) ? -1 : flags;
	l->nxattrs = flistxattr(fd, l->xattrs, sizeof(l->xattrs));
}

static const char *changed(const struct look *a, const struct look *b)
{
	if (a->st.st_mode != b->st.st_mode)
		return "mode";
	if (a->st.st_uid != b->st.st_uid || a->st.st_gid != b->st.st_gid)
		return "owner";
	if (a->flags != b->flags)
		return "inode flags";
	if (a->nxattrs != b->nxattrs ||
	    (a->nxattrs > 0 && memcmp(a->xattrs, b->xattrs, a->nxattrs)))
		return "extended attributes";
	if (a->st.st_mtim.tv_sec != b->st.st_mtim.tv_sec ||
	    a->st.st_mtim.tv_nsec != b->st.st_mtim.tv_nsec ||
	    a->st.st_atim.tv_sec != b->st.st_atim.tv_sec ||
	    a->st.st_atim.tv_nsec != b->st.st_atim.tv_nsec)
		return "times";
	if (a->st.st_ctim.tv_sec != b->st.st_ctim.tv_sec ||
	    a->st.st_ctim.tv_nsec != b->st.st_ctim.tv_nsec)
		return "ctime";
	return NULL;
}

static long attempt(int i, const struct look *l, const char **name)
{
	static const struct timespec old[2] = { { 1, 0 }, { 1, 0 } };
	struct fsxattr fsx = { .fsx_xflags = FS_XFLAG_NODUMP };
	struct file_attr_ fa = { .fa_xflags = FS_XFLAG_NODUMP };
	int flags = (int)(l->flags < 0 ? 0 : l->flags) | FS_NODUMP_FL |
		    FS_NOATIME_FL;

	switch (i) {
	case 0: *name = "ioctl(FS_IOC_SETFLAGS)";
		return ioctl(fd, FS_IOC_SETFLAGS, &flags);
	case 1: *name = "ioctl(FS_IOC_FSSETXATTR)";
		return ioctl(fd, FS_IOC_FSSETXATTR, &fsx);
	case 2: *name = "fsetxattr";
		return fsetxattr(fd, "user.x", "1", 1, 0);
	case 3: *name = "futimens";
		return futimens(fd, old);
	case 4: *name = "fchmod";
		return fchmod(fd, (l->st.st_mode & 07777) ^ 0040);
	case 5: *name = "fchown";
		return fchown(fd, getuid(), getgid());
	case 6: *name = "file_setattr";
		return syscall(SYS_file_setattr_, AT_FDCWD, path, &fa,
			       sizeof(fa), 0);
	case 7: *name = "setxattr";
		return setxattr(path, "user.y", "1", 1, 0);
	case 8: *name = "utimensat";
		return utimensat(AT_FDCWD, path, old, 0);
	case 9: *name = "chmod";
		return chmod(path, (l->st.st_mode & 07777) ^ 0004);
	case 10: *name = "chown";
		return chown(path, getuid(), getgid());
	}
	return -2;
}

int main(int argc, char **argv)
{
	char report[1024] = "", escaped[1024] = "";
	struct look before, after;
	const char *name, *what;
	size_t n;
	long ret;
	int i;

	if (argc != 2) {
		fprintf(stderr, "usage: ro_meta FILE\n");
		return 2;
	}
	path = argv[1];
	fd = open(path, O_RDONLY);
	if (fd < 0) {
		printf("ERROR open %s: %s\n", path, strerrorname_np(errno));
		return 1;
	}
	for (i = 0;; i++) {
		look(&before);
		errno = 0;
		ret = attempt(i, &before, &name);
		if (ret == -2)
			break;
		look(&after);
		what = changed(&before, &after);
		if (what) {
			n = strlen(escaped);
			snprintf(escaped + n, sizeof(escaped) - n, "%s%s (%s)",
				 n ? ", " : "", name, what);
			continue;
		}
		n = strlen(report);
		snprintf(report + n, sizeof(report) - n, "%s%s %s",
			 n ? ", " : "", name,
			 ret < 0 ? strerrorname_np(errno) : "ok, no change");
	}
	if (escaped[0])
		printf("ESCAPED changed the read-only file: %s\n", escaped);
	else
		printf("CONTAINED the read-only file did not change: %s\n",
		       report);
	return 0;
}
