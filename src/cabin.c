/*
 * libcabin's entry point: check what the kernel can enforce of the
 * policy, compile it, plan the sandbox, and hand the run to the platform
 * the config names (platform/registry.c), which runs the program to its
 * end; then the records are named.  The one place where a setup error
 * becomes a message; the steps themselves are in src/run.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cabin/cabin.h"
#include "core/names.h"
#include "core/pathview.h"
#include "platform/driver.h"
#include "policy/env.h"
#include "policy/landlock.h"
#include "policy/policy.h"
#include "run/run.h"

extern char **environ;

static const char *const unsafe_names[] = {
	"abi", "deny", "untraced", "exitkill", "caps", "smep", "smap",
	"seccomp", "wx-alias", "outputs", "sigscope", "setid", "rometa",
	"net-scope", "kfiles", "racecheck", "bindpath", "fds",
	"unreadable", "names", "mountwalk", "subtract", "ptrace",
};

#define NUNSAFE (sizeof(unsafe_names) / sizeof(*unsafe_names))

int cabin_unsafe_parse(const char *list, unsigned int *out)
{
	char buf[256], *tok, *save = NULL;
	size_t i;

	if (snprintf(buf, sizeof(buf), "%s", list) >= (int)sizeof(buf))
		return -EINVAL;
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < NUNSAFE && strcmp(tok, unsafe_names[i]); i++)
			;
		if (i == NUNSAFE)
			return -EINVAL;
		*out |= 1u << i;
	}
	return 0;
}

static void warn_unsafe(struct cabin_log *notes, unsigned int unsafe)
{
	size_t i;

	for (i = 0; i < NUNSAFE; i++) {
		if (unsafe & (1u << i))
			cabin_log_warn(notes, "WARNING: protection '%s' is switched off (--unsafe-disable)",
				       unsafe_names[i]);
	}
}

/*
 * Before anything runs: check what the kernel can enforce, grant what
 * the run adds to the policy, arm the guards, compile the routes and
 * plan the sandbox.
 */
/*
 * The config's policy: given built, or a policy file (its rules the
 * user's), or a built-in profile by name; none: the default profile.
 */
int cabin_run_load_policy(struct cabin_run_state *r)
{
	const struct cabin_config *cfg = r->cfg;
	const char *name = cfg->profile ? cfg->profile : "default";
	struct cabin_policy_error perr;
	int err;

	r->user_rules = cfg->user_rules;
	if (r->policy)
		return 0;
	cabin_policy_init(&r->fallback);
	if (cfg->policy_path) {
		err = cabin_policy_load_file(&r->fallback, cfg->policy_path,
					     &perr);
		if (err < 0) {
			fputs("cabin: ", r->log);
			cabin_policy_error_print(&perr, r->log);
		}
		r->user_rules = true;
	} else {
		err = cabin_policy_load_profile(&r->fallback, name, &perr);
		if (err < 0)
			fprintf(r->log, "cabin: profile '%s' does not load: %s\n",
				name, perr.message);
	}
	if (err < 0) {
		cabin_policy_free(&r->fallback);
		return err;
	}
	r->policy = &r->fallback;
	return 0;
}

int cabin_run_prepare(struct cabin_run_state *r, const char *program)
{
	int err;

	if (!r->policy)
		return -EINVAL;
	r->home = getenv("HOME");
	r->landlock_abi = cabin_landlock_abi();
	r->namespaces = cabin_run_user_namespaces_allowed();
	cabin_run_note_open_files(r);
	err = cabin_run_check_inherited(r);
	if (!err)
		err = cabin_run_check_hostname(r);
	/* Before the warnings: a refusal is the one line said. */
	if (!err)
		err = cabin_run_check_cgroup(r);
	if (!err)
		err = cabin_run_check_enforceable(r);
	if (!err)
		err = cabin_run_check_xom(r);
	if (!err)
		err = cabin_run_check_paths(r);
	if (!err)
		err = cabin_run_plan_strips(r);
	if (!err)
		err = cabin_run_grant_program(r, program);
	if (!err)
		err = cabin_run_grant_terminal(r);
	if (!err)
		err = cabin_run_seal_proc(r);
	if (!err)
		err = cabin_run_setup_xom(r);
	if (!err)
		err = cabin_run_setup_memguard(r);
	if (!err)
		err = cabin_run_setup_ids(r);
	if (err < 0)
		return err;
	err = cabin_run_compile_routes(r);
	if (!err)
		err = cabin_run_setup_fsguard(r);
	if (err < 0)
		return err;
	cabin_run_plan_sandbox(r);
	r->envp = cabin_env_build(r->policy, environ);
	if (!r->envp)
		return -ENOMEM;
	return cabin_run_make_cgroup(r);
}

/*
 * The platform the config names: its own options taken, asked whether it
 * can work here for this run, and what it needs before any sandbox.
 */
