/*
 * Starting the confined program: find it like execvp, fork, let cabin
 * attach with ptrace, drop privileges, install the filter, exec.
 */
#ifndef CABIN_PROCESS_SPAWN_H
#define CABIN_PROCESS_SPAWN_H

#include <linux/filter.h>
#include <stdbool.h>
#include <sys/types.h>

#include "sandbox/privs.h"
#include "sandbox/sandbox.h"
#include "sandbox/signals.h"

struct cabin_spawn {
	char *const *argv;
	int exe_fd;			/* the program, run when its path is gone */
	char *const *envp;		/* NULL: cabin's own environment */
	const struct sock_fprog *filter;	/* NULL: no seccomp filter */
	unsigned int unsafe;		/* enum cabin_unsafe bits */
	const struct cabin_saved_signals *signals;	/* restored in the child */
	const struct cabin_sandbox *sandbox;
	bool userns;			/* non-root: enter an own user namespace */
	struct cabin_privs_ids ids;	/* the program's (--uid, --gid) */
	/*
	 * cabin's alone (its output files): closed first thing in the
	 * child, so that no helper forked there holds them either.
	 */
	const int *private_fds;
	size_t nprivate_fds;
	/*
	 * Inherited descriptors the program keeps besides 0, 1, 2; every
	 * other one is made close-on-exec next (unless unsafe says fds).
	 */
	const int *pass_fds;
	size_t npass_fds;
	/* Stop a vfork parent when its child lets go (--gdb's vforkdone). */
	bool vfork_done;
	/* Join the run's cgroup through its cgroup.procs first thing. */
	bool join_cgroup;
	int cgroup_fd;
	/* Last step before the filter, after no_new_privs (Landlock). */
	int (*confine)(void *ctx);
	void *confine_ctx;
	/*
	 * Instead of the filter and execve: call run in the confined child
	 * and exit with what it returns; the child is not traced (the kvm
	 * platform's monitor runs this way).
	 */
	int (*run)(void *ctx);
	void *run_ctx;
};

/* Why the child did not reach the program, sent up the error pipe. */
struct cabin_spawn_error {
	int stage;			/* enum cabin_spawn_stage */
	int err;			/* errno */
	int detail;			/* CABIN_STAGE_NARROW: sandbox's narrow[detail] (nnarrow: the working directory), else -1 */
};

enum cabin_spawn_stage {
	CABIN_STAGE_NONE,
	CABIN_STAGE_SYNC,
	CABIN_STAGE_CGROUP,
	CABIN_STAGE_FDS,
	CABIN_STAGE_USERNS,
	CABIN_STAGE_NAMESPACES,
	CABIN_STAGE_NARROW,
	CABIN_STAGE_PRIVS,
	CABIN_STAGE_RLIMITS,
	CABIN_STAGE_NNP,
	CABIN_STAGE_CONFINE,
	CABIN_STAGE_FILTER,
	CABIN_STAGE_EXEC,
};

struct cabin_child {
	pid_t pid;
	int error_fd;			/* read end; EOF once exec succeeded */
	char path[4096];		/* what was executed */
};

/*
 * Resolve argv[0] the way execvp does.  Returns 0, -ENOENT when nothing
 * matches, -EACCES when only non-executable files match.
 */
int cabin_find_program(const char *name, char *path, size_t len);

/* Fork the child, seize it with ptrace and let it go.  Returns 0 or -errno. */
int cabin_spawn_child(const struct cabin_spawn *s, struct cabin_child *child);

/*
 * cabin_enter: trace the running process pid as a spawned child is
 * traced (seized with cabin's options); 0 or -errno.
 */
int cabin_spawn_seize(pid_t pid, unsigned int unsafe, bool vfork_done);

/*
 * cabin_enter, in the calling process itself: every step of a spawned
 * child's sandbox up to and with the filter, but no PID namespace (the
 * plan must have none) and no exec.  0, or -errno with the stage in *e.
 */
int cabin_spawn_confine_self(const struct cabin_spawn *s,
			     struct cabin_spawn_error *e);

/* Read the child's report after it died before exec; false if it had none. */
bool cabin_spawn_failure(const struct cabin_child *child,
			 struct cabin_spawn_error *out);

const char *cabin_spawn_stage_name(int stage);

#endif
