/*
 * The kernel's view of a call (kernview.h).  Everything here runs at an
 * exit stop: the thread that made the call is stopped, its descriptor
 * table still holds what the call returned, and its memory is read a
 * second time, bounded, copied once.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/umem.h"
#include "trace/kernview.h"
#include "util/procfs.h"

#define DELETED_SUFFIX " (deleted)"

bool cabin_kernview_opens(long nr)
{
	return nr == SYS_open || nr == SYS_openat || nr == SYS_openat2 ||
	       nr == SYS_creat;
}

char *cabin_kernview_read(struct cabin_proxy *p, pid_t tid, uint64_t addr)
{
	char *buf = malloc(CABIN_KERNVIEW_PATH_MAX + 1);
	bool cut;

	if (!buf)
		return NULL;
	if (!addr || cabin_umem_string(p, tid, addr, buf,
				       CABIN_KERNVIEW_PATH_MAX + 1, &cut) < 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* Is the string at addr now other than asked? */
static bool changed(struct cabin_proxy *p, pid_t tid, uint64_t addr,
		    const char *asked)
{
	char *now;
	bool differs;

	if (!asked || !addr)
		return false;
	now = cabin_kernview_read(p, tid, addr);
	if (!now)
		return false;	/* unmapped since: nothing to compare */
	differs = strcmp(now, asked) != 0;
	free(now);
	return differs;
}

/* The name the kernel gives the descriptor, and whether it has one. */
static void name_of(pid_t tid, long fd, struct cabin_kernview *kv,
		    struct stat *st)
{
	size_t sl = strlen(DELETED_SUFFIX);
	char link[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/%d/fd/%ld", (int)tid, fd);
	if (stat(link, st) < 0)
		return;
	n = cabin_util_readlink(link, kv->path, sizeof(kv->path));
	if (n < 0)
		return;
	kv->known = true;
	/* " (deleted)" is also a name a file can have: nlink decides. */
	if (S_ISREG(st->st_mode) && st->st_nlink == 0) {
		kv->deleted = true;
		if ((size_t)n >= sl && !strcmp(kv->path + n - sl,
					       DELETED_SUFFIX))
			kv->path[n - sl] = '\0';
	}
}

/*
 * The object path names for tid now, resolved as the kernel would for
 * it: absolute paths inside its root, relative ones from its cwd or
 * dirfd, never through a magic link (those mean cabin's, not its).
 * 0, or -errno when that cannot be told.
 */
static int object_of(pid_t tid, int dirfd, const char *path, bool nofollow,
		     struct stat *st)
{
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC | (nofollow ? O_NOFOLLOW : 0),
		.resolve = RESOLVE_NO_MAGICLINKS,
	};
	char base[64];
	int dir, fd, err = 0;

	if (path[0] == '/') {
		snprintf(base, sizeof(base), "/proc/%d/root", (int)tid);
		how.resolve |= RESOLVE_IN_ROOT;
	} else if (dirfd == AT_FDCWD) {
		snprintf(base, sizeof(base), "/proc/%d/cwd", (int)tid);
	} else {
		snprintf(base, sizeof(base), "/proc/%d/fd/%d", (int)tid, dirfd);
	}
	dir = open(base, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return -errno;
	fd = (int)syscall(SYS_openat2, dir, path[0] ? path : ".", &how,
			  sizeof(how));
	if (fd < 0 || fstat(fd, st) < 0)
		err = -errno;
	if (fd >= 0)
		close(fd);
	close(dir);
	return err;
}

static bool on_procfs(pid_t tid, long fd)
{
	char link[64];
	struct statfs sf;

	snprintf(link, sizeof(link), "/proc/%d/fd/%ld", (int)tid, fd);
	return statfs(link, &sf) == 0 && sf.f_type == PROC_SUPER_MAGIC;
}

/* The open flags, wherever the call keeps them. */
static uint64_t open_flags(struct cabin_proxy *p, pid_t tid, long nr,
			   const uint64_t args[6])
{
	uint64_t how;

	switch (nr) {
	case SYS_open:
		return args[1];
	case SYS_openat:
		return args[2];
	case SYS_openat2:
		if (cabin_umem_read(p, tid, args[2], &how, sizeof(how)) < 0)
			return 0;
		return how;
	default:
		return O_CREAT | O_WRONLY | O_TRUNC;
	}
}

void cabin_kernview_opened(struct cabin_proxy *p, pid_t tid, long nr,
			   const uint64_t args[6], long fd, const char *asked,
			   int path_arg, int dirfd_arg, struct cabin_kernview *kv)
{
	struct stat opened, named;
	uint64_t flags;

	memset(kv, 0, sizeof(*kv));
	if (fd < 0 || !cabin_kernview_opens(nr) || path_arg < 0)
		return;
	name_of(tid, fd, kv, &opened);
	if (!kv->known || !asked)
		return;
	if (changed(p, tid, args[path_arg], asked)) {
		kv->raced = true;
		return;
	}
	/* The kernel's own name for it is the path asked: nothing to look up. */
	if (asked[0] == '/' && !kv->deleted && !strcmp(kv->path, asked)) {
		kv->same = true;
		return;
	}
	flags = open_flags(p, tid, nr, args);
	/*
	 * An unnamed file (O_TMPFILE, unlinked since) has no path to name
	 * it; procfs objects differ by who looks (/proc/self).
	 */
	if ((flags & O_TMPFILE) == O_TMPFILE || kv->deleted ||
	    on_procfs(tid, fd))
		return;
	if (object_of(tid, dirfd_arg < 0 ? AT_FDCWD : (int)args[dirfd_arg],
		      asked, flags & O_NOFOLLOW, &named) < 0)
		return;
	kv->same = named.st_dev == opened.st_dev &&
		   named.st_ino == opened.st_ino;
	kv->raced = !kv->same;
}
