/*
 * The kvm syscall forwarder against the real host kernel: guest buffers
 * in a cabin_gmem region reach host syscalls only when the program's
 * mappings grant them, and the monitor's descriptors (>= fd_floor) stay
 * out of the program's reach.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <linux/futex.h>
#include <cmocka.h>

#include "platform/kvm/forward/forward.h"
#include "platform/kvm/forward/forward_impl.h"
#include "platform/kvm/vmm/gmem.h"

#define MiB (1ull << 20)
#define URW (CABIN_GMEM_USER | CABIN_GMEM_R | CABIN_GMEM_W)
#define UR (CABIN_GMEM_USER | CABIN_GMEM_R)
#define SRW (CABIN_GMEM_R | CABIN_GMEM_W)

/* The guest: identity mapped, with holes around every range. */
#define SUP	0x100000ull	/* supervisor only, 1 page */
#define U_RW	0x200000ull	/* user RW, 16 pages */
#define U_RO	0x210000ull	/* user R, 1 page, right after U_RW */
#define HOLE	0x211000ull	/* nothing */
#define U_RW2	0x220000ull	/* user RW, 1 page, then a hole */
#define FAR	0x10000000ull	/* past the region */

#define FLOOR	100

static struct cabin_gmem g;
static struct cabin_kvm_fwd f;
static uint64_t next_gva;

static int setup(void **state)
{
	struct rlimit r;

	(void)state;
	if (getrlimit(RLIMIT_NOFILE, &r) || r.rlim_cur < 2 * FLOOR)
		return -1;
	if (cabin_gmem_init(&g, 4 * MiB) ||
	    cabin_gmem_map(&g, SUP, SUP, 0x1000, SRW) ||
	    cabin_gmem_map(&g, U_RW, U_RW, 0x10000, URW) ||
	    cabin_gmem_map(&g, U_RO, U_RO, 0x1000, UR) ||
	    cabin_gmem_map(&g, U_RW2, U_RW2, 0x1000, URW))
		return -1;
	f.mem = &g;
	f.fd_floor = FLOOR;
	next_gva = U_RW;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	cabin_gmem_free(&g);
	return 0;
}

/* Host view of a guest address (identity mapped, gpa_base 0). */
static void *H(uint64_t gva)
{
	return g.host + gva;
}

/* A fresh guest buffer in U_RW. */
static uint64_t galloc(size_t n)
{
	uint64_t at = next_gva;

	next_gva += (n + 15) & ~(size_t)15;
	assert_true(next_gva <= U_RW + 0x10000);
	return at;
}

static uint64_t gdata(const void *data, size_t n)
{
	uint64_t at = galloc(n);

	memcpy(H(at), data, n);
	return at;
}

static uint64_t gstr(const char *s)
{
	return gdata(s, strlen(s) + 1);
}

#define FWD(nr, ...) \
	cabin_kvm_forward(&f, nr, (const uint64_t[6]){ __VA_ARGS__ })

/* A descriptor of the monitor's: at or above the floor. */
static int monitor_fd(void)
{
	int fd = open("/dev/null", O_RDONLY);
	int m = fcntl(fd, F_DUPFD, FLOOR + 3);

	close(fd);
	assert_true(m >= FLOOR);
	return m;
}

static bool fd_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

static int lowest_free_fd(void)
{
	int fd = open("/dev/null", O_RDONLY);

	close(fd);
	return fd;
}

static int pending(int fd)
{
	int n = -1;

	assert_int_equal(ioctl(fd, FIONREAD, &n), 0);
	return n;
}

static void host_pipe(int p[2])
{
	assert_int_equal(pipe(p), 0);
	assert_true(p[1] < FLOOR);
}

static void test_pipe_roundtrip(void **state)
{
	uint64_t fds = galloc(8), msg = gstr("hello, host"), in = galloc(32);
	int p[2];

	(void)state;
	assert_int_equal(FWD(SYS_pipe2, fds, O_CLOEXEC), 0);
	memcpy(p, H(fds), sizeof(p));
	assert_true(p[0] >= 0 && p[0] < FLOOR && p[1] >= 0 && p[1] < FLOOR);
	assert_int_equal(FWD(SYS_write, (uint64_t)p[1], msg, 12), 12);
	assert_int_equal(FWD(SYS_read, (uint64_t)p[0], in, 32), 12);
	assert_string_equal(H(in), "hello, host");
	assert_int_equal(FWD(SYS_close, (uint64_t)p[0]), 0);
	assert_int_equal(FWD(SYS_close, (uint64_t)p[1]), 0);
	assert_false(fd_open(p[0]));
	/* The pair's buffer must be writable: nothing is created otherwise. */
	int before = lowest_free_fd();

	assert_int_equal(FWD(SYS_pipe, U_RO), -EFAULT);
	assert_int_equal(FWD(SYS_pipe, HOLE), -EFAULT);
	assert_int_equal(lowest_free_fd(), before);
}

static void test_readv_writev(void **state)
{
	uint64_t a = gstr("abc"), b = gstr("defg");
	struct iovec v[3] = {
		{ (void *)a, 3 }, { (void *)b, 4 }, { (void *)HOLE, 1 },
	};
	uint64_t iov = gdata(v, sizeof(v)), out1 = galloc(4), out2 = galloc(8);
	struct iovec r[2] = { { (void *)out1, 2 }, { (void *)out2, 8 } };
	uint64_t riov = gdata(r, sizeof(r));
	int p[2];

	(void)state;
	host_pipe(p);
	/* A bad third entry: nothing at all is written. */
	assert_int_equal(FWD(SYS_writev, (uint64_t)p[1], iov, 3), -EFAULT);
	assert_int_equal(pending(p[0]), 0);
	assert_int_equal(FWD(SYS_writev, (uint64_t)p[1], iov, 2), 7);
	assert_int_equal(pending(p[0]), 7);

	/* A read-only destination is refused before any byte is consumed. */
	r[1].iov_base = (void *)U_RO;
	uint64_t bad = gdata(r, sizeof(r));

	assert_int_equal(FWD(SYS_readv, (uint64_t)p[0], bad, 2), -EFAULT);
	assert_int_equal(pending(p[0]), 7);
	assert_int_equal(FWD(SYS_readv, (uint64_t)p[0], riov, 2), 7);
	assert_memory_equal(H(out1), "ab", 2);
	assert_memory_equal(H(out2), "cdefg", 5);

	/* The array itself must be readable; its count is bounded. */
	assert_int_equal(FWD(SYS_writev, (uint64_t)p[1], HOLE - 16, 2),
			 -EFAULT);
	assert_int_equal(FWD(SYS_writev, (uint64_t)p[1], iov, IOV_MAX + 1),
			 -EINVAL);
	assert_int_equal(FWD(SYS_writev, (uint64_t)p[1], iov, 0), 0);
	/* A length the kernel would call negative. */
	v[0].iov_len = (size_t)SSIZE_MAX + 1;
	uint64_t neg = gdata(v, sizeof(v));

	assert_int_equal(FWD(SYS_writev, (uint64_t)p[1], neg, 1), -EINVAL);
	assert_int_equal(pending(p[0]), 0);
	close(p[0]);
	close(p[1]);
}

static void test_bad_pointers(void **state)
{
	uint64_t buf = galloc(64);
	int p[2];

	(void)state;
	host_pipe(p);
	assert_int_equal(write(p[1], "data", 4), 4);
	/* Out-buffers: outside, hole, supervisor, read-only, wrapping. */
	assert_int_equal(FWD(SYS_read, (uint64_t)p[0], FAR, 4), -EFAULT);
	assert_int_equal(FWD(SYS_read, (uint64_t)p[0], HOLE, 4), -EFAULT);
	assert_int_equal(FWD(SYS_read, (uint64_t)p[0], SUP, 4), -EFAULT);
	assert_int_equal(FWD(SYS_read, (uint64_t)p[0], U_RO, 4), -EFAULT);
	assert_int_equal(FWD(SYS_read, (uint64_t)p[0], U_RW, UINT64_MAX),
			 -EFAULT);
	assert_int_equal(FWD(SYS_read, (uint64_t)p[0], UINT64_MAX - 1, 4),
			 -EFAULT);
	/* Straddling: RW into R-only, and RW into a hole. */
	assert_int_equal(FWD(SYS_read, (uint64_t)p[0], U_RO - 2, 4), -EFAULT);
	assert_int_equal(FWD(SYS_read, (uint64_t)p[0], U_RW2 + 0xffe, 4),
			 -EFAULT);
	assert_int_equal(pending(p[0]), 4);
	/* In-buffers: the read-only page is fine, its end is not. */
	assert_int_equal(FWD(SYS_write, (uint64_t)p[1], U_RO, 4), 4);
	assert_int_equal(FWD(SYS_write, (uint64_t)p[1], HOLE - 2, 4),
			 -EFAULT);
	assert_int_equal(FWD(SYS_write, (uint64_t)p[1], SUP, 4), -EFAULT);
	assert_int_equal(FWD(SYS_write, (uint64_t)p[1], 0, 4), -EFAULT);
	assert_int_equal(FWD(SYS_write, (uint64_t)p[1], U_RW, UINT64_MAX),
			 -EFAULT);
	assert_int_equal(pending(p[0]), 8);
	/* Zero length touches nothing, wherever it points. */
	assert_int_equal(FWD(SYS_write, (uint64_t)p[1], HOLE, 0), 0);
	assert_int_equal(FWD(SYS_read, (uint64_t)p[0], buf, 64), 8);
	/* Fixed-size out-structures are checked whole. */
	assert_int_equal(FWD(SYS_fstat, (uint64_t)p[0], U_RO), -EFAULT);
	assert_int_equal(FWD(SYS_fstat, (uint64_t)p[0],
			     U_RW2 + 0x1000 - sizeof(struct stat) + 8),
			 -EFAULT);
	assert_int_equal(FWD(SYS_fstat, (uint64_t)p[0],
			     U_RW2 + 0x1000 - sizeof(struct stat)), 0);
	assert_int_equal(FWD(SYS_clock_gettime, CLOCK_MONOTONIC, SUP),
			 -EFAULT);
	/* Optional pointers: NULL is passed on, nothing else is. */
	assert_int_equal(FWD(SYS_gettimeofday, 0, 0), 0);
	assert_int_equal(FWD(SYS_gettimeofday, HOLE, 0), -EFAULT);
	close(p[0]);
	close(p[1]);
}

