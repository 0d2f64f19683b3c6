/*
 * What a /proc link names: shared by the process platform (procfs.c,
 * tracer.c) and the kvm monitor, so neither reaches into the other.
 */
#include <errno.h>
#include <stdio.h>

#include "core/names.h"
#include "platform/proclink.h"
#include "util/procfs.h"

int cabin_proclink_read(const char *path, char *buf, size_t len)
{
	ssize_t n = cabin_util_readlink(path, buf, len);

	if (n < 0)
		return (int)n;
	cabin_printable(buf);
	return 0;
}

int cabin_proclink_fd(pid_t tid, int fd, char *buf, size_t len)
{
	char path[64];

	if (fd < 0)
		return -EBADF;
	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)tid, fd);
	return cabin_proclink_read(path, buf, len);
}

int cabin_proclink_self_fd(int fd, char *buf, size_t len)
{
	char link[CABIN_UTIL_FD_PATH_MAX];

	if (fd < 0)
		return -EBADF;
	cabin_util_fd_path(fd, link, sizeof(link));
	return cabin_proclink_read(link, buf, len);
}
