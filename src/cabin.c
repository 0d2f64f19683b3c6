/*
 * libcabin's entry point: turn a policy into kernel objects (routes and
 * BPF, Landlock, namespaces, rlimits), start the platform and hand every
 * event to the proxy kernel until the confined tree is gone.  The one
 * place where a setup error becomes a message.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cabin/cabin.h"
#include "core/names.h"
#include "core/fsguard.h"
#include "core/memguard.h"
#include "core/netguard.h"
#include "core/proxy.h"
#include "core/xom.h"
#include "platform/kvm/kvm.h"
#include "platform/kvm/verdict.h"
#include "platform/probe.h"
#include "platform/process/inherit.h"
#include "platform/process/kfiles.h"
#include "platform/process/process.h"
#include "platform/process/sandbox.h"
#include "platform/process/signals.h"
#include "platform/process/spawn.h"
#include "policy/compile.h"
#include "policy/compile_bpf.h"
#include "policy/env.h"
#include "policy/landlock.h"
#include "policy/policy.h"
#include "trace/denials.h"
#include "trace/outfile.h"
#include "trace/report.h"
#include "trace/trace.h"

extern char **environ;

static const char *const unsafe_names[] = {
	"abi", "deny", "untraced", "exitkill", "caps", "smep", "smap",
	"seccomp", "wx-alias", "outputs", "sigscope", "setid", "rometa",
	"net-scope", "kfiles", "racecheck", "bindpath", "fds",
	"unreadable", "names", "mountwalk",
};

#define NUNSAFE (sizeof(unsafe_names) / sizeof(*unsafe_names))

/* Everything one run builds from its policy, released together. */
struct run {
	const struct cabin_config *cfg;
	const struct cabin_policy *policy;
	struct cabin_policy fallback;	/* default profile when none given */
	struct cabin_policy effective;	/* the policy plus the program's file */
	struct cabin_path_rule *paths;	/* effective's path rules */
	int exe_fd;			/* the program, opened by cabin */
	int terminal_fd;		/* stdio on a host pts, or -1 */
	int mqueue_root;		/* in the child: sandbox.h */
	char terminal_link[32];		/* its /proc/self/fd path */
	char exe_link[32];		/* its /proc/self/fd path */
	FILE *log;
	int landlock_abi;
	bool namespaces;		/* can the child create them */
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
	bool kvm;			/* --platform kvm */
	int kvm_fd;			/* /dev/kvm, opened before the sandbox */
	int private_fds[2];		/* the outputs' records, cabin's alone */
	/*
	 * kvm: the monitor sends the trace and the report through sockets
	 * ([1] is its end), never holding the files: a socket cannot be
	 * reopened through /proc/self/fd by the program it shares a table
	 * with.
	 */
	int trace_sock[2], report_sock[2];
};

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

static void warn_unsafe(FILE *log, unsigned int unsafe)
{
	size_t i;

	for (i = 0; i < NUNSAFE; i++) {
		if (unsafe & (1u << i))
			fprintf(log, "cabin: WARNING: protection '%s' is switched off (--unsafe-disable)\n",
				unsafe_names[i]);
	}
}

static int start_error(FILE *log, const char *program, int err)
{
	switch (err) {
	case -ENOENT:
		fprintf(log, "cabin: %s: command not found\n", program);
		return CABIN_EXIT_NOTFOUND;
	case -EACCES:
		fprintf(log, "cabin: %s: permission denied\n", program);
		return CABIN_EXIT_NOEXEC;
	case -EPERM:
		fprintf(log, "cabin: cannot trace the program: %s (is another tracer or a ptrace restriction in the way?)\n",
			strerror(-err));
		return CABIN_EXIT_INTERNAL;
	}
	fprintf(log, "cabin: cannot start %s: %s\n", program, strerror(-err));
	return CABIN_EXIT_INTERNAL;
}

/* Non-root namespaces need an unprivileged user namespace. */
static bool user_namespaces_allowed(void)
{
	char buf[32] = "";
	FILE *f;

	if (geteuid() == 0)
		return true;
	f = fopen("/proc/sys/user/max_user_namespaces", "re");
	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = '\0';
		fclose(f);
		if (atoi(buf) <= 0)
			return false;
	}
	f = fopen("/proc/sys/kernel/unprivileged_userns_clone", "re");
	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = '\0';
		fclose(f);
		if (atoi(buf) == 0)
			return false;
	}
	return true;
}

static bool wants_namespaces(const struct cabin_policy *p)
{
	return p->isolate || p->private_tmp;
}

/*
 * Keep the program from acting on processes outside its tree: every
 * policy but one without a filter (profile none, which promises nothing).
 * Signals are scoped by Landlock (ABI 6); a PID namespace hides every
 * other pid from the calls that name one (prlimit, setpriority, sched_*,
 * ioprio_set, /proc/PID).  docs/security.md, "Acting outside the tree".
 */
static bool sigscope(const struct run *r)
{
	return !(r->cfg->unsafe & CABIN_UNSAFE_SIGSCOPE) &&
	       !r->policy->filter_off && !r->kvm;
}

/*
 * Keep the kernel's file interfaces (/proc/sys, /sys, ...), the host's
 * other terminals and device nodes out of the program's reach: every
 * filtered policy, in a mount namespace of its own (and the /proc of its
 * PID namespace, which sigscope gives).
 * docs/security.md, "Kernel and host files".
 */
static bool kfiles(const struct run *r)
{
	return !(r->cfg->unsafe & CABIN_UNSAFE_KFILES) &&
	       !r->policy->filter_off && !r->kvm;
}

static bool needs_namespaces(const struct run *r)
{
	return wants_namespaces(r->policy) || sigscope(r) || kfiles(r);
}

