/*
 * Rights taken away below what the file rules grant (`files none`,
 * `read-only`, `no-exec`; `cabin run --deny`, `--read-only`), as mounts
 * in the program's mount namespace: Landlock only ever adds rights
 * beneath a rule, a mount's flags hold for every path that reaches it.
 * docs/security.md, "Taking rights away below a grant".
 */
#ifndef CABIN_SANDBOX_NARROW_H
#define CABIN_SANDBOX_NARROW_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* One mount, in the order given (a path before the paths below it). */
struct cabin_narrow {
	const char *path;	/* absolute, symlinks resolved (the host's view) */
	dev_t dev;		/* the object cabin checked there: a */
	ino_t ino;		/* different one is refused (-ESTALE) */
	bool hide;		/* an empty, unreadable mode-0 object over it */
	unsigned int set;	/* MOUNT_ATTR_RDONLY, MOUNT_ATTR_NOEXEC */
	unsigned int clear;	/* the same, given back below a narrowing */
};

/*
 * Make each mount, then enter cwd again by its name so that the
 * program's working directory is the covered one, not the directory
 * underneath (whose writes the mounts would not see).  Returns 0 or
 * -errno; on failure *failed is the index of the mount that could not be
 * made, count for cwd.
 */
int cabin_narrow_apply(const struct cabin_narrow *n, size_t count,
		       const char *cwd, int *failed);

#endif
