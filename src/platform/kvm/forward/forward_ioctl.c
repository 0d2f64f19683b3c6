/*
 * ioctl: an allowlist of terminal and descriptor requests, each with the
 * size and direction of its argument.  An unknown request cannot be
 * checked, since only its driver knows what its argument points to, so
 * it is -ENOTTY.  TIOCSTI (push input into a terminal) and TIOCLINUX
 * would act on the host's terminal for the program and are never here.
 */
#include <errno.h>
#include <stddef.h>
#include <asm/termios.h>

#include "platform/kvm/forward/forward_impl.h"

enum ioctl_arg {
	NOARG,		/* the argument is ignored: the host gets 0 */
	VALUE,		/* an integer, passed as given */
	IN,		/* the host reads size bytes */
	OUT,		/* the host writes size bytes */
};

struct ioctl_rule {
	unsigned int req;
	unsigned char arg;
	unsigned char size;
};

/* The kernel's struct termios (36 bytes), not the C library's. */
static const struct ioctl_rule rules[] = {
	{ TCGETS, OUT, sizeof(struct termios) },
	{ TCSETS, IN, sizeof(struct termios) },
	{ TCSETSW, IN, sizeof(struct termios) },
	{ TCSETSF, IN, sizeof(struct termios) },
	{ TIOCGWINSZ, OUT, sizeof(struct winsize) },
	{ TIOCSWINSZ, IN, sizeof(struct winsize) },
	{ TIOCGPGRP, OUT, sizeof(int) },
	{ TIOCSPGRP, IN, sizeof(int) },
	{ TIOCGSID, OUT, sizeof(int) },
	{ FIONREAD, OUT, sizeof(int) },
	{ FIONBIO, IN, sizeof(int) },
	{ FIOASYNC, IN, sizeof(int) },
	{ FIOCLEX, NOARG, 0 },
	{ FIONCLEX, NOARG, 0 },
	{ TCFLSH, VALUE, 0 },
	{ TIOCSCTTY, VALUE, 0 },
	{ TIOCNOTTY, NOARG, 0 },
};

static const struct ioctl_rule *find_rule(unsigned int req)
{
	size_t i;

	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		if (rules[i].req == req)
			return &rules[i];
	return NULL;
}

long cabin_kvm_fwd_ioctl(struct cabin_kvm_call *c)
{
	/* The kernel's request is an unsigned int; so is the lookup. */
	unsigned int req = (unsigned int)c->guest[1];
	const struct ioctl_rule *r = find_rule(req);
	void *p;

	if (!r)
		return -ENOTTY;
	c->host[1] = req;
	switch (r->arg) {
	case NOARG:
		c->host[2] = 0;
		break;
	case VALUE:
		c->host[2] = (long)c->guest[2];
		break;
	case IN:
	case OUT:
		if (cabin_gmem_translate(c->f->mem, c->guest[2], r->size,
					 CABIN_GMEM_USER | (r->arg == IN ?
					 CABIN_GMEM_R : CABIN_GMEM_W), &p))
			return -EFAULT;
		c->host[2] = (long)p;
		break;
	}
	return cabin_kvm_fwd_syscall(c);
}
