/*
 * Escape attempt: use the descriptors cabin was started with.  A
 * descriptor was checked by the kernel when the caller opened it, in the
 * caller's world: outside the program's mount namespace and past its
 * file rules.
 *   inherited_fd rules:  fd 3 is a directory the rules do not grant,
 *     fd 4 a file they do not grant; its names are listed through fd 3
 *     (Landlock checks no open descriptor) and the file read through 4.
 *   inherited_fd kernel: fd 3 is the host's /; through it the host's
 *     /proc (not the program's, whose /proc/sys is read-only) opens
 *     /proc/sys/kernel/hostname for writing (nothing is written).
 * Contained: the descriptors are not there (EBADF).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static int listed_secret(int dir)
{
	char buf[4096];
	long n, off;

	n = syscall(SYS_getdents64, dir, buf, sizeof(buf));
	if (n < 0)
		return -errno;
	for (off = 0; off < n;) {
		struct dirent64 *d = (struct dirent64 *)(buf + off);

		if (!strcmp(d->d_name, "secret"))
			return 1;
		off += d->d_reclen;
	}
	return 0;
}

static int rules(void)
{
	char buf[64] = "";
	ssize_t n;
	int listed = listed_secret(3), e3 = -listed;

	n = read(4, buf, sizeof(buf) - 1);
	if (listed == 1 || n > 0) {
		printf("ESCAPED past the file rules: %s%s%s\n",
		       listed == 1 ? "listed 'secret' through fd 3" : "",
		       listed == 1 && n > 0 ? ", " : "",
		       n > 0 ? "read the file through fd 4" : "");
		return 0;
	}
	printf("CONTAINED fd 3: %s, fd 4: %s\n",
	       listed ? strerrorname_np(e3) : "listed, no secret",
	       n < 0 ? strerrorname_np(errno) : "empty");
	return 0;
}

static int kernel(void)
{
	int fd = openat(3, "proc/sys/kernel/hostname", O_WRONLY | O_CLOEXEC);

	if (fd >= 0) {
		printf("ESCAPED the host's /proc/sys/kernel/hostname is open for writing through fd 3 (nothing written)\n");
		return 0;
	}
	printf("CONTAINED fd 3: %s\n", strerrorname_np(errno));
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "kernel"))
		return kernel();
	return rules();
}
