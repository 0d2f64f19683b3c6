/*
 * What must hold before anything runs, each failure said on the log:
 * what the kernel can enforce of the policy (a built-in profile degrades
 * with a warning, rules a user wrote are refused), the paths it requires,
 * protection keys for execute-only code, and the descriptors the program
 * is handed.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "platform/probe.h"
#include "sandbox/inherit.h"
#include "policy/landlock.h"
#include "run/run.h"

/* What sigscope cannot have on this system, as one line; "" if nothing. */
static void sigscope_gaps(const struct cabin_run_state *r, char *buf,
			  size_t len)
{
	buf[0] = '\0';
	if (!cabin_run_sigscope(r))
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
int cabin_run_check_enforceable(struct cabin_run_state *r)
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
	if (p->isolate & CABIN_ISOLATE_PID || r->user_rules ||
	    (cabin_run_sigscope(r) && r->namespaces))
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
	if (cabin_run_wants_namespaces(p) && !r->namespaces) {
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
			cabin_log_tell(&r->notes, "note: truncate() by path is refused on this kernel (Landlock ABI %d cannot check it against the file rules; ftruncate works)",
				       r->landlock_abi);
		return 0;
	}
	if (r->user_rules && !r->cfg->best_effort) {
		fprintf(r->log, "cabin: this kernel cannot enforce the policy: %s (use --best-effort to run with what it can enforce)\n",
			missing);
		return -EOPNOTSUPP;
	}
	cabin_log_warn(&r->notes, "warning: not enforced on this kernel: %s; the rest of the policy is enforced%s",
		missing, truncate_refused ?
		" (and truncate() by path is refused: it needs Landlock ABI 3)" : "");
	return 0;
}

/*
 * --hostname: a name sethostname takes and a resolver would (letters,
 * digits, '-', '.', not starting with '-'), and a UTS namespace to set it
 * in, which only the process platform gives (and, for a user who is not
 * root, only through a user namespace).
 */
int cabin_run_check_hostname(struct cabin_run_state *r)
{
	const char *name = r->cfg->hostname;
	size_t len, i;

	if (!name)
		return 0;
	len = strlen(name);
	for (i = 0; i < len; i++) {
		if (!isalnum((unsigned char)name[i]) && name[i] != '-' &&
		    name[i] != '.')
			break;
	}
	if (!len || len > 64 || i < len || name[0] == '-') {
		fprintf(r->log, "cabin: --hostname '%s': a host name is 1 to 64 letters, digits, '-' and '.', not starting with '-'; nothing was run\n",
			name);
		return -EINVAL;
	}
	if (!(r->traits & CABIN_PLATFORM_HOST_TASKS)) {
		fprintf(r->log, "cabin: --hostname is not supported on --platform %s (it needs a UTS namespace on the host); nothing was run\n",
			r->platform->name);
		return -EOPNOTSUPP;
	}
	if (!r->namespaces) {
		fprintf(r->log, "cabin: --hostname needs a UTS namespace, which needs unprivileged user namespaces, which this system does not allow; nothing was run\n");
		return -EOPNOTSUPP;
	}
	return 0;
}

/*
 * --uid, --gid, before the platform is probed: ids the program's own
 * processes take on the host, which the kvm guest has not (its getuid
 * answers with the monitor's ids); for a user who is not root they are a
 * user namespace's, which a system may forbid.  Root that names a uid
 * names the gid too: the program would otherwise keep group 0, root's,
 * on disk.
 */
int cabin_run_check_ids(struct cabin_run_state *r)
{
	const struct cabin_config *c = r->cfg;

	if (!c->set_uid && !c->set_gid)
		return 0;
	if (geteuid() == 0 && !c->set_gid) {
		fprintf(r->log, "cabin: --uid as root needs --gid too (the program would keep root's group 0 on disk); nothing was run\n");
		return -EINVAL;
	}
	if (!(r->traits & CABIN_PLATFORM_HOST_TASKS)) {
		fprintf(r->log, "cabin: --uid and --gid are not supported on --platform %s (its guest reports the invoking user's ids); nothing was run\n",
			r->platform->name);
		return -EOPNOTSUPP;
	}
	if (!cabin_run_user_namespaces_allowed()) {
		fprintf(r->log, "cabin: --uid and --gid need a user namespace, which this system does not allow users other than root (see 'cabin info'); nothing was run\n");
		return -EOPNOTSUPP;
	}
	return 0;
}

static bool under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return !strncmp(path, dir, n) && (path[n] == '/' || path[n] == '\0');
}

/* The private mounts replace these trees; only their roots are meant. */
bool cabin_run_hidden_by_private_tmp(const char *path)
{
	return (under(path, "/tmp") && strcmp(path, "/tmp")) ||
	       (under(path, "/dev/shm") && strcmp(path, "/dev/shm"));
}

/*
 * A path rule that cannot be had, named by where it was written: a policy's
 * "FILE:LINE:COL: path 'P': why", or an option that already shows its
 * path ("--allow-write ./build: why").
 */
void cabin_run_rule_error(const struct cabin_path_rule *rule, int err,
			  char *buf, size_t len)
{
	if (rule->where && rule->where[0] == '-')
		snprintf(buf, len, "cabin: %s: %s\n", rule->where,
			 strerror(err));
	else if (rule->where)
		snprintf(buf, len, "cabin: %s: path '%s': %s\n", rule->where,
			 rule->path, strerror(err));
	else
		snprintf(buf, len, "cabin: path '%s': %s\n", rule->path,
			 strerror(err));
}

/*
 * Required paths must exist now: failing in the child explains less.
 * The line names the rule as the parser names a place (FILE:LINE:COL),
 * or the option that made it.
 */
int cabin_run_check_paths(struct cabin_run_state *r)
{
	const struct cabin_policy *p = r->policy;
	const struct cabin_path_rule *rule;
	char line[PATH_MAX + 512];
	size_t i;
	int fd;

	if (!p->files_restricted)
		return 0;
	for (i = 0; i < p->npaths; i++) {
		rule = &p->paths[i];
		if (rule->optional)
			continue;
		if (p->private_tmp && cabin_run_hidden_by_private_tmp(rule->path)) {
			fprintf(r->log, "cabin: %s%spath '%s' is hidden inside the sandbox: /tmp and /dev/shm are private in this policy ('tmp private'); use another directory, or 'tmp shared'\n",
				rule->where ? rule->where : "",
				rule->where ? ": " : "", rule->path);
			return -EINVAL;
		}
		fd = cabin_landlock_open_path(rule->path, r->home);
		if (fd < 0) {
			cabin_run_rule_error(rule, -fd, line, sizeof(line));
			fputs(line, r->log);
			return fd;
		}
		close(fd);
	}
	return 0;
}

/*
 * Execute-only code stands on protection keys; without them --xom would
 * be a promise cabin cannot keep, so it refuses, naming what is missing.
 */
int cabin_run_check_xom(struct cabin_run_state *r)
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

/* A --pass-fd on the stream a record goes to would let the program forge it. */
static bool is_record(const struct cabin_run_state *r, int fd)
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
int cabin_run_check_inherited(struct cabin_run_state *r)
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
void cabin_run_note_open_files(const struct cabin_run_state *r)
{
	if (!r->cfg->verbose || r->policy->files_restricted ||
	    r->policy->filter_off || geteuid() != 0)
		return;
	fprintf(r->log, "cabin: no file rules: the program runs as root and opens every host file and device whose permissions let uid 0 in, and uses the network as the policy says; for untrusted code use --profile default --trace\n");
}