/* What sigscope cannot have on this system, as one line; "" if nothing. */
static void sigscope_gaps(const struct run *r, char *buf, size_t len)
{
	buf[0] = '\0';
	if (!sigscope(r))
		return;
	if (!r->namespaces)
		snprintf(buf, len,
			 "keeping the program from acting on processes outside its tree (prlimit, priorities, /proc/PID%s) needs a PID namespace, which needs unprivileged user namespaces",
			 r->landlock_abi < 6 ? ", signals" : "");
}

/*
 * What the policy asks and this kernel cannot give.  A built-in profile
 * degrades with one warning line; rules a user wrote are refused unless
 * --best-effort, which then says what is not enforced.
 */
static int check_enforceable(struct run *r)
{
	const struct cabin_policy *p = r->policy;
	struct cabin_landlock_gaps gaps;
	char missing[1024] = "", line[256];
	bool truncate_refused;
	size_t used = 0;
	unsigned int bit;

	cabin_landlock_gaps(p, r->landlock_abi, &gaps);
	/* Closed by refusing the call: stricter, but the user should know. */
	truncate_refused = gaps.missing & CABIN_LL_GAP_TRUNCATE;
	/* Closed elsewhere, or stricter than asked: nothing is lost. */
	gaps.missing &= ~(CABIN_LL_GAP_REFER | CABIN_LL_GAP_TRUNCATE |
			  CABIN_LL_GAP_NET);
	/*
	 * Signals: a PID namespace keeps them in, and the guard refuses
	 * kill(0, ...), the one that reaches cabin's process group from
	 * there (sigscope_gaps says when there is none).  Abstract sockets:
	 * no rule a user wrote.
	 */
	if (p->isolate & CABIN_ISOLATE_PID || r->cfg->user_rules ||
	    (sigscope(r) && r->namespaces))
		gaps.missing &= ~CABIN_LL_GAP_SCOPE;
	for (bit = 1; bit; bit <<= 1) {
		if (!(gaps.missing & bit))
			continue;
		cabin_landlock_gap_text(bit, r->landlock_abi, line,
					sizeof(line));
		used += snprintf(missing + used, sizeof(missing) - used,
				 "%s%s", used ? "; " : "", line);
		if (used >= sizeof(missing))
			used = sizeof(missing) - 1;
	}
	if (wants_namespaces(p) && !r->namespaces) {
		used += snprintf(missing + used, sizeof(missing) - used,
				 "%snamespaces (isolate, private /tmp) need unprivileged user namespaces, which this system does not allow",
				 used ? "; " : "");
		if (used >= sizeof(missing))
			used = sizeof(missing) - 1;
	}
	sigscope_gaps(r, line, sizeof(line));
	if (line[0])
		snprintf(missing + used, sizeof(missing) - used, "%s%s",
			 used ? "; " : "", line);
	if (!missing[0]) {
		if (truncate_refused)
			fprintf(r->log, "cabin: note: truncate() by path is refused on this kernel (Landlock ABI %d cannot check it against the file rules; ftruncate works)\n",
				r->landlock_abi);
		return 0;
	}
	if (r->cfg->user_rules && !r->cfg->best_effort) {
		fprintf(r->log, "cabin: this kernel cannot enforce the policy: %s (use --best-effort to run with what it can enforce)\n",
			missing);
		return -EOPNOTSUPP;
	}
	fprintf(r->log, "cabin: warning: not enforced on this kernel: %s; the rest of the policy is enforced%s\n",
		missing, truncate_refused ?
		" (and truncate() by path is refused: it needs Landlock ABI 3)" : "");
	return 0;
}

static bool under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return !strncmp(path, dir, n) && (path[n] == '/' || path[n] == '\0');
}

/* The private mounts replace these trees; only their roots are meant. */
static bool hidden_by_private_tmp(const char *path)
{
	return (under(path, "/tmp") && strcmp(path, "/tmp")) ||
	       (under(path, "/dev/shm") && strcmp(path, "/dev/shm"));
}

/* Required paths must exist now: failing in the child explains less. */
static int check_paths(struct run *r)
{
	const struct cabin_policy *p = r->policy;
	size_t i;
	int fd;

	if (!p->files_restricted)
		return 0;
	for (i = 0; i < p->npaths; i++) {
		if (p->paths[i].optional)
			continue;
		if (p->private_tmp && hidden_by_private_tmp(p->paths[i].path)) {
			fprintf(r->log, "cabin: path '%s' is hidden inside the sandbox: /tmp and /dev/shm are private in this policy ('tmp private'); use another directory, or 'tmp shared'\n",
				p->paths[i].path);
			return -EINVAL;
		}
		fd = cabin_landlock_open_path(p->paths[i].path, r->home);
		if (fd < 0) {
			if (p->paths[i].line)
				fprintf(r->log, "cabin: line %u: path '%s': %s\n",
					p->paths[i].line, p->paths[i].path,
					strerror(-fd));
			else
				fprintf(r->log, "cabin: path '%s': %s\n",
					p->paths[i].path, strerror(-fd));
			return fd;
		}
		close(fd);
	}
	return 0;
}

/*
 * The program named on the command line may always be read and run: the
 * user asked for exactly that.  It is opened here, before namespaces move
 * mounts around, and granted (and run, if its path is gone) through that
 * descriptor.  Everything it runs in turn needs rules.
 */
