/*
 * W^X: no page of the confined program is writable and executable, and
 * none changes between the two at run time.  BPF refuses the requests
 * whose arguments say so; the proxy refuses making executable memory
 * writable, which only the current mappings can tell.
 *
 * The same page can be reached twice: through two mappings of one file
 * or shared object, through write(2) to a file whose pages are mapped,
 * or through a persona that makes every readable mapping executable.
 * The alias checks (off with --unsafe-disable=wx-alias) make code only
 * from private mappings of files the program cannot write, and keep
 * READ_IMPLIES_EXEC and writable-and-executable exec images out.
 */
#ifndef CABIN_CORE_MEMGUARD_H
#define CABIN_CORE_MEMGUARD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/guard.h"
#include "core/router.h"

struct cabin_proxy;
struct cabin_task;
struct cabin_syscall;

/* What the program can write, fixed before it starts. */
struct cabin_memguard {
	bool files_restricted;	/* Landlock: only the paths below by path */
	char **writable;	/* real paths of the rules that write */
	size_t nwritable;
	uid_t euid;		/* the program's, and so its files' owner */
	gid_t *groups;		/* its groups, the effective one first */
	size_t ngroups;
	bool dac_override;	/* root keeps its capabilities (unsafe caps) */
	bool proc_writable;	/* /proc/PID/mem may be opened for writing */
};

/* Traced when proc_writable: a descriptor of /proc/PID/mem is checked. */
extern const int cabin_memguard_open_watch[];

/*
 * Start g for a program with cabin's own identity; files_restricted
 * when the policy has file rules, caps_kept when it keeps capabilities.
 * Returns 0 or -errno.
 */
int cabin_memguard_init(struct cabin_memguard *g, bool files_restricted,
			bool caps_kept);
/*
 * The program runs as uid and gid with no other group (root's --uid and
 * --gid), not with cabin's identity.  Returns 0 or -ENOMEM.
 */
int cabin_memguard_set_ids(struct cabin_memguard *g, uid_t uid, gid_t gid);
/* Add the directory or file held by fd (any mode) as writable beneath. */
int cabin_memguard_writable(struct cabin_memguard *g, int fd);
void cabin_memguard_free(struct cabin_memguard *g);


/*
 * The guard, on when the proxy's wx is (the alias checks when its
 * memguard is set too):
 * - at the entry of a routed mprotect, pkey_mprotect, mmap or
 *   personality, -EACCES when it would make memory both writable and
 *   executable, now or through an alias;
 * - at the exit of a traced syscall, the program is killed when an
 *   executable file mmap the entry let run maps another file than the
 *   one checked, or when an open gave it /proc/PID/mem for writing
 *   (which writes code through any protection);
 * - after an exec, the program is killed (-EPERM) when its new image is
 *   both writable and executable anywhere, or runs with
 *   READ_IMPLIES_EXEC.
 */
extern const struct cabin_guard cabin_memguard_guard;

/* What the guard's routes are asked for: the watches, with alias checks? */
struct cabin_memguard_want {
	bool alias;
};

#endif
