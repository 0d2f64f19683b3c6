/*
 * futex: the word must be the program's own readable and writable memory
 * (the host kernel would take any address in the monitor's mm), and only
 * the wait/wake/requeue operations a C library needs are performed.  The
 * fourth argument is a timeout pointer for waits and a count otherwise.
 */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <linux/futex.h>

#include "platform/kvm/forward/forward_impl.h"

#define RW (CABIN_GMEM_USER | CABIN_GMEM_R | CABIN_GMEM_W)

static int futex_word(const struct cabin_kvm_call *c, uint64_t gva, long *host)
{
	void *p;

	if (cabin_gmem_translate(c->f->mem, gva, sizeof(uint32_t), RW, &p))
		return -EFAULT;
	*host = (long)p;
	return 0;
}

long cabin_kvm_fwd_futex(struct cabin_kvm_call *c)
{
	int op = (int)c->guest[1];
	struct timespec ts;
	int err;

	err = futex_word(c, c->guest[0], &c->host[0]);
	if (err)
		return err;
	c->host[1] = op;
	switch (op & FUTEX_CMD_MASK) {
	case FUTEX_WAIT:
	case FUTEX_WAIT_BITSET:
		if (c->guest[3]) {
			if (cabin_gmem_read(c->f->mem, c->guest[3], &ts,
					    sizeof(ts)))
				return -EFAULT;
			c->host[3] = (long)&ts;
		}
		break;
	case FUTEX_WAKE:
	case FUTEX_WAKE_BITSET:
		break;
	case FUTEX_REQUEUE:
	case FUTEX_CMP_REQUEUE:
	case FUTEX_WAKE_OP:
		c->host[3] = (long)c->guest[3];
		err = futex_word(c, c->guest[4], &c->host[4]);
		if (err)
			return err;
		break;
	default:
		return -ENOSYS;
	}
	return cabin_kvm_fwd_syscall(c);
}
