/*
 * kvm_hostile: hostile pointers and lengths to many syscalls, each of
 * which Linux answers with EFAULT.  For the kvm platform, whose monitor
 * translates every pointer a forwarded syscall carries, the program must
 * see the same: no byte of the proxy kernel (the low 2 MiB of the guest),
 * of the monitor, or of its own unmapped, read-only or inaccessible
 * memory may be read or written through a syscall.
 *
 * Pointers: into the first page; into the low 2 MiB (0x1000..0x1fffff,
 * the kvm proxy kernel's GDT, TSS, IDT, per-CPU data, image and stacks,
 * unmapped in a Linux process); far above any mapping; non-canonical and
 * kernel-half addresses; objects that start in a mapped page and run
 * into an unmapped guard page; read-only, PROT_NONE and code pages as
 * destinations; lengths that run past the address space or wrap.
 *
 * Only cases that Linux fails as a whole are here: a read or write whose
 * buffer is partly valid transfers the valid part and returns its length
 * on Linux (so a straddling read/write buffer, or a bad second iovec in
 * the user half, is not a case), and every syscall goes through syscall()
 * so that no vDSO or libc wrapper touches the pointer first.  The
 * expectations are those of the lab's kernel (Debian's 6.1); a newer one
 * (6.18 was tried) differs in one case: readv with iov_len 2^62 reads
 * what fits before the guard and returns that count instead of EFAULT.
 *
 * Prints "NAME: EFAULT" per case, or what it got instead, then
 * "all N EFAULT" or "N of M not EFAULT"; exits 0 only if every case gave
 * EFAULT and the failed calls left no descriptor open.
 * Needs a readable working directory (it lists "."), /dev/zero and
 * /bin/true (the execve cases, last).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#ifndef ARCH_GET_FS
#define ARCH_GET_FS 0x1003
#endif

#define PAGE 4096ul

static int total, bad;

static void check(const char *name, long r)
{
	int e = errno;

	total++;
	if (r == -1 && e == EFAULT) {
		printf("%s: EFAULT\n", name);
		return;
	}
	bad++;
	if (r == -1) {
		const char *n = strerrorname_np(e);
		if (n)
			printf("%s: %s\n", name, n);
		else
			printf("%s: errno %d\n", name, e);
	} else {
		printf("%s: returned %ld\n", name, r);
	}
}

/* T(name, syscall(...)): one case. */
#define T(name, call)                    \
	do {                             \
		errno = 0;               \
		long r_ = (long)(call);  \
		check((name), r_);       \
	} while (0)

static void die(const char *what)
{
	fprintf(stderr, "kvm_hostile: %s: %s\n", what, strerror(errno));
	exit(2);
}

static int zero, pip[2], sp[2], dfd, ep;
static char buf[4096];

/* The pipe's write end must have room: empty it (non-blocking). */
static void drain_pipe(void)
{
	char tmp[512];

	while (read(pip[0], tmp, sizeof tmp) > 0)
		;
}

/* One datagram waiting on sp[1], from the autobound sp[0]. */
static void dgram(void)
{
	char tmp[64];

	while (recv(sp[1], tmp, sizeof tmp, MSG_DONTWAIT) > 0)
		;
	if (send(sp[0], "datagram", 8, 0) != 8)
		die("send");
}

/* The last n bytes before the guard page, refilled with 'a' (no NUL: a
 * path there runs into the guard) since earlier cases may have written
 * part of a struct there. */
static char *edge;
static char *before_guard(size_t n)
{
	memset(edge - 256, 'a', 256);
	return edge - n;
}

