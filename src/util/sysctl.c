/*
 * /proc/sys settings as numbers (util/sysctl.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "util/sysctl.h"

/* One read, tried again when a signal interrupts it. */
static ssize_t read_once(int fd, char *buf, size_t len)
{
	ssize_t n;

	do {
		n = read(fd, buf, len);
	} while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : n;
}

int cabin_util_sysctl_int(const char *name, int *out)
{
	char path[128], buf[32];
	ssize_t n;
	int fd, i, val = 0;

	if (snprintf(path, sizeof(path), "/proc/sys/%s", name) >=
	    (int)sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read_once(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return (int)n;
	buf[n] = '\0';
	if (buf[0] < '0' || buf[0] > '9')
		return -EINVAL;
	for (i = 0; buf[i] >= '0' && buf[i] <= '9' && val < 100000; i++)
		val = val * 10 + (buf[i] - '0');
	*out = val;
	return 0;
}
