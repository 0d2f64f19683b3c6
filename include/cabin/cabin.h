/*
 * Public API of libcabin: confine one program behind the proxy kernel and
 * get its exit status back (cabin_run), or confine the calling process
 * itself from a point on (cabin_init, cabin_enter).  The `cabin` command
 * is a thin client of this; libcabin(3) is the manual.
 */
#ifndef CABIN_CABIN_H
#define CABIN_CABIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Exit statuses that belong to cabin itself, as in env(1) and timeout(1). */
#define CABIN_EXIT_INTERNAL	125
#define CABIN_EXIT_NOEXEC	126
#define CABIN_EXIT_NOTFOUND	127

/*
 * Protections that the adversarial tests switch off one at a time to show
 * that each one is what stops its attack.  Never set in normal use.
 */
enum cabin_unsafe {
	CABIN_UNSAFE_ABI	= 1u << 0,	/* foreign syscall ABIs run */
	CABIN_UNSAFE_DENY	= 1u << 1,	/* built-in deny list off */
	CABIN_UNSAFE_UNTRACED	= 1u << 2,	/* CLONE_UNTRACED, clone3 allowed */
	CABIN_UNSAFE_EXITKILL	= 1u << 3,	/* tree survives cabin's death */
	CABIN_UNSAFE_CAPS	= 1u << 4,	/* capabilities kept */
	CABIN_UNSAFE_SMEP	= 1u << 5,	/* kvm: the proxy kernel may run user pages */
	CABIN_UNSAFE_SMAP	= 1u << 6,	/* kvm: the proxy kernel may read user pages */
	CABIN_UNSAFE_SECCOMP	= 1u << 7,	/* the program's own filters unchecked */
	CABIN_UNSAFE_WXALIAS	= 1u << 8,	/* W^X: personality, aliased mappings */
	CABIN_UNSAFE_OUTPUTS	= 1u << 9,	/* outputs opened by path at the end */
	CABIN_UNSAFE_SIGSCOPE	= 1u << 10,	/* signals may leave the tree */
	CABIN_UNSAFE_SETID	= 1u << 11,	/* setuid/setgid modes allowed */
	CABIN_UNSAFE_ROMETA	= 1u << 12,	/* read-only files' metadata changes */
	CABIN_UNSAFE_NETSCOPE	= 1u << 13,	/* abstract names, interfaces reached */
	CABIN_UNSAFE_KFILES	= 1u << 14,	/* kernel files, host ptys, nodes */
	CABIN_UNSAFE_RACECHECK	= 1u << 15,	/* records take the paths as read at entry */
	CABIN_UNSAFE_BINDPATH	= 1u << 16,	/* socket files bound without the domain */
	CABIN_UNSAFE_FDS	= 1u << 17,	/* inherited descriptors reach the program */
	CABIN_UNSAFE_UNREADABLE	= 1u << 18,	/* calls run on memory cabin cannot read */
	CABIN_UNSAFE_NAMES	= 1u << 19,	/* the program's names printed raw */
	CABIN_UNSAFE_MOUNTWALK	= 1u << 20,	/* the file guard walks up into covering mounts */
	CABIN_UNSAFE_SUBTRACT	= 1u << 21,	/* --deny, --read-only, files none/read-only/no-exec not mounted */
	CABIN_UNSAFE_PTRACE	= 1u << 22,	/* ptrace not emulated: the kernel's, as routed */
};

struct cabin_policy;