/* The policy's path rules, copied so the run can add to them; -errno. */
static int own_paths(struct run *r, size_t extra)
{
	const struct cabin_policy *p = r->policy;
	struct cabin_path_rule *grown;
	size_t n = p->npaths;

	grown = realloc(r->paths, (n + extra) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	if (!r->paths)
		memcpy(grown, p->paths, n * sizeof(*grown));
	memset(grown + n, 0, extra * sizeof(*grown));
	r->paths = grown;
	r->effective = *p;
	r->effective.paths = grown;
	r->policy = &r->effective;
	return 0;
}

static int add_path(struct run *r, const char *path, unsigned int rights,
		    bool optional)
{
	size_t n = r->policy->npaths;
	int err = own_paths(r, 1);

	if (err < 0)
		return err;
	r->paths[n] = (struct cabin_path_rule){
		.path = (char *)path, .rights = rights, .optional = optional,
	};
	r->effective.npaths = n + 1;
	return 0;
}

static int grant_program(struct run *r, const char *program)
{
	char path[PATH_MAX];

	if (cabin_find_program(program, path, sizeof(path)) < 0)
		return 0;
	r->exe_fd = open(path, O_PATH | O_CLOEXEC);
	if (r->exe_fd < 0 || !r->policy->files_restricted)
		return 0;
	snprintf(r->exe_link, sizeof(r->exe_link), "/proc/self/fd/%d",
		 r->exe_fd);
	return add_path(r, r->exe_link, CABIN_FILE_READ | CABIN_FILE_EXEC,
			false);
}

/* grant_terminal without a mount namespace: see there. */
static int narrow_pts(struct run *r)
{
	size_t i;
	int err = own_paths(r, 0);

	snprintf(r->terminal_link, sizeof(r->terminal_link),
		 "/proc/self/fd/%d", r->terminal_fd);
	for (i = 0; !err && i < r->effective.npaths; i++) {
		if (strcmp(r->paths[i].path, "/dev/pts"))
			continue;
		if (r->terminal_fd < 0)
			r->paths[i].rights = 0;
		else
			r->paths[i].path = r->terminal_link;
	}
	return err;
}

/*
 * Under kfiles the program's /dev/pts holds only the terminals it makes;
 * the host terminal on its stdio (if any) is named /dev/console there
 * (kfiles.h) and keeps the rights a rule gives /dev/pts, so that it can
 * be opened again by that name or /dev/stdin.  Without a mount
 * namespace (no user namespaces for this user) /dev/pts is the host's,
 * every terminal of the user: a rule naming it is narrowed to the one
 * on the program's stdio (its own new ones remain reachable through
 * TIOCGPTPEER, which openpty uses, not by name).
 */
static int grant_terminal(struct run *r)
{
	char path[64];
	size_t i;
	int fd, err;

	r->terminal_fd = -1;
	if (!kfiles(r))
		return 0;
	for (fd = 0; fd <= 2 && r->terminal_fd < 0; fd++) {
		if (cabin_kfiles_host_terminal(fd, path, sizeof(path)))
			r->terminal_fd = fd;
	}
	if (!r->namespaces) {
		err = r->policy->files_restricted ? narrow_pts(r) : 0;
		r->terminal_fd = -1;	/* nothing to bind */
		return err;
	}
	if (access("/dev/console", F_OK) < 0)
		r->terminal_fd = -1;	/* no name to give it */
	if (r->terminal_fd < 0 || !r->policy->files_restricted)
		return 0;
	for (i = 0; i < r->policy->npaths; i++) {
		if (!strcmp(r->policy->paths[i].path, "/dev/pts"))
			return add_path(r, "/dev/console",
					r->policy->paths[i].rights, false);
	}
	return 0;
}

/*
 * /proc/PID/mem reads any page of its process, execute-only code
 * included, and Landlock cannot except it from a rule on /proc.  Under
 * --xom a rule reading /proc is narrowed to listing it, and the
 * system-wide files programs read there are granted one by one.
 */
static int seal_proc(struct run *r)
{
	static const char *const system_files[] = {
		"/proc/cpuinfo", "/proc/meminfo", "/proc/stat",
		"/proc/filesystems", "/proc/loadavg", "/proc/uptime",
		"/proc/version", "/proc/sys",
	};
	size_t i;
	int err;

	if (!(r->policy->memory & CABIN_MEMORY_XOM))
		return 0;
	if (!r->policy->files_restricted) {
		fprintf(r->log, "cabin: warning: --xom with no file rules: /proc/self/mem can still read execute-only code (use a profile with file rules, like default)\n");
		return 0;
	}
	err = own_paths(r, 0);
	for (i = 0; !err && i < r->effective.npaths; i++) {
		if (!strcmp(r->paths[i].path, "/proc") &&
		    (r->paths[i].rights & CABIN_FILE_READ))
			r->paths[i].rights = (r->paths[i].rights &
					      ~CABIN_FILE_READ) |
					     CABIN_FILE_LIST;
	}
	for (i = 0; !err && i < sizeof(system_files) / sizeof(*system_files);
	     i++)
		err = add_path(r, system_files[i], CABIN_FILE_READ, true);
	return err;
}

/*
 * Execute-only code stands on protection keys; without them --xom would
 * be a promise cabin cannot keep, so it refuses, naming what is missing.
 */
static int check_xom(struct run *r)
{
	struct cabin_probe probe;

	if (!(r->policy->memory & CABIN_MEMORY_XOM))
		return 0;
	cabin_probe_machine(&probe);
	if (!probe.pkeys_cpu) {
		fprintf(r->log, "cabin: execute-only memory (xom) needs protection keys, and this CPU has none (no PKU in CPUID); see 'cabin info'\n");
		return -EOPNOTSUPP;
	}
	if (!probe.pkeys_os) {
		fprintf(r->log, "cabin: execute-only memory (xom) needs protection keys, and this kernel does not enable them (no OSPKE or pkey_alloc fails); see 'cabin info'\n");
		return -EOPNOTSUPP;
	}
	if (r->policy->filter_off) {
		fprintf(r->log, "cabin: execute-only memory (xom) needs the seccomp filter, which this policy switches off\n");
		return -EOPNOTSUPP;
	}
	return 0;
}

/* The files a policy names for xom, identified now by device and inode. */
static int xom_add_files(struct run *r, const char *what,
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
			fprintf(r->log, "cabin: memory %s %s: %s\n", what,
				paths->path[i], strerror(-err));
			return -EINVAL;
		}
	}
	return 0;
}

/* After grant_program: the program the user named is trusted too. */
static int setup_xom(struct run *r)
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
static int handed_writable(struct run *r)
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
 * the rules that write or create, opened as Landlock opens them.  The
 * kvm platform keeps the program's memory itself.
 */