static void test_paths(void **state)
{
	uint64_t path = gstr("/dev/null"), st = galloc(sizeof(struct stat));
	uint64_t longpath = galloc(PATH_MAX + 1);
	long fd;

	(void)state;
	fd = FWD(SYS_openat, (uint64_t)AT_FDCWD, path, O_RDONLY);
	assert_true(fd >= 0 && fd < FLOOR);
	assert_int_equal(FWD(SYS_newfstatat, (uint64_t)AT_FDCWD, path, st, 0),
			 0);
	assert_true(S_ISCHR(((struct stat *)H(st))->st_mode));
	/* NULL path with AT_EMPTY_PATH: the descriptor itself (6.11 on). */
	memset(H(st), 0, sizeof(struct stat));
	assert_int_equal(FWD(SYS_newfstatat, (uint64_t)fd, 0, st,
			     AT_EMPTY_PATH), 0);
	assert_true(S_ISCHR(((struct stat *)H(st))->st_mode));
	assert_int_equal(FWD(SYS_close, (uint64_t)fd), 0);
	/* A string running into a hole without a NUL. */
	memset(H(HOLE - 16), 'a', 16);
	assert_int_equal(FWD(SYS_openat, (uint64_t)AT_FDCWD, HOLE - 16,
			     O_RDONLY), -EFAULT);
	assert_int_equal(FWD(SYS_open, SUP, O_RDONLY), -EFAULT);
	assert_int_equal(FWD(SYS_open, 0, O_RDONLY), -EFAULT);
	/* No NUL in PATH_MAX bytes. */
	memset(H(longpath), 'a', PATH_MAX + 1);
	assert_int_equal(FWD(SYS_open, longpath, O_RDONLY), -ENAMETOOLONG);
	/* Two paths, both checked. */
	assert_int_equal(FWD(SYS_rename, path, HOLE), -EFAULT);
	assert_int_equal(FWD(SYS_rename, HOLE, path), -EFAULT);
}

/*
 * /proc/self/exe is the monitor's link: it names the program's file for
 * the program (readlink answers it; other calls take the program's path).
 */
static void test_self_exe(void **state)
{
	uint64_t self = gstr("/proc/self/exe"), buf = galloc(64);
	uint64_t st = galloc(sizeof(struct stat));
	char pid_exe[32];

	(void)state;
	f.exe = "/usr/bin/env";
	assert_int_equal(FWD(SYS_readlink, self, buf, 64), 12);
	assert_memory_equal(H(buf), "/usr/bin/env", 12);
	/* Truncated to the buffer, as Linux does; no NUL added. */
	memset(H(buf), 'x', 8);
	assert_int_equal(FWD(SYS_readlinkat, (uint64_t)AT_FDCWD, self, buf, 4),
			 4);
	assert_memory_equal(H(buf), "/usrxxxx", 8);
	assert_int_equal(FWD(SYS_readlink, self, buf, 0), -EINVAL);
	snprintf(pid_exe, sizeof(pid_exe), "/proc/%d/exe", (int)getpid());
	assert_int_equal(FWD(SYS_readlink, gstr(pid_exe), buf, 64), 12);
	assert_int_equal(FWD(SYS_newfstatat, (uint64_t)AT_FDCWD, self, st, 0),
			 0);
	assert_true(S_ISREG(((struct stat *)H(st))->st_mode));
	/* Other links of /proc/self stay what they are. */
	assert_true(FWD(SYS_readlink, gstr("/proc/self/cwd"), buf, 64) > 0);
	assert_int_not_equal(memcmp(H(buf), "/usr/bin/env", 12), 0);
	f.exe = NULL;
}

static void test_monitor_fds(void **state)
{
	int m = monitor_fd(), p[2];
	uint64_t buf = gstr("x"), st = galloc(sizeof(struct stat));
	uint64_t name = gstr("anything");

	(void)state;
	host_pipe(p);
	assert_int_equal(FWD(SYS_write, (uint64_t)m, buf, 1), -EBADF);
	assert_int_equal(FWD(SYS_close, (uint64_t)m), -EBADF);
	assert_int_equal(FWD(SYS_fstat, (uint64_t)m, st), -EBADF);
	/* High bits the kernel drops do not hide the number. */
	assert_int_equal(FWD(SYS_close, (uint64_t)m | (1ull << 32)), -EBADF);
	assert_int_equal(FWD(SYS_dup2, (uint64_t)p[0], (uint64_t)m), -EBADF);
	assert_int_equal(FWD(SYS_dup3, (uint64_t)p[0], FLOOR, 0), -EBADF);
	assert_int_equal(FWD(SYS_dup, (uint64_t)m), -EBADF);
	assert_int_equal(FWD(SYS_openat, (uint64_t)m, name, O_RDONLY), -EBADF);
	assert_int_equal(FWD(SYS_fcntl, (uint64_t)p[0], F_DUPFD, FLOOR),
			 -EINVAL);
	assert_int_equal(FWD(SYS_fcntl, (uint64_t)p[0], F_DUPFD_CLOEXEC,
			     (uint64_t)-1), -EINVAL);
	assert_int_equal(FWD(SYS_fcntl, (uint64_t)m, F_GETFD), -EBADF);
	assert_int_equal(FWD(SYS_ioctl, (uint64_t)m, FIOCLEX), -EBADF);
	assert_int_equal(FWD(SYS_epoll_ctl, (uint64_t)p[0], EPOLL_CTL_DEL,
			     (uint64_t)m, 0), -EBADF);
	assert_true(fd_open(m));

	/* The program's own: dup2 to a low number, fcntl dup below. */
	assert_int_equal(FWD(SYS_dup2, (uint64_t)p[0], FLOOR - 1), FLOOR - 1);
	assert_int_equal(FWD(SYS_close, FLOOR - 1), 0);
	long d = FWD(SYS_fcntl, (uint64_t)p[0], F_DUPFD_CLOEXEC, 10);

	assert_true(d >= 10 && d < FLOOR);
	assert_int_equal(fcntl((int)d, F_GETFD), FD_CLOEXEC);
	close((int)d);
	/* Commands outside the list would reach the monitor's signals. */
	assert_int_equal(FWD(SYS_fcntl, (uint64_t)p[0], F_SETOWN, 1), -EINVAL);
	assert_int_equal(FWD(SYS_fcntl, (uint64_t)p[0], F_SETSIG, 9), -EINVAL);
	assert_int_equal(FWD(SYS_fcntl, (uint64_t)p[0], F_GETLK, U_RO),
			 -EFAULT);
	close(m);
	close(p[0]);
	close(p[1]);
}

