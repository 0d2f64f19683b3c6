/*
 * process_vm_readv/writev on the test process itself: reads fail exactly
 * where its memory is unmapped, as they would for a confined child.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/uio.h>
#include <unistd.h>

#include "self_mem.h"

ssize_t self_mem_read(void *ctx, pid_t tid, uint64_t addr, void *buf,
		      size_t len)
{
	struct iovec local = { .iov_base = buf, .iov_len = len };
	struct iovec remote = { .iov_base = (void *)(uintptr_t)addr,
				.iov_len = len };
	ssize_t n;

	(void)ctx;
	(void)tid;
	n = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
	return n < 0 ? -errno : n;
}

ssize_t self_mem_write(void *ctx, pid_t tid, uint64_t addr, const void *buf,
		       size_t len)
{
	struct iovec local = { .iov_base = (void *)buf, .iov_len = len };
	struct iovec remote = { .iov_base = (void *)(uintptr_t)addr,
				.iov_len = len };
	ssize_t n;

	(void)ctx;
	(void)tid;
	n = process_vm_writev(getpid(), &local, 1, &remote, 1, 0);
	return n < 0 ? -errno : n;
}

int self_dup_fd(void *ctx, pid_t tid, int fd)
{
	int copy;

	(void)ctx;
	(void)tid;
	copy = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	return copy < 0 ? -errno : copy;
}
