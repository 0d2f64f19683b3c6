/*
 * Privileges of the confined child: after this it holds no capability and
 * can never gain one, whether cabin runs as root or not.  Runs in the
 * child between fork and exec.
 */
#ifndef CABIN_PROCESS_PRIVS_H
#define CABIN_PROCESS_PRIVS_H

#include <stdbool.h>

enum cabin_privs_step {
	CABIN_PRIVS_OK,
	CABIN_PRIVS_USERNS,	/* no user namespace: bounding set stays */
};

/*
 * Empty the bounding, inheritable and ambient sets and lock root's
 * special treatment away.  A non-root caller first enters a user
 * namespace of its own, the only place it may drop bounding capabilities.
 * Returns 0, CABIN_PRIVS_USERNS when only that part failed, or -errno.
 */
int cabin_privs_drop(void);

#endif
