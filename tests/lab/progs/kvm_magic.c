/*
 * /proc's magic links must mean the program's objects, never the
 * monitor's, on the kvm platform (whose program shares the monitor's
 * process): /proc/self/exe is the program's file, /proc/self/fd/N for a
 * descriptor the program does not hold opens nothing, by any way of
 * naming it (thread-self, the pid, /dev/fd, a symlink, a directory
 * descriptor, ".."), and the program's own descriptors still reopen.
 *
 * Probes descriptors 3 to 31 and the 100 from RLIMIT_NOFILE up (on kvm,
 * the descriptor floor: the monitor's are there).
 * Usage: kvm_magic SCRATCH-DIR [paths low|high]
 * Prints "ESCAPED: ..." for each monitor object reached, "own: ..." for
 * each check of the program's own, "widen: ..." (opens natively as root;
 * refused on kvm, which never widens a descriptor's access), and "done N"
 * with N the escapes.
 *
 * With "paths low" or "paths high", instead, every other path call the
 * kvm forwarder performs (stat, truncate, readlink, access, chmod, chown,
 * utimes, xattrs, link, rename, mkdir, mknod, symlink, unlink, chdir,
 * statfs, inotify, and a unix socket's bind, connect and sendto) by the
 * same names: low, for descriptors 3 to 7 and
 * the monitor's binary's aliases; high, for the 8 from the limit up.  A
 * name that leads to an object the program holds itself ("own object:
 * NAME": the monitor's log is a copy of its stderr) is left out.
 * "REACHED: CALL NAME" for each call that got to the monitor's object:
 * it succeeded, or failed other than as a program that does not hold the
 * descriptor may see (ENOENT on Linux; EACCES, ELOOP or EBADF from
 * cabin's refusals).  Then "paths R of T", R the reaches of T calls.
 * Changes are made no-ops where they can be (the same size and mode, no
 * owner, the access time).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <linux/openat2.h>

/* Probed: the low descriptors, and 100 from the limit the program sees up. */
#define LOW_FDS		32
#define HIGH_FDS	100
/* The same for the path calls, each of which is tried by every name. */
#define PATH_LOW_FDS	8
#define PATH_HIGH_FDS	8
/* Where the probe's own sockets are: above the low ones, below the floor. */
#define SOCKET_FD	200

static int escapes;
static struct stat me;
/* Opened before the probes, so no probe names their descriptors. */
static int proc_dir = -1, dev_fd_dir = -1;

/* Read and write as bits; O_PATH neither. */
static int access_bits(int fl)
{
	if (fl & O_PATH)
		return 0;
	return ((fl & O_ACCMODE) != O_WRONLY) | ((fl & O_ACCMODE) != O_RDONLY) << 1;
}

/* a's file is held at a low descriptor other than fd, with want. */
static bool held_low(const struct stat *a, int fd, int want)
{
	struct stat b;
	int i, fl;

	for (i = 0; i < LOW_FDS; i++) {
		if (i == fd || (fl = fcntl(i, F_GETFL)) < 0 ||
		    fstat(i, &b) < 0)
			continue;
		if (a->st_dev == b.st_dev && a->st_ino == b.st_ino &&
		    (access_bits(fl) & want) == want)
			return true;
	}
	return false;
}

/*
 * fd is a file the program holds at a low descriptor, with no less
 * access (the program's stdin and stderr may be files cabin holds too).
 */
static bool program_holds(int fd)
{
	struct stat a;

	return fstat(fd, &a) == 0 &&
	       held_low(&a, fd, access_bits(fcntl(fd, F_GETFL)));
}

/* st's file is held by the program, with any access. */
static bool program_holds_stat(const struct stat *st)
{
	return held_low(st, -1, 0);
}

static void try_open(const char *what, int dfd, const char *path, int flags)
{
	int fd = openat(dfd, path, flags);
	struct stat st;

	if (fd < 0)
		return;
	if ((fstat(fd, &st) == 0 && st.st_dev == me.st_dev &&
	     st.st_ino == me.st_ino) || program_holds(fd)) {
		close(fd);
		return;	/* the program's own file: what Linux gives */
	}
	printf("ESCAPED: %s (%s) opened\n", what, path);
	escapes++;
	close(fd);
}

