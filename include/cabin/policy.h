/*
 * Public API of cabin's policies (docs/policy.md): load one from a file
 * or a built-in profile, adjust it the way `cabin run`'s options do,
 * check it and print its normal form.  A struct cabin_policy is opaque
 * here; cabin_run() takes one through struct cabin_config.
 */
#ifndef CABIN_POLICY_H
#define CABIN_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct cabin_policy;

/* Where a policy is wrong, and what: FILE:LINE:COLUMN: MESSAGE. */
struct cabin_policy_error {
	char file[256];
	unsigned int line;		/* 1-based; 0 = not tied to a line */
	unsigned int column;		/* 1-based */
	char message[256];
};

/* File rights; a path rule grants the union of what it names. */
enum cabin_file_right {
	CABIN_FILE_READ		= 1u << 0,	/* read files, list directories */
	CABIN_FILE_WRITE	= 1u << 1,	/* write and truncate files */
	CABIN_FILE_CREATE	= 1u << 2,	/* create, delete, rename, link */
	CABIN_FILE_EXEC		= 1u << 3,	/* execute files */
	CABIN_FILE_IOCTL	= 1u << 4,	/* ioctl on device files */
	CABIN_FILE_LIST		= 1u << 5,	/* list directories (read has it) */
};

/*
 * What `files none|read-only|no-exec PATH` (and `cabin run --deny`,
 * `--read-only`) take away at PATH and below, whatever rules above grant.
 */
enum cabin_file_strip {
	CABIN_STRIP_HIDE	= 1u << 0,	/* none: nothing at all */
	CABIN_STRIP_READ_ONLY	= 1u << 1,	/* no writing, creating, deleting */
	CABIN_STRIP_NO_EXEC	= 1u << 2,	/* no executing */
};

enum cabin_memory_protection {
	CABIN_MEMORY_WX		= 1u << 0,	/* no memory writable and executable */
	CABIN_MEMORY_XOM	= 1u << 1,	/* execute-only code */
};

/* The limits a policy sets with `limit NAME VALUE`. */
enum cabin_policy_limit {
	CABIN_POLICY_LIMIT_RLIMIT_AS,	/* bytes of address space per process */
	CABIN_POLICY_LIMIT_RLIMIT_CPU,	/* CPU seconds per process */
	CABIN_POLICY_LIMIT_PROCS,	/* live processes + threads in the tree */
	CABIN_POLICY_LIMIT_RLIMIT_NOFILE, /* open descriptors per process */
	CABIN_POLICY_LIMIT_RLIMIT_FSIZE, /* bytes, largest file it may write */
	CABIN_POLICY_LIMIT_TIMEOUT,	/* wall-clock seconds for the whole run */
	CABIN_POLICY_LIMIT_MEMORY_MAX,	/* bytes the whole tree may use */
	CABIN_POLICY_LIMIT_PIDS_MAX,	/* tasks in the whole tree (cgroup) */
	CABIN_POLICY_LIMIT_CPU_MAX,	/* percent of one CPU, whole tree */
};

/*
 * A CPU share as `cabin run --cpu-max` and `limit cpu-max` take it:
 * "50%" or "0.5" (CPUs), in percent of one CPU, 1 to 100000.
 * 0, or -EINVAL.
 */
int cabin_policy_parse_cpu_share(const char *s, uint64_t *percent);

/* An empty policy (nothing restricted), or NULL when out of memory. */
struct cabin_policy *cabin_policy_new(void);
void cabin_policy_delete(struct cabin_policy *p);

/*
 * Read a policy file, or a built-in profile, into p; what p holds
 * already is refined by it.  0, or -errno with err filled.
 */
int cabin_policy_load_file(struct cabin_policy *p, const char *path,
			   struct cabin_policy_error *err);
int cabin_policy_load_profile(struct cabin_policy *p, const char *name,
			      struct cabin_policy_error *err);

/* The text of a built-in profile, or NULL. */
const char *cabin_profile_text(const char *name);
/* Names of the built-in profiles, NULL-terminated. */
extern const char *const cabin_profile_names[];
/*
 * Print the syscall group name ("@mount") as `cabin policy show` does:
 * what it is for, then its syscalls one a line; 0, -ENOENT for no such
 * group, or -EIO when out fails.
 */
int cabin_policy_group_show(const char *name, FILE *out);
/* "@clock @cpu-emulation ...": the names of the syscall groups. */
void cabin_policy_group_names(char *buf, size_t len);

/* Checks that need the whole policy (contradictions, impossible limits). */
int cabin_policy_validate(const struct cabin_policy *p,
			  struct cabin_policy_error *err);

/*
 * One "FILE:LINE:COL: warning: path 'P' does not exist" line on out for
 * each required path this machine does not have (relative paths from
 * the working directory, '~' from $HOME); how many.
 */
size_t cabin_policy_warn_missing(const struct cabin_policy *p, FILE *out);

/* Print p in normal form: a policy file that parses back to p. */
int cabin_policy_format(const struct cabin_policy *p, FILE *out);

/* "file:line:column: message" (or "file: message") and a newline. */
void cabin_policy_error_print(const struct cabin_policy_error *err,
			      FILE *out);

/*
 * Adjustments, as a policy's own lines or `cabin run`'s options make
 * them.  They return 0, -EINVAL for a value the language could not
 * express, or -ENOMEM.  A path named twice gets the union of its rights
 * and keeps where it was first written, which names the rule when it
 * fails at run time: "FILE:LINE:COL" for a policy's line, the option and
 * its argument for the command line ("--allow-write ./build"), NULL for
 * none.  A later env set replaces an earlier value.
 */
int cabin_policy_add_path(struct cabin_policy *p, const char *path,
			  unsigned int rights, bool optional,
			  const char *where);
/*
 * Take rights away at path and below (enum cabin_file_strip bits; HIDE
 * covers the others).  A path named twice gets the union.  Never turns
 * file rules on: it subtracts from whatever the policy allows.
 */
int cabin_policy_add_strip(struct cabin_policy *p, const char *path,
			   unsigned int strip, bool optional,
			   const char *where);
/* "none", "loopback" or "host", as `network MODE` writes it. */
int cabin_policy_set_network(struct cabin_policy *p, const char *mode);
int cabin_policy_set_limit(struct cabin_policy *p,
			   enum cabin_policy_limit limit, uint64_t value);
/* Adds enum cabin_memory_protection bits. */
int cabin_policy_add_memory(struct cabin_policy *p, unsigned int protection);
void cabin_policy_env_clear(struct cabin_policy *p);
int cabin_policy_env_set(struct cabin_policy *p, const char *name,
			 const char *value);
/*
 * `env keep NAME`: NAME passes from cabin's environment although `env
 * clear` empties it; `env unset NAME`: NAME does not pass.  The later of
 * the two for one name wins; `env set` wins over both.  A name is a
 * letter or _, then letters, digits and _ (-EINVAL otherwise).
 */
int cabin_policy_env_keep(struct cabin_policy *p, const char *name);
int cabin_policy_env_unset(struct cabin_policy *p, const char *name);

/*
 * Apply the settings o makes (a policy built with the adjustments above)
 * on top of p, and they win: o's paths are granted too (without
 * confining a policy that left files open), its network mode, limits,
 * memory protection and environment replace or add to p's (o's env
 * keep and unset also win over an env set of p for the same name).
 */
int cabin_policy_override(struct cabin_policy *p,
			  const struct cabin_policy *o);

#endif /* CABIN_POLICY_H */
