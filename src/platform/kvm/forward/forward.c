/*
 * Forwarding a syscall: each argument is made ready by its kind in the
 * table (descriptors checked, strings copied, buffers translated whole),
 * the host performs the call, and a new descriptor is checked after it.
 * Nothing reaches the host kernel that was not checked here or by the
 * syscall's own handler: an argument the table does not describe is 0.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "platform/kvm/forward/forward_impl.h"
#include "platform/kvm/vmm/monitor_fault.h"

/*
 * The host pointer for argument i as len bytes with access (USER added),
 * or NULL for a NULL the argument allows; 0 or -EFAULT.
 */
static int arg_ptr(struct cabin_kvm_call *c, int i,
		   const struct cabin_kvm_arg *a, uint64_t len,
		   unsigned int access)
{
	void *p;

	if (!c->guest[i] && (a->flags & CABIN_KVM_ARG_OPT))
		return 0;
	if (cabin_gmem_translate(c->f->mem, c->guest[i], len,
				 CABIN_GMEM_USER | access, &p))
		return -EFAULT;
	c->host[i] = (long)p;
	return 0;
}

/* Bytes of a buffer argument: fixed, or a count argument times size. */
static int buf_len(const struct cabin_kvm_call *c,
		   const struct cabin_kvm_arg *a, uint64_t *len)
{
	uint64_t n;

	if (a->ref == CABIN_KVM_NOREF) {
		*len = a->size;
		return 0;
	}
	n = c->guest[a->ref];
	if (a->flags & CABIN_KVM_ARG_NINT) {
		/* The kernel refuses a negative int count before any access. */
		if ((int)n < 0)
			return -EINVAL;
		n = (uint64_t)(int)n;
	}
	if (n > UINT64_MAX / a->size)
		return -EFAULT;
	*len = n * a->size;
	return 0;
}

static int buf_arg(struct cabin_kvm_call *c, int i,
		   const struct cabin_kvm_arg *a, unsigned int access)
{
	uint64_t len;
	int err = buf_len(c, a, &len);

	if (err)
		return err;
	return arg_ptr(c, i, a, len, access);
}

/* Copied, not translated: the kernel would read on to a NUL the guest moves. */
static int str_arg(struct cabin_kvm_call *c, int i,
		   const struct cabin_kvm_arg *a)
{
	ssize_t n;

	if (!c->guest[i] && (a->flags & CABIN_KVM_ARG_OPT))
		return 0;
	if (c->nstr == CABIN_KVM_MAX_STR)
		return -EINVAL;
	n = cabin_gmem_string(c->f->mem, c->guest[i], c->str[c->nstr],
			      PATH_MAX);
	if (n < 0)
		return (int)n;
	c->host[i] = (long)c->str[c->nstr++];
	return 0;
}

/* A path: copied as a string is, then made safe from magic links. */
static int path_arg(struct cabin_kvm_call *c, int i,
		    const struct cabin_kvm_fwd_entry *e)
{
	const struct cabin_kvm_arg *a = &e->arg[i];
	ssize_t n;

	if (!c->guest[i] && (a->flags & CABIN_KVM_ARG_OPT))
		return 0;
	if (c->nstr == CABIN_KVM_MAX_STR)
		return -EINVAL;
	n = cabin_kvm_program_path(c->f->mem, c->f->exe, c->guest[i],
				   c->str[c->nstr], PATH_MAX);
	if (n == CABIN_KVM_SELF_EXE)
		c->self_exe = true;
	else if (n < 0)
		return (int)n;
	c->host[i] = (long)c->str[c->nstr++];
	return cabin_kvm_fwd_path(c, i, e);
}

static int iov_arg(struct cabin_kvm_call *c, int i,
		   const struct cabin_kvm_arg *a, unsigned int access)
{
	uint64_t n = c->guest[a->ref];
	int err;

	/* readv's count is unsigned long; the kernel's limit is the same. */
	if (n > IOV_MAX)
		return -EINVAL;
	err = cabin_kvm_fwd_iov(c->f->mem, c->guest[i], n, access, c->iov);
	c->host[i] = (long)c->iov;
	return err;
}

