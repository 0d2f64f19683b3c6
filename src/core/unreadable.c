/*
 * The names a call hands the kernel: NUL-terminated paths, and socket
 * addresses with their lengths.  Each is read whole before the call runs;
 * what cabin cannot read (process_vm_readv fails where copy_from_user
 * does not) fails the call as a bad pointer would.
 */
#include <errno.h>
#include <limits.h>
#include <linux/audit.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include "core/proxy.h"
#include "core/task.h"
#include "core/umem.h"
#include "core/unreadable.h"

#define A(n)	(1u << (n))

/* Path arguments, by syscall, as argument bits; socket addresses apart. */
static const struct {
	int nr;
	unsigned int paths;
} path_args[] = {
	{ SYS_open, A(0) }, { SYS_creat, A(0) }, { SYS_openat, A(1) },
	{ 437 /* openat2 */, A(1) }, { SYS_stat, A(0) }, { SYS_lstat, A(0) },
	{ SYS_newfstatat, A(1) }, { SYS_statx, A(1) }, { SYS_access, A(0) },
	{ SYS_faccessat, A(1) }, { 439 /* faccessat2 */, A(1) },
	{ SYS_readlink, A(0) }, { SYS_readlinkat, A(1) },
	{ SYS_execve, A(0) }, { SYS_execveat, A(1) }, { SYS_truncate, A(0) },
	{ SYS_chdir, A(0) }, { SYS_chroot, A(0) }, { SYS_mkdir, A(0) },
	{ SYS_mkdirat, A(1) }, { SYS_rmdir, A(0) }, { SYS_unlink, A(0) },
	{ SYS_unlinkat, A(1) }, { SYS_rename, A(0) | A(1) },
	{ SYS_renameat, A(1) | A(3) }, { SYS_renameat2, A(1) | A(3) },
	{ SYS_link, A(0) | A(1) }, { SYS_linkat, A(1) | A(3) },
	{ SYS_symlink, A(0) | A(1) }, { SYS_symlinkat, A(0) | A(2) },
	{ SYS_chmod, A(0) }, { SYS_fchmodat, A(1) },
	{ 452 /* fchmodat2 */, A(1) }, { SYS_chown, A(0) },
	{ SYS_lchown, A(0) }, { SYS_fchownat, A(1) }, { SYS_utime, A(0) },
	{ SYS_utimes, A(0) }, { SYS_futimesat, A(1) },
	{ SYS_utimensat, A(1) }, { SYS_mknod, A(0) }, { SYS_mknodat, A(1) },
	{ SYS_setxattr, A(0) | A(1) }, { SYS_lsetxattr, A(0) | A(1) },
	{ SYS_getxattr, A(0) | A(1) }, { SYS_lgetxattr, A(0) | A(1) },
	{ SYS_listxattr, A(0) }, { SYS_llistxattr, A(0) },
	{ SYS_removexattr, A(0) | A(1) }, { SYS_lremovexattr, A(0) | A(1) },
	{ SYS_fsetxattr, A(1) }, { SYS_fgetxattr, A(1) },
	{ SYS_fremovexattr, A(1) }, { SYS_statfs, A(0) }, { SYS_acct, A(0) },
	{ SYS_swapon, A(0) }, { SYS_swapoff, A(0) },
	{ SYS_mount, A(0) | A(1) | A(2) }, { SYS_umount2, A(0) },
	{ SYS_pivot_root, A(0) | A(1) }, { SYS_uselib, A(0) },
	{ SYS_inotify_add_watch, A(1) }, { SYS_fanotify_mark, A(4) },
	{ SYS_name_to_handle_at, A(1) }, { 428 /* open_tree */, A(1) },
	{ 429 /* move_mount */, A(1) | A(3) }, { 430 /* fsopen */, A(0) },
	{ 433 /* fspick */, A(1) }, { 442 /* mount_setattr */, A(1) },
	{ 463 /* setxattrat */, A(1) | A(3) },
	{ 464 /* getxattrat */, A(1) | A(3) },
	{ 465 /* listxattrat */, A(1) },
	{ 466 /* removexattrat */, A(1) | A(3) },
	{ 468 /* file_getattr */, A(1) }, { 469 /* file_setattr */, A(1) },
};

/* Socket addresses: the pointer's argument and its length's. */
static const struct {
	int nr;
	int addr, len;
} addr_args[] = {
	{ SYS_connect, 1, 2 }, { SYS_bind, 1, 2 }, { SYS_sendto, 4, 5 },
};

static bool string_unreadable(struct cabin_proxy *p, pid_t tid,
			      uint64_t addr)
{
	char buf[PATH_MAX + 1];
	bool cut;
	ssize_t n;

	if (!addr)
		return false;
	n = cabin_umem_string(p, tid, addr, buf, sizeof(buf), &cut);
	/* cut short of PATH_MAX: memory ran out before the NUL */
	return n < 0 || (cut && (size_t)n < PATH_MAX);
}

static bool addr_unreadable(struct cabin_proxy *p, pid_t tid, uint64_t addr,
			    uint64_t len)
{
	struct sockaddr_storage ss;

	if (!addr || !len)
		return false;
	if (len > sizeof(ss))
		len = sizeof(ss);	/* the kernel refuses more (EINVAL) */
	return cabin_umem_read(p, tid, addr, &ss, (size_t)len) < 0;
}

/* sendmsg's and sendmmsg's headers, and the address each names. */
static bool msgs_unreadable(struct cabin_proxy *p, pid_t tid, uint64_t addr,
			    uint64_t count, size_t stride)
{
	struct msghdr mh;
	uint64_t i;

	if (count > 1024)
		count = 1024;	/* UIO_MAXIOV: the kernel sends no more */
	for (i = 0; i < count; i++) {
		if (cabin_umem_read(p, tid, addr + i * stride, &mh,
				    sizeof(mh)) < 0 ||
		    addr_unreadable(p, tid, (uint64_t)(uintptr_t)mh.msg_name,
				    mh.msg_namelen))
			return true;
	}
	return false;
}

long cabin_unreadable_entry(struct cabin_proxy *p, struct cabin_task *task,
			    const struct cabin_syscall *sys)
{
	size_t i;
	int a;

	if (!p->fail_unreadable || sys->arch != AUDIT_ARCH_X86_64)
		return 0;
	for (i = 0; i < sizeof(path_args) / sizeof(*path_args); i++) {
		if (path_args[i].nr != sys->nr)
			continue;
		for (a = 0; a < 6; a++) {
			if ((path_args[i].paths & A(a)) &&
			    string_unreadable(p, task->tid, sys->args[a]))
				return -EFAULT;
		}
		return 0;
	}
	for (i = 0; i < sizeof(addr_args) / sizeof(*addr_args); i++) {
		if (addr_args[i].nr == sys->nr &&
		    addr_unreadable(p, task->tid, sys->args[addr_args[i].addr],
				    sys->args[addr_args[i].len]))
			return -EFAULT;
	}
	if (sys->nr == SYS_sendmsg &&
	    msgs_unreadable(p, task->tid, sys->args[1], 1, 0))
		return -EFAULT;
	if (sys->nr == SYS_sendmmsg &&
	    msgs_unreadable(p, task->tid, sys->args[1], (uint32_t)sys->args[2],
			    sizeof(struct mmsghdr)))
		return -EFAULT;
	return 0;
}