static int setup_memguard(struct run *r)
{
	const struct cabin_path_rule *pr;
	size_t i;
	int err, fd;

	if (!(r->policy->memory & CABIN_MEMORY_WX) || r->kvm ||
	    (r->cfg->unsafe & CABIN_UNSAFE_WXALIAS))
		return 0;
	err = cabin_memguard_init(&r->memguard, r->policy->files_restricted,
				  r->cfg->unsafe & CABIN_UNSAFE_CAPS);
	if (err < 0)
		return err;
	r->has_memguard = true;
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

static int compile_routes(struct run *r)
{
	struct cabin_compile_input in = {
		.policy = r->policy,
		.unsafe = r->cfg->unsafe,
		.landlock_abi = r->landlock_abi,
		.refuse_group_kill = sigscope(r) && r->landlock_abi < 6,
	};
	size_t n = 0;
	int err, bad;

	if (r->report)
		in.watch[n++] = cabin_report_watch;
	if (r->cfg->verbose && r->policy->files_restricted)
		in.watch[n++] = cabin_denials_watch;
	if (r->has_memguard && r->memguard.proc_writable)
		in.watch[n++] = cabin_memguard_open_watch;
	err = cabin_policy_compile_routes(&in, &r->router, &r->netguard, &bad);
	if (err < 0) {
		fprintf(r->log, "cabin: the syscall rules cannot be compiled (%s%s): %s\n",
			bad >= 0 ? "rule for " : "",
			bad >= 0 ? r->policy->syscalls[bad].name : "guards",
			strerror(-err));
		return err;
	}
	if (r->policy->filter_off)
		return 0;
	err = cabin_bpf_compile(&r->router, !(r->cfg->unsafe & CABIN_UNSAFE_ABI),
				&r->bpf, &bad);
	if (err < 0)
		fprintf(r->log, "cabin: compiling the seccomp filter failed at rule %d: %s\n",
			bad, strerror(-err));
	return err;
}

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

static void plan_sandbox(struct run *r)
{
	const struct cabin_policy *p = r->policy;
	struct cabin_sandbox *sb = &r->sandbox;
	ssize_t n;

	memset(sb, 0, sizeof(*sb));
	if (r->namespaces) {
		/* With its own /proc: no other process's files either. */
		if ((p->isolate & CABIN_ISOLATE_PID) || sigscope(r))
			sb->unshare_flags |= CLONE_NEWPID | CLONE_NEWNS;
		if (p->isolate & CABIN_ISOLATE_NET)
			sb->unshare_flags |= CLONE_NEWNET;
		if (p->isolate & CABIN_ISOLATE_IPC)
			sb->unshare_flags |= CLONE_NEWIPC;
		if (p->isolate & CABIN_ISOLATE_UTS)
			sb->unshare_flags |= CLONE_NEWUTS;
		if ((p->isolate & CABIN_ISOLATE_MOUNT) || p->private_tmp ||
		    kfiles(r))
			sb->unshare_flags |= CLONE_NEWNS;
		sb->private_tmp = p->private_tmp;
		sb->protect_kernel = kfiles(r);
	}
	sb->terminal_fd = sb->protect_kernel ? r->terminal_fd : -1;
	r->mqueue_root = -1;
	sb->mqueue_root = &r->mqueue_root;
	/* Keep the sandbox's own binary out of the program's reach. */
	n = readlink("/proc/self/exe", r->self_exe, sizeof(r->self_exe) - 1);
	if (n > 0 && (sb->unshare_flags & CLONE_NEWNS)) {
		r->self_exe[n] = '\0';
		sb->protect_path = r->self_exe;
	}
	add_rlimit(sb, RLIMIT_AS, p->limits.memory, p->limits.memory);
	add_rlimit(sb, RLIMIT_CPU, p->limits.cpu, p->limits.cpu + 1);
	add_rlimit(sb, RLIMIT_NOFILE, p->limits.files, p->limits.files);
	add_rlimit(sb, RLIMIT_FSIZE, p->limits.fsize, p->limits.fsize);
}

/* In the child: the Landlock domain, after no_new_privs. */
static int confine(void *ctx)
{
	struct run *r = ctx;
	int bad;

	return cabin_landlock_apply(r->policy, r->home, sigscope(r),
				    r->mqueue_root, &bad);
}

/* The guards that answer emulated calls: the file guard's, then the rest. */
static int emulate(struct run *r, struct cabin_proxy *p)
{
	int err = 0;

	if (r->has_fsguard)
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
static int setup_fsguard(struct run *r)
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
	if (p->files_restricted) {
		r->netguard.fs = &r->fsguard;
		r->netguard.make_sock_beneath =
			r->cfg->unsafe & CABIN_UNSAFE_BINDPATH ?
			unconfined_bind : cabin_landlock_make_sock_beneath;
	}
	return 0;
}

/*
 * The files behind the trace and the report, bound before the program
 * runs (outfile.h); --unsafe-disable=outputs opens them by path, as
 * cabin used to.
 */
static int open_outputs(struct run *r)
{
	const struct cabin_config *cfg = r->cfg;
	bool by_path = cfg->unsafe & CABIN_UNSAFE_OUTPUTS;
	int err, fd;

	if (cfg->trace_path && strcmp(cfg->trace_path, "-")) {
		err = cabin_outfile_open(&r->trace_file, cfg->trace_path,
					 "trace", by_path ?
					 CABIN_OUTFILE_NAMED_LIVE :
					 CABIN_OUTFILE_SAFE, r->log);
		if (err < 0)
			return err;
		fd = fcntl(r->trace_file.fd, F_DUPFD_CLOEXEC, 3);
		r->trace_out = fd >= 0 ? fdopen(fd, "w") : NULL;
		if (!r->trace_out) {
			if (fd >= 0)
				close(fd);
			return -ENOMEM;
		}
	}
	if (cfg->report_path)
		return cabin_outfile_open(&r->report_file, cfg->report_path,
					  "report", by_path ?
					  CABIN_OUTFILE_NAMED_AT_END :
					  CABIN_OUTFILE_SAFE, r->log);
	return 0;
}

/* The trace and the report are observers; they exist before the run. */
static int open_records(struct run *r, char *const argv[])
{
	const struct cabin_config *cfg = r->cfg;
	int err = open_outputs(r);

	if (err < 0)
		return err;

	if (cfg->trace_path) {
		struct cabin_trace_options o = {
			.format = cfg->trace_jsonl ? CABIN_TRACE_JSONL
						   : CABIN_TRACE_TEXT,
			.timestamps = cfg->trace_timestamps,
			.durations = cfg->trace_durations,
			.fd_paths = cfg->trace_fds,
			.racecheck = !r->kvm &&
				     !(cfg->unsafe & CABIN_UNSAFE_RACECHECK),
		};

		if (!r->trace_out)
			r->trace_out = stderr;
		o.out = r->trace_out;
		r->tracer = cabin_tracer_new(&o);
		if (!r->tracer)
			return -ENOMEM;
	}
	if (cfg->report_path || cfg->summary) {
		struct cabin_report_options o = {
			.path = cfg->report_path,
			.summary = cfg->summary ? r->log : NULL,
			.argv = argv,
			/* kvm's descriptors are the monitor's, not the kernel's */
			.racecheck = !r->kvm &&
				     !(cfg->unsafe & CABIN_UNSAFE_RACECHECK),
		};

		r->report = cabin_report_new(&o);
		if (!r->report)
			return -ENOMEM;
		if (cfg->report_path)
			cabin_report_redirect(r->report, r->report_file.fd,
					      o.summary);
	}
	return 0;
}

static void close_records(struct run *r)
{
	if (r->tracer)
		cabin_tracer_free(r->tracer);
	if (r->trace_out && r->trace_out != stderr)
		fclose(r->trace_out);
	if (r->report)
		cabin_report_free(r->report);
	cabin_outfile_close(&r->trace_file);
	cabin_outfile_close(&r->report_file);
}

/*
 * The run is over: the trace and the report get their names.  Output
 * cabin could not deliver fails the run with 125 (docs/cli-contract.md);
 * the program's own status is then said on a line of its own.
 */
static int deliver_outputs(struct run *r, int code)
{
	bool lost = r->report_failed;

	if (r->trace_out && r->trace_out != stderr && fflush(r->trace_out)) {
		fprintf(r->log, "cabin: writing the trace to %s failed: %s\n",
			r->cfg->trace_path, strerror(errno));
		lost = true;
	}
	if (r->trace_file.fd >= 0 &&
	    cabin_outfile_place(&r->trace_file, r->log) < 0)
		lost = true;
	if (r->report_file.fd >= 0 && !r->report_failed &&
	    cabin_outfile_place(&r->report_file, r->log) < 0)
		lost = true;
	if (!lost)
		return code;
	fprintf(r->log, "cabin: exit %d: cabin could not deliver its output (the program's own exit status was %d)\n",
		CABIN_EXIT_INTERNAL, code);
	return CABIN_EXIT_INTERNAL;
}

/* A --pass-fd on the stream a record goes to would let the program forge it. */
static bool is_record(const struct run *r, int fd)
{
	const int records[] = { r->trace_file.fd, r->report_file.fd,
				r->trace_out ? fileno(r->trace_out) : -1 };
	struct stat a, b;
	size_t i;

	if (fstat(fd, &a) < 0)
		return false;
	for (i = 0; i < sizeof(records) / sizeof(*records); i++) {
		if (records[i] >= 0 && records[i] != 2 &&
		    fstat(records[i], &b) == 0 &&
		    a.st_dev == b.st_dev && a.st_ino == b.st_ino)
			return true;
	}
	return false;
}

/*
 * What the program is handed of cabin's descriptors (0, 1, 2 and
 * --pass-fd) is checked before anything runs; the rest is closed at its
 * exec (spawn.c).  docs/security.md, "Inherited descriptors".
 */
static int check_inherited(struct run *r)
{
	static const char *const stdio[] = {
		"standard input", "standard output", "standard error",
	};
	const char *why;
	size_t i;
	int fd;

	if (r->cfg->unsafe & CABIN_UNSAFE_FDS)
		return 0;
	for (fd = 0; fd < 3; fd++) {
		why = cabin_inherit_is_open(fd) ? cabin_inherit_refusal(fd)
						: NULL;
		if (why) {
			fprintf(r->log, "cabin: descriptor %d (%s) is %s: it is not handed to a confined program (give it a file, a pipe or /dev/null)\n",
				fd, stdio[fd], why);
			return -EPERM;
		}
	}
	for (i = 0; i < r->cfg->npass_fds; i++) {
		fd = r->cfg->pass_fds[i];
		why = cabin_inherit_refusal(fd);
		if (!why && is_record(r, fd))
			why = "where cabin writes its trace or report";
		if (why) {
			fprintf(r->log, "cabin: --pass-fd %d refused: %s\n",
				fd, why);
			return -EPERM;
		}
	}
	return 0;
}

/*
 * With -v, a root run without file rules (the trace profile, a policy
 * with no files line) says once what it leaves open: the line is for the
 * person who may have meant to confine hostile code.
 */
static void note_open_files(const struct run *r)
{
	if (!r->cfg->verbose || r->policy->files_restricted ||
	    r->policy->filter_off || geteuid() != 0)
		return;
	fprintf(r->log, "cabin: no file rules: the program runs as root and opens every host file and device whose permissions let uid 0 in, and uses the network as the policy says; for untrusted code use --profile default --trace\n");
}

static int prepare(struct run *r, const char *program)
{
	struct cabin_policy_error perr;
	int err;

	if (!r->policy) {
		cabin_policy_init(&r->fallback);
		err = cabin_policy_load_profile(&r->fallback, "default", &perr);
		if (err < 0) {
			fprintf(r->log, "cabin: the default profile does not load: %s\n",
				perr.message);
			return err;
		}
		r->policy = &r->fallback;
	}
	r->home = getenv("HOME");
	r->landlock_abi = cabin_landlock_abi();
	r->namespaces = user_namespaces_allowed();
	note_open_files(r);
	err = check_inherited(r);
	if (!err)
		err = check_enforceable(r);
	if (!err)
		err = check_xom(r);
	if (!err)
		err = check_paths(r);
	if (!err)
		err = grant_program(r, program);
	if (!err)
		err = grant_terminal(r);
	if (!err)
		err = seal_proc(r);
	if (!err)
		err = setup_xom(r);
	if (!err)
		err = setup_memguard(r);
	if (err < 0)
		return err;
	err = compile_routes(r);
	if (!err)
		err = setup_fsguard(r);
	if (err < 0)
		return err;
	plan_sandbox(r);
	r->envp = cabin_env_build(r->policy, environ);
	return r->envp ? 0 : -ENOMEM;
}

static void observe_records(struct run *r, struct cabin_proxy *proxy)
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

static int init_proxy(struct run *r, struct cabin_proxy *proxy,
		      const struct cabin_platform *plat, FILE *log)
{
	int err = cabin_proxy_init(proxy, plat, &r->router, log);

	if (err < 0)
		return err;
	proxy->verbose = r->cfg->verbose;
	proxy->limits.procs = r->policy->limits.procs;
	proxy->limits.memory = r->policy->limits.memory;
	proxy->wx = r->policy->memory & CABIN_MEMORY_WX;
	proxy->xom = r->has_xom ? &r->xom : NULL;
	proxy->memguard = r->has_memguard ? &r->memguard : NULL;
	proxy->fail_unreadable = !(r->cfg->unsafe & CABIN_UNSAFE_UNREADABLE);
	observe_records(r, proxy);
	return emulate(r, proxy);
}

/* The records are written and the summary printed once the run is over. */
static void close_run(struct run *r, struct cabin_proxy *proxy, int code,
		      FILE *log)
{
	if (code >= 0 && r->cfg->verbose)
		cabin_proxy_print_summary(proxy);
	if (r->tracer)
		cabin_tracer_finish(r->tracer);
	if (r->report &&
	    cabin_report_finish(r->report, proxy, code, proxy->timed_out) < 0) {
		fprintf(log, "cabin: writing the report to %s failed\n",
			r->cfg->report_path ? r->cfg->report_path : "-");
		r->report_failed = true;
	}
	cabin_proxy_free(proxy);
}

static struct cabin_spawn spawn_plan(struct run *r, char *const argv[],
				     const struct cabin_saved_signals *signals)
{
	r->private_fds[0] = r->trace_file.fd;
	r->private_fds[1] = r->report_file.fd;
	return (struct cabin_spawn){
		.argv = argv,
		.exe_fd = r->exe_fd,
		.envp = r->envp,
		.filter = r->policy->filter_off || r->kvm ? NULL : &r->bpf.prog,
		.unsafe = r->cfg->unsafe,
		.signals = signals,
		.sandbox = &r->sandbox,
		.private_fds = r->private_fds,
		.nprivate_fds = 2,
		.pass_fds = r->cfg->pass_fds,
		.npass_fds = r->cfg->npass_fds,
		.userns = r->namespaces &&
			  (needs_namespaces(r) ||
			   !(r->cfg->unsafe & CABIN_UNSAFE_CAPS)),
		.confine = confine,
		.confine_ctx = r,
	};
}

static int launch(struct run *r, char *const argv[])
{
	struct cabin_saved_signals signals;
	struct cabin_spawn spawn;
	struct cabin_process pp;
	struct cabin_proxy proxy;
	int code, err;

	cabin_process_init(&pp);
	pp.timeout = r->policy->limits.timeout;
	err = init_proxy(r, &proxy, &pp.plat, r->log);
	if (err < 0)
		return start_error(r->log, argv[0], err);
	err = cabin_signals_install(&signals);
	if (err < 0) {
		cabin_proxy_free(&proxy);
		return start_error(r->log, argv[0], err);
	}
	spawn = spawn_plan(r, argv, &signals);
	code = cabin_process_run(&pp, &proxy, &spawn);
	cabin_signals_restore(&signals);
	if (code < 0)
		code = start_error(r->log, argv[0], code);
	close_run(r, &proxy, code, r->log);
	return code;
}

struct kvm_launch {
	struct run *r;
	char *const *argv;
	const char *path;
};

/* The trace goes to the log, or to cabin through its socket. */
static int move_trace(struct run *r, FILE *log, int floor)
{
	FILE *f;
	int fd;

	if (!r->tracer)
		return 0;
	if (r->trace_out == stderr) {
		cabin_tracer_set_output(r->tracer, log);
		return 0;
	}
	fd = cabin_kvm_move_fd(r->trace_sock[1], floor);
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f)
		return -EBADF;
	cabin_tracer_set_output(r->tracer, f);
	return 0;
}

