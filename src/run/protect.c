/*
 * The protections the run arms besides the filter's own rules, from the
 * effective policy: execute-only code, W^X's alias checks, the routes
 * (with what the records and the guards must see) and their BPF, the
 * file and network guards; and the proxy set up to run them on a
 * platform's threads.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/names.h"
#include "core/pathview.h"
#include "core/pidscope.h"
#include "core/proxy.h"
#include "policy/compile.h"
#include "policy/landlock.h"
#include "run/run.h"
#include "trace/denials.h"
#include "trace/report.h"
#include "trace/trace.h"

/* The files a policy names for xom, identified now by device and inode. */
static int xom_add_files(struct cabin_run_state *r, const char *what,
			 const struct cabin_path_list *paths,
			 struct cabin_xom_files *files)
{
	size_t i;

	for (i = 0; i < paths->n; i++) {
		int fd = open(paths->path[i], O_PATH | O_CLOEXEC);
		int err = fd < 0 ? -errno :
			cabin_xom_add_fd(files, fd, paths->path[i]);

		if (fd >= 0)
			close(fd);
		if (err < 0) {
			fprintf(r->log, "cabin: %s%smemory %s '%s': %s\n",
				paths->where[i] ? paths->where[i] : "",
				paths->where[i] ? ": " : "", what,
				paths->path[i], strerror(-err));
			return -EINVAL;
		}
	}
	return 0;
}

/* After grant_program: the program the user named is trusted too. */
int cabin_run_setup_xom(struct cabin_run_state *r)
{
	int err;

	if (!(r->policy->memory & CABIN_MEMORY_XOM))
		return 0;
	err = cabin_xom_init(&r->xom, r->exe_fd);
	if (err < 0) {
		fprintf(r->log, "cabin: execute-only memory (xom) needs protection keys, and this CPU does not say where PKRU is saved (CPUID leaf 0xd sub-leaf 9)\n");
		return err;
	}
	r->has_xom = true;
	err = xom_add_files(r, "trust", &r->policy->trusted, &r->xom.trusted);
	if (!err)
		err = xom_add_files(r, "readable-code", &r->policy->readable_code,
				    &r->xom.readable);
	return err;
}

/*
 * A regular file the program is handed open for writing is one it can
 * write, wherever it lies: W^X must not let it become code.
 */
