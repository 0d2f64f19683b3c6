/*
 * This process's descriptors through /proc/self/fd (util/procfs.h).
 */
#include <errno.h>
#include <linux/magic.h>
#include <stdio.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "util/procfs.h"

int cabin_util_fd_path(int fd, char *buf, size_t len)
{
	int n = snprintf(buf, len, "/proc/self/fd/%d", fd);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

ssize_t cabin_util_readlink(const char *path, char *buf, size_t len)
{
	ssize_t n;

	if (len == 0)
		return -EINVAL;
	n = readlink(path, buf, len - 1);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return n;
}

ssize_t cabin_util_fd_readlink(int fd, char *buf, size_t len)
{
	char link[CABIN_UTIL_FD_PATH_MAX];

	cabin_util_fd_path(fd, link, sizeof(link));
	return cabin_util_readlink(link, buf, len);
}

bool cabin_util_on_procfs(int fd)
{
	struct statfs sf;

	return fstatfs(fd, &sf) == 0 && sf.f_type == PROC_SUPER_MAGIC;
}

/* A mountinfo field, its \ooo escapes (space, tab, newline, \) undone. */
void cabin_util_mountinfo_unescape(char *s)
{
	char *out = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*out++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 +
					(s[3] - '0'));
			s += 3;
		} else {
			*out++ = *s;
		}
	}
	*out = '\0';
}
