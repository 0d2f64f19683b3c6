/*
 * The whole-tree limits (--memory, --pids-max, --cpu-max; `limit memory`,
 * `limit pids-max`, `limit cpu-max`) in a cgroup v2 of the run's own.
 * Where the machine gives cabin no cgroup it can write, a limit asked for
 * is refused before anything runs, with the per-process limit there is
 * instead: never a weaker limit in silence.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "core/proxy.h"
#include "run/run.h"

static struct cabin_cgroup_limits wanted(const struct cabin_policy *p)
{
	return (struct cabin_cgroup_limits){
		.memory_max = p->limits.memory_max,
		.pids_max = p->limits.pids_max,
		.cpu_percent = p->limits.cpu_max,
	};
}

/*
 * The first limit asked for, refused: the kernel gives cabin no cgroup
 * (needs: the controller missing) or the program could undo it (why
 * says how); and what else to use.
 */
static void refuse(FILE *log, unsigned int need, bool undone,
		   const char *why)
{
	static const struct {
		unsigned int controller;
		const char *option, *name, *instead;
	} limits[] = {
		{ CABIN_CGROUP_MEMORY, "--memory", "memory", "use --rlimit-as SIZE for a per-process address-space limit" },
		{ CABIN_CGROUP_PIDS, "--pids-max", "pids", "use --max-procs N for a task limit cabin's proxy counts" },
		{ CABIN_CGROUP_CPU, "--cpu-max", "cpu", "use --rlimit-cpu SECONDS for a per-process CPU-time limit" },
	};
	size_t i;

	for (i = 0; i < 3; i++) {
		if (need & limits[i].controller)
			break;
	}
	if (undone)
		fprintf(log, "cabin: %s would not hold: the program could write its cgroup's files (%s); %s\n",
			limits[i].option, why, limits[i].instead);
	else
		fprintf(log, "cabin: %s needs a cgroup v2 %s controller cabin can write (%s); %s\n",
			limits[i].option, limits[i].name, why,
			limits[i].instead);
}

/* Is a descriptor the program would inherit open on cgroupfs? */
static int cgroupfs_fd(void)
{
	struct dirent *d;
	struct statfs sf;
	DIR *dir = opendir("/proc/self/fd");
	int fd, found = -1;

	if (!dir)
		return -1;
	while ((d = readdir(dir))) {
		fd = atoi(d->d_name);
		if (d->d_name[0] < '0' || d->d_name[0] > '9' ||
		    fd == dirfd(dir) || fcntl(fd, F_GETFD) != 0)
			continue;
		if (fstatfs(fd, &sf) == 0 &&
		    (sf.f_type == CGROUP2_SUPER_MAGIC ||
		     sf.f_type == CGROUP_SUPER_MAGIC)) {
			found = fd;
			break;
		}
	}
	closedir(dir);
	return found;
}

/*
 * Why the program could reach a cgroupfs file of its run, its ancestors
 * or their other children, or NULL: the files are kept from it by a
 * mount namespace where every cgroupfs mount is read-only, by a cgroup
 * namespace whose root is a leaf below the limits, by capabilities it
 * does not have, and by no descriptor of cgroupfs in its hands (nor of
 * cabin's, through /proc/PID/fd).  docs/security.md, "Whole-tree limits".
 */
static const char *exposed(const struct cabin_run_state *r, char *buf,
			   size_t len)
{
	unsigned int unsafe = r->cfg->unsafe;
	int fd;

	if (!r->namespaces) {
		snprintf(buf, len, "no user namespaces for uid %d here, so no read-only cgroupfs for it",
			 (int)geteuid());
		return buf;
	}
	if (unsafe & CABIN_UNSAFE_CAPS)
		return "--unsafe-disable=caps leaves it the capabilities to remount cgroupfs";
	if ((unsafe & CABIN_UNSAFE_OUTPUTS) &&
	    (r->traits & CABIN_PLATFORM_HOST_TASKS) &&
	    !(r->policy->isolate & CABIN_ISOLATE_PID) && !cabin_run_sigscope(r))
		return "--unsafe-disable=outputs without a PID namespace leaves it cabin's descriptors of the cgroup, in /proc";
	if ((unsafe & CABIN_UNSAFE_FDS) && (fd = cgroupfs_fd()) >= 0) {
		snprintf(buf, len, "--unsafe-disable=fds hands it descriptor %d, open on cgroupfs",
			 fd);
		return buf;
	}
	return NULL;
}