/* In a monitor forked with its program: the records start afresh. */
static void kvm_forked(void *ctx)
{
	struct run *r = ctx;

	cabin_tracer_forked(r->tracer);
	if (r->report)
		cabin_report_forked(r->report);
}

static void absorb_report(void *ctx, const void *buf, size_t len)
{
	cabin_report_absorb(ctx, buf, len);
}

/*
 * A forked monitor's end: its trace lines are out, its records go to the
 * first monitor, and it leaves as its program did, for the parent's wait.
 */
static void __attribute__((noreturn)) kvm_forked_end(void *ctx,
						     struct cabin_kvm *k)
{
	struct run *r = ctx;
	struct cabin_proxy *proxy = k->proxy;
	char *buf = NULL;
	size_t len = 0;

	if (r->tracer)
		cabin_tracer_finish(r->tracer);
	if (r->report && cabin_report_save(r->report, &buf, &len) < 0)
		len = 0;
	cabin_kvm_family_leave(&k->family, buf, len);
	free(buf);
	fflush(NULL);
	cabin_exit_as(proxy->main_exited ? proxy->main_status : SIGKILL);
}

/* kvm: the program names only descriptors below the monitor's floor. */
static bool passed_below(const struct run *r, int floor, FILE *log)
{
	size_t i;

	for (i = 0; i < r->cfg->npass_fds; i++) {
		if (r->cfg->pass_fds[i] >= floor) {
			fprintf(log, "cabin: --pass-fd %d: the kvm platform's program has descriptors below %d only\n",
				r->cfg->pass_fds[i], floor);
			return false;
		}
	}
	return true;
}

