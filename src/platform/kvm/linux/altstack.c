/*
 * The signal stack (sigaltstack) of a guest thread, as Linux keeps it:
 * whether a stack pointer is on it, and setting it.  Apart from the rest
 * of the signal state because both the syscalls (ksignal.c) and the
 * frame builder (sigframe.c) ask it.
 */
#include <errno.h>
#include <string.h>

#include "platform/kvm/linux/ksignal.h"

#define SS_FLAG_BITS	CABIN_KSIG_SS_AUTODISARM

bool cabin_ksig_within_altstack(const struct cabin_ksig *s, uint64_t sp)
{
	/* The stack grows down: its top is in, its base is not. */
	return sp > s->alt_sp && sp - s->alt_sp <= s->alt_size;
}

bool cabin_ksig_on_altstack(const struct cabin_ksig *s, uint64_t sp)
{
	/*
	 * With SS_AUTODISARM the stack is off while a handler runs on it, so
	 * being on it cannot be told from the address; Linux says no.
	 */
	if (s->alt_flags & CABIN_KSIG_SS_AUTODISARM)
		return false;
	return cabin_ksig_within_altstack(s, sp);
}

/* Linux's sas_ss_flags. */
static uint32_t altstack_state(const struct cabin_ksig *s, uint64_t sp)
{
	if (!s->alt_size)
		return CABIN_KSIG_SS_DISABLE;
	return cabin_ksig_on_altstack(s, sp) ? CABIN_KSIG_SS_ONSTACK : 0;
}

long cabin_ksig_set_altstack(struct cabin_ksig *s,
			     const struct cabin_ksig_stack *ss, uint64_t sp)
{
	uint32_t flags = (uint32_t)ss->flags;
	uint32_t mode = flags & ~SS_FLAG_BITS;

	/* Moving the stack a handler runs on would pull it from under it. */
	if (cabin_ksig_on_altstack(s, sp))
		return -EPERM;
	if (mode != CABIN_KSIG_SS_DISABLE && mode != CABIN_KSIG_SS_ONSTACK &&
	    mode != 0)
		return -EINVAL;
	if (mode == CABIN_KSIG_SS_DISABLE) {
		s->alt_sp = 0;
		s->alt_size = 0;
	} else {
		if (ss->size < CABIN_KSIG_MINSIGSTKSZ)
			return -ENOMEM;
		s->alt_sp = ss->sp;
		s->alt_size = ss->size;
	}
	s->alt_flags = flags;
	return 0;
}

long cabin_ksig_sigaltstack(struct cabin_ksig *s, const struct cabin_gmem *g,
			    uint64_t ss, uint64_t oss, uint64_t user_sp)
{
	struct cabin_ksig_stack new, old;
	long err;

	if (ss && cabin_gmem_read(g, ss, &new, sizeof(new)))
		return -EFAULT;
	memset(&old, 0, sizeof(old));
	old.sp = s->alt_sp;
	old.size = s->alt_size;
	old.flags = (int32_t)(altstack_state(s, user_sp) |
			      (s->alt_flags & SS_FLAG_BITS));
	if (ss) {
		err = cabin_ksig_set_altstack(s, &new, user_sp);
		if (err)
			return err;
	}
	if (oss && cabin_gmem_write(g, oss, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}
