/*
 * The file guard: what Landlock does not control about files, checked by
 * the proxy against the policy's path rules and performed by the proxy
 * itself on the object it checked.  Metadata (chmod, chown, utimes,
 * xattrs, the attribute ioctls) and unix socket files (connect, send,
 * bind); and, for every filtered run, the setgid chmods the setid routes
 * (policy/setid.h) hand it: allowed on directories only.
 */
#ifndef CABIN_CORE_FSGUARD_H
#define CABIN_CORE_FSGUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "core/proxy.h"
#include "core/router.h"

/*
 * How it works: the calls are routed to the emulate hook.  The hook
 * resolves the program's path once, in the program's view (see
 * core/pathview.h), to a descriptor; checks that descriptor against the
 * rule roots; then performs the call itself through that descriptor
 * (/proc/self/fd/N) with cabin's capabilities lowered, so the object
 * checked is the object changed, and root cabin grants nothing the
 * capability-less program lacks.  Calls on a descriptor act on a
 * duplicate of the program's own (dup_fd).
 *
 * The rights: changing a file's metadata needs write on it (a rule
 * granting write on the file or a directory above it); connecting or
 * sending to a unix socket file needs write on the socket file, as the
 * kernel's own check wants write permission; binding one needs create on
 * its directory.  A descriptor the program opened for writing passed
 * Landlock's write check already, so its metadata may change as well.
 * Not so for a special file (device, FIFO, socket) while `nodes` is set:
 * write on one is for the data that passes through it, and the node is
 * often the host's (/dev/null, a terminal); its times, mode, owner and
 * xattrs change only under a rule granting create on a directory above
 * it, where the program could have made it itself.
 *
 * Rule roots are resolved in the program's view when the program first
 * runs (cabin_fsguard_resolve, called at its first exec), or else at the
 * first call: absolute paths under its root, relative ones from its
 * first cwd (cabin's cwd at cabin_fsguard_init), "~" from home.  A file
 * "has" a right when it, or a directory on its way up to the program's
 * root ("..", across mounts, as Landlock walks), is a rule root with it.
 *
 * Differences from the kernel doing it (documented limits):
 * - paths through procfs links ("/proc/self/...", /dev/fd) fail with
 *   ELOOP, except "/proc/self/fd/N" and "/proc/thread-self/fd/N", which
 *   name the program's descriptor N;
 * - setxattrat, removexattrat and file_setattr fail with ENOSYS (as on
 *   older kernels; libc and e2fsprogs fall back to the calls above);
 * - FS_IOC_ENABLE_VERITY is refused where the rules refuse it and fails
 *   with EOPNOTSUPP where they allow it (its argument holds pointers into
 *   the program, which the guard does not follow);
 * - socket files are checked where the network guard performs connect
 *   and the sends (network loopback and none, or a port list), not
 *   under network host without port lists: routing every connect of a
 *   host-mode program through the proxy would serialise them.
 */

/* The rights the guard checks, the policy's enum cabin_file_right bits. */
#define CABIN_FSGUARD_WRITE	(1u << 1)
#define CABIN_FSGUARD_CREATE	(1u << 2)

/* A policy path rule as written. */
struct cabin_fsguard_rule {
	const char *path;	/* "~", "." and relative paths allowed */
	unsigned int rights;
};

struct cabin_fsguard_root;

struct cabin_fsguard {
	char **paths;		/* copies of the rules that grant a right */
	unsigned int *rights;
	size_t nrules;
	char *home;
	int cwd;		/* the program's first cwd, O_PATH */
	bool resolved;
	bool check_rules;	/* false: no file rules, or rometa off */
	bool setid;		/* refuse setuid/setgid modes (setid on) */
	bool nodes;		/* special files need create above (kfiles on) */
	bool covered_ok;	/* walk up through covered parents (mountwalk off) */
	struct cabin_fsguard_root *roots;
	size_t nroots;
	unsigned long denied;	/* calls refused, for the summary */
	bool judge;		/* judge failed file calls (files restricted) */
	bool hinted;		/* the run's one refusal hint was said */
	unsigned int judged;	/* refusals judged, up to CABIN_FSGUARD_JUDGED */
	struct cabin_observer observer;	/* resolves at the first exec */
};

/*
 * Keep the rules (the metadata checks ask only for write and create, the
 * refusal judge for every right), open cabin's cwd as the program's first cwd; rules are
 * checked, setid modes refused and special files guarded until the
 * caller says otherwise.  home may be NULL ("~" rules are then skipped).
 * Returns 0 or -errno.
 */
int cabin_fsguard_init(struct cabin_fsguard *g,
		       const struct cabin_fsguard_rule *rules, size_t n,
		       const char *home);
void cabin_fsguard_free(struct cabin_fsguard *g);

/*
 * Resolve the rule roots in tid's view, once; rules that do not resolve
 * grant nothing.  g->observer does it at the first exec, before the
 * program runs an instruction, so the program cannot move a rule's path.
 */
void cabin_fsguard_resolve(struct cabin_fsguard *g, pid_t tid);

/*
 * Does the file behind fd (any descriptor in cabin) have right (every
 * bit of it, granted by one rule or several on its way up), in tid's
 * view?  parent is the directory it was found in, needed when fd is not
 * a directory, -1 if unknown (only rules on the file itself count then).
 * Returns 1, 0, or -errno.
 */
int cabin_fsguard_allows(struct cabin_fsguard *g, pid_t tid, int fd,
			 int parent, unsigned int right);

/* Are a and b the same file (device and inode)? */
bool cabin_fsguard_same_file(const struct stat *a, const struct stat *b);

/*
 * Append to r the routes the guard needs: emulate routes for the
 * metadata calls and the attribute ioctls, ENOSYS for those it does not
 * mediate (setxattrat, removexattrat, file_setattr).  Returns 0 or -errno.
 */
int cabin_fsguard_routes(struct cabin_router *r);

/* Is nr a metadata call the guard answers itself? */
bool cabin_fsguard_handles(long nr);

/* The result of a metadata call as the guard performed it, or -errno. */
long cabin_fsguard_emulate(struct cabin_proxy *p, struct cabin_fsguard *g,
			   struct cabin_task *task,
			   const struct cabin_syscall *sys);

/*
 * Refused file calls (fsguard_refusal.c).  The syscalls whose failures
 * it judges, -1 terminated: routed to be seen at their exit when files
 * are restricted.  At such an exit (the guard's settle hook), an EACCES
 * or EPERM the policy caused is marked task->refused (an EACCES the
 * permission bits do not explain counts as the policy's; past the run's
 * first CABIN_FSGUARD_JUDGED, every one does, unjudged), and the first
 * of the run is told with the option that would allow it.
 */
extern const int cabin_fsguard_refusal_watch[];

/* Refusals judged per run; later ones count as the policy's unjudged. */
#define CABIN_FSGUARD_JUDGED	64
void cabin_fsguard_settle(struct cabin_proxy *p, void *ctx,
			  struct cabin_task *task, long ret);

/* The guard the proxy runs: its context is a struct cabin_fsguard. */
extern const struct cabin_guard cabin_fsguard_guard;

#endif