/* In the sandboxed child: the monitor, the proxy core and the records. */
static int kvm_child(void *ctx)
{
	struct kvm_launch *kl = ctx;
	struct run *r = kl->r;
	struct cabin_kvm_options o = { 0 };
	struct cabin_kvm k;
	struct cabin_proxy proxy;
	int floor = cabin_kvm_fd_floor(), code;
	FILE *log = fdopen(fcntl(2, F_DUPFD_CLOEXEC, floor), "w");

	if (!log)
		return CABIN_EXIT_INTERNAL;
	setvbuf(log, NULL, _IOLBF, 0);
	if (!passed_below(r, floor, log))
		return CABIN_EXIT_INTERNAL;
	o.kvm_fd = cabin_kvm_move_fd(r->kvm_fd, floor);
	o.exe_fd = cabin_kvm_move_fd(r->exe_fd, floor);
	if (r->report)
		cabin_report_redirect(r->report,
				      r->report_sock[1] >= 0 ?
				      cabin_kvm_move_fd(r->report_sock[1], floor) : -1,
				      r->cfg->summary ? log : NULL);
	if (move_trace(r, log, floor) < 0 || o.kvm_fd < 0) {
		fprintf(log, "cabin: the kvm monitor cannot keep its descriptors\n");
		return CABIN_EXIT_INTERNAL;
	}
	/* The file guard resolves relative rules from where cabin started. */
	if (r->has_fsguard)
		r->fsguard.cwd = cabin_kvm_move_fd(r->fsguard.cwd, floor);
	cabin_kvm_close_cloexec_below(floor);
	memset(&k, 0, sizeof(k));
	k.plat = (struct cabin_platform){ "kvm", &cabin_kvm_ops, &k };
	if (init_proxy(r, &proxy, &k.plat, log) < 0)
		return CABIN_EXIT_INTERNAL;
	o.argv = kl->argv;
	o.envp = r->envp;
	o.path = kl->path;
	o.fd_floor = floor;
	o.stats = r->cfg->stats;
	o.test_fault = r->cfg->kvm_test_fault;
	o.ring = r->cfg->forward_ring;
	o.batch = r->cfg->kvm_batch ? r->cfg->kvm_batch : 512;
	o.xom = r->has_xom;
	o.no_smep = r->cfg->unsafe & CABIN_UNSAFE_SMEP;
	o.no_smap = r->cfg->unsafe & CABIN_UNSAFE_SMAP;
	o.log = log;
	o.forked = kvm_forked;
	o.forked_end = kvm_forked_end;
	o.hook_ctx = r;
	code = cabin_kvm_run(&k, &proxy, &o);
	cabin_kvm_end_family(&k, r->report ? absorb_report : NULL, r->report);
	close_run(r, &proxy, code, log);
	cabin_kvm_free(&k);
	fflush(NULL);
	return code;
}

