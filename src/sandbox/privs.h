/*
 * Privileges of the confined child: after this it holds no capability and
 * can never gain one, whether cabin runs as root or not.  Runs in the
 * child between fork and exec.
 */
#ifndef CABIN_PROCESS_PRIVS_H
#define CABIN_PROCESS_PRIVS_H

#include <stdbool.h>
#include <sys/types.h>

enum cabin_privs_step {
	CABIN_PRIVS_OK,
	CABIN_PRIVS_USERNS,	/* no user namespace: bounding set stays */
};

/* The ids the program runs as (--uid, --gid); unset: the caller's. */
struct cabin_privs_ids {
	bool set_uid, set_gid;
	uid_t uid;
	gid_t gid;
};

/*
 * A non-root caller enters a user namespace of its own: the only place
 * it may drop bounding capabilities and create other namespaces.  It
 * maps ids->uid (unset: its own uid) to its uid outside, the same for
 * the gid: the program's ids change, what it owns on disk does not.
 * Returns 0 or -errno.
 */
int cabin_privs_enter_userns(const struct cabin_privs_ids *ids);

/*
 * Root: take ids outright (and no supplementary group), so that the
 * program really is uid and gid on disk, as setpriv --reuid does; a map
 * to root's own 0 would leave it root's files under another name.  After
 * cabin_privs_drop (the uid change then empties the permitted set too),
 * before no_new_privs.  Returns 0 or -errno.
 */
int cabin_privs_set_ids(const struct cabin_privs_ids *ids);

/*
 * Empty the bounding, inheritable and ambient sets and lock root's
 * special treatment away.  in_userns: the caller entered its own user
 * namespace (a non-root caller that did not cannot drop the bounding
 * set).  Returns 0, CABIN_PRIVS_USERNS when only the bounding set stayed,
 * or -errno.
 */
int cabin_privs_drop(bool in_userns);

#endif