static int prepare_arg(struct cabin_kvm_call *c, int i,
		       const struct cabin_kvm_fwd_entry *e)
{
	const struct cabin_kvm_arg *a = &e->arg[i];

	switch (a->kind) {
	case CABIN_KVM_ARG_NONE:
		return 0;
	case CABIN_KVM_ARG_INT:
		c->host[i] = (long)c->guest[i];
		return 0;
	case CABIN_KVM_ARG_FD:
	case CABIN_KVM_ARG_DIRFD:
		c->host[i] = (int)c->guest[i];
		return cabin_kvm_fwd_fd_ok(c->f, c->guest[i]);
	case CABIN_KVM_ARG_STR:
		return str_arg(c, i, a);
	case CABIN_KVM_ARG_PATH:
		return path_arg(c, i, e);
	case CABIN_KVM_ARG_IN:
		return buf_arg(c, i, a, CABIN_GMEM_R);
	case CABIN_KVM_ARG_OUT:
		return buf_arg(c, i, a, CABIN_GMEM_W);
	case CABIN_KVM_ARG_INOUT:
		return buf_arg(c, i, a, CABIN_GMEM_R | CABIN_GMEM_W);
	case CABIN_KVM_ARG_IOV_IN:
		return iov_arg(c, i, a, CABIN_GMEM_R);
	case CABIN_KVM_ARG_IOV_OUT:
		return iov_arg(c, i, a, CABIN_GMEM_W);
	}
	return -ENOSYS;
}

bool cabin_kvm_fwd_handles(long nr)
{
	return cabin_kvm_fwd_entry(nr) != NULL;
}

static long finish(const struct cabin_kvm_fwd *f, long r, unsigned int kind)
{
	if (r < 0 || kind == CABIN_KVM_RES_INT)
		return r;
	return cabin_kvm_fwd_new_fd(f, r);
}

static long run_call(struct cabin_kvm_call *c,
		     const struct cabin_kvm_fwd_entry *e)
{
	int i, err;

	for (i = 0; i < 6; i++) {
		err = prepare_arg(c, i, e);
		if (err)
			return err;
	}
	if (e->run)
		return e->run(c);
	return finish(c->f, cabin_kvm_fwd_syscall(c), e->result);
}

/*
 * The handlers read and write the program's memory through host
 * pointers; a page the host stopped backing meanwhile (a shared file cut
 * short) faults there, and the catcher makes the call's result EFAULT,
 * as the kernel's own copies do.  What the call held is let go.
 */
long cabin_kvm_forward(const struct cabin_kvm_fwd *f, long nr,
		       const uint64_t args[6])
{
	const struct cabin_kvm_fwd_entry *e = cabin_kvm_fwd_entry(nr);
	struct cabin_kvm_call c;
	struct cabin_kvm_catch guard;
	unsigned int j, npin;
	long ret;
	int i;

	if (!e)
		return -ENOSYS;
	/* The string and iovec buffers are filled as used, never read ahead. */
	c.f = f;
	c.nr = nr;
	c.nstr = 0;
	c.npin = 0;
	c.self_exe = false;
	for (i = 0; i < 6; i++) {
		c.guest[i] = args[i];
		c.host[i] = 0;
	}
	memset(c.owned, 0, sizeof(c.owned));
	cabin_kvm_catch_push(&guard);
	if (sigsetjmp(guard.env, 0)) {
		ret = -EFAULT;
	} else {
		ret = run_call(&c, e);
		cabin_kvm_catch_pop(&guard);
	}
	/* Read through volatile: a fault may have left here by longjmp. */
	for (i = 0; i < CABIN_KVM_MAX_OWNED; i++)
		free(((void *volatile *)c.owned)[i]);
	npin = *(volatile unsigned int *)&c.npin;
	for (j = 0; j < npin; j++)
		close(((volatile int *)c.pin)[j]);
	return ret;
}
