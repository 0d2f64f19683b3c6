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
 * Usage: kvm_magic SCRATCH-DIR
 * Prints "ESCAPED: ..." for each monitor object reached, "own: ..." for
 * each check of the program's own, "widen: ..." (opens natively as root;
 * refused on kvm, which never widens a descriptor's access), and "done N"
 * with N the escapes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/openat2.h>

/* Probed: the low descriptors, and 100 from the limit the program sees up. */
#define LOW_FDS		32
#define HIGH_FDS	100

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

/*
 * fd is a file the program holds at a low descriptor, with no less
 * access (the program's stdin and stderr may be files cabin holds too).
 */
static bool program_holds(int fd)
{
	struct stat a, b;
	int i, want = access_bits(fcntl(fd, F_GETFL)), fl;

	if (fstat(fd, &a) < 0)
		return false;
	for (i = 0; i < LOW_FDS; i++) {
		if (i == fd || (fl = fcntl(i, F_GETFL)) < 0 ||
		    fstat(i, &b) < 0)
			continue;
		if (a.st_dev == b.st_dev && a.st_ino == b.st_ino &&
		    (access_bits(fl) & want) == want)
			return true;
	}
	return false;
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

int main(int argc, char **argv)
{
	struct rlimit rl;
	int high = 1000;

	if (argc != 2 || stat("/proc/self/exe", &me) < 0) {
		fprintf(stderr, "usage: kvm_magic SCRATCH-DIR\n");
		return 2;
	}
	/* Under kvm stat's path is the program's file: checked against argv[0]. */
	if (stat(argv[0], &me) < 0)
		return 2;
	setvbuf(stdout, NULL, _IOLBF, 0);
	proc_dir = open("/proc", O_PATH | O_DIRECTORY);
	dev_fd_dir = open("/dev/fd", O_PATH | O_DIRECTORY);
	exe();
	/* On kvm the limit seen is the floor the monitor's descriptors start at. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 1u << 20)
		high = (int)rl.rlim_cur;
	probe(3, LOW_FDS, argv[1]);
	probe(high, high + HIGH_FDS, argv[1]);
	own(argv[1]);
	widen(argv[0]);
	printf("done %d\n", escapes);
	return 0;
}