int cabin_run_check_cgroup(struct cabin_run_state *r)
{
	struct cabin_cgroup_limits l = wanted(r->policy);
	unsigned int need = cabin_cgroup_needs(&l);
	char why[PATH_MAX + 256];
	const char *how;
	int err;

	r->cgroup.procs_fd = r->cgroup.base_fd = r->cgroup.dir_fd = -1;
	if (!need)
		return 0;
	/* First: a limit the program could undo is no limit, anywhere. */
	how = exposed(r, why, sizeof(why));
	if (how) {
		refuse(r->log, need, true, how);
		return -EINVAL;
	}
	err = cabin_cgroup_probe(&r->cgroup, need, why, sizeof(why));
	if (err < 0) {
		refuse(r->log, need, false, why);
		return -EINVAL;
	}
	return 0;
}

bool cabin_run_has_cgroup(const struct cabin_run_state *r)
{
	struct cabin_cgroup_limits l = wanted(r->policy);

	return cabin_cgroup_needs(&l) != 0;
}

void cabin_run_remove_cgroup(struct cabin_run_state *r)
{
	if (cabin_cgroup_remove(&r->cgroup) == -EBUSY)
		fprintf(r->log, "cabin: the run's cgroup %s still held processes 5 s after cgroup.kill: left in place (rmdir it once they are gone)\n",
			r->cgroup.path);
}

int cabin_run_make_cgroup(struct cabin_run_state *r)
{
	struct cabin_cgroup_limits l = wanted(r->policy);
	char why[2 * PATH_MAX];
	int err;

	if (!cabin_cgroup_needs(&l))
		return 0;
	err = cabin_cgroup_create(&r->cgroup, &l, why, sizeof(why));
	if (err < 0)
		fprintf(r->log, "cabin: the run's cgroup: %s; nothing was run\n",
			why);
	return err;
}

#define OOM_LINE "killed by the memory limit (--memory %lluM, the whole tree's cgroup memory.max): the kernel killed %llu process%s"

/*
 * What the kernel did at the limits, in one line each, before the report
 * is written (the report keeps the lines too).
 */
void cabin_run_cgroup_counts(struct cabin_run_state *r,
			     struct cabin_proxy *proxy)
{
	const struct cabin_limits *pl = &r->policy->limits;
	struct cabin_proxy_limits *l = &proxy->limits;
	struct cabin_cgroup_events ev;

	l->memory_max = pl->memory_max;
	l->pids_max = pl->pids_max;
	l->cpu_max = pl->cpu_max;
	if (cabin_cgroup_events(&r->cgroup, &ev) < 0)
		return;
	l->oom_kills = ev.oom_kill;
	l->pids_refused = ev.pids_max;
	r->cgroup_told = true;
	if (ev.oom_kill)
		cabin_log_say(&proxy->log, OOM_LINE,
			      (unsigned long long)(pl->memory_max >> 20),
			      (unsigned long long)ev.oom_kill,
			      ev.oom_kill == 1 ? "" : "es");
	if (ev.pids_max)
		cabin_log_say(&proxy->log, "task limit reached (--pids-max %llu, the whole tree's cgroup pids.max): %llu fork%s failed with EAGAIN",
			      (unsigned long long)pl->pids_max,
			      (unsigned long long)ev.pids_max,
			      ev.pids_max == 1 ? "" : "s");
}

/*
 * The run is over.  Where no proxy in cabin's own process heard the end
 * (the kvm platform's runs in its monitor, which the memory limit kills
 * with the rest of the tree), the memory limit is said here; a monitor
 * killed by it is the tree killed by SIGKILL, as on the process platform.
 */
int cabin_run_cgroup_verdict(struct cabin_run_state *r, int code)
{
	struct cabin_cgroup_events ev;

	if (r->cgroup_told || cabin_cgroup_events(&r->cgroup, &ev) < 0 ||
	    !ev.oom_kill)
		return code;
	fprintf(r->log, "cabin: " OOM_LINE "\n",
		(unsigned long long)(r->policy->limits.memory_max >> 20),
		(unsigned long long)ev.oom_kill, ev.oom_kill == 1 ? "" : "es");
	return code == CABIN_EXIT_INTERNAL ? 128 + SIGKILL : code;
}