static void test_new_fd_over_floor(void **state)
{
	uint64_t path = gstr("/dev/null"), fds = galloc(8);
	int low = lowest_free_fd();
	long a, b;

	(void)state;
	/* Needs three free numbers in a row (not so with stdin closed). */
	if (fd_open(low + 1) || fd_open(low + 2))
		skip();
	f.fd_floor = low + 2;
	a = FWD(SYS_open, path, O_RDONLY);
	b = FWD(SYS_openat, (uint64_t)AT_FDCWD, path, O_RDONLY);
	assert_int_equal(a, low);
	assert_int_equal(b, low + 1);
	assert_int_equal(FWD(SYS_open, path, O_RDONLY), -EMFILE);
	assert_false(fd_open(low + 2));
	assert_int_equal(FWD(SYS_dup, (uint64_t)a), -EMFILE);
	assert_int_equal(FWD(SYS_socket, AF_UNIX, SOCK_STREAM, 0), -EMFILE);
	assert_false(fd_open(low + 2));
	/* One slot left: a pair cannot fit, and neither end survives. */
	assert_int_equal(FWD(SYS_close, (uint64_t)b), 0);
	assert_int_equal(FWD(SYS_pipe2, fds, 0), -EMFILE);
	assert_int_equal(FWD(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, fds),
			 -EMFILE);
	assert_int_equal(lowest_free_fd(), low + 1);
	assert_false(fd_open(low + 2));
	assert_int_equal(FWD(SYS_close, (uint64_t)a), 0);
}

static void test_close_range(void **state)
{
	uint64_t path = gstr("/dev/null");
	long a, b;
	int m;

	(void)state;
	a = FWD(SYS_open, path, O_RDONLY);
	b = FWD(SYS_open, path, O_RDONLY);
	assert_true(a >= 0 && b > a);
	f.fd_floor = (int)b + 1;
	m = fcntl((int)a, F_DUPFD, (int)b + 1);
	assert_true(m > b);
	assert_int_equal(FWD(SYS_close_range, 5, 3, 0), -EINVAL);
	assert_int_equal(FWD(SYS_close_range, 0, ~0u, 0x80), -EINVAL);
	assert_int_equal(FWD(SYS_close_range, (uint64_t)m, ~0u, 0), 0);
	assert_true(fd_open(m));
	assert_int_equal(FWD(SYS_close_range, (uint64_t)a, ~0u, 0), 0);
	assert_false(fd_open((int)a));
	assert_false(fd_open((int)b));
	assert_true(fd_open(m));
	close(m);
}

/* A guest msghdr of one iovec and optional control data. */
static uint64_t guest_msg(uint64_t name, socklen_t namelen, uint64_t base,
			  size_t len, uint64_t ctl, size_t ctllen)
{
	struct iovec v = { (void *)base, len };
	struct msghdr h = { 0 };

	h.msg_name = (void *)name;
	h.msg_namelen = namelen;
	h.msg_iov = (void *)gdata(&v, sizeof(v));
	h.msg_iovlen = 1;
	h.msg_control = (void *)ctl;
	h.msg_controllen = ctllen;
	return gdata(&h, sizeof(h));
}

static uint64_t guest_rights(int fd)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;

	memset(&u, 0, sizeof(u));
	u.h.cmsg_len = CMSG_LEN(sizeof(int));
	u.h.cmsg_level = SOL_SOCKET;
	u.h.cmsg_type = SCM_RIGHTS;
	memcpy(CMSG_DATA(&u.h), &fd, sizeof(fd));
	return gdata(&u, sizeof(u));
}

static void test_sendmsg_rights(void **state)
{
	int s[2], m = monitor_fd(), p[2];
	uint64_t data = gstr("x"), ctl, msg;
	char c;

	(void)state;
	host_pipe(p);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, s), 0);
	ctl = guest_rights(m);
	msg = guest_msg(0, 0, data, 1, ctl, CMSG_SPACE(sizeof(int)));
	assert_int_equal(FWD(SYS_sendmsg, (uint64_t)s[0], msg, 0), -EBADF);
	assert_int_equal(recv(s[1], &c, 1, MSG_DONTWAIT), -1);
	assert_int_equal(errno, EAGAIN);
	/* sendmmsg goes the same way. */
	struct mmsghdr mm = { 0 };

	memcpy(&mm.msg_hdr, H(msg), sizeof(struct msghdr));
	uint64_t vec = gdata(&mm, sizeof(mm));

	assert_int_equal(FWD(SYS_sendmmsg, (uint64_t)s[0], vec, 1, 0), -EBADF);
	/* A malformed cmsg is the kernel's -EINVAL, found on the copy. */
	((struct cmsghdr *)H(ctl))->cmsg_len = CMSG_SPACE(sizeof(int)) + 1;
	assert_int_equal(FWD(SYS_sendmsg, (uint64_t)s[0], msg, 0), -EINVAL);
	/* The program's own descriptor goes through. */
	ctl = guest_rights(p[0]);
	msg = guest_msg(0, 0, data, 1, ctl, CMSG_SPACE(sizeof(int)));
	assert_int_equal(FWD(SYS_sendmsg, (uint64_t)s[0], msg, 0), 1);
	assert_int_equal(recv(s[1], &c, 1, MSG_DONTWAIT), 1);
	/* Bad iov, name and control pointers fault before sending. */
	msg = guest_msg(0, 0, HOLE, 1, 0, 0);
	assert_int_equal(FWD(SYS_sendmsg, (uint64_t)s[0], msg, 0), -EFAULT);
	msg = guest_msg(0, 0, data, 1, SUP, 16);
	assert_int_equal(FWD(SYS_sendmsg, (uint64_t)s[0], msg, 0), -EFAULT);
	assert_int_equal(FWD(SYS_sendmsg, (uint64_t)s[0], HOLE, 0), -EFAULT);
	((struct msghdr *)H(msg))->msg_iovlen = IOV_MAX + 1;
	assert_int_equal(FWD(SYS_sendmsg, (uint64_t)s[0], msg, 0), -EMSGSIZE);
	assert_int_equal(recv(s[1], &c, 1, MSG_DONTWAIT), -1);
	close(s[0]);
	close(s[1]);
	close(p[0]);
	close(p[1]);
	close(m);
}

/* An abstract unix address unique to this test run. */
static socklen_t abstract_addr(struct sockaddr_un *a, const char *tag)
{
	int n;

	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	n = snprintf(a->sun_path + 1, sizeof(a->sun_path) - 1,
		     "cabin-fwd-%d-%s", getpid(), tag);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
}

static void test_recvmsg_writes_back(void **state)
{
	struct sockaddr_un src, *got;
	socklen_t srclen = abstract_addr(&src, "src");
	int rx[2], tx;
	uint64_t name = galloc(sizeof(struct sockaddr_un)), buf = galloc(16);
	uint64_t ctl = galloc(64), msg;
	struct msghdr *h;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM, 0, rx), 0);
	tx = socket(AF_UNIX, SOCK_DGRAM, 0);
	assert_int_equal(bind(tx, (struct sockaddr *)&src, srclen), 0);
	/* Send to rx[0] through an address: rx[0] needs one of its own. */
	struct sockaddr_un dst;
	socklen_t dstlen = abstract_addr(&dst, "dst");
	int r = socket(AF_UNIX, SOCK_DGRAM, 0);

	assert_int_equal(bind(r, (struct sockaddr *)&dst, dstlen), 0);
	assert_int_equal(sendto(tx, "ping", 4, 0, (struct sockaddr *)&dst,
				dstlen), 4);
	msg = guest_msg(name, sizeof(struct sockaddr_un), buf, 16, ctl, 64);
	h = H(msg);
	h->msg_flags = 0x5a5a;
	assert_int_equal(FWD(SYS_recvmsg, (uint64_t)r, msg, 0), 4);
	assert_memory_equal(H(buf), "ping", 4);
	assert_int_equal(h->msg_namelen, srclen);
	got = H(name);
	assert_memory_equal(got, &src, srclen);
	assert_int_equal(h->msg_controllen, 0);
	assert_int_equal(h->msg_flags, 0);

	/* A read-only header cannot take the results: refused before. */
	assert_int_equal(sendto(tx, "pong", 4, 0, (struct sockaddr *)&dst,
				dstlen), 4);
	memcpy(H(U_RO), h, sizeof(*h));
	assert_int_equal(FWD(SYS_recvmsg, (uint64_t)r, U_RO, 0), -EFAULT);
	/* Nor a read-only name buffer. */
	h->msg_name = (void *)U_RO;
	assert_int_equal(FWD(SYS_recvmsg, (uint64_t)r, msg, 0), -EFAULT);
	h->msg_name = (void *)name;
	h->msg_namelen = 3;
	assert_int_equal(FWD(SYS_recvmsg, (uint64_t)r, msg, MSG_DONTWAIT), 4);
	assert_int_equal(h->msg_namelen, srclen);
	assert_memory_equal(H(buf), "pong", 4);
	close(r);
	close(tx);
	close(rx[0]);
	close(rx[1]);
}

