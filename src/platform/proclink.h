/*
 * What a /proc link names, read for both platforms (the process
 * platform's tracees, the kvm monitor's own descriptors): bounded, and
 * sanitized for printing, since a program names its own files.
 */
#ifndef CABIN_PLATFORM_PROCLINK_H
#define CABIN_PLATFORM_PROCLINK_H

#include <stddef.h>
#include <sys/types.h>

/* The link at path, NUL-terminated in buf; 0 or -errno. */
int cabin_proclink_read(const char *path, char *buf, size_t len);
/* What descriptor fd of tid refers to; 0 or -errno (-EBADF for fd < 0). */
int cabin_proclink_fd(pid_t tid, int fd, char *buf, size_t len);
/* The same for this process's own descriptor fd (/proc/self/fd). */
int cabin_proclink_self_fd(int fd, char *buf, size_t len);

#endif