struct cabin_config {
	bool verbose;		/* one line per spawn, exec and exit */
	/*
	 * Only fatal errors (those ending the run with CABIN_EXIT_*) on
	 * the log: no notices, denials, fault lines or warnings.  The
	 * trace, the report and the summary asked for are the same.
	 */
	bool quiet;
	unsigned int unsafe;	/* enum cabin_unsafe bits */
	FILE *log;		/* where cabin's own lines go; NULL: stderr */
	/*
	 * What the program may do: a policy built with cabin/policy.h, or
	 * else a policy file (policy_path), or else a built-in profile by
	 * name (profile); all NULL: the built-in `default` profile.  A
	 * policy file's rules are the user's (user_rules is implied).
	 */
	const struct cabin_policy *policy;
	const char *policy_path;
	const char *profile;
	/*
	 * The policy holds rules a user wrote (a policy file or overrides):
	 * those are refused when the kernel cannot enforce them, unless
	 * best_effort, instead of degrading with a warning as built-in
	 * profiles do.
	 */
	bool user_rules;
	bool best_effort;
	/*
	 * Inherited descriptors the program keeps besides 0, 1 and 2
	 * (--pass-fd); every other one is closed at its exec.
	 */
	const int *pass_fds;
	size_t npass_fds;
	/*
	 * The directory the program starts in (--chdir), NULL: cabin's own.
	 * cabin_run enters it after binding the trace and report and before
	 * anything else, so the policy's `.` and relative paths and a
	 * relative PROGRAM mean it; the caller's working directory is
	 * restored when the run ends.
	 */
	const char *workdir;
	/*
	 * The host name the program sees (--hostname), NULL: the machine's.
	 * Set in a UTS namespace of its own, never on the machine; 1 to 64
	 * letters, digits, '-' and '.', not starting with '-'.
	 */
	const char *hostname;
	/*
	 * The user and group ids the program runs as (--uid, --gid), when
	 * set_uid / set_gid; unset: the caller's own.  For a caller who is
	 * not root they are a user namespace's, mapped to the caller's own
	 * outside (files the program makes are still the caller's on disk);
	 * root's program takes them outright, with no supplementary group,
	 * and really is uid and gid on disk (root sets both, or gid alone).
	 * 0 to 4294967294; not on the kvm platform.
	 */
	bool set_uid, set_gid;
	unsigned int uid, gid;

	/* The syscall trace (docs/trace.md); trace_path "-" is stderr. */
	const char *trace_path;		/* NULL: no trace */
	bool trace_jsonl;
	bool trace_timestamps;
	bool trace_durations;
	bool trace_fds;			/* annotate descriptors (strace -y) */
	/* The behaviour report (docs/report.md) and its summary on stderr. */
	const char *report_path;	/* NULL: no JSON report */
	bool summary;

	/*
	 * Where the program runs: a platform's name (cabin_platform_name),
	 * NULL for the first, "process"; and options for that platform
	 * alone, each "NAME" or "NAME=VALUE", NULL-terminated, or NULL.
	 * The kvm platform takes stats, forward=exit or forward=ring,
	 * batch=PAGES and test-fault=read-user, exec-user or kernel-ud
	 * (cabin run's --stats, --forward, --kvm-batch, --kvm-test-fault).
	 */
	const char *platform;
	const char *const *platform_options;
	/*
	 * Serve the GDB remote protocol here (--gdb): "HOST:PORT", ":PORT"
	 * or "PORT" (host 127.0.0.1; port 0: any free one), the program
	 * held before its first instruction until a debugger attaches.
	 * NULL: no debugger.  The process platform only.
	 */
	const char *gdb;
};

/*
 * Run argv[0] (looked up like execvp) confined, wait for it and return the
 * exit status cabin should exit with: the program's own, 128+N when it was
 * killed by signal N, or one of the CABIN_EXIT_* codes.
 */
int cabin_run(const struct cabin_config *cfg, char *const argv[]);

/*
 * Confining the calling process itself, from a point on.  cabin_init
 * does everything that can fail: the policy loaded and checked, the
 * trace and report bound, and the proxy kernel started as a process of
 * its own, outside the caller's reach (not its child, not dumpable,
 * outside its Landlock domain).  It returns 0 or a negative errno, the
 * reason then in cabin_error(); once per process.  The caller's working
 * directory now is the one the policy's `.` means.
 *
 * cabin_enter confines the caller from its return on, irreversibly:
 * no capabilities, no_new_privs, the policy's namespaces (all but a PID
 * namespace), Landlock and the seccomp filter, traced by the proxy
 * kernel, which sees, judges and records every process it starts.
 * Memory, descriptors and the environment stay as they are.  Only a
 * single-threaded process can enter (-EBUSY otherwise: threads that
 * exist would stay outside).  -EINVAL without a successful cabin_init;
 * -EPERM (or another errno) when the proxy cannot trace the caller:
 * then nothing has changed.  A step failing after the proxy attached
 * ends the process (exit status 125) rather than let it run on half
 * confined.  The trace and the report are written by the proxy and are
 * complete before the caller's parent sees it end.  The process
 * platform only: --platform kvm is refused by cabin_init.
 */
int cabin_init(const struct cabin_config *cfg);
int cabin_enter(void);
/* Why the last cabin_init or cabin_enter failed, one line; "" if none. */
const char *cabin_error(void);

/* The i-th platform cabin knows (0 is the default); NULL past the last. */
const char *cabin_platform_name(size_t i);

/* Add the protections named in a comma-separated list; -EINVAL if unknown. */
int cabin_unsafe_parse(const char *list, unsigned int *unsafe);

#endif