static void test_recvmsg_rights_over_floor(void **state)
{
	uint64_t buf = galloc(4), ctl = galloc(64), msg;
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct msghdr hm = { 0 };
	struct iovec v = { "z", 1 };
	int s[2], pass, low;
	struct msghdr *h;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, s), 0);
	pass = open("/dev/null", O_RDONLY);
	memset(&u, 0, sizeof(u));
	u.h.cmsg_len = CMSG_LEN(sizeof(int));
	u.h.cmsg_level = SOL_SOCKET;
	u.h.cmsg_type = SCM_RIGHTS;
	memcpy(CMSG_DATA(&u.h), &pass, sizeof(pass));
	hm.msg_iov = &v;
	hm.msg_iovlen = 1;
	hm.msg_control = &u;
	hm.msg_controllen = sizeof(u);
	assert_int_equal(sendmsg(s[0], &hm, 0), 1);
	/* Every free slot is the monitor's: the received fd must not stay. */
	low = lowest_free_fd();
	f.fd_floor = low;
	msg = guest_msg(0, 0, buf, 4, ctl, 64);
	assert_int_equal(FWD(SYS_recvmsg, (uint64_t)s[1], msg, 0), 1);
	h = H(msg);
	assert_true(h->msg_flags & MSG_CTRUNC);
	assert_int_equal(h->msg_controllen, 0);
	assert_int_equal(lowest_free_fd(), low);
	/* With room, the descriptor arrives. */
	f.fd_floor = FLOOR;
	assert_int_equal(sendmsg(s[0], &hm, 0), 1);
	h->msg_controllen = 64;
	assert_int_equal(FWD(SYS_recvmsg, (uint64_t)s[1], msg, 0), 1);
	assert_false(h->msg_flags & MSG_CTRUNC);
	assert_int_equal(h->msg_controllen, CMSG_SPACE(sizeof(int)));
	struct cmsghdr *cm = H(ctl);
	int got;

	assert_int_equal(cm->cmsg_type, SCM_RIGHTS);
	memcpy(&got, CMSG_DATA(cm), sizeof(got));
	assert_int_equal(got, low);
	assert_true(fd_open(got));
	close(got);
	close(pass);
	close(s[0]);
	close(s[1]);
}

static void test_mmsg(void **state)
{
	uint64_t a = gstr("one"), b = gstr("two");
	uint64_t r1 = galloc(8), r2 = galloc(8);
	struct mmsghdr v[2];
	uint64_t gv, rv;
	struct mmsghdr *out;
	int s[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM, 0, s), 0);
	memset(v, 0, sizeof(v));
	memcpy(&v[0].msg_hdr, H(guest_msg(0, 0, a, 3, 0, 0)),
	       sizeof(struct msghdr));
	memcpy(&v[1].msg_hdr, H(guest_msg(0, 0, b, 3, 0, 0)),
	       sizeof(struct msghdr));
	gv = gdata(v, sizeof(v));
	assert_int_equal(FWD(SYS_sendmmsg, (uint64_t)s[0], gv, 2, 0), 2);
	out = H(gv);
	assert_int_equal(out[0].msg_len, 3);
	assert_int_equal(out[1].msg_len, 3);
	/* A bad second message: the first is sent and counted. */
	v[1].msg_hdr.msg_iov = (void *)HOLE;
	gv = gdata(v, sizeof(v));
	assert_int_equal(FWD(SYS_sendmmsg, (uint64_t)s[0], gv, 2, 0), 1);

	memcpy(&v[0].msg_hdr, H(guest_msg(0, 0, r1, 8, 0, 0)),
	       sizeof(struct msghdr));
	memcpy(&v[1].msg_hdr, H(guest_msg(0, 0, r2, 8, 0, 0)),
	       sizeof(struct msghdr));
	v[0].msg_len = v[1].msg_len = 99;
	rv = gdata(v, sizeof(v));
	assert_int_equal(FWD(SYS_recvmmsg, (uint64_t)s[1], rv, 2, 0, 0), 2);
	out = H(rv);
	assert_int_equal(out[0].msg_len, 3);
	assert_int_equal(out[1].msg_len, 3);
	assert_memory_equal(H(r1), "one", 3);
	assert_memory_equal(H(r2), "two", 3);
	/* One left: MSG_WAITFORONE returns it and does not wait for more. */
	out[1].msg_len = 99;
	assert_int_equal(FWD(SYS_recvmmsg, (uint64_t)s[1], rv, 2,
			     MSG_WAITFORONE, 0), 1);
	assert_memory_equal(H(r1), "one", 3);
	assert_int_equal(out[1].msg_len, 99);
	assert_int_equal(FWD(SYS_recvmmsg, (uint64_t)s[1], rv, 2,
			     MSG_DONTWAIT, 0), -EAGAIN);
	/* The vector must be writable for msg_len. */
	memcpy(H(U_RO), v, sizeof(v));
	assert_int_equal(FWD(SYS_sendmmsg, (uint64_t)s[0], U_RO, 1, 0),
			 -EFAULT);
	assert_int_equal(FWD(SYS_recvmmsg, (uint64_t)s[1], rv, 1, 0, HOLE),
			 -EFAULT);
	close(s[0]);
	close(s[1]);
}

static void test_accept(void **state)
{
	struct sockaddr_un a;
	socklen_t alen = abstract_addr(&a, "listen"), cap = 200;
	uint64_t buf = galloc(sizeof(struct sockaddr_un));
	uint64_t len = gdata(&cap, sizeof(cap));
	int l = socket(AF_UNIX, SOCK_STREAM, 0), c1, c2;
	long fd;

	(void)state;
	assert_int_equal(bind(l, (struct sockaddr *)&a, alen), 0);
	assert_int_equal(listen(l, 4), 0);
	c1 = socket(AF_UNIX, SOCK_STREAM, 0);
	c2 = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(connect(c1, (struct sockaddr *)&a, alen), 0);
	assert_int_equal(connect(c2, (struct sockaddr *)&a, alen), 0);
	/* A bad length pointer: refused before a connection is taken. */
	assert_int_equal(FWD(SYS_accept4, (uint64_t)l, buf, HOLE, 0),
			 -EFAULT);
	fd = FWD(SYS_accept4, (uint64_t)l, buf, len, SOCK_CLOEXEC);
	assert_true(fd >= 0 && fd < FLOOR);
	/* An unnamed peer: only the family. */
	assert_int_equal(*(socklen_t *)H(len), sizeof(sa_family_t));
	assert_int_equal(fcntl((int)fd, F_GETFD), FD_CLOEXEC);
	close((int)fd);
	fd = FWD(SYS_accept, (uint64_t)l, 0, 0);
	assert_true(fd >= 0 && fd < FLOOR);
	close((int)fd);
	close(c1);
	close(c2);
	close(l);
}

static void test_poll_monitor_fd(void **state)
{
	int m = monitor_fd(), p[2];
	struct pollfd fds[3];
	uint64_t g_fds;
	struct pollfd *out;

	(void)state;
	host_pipe(p);
	assert_int_equal(write(p[1], "x", 1), 1);
	fds[0] = (struct pollfd){ p[0], POLLIN, 0 };
	fds[1] = (struct pollfd){ m, POLLIN, 0x40 };
	fds[2] = (struct pollfd){ -1, POLLIN, 0x40 };
	g_fds = gdata(fds, sizeof(fds));
	/* An infinite timeout: a monitor fd is an event, so no wait. */
	assert_int_equal(FWD(SYS_poll, g_fds, 3, (uint64_t)-1), 2);
	out = H(g_fds);
	assert_int_equal(out[0].revents, POLLIN);
	assert_int_equal(out[1].revents, POLLNVAL);
	assert_int_equal(out[1].fd, m);
	assert_int_equal(out[2].revents, 0);
	/* ppoll the same; its timeout pointer and sigmask are checked. */
	memset(H(g_fds), 0, 0);
	out[1].revents = 0;
	assert_int_equal(FWD(SYS_ppoll, g_fds, 3, 0, 0, 8), 2);
	assert_int_equal(out[1].revents, POLLNVAL);
	assert_int_equal(FWD(SYS_ppoll, g_fds, 3, HOLE, 0, 8), -EFAULT);
	assert_int_equal(FWD(SYS_ppoll, g_fds, 3, 0, SUP, 8), -EFAULT);
	/* The array must be writable; nfds is bounded by the floor. */
	memcpy(H(U_RO), fds, sizeof(fds));
	assert_int_equal(FWD(SYS_poll, U_RO, 3, 0), -EFAULT);
	assert_int_equal(FWD(SYS_poll, g_fds, FLOOR + 1, 0), -EINVAL);
	close(m);
	close(p[0]);
	close(p[1]);
}

