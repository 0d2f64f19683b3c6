/*
 * This process's own descriptors as /proc shows them, for every layer:
 * the "/proc/self/fd/N" name that reopens or reaches a descriptor's
 * object, what that link names, and whether a descriptor is on procfs
 * (whose objects differ by who looks); and the one bounded readlink
 * under those.  Nothing here names another process's /proc: that is a
 * platform's business (platform/proclink.c reads it with the readlink
 * here).
 */
#ifndef CABIN_UTIL_PROCFS_H
#define CABIN_UTIL_PROCFS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Room for "/proc/self/fd/" and any int, with its NUL. */
#define CABIN_UTIL_FD_PATH_MAX 32

/* "/proc/self/fd/FD" into buf; 0, or -ENAMETOOLONG when len is short. */
int cabin_util_fd_path(int fd, char *buf, size_t len);
/*
 * What the link at path names, NUL-terminated, cut to len - 1 bytes;
 * its length, or -errno (-EINVAL when len is 0).
 */
ssize_t cabin_util_readlink(const char *path, char *buf, size_t len);
/* What descriptor fd of this process names (its /proc/self/fd link). */
ssize_t cabin_util_fd_readlink(int fd, char *buf, size_t len);
/* Is fd's object on a procfs? (false when fstatfs fails) */
bool cabin_util_on_procfs(int fd);

/*
 * A field of /proc/self/mountinfo (a mount point, a root) made a path:
 * its \ooo escapes (space, tab, newline, backslash) undone, in place.
 */
void cabin_util_mountinfo_unescape(char *s);

#endif