/* What the child reported, or what its status says. */
static int kvm_outcome(struct run *r, const struct cabin_child *child,
		       int status, bool timed_out)
{
	struct cabin_spawn_error e;

	if (cabin_spawn_failure(child, &e)) {
		fprintf(r->log, "cabin: setting up the sandbox failed while %s: %s\n",
			cabin_spawn_stage_name(e.stage), strerror(e.err));
		return CABIN_EXIT_INTERNAL;
	}
	if (timed_out) {
		fprintf(r->log, "cabin: the time limit (%lu s) ended the program\n",
			(unsigned long)r->policy->limits.timeout);
		return 124;
	}
	if (status < 0) {
		fprintf(r->log, "cabin: waiting for the kvm monitor: %s\n",
			strerror(-status));
		return CABIN_EXIT_INTERNAL;
	}
	if (WIFSIGNALED(status)) {
		fprintf(r->log, "cabin: the kvm monitor died of signal %d\n",
			WTERMSIG(status));
		return CABIN_EXIT_INTERNAL;
	}
	return WEXITSTATUS(status);
}

/* Did the monitor send its report (deliver_outputs names it)? */
static void check_kvm_report(struct run *r)
{
	struct stat st;

	if (r->report_file.fd < 0 ||
	    (fstat(r->report_file.fd, &st) == 0 && st.st_size > 0))
		return;
	fprintf(r->log, "cabin: writing the report to %s failed: the kvm monitor sent none\n",
		r->cfg->report_path);
	r->report_failed = true;
}

static int open_kvm_sockets(struct run *r)
{
	if (r->tracer && r->trace_out != stderr &&
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, r->trace_sock) < 0)
		return -errno;
	if (r->report_file.fd >= 0 &&
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, r->report_sock) < 0)
		return -errno;
	return 0;
}

static void close_child_ends(struct run *r)
{
	if (r->trace_sock[1] >= 0)
		close(r->trace_sock[1]);
	if (r->report_sock[1] >= 0)
		close(r->report_sock[1]);
	r->trace_sock[1] = r->report_sock[1] = -1;
}