static void test_select(void **state)
{
	int m = monitor_fd(), p[2];
	fd_set set;
	uint64_t gs;

	(void)state;
	host_pipe(p);
	assert_int_equal(write(p[1], "x", 1), 1);
	FD_ZERO(&set);
	FD_SET(p[0], &set);
	gs = gdata(&set, sizeof(set));
	assert_int_equal(FWD(SYS_select, (uint64_t)p[0] + 1, gs, 0, 0, 0), 1);
	assert_true(FD_ISSET(p[0], (fd_set *)H(gs)));
	/* nfds past the floor is clamped: still the one ready fd. */
	assert_int_equal(FWD(SYS_select, FD_SETSIZE, gs, 0, 0, 0), 1);
	/* A monitor fd in the set is a closed fd. */
	FD_SET(m, (fd_set *)H(gs));
	assert_int_equal(FWD(SYS_select, FD_SETSIZE, gs, 0, 0, 0), -EBADF);
	assert_int_equal(FWD(SYS_pselect6, FD_SETSIZE, gs, 0, 0, 0, 0),
			 -EBADF);
	assert_int_equal(FWD(SYS_select, (uint64_t)p[0] + 1, U_RO, 0, 0, 0),
			 -EFAULT);
	assert_int_equal(FWD(SYS_select, (uint64_t)-1, 0, 0, 0, 0), -EINVAL);
	close(m);
	close(p[0]);
	close(p[1]);
}

static void test_ioctl(void **state)
{
	uint64_t n = galloc(sizeof(int)), c = gstr("x");
	int p[2];

	(void)state;
	host_pipe(p);
	assert_int_equal(write(p[1], "hello", 5), 5);
	assert_int_equal(FWD(SYS_ioctl, (uint64_t)p[0], FIONREAD, n), 0);
	assert_int_equal(*(int *)H(n), 5);
	assert_int_equal(FWD(SYS_ioctl, (uint64_t)p[0], FIONREAD, U_RO),
			 -EFAULT);
	assert_int_equal(FWD(SYS_ioctl, (uint64_t)p[0], FIONREAD, HOLE),
			 -EFAULT);
	assert_int_equal(FWD(SYS_ioctl, (uint64_t)p[0], FIOCLEX, HOLE), 0);
	assert_int_equal(fcntl(p[0], F_GETFD), FD_CLOEXEC);
	/* Refused by request, before the argument is looked at. */
	assert_int_equal(FWD(SYS_ioctl, (uint64_t)p[0], TIOCSTI, c), -ENOTTY);
	assert_int_equal(FWD(SYS_ioctl, (uint64_t)p[0], TIOCSTI, HOLE),
			 -ENOTTY);
	assert_int_equal(FWD(SYS_ioctl, (uint64_t)p[0], TIOCLINUX, HOLE),
			 -ENOTTY);
	assert_int_equal(FWD(SYS_ioctl, (uint64_t)p[0],
			     (1ull << 32) | TIOCSTI, HOLE), -ENOTTY);
	assert_int_equal(FWD(SYS_ioctl, (uint64_t)p[0], 0x1234, n), -ENOTTY);
	/* A pipe is no terminal: the host kernel says so. */
	assert_int_equal(FWD(SYS_ioctl, (uint64_t)p[0], TIOCGWINSZ, n),
			 -ENOTTY);
	close(p[0]);
	close(p[1]);
}

static void test_futex(void **state)
{
	uint64_t word = galloc(4), ts = galloc(sizeof(struct timespec));
	struct timespec t = { 0, 1000 };

	(void)state;
	memcpy(H(ts), &t, sizeof(t));
	assert_int_equal(FWD(SYS_futex, word, FUTEX_WAKE, 1), 0);
	assert_int_equal(FWD(SYS_futex, word, FUTEX_WAKE_PRIVATE, 1), 0);
	assert_int_equal(FWD(SYS_futex, HOLE, FUTEX_WAKE, 1), -EFAULT);
	assert_int_equal(FWD(SYS_futex, FAR, FUTEX_WAKE_PRIVATE, 1), -EFAULT);
	assert_int_equal(FWD(SYS_futex, U_RO, FUTEX_WAKE, 1), -EFAULT);
	assert_int_equal(FWD(SYS_futex, SUP, FUTEX_WAKE, 1), -EFAULT);
	assert_int_equal(FWD(SYS_futex, U_RO - 2, FUTEX_WAKE, 1), -EFAULT);
	/* The word is 0: waiting for 1 returns at once, for 0 times out. */
	assert_int_equal(FWD(SYS_futex, word, FUTEX_WAIT_PRIVATE, 1, ts),
			 -EAGAIN);
	assert_int_equal(FWD(SYS_futex, word, FUTEX_WAIT_PRIVATE, 0, ts),
			 -ETIMEDOUT);
	assert_int_equal(FWD(SYS_futex, word, FUTEX_WAIT, 0, HOLE), -EFAULT);
	assert_int_equal(FWD(SYS_futex, word, FUTEX_CMP_REQUEUE, 1, 1, HOLE,
			     0), -EFAULT);
	assert_int_equal(FWD(SYS_futex, word, FUTEX_CMP_REQUEUE_PRIVATE, 1, 1,
			     word + 4, 0), 0);
	assert_int_equal(FWD(SYS_futex, word, FUTEX_LOCK_PI, 0), -ENOSYS);
	assert_int_equal(FWD(SYS_futex, word, FUTEX_FD, 0), -ENOSYS);
}

static void test_socklen(void **state)
{
	struct sockaddr_un a;
	socklen_t alen = abstract_addr(&a, "name"), big = 1000;
	uint64_t buf = galloc(sizeof(struct sockaddr_un)), len;
	int s = socket(AF_UNIX, SOCK_STREAM, 0);

	(void)state;
	assert_int_equal(bind(s, (struct sockaddr *)&a, alen), 0);
	len = gdata(&big, sizeof(big));
	assert_int_equal(FWD(SYS_getsockname, (uint64_t)s, buf, len), 0);
	assert_int_equal(*(socklen_t *)H(len), alen);
	assert_memory_equal(H(buf), &a, alen);
	/* The length pointer must be writable, the buffer too. */
	memcpy(H(U_RO), &big, sizeof(big));
	assert_int_equal(FWD(SYS_getsockname, (uint64_t)s, buf, U_RO),
			 -EFAULT);
	assert_int_equal(FWD(SYS_getsockname, (uint64_t)s, U_RO, len),
			 -EFAULT);
	*(int *)H(len) = -1;
	assert_int_equal(FWD(SYS_getsockname, (uint64_t)s, buf, len), -EINVAL);
	/* Options: a plain one works, one that carries a pointer does not. */
	int one = 1;
	uint64_t v = gdata(&one, sizeof(one));

	assert_int_equal(FWD(SYS_setsockopt, (uint64_t)s, SOL_SOCKET,
			     SO_PASSCRED, v, sizeof(int)), 0);
	assert_int_equal(FWD(SYS_setsockopt, (uint64_t)s, SOL_SOCKET,
			     SO_ATTACH_FILTER, v, 16), -ENOPROTOOPT);
	assert_int_equal(FWD(SYS_setsockopt, (uint64_t)s, SOL_SOCKET,
			     SO_ATTACH_BPF, v, 4), -ENOPROTOOPT);
	*(int *)H(len) = sizeof(int);
	*(int *)H(v) = 0;
	assert_int_equal(FWD(SYS_getsockopt, (uint64_t)s, SOL_SOCKET, SO_TYPE,
			     v, len), 0);
	assert_int_equal(*(int *)H(v), SOCK_STREAM);
	assert_int_equal(FWD(SYS_getsockopt, (uint64_t)s, SOL_SOCKET, SO_TYPE,
			     U_RO, len), -EFAULT);
	close(s);
}

static void test_limits_and_identity(void **state)
{
	struct rlimit r, host, low = { 16, 16 };
	uint64_t gr = galloc(sizeof(r)), glow = gdata(&low, sizeof(low));

	(void)state;
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &host), 0);
	assert_int_equal(FWD(SYS_getrlimit, RLIMIT_NOFILE, gr), 0);
	memcpy(&r, H(gr), sizeof(r));
	assert_int_equal(r.rlim_cur, FLOOR);
	assert_int_equal(r.rlim_max, FLOOR);
	/* Accepted, not applied: the monitor keeps its descriptors. */
	assert_int_equal(FWD(SYS_setrlimit, RLIMIT_NOFILE, glow), 0);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &r), 0);
	assert_int_equal(r.rlim_cur, host.rlim_cur);
	/* The monitor's own limits cannot be moved. */
	assert_int_equal(FWD(SYS_setrlimit, RLIMIT_FSIZE, glow), -EPERM);
	assert_int_equal(FWD(SYS_prlimit64, 0, RLIMIT_AS, glow, 0), -EPERM);
	assert_int_equal(FWD(SYS_prlimit64, 1, RLIMIT_NOFILE, 0, gr), -ESRCH);
	assert_int_equal(FWD(SYS_prlimit64, 0, RLIMIT_NOFILE, 0, U_RO),
			 -EFAULT);
	assert_int_equal(FWD(SYS_prlimit64, (uint64_t)getpid(), RLIMIT_NOFILE,
			     0, gr), 0);
	assert_int_equal(((struct rlimit *)H(gr))->rlim_max, FLOOR);
	assert_int_equal(FWD(SYS_getpid), getpid());
	assert_int_equal(FWD(SYS_getpgid, 1), -ESRCH);
	assert_int_equal(FWD(SYS_getpgid, 0), getpgid(0));
	assert_int_equal(FWD(SYS_setpriority, PRIO_USER, 0, 19), -ESRCH);
	assert_int_equal(FWD(SYS_sched_getaffinity, 1, 128, galloc(128)),
			 -ESRCH);
}

