/*
 * A platform driver: where and how the confined program runs, as a value
 * with a life cycle.  cabin_run finds one by name (registry.c) and drives
 * it: configure with its own options, probe whether it can work here,
 * prepare what needs cabin's own rights before any sandbox exists, launch
 * the program and run it to its exit status, close.  The operations the
 * proxy core applies to one stopped thread while the program runs are
 * another interface (struct cabin_platform, core/platform.h), which a
 * driver's launch hands to the proxy.
 */
#ifndef CABIN_PLATFORM_DRIVER_H
#define CABIN_PLATFORM_DRIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "sandbox/spawn.h"

struct cabin_platform;
struct cabin_proxy;
struct cabin_report;
struct cabin_tracer;

/*
 * What the program is to the host kernel on a platform; the run builds
 * the protections that stand on it only where it holds.
 */
enum cabin_platform_trait {
	/*
	 * Its processes are host processes: a PID namespace and Landlock's
	 * signal scope keep them to their tree (sigscope), and the kernel's
	 * files are masked in their mount namespace (kfiles).
	 */
	CABIN_PLATFORM_HOST_TASKS	= 1u << 0,
	/* Its descriptors are the kernel's: records check them (racecheck). */
	CABIN_PLATFORM_HOST_FDS		= 1u << 1,
	/* The kernel maps its memory: W^X checks aliases of it (memguard). */
	CABIN_PLATFORM_HOST_MEMORY	= 1u << 2,
	/* ptrace is emulated for tracers inside (the policy routes it). */
	CABIN_PLATFORM_PTRACE_EMUL	= 1u << 3,
};

/* The run's records, which a platform carries to where its proxy runs. */
struct cabin_launch_records {
	struct cabin_tracer *tracer;	/* NULL: no trace */
	FILE *trace_out;		/* stderr, or the trace's record */
	struct cabin_report *report;	/* NULL: neither report nor summary */
	int report_fd;			/* the report's record, or -1 */
	const char *report_path;	/* for messages; NULL: none */
	bool summary;			/* a summary on the log at the end */
	bool report_failed;		/* set by the platform: none came */
};

#define CABIN_LAUNCH_MAX_HELD	4

/*
 * One run as its platform sees it.  log, quiet, unsafe and xom are set
 * before configure; the rest before launch.
 */
struct cabin_launch {
	FILE *log;
	bool quiet;			/* --quiet: fatal errors only on log */
	unsigned int unsafe;		/* enum cabin_unsafe bits */
	/* Execute-only code: asked by the policy, then set up by the run. */
	bool xom;
	void *state;			/* the driver's: configure to close */

	char *const *argv;
	struct cabin_spawn spawn;	/* the sandboxed child, planned */
	unsigned long timeout;		/* wall-clock seconds, 0: none */
	const char *gdb;		/* --gdb's address, NULL: none */
	struct cabin_launch_records records;
	/*
	 * Descriptors the run's guards keep using (the file guard's working
	 * directory): a platform whose proxy runs in the sandboxed child may
	 * renumber them there.
	 */
	int *held_fds[CABIN_LAUNCH_MAX_HELD];
	size_t nheld_fds;
	/*
	 * The run's side, called in whichever process the proxy runs: the
	 * proxy set up on the platform's thread operations, and at the end
	 * the summary, the records finished and the proxy freed.
	 */
	int (*proxy_init)(void *run, struct cabin_proxy *proxy,
			  const struct cabin_platform *plat, FILE *log);
	void (*proxy_close)(void *run, struct cabin_proxy *proxy, int code,
			    FILE *log);
	/* cabin_enter: the proxy traces the process (0) or cannot (-errno). */
	void (*attached)(void *run, int err);
	void *run;
};

/* Every operation but launch may be NULL: nothing to do. */
struct cabin_platform_driver {
	const char *name;		/* --platform NAME */
	unsigned int traits;		/* enum cabin_platform_trait bits */
	/*
	 * Take the platform's own options ("NAME" or "NAME=VALUE", a NULL
	 * terminated list, or NULL) into l->state; 0, or -errno said on
	 * l->log.
	 */
	int (*configure)(struct cabin_launch *l, const char *const *options);
	/*
	 * Can it work on this machine, for what l asks?  0; -ENODEV when
	 * it cannot work here, -EOPNOTSUPP when it refuses this run; why
	 * says the reason in either case.
	 */
	int (*probe)(const struct cabin_launch *l, char *why, size_t len);
	/*
	 * What needs cabin's own rights, before the records and the
	 * sandbox exist; 0, or -errno said on l->log.
	 */
	int (*prepare)(struct cabin_launch *l);
	/*
	 * Start the program, run it to its end and return the status cabin
	 * exits with (the program's, 128+N, or a CABIN_EXIT_* code).
	 */
	int (*launch)(struct cabin_launch *l);
	/*
	 * cabin_enter's side, in the proxy's own process: trace the running
	 * process pid (which waits for l->attached and then confines
	 * itself), run the proxy for it and all it starts, and return the
	 * status as launch does.  The process is held at its exit until
	 * the proxy's process ends, so that its parent sees it end only
	 * after the records are complete.  NULL: the platform cannot take
	 * in a running process.
	 */
	int (*serve)(struct cabin_launch *l, pid_t pid);
	/* Let go of what configure and prepare took, even after a failure. */
	void (*close)(struct cabin_launch *l);
};

/* The driver called name (NULL: the default), or NULL if none is. */
const struct cabin_platform_driver *cabin_platform_find(const char *name);
/* The names of every driver, as "process, kvm", into buf. */
void cabin_platform_list(char *buf, size_t len);

/*
 * The program could not be started (err, -errno): said on log, and the
 * status cabin exits with (127 not found, 126 not executable, else 125).
 */
int cabin_platform_start_error(FILE *log, const char *program, int err);

#endif /* CABIN_PLATFORM_DRIVER_H */
