/*
 * What every forwarded call's handler does with the host: perform the
 * call (letting the monitor lock go around it when it may block), check
 * the descriptors it passes or gets, and own the memory it allocates.
 * Below both the dispatcher (forward.c) and the handlers (forward_*.c),
 * which call down into it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "platform/kvm/forward/forward_impl.h"

/*
 * The kernel reads an fd argument as a 32-bit int, so that is what is
 * checked and passed: high bits cannot hide a monitor descriptor.
 * AT_FDCWD is negative, so a dirfd needs no exception.
 */
int cabin_kvm_fwd_fd_ok(const struct cabin_kvm_fwd *f, uint64_t arg)
{
	return (int)arg >= f->fd_floor ? -EBADF : 0;
}

/* A descriptor the host just made for the program, or -EMFILE. */
long cabin_kvm_fwd_new_fd(const struct cabin_kvm_fwd *f, long fd)
{
	/* Only when the program's own range is full; it never sees this one. */
	if (fd >= f->fd_floor) {
		close((int)fd);
		return -EMFILE;
	}
	return fd;
}

long cabin_kvm_fwd_host(const struct cabin_kvm_fwd *f, long nr,
			const long a[6])
{
	long r = -1;
	int err = EINTR;

	if (!f->blocking || f->blocking(f->ctx, true)) {
		r = syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
		err = errno;
	}
	if (f->blocking)
		f->blocking(f->ctx, false);
	return r == -1 ? -err : r;
}

long cabin_kvm_fwd_syscall(const struct cabin_kvm_call *c)
{
	return cabin_kvm_fwd_host(c->f, c->nr, c->host);
}

void *cabin_kvm_fwd_alloc(struct cabin_kvm_call *c, size_t len)
{
	unsigned int i;

	for (i = 0; i < CABIN_KVM_MAX_OWNED; i++)
		if (!c->owned[i])
			return c->owned[i] = malloc(len ? len : 1);
	return NULL;
}

void cabin_kvm_fwd_free(struct cabin_kvm_call *c, void *p)
{
	unsigned int i;

	for (i = 0; p && i < CABIN_KVM_MAX_OWNED; i++)
		if (c->owned[i] == p)
			c->owned[i] = NULL;
	free(p);
}

int cabin_kvm_fwd_put(const struct cabin_kvm_call *c, void *dst,
		      const void *src, size_t n)
{
	if (c->f->mem->copy)
		return c->f->mem->copy(dst, src, n);
	memcpy(dst, src, n);
	return 0;
}

/* Regular files and FIFOs only: a device node would reach host hardware. */
long cabin_kvm_fwd_mknod(struct cabin_kvm_call *c)
{
	uint64_t mode = c->guest[c->nr == SYS_mknodat ? 2 : 1];

	switch (mode & S_IFMT) {
	case 0:
	case S_IFREG:
	case S_IFIFO:
		return cabin_kvm_fwd_syscall(c);
	}
	return -EPERM;
}
