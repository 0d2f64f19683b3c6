/*
 * Kernel settings written through files, and other users' terminals: the
 * mounts that keep them out of the program's reach (see kfiles.h).
 *
 * Read-only is a property of the mount, checked by the VFS at every open
 * for writing of a regular file (procfs, sysfs, cgroupfs and securityfs
 * files are regular), whatever the caller's uid; the program holds no
 * capability to remount, and a user namespace it creates finds these
 * mounts locked.  The lists follow runc's masked and read-only paths.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "sandbox/kfiles.h"
#include "util/procfs.h"

#define KF_RO_ATTRS	(MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | \
			 MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC)

/* Kernel settings: read-only, so that reading them keeps working. */
static const char *const proc_read_only[] = {
	"/proc/sys", "/proc/sysrq-trigger", "/proc/irq", "/proc/bus",
	"/proc/fs",
};

/* Kernel memory and internals nobody confined needs to read. */
static const char *const proc_masked[] = {
	"/proc/kcore", "/proc/keys", "/proc/key-users", "/proc/timer_list",
	"/proc/sched_debug", "/proc/latency_stats", "/proc/acpi",
	"/proc/asound", "/proc/scsi",
};

static const char *const sys_masked[] = {
	"/sys/firmware", "/sys/devices/virtual/powercap",
};

/* path and every mount below it read-only, nosuid, nodev, noexec. */
static int make_read_only(const char *path)
{
	struct mount_attr attr = { .attr_set = KF_RO_ATTRS };

	if (mount_setattr(AT_FDCWD, path, AT_RECURSIVE, &attr,
			  sizeof(attr)) < 0)
		return -errno;
	return 0;
}

/* A mount of its own over path (bound over itself), then read-only. */
static int bind_read_only(const char *path)
{
	if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0)
		return errno == ENOENT ? 0 : -errno;
	return make_read_only(path);
}

/*
 * What path was is no longer there: a directory becomes an empty
 * read-only tmpfs, a file /dev/null (bound, then read-only).
 */
static int mask(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (S_ISDIR(st.st_mode)) {
		if (mount("tmpfs", path, "tmpfs", MS_RDONLY | MS_NOSUID |
			  MS_NODEV | MS_NOEXEC, "size=0,mode=0555") < 0)
			return -errno;
		return 0;
	}
	if (mount("/dev/null", path, NULL, MS_BIND, NULL) < 0)
		return -errno;
	return make_read_only(path);
}

static int each(const char *const *paths, size_t n,
		int (*fn)(const char *))
{
	size_t i;
	int err;

	for (i = 0; i < n; i++) {
		err = fn(paths[i]);
		if (err < 0)
			return err;
	}
	return 0;
}

#define EACH(list, fn) each(list, sizeof(list) / sizeof(*list), fn)

int cabin_kfiles_protect_cgroups(void)
{
	char line[2 * PATH_MAX], mnt[PATH_MAX];
	FILE *f = fopen("/proc/self/mountinfo", "re");
	int err = 0;

	if (!f)
		return -errno;
	while (!err && fgets(line, sizeof(line), f)) {
		const char *sep = strstr(line, " - ");

		if (!sep || (strncmp(sep, " - cgroup2 ", 11) &&
			     strncmp(sep, " - cgroup ", 10)) ||
		    sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1)
			continue;
		cabin_util_mountinfo_unescape(mnt);
		err = make_read_only(mnt);
		/* Gone from under its name: no path reaches it. */
		if (err == -ENOENT)
			err = 0;
	}
	if (!err && ferror(f))
		err = -EIO;
	fclose(f);
	return err;
}

int cabin_kfiles_protect_proc(void)
{
	int err = EACH(proc_read_only, bind_read_only);

	return err < 0 ? err : EACH(proc_masked, mask);
}

bool cabin_kfiles_host_terminal(int fd, char *path, size_t len)
{
	struct stat st, named;
	struct statfs sf;

	if (fstatfs(fd, &sf) < 0 || sf.f_type != DEVPTS_SUPER_MAGIC ||
	    fstat(fd, &st) < 0 || !S_ISCHR(st.st_mode))
		return false;
	if (cabin_util_fd_readlink(fd, path, len) <= 0)
		return false;
	return !strncmp(path, "/dev/pts/", 9) && stat(path, &named) == 0 &&
	       named.st_dev == st.st_dev && named.st_ino == st.st_ino;
}

/* Before /dev/pts is replaced: the name there is the host's terminal. */
static int bind_terminal(int fd)
{
	char path[64];

	if (fd < 0)
		return 0;
	if (!cabin_kfiles_host_terminal(fd, path, sizeof(path)))
		return -ENOTTY;
	if (mount(path, "/dev/console", NULL, MS_BIND, NULL) < 0)
		return -errno;
	return 0;
}

/*
 * The program's own pseudo-terminals, and no other: a new devpts
 * instance, which /dev/ptmx opens (the kernel looks for "pts" next to
 * the ptmx node it was opened through).  The terminal the program was
 * given stays reachable through its descriptors and /dev/tty.
 */
static int private_pts(void)
{
	if (access("/dev/pts", F_OK) < 0)
		return 0;
	if (mount("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
		  "newinstance,ptmxmode=0666,mode=0620") == 0)
		return 0;
	/* Where devpts cannot be mounted: no terminals but its own stdio. */
	return mask("/dev/pts");
}

int cabin_kfiles_protect_sys_dev(int terminal_fd)
{
	int err = make_read_only("/sys");

	if (err == -ENOENT)
		err = 0;
	if (!err)
		err = EACH(sys_masked, mask);
	/* The userfaultfd the deny list refuses, from the device. */
	if (!err)
		err = mask("/dev/userfaultfd");
	if (!err)
		err = bind_terminal(terminal_fd);
	return err < 0 ? err : private_pts();
}
