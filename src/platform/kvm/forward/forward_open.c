/*
 * Opening a path for the program.  The program's process is the
 * monitor's, so the host resolves /proc's magic links (/proc/self/exe,
 * cwd, root, fd/N, map_files/..., the same under /proc/thread-self and
 * /proc/<pid>, and any symlink, dirfd or ".." leading there) for the
 * monitor: its binary, its descriptors (cabin's records and logs), its
 * own files.  So a path is first opened with RESOLVE_NO_MAGICLINKS; one
 * that needs a magic link is opened only when what it names is the
 * program's own object (forward_path.c: a descriptor it holds below the
 * floor, for at least the access it asks, as /proc/self/fd/N, /dev/stdin
 * and /dev/fd/N mean on Linux, never widened; or its own file for
 * /proc/self/exe), reopened through the monitor's copy of it.
 * Anything else through a magic link is refused: it would be the
 * monitor's.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "platform/kvm/forward/forward_impl.h"
#include "util/procfs.h"

/* The flags a resolution keeps: those that change where the path leads. */
#define RESOLVE_FLAGS	(O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC)
/* The kernel's VALID_OPEN_FLAGS: open(2) drops the others, openat2 refuses. */
#define LEGACY_FLAGS	(O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | \
			 O_APPEND | O_NONBLOCK | O_DSYNC | FASYNC | O_DIRECT | \
			 O_LARGEFILE | O_DIRECTORY | O_NOFOLLOW | O_NOATIME | \
			 O_CLOEXEC | O_PATH | __O_TMPFILE | O_SYNC)

/*
 * A path below a directory of the program's that a magic link names
 * (/proc/self/fd/3/file): opened from that directory, without magic
 * links; a magic link at the last step is not the program's (-EACCES).
 */
static long below_program_dir(const struct cabin_kvm_fwd *f, int dfd,
			      const char *path, const struct open_how *how)
{
	struct open_how from = *how;
	const char *name;
	long p = cabin_kvm_fwd_pin_parent(f, dfd, path, &name), r;

	if (p < 0)
		return p;
	from.resolve |= RESOLVE_NO_MAGICLINKS;
	r = cabin_kvm_fwd_openat2(f, (int)p, name, &from);
	close((int)p);
	return r == -ELOOP && !(how->flags & O_NOFOLLOW) ? -EACCES : r;
}

/*
 * A path that needs a magic link: the program's own object, reopened
 * through the monitor's copy of it, or what lies below its directory.
 */
static long through_magic_link(const struct cabin_kvm_fwd *f, int dfd,
			       const char *path, const struct open_how *how)
{
	struct open_how again = *how;
	char link[CABIN_UTIL_FD_PATH_MAX];
	long d, r;

	d = cabin_kvm_fwd_magic(f, dfd, path, !(how->flags & O_NOFOLLOW),
				cabin_kvm_fwd_access((unsigned int)how->flags),
				NULL);
	if (d == -EACCES)
		return below_program_dir(f, dfd, path, how);
	if (d < 0)
		return d;
	/* It exists: O_CREAT creates nothing, O_EXCL fails as on Linux. */
	if ((how->flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL)) {
		close((int)d);
		return -EEXIST;
	}
	/* The last component was checked: the link below is the monitor's. */
	again.flags &= ~(uint64_t)(O_CREAT | O_EXCL | O_NOFOLLOW);
	if (!(again.flags & __O_TMPFILE))
		again.mode = 0;
	again.resolve = 0;
	cabin_util_fd_path((int)d, link, sizeof(link));
	r = cabin_kvm_fwd_openat2(f, AT_FDCWD, link, &again);
	close((int)d);
	return r;
}

/* The program's open_how, which may be longer than ours if zero-filled. */
static long program_how(struct cabin_kvm_call *c, struct open_how *how)
{
	uint64_t size = c->guest[3], i;
	const unsigned char *p = (const unsigned char *)c->host[2];

	if (size < sizeof(*how))
		return -EINVAL;
	for (i = sizeof(*how); i < size; i++)
		if (p[i])
			return -E2BIG;
	memcpy(how, p, sizeof(*how));
	return 0;
}