static void test_mknod(void **state)
{
	uint64_t path = gstr("/nonexistent-dir/x");
	/* Its directory exists: the path resolves, the node is refused. */
	uint64_t node = gstr("/tmp/cabin-test-kvm-never-made");

	(void)state;
	assert_int_equal(FWD(SYS_mknodat, (uint64_t)AT_FDCWD, node,
			     S_IFCHR | 0600, 0x0103), -EPERM);
	assert_int_equal(FWD(SYS_mknod, node, S_IFBLK | 0600, 0), -EPERM);
	assert_int_equal(FWD(SYS_mknod, node, S_IFSOCK | 0600, 0), -EPERM);
	/* A FIFO reaches the host kernel, which finds no directory. */
	assert_int_equal(FWD(SYS_mknod, path, S_IFIFO | 0600, 0), -ENOENT);
}

static void test_not_forwarded(void **state)
{
	static const long refused[] = {
		SYS_brk, SYS_mmap, SYS_munmap, SYS_mprotect, SYS_mremap,
		SYS_madvise, SYS_msync, SYS_mlock, SYS_mincore, SYS_clone,
		SYS_clone3, SYS_fork, SYS_vfork, SYS_execve, SYS_execveat,
		SYS_exit, SYS_exit_group, SYS_wait4, SYS_waitid, SYS_kill,
		SYS_tkill, SYS_tgkill, SYS_rt_sigaction, SYS_rt_sigprocmask,
		SYS_rt_sigreturn, SYS_sigaltstack, SYS_pause, SYS_arch_prctl,
		SYS_set_tid_address, SYS_set_robust_list, SYS_rseq, SYS_prctl,
		SYS_ptrace, SYS_process_vm_readv, SYS_process_vm_writev,
		SYS_pkey_mprotect, SYS_modify_ldt, SYS_iopl, SYS_ioperm,
		SYS_seccomp, SYS_io_uring_setup, SYS_userfaultfd, SYS_bpf,
		SYS_perf_event_open, SYS_shmat, SYS_shmget, SYS_mount,
		SYS_umount2, SYS_pivot_root, SYS_chroot, SYS_setns,
		SYS_unshare, SYS_reboot, SYS_kexec_load, SYS_init_module,
		SYS_finit_module, SYS_delete_module, SYS_personality,
		SYS_vhangup, SYS_timer_create, SYS_setuid, SYS_pidfd_getfd,
		SYS_name_to_handle_at, SYS_open_by_handle_at, SYS_fanotify_init,
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		assert_false(cabin_kvm_fwd_handles(refused[i]));
		assert_int_equal(FWD(refused[i], 0), -ENOSYS);
	}
	assert_false(cabin_kvm_fwd_handles(-1));
	assert_false(cabin_kvm_fwd_handles(100000));
	assert_false(cabin_kvm_fwd_handles(SYS_read | 0x40000000));
	assert_int_equal(FWD(-1, 0), -ENOSYS);
	assert_int_equal(FWD(1L << 40, 0), -ENOSYS);
	assert_true(cabin_kvm_fwd_handles(SYS_read));
	assert_true(cabin_kvm_fwd_handles(SYS_futex));
	assert_true(cabin_kvm_fwd_handles(SYS_recvmmsg));
}

/* Every table entry is one the generic code can prepare safely. */
static void test_table_shape(void **state)
{
	static const long required[] = {
		SYS_read, SYS_write, SYS_pread64, SYS_pwrite64, SYS_readv,
		SYS_writev, SYS_preadv, SYS_pwritev, SYS_preadv2, SYS_pwritev2,
		SYS_open, SYS_openat, SYS_openat2, SYS_close, SYS_close_range,
		SYS_creat, SYS_stat, SYS_fstat, SYS_lstat, SYS_newfstatat,
		SYS_statx, SYS_statfs, SYS_fstatfs, SYS_access, SYS_faccessat,
		SYS_faccessat2, SYS_readlink, SYS_readlinkat, SYS_getdents64,
		SYS_getdents, SYS_lseek, SYS_fsync, SYS_fdatasync,
		SYS_ftruncate, SYS_truncate, SYS_rename, SYS_renameat,
		SYS_renameat2, SYS_mkdir, SYS_mkdirat, SYS_rmdir, SYS_unlink,
		SYS_unlinkat, SYS_link, SYS_linkat, SYS_symlink, SYS_symlinkat,
		SYS_chmod, SYS_fchmod, SYS_fchmodat, SYS_chown, SYS_fchown,
		SYS_lchown, SYS_fchownat, SYS_utimensat, SYS_utimes, SYS_utime,
		SYS_futimesat, SYS_umask, SYS_chdir, SYS_fchdir, SYS_getcwd,
		SYS_dup, SYS_dup2, SYS_dup3, SYS_fcntl, SYS_flock, SYS_pipe,
		SYS_pipe2, SYS_poll, SYS_ppoll, SYS_select, SYS_pselect6,
		SYS_epoll_create, SYS_epoll_create1, SYS_epoll_ctl,
		SYS_epoll_wait, SYS_epoll_pwait, SYS_eventfd, SYS_eventfd2,
		SYS_ioctl, SYS_socket, SYS_socketpair, SYS_connect, SYS_bind,
		SYS_listen, SYS_accept, SYS_accept4, SYS_getsockname,
		SYS_getpeername, SYS_sendto, SYS_recvfrom, SYS_sendmsg,
		SYS_recvmsg, SYS_sendmmsg, SYS_recvmmsg, SYS_shutdown,
		SYS_setsockopt, SYS_getsockopt, SYS_nanosleep,
		SYS_clock_nanosleep, SYS_clock_gettime, SYS_clock_getres,
		SYS_gettimeofday, SYS_time, SYS_getrandom, SYS_uname,
		SYS_sysinfo, SYS_getrusage, SYS_times, SYS_getpid, SYS_getppid,
		SYS_gettid, SYS_getuid, SYS_geteuid, SYS_getgid, SYS_getegid,
		SYS_getgroups, SYS_getresuid, SYS_getresgid, SYS_getpgrp,
		SYS_getpgid, SYS_getsid, SYS_setpgid, SYS_setsid,
		SYS_sched_yield, SYS_sched_getaffinity, SYS_getpriority,
		SYS_setpriority, SYS_prlimit64, SYS_getrlimit, SYS_setrlimit,
		SYS_timerfd_create, SYS_timerfd_settime, SYS_timerfd_gettime,
		SYS_inotify_init1, SYS_inotify_add_watch, SYS_inotify_rm_watch,
		SYS_memfd_create, SYS_fallocate, SYS_copy_file_range,
		SYS_sendfile, SYS_splice, SYS_tee, SYS_sync, SYS_syncfs,
		SYS_fadvise64, SYS_readahead, SYS_getxattr, SYS_lgetxattr,
		SYS_fgetxattr, SYS_listxattr, SYS_llistxattr, SYS_flistxattr,
		SYS_setxattr, SYS_lsetxattr, SYS_fsetxattr, SYS_removexattr,
		SYS_lremovexattr, SYS_fremovexattr, SYS_mknod, SYS_mknodat,
		SYS_futex, SYS_alarm, SYS_setitimer, SYS_getitimer,
		SYS_sched_getparam, SYS_sched_getscheduler, SYS_capget,
		SYS_signalfd4,
	};
	long nr, max = cabin_kvm_fwd_max_nr(), n = 0;
	int i;

	(void)state;
	for (nr = 0; nr <= max; nr++) {
		const struct cabin_kvm_fwd_entry *e = cabin_kvm_fwd_entry(nr);
		unsigned int strs = 0;

		if (!e)
			continue;
		n++;
		for (i = 0; i < 6; i++) {
			const struct cabin_kvm_arg *a = &e->arg[i];

			if (a->kind == CABIN_KVM_ARG_STR ||
			    a->kind == CABIN_KVM_ARG_PATH)
				strs++;
			if (a->kind >= CABIN_KVM_ARG_IN &&
			    a->kind <= CABIN_KVM_ARG_INOUT)
				assert_true(a->size > 0);
			if (a->kind >= CABIN_KVM_ARG_IN &&
			    a->ref != CABIN_KVM_NOREF) {
				assert_true(a->ref < 6 && a->ref != i);
				assert_int_equal(e->arg[a->ref].kind,
						 CABIN_KVM_ARG_INT);
			}
		}
		assert_true(strs <= CABIN_KVM_MAX_STR);
	}
	assert_true(n >= (long)(sizeof(required) / sizeof(required[0])));
	for (i = 0; i < (int)(sizeof(required) / sizeof(required[0])); i++)
		assert_true(cabin_kvm_fwd_handles(required[i]));
}