/* Every way of naming descriptor n, which the program does not hold. */
static void not_held(int n, const char *scratch)
{
	char path[256], link[256];
	int flags[] = { O_RDONLY, O_PATH, O_RDWR };
	unsigned int i;

	for (i = 0; i < sizeof(flags) / sizeof(*flags); i++) {
		int fl = flags[i];

		snprintf(path, sizeof(path), "/proc/self/fd/%d", n);
		try_open("fd by /proc/self", AT_FDCWD, path, fl);
		snprintf(path, sizeof(path), "/proc/thread-self/fd/%d", n);
		try_open("fd by /proc/thread-self", AT_FDCWD, path, fl);
		snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)getpid(), n);
		try_open("fd by /proc/PID", AT_FDCWD, path, fl);
		snprintf(path, sizeof(path), "/dev/fd/%d", n);
		try_open("fd by /dev/fd", AT_FDCWD, path, fl);
		snprintf(path, sizeof(path), "/proc/self/task/../fd/%d", n);
		try_open("fd by ..", AT_FDCWD, path, fl);
	}
	snprintf(link, sizeof(link), "%s/magic-link", scratch);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", n);
	unlink(link);
	if (symlink(path, link) == 0) {
		try_open("fd by a symlink", AT_FDCWD, link, O_RDONLY);
		unlink(link);
	}
	if (proc_dir >= 0) {
		snprintf(path, sizeof(path), "self/fd/%d", n);
		try_open("fd by a /proc dirfd", proc_dir, path, O_RDONLY);
	}
	if (dev_fd_dir >= 0) {
		snprintf(path, sizeof(path), "%d", n);
		try_open("fd by a /dev/fd dirfd", dev_fd_dir, path, O_RDONLY);
	}
	{
		struct open_how how = { .flags = O_RDONLY };

		snprintf(path, sizeof(path), "/proc/self/fd/%d", n);
		int fd = (int)syscall(SYS_openat2, AT_FDCWD, path, &how,
				      sizeof(how));
		if (fd >= 0) {
			printf("ESCAPED: fd by openat2 (%s) opened\n", path);
			escapes++;
			close(fd);
		}
	}
}

static void exe(void)
{
	const char *names[] = { "/proc/self/exe", "/proc/thread-self/exe",
				"/proc/self/task/../exe" };
	char pid_exe[64];
	unsigned int i;

	for (i = 0; i < sizeof(names) / sizeof(*names); i++)
		try_open("exe", AT_FDCWD, names[i], O_RDONLY);
	snprintf(pid_exe, sizeof(pid_exe), "/proc/%d/exe", (int)getpid());
	try_open("exe", AT_FDCWD, pid_exe, O_RDONLY);
	try_open("exe's directory", AT_FDCWD, "/proc/self/exe/..", O_RDONLY);
}

/* The program's own descriptors reopen, as on Linux. */
static void own(const char *scratch)
{
	char path[256], buf[8] = "";
	int p[2], fd;

	if (pipe(p) < 0 || write(p[1], "pipe", 4) != 4)
		return;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", p[0]);
	fd = open(path, O_RDONLY);
	printf("own: pipe reopened by /proc/self/fd: %s\n",
	       fd >= 0 && read(fd, buf, 4) == 4 && !memcmp(buf, "pipe", 4) ?
	       "reads" : strerror(errno));
	snprintf(path, sizeof(path), "/dev/fd/%d", p[0]);
	fd = open(path, O_RDONLY);
	printf("own: pipe reopened by /dev/fd: %s\n",
	       fd >= 0 ? "opens" : strerror(errno));
	snprintf(path, sizeof(path), "%s/own.txt", scratch);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd >= 0 && write(fd, "x", 1) == 1) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		printf("own: file reopened for writing: %s\n",
		       open(path, O_WRONLY | O_APPEND) >= 0 ? "opens" :
		       strerror(errno));
	}
}

/* A descriptor never widens: read-only stays read-only (its own errno). */
static void widen(const char *exe)
{
	char path[64];
	int fd = open(exe, O_RDONLY), again;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	again = open(path, O_RDWR);
	printf("widen: the program's file, held read-only, reopened read-write: %s\n",
	       again >= 0 ? "opens" : "refused");
}

