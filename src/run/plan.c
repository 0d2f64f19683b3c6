/*
 * The sandbox the program starts in (namespaces, mounts, rlimits, the
 * Landlock domain applied in the child) and the launch handed to the
 * platform: the sandboxed child's plan, the records, and the run's hooks
 * for the proxy.
 */
#include <limits.h>
#include <sched.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "policy/landlock.h"
#include "run/run.h"
#include "util/procfs.h"

static void add_rlimit(struct cabin_sandbox *sb, int resource, uint64_t soft,
		       uint64_t hard)
{
	if (!soft)
		return;
	sb->rlimits[sb->nrlimits].resource = resource;
	sb->rlimits[sb->nrlimits].lim.rlim_cur = soft;
	sb->rlimits[sb->nrlimits].lim.rlim_max = hard;
	sb->nrlimits++;
}

void cabin_run_plan_sandbox(struct cabin_run_state *r)
{
	const struct cabin_policy *p = r->policy;
	struct cabin_sandbox *sb = &r->sandbox;
	ssize_t n;

	memset(sb, 0, sizeof(*sb));
	if (r->namespaces) {
		/* With its own /proc: no other process's files either. */
		if ((p->isolate & CABIN_ISOLATE_PID) || cabin_run_sigscope(r))
			sb->unshare_flags |= CLONE_NEWPID | CLONE_NEWNS;
		if (p->isolate & CABIN_ISOLATE_NET)
			sb->unshare_flags |= CLONE_NEWNET;
		if (p->isolate & CABIN_ISOLATE_IPC)
			sb->unshare_flags |= CLONE_NEWIPC;
		if (p->isolate & CABIN_ISOLATE_UTS)
			sb->unshare_flags |= CLONE_NEWUTS;
		if ((p->isolate & CABIN_ISOLATE_MOUNT) || p->private_tmp ||
		    cabin_run_kfiles(r))
			sb->unshare_flags |= CLONE_NEWNS;
		if (r->cfg->hostname) {
			sb->unshare_flags |= CLONE_NEWUTS;
			sb->hostname = r->cfg->hostname;
		}
		sb->private_tmp = p->private_tmp;
		sb->protect_kernel = cabin_run_kfiles(r);
	}
	/*
	 * Whole-tree limits: cgroupfs read-only in its mount namespace and a
	 * cgroup namespace of its own, entered after it joins its cgroup
	 * (the check refused the limits where there are no namespaces).
	 */
	if (r->namespaces && cabin_run_has_cgroup(r)) {
		sb->unshare_flags |= CLONE_NEWNS | CLONE_NEWCGROUP;
		sb->protect_cgroups = true;
	}
	if (r->nnarrow) {
		sb->unshare_flags |= CLONE_NEWNS;
		sb->narrow = r->narrow;
		sb->nnarrow = r->nnarrow;
		sb->cwd = r->cwd;
	}
	sb->terminal_fd = sb->protect_kernel ? r->terminal_fd : -1;
	r->mqueue_root = -1;
	sb->mqueue_root = &r->mqueue_root;
	/* Keep the sandbox's own binary out of the program's reach. */
	n = cabin_util_readlink("/proc/self/exe", r->self_exe,
				sizeof(r->self_exe));
	if (n > 0 && (sb->unshare_flags & CLONE_NEWNS))
		sb->protect_path = r->self_exe;
	add_rlimit(sb, RLIMIT_AS, p->limits.rlimit_as, p->limits.rlimit_as);
	add_rlimit(sb, RLIMIT_CPU, p->limits.rlimit_cpu,
		   p->limits.rlimit_cpu + 1);
	add_rlimit(sb, RLIMIT_NOFILE, p->limits.rlimit_nofile,
		   p->limits.rlimit_nofile);
	add_rlimit(sb, RLIMIT_FSIZE, p->limits.rlimit_fsize,
		   p->limits.rlimit_fsize);
}

/*
 * In the child: the Landlock domain, after no_new_privs.  A rule it
 * cannot add (its path gone since the checks) is named where it was
 * written, with one write: the log's buffer belongs to the parent.
 */
static int confine(void *ctx)
{
	struct cabin_run_state *r = ctx;
	char line[PATH_MAX + 512];
	int bad, err;
	ssize_t n;

	err = cabin_landlock_apply(r->policy, r->home, cabin_run_sigscope(r),
				   r->mqueue_root, &bad);
	if (err < 0 && bad >= 0) {
		cabin_run_rule_error(&r->policy->paths[bad], -err, line,
				     sizeof(line));
		n = write(fileno(r->log), line, strlen(line));
		(void)n;
	}
	return err;
}

/* The sandboxed child; its platform installs the signals it forwards. */
static struct cabin_spawn spawn_plan(struct cabin_run_state *r,
				     char *const argv[])
{
	r->private_fds[0] = r->trace_file.fd;
	r->private_fds[1] = r->report_file.fd;
	return (struct cabin_spawn){
		.argv = argv,
		.exe_fd = r->exe_fd,
		.envp = r->envp,
		.filter = r->policy->filter_off ? NULL : &r->bpf.prog,
		.unsafe = r->cfg->unsafe,
		.sandbox = &r->sandbox,
		.private_fds = r->private_fds,
		.nprivate_fds = 2,
		.pass_fds = r->cfg->pass_fds,
		.npass_fds = r->cfg->npass_fds,
		.userns = r->namespaces &&
			  (cabin_run_needs_namespaces(r) ||
			   !(r->cfg->unsafe & CABIN_UNSAFE_CAPS)),
		.ids = {
			.set_uid = r->cfg->set_uid, .set_gid = r->cfg->set_gid,
			.uid = r->cfg->uid, .gid = r->cfg->gid,
		},
		.confine = confine,
		.confine_ctx = r,
		.join_cgroup = r->cgroup.procs_fd >= 0,
		.cgroup_fd = r->cgroup.procs_fd,
	};
}

static int proxy_init(void *run, struct cabin_proxy *proxy,
		      const struct cabin_platform *plat, FILE *log)
{
	return cabin_run_init_proxy(run, proxy, plat, log);
}

static void proxy_close(void *run, struct cabin_proxy *proxy, int code,
			FILE *log)
{
	cabin_run_finish(run, proxy, code, log);
}

void cabin_run_plan_launch(struct cabin_run_state *r, char *const argv[])
{
	struct cabin_launch *l = &r->launch;

	l->xom = r->has_xom;
	l->argv = argv;
	l->spawn = spawn_plan(r, argv);
	l->timeout = r->policy->limits.timeout;
	l->records = (struct cabin_launch_records){
		.tracer = r->tracer,
		.trace_out = r->trace_out,
		.report = r->report,
		.report_fd = r->report_file.fd,
		.report_path = r->cfg->report_path,
		.summary = r->cfg->summary,
	};
	l->nheld_fds = 0;
	if (r->has_fsguard)
		l->held_fds[l->nheld_fds++] = &r->fsguard.cwd;
	l->proxy_init = proxy_init;
	l->proxy_close = proxy_close;
	l->run = r;
}
