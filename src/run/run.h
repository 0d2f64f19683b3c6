/*
 * One run of cabin_run, inside libcabin: what it builds from its policy
 * before anything starts (checks.c, grants.c, protect.c, plan.c,
 * records.c), handed to its platform's driver to launch, and released
 * together at the end (cabin.c).  Calls go down only: cabin.c calls the
 * files here and the platform registry; none of these calls cabin.c or a
 * platform, and a platform reaches the run only through the hooks of its
 * struct cabin_launch.
 */
#ifndef CABIN_RUN_RUN_H
#define CABIN_RUN_RUN_H

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>

#include "cabin/cabin.h"
#include "core/fsguard.h"
#include "core/log.h"
#include "core/memguard.h"
#include "core/netguard.h"
#include "core/router.h"
#include "core/xom.h"
#include "platform/driver.h"
#include "sandbox/sandbox.h"
#include "policy/compile_bpf.h"
#include "policy/policy.h"
#include "trace/outfile.h"
#include "util/cgroup.h"
#include "util/procfs.h"

struct cabin_proxy;
struct cabin_platform;

/* Everything one run builds from its policy, released together. */
struct cabin_run_state {
	const struct cabin_config *cfg;
	const struct cabin_policy *policy;
	struct cabin_policy fallback;	/* the config's file or profile */
	bool user_rules;		/* the policy holds a user's rules */
	struct cabin_policy effective;	/* the policy plus the program's file */
	struct cabin_path_rule *paths;	/* effective's path rules */
	int exe_fd;			/* the program, opened by cabin */
	int terminal_fd;		/* stdio on a host pts, or -1 */
	int mqueue_root;		/* in the child: sandbox.h */
	char terminal_link[CABIN_UTIL_FD_PATH_MAX]; /* its /proc/self/fd path */
	char exe_link[CABIN_UTIL_FD_PATH_MAX];	/* its /proc/self/fd path */
	FILE *log;
	struct cabin_log notes;		/* the run's notices, on log */
	int landlock_abi;
	bool namespaces;		/* can the child create them */
	bool shared_pids;		/* the program keeps its PID namespace (cabin_enter) */
	struct cabin_router router;
	struct cabin_netguard netguard;
	struct cabin_fsguard fsguard;
	bool has_fsguard;		/* fsguard was initialised */
	struct cabin_bpf bpf;
	struct cabin_sandbox sandbox;
	char **envp;
	char self_exe[PATH_MAX];
	const char *home;
	FILE *trace_out;
	struct cabin_tracer *tracer;
	struct cabin_report *report;
	/* Bound before the program starts, named once it is over. */
	struct cabin_outfile trace_file, report_file;
	bool report_failed;		/* the report could not be written */
	struct cabin_xom xom;
	bool has_xom;			/* xom was initialised */
	struct cabin_memguard memguard;	/* W^X's alias checks */
	bool has_memguard;		/* memguard was initialised */
	/* Where the program runs, and what it is to the host kernel there. */
	const struct cabin_platform_driver *platform;
	unsigned int traits;		/* enum cabin_platform_trait bits */
	struct cabin_launch launch;	/* the platform's view of the run */
	int private_fds[2];		/* the outputs' records: cabin's */
	struct cabin_cgroup cgroup;	/* whole-tree limits, when set */
	bool cgroup_told;		/* its counts were said, here */
	/* Rights taken away, as mounts for the child (subtract.c). */
	struct cabin_narrow *narrow;
	size_t nnarrow;
	char *cwd;			/* entered again after them */
};

/*
 * The run's life cycle, shared by cabin_run and cabin_init (cabin.c):
 * the platform found and probed, the checks and plans before anything
 * runs, and everything let go of at the end.
 */
int cabin_run_load_policy(struct cabin_run_state *r);
int cabin_run_open_platform(struct cabin_run_state *r);
int cabin_run_prepare(struct cabin_run_state *r, const char *program);
void cabin_run_release(struct cabin_run_state *r);

/* What the run confines (scope.c). */
bool cabin_run_user_namespaces_allowed(void);
bool cabin_run_wants_namespaces(const struct cabin_policy *p);
bool cabin_run_sigscope(const struct cabin_run_state *r);
bool cabin_run_scope_pids(const struct cabin_run_state *r);
bool cabin_run_kfiles(const struct cabin_run_state *r);
bool cabin_run_needs_namespaces(const struct cabin_run_state *r);
bool cabin_run_other_ids(const struct cabin_run_state *r);

/* What must hold before anything runs, said on the log (checks.c). */
int cabin_run_check_enforceable(struct cabin_run_state *r);
int cabin_run_check_paths(struct cabin_run_state *r);
/* "cabin: FILE:LINE:COL: path 'P': strerror(err)\n" in buf (checks.c). */
void cabin_run_rule_error(const struct cabin_path_rule *rule, int err,
			  char *buf, size_t len);
int cabin_run_check_xom(struct cabin_run_state *r);
int cabin_run_check_inherited(struct cabin_run_state *r);
int cabin_run_check_hostname(struct cabin_run_state *r);
int cabin_run_check_ids(struct cabin_run_state *r);
int cabin_run_setup_ids(struct cabin_run_state *r);
bool cabin_run_hidden_by_private_tmp(const char *path);

/* Rights taken away below grants (subtract.c). */
int cabin_run_check_strips_platform(const struct cabin_run_state *r);
int cabin_run_plan_strips(struct cabin_run_state *r);
void cabin_run_free_strips(struct cabin_run_state *r);
void cabin_run_note_open_files(const struct cabin_run_state *r);

/* The effective policy's paths: what the run grants besides (grants.c). */
int cabin_run_grant_program(struct cabin_run_state *r, const char *program);
int cabin_run_grant_terminal(struct cabin_run_state *r);
int cabin_run_seal_proc(struct cabin_run_state *r);

/* The guards, the routes and the proxy that runs them (protect.c). */
int cabin_run_setup_xom(struct cabin_run_state *r);
int cabin_run_setup_memguard(struct cabin_run_state *r);
int cabin_run_compile_routes(struct cabin_run_state *r);
int cabin_run_setup_fsguard(struct cabin_run_state *r);
int cabin_run_init_proxy(struct cabin_run_state *r, struct cabin_proxy *proxy,
			 const struct cabin_platform *plat, FILE *log);

/* The sandbox and what the platform is handed to launch (plan.c). */
void cabin_run_plan_sandbox(struct cabin_run_state *r);
void cabin_run_plan_launch(struct cabin_run_state *r, char *const argv[]);

/*
 * The whole-tree limits in a cgroup v2 of the run's own (cgroup.c):
 * refused before anything runs where none can be made, the cgroup made
 * last before the launch, its counts said at the end, and removed.
 */
int cabin_run_check_cgroup(struct cabin_run_state *r);
bool cabin_run_has_cgroup(const struct cabin_run_state *r);
int cabin_run_make_cgroup(struct cabin_run_state *r);
void cabin_run_remove_cgroup(struct cabin_run_state *r);
void cabin_run_cgroup_counts(struct cabin_run_state *r,
			     struct cabin_proxy *proxy);
int cabin_run_cgroup_verdict(struct cabin_run_state *r, int code);

/* The trace and the report, from before the run to after it (records.c). */
int cabin_run_open_records(struct cabin_run_state *r, char *const argv[]);
void cabin_run_close_records(struct cabin_run_state *r);
void cabin_run_finish(struct cabin_run_state *r, struct cabin_proxy *proxy,
		      int code, FILE *log);
int cabin_run_deliver_outputs(struct cabin_run_state *r, int code);

#endif /* CABIN_RUN_RUN_H */