static void test_misc_calls(void **state)
{
	uint64_t uts = galloc(sizeof(struct utsname));
	uint64_t cwd = galloc(PATH_MAX), rnd = galloc(16), ts = galloc(16);
	char host_cwd[PATH_MAX];
	long n;

	(void)state;
	assert_int_equal(FWD(SYS_uname, uts), 0);
	assert_string_equal(H(uts), "Linux");
	assert_int_equal(FWD(SYS_uname, U_RO), -EFAULT);
	n = FWD(SYS_getcwd, cwd, PATH_MAX);
	assert_non_null(getcwd(host_cwd, sizeof(host_cwd)));
	assert_int_equal(n, strlen(host_cwd) + 1);
	assert_string_equal(H(cwd), host_cwd);
	assert_int_equal(FWD(SYS_getrandom, rnd, 16, 0), 16);
	assert_int_equal(FWD(SYS_getrandom, U_RO, 16, 0), -EFAULT);
	assert_int_equal(FWD(SYS_clock_gettime, CLOCK_MONOTONIC, ts), 0);
	assert_int_equal(FWD(SYS_nanosleep, HOLE - 8, 0), -EFAULT);
	memset(H(ts), 0, 16);
	assert_int_equal(FWD(SYS_nanosleep, ts, 0), 0);
	/* epoll_wait: a negative count is the kernel's -EINVAL. */
	long ep = FWD(SYS_epoll_create1, 0);

	assert_true(ep >= 0 && ep < FLOOR);
	assert_int_equal(FWD(SYS_epoll_wait, (uint64_t)ep, galloc(12), -1, 0),
			 -EINVAL);
	assert_int_equal(FWD(SYS_epoll_wait, (uint64_t)ep, U_RO, 1, 0),
			 -EFAULT);
	assert_int_equal(FWD(SYS_epoll_wait, (uint64_t)ep, galloc(12), 1, 0),
			 0);
	close((int)ep);
}

/* "/proc/self/fd/FD" + rest, as a guest string. */
static uint64_t fd_path(int fd, const char *rest)
{
	char p[128];

	snprintf(p, sizeof(p), "/proc/self/fd/%d%s", fd, rest);
	return gstr(p);
}

static uint64_t gpath(const char *dir, const char *name)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return gstr(p);
}

/* A monitor's descriptor (>= the floor) for path, opened with flags. */
static int monitor_open(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC, 0600);
	int m = fcntl(fd, F_DUPFD_CLOEXEC, FLOOR + 5);

	assert_true(fd >= 0 && m >= FLOOR);
	close(fd);
	return m;
}

/*
 * Every path call the forwarder performs, through a magic link to the
 * monitor's file and directory: none reaches them (EACCES where the call
 * follows the link, ENOENT where it names the link itself); the
 * program's own descriptors still lead to their files, for no more
 * access than they are open with.
 */