static int handed_writable(struct cabin_run_state *r)
{
	size_t i, n = r->cfg->npass_fds;
	int err = 0, fd, fl;
	struct stat st;

	for (i = 0; !err && i < 3 + n; i++) {
		fd = i < 3 ? (int)i : r->cfg->pass_fds[i - 3];
		fl = fcntl(fd, F_GETFL);
		if (fl < 0 || (fl & O_ACCMODE) == O_RDONLY ||
		    fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		err = cabin_memguard_writable(&r->memguard, fd);
	}
	return err;
}

/*
 * W^X's alias checks need what the program can write: the real paths of
 * the rules that write or create, opened as Landlock opens them.  A
 * platform whose program's memory the kernel does not map keeps it
 * itself.
 */
int cabin_run_setup_memguard(struct cabin_run_state *r)
{
	const struct cabin_path_rule *pr;
	size_t i;
	int err, fd;

	if (!(r->policy->memory & CABIN_MEMORY_WX) ||
	    !(r->traits & CABIN_PLATFORM_HOST_MEMORY) ||
	    (r->cfg->unsafe & CABIN_UNSAFE_WXALIAS))
		return 0;
	err = cabin_memguard_init(&r->memguard, r->policy->files_restricted,
				  r->cfg->unsafe & CABIN_UNSAFE_CAPS);
	if (err < 0)
		return err;
	r->has_memguard = true;
	if (cabin_run_other_ids(r))
		err = cabin_memguard_set_ids(&r->memguard,
					     r->cfg->set_uid ? r->cfg->uid : 0,
					     r->cfg->gid);
	if (err < 0)
		return err;
	for (i = 0; !err && i < r->policy->npaths; i++) {
		pr = &r->policy->paths[i];
		if (!(pr->rights & (CABIN_FILE_WRITE | CABIN_FILE_CREATE)))
			continue;
		fd = cabin_landlock_open_path(pr->path, r->home);
		if (fd < 0)
			continue;	/* optional, or refused by Landlock too */
		err = cabin_memguard_writable(&r->memguard, fd);
		close(fd);
	}
	return err ? err : handed_writable(r);
}

/*
 * A syscall rule that cannot be compiled, named where it was written
 * (FILE:LINE:COL, as the parser's errors), or as one of cabin's own.
 */
static void rule_failed(const struct cabin_run_state *r,
			const struct cabin_syscall_rule *sr,
			const struct cabin_rule *rule, const char *what,
			int err)
{
	char name[32];

	if (sr)
		fprintf(r->log, "cabin: %s%ssyscall rule for %s: %s: %s\n",
			sr->where ? sr->where : "", sr->where ? ": " : "",
			sr->name, what, strerror(err));
	else
		fprintf(r->log, "cabin: cabin's own rule for %s: %s: %s\n",
			cabin_syscall_name(rule->nr, name, sizeof(name)),
			what, strerror(err));
}

int cabin_run_compile_routes(struct cabin_run_state *r)
{
	struct cabin_compile_input in = {
		.policy = r->policy,
		.unsafe = r->cfg->unsafe,
		.landlock_abi = r->landlock_abi,
		.refuse_group_kill = cabin_run_sigscope(r) &&
				     r->landlock_abi < 6,
		.scope_pids = cabin_run_scope_pids(r),
		/* Part of the deny list: --unsafe-disable=deny lets them by. */
		.emulate_ptrace = r->traits & CABIN_PLATFORM_PTRACE_EMUL,
		.deny_mounts = r->policy->nstrips &&
			       !(r->cfg->unsafe & (CABIN_UNSAFE_SUBTRACT |
						   CABIN_UNSAFE_DENY)),
	};
	size_t n = 0;
	int err, bad;

	if (r->report)
		in.watch[n++] = cabin_report_watch;
	/*
	 * Landlock refuses silently: the file guard judges the failures of
	 * the file calls (fsguard_refusal.c), for the one hint of the run
	 * and for every count of denials.  Each watched call stops at its
	 * entry and exit, a cost on open-heavy programs paid only where the
	 * policy restricts files and someone reads the verdict: -q without a
	 * report or summary says nothing and counts nothing, so it is spared.
	 */
	if (r->policy->files_restricted && !r->policy->filter_off &&
	    (!r->cfg->quiet || r->report))
		in.watch[n++] = cabin_fsguard_refusal_watch;
	if (r->has_memguard && r->memguard.proc_writable)
		in.watch[n++] = cabin_memguard_open_watch;
	err = cabin_policy_compile_routes(&in, &r->router, &r->netguard, &bad);
	if (err < 0) {
		if (bad >= 0)
			rule_failed(r, &r->policy->syscalls[bad],
				    &r->policy->syscalls[bad].rule,
				    "it cannot be compiled", -err);
		else
			fprintf(r->log, "cabin: the syscall rules cannot be compiled (guards): %s\n",
				strerror(-err));
		return err;
	}
	if (r->policy->filter_off)
		return 0;
	err = cabin_bpf_compile(&r->router, !(r->cfg->unsafe & CABIN_UNSAFE_ABI),
				&r->bpf, &bad);
	if (err < 0 && bad >= 0)
		rule_failed(r, cabin_policy_syscall_of(r->policy,
						       &r->router.rules[bad]),
			    &r->router.rules[bad],
			    "the seccomp filter cannot hold it", -err);
	else if (err < 0)
		fprintf(r->log, "cabin: compiling the seccomp filter failed: %s\n",
			strerror(-err));
	return err;
}

/* The guards that answer emulated calls: the file guard's, then the rest. */
static int emulate(struct cabin_run_state *r, struct cabin_proxy *p)
{
	int err = 0;

	if (cabin_run_scope_pids(r))
		err = cabin_proxy_guard(p, &cabin_pidscope_guard, NULL);
	if (!err && r->has_fsguard)
		err = cabin_proxy_guard(p, &cabin_fsguard_guard, &r->fsguard);
	return err ? err : cabin_proxy_guard(p, &cabin_netguard_guard,
					     &r->netguard);
}

_Static_assert(CABIN_FSGUARD_WRITE == CABIN_FILE_WRITE &&
	       CABIN_FSGUARD_CREATE == CABIN_FILE_CREATE,
	       "the file guard's rights are the policy's");

/* --unsafe-disable=bindpath: the guard's child binds anywhere. */
static int unconfined_bind(int dir)
{
	(void)dir;
	return 0;
}

/*
 * What Landlock leaves open about files (metadata, unix socket files) is
 * the file guard's, from the same path rules; the network guard asks it
 * about socket files.  Every filtered run has one, for the setgid chmods
 * the setid routes send it; without file rules it checks no rule.
 */
int cabin_run_setup_fsguard(struct cabin_run_state *r)
{
	const struct cabin_policy *p = r->policy;
	size_t n = p->files_restricted ? p->npaths : 0;
	struct cabin_fsguard_rule *rules;
	size_t i;
	int err;

	if (p->filter_off)
		return 0;
	rules = calloc(p->npaths + 1, sizeof(*rules));
	if (!rules)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		rules[i].path = p->paths[i].path;
		rules[i].rights = p->paths[i].rights;
	}
	err = cabin_fsguard_init(&r->fsguard, rules, n, r->home);
	free(rules);
	if (err < 0) {
		fprintf(r->log, "cabin: cannot set up the file guard: %s\n",
			strerror(-err));
		return err;
	}
	r->has_fsguard = true;
	r->fsguard.check_rules = p->files_restricted &&
				 !(r->cfg->unsafe & CABIN_UNSAFE_ROMETA);
	r->fsguard.setid = !(r->cfg->unsafe & CABIN_UNSAFE_SETID);
	r->fsguard.nodes = !(r->cfg->unsafe & CABIN_UNSAFE_KFILES);
	r->fsguard.covered_ok = r->cfg->unsafe & CABIN_UNSAFE_MOUNTWALK;
	r->fsguard.judge = p->files_restricted;
	if (p->files_restricted) {
		r->netguard.fs = &r->fsguard;
		r->netguard.make_sock_beneath =
			r->cfg->unsafe & CABIN_UNSAFE_BINDPATH ?
			unconfined_bind : cabin_landlock_make_sock_beneath;
	}
	return 0;
}