static void rewind_dir(void)
{
	if (lseek(dfd, 0, SEEK_SET) < 0)
		die("lseek .");
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);

	zero = open("/dev/zero", O_RDONLY | O_CLOEXEC);
	if (zero < 0)
		die("/dev/zero");
	if (pipe2(pip, O_NONBLOCK | O_CLOEXEC) < 0)
		die("pipe2");
	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sp) < 0)
		die("socketpair");
	/* Autobind sp[0] so that what sp[1] receives has a sender address
	 * for recvmsg to copy out. */
	struct sockaddr_un auto_addr = { .sun_family = AF_UNIX };
	if (bind(sp[0], (struct sockaddr *)&auto_addr, sizeof(sa_family_t)) < 0)
		die("bind (autobind)");
	dfd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		die("open .");
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0)
		die("epoll_create1");
	struct epoll_event ev = { .events = EPOLLOUT };
	if (epoll_ctl(ep, EPOLL_CTL_ADD, pip[1], &ev) < 0)
		die("epoll_ctl");

	/* [0] read-write, ends at the guard; [1] guard (unmapped last, so
	 * that no later mapping can fill it); [2] read-only; [3] PROT_NONE. */
	char *area = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED)
		die("mmap");
	edge = area + PAGE;
	char *ro = area + 2 * PAGE, *none = area + 3 * PAGE;
	if (mprotect(ro, PAGE, PROT_READ) < 0 ||
	    mprotect(none, PAGE, PROT_NONE) < 0)
		die("mprotect");
	if (munmap(edge, PAGE) < 0)
		die("munmap");
	void *text = (void *)((uintptr_t)&check & ~(uintptr_t)(PAGE - 1));

	/* The lowest free descriptor: a failed call must leave none open
	 * (pipe2 and socketpair create theirs before the copy-out fails). */
	int free_fd = fcntl(0, F_DUPFD, 0);
	if (free_fd < 0 || close(free_fd) < 0)
		die("F_DUPFD");

	struct timespec ts0 = { 0, 0 }, ts1ms = { 0, 1000000 };
	struct timeval tv0 = { 0, 0 };
	struct stat st;
	char name[96];

	/* Plain pointers, as read destinations and write sources: the first
	 * page, the kvm proxy kernel's area, far up, non-canonical,
	 * kernel half, vsyscall page. */
	static const struct {
		uintptr_t addr;
		const char *what;
	} ptrs[] = {
		{ 0x0, "NULL" },
		{ 0x10, "first page" },
		{ 0xff0, "first page end" },
		{ 0x1000, "kvm GDT" },
		{ 0x2000, "kvm TSS" },
		{ 0x3000, "kvm IDT" },
		{ 0x4000, "kvm per-cpu" },
		{ 0x10000, "kvm kernel image" },
		{ 0x6fff0, "kvm kernel image end" },
		{ 0x77ff0, "kvm double-fault stack" },
		{ 0x9fff0, "kvm kernel stack" },
		{ 0x1ff000, "kvm area end" },
		{ 0x100000000000, "far" },
		{ 0x400000000000, "far" },
		{ 0x7ffffffff000, "last user page" },
		{ 0x800000000000, "non-canonical" },
		{ 0xffff800000000000, "kernel half" },
		{ 0xffffffffff600000, "vsyscall page" },
	};
	for (size_t i = 0; i < sizeof ptrs / sizeof ptrs[0]; i++) {
		snprintf(name, sizeof name, "read into %#lx (%s)",
			 (unsigned long)ptrs[i].addr, ptrs[i].what);
		T(name, syscall(SYS_read, zero, ptrs[i].addr, 16));
		drain_pipe();
		snprintf(name, sizeof name, "write from %#lx (%s)",
			 (unsigned long)ptrs[i].addr, ptrs[i].what);
		T(name, syscall(SYS_write, pip[1], ptrs[i].addr, 16));
	}

	/* Read-only, inaccessible and code pages. */
	T("read into a PROT_READ page", syscall(SYS_read, zero, ro, 16));
	T("read into a PROT_NONE page", syscall(SYS_read, zero, none, 16));
	T("read into the program's code", syscall(SYS_read, zero, text, 16));
	drain_pipe();
	T("write from a PROT_NONE page", syscall(SYS_write, pip[1], none, 16));
	T("read into the guard page", syscall(SYS_read, zero, edge, 16));
	drain_pipe();
	T("write from the guard page", syscall(SYS_write, pip[1], edge, 16));

	/* Lengths past the address space, on a valid buffer: its last 16
	 * bytes before the guard, so that a kernel or monitor that does
	 * start copying stops at the guard instead of overrunning memory
	 * that matters. */
	char *tail = before_guard(16);
	T("read count SIZE_MAX", syscall(SYS_read, zero, tail, SIZE_MAX));
	drain_pipe();
	T("write count SIZE_MAX", syscall(SYS_write, pip[1], tail, SIZE_MAX));
	T("read count wrapping to 0x1000",
	  syscall(SYS_read, zero, tail, (size_t)0x1000 - (uintptr_t)tail));
	drain_pipe();
	T("write count wrapping to 0x1000",
	  syscall(SYS_write, pip[1], tail, (size_t)0x1000 - (uintptr_t)tail));
	T("pread64 count SIZE_MAX",
	  syscall(SYS_pread64, zero, tail, SIZE_MAX, 0));
	{
		struct iovec iov = { tail, (size_t)1 << 62 };
		T("readv iov_len 2^62", syscall(SYS_readv, zero, &iov, 1));
		drain_pipe();
		T("writev iov_len 2^62", syscall(SYS_writev, pip[1], &iov, 1));
	}

	/* readv/writev with a bad iovec array or one bad iovec. */
	T("readv iovec array NULL", syscall(SYS_readv, zero, NULL, 1));
	T("readv iovec array 0x3000", syscall(SYS_readv, zero, 0x3000, 1));
	T("readv iovec array into the guard",
	  syscall(SYS_readv, zero, before_guard(8), 1));
	{
		struct iovec iov[2] = { { NULL, 16 }, { buf, 16 } };
		T("readv first iovec NULL", syscall(SYS_readv, zero, iov, 2));
		iov[0].iov_base = (void *)0x10000;
		drain_pipe();
		T("writev first iovec 0x10000",
		  syscall(SYS_writev, pip[1], iov, 2));
		iov[0].iov_base = buf;
		iov[1].iov_base = (void *)0xffff800000000000;
		T("readv second iovec in the kernel half",
		  syscall(SYS_readv, zero, iov, 2));
		drain_pipe();
		iov[1].iov_base = (void *)0xffffffffff600000;
		T("writev second iovec at the vsyscall page",
		  syscall(SYS_writev, pip[1], iov, 2));
		iov[0].iov_base = ro;
		iov[1].iov_base = buf;
		T("readv first iovec read-only",
		  syscall(SYS_readv, zero, iov, 2));
	}

	/* Paths. */
	T("stat path NULL", syscall(SYS_stat, NULL, &st));
	T("stat path 0x10000", syscall(SYS_stat, 0x10000, &st));
	T("stat path far", syscall(SYS_stat, 0x100000000000, &st));
	T("stat path into the guard", syscall(SYS_stat, before_guard(64), &st));
	T("stat buf NULL", syscall(SYS_stat, ".", NULL));
	T("stat buf 0x4000", syscall(SYS_stat, ".", 0x4000));
	T("stat buf read-only", syscall(SYS_stat, ".", ro));
	T("stat buf into the guard", syscall(SYS_stat, ".", before_guard(64)));
	T("fstat buf 0x10000", syscall(SYS_fstat, zero, 0x10000));
	T("newfstatat path 0x2000",
	  syscall(SYS_newfstatat, AT_FDCWD, 0x2000, &st, 0));
	T("newfstatat buf far",
	  syscall(SYS_newfstatat, AT_FDCWD, ".", 0x100000000000, 0));
	T("statx buf NULL",
	  syscall(SYS_statx, AT_FDCWD, ".", 0, 0x7ffu, NULL));
	T("openat path NULL",
	  syscall(SYS_openat, AT_FDCWD, NULL, O_RDONLY));
	T("openat path 0x10000",
	  syscall(SYS_openat, AT_FDCWD, 0x10000, O_RDONLY));
	T("openat path far",
	  syscall(SYS_openat, AT_FDCWD, 0x100000000000, O_RDONLY));
	T("openat path into the guard",
	  syscall(SYS_openat, AT_FDCWD, before_guard(64), O_RDONLY));
	T("openat path non-canonical",
	  syscall(SYS_openat, AT_FDCWD, 0x800000000000, O_RDONLY));
	T("faccessat path 0x1000",
	  syscall(SYS_faccessat, AT_FDCWD, 0x1000, F_OK));
	T("mkdirat path 0x10000",
	  syscall(SYS_mkdirat, AT_FDCWD, 0x10000, 0700));
	T("chdir path into the guard", syscall(SYS_chdir, before_guard(64)));
	T("getcwd buf 0x10000", syscall(SYS_getcwd, 0x10000, 4096));

	/* getdents64. */
	rewind_dir();
	T("getdents64 buf NULL", syscall(SYS_getdents64, dfd, NULL, 4096));
	rewind_dir();
	T("getdents64 buf 0x10000",
	  syscall(SYS_getdents64, dfd, 0x10000, 4096));
	rewind_dir();
	T("getdents64 buf into the guard",
	  syscall(SYS_getdents64, dfd, before_guard(8), 4096));
	rewind_dir();
	T("getdents64 buf read-only", syscall(SYS_getdents64, dfd, ro, 4096));

	/* poll, ppoll, select, epoll. */
	T("poll fds NULL", syscall(SYS_poll, NULL, 1, 0));
	T("poll fds 0x3000", syscall(SYS_poll, 0x3000, 1, 0));
	T("poll fds into the guard", syscall(SYS_poll, before_guard(4), 1, 0));
	{
		struct pollfd pfd = { .fd = pip[1], .events = POLLOUT };
		T("ppoll timeout 0x10000",
		  syscall(SYS_ppoll, &pfd, 1, 0x10000, NULL, 8));
		T("ppoll sigmask far",
		  syscall(SYS_ppoll, &pfd, 1, &ts0, 0x100000000000, 8));
	}
	T("select readfds 0x10000",
	  syscall(SYS_select, 1, 0x10000, NULL, NULL, &tv0));
	T("select timeout 0x10000",
	  syscall(SYS_select, 0, NULL, NULL, NULL, 0x10000));
	T("epoll_wait events 0x10000 (an event is ready)",
	  syscall(SYS_epoll_wait, ep, 0x10000, 1, 0));
	T("epoll_ctl event NULL",
	  syscall(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, zero, NULL));

	/* sendmsg/recvmsg and friends, on an AF_UNIX datagram pair. */
	{
		struct iovec iov = { buf, 16 };
		struct msghdr m;

		T("sendmsg msghdr NULL", syscall(SYS_sendmsg, sp[0], NULL, 0));
		memset(&m, 0, sizeof m);
		m.msg_iov = NULL;
		m.msg_iovlen = 1;
		T("sendmsg msg_iov NULL", syscall(SYS_sendmsg, sp[0], &m, 0));
		m.msg_iov = (struct iovec *)0x10000;
		T("sendmsg msg_iov 0x10000", syscall(SYS_sendmsg, sp[0], &m, 0));
		m.msg_iov = (struct iovec *)(before_guard(8));
		T("sendmsg msg_iov into the guard",
		  syscall(SYS_sendmsg, sp[0], &m, 0));
		struct iovec biov = { (void *)0x10000, 16 };
		m.msg_iov = &biov;
		T("sendmsg iov_base 0x10000",
		  syscall(SYS_sendmsg, sp[0], &m, 0));
		m.msg_iov = &iov;
		m.msg_name = (void *)0x10000;
		m.msg_namelen = sizeof(struct sockaddr_un);
		T("sendmsg msg_name 0x10000",
		  syscall(SYS_sendmsg, sp[0], &m, 0));
		m.msg_name = NULL;
		m.msg_namelen = 0;
		m.msg_control = (void *)0x10000;
		m.msg_controllen = 64;
		T("sendmsg msg_control 0x10000",
		  syscall(SYS_sendmsg, sp[0], &m, 0));
		T("sendto buf NULL",
		  syscall(SYS_sendto, sp[0], NULL, 16, 0, NULL, 0));
		T("sendto addr 0x10000",
		  syscall(SYS_sendto, sp[0], buf, 16, 0, 0x10000,
			  sizeof(struct sockaddr_un)));

		dgram();
		T("recvmsg msghdr NULL", syscall(SYS_recvmsg, sp[1], NULL, 0));
		memset(&m, 0, sizeof m);
		m.msg_iov = NULL;
		m.msg_iovlen = 1;
		dgram();
		T("recvmsg msg_iov NULL", syscall(SYS_recvmsg, sp[1], &m, 0));
		m.msg_iov = (struct iovec *)0x4000;
		dgram();
		T("recvmsg msg_iov 0x4000", syscall(SYS_recvmsg, sp[1], &m, 0));
		m.msg_iov = &biov;
		dgram();
		T("recvmsg iov_base 0x10000",
		  syscall(SYS_recvmsg, sp[1], &m, 0));
		struct iovec roiov = { ro, 16 };
		m.msg_iov = &roiov;
		dgram();
		T("recvmsg iov_base read-only",
		  syscall(SYS_recvmsg, sp[1], &m, 0));
		m.msg_iov = &iov;
		m.msg_name = (void *)0x10000;
		m.msg_namelen = sizeof(struct sockaddr_un);
		dgram();
		T("recvmsg msg_name 0x10000",
		  syscall(SYS_recvmsg, sp[1], &m, 0));
		dgram();
		T("recvfrom buf NULL",
		  syscall(SYS_recvfrom, sp[1], NULL, 16, 0, NULL, NULL));
		dgram();
		T("recvfrom buf far",
		  syscall(SYS_recvfrom, sp[1], 0x100000000000, 16, 0, NULL,
			  NULL));
	}
	{
		socklen_t len = sizeof(struct sockaddr_un);
		T("getsockname addr 0x10000",
		  syscall(SYS_getsockname, sp[0], 0x10000, &len));
		T("getsockname addrlen NULL",
		  syscall(SYS_getsockname, sp[0], buf, NULL));
		len = sizeof(int);
		T("getsockopt optval 0x10000",
		  syscall(SYS_getsockopt, sp[0], SOL_SOCKET, SO_TYPE, 0x10000,
			  &len));
		T("setsockopt optval NULL",
		  syscall(SYS_setsockopt, sp[0], SOL_SOCKET, SO_RCVBUF, NULL,
			  sizeof(int)));
		T("connect addr 0x10000",
		  syscall(SYS_connect, sp[0], 0x10000,
			  sizeof(struct sockaddr_un)));
		T("socketpair sv 0x10000",
		  syscall(SYS_socketpair, AF_UNIX, SOCK_DGRAM, 0, 0x10000));
		T("socketpair sv into the guard",
		  syscall(SYS_socketpair, AF_UNIX, SOCK_DGRAM, 0, before_guard(4)));
	}

	/* Clocks and time. */
	T("clock_gettime NULL",
	  syscall(SYS_clock_gettime, CLOCK_REALTIME, NULL));
	T("clock_gettime 0x4000",
	  syscall(SYS_clock_gettime, CLOCK_MONOTONIC, 0x4000));
	T("clock_gettime far",
	  syscall(SYS_clock_gettime, CLOCK_MONOTONIC, 0x100000000000));
	T("clock_gettime into the guard",
	  syscall(SYS_clock_gettime, CLOCK_MONOTONIC, before_guard(8)));
	T("clock_gettime read-only",
	  syscall(SYS_clock_gettime, CLOCK_MONOTONIC, ro));
	T("clock_getres 0x10", syscall(SYS_clock_getres, CLOCK_MONOTONIC, 0x10));
	T("gettimeofday tv 0x10", syscall(SYS_gettimeofday, 0x10, NULL));
	T("gettimeofday tv into the guard",
	  syscall(SYS_gettimeofday, before_guard(8), NULL));
	T("gettimeofday tz 0x2000", syscall(SYS_gettimeofday, NULL, 0x2000));
	T("time tloc 0x10", syscall(SYS_time, 0x10));
	T("nanosleep req NULL", syscall(SYS_nanosleep, NULL, NULL));

	/* pipe. */
	T("pipe2 NULL", syscall(SYS_pipe2, NULL, 0));
	T("pipe2 0x2000", syscall(SYS_pipe2, 0x2000, 0));
	T("pipe2 into the guard", syscall(SYS_pipe2, before_guard(4), 0));
	T("pipe2 read-only", syscall(SYS_pipe2, ro, 0));
	T("pipe 0x10000", syscall(SYS_pipe, 0x10000));

	/* uname. */
	T("uname NULL", syscall(SYS_uname, NULL));
	T("uname 0x1000", syscall(SYS_uname, 0x1000));
	T("uname far", syscall(SYS_uname, 0x100000000000));
	T("uname into the guard", syscall(SYS_uname, before_guard(100)));
	T("uname read-only", syscall(SYS_uname, ro));

	/* Process state, signals, limits. */
	T("getrandom buf 0x10000", syscall(SYS_getrandom, 0x10000, 16, 0));
	T("sysinfo NULL", syscall(SYS_sysinfo, NULL));
	T("getrusage NULL", syscall(SYS_getrusage, RUSAGE_SELF, NULL));
	T("getrlimit 0x10000", syscall(SYS_getrlimit, RLIMIT_NOFILE, 0x10000));
	T("prlimit64 old 0x10000",
	  syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, 0x10000));
	T("getresuid 0x10000",
	  syscall(SYS_getresuid, 0x10000, 0x10000, 0x10000));
	T("sched_getaffinity mask 0x10000",
	  syscall(SYS_sched_getaffinity, 0, 128, 0x10000));
	T("rt_sigaction act 0x10000",
	  syscall(SYS_rt_sigaction, SIGUSR1, 0x10000, NULL, 8));
	T("rt_sigaction oldact 0x3000",
	  syscall(SYS_rt_sigaction, SIGUSR1, NULL, 0x3000, 8));
	T("rt_sigprocmask set 0x10000",
	  syscall(SYS_rt_sigprocmask, SIG_BLOCK, 0x10000, NULL, 8));
	T("rt_sigprocmask oldset read-only",
	  syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, ro, 8));
	T("sigaltstack ss 0x10000", syscall(SYS_sigaltstack, 0x10000, NULL));
	T("arch_prctl ARCH_GET_FS 0x4000",
	  syscall(SYS_arch_prctl, ARCH_GET_FS, 0x4000));
	T("futex FUTEX_WAIT far",
	  syscall(SYS_futex, 0x100000000000, FUTEX_WAIT_PRIVATE, 0, &ts1ms,
		  NULL, 0));
	T("ioctl FIONREAD 0x10000", syscall(SYS_ioctl, pip[0], FIONREAD, 0x10000));
	T("fcntl F_GETLK 0x10000", syscall(SYS_fcntl, zero, F_GETLK, 0x10000));

	{
		int fd = fcntl(0, F_DUPFD, 0);

		if (fd != free_fd) {
			printf("descriptors left open by the failed calls: "
			       "lowest free %d, was %d\n", fd, free_fd);
			bad++;
		}
		if (fd >= 0)
			close(fd);
	}

	/* execve last: should one succeed, the lines after it are missing. */
	{
		char *argv_ok[] = { "true", NULL };
		char *argv_bad[] = { (char *)0x100000000000, NULL };
		char *envp[] = { NULL };

		T("execve path NULL", syscall(SYS_execve, NULL, argv_ok, envp));
		T("execve path 0x10000",
		  syscall(SYS_execve, 0x10000, argv_ok, envp));
		T("execve argv 0x10000",
		  syscall(SYS_execve, "/bin/true", 0x10000, envp));
		T("execve argv[0] far",
		  syscall(SYS_execve, "/bin/true", argv_bad, envp));
		T("execve envp into the guard",
		  syscall(SYS_execve, "/bin/true", argv_ok, before_guard(4)));
	}

	if (bad)
		printf("%d of %d not EFAULT\n", bad, total);
	else
		printf("all %d EFAULT\n", total);
	return bad ? 1 : 0;
}
