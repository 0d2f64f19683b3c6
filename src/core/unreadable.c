/*
 * The names a call hands the kernel: NUL-terminated strings (paths,
 * names, link targets) and socket addresses with their lengths, where the
 * syscall table (syscall/x86_64.def) puts them.  Each is read whole
 * before the call runs; what cabin cannot read (process_vm_readv fails
 * where copy_from_user does not) fails the call as a bad pointer would.
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
#include "syscall/table.h"

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

static long unreadable_entry(struct cabin_proxy *p, void *ctx,
			     struct cabin_task *task,
			     const struct cabin_syscall *sys)
{
	unsigned int strings;
	int a, len;

	(void)ctx;
	if (!p->fail_unreadable || sys->arch != AUDIT_ARCH_X86_64)
		return 0;
	strings = cabin_syscall_strings(sys->nr);
	for (a = 0; a < 6; a++) {
		if ((strings & (1u << a)) &&
		    string_unreadable(p, task->tid, sys->args[a]))
			return -EFAULT;
	}
	if (cabin_syscall_sockaddr(sys->nr, &a, &len) &&
	    addr_unreadable(p, task->tid, sys->args[a], sys->args[len]))
		return -EFAULT;
	if (sys->nr == SYS_sendmsg &&
	    msgs_unreadable(p, task->tid, sys->args[1], 1, 0))
		return -EFAULT;
	if (sys->nr == SYS_sendmmsg &&
	    msgs_unreadable(p, task->tid, sys->args[1], (uint32_t)sys->args[2],
			    sizeof(struct mmsghdr)))
		return -EFAULT;
	return 0;
}

const struct cabin_guard cabin_unreadable_guard = {
	.name = "unreadable",
	.entry = unreadable_entry,
};