/* Not the program's: probed by every name. */
static void probe(int from, int to, const char *scratch)
{
	int n;

	for (n = from; n < to; n++)
		if (fcntl(n, F_GETFD) < 0 && errno == EBADF)
			not_held(n, scratch);
}

/* --- Path calls ------------------------------------------------------- */

static int reaches, tried, cwd_fd = -1, inotify_fd = -1;
static const char *scratch;

/*
 * r, errno of a call on a name of no object the program holds: reached?
 * Not when it is refused as a missing file (ENOENT), a forbidden one
 * (EACCES), a magic link refused (ELOOP) or a descriptor the program
 * does not have (EBADF).
 */
static void count(const char *call, const char *name, long r)
{
	tried++;
	if (r < 0 && (errno == ENOENT || errno == EACCES || errno == ELOOP ||
		      errno == EBADF))
		return;
	printf("REACHED: %s %s (%s)\n", call, name,
	       r < 0 ? strerror(errno) : "succeeded");
	reaches++;
}

static void scratch_path(char *buf, size_t n, const char *leaf)
{
	snprintf(buf, n, "%s/%s", scratch, leaf);
}

/* A unix socket's address naming path: connect, sendto or bind. */
static void unix_call(const char *call, const char *path, long nr)
{
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	int low = socket(AF_UNIX, nr == SYS_sendto ? SOCK_DGRAM : SOCK_STREAM, 0);
	/* Away from the numbers probed, which must stay free. */
	int s = fcntl(low, F_DUPFD, SOCKET_FD);
	long r;

	close(low);
	if (s < 0 || strlen(path) >= sizeof(un.sun_path))
		exit(2);
	strcpy(un.sun_path, path);
	if (nr == SYS_sendto)
		r = syscall(nr, s, "x", 1, 0, &un, sizeof(un));
	else
		r = syscall(nr, s, &un, sizeof(un));
	count(call, path, r);
	if (r == 0 && nr == SYS_bind)
		unlink(path);
	close(s);
}

/* Calls that follow the name's last component. */
static void follow_calls(const char *name)
{
	char buf[512], linked[256];
	struct stat st;
	struct statx sx;
	struct statfs sfs;
	struct timespec ts[2] = { { 0, UTIME_NOW }, { 0, UTIME_OMIT } };
	bool known;
	long r;

	r = syscall(SYS_stat, name, &st);
	known = r == 0;
	count("stat", name, r);
	count("newfstatat", name, syscall(SYS_newfstatat, AT_FDCWD, name, &st, 0));
	count("statx", name, syscall(SYS_statx, AT_FDCWD, name, 0, STATX_BASIC_STATS, &sx));
	count("statfs", name, syscall(SYS_statfs, name, &sfs));
	count("access", name, syscall(SYS_access, name, F_OK));
	count("faccessat", name, syscall(SYS_faccessat, AT_FDCWD, name, F_OK));
	count("faccessat2", name, syscall(SYS_faccessat2, AT_FDCWD, name, F_OK, 0));
	/* No-ops where stat told the size and mode (it does when it reaches). */
	count("truncate", name, syscall(SYS_truncate, name, known ? st.st_size : 0));
	count("chmod", name, syscall(SYS_chmod, name, known ? st.st_mode & 07777 : 0600));
	count("fchmodat", name, syscall(SYS_fchmodat, AT_FDCWD, name, known ? st.st_mode & 07777 : 0600));
	count("chown", name, syscall(SYS_chown, name, -1, -1));
	count("fchownat", name, syscall(SYS_fchownat, AT_FDCWD, name, -1, -1, 0));
	count("utimensat", name, syscall(SYS_utimensat, AT_FDCWD, name, ts, 0));
	count("utimes", name, syscall(SYS_utimes, name, NULL));
	count("utime", name, syscall(SYS_utime, name, NULL));
	count("futimesat", name, syscall(SYS_futimesat, AT_FDCWD, name, NULL));
	/* A name no file has: ENODATA (or EOPNOTSUPP) says it got there. */
	count("getxattr", name, syscall(SYS_getxattr, name, "user.cabin-none", buf, sizeof(buf)));
	count("listxattr", name, syscall(SYS_listxattr, name, buf, sizeof(buf)));
	count("setxattr", name, syscall(SYS_setxattr, name, "user.cabin-none", "x", 1, XATTR_REPLACE));
	count("removexattr", name, syscall(SYS_removexattr, name, "user.cabin-none"));
	r = syscall(SYS_inotify_add_watch, inotify_fd, name, IN_ATTRIB);
	count("inotify_add_watch", name, r);
	if (r >= 0)
		inotify_rm_watch(inotify_fd, (int)r);
	r = syscall(SYS_chdir, name);
	count("chdir", name, r);
	if (r == 0 && fchdir(cwd_fd) < 0)
		exit(2);
	scratch_path(linked, sizeof(linked), "linked");
	r = syscall(SYS_linkat, AT_FDCWD, name, AT_FDCWD, linked, AT_SYMLINK_FOLLOW);
	count("linkat-follow", name, r);
	if (r == 0)
		unlink(linked);
	unix_call("connect", name, SYS_connect);
	unix_call("sendto", name, SYS_sendto);
}

