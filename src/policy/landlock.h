/*
 * Compile a policy's file and TCP port rules to a Landlock ruleset and
 * apply it, using whatever Landlock ABI the running kernel has, and say
 * which parts of the policy that ABI cannot enforce.
 */
#ifndef CABIN_POLICY_LANDLOCK_H
#define CABIN_POLICY_LANDLOCK_H

#include <stdbool.h>
#include <stddef.h>

#include "policy/policy.h"

/* Highest Landlock ABI this file knows the rights of. */
#define CABIN_LANDLOCK_ABI_KNOWN	7

/* What the policy needs that this kernel's Landlock cannot enforce. */
struct cabin_landlock_gaps {
	unsigned int missing;	/* bits: CABIN_LL_GAP_* */
	int abi;		/* kernel ABI, 0 = Landlock unavailable */
};

enum {
	/* No Landlock at all but file or port rules exist. */
	CABIN_LL_GAP_ALL	= 1u << 0,
	/* ABI < 2: cross-directory rename/link always denied (stricter). */
	CABIN_LL_GAP_REFER	= 1u << 1,
	/* ABI < 3: truncate() by path is not controlled. */
	CABIN_LL_GAP_TRUNCATE	= 1u << 2,
	/* ABI < 4: TCP port rules cannot be enforced by Landlock. */
	CABIN_LL_GAP_NET	= 1u << 3,
	/* ABI < 5: ioctl on devices is not controlled. */
	CABIN_LL_GAP_IOCTL	= 1u << 4,
	/* ABI < 6: abstract unix sockets and signals are not scoped. */
	CABIN_LL_GAP_SCOPE	= 1u << 5,
};

/* The running kernel's Landlock ABI, 0 if Landlock is unavailable. */
int cabin_landlock_abi(void);

/*
 * Which parts of p a kernel with Landlock ABI abi cannot enforce.  Pure:
 * it looks at no file and makes no system call.  When abi is 0, the file
 * and port gaps are all reported as CABIN_LL_GAP_ALL.  CABIN_LL_GAP_SCOPE
 * is reported for any policy that confines files or the network, since
 * signals and abstract sockets reach outside both.
 */
void cabin_landlock_gaps(const struct cabin_policy *p, int abi,
			 struct cabin_landlock_gaps *out);

/*
 * One line for one gap bit, e.g. "truncate() by path needs Landlock ABI 3
 * (kernel has 2)", written to buf; returns buf.
 */
const char *cabin_landlock_gap_text(unsigned int gap_bit, int abi, char *buf,
				    size_t len);

/*
 * Build and apply the ruleset in the calling process: in the confined
 * child after fork, mounts and no_new_privs, before execve.
 *
 * Paths are resolved here: "~" and "~/x" from home (may be NULL, then
 * such a rule is -EINVAL), relative paths against the current directory.
 * An optional rule whose path does not exist is skipped; any other path
 * that cannot be opened is an error with *bad_rule set to the rule's
 * index (-ENOENT for a missing required path).
 *
 * The ruleset handles every file right of the kernel's ABI, so whatever
 * no rule grants is denied.  That includes execution: the program itself,
 * its ELF interpreter (ld.so), a script's interpreter and the shared
 * libraries it maps need CABIN_FILE_EXEC (and libraries CABIN_FILE_READ)
 * or execve fails with EACCES.  Granting them is the policy author's job,
 * not this compiler's.
 *
 * Ports: connect ports make LANDLOCK_ACCESS_NET_CONNECT_TCP handled with
 * one rule per port, bind ports likewise BIND_TCP; a kind with no ports
 * listed is not handled (the network mode is enforced elsewhere).  They
 * need ABI 4 and are left out below it (see cabin_landlock_gaps).
 *
 * scope_signals: with ABI 6, signals cannot reach processes outside the
 * sandbox.  Abstract unix sockets are scoped too (ABI 6) whenever the
 * policy confines files or the network.  Any Landlock domain also keeps
 * the program from ptrace-mode access (/proc/PID/mem, environ, fd,
 * pidfd_getfd, process_madvise, kcmp) to processes outside it.
 *
 * mqueue_root, when not -1, is the root of the message-queue file system
 * of the sandbox's own IPC namespace: with files restricted, queues there
 * may be opened for reading and writing (mq_open), as without Landlock.
 *
 * Does nothing when the policy restricts no files and no network, names
 * no ports and scope_signals is false.  Returns 0, -EOPNOTSUPP when file or port rules
 * exist but the kernel has no Landlock, or another -errno.
 */
int cabin_landlock_apply(const struct cabin_policy *p, const char *home,
			 bool scope_signals, int mqueue_root, int *bad_rule);

/*
 * Open a rule's path the way cabin_landlock_apply does ("~" from home),
 * as an O_PATH descriptor, so a policy can be checked before anything
 * runs.  Returns the descriptor or -errno.
 */
int cabin_landlock_open_path(const char *path, const char *home);

/*
 * Confine the calling process so that it can make a socket file only
 * beneath the directory dir; no_new_privs is set.  0 or -errno.
 */
int cabin_landlock_make_sock_beneath(int dir);

#endif
