/*
 * What a /proc link names: shared by the process platform (procfs.c,
 * tracer.c) and the kvm monitor, so neither reaches into the other.
 */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "core/names.h"
#include "platform/proclink.h"

int cabin_proclink_read(const char *path, char *buf, size_t len)
{
	ssize_t n = readlink(path, buf, len - 1);

	if (n < 0)
		return -errno;
	buf[n] = '\0';
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