/* Calls that take the name itself: on Linux it does not exist. */
static void name_calls(const char *name)
{
	char buf[512], other[256], moved[1024];
	struct stat st;
	struct statx sx;
	struct timespec ts[2] = { { 0, UTIME_NOW }, { 0, UTIME_OMIT } };
	long r;

	/* The link itself, as readlinkat(fd, "") and fstat would show it. */
	r = syscall(SYS_openat, AT_FDCWD, name, O_PATH | O_NOFOLLOW);
	count("open-path-nofollow", name, r);
	if (r >= 0)
		close((int)r);
	count("lstat", name, syscall(SYS_lstat, name, &st));
	count("newfstatat-nofollow", name, syscall(SYS_newfstatat, AT_FDCWD, name, &st, AT_SYMLINK_NOFOLLOW));
	count("statx-nofollow", name, syscall(SYS_statx, AT_FDCWD, name, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &sx));
	count("readlink", name, syscall(SYS_readlink, name, buf, sizeof(buf)));
	count("readlinkat", name, syscall(SYS_readlinkat, AT_FDCWD, name, buf, sizeof(buf)));
	count("faccessat2-nofollow", name, syscall(SYS_faccessat2, AT_FDCWD, name, F_OK, AT_SYMLINK_NOFOLLOW));
	count("lchown", name, syscall(SYS_lchown, name, -1, -1));
	count("fchownat-nofollow", name, syscall(SYS_fchownat, AT_FDCWD, name, -1, -1, AT_SYMLINK_NOFOLLOW));
	count("utimensat-nofollow", name, syscall(SYS_utimensat, AT_FDCWD, name, ts, AT_SYMLINK_NOFOLLOW));
	count("lgetxattr", name, syscall(SYS_lgetxattr, name, "user.cabin-none", buf, sizeof(buf)));
	count("llistxattr", name, syscall(SYS_llistxattr, name, buf, sizeof(buf)));
	count("lsetxattr", name, syscall(SYS_lsetxattr, name, "user.cabin-none", "x", 1, XATTR_REPLACE));
	count("lremovexattr", name, syscall(SYS_lremovexattr, name, "user.cabin-none"));
	r = syscall(SYS_inotify_add_watch, inotify_fd, name, IN_ATTRIB | IN_DONT_FOLLOW);
	count("inotify_add_watch-nofollow", name, r);
	if (r >= 0)
		inotify_rm_watch(inotify_fd, (int)r);
	scratch_path(other, sizeof(other), "other");
	r = syscall(SYS_link, name, other);
	count("link", name, r);
	if (r == 0)
		unlink(other);
	/* In its own directory: another would be EXDEV whether it exists or not. */
	snprintf(moved, sizeof(moved), "%s-moved", name);
	count("rename", name, syscall(SYS_rename, name, moved));
	count("renameat2", name, syscall(SYS_renameat2, AT_FDCWD, name, AT_FDCWD, moved, 0));
	count("mkdir", name, syscall(SYS_mkdir, name, 0700));
	count("mknod", name, syscall(SYS_mknod, name, S_IFIFO | 0600, 0));
	count("symlink", name, syscall(SYS_symlink, "target", name));
	count("rmdir", name, syscall(SYS_rmdir, name));
}

