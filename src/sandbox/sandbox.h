/*
 * The confined child's own side of the sandbox: namespaces, mounts, the
 * init process of a PID namespace, resource limits.  Everything here runs
 * between fork and exec, in the child, and reports failure as -errno.
 */
#ifndef CABIN_PROCESS_SANDBOX_H
#define CABIN_PROCESS_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/resource.h>

#include "sandbox/narrow.h"

#define CABIN_SANDBOX_MAX_RLIMITS 6

struct cabin_sandbox {
	int unshare_flags;		/* CLONE_NEW{IPC,UTS,NET,NS,PID} */
	bool private_tmp;		/* tmpfs on /tmp and /dev/shm (CLONE_NEWNS) */
	const char *protect_path;	/* bound read-only over itself: cabin */
	bool protect_kernel;		/* kfiles.h (CLONE_NEWNS) */
	bool protect_cgroups;		/* every cgroupfs mount read-only */
	int terminal_fd;		/* kfiles.h's host terminal, or -1 */
	const char *hostname;		/* set in the CLONE_NEWUTS, or NULL */
	/*
	 * With CLONE_NEWIPC, where the child stores a descriptor of the new
	 * namespace's message-queue file system (or -1), for Landlock.
	 */
	int *mqueue_root;
	/*
	 * With CLONE_NEWNS: rights taken away (narrow.h), after /tmp is
	 * made private and before the kernel's files are protected; cwd
	 * is entered again afterwards.  *narrow_failed is set to the index
	 * of the one that could not be made (nnarrow: cwd, or cabin's
	 * binary covered again); the run must not go on without them.
	 */
	const struct cabin_narrow *narrow;
	size_t nnarrow;
	const char *cwd;
	int *narrow_failed;
	int nrlimits;
	struct {
		int resource;
		struct rlimit lim;
	} rlimits[CABIN_SANDBOX_MAX_RLIMITS];
};

/*
 * Enter the namespaces and set up mounts.  With a PID namespace this
 * forks twice: the caller's process stays outside and waits, a child
 * becomes the namespace's init, and only the grandchild returns 0 here to
 * go on to exec.  The others never return: they exit with the program's
 * status.  err_fd is closed in them.
 */
/* Leave the way a program left: its exit code, or death by its signal. */
void cabin_exit_as(int status) __attribute__((noreturn));

int cabin_sandbox_enter(const struct cabin_sandbox *sb, int err_fd);

/* Apply the resource limits (in the process that will exec). */
int cabin_sandbox_rlimits(const struct cabin_sandbox *sb);

#endif
