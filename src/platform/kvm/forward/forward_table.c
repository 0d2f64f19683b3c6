/*
 * Which syscalls the forwarder performs, and the kind of each argument.
 * A syscall absent here is never performed for the program: the monitor
 * handles it (memory, threads, signals) or refuses it.  An argument not
 * described is passed to the host as 0, so a forgotten pointer faults
 * instead of reaching the host's memory.
 */
#include <sched.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/time.h>
#include <sys/times.h>
#include <sys/utsname.h>
#include <time.h>
#include <utime.h>

#include "platform/kvm/forward/forward_impl.h"

#define A(k, r, ...) \
	{ .kind = CABIN_KVM_ARG_##k, .ref = r, __VA_ARGS__ }
#define NOREF		CABIN_KVM_NOREF
#define OPT		CABIN_KVM_ARG_OPT
#define NINT		CABIN_KVM_ARG_NINT
#define I		A(INT, NOREF)
#define FD		A(FD, NOREF)
#define DFD		A(DIRFD, NOREF)
#define WR		CABIN_KVM_ARG_WR
/* A name, not resolved: an xattr's, a memfd's, a symlink's target. */
#define NAME		A(STR, NOREF)
/* Paths by how the call takes the last component (forward_path.c). */
#define P_(how, r, ...) \
	A(PATH, r, .path = CABIN_KVM_PATH_##how, __VA_ARGS__)
#define PATH		P_(FOLLOW, NOREF)
#define PATHW		P_(FOLLOW, NOREF, .flags = WR)
#define PATHW0		P_(FOLLOW, NOREF, .flags = WR | OPT)
#define LPATH		P_(NOFOLLOW, NOREF)
#define LPATHW		P_(NOFOLLOW, NOREF, .flags = WR)
#define ENTRY		P_(ENTRY, NOREF)
#define OPATH		P_(OWN, NOREF)
/* AT_SYMLINK_NOFOLLOW in argument r: not followed. */
#define ATPATH(r)	P_(AT_NOFOLLOW, r)
#define ATPATH0(r)	P_(AT_NOFOLLOW, r, .flags = OPT)
#define ATPATHW(r)	P_(AT_NOFOLLOW, r, .flags = WR)
#define ATPATHW0(r)	P_(AT_NOFOLLOW, r, .flags = WR | OPT)
#define X		A(NONE, NOREF)
/* A buffer of one t. */
#define IN(t)		A(IN, NOREF, .size = sizeof(t))
#define IN0(t)		A(IN, NOREF, .size = sizeof(t), .flags = OPT)
#define OUT(t)		A(OUT, NOREF, .size = sizeof(t))
#define OUT0(t)		A(OUT, NOREF, .size = sizeof(t), .flags = OPT)
#define INOUT0(t)	A(INOUT, NOREF, .size = sizeof(t), .flags = OPT)
/* A buffer of as many bytes as argument r says. */
#define IN_N(r)		A(IN, r, .size = 1)
#define IN_N0(r)	A(IN, r, .size = 1, .flags = OPT)
#define OUT_N(r)	A(OUT, r, .size = 1)
/* The same where the count is a C int. */
#define IN_NI(r)	A(IN, r, .size = 1, .flags = NINT)
#define IN_NI0(r)	A(IN, r, .size = 1, .flags = NINT | OPT)
#define OUT_NI(r)	A(OUT, r, .size = 1, .flags = NINT)
/* As many t as the int argument r says. */
#define OUT_TI(r, t)	A(OUT, r, .size = sizeof(t), .flags = NINT)
#define IOV_IN(r)	A(IOV_IN, r)
#define IOV_OUT(r)	A(IOV_OUT, r)

#define SYS(name, res, ...) \
	[SYS_##name] = { .on = 1, .result = CABIN_KVM_RES_##res, \
			 .arg = { __VA_ARGS__ } }
#define RUN(name, fn, ...) \
	[SYS_##name] = { .on = 1, .run = cabin_kvm_fwd_##fn, \
			 .arg = { __VA_ARGS__ } }

/* Guest and host are both x86-64: the host's structures are the guest's. */
_Static_assert(sizeof(struct stat) == 144, "x86-64 struct stat");
_Static_assert(sizeof(struct epoll_event) == 12, "packed epoll_event");
_Static_assert(sizeof(struct statx) == 256, "struct statx");

typedef struct timespec ts2_t[2];
typedef struct timeval tv2_t[2];

static const struct cabin_kvm_fwd_entry table[] = {
	/* Reading and writing descriptors. */
	SYS(read, INT, FD, OUT_N(2), I),
	SYS(write, INT, FD, IN_N(2), I),
	SYS(pread64, INT, FD, OUT_N(2), I, I),
	SYS(pwrite64, INT, FD, IN_N(2), I, I),
	SYS(readv, INT, FD, IOV_OUT(2), I),
	SYS(writev, INT, FD, IOV_IN(2), I),
	SYS(preadv, INT, FD, IOV_OUT(2), I, I, I),
	SYS(pwritev, INT, FD, IOV_IN(2), I, I, I),
	SYS(preadv2, INT, FD, IOV_OUT(2), I, I, I, I),
	SYS(pwritev2, INT, FD, IOV_IN(2), I, I, I, I),
	SYS(lseek, INT, FD, I, I),
	SYS(sendfile, INT, FD, FD, INOUT0(uint64_t), I),
	SYS(copy_file_range, INT, FD, INOUT0(uint64_t), FD, INOUT0(uint64_t),
	    I, I),
	SYS(splice, INT, FD, INOUT0(uint64_t), FD, INOUT0(uint64_t), I, I),
	SYS(tee, INT, FD, FD, I, I),
	SYS(getdents, INT, FD, OUT_N(2), I),
	SYS(getdents64, INT, FD, OUT_N(2), I),

	/* Opening and closing. */
	RUN(open, open, OPATH, I, I),
	RUN(openat, open, DFD, OPATH, I, I),
	RUN(openat2, open, DFD, OPATH, IN_N(3), I),
	RUN(creat, open, OPATH, I),
	SYS(close, INT, FD),
	RUN(close_range, close_range, I, I, I),
	SYS(dup, FD, FD),
	SYS(dup2, FD, FD, FD),
	SYS(dup3, FD, FD, FD, I),
	RUN(fcntl, fcntl, FD, I, X),
	SYS(flock, INT, FD, I),
	RUN(pipe, pipe, X),
	RUN(pipe2, pipe, X, I),
	RUN(ioctl, ioctl, FD, I, X),

	/* Files by name. */
	SYS(stat, INT, PATH, OUT(struct stat)),
	SYS(lstat, INT, LPATH, OUT(struct stat)),
	SYS(fstat, INT, FD, OUT(struct stat)),
	/* NULL with AT_EMPTY_PATH is the kernel's to accept (6.11 on). */
	SYS(newfstatat, INT, DFD, ATPATH0(3), OUT(struct stat), I),
	SYS(statx, INT, DFD, ATPATH0(2), I, I, OUT(struct statx)),
	SYS(statfs, INT, PATH, OUT(struct statfs)),
	SYS(fstatfs, INT, FD, OUT(struct statfs)),
	SYS(access, INT, PATH, I),
	SYS(faccessat, INT, DFD, PATH, I),
	SYS(faccessat2, INT, DFD, ATPATH(3), I, I),
	RUN(readlink, readlink, LPATH, OUT_NI(2), I),
	RUN(readlinkat, readlink, DFD, LPATH, OUT_NI(3), I),
	SYS(fsync, INT, FD),
	SYS(fdatasync, INT, FD),
	SYS(syncfs, INT, FD),
	SYS(sync, INT),
	SYS(truncate, INT, PATHW, I),
	SYS(ftruncate, INT, FD, I),
	SYS(fallocate, INT, FD, I, I, I),
	SYS(fadvise64, INT, FD, I, I, I),
	SYS(readahead, INT, FD, I, I),
	SYS(rename, INT, ENTRY, ENTRY),
	SYS(renameat, INT, DFD, ENTRY, DFD, ENTRY),
	SYS(renameat2, INT, DFD, ENTRY, DFD, ENTRY, I),
	SYS(mkdir, INT, ENTRY, I),
	SYS(mkdirat, INT, DFD, ENTRY, I),
	SYS(rmdir, INT, ENTRY),
	SYS(unlink, INT, ENTRY),
	SYS(unlinkat, INT, DFD, ENTRY, I),
	SYS(link, INT, LPATH, ENTRY),
	SYS(linkat, INT, DFD, P_(AT_FOLLOW, 4), DFD, ENTRY, I),
	SYS(symlink, INT, NAME, ENTRY),
	SYS(symlinkat, INT, NAME, DFD, ENTRY),
	RUN(mknod, mknod, ENTRY, I, I),
	RUN(mknodat, mknod, DFD, ENTRY, I, I),
	SYS(chmod, INT, PATHW, I),
	SYS(fchmod, INT, FD, I),
	SYS(fchmodat, INT, DFD, PATHW, I),
	SYS(chown, INT, PATHW, I, I),
	SYS(fchown, INT, FD, I, I),
	SYS(lchown, INT, LPATHW, I, I),
	SYS(fchownat, INT, DFD, ATPATHW(4), I, I, I),
	SYS(utimensat, INT, DFD, ATPATHW0(3), IN0(ts2_t), I),
	SYS(utimes, INT, PATHW, IN0(tv2_t)),
	SYS(utime, INT, PATHW, IN0(struct utimbuf)),
	SYS(futimesat, INT, DFD, PATHW0, IN0(tv2_t)),
	SYS(umask, INT, I),
	SYS(chdir, INT, PATH),
	SYS(fchdir, INT, FD),
	SYS(getcwd, INT, OUT_N(1), I),

	/* Extended attributes. */
	SYS(getxattr, INT, PATH, NAME, OUT_N(3), I),
	SYS(lgetxattr, INT, LPATH, NAME, OUT_N(3), I),
	SYS(fgetxattr, INT, FD, NAME, OUT_N(3), I),
	SYS(listxattr, INT, PATH, OUT_N(2), I),
	SYS(llistxattr, INT, LPATH, OUT_N(2), I),
	SYS(flistxattr, INT, FD, OUT_N(2), I),
	SYS(setxattr, INT, PATHW, NAME, IN_N(3), I, I),
	SYS(lsetxattr, INT, LPATHW, NAME, IN_N(3), I, I),
	SYS(fsetxattr, INT, FD, NAME, IN_N(3), I, I),
	SYS(removexattr, INT, PATHW, NAME),
	SYS(lremovexattr, INT, LPATHW, NAME),
	SYS(fremovexattr, INT, FD, NAME),

	/* Waiting on descriptors. */
	RUN(poll, poll),
	RUN(ppoll, ppoll),
	RUN(select, select),
	RUN(pselect6, pselect6),
	SYS(epoll_create, FD, I),
	SYS(epoll_create1, FD, I),
	SYS(epoll_ctl, INT, FD, I, FD, IN0(struct epoll_event)),
	SYS(epoll_wait, INT, FD, OUT_TI(2, struct epoll_event), I, I),
	SYS(epoll_pwait, INT, FD, OUT_TI(2, struct epoll_event), I, I,
	    IN_N0(5), I),
	SYS(epoll_pwait2, INT, FD, OUT_TI(2, struct epoll_event), I,
	    IN0(struct timespec), IN_N0(5), I),
	SYS(eventfd, FD, I),
	SYS(eventfd2, FD, I, I),
	SYS(signalfd, FD, FD, IN_N(2), I),
	SYS(signalfd4, FD, FD, IN_N(2), I, I),
	SYS(timerfd_create, FD, I, I),
	SYS(timerfd_settime, INT, FD, I, IN(struct itimerspec),
	    OUT0(struct itimerspec)),
	SYS(timerfd_gettime, INT, FD, OUT(struct itimerspec)),
	SYS(inotify_init, FD),
	SYS(inotify_init1, FD, I),
	SYS(inotify_add_watch, INT, FD, P_(IN_NOFOLLOW, 2), I),
	SYS(inotify_rm_watch, INT, FD, I),
	SYS(memfd_create, FD, NAME, I),

	/* Sockets. */
	SYS(socket, FD, I, I, I),
	RUN(socketpair, socketpair, I, I, I, X),
	RUN(connect, connect, FD, X, I),
	RUN(bind, bind, FD, X, I),
	SYS(listen, INT, FD, I),
	SYS(shutdown, INT, FD, I),
	RUN(accept, accept, FD, X, X),
	RUN(accept4, accept, FD, X, X, I),
	RUN(getsockname, sockname, FD, X, X),
	RUN(getpeername, sockname, FD, X, X),
	RUN(sendto, sendto, FD, IN_N(2), I, I, X, I),
	RUN(recvfrom, recvfrom, FD, OUT_N(2), I, I, X, X),
	RUN(sendmsg, sendmsg, FD, X, I),
	RUN(recvmsg, recvmsg, FD, X, I),
	RUN(sendmmsg, sendmmsg, FD, X, I, I),
	RUN(recvmmsg, recvmmsg, FD, X, I, I, X),
	RUN(setsockopt, setsockopt, FD, I, I, X, I),
	RUN(getsockopt, getsockopt, FD, I, I, X, X),

	/* Time. */
	SYS(nanosleep, INT, IN(struct timespec), OUT0(struct timespec)),
	SYS(clock_nanosleep, INT, I, I, IN(struct timespec),
	    OUT0(struct timespec)),
	SYS(clock_gettime, INT, I, OUT(struct timespec)),
	SYS(clock_getres, INT, I, OUT0(struct timespec)),
	SYS(gettimeofday, INT, OUT0(struct timeval), OUT0(struct timezone)),
	SYS(time, INT, OUT0(time_t)),
	SYS(alarm, INT, I),
	SYS(getitimer, INT, I, OUT(struct itimerval)),
	SYS(setitimer, INT, I, IN0(struct itimerval), OUT0(struct itimerval)),
	RUN(futex, futex, X, I, I, X, X, I),

	/* The process: identity, limits, scheduling. */
	SYS(getrandom, INT, OUT_N(1), I, I),
	SYS(uname, INT, OUT(struct utsname)),
	SYS(sysinfo, INT, OUT(struct sysinfo)),
	SYS(getrusage, INT, I, OUT(struct rusage)),
	SYS(times, INT, OUT0(struct tms)),
	SYS(getpid, INT),
	SYS(getppid, INT),
	SYS(gettid, INT),
	SYS(getuid, INT),
	SYS(geteuid, INT),
	SYS(getgid, INT),
	SYS(getegid, INT),
	SYS(getgroups, INT, I, OUT_TI(0, gid_t)),
	SYS(getresuid, INT, OUT(uid_t), OUT(uid_t), OUT(uid_t)),
	SYS(getresgid, INT, OUT(gid_t), OUT(gid_t), OUT(gid_t)),
	SYS(getpgrp, INT),
	SYS(setsid, INT),
	RUN(getpgid, self_pid, I),
	RUN(getsid, self_pid, I),
	RUN(setpgid, self_pid, I, I),
	SYS(sched_yield, INT),
	RUN(sched_getaffinity, self_pid, I, I, OUT_N(1)),
	RUN(sched_getparam, self_pid, I, OUT(struct sched_param)),
	RUN(sched_getscheduler, self_pid, I),
	RUN(getpriority, priority, I, I),
	RUN(setpriority, priority, I, I, I),
	RUN(getrlimit, getrlimit, I, X),
	RUN(setrlimit, setrlimit, I, X),
	RUN(prlimit64, prlimit64, I, I, X, X),
	RUN(capget, capget, X, X),
};

#define TABLE_LEN ((long)(sizeof(table) / sizeof(table[0])))

const struct cabin_kvm_fwd_entry *cabin_kvm_fwd_entry(long nr)
{
	if (nr < 0 || nr >= TABLE_LEN || !table[nr].on)
		return NULL;
	return &table[nr];
}

long cabin_kvm_fwd_max_nr(void)
{
	return TABLE_LEN - 1;
}
