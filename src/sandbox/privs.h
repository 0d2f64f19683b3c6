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
 * A non-root caller enters a user namespace of its own, mapping its uid
 * and gid to themselves: the only place it may drop bounding capabilities
 * and create other namespaces.  Returns 0 or -errno.
 */
int cabin_privs_enter_userns(void);

/*
 * Empty the bounding, inheritable and ambient sets and lock root's
 * special treatment away.  in_userns: the caller entered its own user
 * namespace (a non-root caller that did not cannot drop the bounding
 * set).  Returns 0, CABIN_PRIVS_USERNS when only the bounding set stayed,
 * or -errno.
 */
int cabin_privs_drop(bool in_userns);

#endif