static void test_magic_paths(void **state)
{
	char dir[] = "/tmp/cabin-kvm-magic-XXXXXX", file[PATH_MAX];
	char mdir[PATH_MAX], link[PATH_MAX], cwd[PATH_MAX];
	uint64_t st = galloc(sizeof(struct stat)), buf = galloc(256);
	uint64_t tv = galloc(2 * sizeof(struct timespec));
	uint64_t name = gstr("user.cabin"), val = gstr("v");
	struct timespec *t = H(tv);
	struct stat s;
	int m, md, own, ro, od, ino;
	uint64_t p, q, mfile, mlink;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	snprintf(file, sizeof(file), "%s/monitor", dir);
	snprintf(mdir, sizeof(mdir), "%s/mdir", dir);
	snprintf(link, sizeof(link), "%s/link", dir);
	assert_int_equal(mkdir(mdir, 0700), 0);
	m = monitor_open(file, O_RDWR | O_CREAT);
	assert_int_equal(write(m, "monitor", 7), 7);
	md = monitor_open(mdir, O_RDONLY | O_DIRECTORY);
	p = fd_path(m, "");
	t[0].tv_nsec = UTIME_NOW;
	t[1].tv_nsec = UTIME_OMIT;

	/* Followed: the monitor's file is not the program's. */
	assert_int_equal(FWD(SYS_truncate, p, 0), -EACCES);
	assert_int_equal(FWD(SYS_stat, p, st), -EACCES);
	assert_int_equal(FWD(SYS_newfstatat, (uint64_t)AT_FDCWD, p, st, 0),
			 -EACCES);
	assert_int_equal(FWD(SYS_statx, (uint64_t)AT_FDCWD, p, 0, 0xfff,
			     galloc(sizeof(struct statx))), -EACCES);
	assert_int_equal(FWD(SYS_statfs, p, galloc(sizeof(struct statfs))),
			 -EACCES);
	assert_int_equal(FWD(SYS_access, p, F_OK), -EACCES);
	assert_int_equal(FWD(SYS_faccessat2, (uint64_t)AT_FDCWD, p, W_OK, 0),
			 -EACCES);
	assert_int_equal(FWD(SYS_chmod, p, 0666), -EACCES);
	assert_int_equal(FWD(SYS_fchmodat, (uint64_t)AT_FDCWD, p, 0666),
			 -EACCES);
	assert_int_equal(FWD(SYS_chown, p, -1, -1), -EACCES);
	assert_int_equal(FWD(SYS_fchownat, (uint64_t)AT_FDCWD, p, -1, -1, 0),
			 -EACCES);
	assert_int_equal(FWD(SYS_utimensat, (uint64_t)AT_FDCWD, p, tv, 0),
			 -EACCES);
	assert_int_equal(FWD(SYS_utimes, p, 0), -EACCES);
	assert_int_equal(FWD(SYS_getxattr, p, name, buf, 256), -EACCES);
	assert_int_equal(FWD(SYS_setxattr, p, name, val, 1, 0), -EACCES);
	assert_int_equal(FWD(SYS_removexattr, p, name), -EACCES);
	assert_int_equal(FWD(SYS_listxattr, p, buf, 256), -EACCES);
	assert_int_equal(FWD(SYS_linkat, (uint64_t)AT_FDCWD, p,
			     (uint64_t)AT_FDCWD, gpath(dir, "linked"),
			     AT_SYMLINK_FOLLOW), -EACCES);
	assert_int_equal(FWD(SYS_chdir, fd_path(md, "")), -EACCES);
	ino = inotify_init1(IN_CLOEXEC);
	assert_int_equal(FWD(SYS_inotify_add_watch, (uint64_t)ino, p,
			     IN_MODIFY), -EACCES);
	close(ino);
	/* The same by /dev/fd, thread-self, "..", a symlink. */
	assert_int_equal(symlink(file + 0, link), 0);
	assert_int_equal(unlink(link), 0);
	{
		char l[64];

		snprintf(l, sizeof(l), "/proc/self/fd/%d", m);
		assert_int_equal(symlink(l, link), 0);
	}
	mlink = gstr(link);
	assert_int_equal(FWD(SYS_truncate, mlink, 0), -EACCES);
	assert_int_equal(FWD(SYS_stat, mlink, st), -EACCES);
	/* Its own symlink, not followed, is the program's to see. */
	assert_int_equal(FWD(SYS_lstat, mlink, st), 0);
	assert_true(S_ISLNK(((struct stat *)H(st))->st_mode));
	{
		char l[64];

		snprintf(l, sizeof(l), "/proc/thread-self/fd/%d", m);
		assert_int_equal(FWD(SYS_truncate, gstr(l), 0), -EACCES);
		snprintf(l, sizeof(l), "/proc/self/task/../fd/%d", m);
		assert_int_equal(FWD(SYS_chmod, gstr(l), 0666), -EACCES);
		snprintf(l, sizeof(l), "/proc/self/fd/%d/", md);
		assert_int_equal(FWD(SYS_lstat, gstr(l), st), -EACCES);
	}

	/* Named, not followed: the monitor's link does not exist. */
	assert_int_equal(FWD(SYS_lstat, p, st), -ENOENT);
	assert_int_equal(FWD(SYS_newfstatat, (uint64_t)AT_FDCWD, p, st,
			     AT_SYMLINK_NOFOLLOW), -ENOENT);
	assert_int_equal(FWD(SYS_readlink, p, buf, 256), -ENOENT);
	assert_int_equal(FWD(SYS_readlinkat, (uint64_t)AT_FDCWD, p, buf, 256),
			 -ENOENT);
	assert_int_equal(FWD(SYS_lgetxattr, p, name, buf, 256), -ENOENT);
	assert_int_equal(FWD(SYS_lchown, p, -1, -1), -ENOENT);
	assert_int_equal(FWD(SYS_unlink, p), -ENOENT);
	assert_int_equal(FWD(SYS_rename, p, gpath(dir, "moved")), -ENOENT);
	assert_int_equal(FWD(SYS_link, p, gpath(dir, "linked")), -ENOENT);

	/* The link itself (O_PATH | O_NOFOLLOW): not the monitor's. */
	assert_int_equal(FWD(SYS_open, p, O_PATH | O_NOFOLLOW), -ENOENT);
	{
		long l = FWD(SYS_open, mlink, O_PATH | O_NOFOLLOW);

		/* The program's own symlink is its own to open. */
		assert_true(l >= 0 && l < FLOOR);
		close((int)l);
	}

	/* In the monitor's directory: nothing is made, moved or seen. */
	q = fd_path(md, "/x");
	assert_int_equal(FWD(SYS_mkdir, q, 0700), -EACCES);
	assert_int_equal(FWD(SYS_mknod, q, S_IFIFO | 0600, 0), -EACCES);
	assert_int_equal(FWD(SYS_symlink, gstr("t"), q), -EACCES);
	assert_int_equal(FWD(SYS_rename, gpath(dir, "link"), q), -EACCES);
	assert_int_equal(FWD(SYS_unlinkat, (uint64_t)AT_FDCWD, q, 0), -EACCES);
	assert_int_equal(FWD(SYS_lstat, q, st), -EACCES);
	assert_int_equal(FWD(SYS_stat, gstr(mdir), st), 0);
	assert_int_equal(((struct stat *)H(st))->st_nlink, 2);
	assert_int_equal(fstat(m, &s), 0);
	assert_int_equal(s.st_size, 7);

	/* The program's own: its file reopens, its directory works. */
	ro = open(file, O_RDONLY | O_CLOEXEC);
	od = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(ro >= 0 && ro < FLOOR && od >= 0 && od < FLOOR);
	assert_int_equal(FWD(SYS_truncate, fd_path(ro, ""), 3), -EACCES);
	assert_int_equal(FWD(SYS_chmod, fd_path(ro, ""), 0644), -EACCES);
	assert_int_equal(FWD(SYS_stat, fd_path(ro, ""), st), 0);
	/* Held for writing too: then it may change. */
	own = open(file, O_RDWR | O_CLOEXEC);
	assert_true(own >= 0 && own < FLOOR);
	assert_int_equal(FWD(SYS_truncate, fd_path(own, ""), 3), 0);
	assert_int_equal(fstat(m, &s), 0);
	assert_int_equal(s.st_size, 3);
	assert_int_equal(FWD(SYS_readlink, fd_path(own, ""), buf, 256),
			 strlen(file));
	assert_memory_equal(H(buf), file, strlen(file));
	assert_int_equal(FWD(SYS_lstat, fd_path(own, ""), st), 0);
	assert_true(S_ISLNK(((struct stat *)H(st))->st_mode));
	{
		long l = FWD(SYS_open, fd_path(own, ""), O_PATH | O_NOFOLLOW);
		struct stat ls;

		assert_true(l >= 0 && l < FLOOR);
		assert_int_equal(fstat((int)l, &ls), 0);
		assert_true(S_ISLNK(ls.st_mode));
		close((int)l);
	}
	/* Below its directory: resolved from there, errors as Linux's. */
	assert_int_equal(FWD(SYS_stat, fd_path(od, "/monitor"), st), 0);
	assert_int_equal(FWD(SYS_stat, fd_path(od, "/missing"), st), -ENOENT);
	{
		long fd = FWD(SYS_open, fd_path(od, "/made"),
			      O_WRONLY | O_CREAT | O_EXCL, 0600);

		assert_true(fd >= 0 && fd < FLOOR);
		close((int)fd);
		assert_int_equal(FWD(SYS_unlink, fd_path(od, "/made")), 0);
	}
	assert_int_equal(FWD(SYS_open, fd_path(od, "/missing"), O_RDONLY),
			 -ENOENT);
	/* Past the monitor's: no ENOTDIR, ENOENT or EEXIST to tell. */
	assert_int_equal(FWD(SYS_stat, fd_path(m, "/."), st), -EACCES);
	assert_int_equal(FWD(SYS_mkdir, fd_path(md, "/sub/x"), 0700), -EACCES);
	assert_int_equal(FWD(SYS_open, fd_path(md, "/x"),
			     O_WRONLY | O_CREAT, 0600), -EACCES);
	assert_int_equal(FWD(SYS_mkdir, fd_path(od, "/sub"), 0700), 0);
	assert_int_equal(FWD(SYS_rmdir, fd_path(od, "/sub/"), 0700), 0);
	assert_int_equal(FWD(SYS_chdir, fd_path(od, "")), 0);
	assert_string_equal(getcwd(file, sizeof(file)), dir);
	assert_int_equal(chdir(cwd), 0);

	/* Plain paths as ever; a trailing slash follows the last link. */
	mfile = gpath(dir, "mdir/f");
	assert_int_equal(FWD(SYS_mknod, mfile, S_IFIFO | 0600, 0), 0);
	assert_int_equal(FWD(SYS_symlink, gstr("mdir"), gpath(dir, "d")), 0);
	assert_int_equal(FWD(SYS_lstat, gpath(dir, "d/"), st), 0);
	assert_true(S_ISDIR(((struct stat *)H(st))->st_mode));
	assert_int_equal(FWD(SYS_readlink, gpath(dir, "d"), buf, 256), 4);
	assert_int_equal(FWD(SYS_rename, mfile, gpath(dir, "d/g")), 0);
	assert_int_equal(FWD(SYS_link, gpath(dir, "d/g"), gpath(dir, "h")), 0);
	assert_int_equal(FWD(SYS_unlink, gpath(dir, "d/g")), 0);
	assert_int_equal(FWD(SYS_unlink, gpath(dir, "h")), 0);
	assert_int_equal(FWD(SYS_unlink, gpath(dir, "d")), 0);
	assert_int_equal(FWD(SYS_unlink, gpath(dir, "nothing")), -ENOENT);
	assert_int_equal(FWD(SYS_stat, gstr("/"), st), 0);
	assert_int_equal(FWD(SYS_stat, gstr(""), st), -ENOENT);

	/* A unix socket's file name is a path too. */
	{
		struct sockaddr_un un = { .sun_family = AF_UNIX };
		int srv = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		int cli = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		uint64_t ga;

		assert_true(srv >= 0 && srv < FLOOR && cli >= 0);
		snprintf(un.sun_path, sizeof(un.sun_path),
			 "/proc/self/fd/%d/sock", md);
		ga = gdata(&un, sizeof(un));
		assert_int_equal(FWD(SYS_bind, (uint64_t)srv, ga, sizeof(un)),
				 -EACCES);
		snprintf(un.sun_path, sizeof(un.sun_path), "%s/sock", dir);
		ga = gdata(&un, sizeof(un));
		assert_int_equal(FWD(SYS_bind, (uint64_t)srv, ga, sizeof(un)),
				 0);
		assert_int_equal(listen(srv, 1), 0);
		assert_int_equal(FWD(SYS_connect, (uint64_t)cli, ga,
				     sizeof(un)), 0);
		/* The monitor's directory: held by no descriptor below. */
		snprintf(un.sun_path, sizeof(un.sun_path), "/proc/self/fd/%d",
			 md);
		ga = gdata(&un, sizeof(un));
		assert_int_equal(FWD(SYS_connect, (uint64_t)cli, ga,
				     sizeof(un)), -EACCES);
		assert_int_equal(FWD(SYS_sendto, (uint64_t)cli, val, 1, 0, ga,
				     sizeof(un)), -EACCES);
		close(srv);
		close(cli);
		snprintf(un.sun_path, sizeof(un.sun_path), "%s/sock", dir);
		assert_int_equal(unlink(un.sun_path), 0);
	}
	assert_int_equal(FWD(SYS_stat, gstr(mdir), st), 0);
	assert_int_equal(((struct stat *)H(st))->st_nlink, 2);

	close(own);
	close(ro);
	close(od);
	close(m);
	close(md);
	unlink(link);
	snprintf(file, sizeof(file), "%s/monitor", dir);
	unlink(file);
	rmdir(mdir);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_pipe_roundtrip),
		T(test_readv_writev),
		T(test_bad_pointers),
		T(test_paths),
		T(test_self_exe),
		T(test_monitor_fds),
		T(test_new_fd_over_floor),
		T(test_close_range),
		T(test_sendmsg_rights),
		T(test_recvmsg_writes_back),
		T(test_recvmsg_rights_over_floor),
		T(test_mmsg),
		T(test_accept),
		T(test_poll_monitor_fd),
		T(test_select),
		T(test_ioctl),
		T(test_futex),
		T(test_socklen),
		T(test_limits_and_identity),
		T(test_mknod),
		T(test_not_forwarded),
		T(test_table_shape),
		T(test_misc_calls),
		T(test_magic_paths),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
