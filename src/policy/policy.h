/*
 * A policy: what a confined program may do, as parsed from a policy file
 * or a built-in profile and then adjusted by command-line overrides.  It
 * is compiled to the kernel (BPF routes, Landlock, rlimits, namespaces)
 * wherever the kernel can enforce it, and to proxy routes elsewhere.
 */
#ifndef CABIN_POLICY_POLICY_H
#define CABIN_POLICY_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cabin/policy.h"
#include "core/netguard.h"
#include "core/router.h"

struct cabin_path_rule {
	char *path;		/* as written ("." and "~" allowed) */
	unsigned int rights;	/* enum cabin_file_right */
	bool optional;		/* "?path": skipped when it does not exist */
	unsigned int origin;	/* which parse wrote it, 0 = command line */
	/*
	 * What names it in a run-time error: "FILE:LINE:COL" for a policy's
	 * line ("profile default:3:7" for a built-in), the option for the
	 * command line ("--allow-write ./build"), NULL for cabin's own.
	 */
	char *where;
};


#define CABIN_POLICY_MAX_PORTS 64

enum cabin_isolate {
	CABIN_ISOLATE_PID	= 1u << 0,
	CABIN_ISOLATE_NET	= 1u << 1,
	CABIN_ISOLATE_IPC	= 1u << 2,
	CABIN_ISOLATE_UTS	= 1u << 3,
	CABIN_ISOLATE_MOUNT	= 1u << 4,
};

/* A limit of 0 means "not set". */
struct cabin_limits {
	uint64_t rlimit_as;	/* bytes of address space per process */
	uint64_t rlimit_cpu;	/* CPU seconds per process */
	uint64_t procs;		/* live processes + threads in the tree */
	uint64_t rlimit_nofile;	/* open file descriptors per process */
	uint64_t rlimit_fsize;	/* bytes, largest file it may write */
	uint64_t timeout;	/* wall-clock seconds for the whole run */
	/* The whole tree's, in a cgroup v2 of the run's own: */
	uint64_t memory_max;	/* bytes (memory.max, no swap) */
	uint64_t pids_max;	/* tasks (pids.max) */
	uint64_t cpu_max;	/* percent of one CPU (cpu.max) */
};

/* A syscall rule as written: names kept for printing the normal form. */
struct cabin_syscall_rule {
	char name[40];
	struct cabin_rule rule;
	unsigned int line;
	unsigned int origin;	/* which parse wrote it, 0 = command line */
	char *where;		/* "FILE:LINE:COL" of its name, NULL if none */
	/* The group that named it ("@mount"), NULL when named itself. */
	const char *group;
};

struct cabin_env_set {
	char *name;
	char *value;
	unsigned int line;
	unsigned int origin;	/* which parse wrote it, 0 = command line */
};

/* Absolute paths named in a policy, each once, in the order given. */
struct cabin_path_list {
	char **path;
	char **where;		/* "FILE:LINE:COL" of each, NULL if none */
	size_t n;
};

struct cabin_policy {
	char profile[32];		/* built-in it started from, "" if none */

	bool has_syscall_default;
	struct cabin_route syscall_default;
	struct cabin_syscall_rule *syscalls;
	size_t nsyscalls;
	bool filter_off;		/* "syscall filter off": profile none */

	bool files_restricted;		/* any file rule: unlisted = denied */
	struct cabin_path_rule *paths;
	size_t npaths;
	/*
	 * `files none|read-only|no-exec PATH`: rights taken away at PATH
	 * and below (rights holds enum cabin_file_strip), enforced with
	 * mounts (run/subtract.c); they never set files_restricted.
	 */
	struct cabin_path_rule *strips;
	size_t nstrips;

	enum cabin_net_mode net;
	uint16_t connect_ports[CABIN_POLICY_MAX_PORTS];
	size_t nconnect_ports;
	uint16_t bind_ports[CABIN_POLICY_MAX_PORTS];
	size_t nbind_ports;

	struct cabin_limits limits;

	bool env_clear;
	char **env_keep;
	size_t nenv_keep;
	char **env_unset;		/* removed from cabin's environment */
	size_t nenv_unset;
	struct cabin_env_set *env_set;
	size_t nenv_set;

	unsigned int isolate;		/* enum cabin_isolate */
	bool private_tmp;
	unsigned int memory;		/* enum cabin_memory_protection */
	/* xom: files whose WRPKRU/XRSTOR it allows, files whose code stays readable */
	struct cabin_path_list trusted;
	struct cabin_path_list readable_code;

	unsigned int parses;		/* parse calls so far: origin numbers */
};

void cabin_policy_init(struct cabin_policy *p);
void cabin_policy_free(struct cabin_policy *p);

/*
 * Parse policy text (not NUL-terminated necessarily) into p, which must
 * be initialised; lines add to what p already holds, so a profile line
 * followed by more lines refines the profile.  Returns 0 or -EINVAL with
 * err filled (file:line:column and what is wrong).
 */
int cabin_policy_parse(struct cabin_policy *p, const char *text, size_t len,
		       const char *filename, struct cabin_policy_error *err);

/*
 * Same meaning: what format prints is equal (profile, lines ignored, and
 * a syscall group the same as its calls written out by name).
 */
bool cabin_policy_equal(const struct cabin_policy *a,
			const struct cabin_policy *b);

/*
 * Mutators shared by the parser and the command-line overrides, besides
 * the public ones (cabin/policy.h).  They
 * return 0 or -EINVAL for a value the language could not express, and
 * -ENOMEM.  A later unconditioned syscall rule replaces an earlier one
 * for the same syscall, a later env set replaces an earlier value, and a
 * path named twice gets the union of its rights: later overrides earlier.
 */
int cabin_policy_add_syscall(struct cabin_policy *p, const char *name,
			     const struct cabin_rule *rule, unsigned int line);
/* The policy's syscall rule a compiled rule came from; NULL: cabin's own. */
const struct cabin_syscall_rule *
cabin_policy_syscall_of(const struct cabin_policy *p,
			const struct cabin_rule *rule);
/*
 * Add an absolute path to a list (memory trust, memory readable-code);
 * -EINVAL if it is not one.
 */
int cabin_policy_add_file(struct cabin_path_list *l, const char *path,
			  const char *where);

#endif
