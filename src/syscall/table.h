/*
 * Facts about the x86-64 syscalls, one table for the whole program
 * (x86_64.def): the kind of every argument and of the result, and who
 * answers each call on the kvm platform.  The trace's decoder prints by
 * these kinds, the report finds paths and descriptors by them and the
 * kvm platform routes by the last column.  Depends on nothing.
 */
#ifndef CABIN_SYSCALL_TABLE_H
#define CABIN_SYSCALL_TABLE_H

#include <stdbool.h>

/*
 * What an argument is, as finely as the trace prints it: K_FD a
 * descriptor, K_DIRFD one or AT_FDCWD, K_PATH a path the kernel
 * resolves, K_BUF bytes the program gives with their length in the next
 * argument, the kinds after K_OUT what the kernel writes, the rest
 * numbers, flag sets and pointers to structures.
 */
enum cabin_syscall_arg {
	K_HEX,		/* 0x1f; what unknown arguments are */
	K_PTR,		/* NULL or 0x7ffd... */
	K_INT, K_UINT, K_LONG, K_ULONG, K_OCT, K_UID,
	K_FD, K_DIRFD,
	K_PATH,		/* a NUL-terminated path, shown whole */
	K_STR,		/* a NUL-terminated string, strsize shown */
	K_STR_LEN,	/* as many bytes as the next argument says: as K_STR */
	K_LINK_TARGET,	/* a symlink's target: stored, never resolved */
	K_OFLAGS, K_OFLAGS_NOACC, K_MODE, K_ATFLAGS, K_STATX_FLAGS,
	K_STATX_MASK, K_ACCESS,
	K_PROT, K_MAPFLAGS, K_MREMAP, K_MADV, K_WHENCE,
	K_SIG, K_SIGHOW, K_SIGSET, K_SIGACT,
	K_BUF,		/* bytes written by the program; length is next */
	K_IOV,		/* iovec array; count is next */
	K_SA,		/* sockaddr; length is next */
	K_AF, K_SOCKTYPE, K_SOCKPROTO, K_SOCKFLAGS, K_MSGFLAGS, K_SHUT,
	K_SOL, K_SOCKOPT, K_SOCKOPT_VAL, K_MSGHDR,
	K_CLONE_FLAGS, K_CLONE3, K_ARGV, K_ENVP, K_WOPTS,
	K_FCNTL_CMD, K_FCNTL_ARG, K_FLOCK, K_TS, K_TV, K_CLOCK, K_TIMER,
	K_FUTEX_OP, K_RLIM_RES, K_RLIM, K_RLIM64, K_POLLFDS, K_FDSET,
	K_ARCH_PRCTL, K_PRCTL, K_EPOLL_OP, K_EPOLL_EVENT, K_PTRACE,
	K_MOUNT, K_UMOUNT, K_RENAME, K_GRND, K_MFD, K_EFD, K_IOCTL, K_BPF,
	K_SECCOMP, K_CLOSE_RANGE,
	K_OUT,		/* ---- the kernel writes these: decoded at exit ---- */
	K_BUF_OUT,	/* as many bytes as the call returned */
	K_BUF_HEX_OUT, K_IOV_OUT, K_SA_OUT, K_SOCKLEN_OUT, K_STAT_OUT,
	K_STATX_OUT, K_TS_OUT, K_TV_OUT, K_SIGSET_OUT, K_SIGACT_OUT,
	K_RLIM_OUT, K_RLIM64_OUT, K_UTS_OUT, K_SYSINFO_OUT, K_STATFS_OUT,
	K_FDPAIR_OUT, K_WSTATUS_OUT, K_CSTR_OUT, K_LINK_OUT, K_DENTS_OUT,
	K_MSGHDR_OUT, K_EPOLL_OUT, K_INT_OUT, K_SOCKOPT_OUT,
};

enum cabin_syscall_ret { R_DEC, R_HEX, R_NONE, R_OCT, R_FCNTL };

/* Who answers a call on the kvm platform. */
enum cabin_syscall_kvm {
	CABIN_SYSCALL_KVM_REFUSED,	/* nobody: ENOSYS */
	CABIN_SYSCALL_KVM_FORWARDED,	/* performed on the host (forward*.c) */
	CABIN_SYSCALL_KVM_MONITOR,	/* the monitor itself (sys.c) */
	CABIN_SYSCALL_KVM_VM,		/* the run loop: exit, exec, sigreturn */
	/* The proxy kernel when the policy always allows it, else ...: */
	CABIN_SYSCALL_KVM_GUEST_FORWARDED,
	CABIN_SYSCALL_KVM_GUEST_MONITOR,
	CABIN_SYSCALL_KVM_GUEST_REFUSED,
};

struct cabin_syscall_desc {
	bool known;		/* a row of x86_64.def */
	bool decoded;		/* the trace decodes n arguments by k */
	unsigned char n;	/* arguments described in k */
	unsigned char ret;	/* enum cabin_syscall_ret */
	unsigned char kvm;	/* enum cabin_syscall_kvm */
	unsigned char k[6];	/* enum cabin_syscall_arg */
};

/* The row of syscall nr, NULL for one the table does not know. */
const struct cabin_syscall_desc *cabin_syscall_desc(long nr);

/* Who answers nr on kvm (REFUSED for an unknown one). */
enum cabin_syscall_kvm cabin_syscall_kvm(long nr);

/*
 * Where a file syscall keeps its operands, as argument indexes, -1 when
 * it has none: the first path and the directory descriptor it is
 * relative to (without a path, the call's descriptor: fchmod), the
 * second path and its descriptor (rename), the flags that change what
 * is done (open's, AT_*, RENAME_*) and the mode a file is given.
 */
struct cabin_syscall_operands {
	signed char dirfd, path, dirfd2, path2, flags, mode;
};

void cabin_syscall_operands(long nr, struct cabin_syscall_operands *op);

/*
 * The arguments of nr that are NUL-terminated strings the kernel reads
 * (K_PATH, K_STR, K_LINK_TARGET: paths, names, a symlink's target), as a
 * bit set, bit i for argument i; 0 for an unknown call.
 */
unsigned int cabin_syscall_strings(long nr);

/*
 * The argument holding the socket address nr gives the kernel (K_SA) in
 * *addr and its length's in *len; false when it gives none.
 */
bool cabin_syscall_sockaddr(long nr, int *addr, int *len);

#endif