int cabin_run_open_platform(struct cabin_run_state *r)
{
	const struct cabin_config *cfg = r->cfg;
	const struct cabin_platform_driver *d;
	struct cabin_launch *l = &r->launch;
	char why[512];
	int err;

	d = r->platform = cabin_platform_find(cfg->platform);
	if (!d) {
		cabin_platform_list(why, sizeof(why));
		fprintf(r->log, "cabin: unknown platform '%s' (known: %s)\n",
			cfg->platform, why);
		return -EINVAL;
	}
	r->traits = d->traits;
	/* Before the probe: refused alike where the platform cannot work. */
	err = cabin_run_check_ids(r);
	if (err == 0)
		err = cabin_run_check_strips_platform(r);
	if (err < 0)
		return err;
	l->log = r->log;
	l->quiet = cfg->quiet;
	l->unsafe = cfg->unsafe;
	l->xom = cfg->policy && (cfg->policy->memory & CABIN_MEMORY_XOM);
	l->gdb = cfg->gdb;
	err = d->configure ? d->configure(l, cfg->platform_options) : 0;
	if (err < 0)
		return err;
	err = d->probe ? d->probe(l, why, sizeof(why)) : 0;
	if (err == -ENODEV)
		fprintf(r->log, "cabin: --platform %s cannot work on this host: %s; see 'cabin info'\n",
			d->name, why);
	else if (err < 0)
		fprintf(r->log, "cabin: --platform %s: %s; nothing was run\n",
			d->name, why);
	if (err < 0)
		return err;
	return d->prepare ? d->prepare(l) : 0;
}

static void close_platform(struct cabin_run_state *r)
{
	if (r->platform && r->platform->close)
		r->platform->close(&r->launch);
}

/*
 * --chdir: enter the program's working directory here, before the
 * policy's paths are resolved and the sandbox planned, so that it is
 * what `.` grants and where the program starts.  *saved is cabin's own,
 * to go back to.
 */
static int enter_workdir(struct cabin_run_state *r, char **saved)
{
	const char *dir = r->cfg->workdir;

	if (!dir)
		return 0;
	*saved = getcwd(NULL, 0);
	if (chdir(dir) == 0)
		return 0;
	fprintf(r->log, "cabin: --chdir %s: %s; nothing was run\n", dir,
		strerror(errno));
	return -errno;
}

/* Back before the outputs are named: their names are from there. */
static void leave_workdir(char **saved)
{
	/* Gone meanwhile: cabin stays where it is, as it would without. */
	if (*saved && chdir(*saved) < 0)
		errno = 0;
	free(*saved);
	*saved = NULL;
}

/* The platform runs the program; what it found of the report is kept. */
static int launch(struct cabin_run_state *r, char *const argv[])
{
	int code;

	cabin_run_plan_launch(r, argv);
	code = r->platform->launch(&r->launch);
	if (r->launch.records.report_failed)
		r->report_failed = true;
	return code;
}

int cabin_run(const struct cabin_config *cfg, char *const argv[])
{
	struct cabin_run_state r = {
		.cfg = cfg, .policy = cfg->policy, .exe_fd = -1,
		.trace_file = { .fd = -1, .dir = -1 },
		.report_file = { .fd = -1, .dir = -1 },
		.cgroup = { .procs_fd = -1, .base_fd = -1, .dir_fd = -1 },
	};
	int code = CABIN_EXIT_INTERNAL;
	char *saved_cwd = NULL;

	r.log = cfg->log ? cfg->log : stderr;
	if (!argv || !argv[0]) {
		fprintf(r.log, "cabin: no program to run\n");
		return CABIN_EXIT_INTERNAL;
	}
	cabin_log_init(&r.notes, r.log);
	r.notes.quiet = cfg->quiet;
	warn_unsafe(&r.notes, cfg->unsafe);
	cabin_names_keep_raw(cfg->unsafe & CABIN_UNSAFE_NAMES);
	if (cabin_run_load_policy(&r) == 0 && cabin_run_open_platform(&r) == 0 &&
	    cabin_run_open_records(&r, argv) == 0 &&
	    enter_workdir(&r, &saved_cwd) == 0 &&
	    cabin_run_prepare(&r, argv[0]) == 0) {
		code = launch(&r, argv);
		code = cabin_run_cgroup_verdict(&r, code);
		leave_workdir(&saved_cwd);
		code = cabin_run_deliver_outputs(&r, code);
	}
	leave_workdir(&saved_cwd);
	cabin_run_release(&r);
	return code;
}

/* Everything a run holds, let go of after it (or after a failure). */
void cabin_run_release(struct cabin_run_state *r)
{
	cabin_run_close_records(r);
	cabin_caps_act_as_cabin();
	close_platform(r);
	cabin_run_remove_cgroup(r);
	cabin_env_free(r->envp);
	free(r->paths);
	cabin_run_free_strips(r);
	if (r->exe_fd >= 0)
		close(r->exe_fd);
	cabin_bpf_free(&r->bpf);
	cabin_router_free(&r->router);
	if (r->has_fsguard)
		cabin_fsguard_free(&r->fsguard);
	if (r->has_memguard)
		cabin_memguard_free(&r->memguard);
	if (r->policy == &r->fallback)
		cabin_policy_free(&r->fallback);
	cabin_log_free(&r->notes);
}