/* What would be made in the object's directory, if it were one. */
static void entry_calls(const char *name)
{
	char in[512], own[256];
	long r;

	snprintf(in, sizeof(in), "%s/cabin-made", name);
	scratch_path(own, sizeof(own), "own");
	r = syscall(SYS_mkdirat, AT_FDCWD, in, 0700);
	count("mkdirat-in", name, r);
	if (r == 0)
		rmdir(in);
	r = syscall(SYS_mknodat, AT_FDCWD, in, S_IFIFO | 0600, 0);
	count("mknodat-in", name, r);
	if (r == 0)
		unlink(in);
	r = syscall(SYS_symlinkat, "target", AT_FDCWD, in);
	count("symlinkat-in", name, r);
	if (r == 0)
		unlink(in);
	r = syscall(SYS_linkat, AT_FDCWD, own, AT_FDCWD, in, 0);
	count("linkat-in", name, r);
	if (r == 0)
		unlink(in);
	r = syscall(SYS_renameat, AT_FDCWD, own, AT_FDCWD, in);
	count("renameat-in", name, r);
	if (r == 0 && rename(in, own) < 0)
		exit(2);
	unix_call("bind-in", in, SYS_bind);
	count("unlinkat-in", name, syscall(SYS_unlinkat, AT_FDCWD, in, 0));
	count("stat-in", name, syscall(SYS_stat, in, &(struct stat){ 0 }));
}

/*
 * name leads to an object the program holds itself (the monitor's log is
 * a copy of its stderr): what it may do with its own is not probed here.
 */
static bool own_object(const char *name)
{
	struct stat st;

	return syscall(SYS_stat, name, &st) == 0 &&
	       ((st.st_dev == me.st_dev && st.st_ino == me.st_ino) ||
		program_holds_stat(&st));
}

/* Every name of descriptor n, which the program does not hold. */
static void path_probe_fd(int n)
{
	char names[6][128], link[256], target[64];
	int i;

	snprintf(names[0], 128, "/proc/self/fd/%d", n);
	snprintf(names[1], 128, "/proc/thread-self/fd/%d", n);
	snprintf(names[2], 128, "/proc/%d/fd/%d", (int)getpid(), n);
	snprintf(names[3], 128, "/dev/fd/%d", n);
	snprintf(names[4], 128, "/proc/self/task/../fd/%d", n);
	/* Through the program's own /proc directory descriptor. */
	snprintf(names[5], 128, "/proc/self/fd/%d/self/fd/%d", proc_dir, n);
	for (i = 0; i < 6; i++) {
		if (i == 5 && proc_dir < 0)
			continue;
		if (own_object(names[i])) {
			printf("own object: %s\n", names[i]);
			continue;
		}
		follow_calls(names[i]);
		name_calls(names[i]);
		entry_calls(names[i]);
	}
	/* The program's own symlink: followed, it must lead nowhere. */
	scratch_path(link, sizeof(link), "path-link");
	snprintf(target, sizeof(target), "/proc/self/fd/%d", n);
	unlink(link);
	if (symlink(target, link) == 0) {
		if (!own_object(link)) {
			follow_calls(link);
			entry_calls(link);
		}
		unlink(link);
	}
}

