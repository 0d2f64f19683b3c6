/*
 * Descriptor-number rules: the program's descriptors are those below
 * fd_floor, the monitor's are at or above it.  Every call that names a
 * descriptor by number, or makes one, keeps to that split: fcntl's dups,
 * close_range, and the calls that return a pair of descriptors.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/close_range.h>

#include "platform/kvm/forward/forward_impl.h"

static long fcntl_flock(struct cabin_kvm_call *c, unsigned int access)
{
	void *p;

	if (cabin_gmem_translate(c->f->mem, c->guest[2], sizeof(struct flock),
				 CABIN_GMEM_USER | access, &p))
		return -EFAULT;
	c->host[2] = (long)p;
	return cabin_kvm_fwd_syscall(c);
}

/* F_DUPFD's lower bound is unsigned to the kernel, so negative is large. */
static long fcntl_dupfd(struct cabin_kvm_call *c)
{
	unsigned int from = (unsigned int)c->guest[2];

	if (from >= (unsigned int)c->f->fd_floor)
		return -EINVAL;
	c->host[2] = from;
	return cabin_kvm_fwd_new_fd(c->f, cabin_kvm_fwd_syscall(c));
}

long cabin_kvm_fwd_fcntl(struct cabin_kvm_call *c)
{
	unsigned int cmd = (unsigned int)c->guest[1];

	c->host[1] = cmd;
	switch (cmd) {
	case F_GETFD:
	case F_GETFL:
	case F_GETPIPE_SZ:
	case F_GET_SEALS:
		return cabin_kvm_fwd_syscall(c);
	case F_SETFD:
	case F_SETFL:
	case F_SETPIPE_SZ:
	case F_ADD_SEALS:
		c->host[2] = (long)c->guest[2];
		return cabin_kvm_fwd_syscall(c);
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		return fcntl_dupfd(c);
	case F_GETLK:
	case F_OFD_GETLK:
		return fcntl_flock(c, CABIN_GMEM_R | CABIN_GMEM_W);
	case F_SETLK:
	case F_SETLKW:
	case F_OFD_SETLK:
	case F_OFD_SETLKW:
		return fcntl_flock(c, CABIN_GMEM_R);
	}
	/* Owners, leases and notifications would aim signals at the monitor. */
	return -EINVAL;
}

long cabin_kvm_fwd_close_range(struct cabin_kvm_call *c)
{
	unsigned int first = (unsigned int)c->guest[0];
	unsigned int last = (unsigned int)c->guest[1];
	unsigned int flags = (unsigned int)c->guest[2];
	unsigned int floor = (unsigned int)c->f->fd_floor;

	/* The kernel's own refusals come first, as they would there. */
	if ((flags & ~(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC)) ||
	    first > last)
		return -EINVAL;
	if (first >= floor)
		return 0;
	if (last >= floor)
		last = floor - 1;
	/*
	 * UNSHARE would give this vCPU thread an fd table of its own, apart
	 * from the monitor's other threads; the program's table is not shared
	 * with anything it knows of, so dropping the flag changes nothing.
	 */
	flags &= ~CLOSE_RANGE_UNSHARE;
	c->host[0] = first;
	c->host[1] = last;
	c->host[2] = flags;
	return cabin_kvm_fwd_syscall(c);
}

/*
 * Two new descriptors written to the guest at gva: the buffer is checked
 * before the call, so a bad one costs nothing, and the pair is refused
 * whole if either is the monitor's.
 */
static long new_pair(struct cabin_kvm_call *c, uint64_t gva, long nr,
		     long a, long b, long d)
{
	int fds[2];
	void *p;
	long r;

	if (cabin_gmem_translate(c->f->mem, gva, sizeof(fds),
				 CABIN_GMEM_USER | CABIN_GMEM_W, &p))
		return -EFAULT;
	if (nr == SYS_pipe2)
		r = syscall(nr, fds, a);
	else
		r = syscall(nr, a, b, d, fds);
	if (r < 0)
		return -errno;
	if (fds[0] >= c->f->fd_floor || fds[1] >= c->f->fd_floor) {
		close(fds[0]);
		close(fds[1]);
		return -EMFILE;
	}
	/* The buffer's page may be gone since: the pair is undone. */
	if (cabin_kvm_fwd_put(c, p, fds, sizeof(fds)) < 0) {
		close(fds[0]);
		close(fds[1]);
		return -EFAULT;
	}
	return 0;
}

long cabin_kvm_fwd_pipe(struct cabin_kvm_call *c)
{
	long flags = c->nr == SYS_pipe2 ? (long)c->guest[1] : 0;

	return new_pair(c, c->guest[0], SYS_pipe2, flags, 0, 0);
}

long cabin_kvm_fwd_socketpair(struct cabin_kvm_call *c)
{
	return new_pair(c, c->guest[3], SYS_socketpair, (long)c->guest[0],
			(long)c->guest[1], (long)c->guest[2]);
}
