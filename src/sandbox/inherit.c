/*
 * What the program may be given of cabin's own descriptor table.  A
 * descriptor is a capability the kernel checked when it was opened, in
 * the caller's world: outside the program's mount namespace, Landlock
 * domain and network rules.  One that names only its object, with the
 * access it was opened with, may be handed over when the user asks; one
 * that reaches beyond its object (a directory's names, an O_PATH
 * reopened with any access, another process, a namespace, a kernel
 * setting, an interface chosen later) may not.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "sandbox/inherit.h"
#include "util/procfs.h"

#ifndef PID_FS_MAGIC
#define PID_FS_MAGIC		0x50494446
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC	(1U << 2)
#endif

bool cabin_inherit_is_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

/* File systems whose files are kernel or host interfaces, not data. */
static const char *kernel_fs(long type)
{
	switch ((unsigned long)type) {
	case PROC_SUPER_MAGIC:
		return "a /proc file (another process's memory, descriptors or a kernel setting)";
	case SYSFS_MAGIC:
	case CGROUP_SUPER_MAGIC:
	case CGROUP2_SUPER_MAGIC:
	case DEBUGFS_MAGIC:
	case TRACEFS_MAGIC:
	case SECURITYFS_MAGIC:
	case BPF_FS_MAGIC:
	case EFIVARFS_MAGIC:
	case PSTOREFS_MAGIC:
	case BINFMTFS_MAGIC:
	case SELINUX_MAGIC:
	case SMACK_MAGIC:
	case USBDEVICE_SUPER_MAGIC:
		return "a kernel interface file (sysfs, cgroupfs, debugfs and the like)";
	case NSFS_MAGIC:
		return "a namespace (setns would leave the sandbox's)";
	case PID_FS_MAGIC:
		return "a pidfd (a process outside the sandbox)";
	case SECRETMEM_MAGIC:
		return "memfd_secret memory (cabin cannot read what the program puts there)";
	}
	return NULL;
}

/* Anonymous inodes that act on nothing but themselves. */
static const char *anon_refusal(int fd)
{
	static const char *const plain[] = {
		"anon_inode:[eventfd]", "anon_inode:[timerfd]",
		"anon_inode:[signalfd]", "anon_inode:[eventpoll]",
		"anon_inode:inotify",
	};
	char name[128];
	size_t i;

	if (cabin_util_fd_readlink(fd, name, sizeof(name)) < 0)
		return "a kernel object cabin cannot name (no /proc)";
	for (i = 0; i < sizeof(plain) / sizeof(*plain); i++) {
		if (!strcmp(name, plain[i]))
			return NULL;
	}
	return "a kernel object other than an eventfd, timerfd, signalfd, epoll or inotify descriptor (a pidfd, seccomp listener, userfaultfd, io_uring, bpf, perf or kvm object acts outside the program)";
}

static int sockopt(int fd, int opt)
{
	socklen_t len = sizeof(int);
	int v;

	if (getsockopt(fd, SOL_SOCKET, opt, &v, &len) < 0)
		return -1;
	return v;
}

/*
 * A unix socket reaches its peer (and what the network rules let the
 * guard connect).  A TCP socket that listens or is connected can reach
 * nothing else; an unconnected one, a datagram socket (connect again),
 * netlink (checked against its opener's capabilities) or a packet socket
 * reaches whatever it is pointed at, past --net.
 */
static const char *socket_refusal(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int domain = sockopt(fd, SO_DOMAIN), type = sockopt(fd, SO_TYPE);

	if (domain == AF_UNIX)
		return NULL;
	if ((domain == AF_INET || domain == AF_INET6) && type == SOCK_STREAM &&
	    (sockopt(fd, SO_ACCEPTCONN) == 1 ||
	     getpeername(fd, (struct sockaddr *)&ss, &len) == 0))
		return NULL;
	return "a socket other than a unix socket or a connected or listening TCP socket (it could reach addresses the network rules refuse, or carry its opener's privileges)";
}

/* Character devices that hold no state of the host's: ttys, mem's kin. */
static const char *chardev_refusal(int fd, const struct stat *st)
{
	unsigned int minor_nr = minor(st->st_rdev);

	if (isatty(fd))
		return NULL;
	if (major(st->st_rdev) == 1 &&
	    (minor_nr == 3 || minor_nr == 5 || minor_nr == 7 ||
	     minor_nr == 8 || minor_nr == 9))
		return NULL;	/* null, zero, full, random, urandom */
	return "a device other than a terminal or /dev/null, zero, full, random, urandom";
}

const char *cabin_inherit_refusal(int fd)
{
	struct statfs sf;
	struct stat st;
	const char *why;
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0)
		return "it is not open";
	if (fl & O_PATH)
		return "an O_PATH descriptor (it can be reopened with any access, or used as a directory)";
	if (fstat(fd, &st) < 0 || fstatfs(fd, &sf) < 0)
		return "it cannot be examined";
	if (S_ISDIR(st.st_mode))
		return "a directory (names relative to it reach the host's whole tree, outside the sandbox's mounts and file rules)";
	why = kernel_fs(sf.f_type);
	if (why)
		return why;
	switch (st.st_mode & S_IFMT) {
	case S_IFREG:
	case S_IFIFO:
		return NULL;
	case S_IFSOCK:
		return socket_refusal(fd);
	case S_IFCHR:
		return chardev_refusal(fd, &st);
	case S_IFBLK:
		return "a block device";
	}
	if ((unsigned long)sf.f_type == ANON_INODE_FS_MAGIC)
		return anon_refusal(fd);
	return "a kind of file cabin does not know";
}

static int cloexec_by_listing(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int fd, err = 0;

	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		fd = atoi(e->d_name);
		if (fd > 2 && fd != dirfd(d) &&
		    fcntl(fd, F_SETFD, FD_CLOEXEC) < 0 && errno != EBADF)
			err = -errno;
	}
	closedir(d);
	return err;
}

int cabin_inherit_seal(const int *keep, size_t nkeep)
{
	size_t i;
	int err = 0;

	if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		err = cloexec_by_listing();	/* before Linux 5.11 */
	for (i = 0; !err && i < nkeep; i++) {
		if (fcntl(keep[i], F_SETFD, 0) < 0)
			err = -errno;
	}
	return err;
}

void cabin_inherit_close_all_but(int keep)
{
	if (keep > 3)
		syscall(SYS_close_range, 3U, (unsigned int)keep - 1, 0U);
	syscall(SYS_close_range, (unsigned int)(keep < 3 ? 3 : keep + 1), ~0U,
		0U);
}