/* The monitor's binary by its aliases: only the program's file is seen. */
static void path_probe_exe(void)
{
	char names[6][128], buf[512];
	struct stat st;
	struct statx sx;
	int i, n = 0;
	bool mine;
	long r;

	snprintf(names[n++], 128, "/proc/self/exe");
	snprintf(names[n++], 128, "/proc/thread-self/exe");
	snprintf(names[n++], 128, "/proc/self/task/../exe");
	snprintf(names[n++], 128, "/proc/%d/task/%d/exe", (int)getpid(), (int)getpid());
	if (proc_dir >= 0)
		snprintf(names[n++], 128, "/proc/self/fd/%d/self/exe", proc_dir);
	scratch_path(names[n], 128, "exe-link");
	unlink(names[n]);
	if (symlink("/proc/self/exe", names[n]) == 0)
		n++;
	for (i = 0; i < n; i++) {
		const char *name = names[i];

		/* Reached: the monitor's file, not the program's. */
		r = syscall(SYS_stat, name, &st);
		mine = r == 0 && st.st_dev == me.st_dev && st.st_ino == me.st_ino;
		tried++;
		if (r == 0 && !mine) {
			printf("REACHED: stat %s (the monitor's binary)\n", name);
			reaches++;
		}
		r = syscall(SYS_statx, AT_FDCWD, name, 0, STATX_INO, &sx);
		tried++;
		if (r == 0 && sx.stx_ino != me.st_ino) {
			printf("REACHED: statx %s (the monitor's binary)\n", name);
			reaches++;
		}
		r = syscall(SYS_readlink, name, buf, sizeof(buf) - 1);
		tried++;
		if (r > 0) {
			buf[r] = '\0';
			if (i < n - 1 && (stat(buf, &st) < 0 ||
			    st.st_dev != me.st_dev || st.st_ino != me.st_ino)) {
				printf("REACHED: readlink %s (%s)\n", name, buf);
				reaches++;
			}
		}
		/*
		 * The size it has: a no-op on the program's file (which runs
		 * natively: ETXTBSY), and the monitor's binary, which runs, is
		 * busy (ETXTBSY).
		 */
		r = syscall(SYS_truncate, name, me.st_size);
		tried++;
		if (r < 0 && errno == ETXTBSY && !mine) {
			printf("REACHED: truncate %s (the monitor's binary)\n", name);
			reaches++;
		}
	}
	if (n && !strcmp(names[n - 1] + strlen(names[n - 1]) - 8, "exe-link"))
		unlink(names[n - 1]);
}

static void path_probe(int from, int to)
{
	int n;

	for (n = from; n < to; n++)
		if (fcntl(n, F_GETFD) < 0 && errno == EBADF)
			path_probe_fd(n);
}

/* which: "low" (the exe's aliases and the low descriptors) or "high". */
static void paths(int high, const char *which)
{
	char own[256];
	int fd;

	cwd_fd = open(".", O_PATH | O_DIRECTORY);
	inotify_fd = inotify_init1(IN_CLOEXEC);
	scratch_path(own, sizeof(own), "own");
	fd = open(own, O_WRONLY | O_CREAT, 0600);
	if (cwd_fd < 0 || inotify_fd < 0 || fd < 0) {
		printf("paths: cannot set up: %s\n", strerror(errno));
		exit(2);
	}
	close(fd);
	if (!strcmp(which, "low")) {
		path_probe_exe();
		path_probe(3, PATH_LOW_FDS);
	} else {
		path_probe(high, high + PATH_HIGH_FDS);
	}
	unlink(own);
	printf("paths %d of %d\n", reaches, tried);
}

int main(int argc, char **argv)
{
	struct rlimit rl;
	int high = 1000;
	bool path_calls = argc == 4 && !strcmp(argv[2], "paths") &&
			  (!strcmp(argv[3], "low") || !strcmp(argv[3], "high"));

	if ((argc != 2 && !path_calls) || stat("/proc/self/exe", &me) < 0) {
		fprintf(stderr, "usage: kvm_magic SCRATCH-DIR [paths low|high]\n");
		return 2;
	}
	/* Under kvm stat's path is the program's file: checked against argv[0]. */
	if (stat(argv[0], &me) < 0)
		return 2;
	setvbuf(stdout, NULL, _IOLBF, 0);
	proc_dir = open("/proc", O_PATH | O_DIRECTORY);
	dev_fd_dir = open("/dev/fd", O_PATH | O_DIRECTORY);
	/* On kvm the limit seen is the floor the monitor's descriptors start at. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 1u << 20)
		high = (int)rl.rlim_cur;
	if (path_calls) {
		scratch = argv[1];
		paths(high, argv[3]);
		return 0;
	}
	exe();
	probe(3, LOW_FDS, argv[1]);
	probe(high, high + HIGH_FDS, argv[1]);
	own(argv[1]);
	widen(argv[0]);
	printf("done %d\n", escapes);
	return 0;
}
