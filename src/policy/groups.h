/*
 * Named syscall groups of the policy language (`syscall deny @mount`):
 * sets of x86-64 syscalls modelled on systemd's SystemCallFilter=
 * groups, so that a policy names a purpose rather than a list.
 */
#ifndef CABIN_POLICY_GROUPS_H
#define CABIN_POLICY_GROUPS_H

#include <stddef.h>

#include "cabin/policy.h"

struct cabin_policy_group {
	const char *name;	/* "@mount" */
	const char *about;	/* what its calls are for, one line */
	/* Syscall names and groups ("@clock"), separated by spaces. */
	const char *members;
};

/* The group called name ("@mount"), or NULL. */
const struct cabin_policy_group *cabin_policy_group_find(const char *name);

/*
 * Call fn with each syscall name of g in order, nested groups expanded;
 * stops at and returns fn's first nonzero result, else 0.
 */
int cabin_policy_group_each(const struct cabin_policy_group *g,
			    int (*fn)(const char *name, void *arg), void *arg);

#endif