static int launch_kvm(struct run *r, char *const argv[])
{
	struct cabin_saved_signals signals;
	struct cabin_spawn spawn;
	struct cabin_child child;
	struct kvm_launch kl = { r, argv, NULL };
	bool timed_out;
	int err, status;

	err = cabin_find_program(argv[0], child.path, sizeof(child.path));
	if (err < 0)
		return start_error(r->log, argv[0], err);
	kl.path = child.path;
	err = open_kvm_sockets(r);
	if (err < 0)
		return start_error(r->log, argv[0], err);
	err = cabin_signals_install(&signals);
	if (err < 0)
		return start_error(r->log, argv[0], err);
	spawn = spawn_plan(r, argv, &signals);
	spawn.run = kvm_child;
	spawn.run_ctx = &kl;
	fflush(NULL);
	err = cabin_spawn_child(&spawn, &child);
	if (err < 0) {
		cabin_signals_restore(&signals);
		return start_error(r->log, argv[0], err);
	}
	cabin_process_main_pid = child.pid;
	close_child_ends(r);
	{
		struct cabin_kvm_pump pumps[2];
		size_t n = 0;

		if (r->trace_sock[0] >= 0)
			pumps[n++] = (struct cabin_kvm_pump){
				r->trace_sock[0], fileno(r->trace_out) };
		if (r->report_sock[0] >= 0)
			pumps[n++] = (struct cabin_kvm_pump){
				r->report_sock[0], r->report_file.fd };
		status = cabin_kvm_supervise(child.pid, r->policy->limits.timeout,
					     pumps, n, &timed_out);
	}
	cabin_process_main_pid = 0;
	cabin_signals_restore(&signals);
	check_kvm_report(r);
	err = kvm_outcome(r, &child, status, timed_out);
	close(child.error_fd);
	return err;
}

/*
 * --platform kvm works where a canary guest says it does, not wherever
 * /dev/kvm exists; and a run is refused what the guest cannot have
 * (--xom's PKU, the proxy kernel's SMEP and SMAP) rather than given less.
 */
static int check_kvm_host(struct run *r)
{
	struct cabin_kvm_evidence ev;
	struct cabin_kvm_verdict v;
	char why[512];

	cabin_kvm_gather(&ev);
	cabin_kvm_decide(&ev, &v);
	if (!v.usable) {
		fprintf(r->log, "cabin: --platform kvm cannot work on this host: %s; see 'cabin info'\n",
			v.why);
		return -1;
	}
	if (cabin_kvm_refuse(&ev, r->policy &&
				  (r->policy->memory & CABIN_MEMORY_XOM),
			     !(r->cfg->unsafe & CABIN_UNSAFE_SMEP),
			     !(r->cfg->unsafe & CABIN_UNSAFE_SMAP), why,
			     sizeof(why))) {
		fprintf(r->log, "cabin: --platform kvm: %s; nothing was run\n",
			why);
		return -1;
	}
	return 0;
}

/*
 * --platform kvm: /dev/kvm is opened here, before any sandbox (the
 * report's file is bound in open_outputs, before the run, as for every
 * platform).
 */
static int open_platform(struct run *r)
{
	const char *name = r->cfg->platform;

	if (!name || !strcmp(name, "process")) {
		if (r->cfg->forward_ring || r->cfg->kvm_test_fault ||
		    r->cfg->kvm_batch) {
			fprintf(r->log, "cabin: --forward, --kvm-batch and --kvm-test-fault need --platform kvm\n");
			return -EINVAL;
		}
		return 0;
	}
	if (strcmp(name, "kvm")) {
		fprintf(r->log, "cabin: unknown platform '%s' (known: process, kvm)\n",
			name);
		return -EINVAL;
	}
	r->kvm = true;
	if (check_kvm_host(r) < 0)
		return -EOPNOTSUPP;
	r->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (r->kvm_fd < 0) {
		fprintf(r->log, "cabin: the kvm platform needs /dev/kvm: %s (no usable KVM on this machine; see 'cabin info')\n",
			strerror(errno));
		return -errno;
	}
	return 0;
}

static void close_platform(struct run *r)
{
	int i;

	for (i = 0; i < 2; i++) {
		if (r->trace_sock[i] >= 0)
			close(r->trace_sock[i]);
		if (r->report_sock[i] >= 0)
			close(r->report_sock[i]);
	}
	if (r->kvm_fd >= 0)
		close(r->kvm_fd);
}

int cabin_run(const struct cabin_config *cfg, char *const argv[])
{
	struct run r = { .cfg = cfg, .policy = cfg->policy, .exe_fd = -1,
			 .kvm_fd = -1,
			 .trace_file = { .fd = -1, .dir = -1 },
			 .report_file = { .fd = -1, .dir = -1 },
			 .trace_sock = { -1, -1 }, .report_sock = { -1, -1 } };
	int code = CABIN_EXIT_INTERNAL;

	r.log = cfg->log ? cfg->log : stderr;
	if (!argv || !argv[0]) {
		fprintf(r.log, "cabin: no program to run\n");
		return CABIN_EXIT_INTERNAL;
	}
	warn_unsafe(r.log, cfg->unsafe);
	cabin_names_keep_raw(cfg->unsafe & CABIN_UNSAFE_NAMES);
	if (open_platform(&r) == 0 && open_records(&r, argv) == 0 &&
	    prepare(&r, argv[0]) == 0) {
		code = r.kvm ? launch_kvm(&r, argv) : launch(&r, argv);
		code = deliver_outputs(&r, code);
	}
	close_records(&r);
	close_platform(&r);
	cabin_env_free(r.envp);
	free(r.paths);
	if (r.exe_fd >= 0)
		close(r.exe_fd);
	cabin_bpf_free(&r.bpf);
	cabin_router_free(&r.router);
	if (r.has_fsguard)
		cabin_fsguard_free(&r.fsguard);
	if (r.has_memguard)
		cabin_memguard_free(&r.memguard);
	if (r.policy == &r.fallback)
		cabin_policy_free(&r.fallback);
	return code;
}
