/*
 * The setid routes.  A confined root that chmods 04755 a copy of a binary
 * leaves a root-owned setuid program on the host after the run; an
 * ordinary user leaves one that runs as that user for whoever starts it.
 * Every call that sets a file's mode takes the mode in a register, except
 * openat2, so BPF decides on the bits themselves.  mkdir cannot set
 * either bit (the kernel keeps only rwx and sticky; S_ISGID on a new
 * directory comes from its parent), chown clears them, and setting
 * security.capability needs CAP_SETFCAP, which the program never has.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "policy/setid.h"

#ifndef SYS_fchmodat2
#define SYS_fchmodat2	452
#endif
#ifndef __O_TMPFILE
#define __O_TMPFILE	020000000
#endif

#define SETGID_EXEC	(S_ISGID | S_IXGRP)

/* A call that sets a mode, where its mode and flags are. */
struct setid_call {
	int nr;
	unsigned int mode;	/* argument holding the mode */
	int flags;		/* argument holding O_* flags, -1 for none */
};

static const struct setid_call chmods[] = {
	{ SYS_chmod, 1, -1 },
	{ SYS_fchmod, 1, -1 },
	{ SYS_fchmodat, 2, -1 },
	{ SYS_fchmodat2, 2, -1 },
};

static const struct setid_call creates[] = {
	{ SYS_open, 2, 1 },
	{ SYS_openat, 3, 2 },
	{ SYS_creat, 1, -1 },
	{ SYS_mknod, 1, -1 },
	{ SYS_mknodat, 2, -1 },
};

#define N(a)	(sizeof(a) / sizeof(*(a)))

static const struct cabin_route refuse = {
	.kind = CABIN_ROUTE_DENY, .err = EPERM,
};

static struct cabin_cond bits(unsigned int arg, uint64_t mask,
			      uint64_t value)
{
	return (struct cabin_cond){
		.arg = arg, .op = CABIN_CMP_MASKED_EQ, .mask = mask,
		.value = value,
	};
}

/* Refuse the mode bits mask (all set) of c, when its flags create. */
static int refuse_mode(struct cabin_router *r, const struct setid_call *c,
		       uint64_t mask)
{
	static const uint64_t creating[] = { O_CREAT, __O_TMPFILE };
	struct cabin_cond cond[2];
	size_t i;
	int err = 0;

	cond[0] = bits(c->mode, mask, mask);
	if (c->flags < 0)
		return cabin_router_add_rule(r, c->nr, refuse, 1, cond);
	for (i = 0; !err && i < N(creating); i++) {
		cond[1] = bits((unsigned int)c->flags, creating[i],
			       creating[i]);
		err = cabin_router_add_rule(r, c->nr, refuse, 2, cond);
	}
	return err;
}

int cabin_setid_routes(struct cabin_router *r)
{
	const struct cabin_route nosys = {
		.kind = CABIN_ROUTE_DENY, .err = ENOSYS, .quiet = true,
	};
	const struct cabin_route emulate = { .kind = CABIN_ROUTE_EMULATE };
	struct cabin_cond dir_only;
	size_t i;
	int err = 0;

	for (i = 0; !err && i < N(chmods); i++) {
		err = refuse_mode(r, &chmods[i], S_ISUID);
		/* a setgid directory is common and harmless: the guard looks */
		dir_only = bits(chmods[i].mode, S_ISUID | SETGID_EXEC,
				SETGID_EXEC);
		if (!err)
			err = cabin_router_add_rule(r, chmods[i].nr, emulate,
						    1, &dir_only);
		/*
		 * Behind the emulate route, or alone where the policy's own
		 * route is not an allow (then the emulate route is left out,
		 * and a conditional allow of the policy must not pass these).
		 */
		if (!err)
			err = cabin_router_add_rule(r, chmods[i].nr, refuse,
						    1, &dir_only);
	}
	for (i = 0; !err && i < N(creates); i++) {
		err = refuse_mode(r, &creates[i], S_ISUID);
		if (!err)
			err = refuse_mode(r, &creates[i], SETGID_EXEC);
	}
	if (!err)
		err = cabin_router_add_rule(r, SYS_openat2, nosys, 0, NULL);
	return err;
}
