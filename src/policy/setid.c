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
#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "policy/setid.h"

#ifndef SYS_fchmodat2
#define SYS_fchmodat2	452
#endif

#define SETGID_EXEC	(S_ISGID | S_IXGRP)

/*
 * A call that sets a mode, and the argument holding it.  The opens are
 * refused whatever their flags: the kernel reads the mode only when the
 * call creates (O_CREAT, O_TMPFILE), and libc passes 0 otherwise.  One
 * condition per rule, on one argument, so that compile.c can split a
 * policy's plain allow of the call around these rules (libseccomp would
 * let it override them) and keep the call on the fast path.
 */
struct setid_call {
	int nr;
	unsigned int mode;
};

static const struct setid_call chmods[] = {
	{ SYS_chmod, 1 },
	{ SYS_fchmod, 1 },
	{ SYS_fchmodat, 2 },
	{ SYS_fchmodat2, 2 },
};

static const struct setid_call creates[] = {
	{ SYS_open, 2 },
	{ SYS_openat, 3 },
	{ SYS_creat, 1 },
	{ SYS_mknod, 1 },
	{ SYS_mknodat, 2 },
};

#define N(a)	(sizeof(a) / sizeof(*(a)))

static const struct cabin_route refuse = {
	.kind = CABIN_ROUTE_DENY, .err = EPERM,
};

/* The mode bits mask of c's mode argument equal value. */
static struct cabin_cond bits(const struct setid_call *c, uint64_t mask,
			      uint64_t value)
{
	return (struct cabin_cond){
		.arg = c->mode, .op = CABIN_CMP_MASKED_EQ, .mask = mask,
		.value = value,
	};
}

static int add(struct cabin_router *r, const struct setid_call *c,
	       struct cabin_route route, struct cabin_cond cond)
{
	return cabin_router_add_rule(r, c->nr, route, 1, &cond);
}

bool cabin_setid_call(int nr)
{
	size_t i;

	for (i = 0; i < N(chmods); i++) {
		if (chmods[i].nr == nr)
			return true;
	}
	for (i = 0; i < N(creates); i++) {
		if (creates[i].nr == nr)
			return true;
	}
	return false;
}

int cabin_setid_routes(struct cabin_router *r)
{
	const struct cabin_route nosys = {
		.kind = CABIN_ROUTE_DENY, .err = ENOSYS, .quiet = true,
	};
	const struct cabin_route emulate = { .kind = CABIN_ROUTE_EMULATE };
	const struct setid_call *c;
	struct cabin_cond dir_only;
	size_t i;
	int err = 0;

	for (i = 0; !err && i < N(chmods); i++) {
		c = &chmods[i];
		err = add(r, c, refuse, bits(c, S_ISUID, S_ISUID));
		/* a setgid directory is common and harmless: the guard looks */
		dir_only = bits(c, S_ISUID | SETGID_EXEC, SETGID_EXEC);
		if (!err)
			err = add(r, c, emulate, dir_only);
		/*
		 * Behind the emulate route, or alone where the policy's own
		 * route is not an allow (then the emulate route is left out,
		 * and a conditional allow of the policy must not pass these).
		 */
		if (!err)
			err = add(r, c, refuse, dir_only);
	}
	for (i = 0; !err && i < N(creates); i++) {
		c = &creates[i];
		err = add(r, c, refuse, bits(c, S_ISUID, S_ISUID));
		if (!err)
			err = add(r, c, refuse,
				  bits(c, SETGID_EXEC, SETGID_EXEC));
	}
	if (!err)
		err = cabin_router_add_rule(r, SYS_openat2, nosys, 0, NULL);
	return err;
}
