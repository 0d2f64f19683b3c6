/*
 * Escape attempt: leave a setuid (or setgid, group-executable) program on
 * the host.  The program copies itself into the working directory and
 * tries to give the copy S_ISUID through every call that sets a mode:
 * the chmod family, the creating opens, mknod, openat2, an O_TMPFILE
 * linked in (those leave the file as created: a later write by anyone
 * but root clears the bit); then S_ISGID with S_IXGRP by chmod.  A setgid directory is
 * harmless and must keep working.  Run in a scratch directory.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define SUID	04755
#define SGID	02755

static char self[1 << 20];
static ssize_t self_len;
static char report[2048], planted_by[1024];

static void add(char *buf, size_t size, const char *name, const char *what)
{
	size_t n = strlen(buf);

	snprintf(buf + n, size - n, "%s%s %s", n ? ", " : "", name, what);
}

static void note(const char *name, int err)
{
	add(report, sizeof(report), name, err ? strerrorname_np(err) : "ok");
}

/* 0, or errno: the file's content is the program itself. */
static int fill(int fd)
{
	int err = write(fd, self, self_len) == self_len ? 0 : errno ? errno : EIO;

	close(fd);
	return err;
}

/* A plain copy, mode 0755, to chmod afterwards. */
static int copy(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0755);

	return fd < 0 ? -errno : fd;
}

/* Raises privileges at exec? */
static bool planted(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return false;
	return (st.st_mode & S_ISUID) ||
	       (st.st_mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP);
}

static int result(int ret)
{
	return ret < 0 ? errno : 0;
}

static int try(const char *name)
{
	int fd, err;

	if (!strcmp(name, "chmod") || !strcmp(name, "chmod-setgid")) {
		fd = copy(name);
		if (fd < 0 || (err = fill(fd)))
			return fd < 0 ? -fd : err;
		return result(chmod(name, name[5] ? SGID : SUID));
	}
	if (!strcmp(name, "fchmod")) {
		fd = copy(name);
		if (fd < 0)
			return -fd;
		/* written first: a write by a non-root caller clears S_ISUID */
		if (write(fd, self, self_len) != self_len) {
			err = errno;
			close(fd);
			return err;
		}
		err = result(fchmod(fd, SUID));
		close(fd);
		return err;
	}
	if (!strcmp(name, "fchmodat") || !strcmp(name, "fchmodat2")) {
		fd = copy(name);
		if (fd < 0 || (err = fill(fd)))
			return fd < 0 ? -fd : err;
		if (name[8])
			return result(syscall(452, AT_FDCWD, name, SUID, 0));
		return result(fchmodat(AT_FDCWD, name, SUID, 0));
	}
	if (!strcmp(name, "open"))
		fd = syscall(SYS_open, name, O_WRONLY | O_CREAT | O_EXCL, SUID);
	else if (!strcmp(name, "openat"))
		fd = openat(AT_FDCWD, name, O_WRONLY | O_CREAT | O_EXCL, SUID);
	else if (!strcmp(name, "creat"))
		fd = creat(name, SUID);
	else if (!strcmp(name, "openat2")) {
		struct open_how how = {
			.flags = O_WRONLY | O_CREAT | O_EXCL, .mode = SUID,
		};
		fd = syscall(SYS_openat2, AT_FDCWD, name, &how, sizeof(how));
	} else if (!strcmp(name, "tmpfile")) {
		char proc[64];

		fd = open(".", O_TMPFILE | O_WRONLY, SUID);
		if (fd < 0)
			return errno;
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
		if (linkat(AT_FDCWD, proc, AT_FDCWD, name, AT_SYMLINK_FOLLOW)) {
			err = errno;
			close(fd);
			return err;
		}
	} else if (!strcmp(name, "mknod") || !strcmp(name, "mknodat")) {
		return result(name[5] ? mknodat(AT_FDCWD, name, S_IFREG | SUID, 0)
				      : mknod(name, S_IFREG | SUID, 0));
	} else {
		return EINVAL;
	}
	/* the mode as created: a write by a non-root caller would clear it */
	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

int main(void)
{
	static const char *const calls[] = {
		"chmod", "fchmod", "fchmodat", "fchmodat2", "open", "openat",
		"creat", "openat2", "tmpfile", "mknod", "mknodat",
		"chmod-setgid",
	};
	struct stat st;
	size_t i;
	int fd, err;

	umask(0);
	fd = open("/proc/self/exe", O_RDONLY);
	self_len = fd < 0 ? -1 : read(fd, self, sizeof(self));
	if (self_len <= 0) {
		printf("ERROR cannot read /proc/self/exe: %s\n",
		       strerrorname_np(errno));
		return 1;
	}
	close(fd);
	for (i = 0; i < sizeof(calls) / sizeof(*calls); i++) {
		char mode[16];

		err = try(calls[i]);
		note(calls[i], err);
		if (planted(calls[i]) && !stat(calls[i], &st)) {
			snprintf(mode, sizeof(mode), "%04o",
				 (unsigned int)st.st_mode & 07777);
			add(planted_by, sizeof(planted_by), calls[i], mode);
		}
	}
	/* A setgid directory passes the group on, nothing more: allowed. */
	err = result(mkdir("dir", 0755));
	if (!err)
		err = result(chmod("dir", SGID));
	if (!err && (stat("dir", &st) || !(st.st_mode & S_ISGID)))
		err = ENOTSUP;
	note("setgid-dir", err);
	if (planted_by[0]) {
		printf("ESCAPED setuid/setgid files left by uid %d: %s (%s)\n",
		       (int)geteuid(), planted_by, report);
		return 0;
	}
	printf("CONTAINED no setuid file: %s\n", report);
	return 0;
}