static void observe_records(struct cabin_run_state *r,
			    struct cabin_proxy *proxy)
{
	if (r->tracer)
		cabin_proxy_observe(proxy, cabin_tracer_observer(r->tracer));
	if (r->report)
		cabin_proxy_observe(proxy, cabin_report_observer(r->report));
	if (r->cfg->verbose && r->policy->files_restricted)
		cabin_proxy_observe(proxy, &cabin_denials_observer);
	if (r->has_fsguard)
		cabin_proxy_observe(proxy, &r->fsguard.observer);
}

int cabin_run_init_proxy(struct cabin_run_state *r, struct cabin_proxy *proxy,
			 const struct cabin_platform *plat, FILE *log)
{
	int err = cabin_proxy_init(proxy, plat, &r->router, log);

	if (err < 0)
		return err;
	proxy->verbose = r->cfg->verbose;
	proxy->log.quiet = r->cfg->quiet;
	proxy->limits.procs = r->policy->limits.procs;
	proxy->limits.memory = r->policy->limits.rlimit_as;
	proxy->wx = r->policy->memory & CABIN_MEMORY_WX;
	proxy->xom = r->has_xom ? &r->xom : NULL;
	proxy->memguard = r->has_memguard ? &r->memguard : NULL;
	proxy->fail_unreadable = !(r->cfg->unsafe & CABIN_UNSAFE_UNREADABLE);
	observe_records(r, proxy);
	/* said before the report listened: it keeps them first */
	cabin_log_replay(&r->notes, &proxy->log);
	return emulate(r, proxy);
}

/*
 * Root's program with other ids: what cabin does on its behalf (the file
 * guard's metadata changes, socket files, connects, sends) is done with
 * them, never with root's ownership of the host's files or root's
 * credentials to a peer.
 */
int cabin_run_setup_ids(struct cabin_run_state *r)
{
	if (!cabin_run_other_ids(r))
		return 0;
	return cabin_caps_act_as(r->cfg->set_uid ? r->cfg->uid : 0,
				 r->cfg->gid);
}