long cabin_kvm_fwd_open(struct cabin_kvm_call *c)
{
	struct open_how how = { 0 };
	int dfd = AT_FDCWD, path = 0;
	long r;

	switch (c->nr) {
	case SYS_creat:
		how.flags = O_CREAT | O_WRONLY | O_TRUNC;
		how.mode = c->guest[1];
		break;
	case SYS_open:
		how.flags = (uint32_t)c->guest[1];
		how.mode = c->guest[2];
		break;
	case SYS_openat:
		dfd = (int)c->host[0];
		path = 1;
		how.flags = (uint32_t)c->guest[2];
		how.mode = c->guest[3];
		break;
	case SYS_openat2:
		dfd = (int)c->host[0];
		path = 1;
		r = program_how(c, &how);
		if (r)
			return r;
		break;
	default:
		return -ENOSYS;
	}
	/* What open and openat ignore, openat2 refuses: dropped as they do. */
	if (c->nr != SYS_openat2) {
		how.flags &= LEGACY_FLAGS;
		if (how.flags & O_PATH)
			how.flags &= O_PATH | RESOLVE_FLAGS;
		if (!(how.flags & (O_CREAT | __O_TMPFILE)))
			how.mode = 0;
		how.mode &= 07777;
	}
	r = cabin_kvm_fwd_open_path(c->f, dfd, (const char *)c->host[path],
				    &how, c->nr == SYS_openat2);
	return r < 0 ? r : cabin_kvm_fwd_new_fd(c->f, r);
}

/*
 * O_PATH | O_NOFOLLOW opens a magic link itself (RESOLVE_NO_MAGICLINKS
 * lets it), whose readlinkat(fd, "") and fstat would tell the monitor's
 * object: opened from its directory, pinned, and kept only when a /proc
 * link there names the program's object (else ENOENT, as on Linux for a
 * descriptor the program does not hold).
 */
static long link_itself(const struct cabin_kvm_fwd *f, int dfd,
			const char *path, const struct open_how *how)
{
	struct open_how at = *how;
	const char *name;
	struct stat st;
	long p = cabin_kvm_fwd_pin_parent(f, dfd, path, &name), r;
	int err;

	if (p < 0)
		return p;
	at.resolve |= RESOLVE_NO_MAGICLINKS;
	r = cabin_kvm_fwd_openat2(f, (int)p, name, &at);
	if (r >= 0 && fstat((int)r, &st) == 0 && S_ISLNK(st.st_mode)) {
		err = cabin_kvm_fwd_proc_link(f, (int)p, name);
		if (err) {
			close((int)r);
			r = err;
		}
	}
	close((int)p);
	return r;
}

long cabin_kvm_fwd_open_path(const struct cabin_kvm_fwd *f, int dfd,
			     const char *path, const struct open_how *how,
			     bool strict)
{
	struct open_how first = *how;
	long r;

	if ((how->flags & (O_PATH | O_NOFOLLOW)) == (O_PATH | O_NOFOLLOW) &&
	    path[0] && !(how->resolve & RESOLVE_NO_MAGICLINKS)) {
		r = link_itself(f, dfd, path, how);
		if (r != -ENOSYS)
			return r;
	}
	first.resolve |= RESOLVE_NO_MAGICLINKS;
	r = cabin_kvm_fwd_openat2(f, dfd, path, &first);
	/* A host without openat2 (before 5.6) has no magic-link check. */
	if (r == -ENOSYS && !strict) {
		long a[6] = { dfd, (long)path, (long)how->flags,
			      (long)how->mode, 0, 0 };

		r = cabin_kvm_fwd_host(f, SYS_openat, a);
	}
	if (r == -ELOOP && !(how->resolve & RESOLVE_NO_MAGICLINKS))
		r = through_magic_link(f, dfd, path, how);
	return r;
}
