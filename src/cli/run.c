/*
 * `cabin run`: parse options into a policy (a profile or a policy file,
 * then the overrides, which take precedence), hand the program to
 * libcabin and exit with its status.  Options end at `--` or at the first
 * word that is not one, so the program's own options are never cabin's.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cabin/cabin.h"
#include "cabin/policy.h"
#include "cli/commands.h"

static void usage(FILE *out)
{
	fputs("Usage: cabin run [OPTIONS] [--] PROGRAM [ARGS...]\n"
	      "\n"
	      "Run PROGRAM (found like execvp) confined behind the proxy kernel.\n"
	      "\n"
	      "Platform:\n"
	      "      --platform NAME       process (default: seccomp and ptrace) or kvm (the\n"
	      "                            program in a KVM guest behind a ring-0 proxy\n"
	      "                            kernel; needs a KVM whose guest syscalls reach\n"
	      "                            CPL0, which 'cabin info' checks)\n"
	      "      --stats               kvm: print VM exits by reason at the end\n"
	      "      --forward=HOW         kvm: exit (default: a VM exit per forwarded\n"
	      "                            syscall) or ring (a shared ring polled by a\n"
	      "                            monitor thread, no exit while it is busy)\n"
	      "      --kvm-batch=PAGES     kvm: pages the monitor grants the proxy kernel's\n"
	      "                            anonymous memory at once (a power of two up to\n"
	      "                            65536, default 512)\n"
	      "      --gdb=-               serve gdb's remote protocol on stdin/stdout\n"
	      "                            (recommended; gdb: target remote | cabin run\n"
	      "                            --gdb=- -- PROG) and hold the program at its\n"
	      "                            first instruction until gdb attaches; the\n"
	      "                            program's stdout goes to stderr\n"
	      "      --gdb=HOST:PORT       the same on HOST:PORT (or :PORT, PORT: HOST\n"
	      "                            127.0.0.1; PORT 0: any free port) or unix:PATH\n"
	      "\n"
	      "Policy (default: --profile default):\n"
	      "      --profile NAME        a built-in profile: default, strict, trace, none\n"
	      "      --policy FILE         a policy file (see cabin-policy(5), docs/policy.md)\n"
	      "      --allow-read PATH     also allow reading PATH\n"
	      "      --allow-write PATH    also allow reading, writing and creating under PATH\n"
	      "      --allow-exec PATH     also allow reading and executing PATH\n"
	      "      --deny PATH           PATH and below cannot be read, listed, written\n"
	      "                            or run, whatever the policy allows (an empty,\n"
	      "                            unreadable file or directory is left there)\n"
	      "      --read-only PATH      PATH and below cannot be written, created,\n"
	      "                            deleted, renamed or chmod'ed (?PATH: if it exists)\n"
	      "      --net MODE            none, loopback or host\n"
	      "      --timeout SECONDS     kill the whole tree after SECONDS (exit 124)\n"
	      "      --max-procs N         at most N live processes and threads (counted\n"
	      "                            by cabin's proxy)\n"
	      "      --clear-env           start from an empty environment\n"
	      "      --setenv NAME=VALUE   set a variable in the program's environment\n"
	      "      --unsetenv NAME       remove a variable from the program's environment\n"
	      "      --keep-env NAME       pass NAME from cabin's environment even where\n"
	      "                            --clear-env or the policy's 'env clear' empties it\n"
	      "      --chdir DIR           start the program in DIR (the working directory\n"
	      "                            the policy's '.' means; relative PROGRAM and\n"
	      "                            paths are taken from DIR, --trace and --report\n"
	      "                            files from where cabin was started)\n"
	      "      --hostname NAME       the program sees NAME as its host name, in a\n"
	      "                            UTS namespace of its own (the machine's stays)\n"
	      "      --uid N               the program runs as uid N (a number): a user's\n"
	      "                            in a user namespace of its own (on disk still\n"
	      "                            the user), root's really as N\n"
	      "      --gid M               the same for its group id (root: needed with --uid)\n"
	      "      --wx                  W^X: no memory both writable and executable\n"
	      "      --xom                 execute-only code (needs protection keys)\n"
	      "      --best-effort         run even if the kernel cannot enforce every rule\n"
	      "                            (says on stderr what is not enforced)\n"
	      "      --pass-fd N           hand inherited descriptor N (3 or more) to the\n"
	      "                            program; repeatable.  Only 0, 1, 2 are handed\n"
	      "                            over otherwise.  Directories, O_PATH, /proc and\n"
	      "                            kernel files, pidfds and other kernel objects,\n"
	      "                            devices but terminals and /dev/null's kin, and\n"
	      "                            sockets but unix and connected or listening TCP\n"
	      "                            ones are refused (exit 125), on 0, 1, 2 too\n"
	      "\n"
	      "Limits of the whole tree (a cgroup v2 of the run's own; refused, exit\n"
	      "125, where cabin cannot make one: see 'cabin info'):\n"
	      "      --memory SIZE         memory of all its processes together, swap\n"
	      "                            none (memory.max; K, M, G suffixes); past it\n"
	      "                            the kernel kills the whole tree\n"
	      "      --pids-max N          at most N tasks at once (pids.max); a fork\n"
	      "                            past it fails with EAGAIN\n"
	      "      --cpu-max SHARE       CPU time of all of them together, as 50% of\n"
	      "                            one CPU or 1.5 CPUs (cpu.max)\n"
	      "\n"
	      "Limits of each process (setrlimit; each process has its own count):\n"
	      "      --rlimit-as SIZE      address space (RLIMIT_AS; K, M, G suffixes)\n"
	      "      --rlimit-cpu SECONDS  CPU seconds (RLIMIT_CPU; then SIGXCPU)\n"
	      "      --rlimit-nofile N     open descriptors (RLIMIT_NOFILE)\n"
	      "      --rlimit-fsize SIZE   largest file it may write (RLIMIT_FSIZE)\n"
	      "\n"
	      "Output:\n"
	      "  -v, --verbose             print each spawn, exec and exit, and a summary\n"
	      "  -q, --quiet               print only cabin's fatal errors (exit 125, 126,\n"
	      "                            127) and warnings that a protection is off:\n"
	      "                            no denials, hints or fault lines\n"
	      "      --trace[=FILE]        trace syscalls the proxy sees (all of them with\n"
	      "                            --profile trace) to FILE, default stderr\n"
	      "      --trace-format=FMT    text (strace's form, default) or jsonl\n"
	      "      --trace-timestamps    wall-clock time on each trace record\n"
	      "      --trace-durations     time spent in each syscall\n"
	      "      --trace-fds           show what each descriptor refers to: 3</etc/passwd>\n"
	      "      --report FILE         write the behaviour report (JSON) to FILE\n"
	      "      --summary             print a behaviour summary on stderr at exit\n"
	      "\n"
	      "Testing:\n"
	      "      --unsafe-disable=LIST switch protections off, for testing them:\n"
	      "                            abi, deny, untraced, exitkill, caps, seccomp,\n"
	      "                            wx-alias, outputs, sigscope, setid, rometa,\n"
	      "                            net-scope, kfiles, racecheck, bindpath,\n"
	      "                            fds, unreadable, names, mountwalk, subtract,\n"
	      "                            ptrace;\n"
	      "                            with --platform kvm also smep, smap\n"
	      "      --kvm-test-fault=WHAT make the kvm proxy kernel fault on purpose:\n"
	      "                            read-user, exec-user or kernel-ud\n"
	      "  -h, --help                show this help\n"
	      "\n"
	      "Exit status: the program's own; 128+N if it was killed by signal N;\n"
	      "124 on --timeout; 125 if cabin failed (bad option or policy);\n"
	      "126 if PROGRAM cannot be executed; 127 if it was not found.\n", out);
}

enum {
	OPT_PROFILE = 256, OPT_POLICY, OPT_READ, OPT_WRITE, OPT_EXEC, OPT_NET,
	OPT_TIMEOUT, OPT_MEMORY, OPT_PROCS, OPT_CLEARENV, OPT_SETENV,
	OPT_BEST_EFFORT, OPT_UNSAFE, OPT_WX, OPT_XOM, OPT_TRACE,
	OPT_TRACE_FORMAT, OPT_TRACE_TIME, OPT_TRACE_DUR, OPT_REPORT,
	OPT_SUMMARY, OPT_TRACE_FDS, OPT_PLATFORM, OPT_STATS, OPT_KVM_FAULT,
	OPT_FORWARD, OPT_KVM_BATCH, OPT_PASS_FD, OPT_UNSETENV, OPT_KEEPENV,
	OPT_CHDIR, OPT_GDB,
	OPT_HOSTNAME,
	OPT_PIDS_MAX, OPT_CPU_MAX, OPT_RLIMIT_AS, OPT_RLIMIT_CPU,
	OPT_RLIMIT_NOFILE, OPT_RLIMIT_FSIZE,
	OPT_UID, OPT_GID,
	OPT_DENY, OPT_READ_ONLY,
};

#define MAX_PASS_FDS 64

/* The kvm platform's options, as the platform takes them (cabin.h). */
struct kvm_args {
	bool stats;
	bool forward_ring;
	unsigned int batch;		/* 0: the platform's default */
	const char *test_fault;		/* NULL: none */
	char batch_opt[32], fault_opt[32];
	const char *options[5];
};

struct run_args {
	struct cabin_config cfg;
	const char *profile;
	const char *policy_file;
	struct cabin_policy *overrides;	/* applied on top, in order */
	bool have_overrides;
	int pass_fds[MAX_PASS_FDS];
	struct kvm_args kvm;
};

static int bad(const char *fmt, const char *arg)
{
	fputs("cabin run: ", stderr);
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	return -EINVAL;
}

/*
 * What getopt refused (c '?': unknown, ambiguous or given an argument it
 * takes none of; ':': missing its argument), in one line and a hint
 * instead of the whole help.  word is the argument as written.
 */
static void misuse(int c, const char *word)
{
	const char *eq = strchr(word, '=');
	int len = eq && word[1] == '-' ? (int)(eq - word) : (int)strlen(word);

	if (c == ':')
		fprintf(stderr, "cabin: option '%.*s' needs an argument", len,
			word);
	else if (eq && word[1] == '-' && optopt)
		fprintf(stderr, "cabin: option '%.*s' takes no argument", len,
			word);
	else if (word[1] != '-' && optopt)
		fprintf(stderr, "cabin: unknown option '-%c'", optopt);
	else
		fprintf(stderr, "cabin: unknown option '%.*s'", len, word);
	fputs("; see 'cabin run --help'\n", stderr);
}

/* SIZE with an optional K, M, G or T suffix (binary units). */
static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	int shift = 0;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *s == '-')
		return -EINVAL;
	switch (*end) {
	case 'K': case 'k': shift = 10; end++; break;
	case 'M': case 'm': shift = 20; end++; break;
	case 'G': case 'g': shift = 30; end++; break;
	case 'T': case 't': shift = 40; end++; break;
	}
	if (*end || !v || (shift && v > (UINT64_MAX >> shift)))
		return -EINVAL;
	*out = (uint64_t)v << shift;
	return 0;
}

/* An option that takes one of two words; false (said) for anything else. */
static bool either(const char *opt, const char *arg, const char *a,
		   const char *b)
{
	if (!strcmp(arg, a) || !strcmp(arg, b))
		return true;
	fprintf(stderr, "cabin run: %s takes %s or %s, not '%s'\n", opt, a, b,
		arg);
	return false;
}

static int parse_count(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || !v)
		return -EINVAL;
	*out = v;
	return 0;
}

/*
 * --uid N, --gid M: a number, never a name (the program's /etc/passwd
 * may not be the one cabin would read); 4294967295 is the kernel's -1.
 */
static int take_id(struct cabin_config *cfg, bool uid, const char *arg)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(arg, &end, 10);
	if (errno || end == arg || *end || !isdigit((unsigned char)*arg) ||
	    v > 4294967294ULL) {
		fprintf(stderr, "cabin run: --%s takes a numeric %s id from 0 to 4294967294, not '%s'\n",
			uid ? "uid" : "gid", uid ? "user" : "group", arg);
		return -EINVAL;
	}
	if (uid) {
		cfg->set_uid = true;
		cfg->uid = (unsigned int)v;
	} else {
		cfg->set_gid = true;
		cfg->gid = (unsigned int)v;
	}
	return 0;
}

/* The option names the rule when its path fails at run time. */
static int add_path(struct cabin_policy *o, const char *option,
		    const char *arg, unsigned int rights)
{
	char where[PATH_MAX + 32];

	snprintf(where, sizeof(where), "%s %s", option, arg);
	return cabin_policy_add_path(o, arg, rights, false, where);
}

/* --deny, --read-only: "?PATH" as in a policy, skipped when absent. */
static int add_strip(struct cabin_policy *o, const char *option,
		     const char *arg, unsigned int strip)
{
	char where[PATH_MAX + 32];
	bool optional = arg[0] == '?';

	snprintf(where, sizeof(where), "%s %s", option, arg);
	if (cabin_policy_add_strip(o, arg + optional, strip, optional,
				   where) < 0) {
		fprintf(stderr, "cabin run: %s takes a path (absolute, relative, '~' or '~/...', '?' in front if optional), not '%s'\n",
			option, arg);
		return -EINVAL;
	}
	return 0;
}

static int take_option(struct run_args *a, int c, const char *arg)
{
	struct cabin_policy *o = a->overrides;
	const char *eq;
	uint64_t v;

	a->have_overrides = true;
	switch (c) {
	case OPT_READ:
		return add_path(o, "--allow-read", arg, CABIN_FILE_READ);
	case OPT_WRITE:
		return add_path(o, "--allow-write", arg, CABIN_FILE_READ |
				CABIN_FILE_WRITE | CABIN_FILE_CREATE);
	case OPT_EXEC:
		return add_path(o, "--allow-exec", arg, CABIN_FILE_READ |
				CABIN_FILE_EXEC);
	case OPT_DENY:
		return add_strip(o, "--deny", arg, CABIN_STRIP_HIDE);
	case OPT_READ_ONLY:
		return add_strip(o, "--read-only", arg, CABIN_STRIP_READ_ONLY);
	case OPT_NET:
		if (cabin_policy_set_network(o, arg) < 0)
			return bad("--net takes none, loopback or host, not '%s'", arg);
		return 0;
	case OPT_TIMEOUT:
		if (parse_count(arg, &v) < 0)
			return bad("--timeout takes a whole number of seconds >= 1, not '%s'", arg);
		return cabin_policy_set_limit(o, CABIN_POLICY_LIMIT_TIMEOUT, v);
	case OPT_MEMORY:
		if (parse_size(arg, &v) < 0 || v < (1u << 20))
			return bad("--memory takes a size of at least 1M (K, M, G suffixes), not '%s'", arg);
		return cabin_policy_set_limit(o, CABIN_POLICY_LIMIT_MEMORY_MAX, v);
	case OPT_PIDS_MAX:
		if (parse_count(arg, &v) < 0)
			return bad("--pids-max takes a number >= 1, not '%s'", arg);
		return cabin_policy_set_limit(o, CABIN_POLICY_LIMIT_PIDS_MAX, v);
	case OPT_CPU_MAX:
		if (cabin_policy_parse_cpu_share(arg, &v) < 0)
			return bad("--cpu-max takes a share of the CPUs such as 50%% or 1.5 (1%% to 100000%%), not '%s'", arg);
		return cabin_policy_set_limit(o, CABIN_POLICY_LIMIT_CPU_MAX, v);
	case OPT_RLIMIT_AS:
		if (parse_size(arg, &v) < 0 || v < (1u << 20))
			return bad("--rlimit-as takes a size of at least 1M (K, M, G suffixes), not '%s'", arg);
		return cabin_policy_set_limit(o, CABIN_POLICY_LIMIT_RLIMIT_AS, v);
	case OPT_RLIMIT_CPU:
		if (parse_count(arg, &v) < 0)
			return bad("--rlimit-cpu takes a whole number of seconds >= 1, not '%s'", arg);
		return cabin_policy_set_limit(o, CABIN_POLICY_LIMIT_RLIMIT_CPU, v);
	case OPT_RLIMIT_NOFILE:
		if (parse_count(arg, &v) < 0 || v < 3)
			return bad("--rlimit-nofile takes a number >= 3 (stdin, stdout, stderr), not '%s'", arg);
		return cabin_policy_set_limit(o, CABIN_POLICY_LIMIT_RLIMIT_NOFILE, v);
	case OPT_RLIMIT_FSIZE:
		if (parse_size(arg, &v) < 0)
			return bad("--rlimit-fsize takes a size >= 1 (K, M, G suffixes), not '%s'", arg);
		return cabin_policy_set_limit(o, CABIN_POLICY_LIMIT_RLIMIT_FSIZE, v);
	case OPT_PROCS:
		if (parse_count(arg, &v) < 0)
			return bad("--max-procs takes a number >= 1, not '%s'", arg);
		return cabin_policy_set_limit(o, CABIN_POLICY_LIMIT_PROCS, v);
	case OPT_CLEARENV:
		cabin_policy_env_clear(o);
		return 0;
	case OPT_WX:
		return cabin_policy_add_memory(o, CABIN_MEMORY_WX);
	case OPT_XOM:
		return cabin_policy_add_memory(o, CABIN_MEMORY_WX |
					       CABIN_MEMORY_XOM);
	case OPT_SETENV:
		eq = strchr(arg, '=');
		if (!eq || eq == arg)
			return bad("--setenv takes NAME=VALUE, not '%s'", arg);
		{
			char name[256];

			if ((size_t)(eq - arg) >= sizeof(name))
				return bad("--setenv name too long: '%s'", arg);
			memcpy(name, arg, eq - arg);
			name[eq - arg] = '\0';
			if (cabin_policy_env_set(o, name, eq + 1) < 0)
				return bad("--setenv: '%s' is not a variable name (a letter or _, then letters, digits and _) with a one-line value", arg);
			return 0;
		}
	case OPT_UNSETENV:
		if (cabin_policy_env_unset(o, arg) < 0)
			return bad("--unsetenv takes a variable name (a letter or _, then letters, digits and _), not '%s'", arg);
		return 0;
	case OPT_KEEPENV:
		if (cabin_policy_env_keep(o, arg) < 0)
			return bad("--keep-env takes a variable name (a letter or _, then letters, digits and _), not '%s'", arg);
		return 0;
	}
	return -EINVAL;
}

/* --pass-fd N: a descriptor from 3 up, each once. */
static int add_pass_fd(struct run_args *a, const char *arg)
{
	uint64_t n;
	size_t i;

	if (parse_count(arg, &n) < 0 || n < 3 || n > INT_MAX)
		return bad("--pass-fd takes a descriptor number of 3 or more (0, 1 and 2 are always handed over), not '%s'", arg);
	for (i = 0; i < a->cfg.npass_fds; i++) {
		if (a->pass_fds[i] == (int)n)
			return 0;
	}
	if (a->cfg.npass_fds == MAX_PASS_FDS)
		return bad("--pass-fd: at most 64 descriptors, not '%s' too", arg);
	a->pass_fds[a->cfg.npass_fds++] = (int)n;
	a->cfg.pass_fds = a->pass_fds;
	return 0;
}

/*
 * The platform's options.  They are all the kvm platform's: elsewhere the
 * ones that change a run are refused, and --stats, with no VM exits to
 * count, says nothing.
 */
static int platform_options(struct run_args *a)
{
	struct kvm_args *k = &a->kvm;
	size_t n = 0;

	k->options[0] = NULL;
	a->cfg.platform_options = k->options;
	if (!a->cfg.platform || strcmp(a->cfg.platform, "kvm")) {
		if (!k->forward_ring && !k->batch && !k->test_fault)
			return 0;
		fputs("cabin: --forward, --kvm-batch and --kvm-test-fault need --platform kvm\n",
		      stderr);
		return -EINVAL;
	}
	if (k->stats)
		k->options[n++] = "stats";
	if (k->forward_ring)
		k->options[n++] = "forward=ring";
	if (k->batch) {
		snprintf(k->batch_opt, sizeof(k->batch_opt), "batch=%u",
			 k->batch);
		k->options[n++] = k->batch_opt;
	}
	if (k->test_fault) {
		snprintf(k->fault_opt, sizeof(k->fault_opt), "test-fault=%s",
			 k->test_fault);
		k->options[n++] = k->fault_opt;
	}
	k->options[n] = NULL;
	return 0;
}

static int load_policy(struct run_args *a, struct cabin_policy *p)
{
	struct cabin_policy_error err;
	int r;

	if (a->profile && a->policy_file)
		return bad("%s", "--profile and --policy cannot be combined");
	if (a->policy_file)
		r = cabin_policy_load_file(p, a->policy_file, &err);
	else
		r = cabin_policy_load_profile(p, a->profile ? a->profile
							    : "default", &err);
	if (r == 0 && a->have_overrides)
		r = cabin_policy_override(p, a->overrides);
	if (r == 0)
		r = cabin_policy_validate(p, &err);
	if (r < 0) {
		if (err.line)
			fprintf(stderr, "cabin: %s:%u:%u: %s\n", err.file,
				err.line, err.column, err.message);
		else
			fprintf(stderr, "cabin: %s%s%s\n", err.file,
				err.file[0] ? ": " : "", err.message);
		return r;
	}
	return 0;
}

int cabin_cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "profile", required_argument, NULL, OPT_PROFILE },
		{ "policy", required_argument, NULL, OPT_POLICY },
		{ "allow-read", required_argument, NULL, OPT_READ },
		{ "allow-write", required_argument, NULL, OPT_WRITE },
		{ "allow-exec", required_argument, NULL, OPT_EXEC },
		{ "deny", required_argument, NULL, OPT_DENY },
		{ "read-only", required_argument, NULL, OPT_READ_ONLY },
		{ "net", required_argument, NULL, OPT_NET },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "memory", required_argument, NULL, OPT_MEMORY },
		{ "max-procs", required_argument, NULL, OPT_PROCS },
		{ "clear-env", no_argument, NULL, OPT_CLEARENV },
		{ "setenv", required_argument, NULL, OPT_SETENV },
		{ "best-effort", no_argument, NULL, OPT_BEST_EFFORT },
		{ "unsafe-disable", required_argument, NULL, OPT_UNSAFE },
		{ "wx", no_argument, NULL, OPT_WX },
		{ "trace", optional_argument, NULL, OPT_TRACE },
		{ "trace-format", required_argument, NULL, OPT_TRACE_FORMAT },
		{ "trace-timestamps", no_argument, NULL, OPT_TRACE_TIME },
		{ "trace-durations", no_argument, NULL, OPT_TRACE_DUR },
		{ "trace-fds", no_argument, NULL, OPT_TRACE_FDS },
		{ "report", required_argument, NULL, OPT_REPORT },
		{ "summary", no_argument, NULL, OPT_SUMMARY },
		{ "xom", no_argument, NULL, OPT_XOM },
		{ "platform", required_argument, NULL, OPT_PLATFORM },
		{ "stats", no_argument, NULL, OPT_STATS },
		{ "kvm-test-fault", required_argument, NULL, OPT_KVM_FAULT },
		{ "forward", required_argument, NULL, OPT_FORWARD },
		{ "kvm-batch", required_argument, NULL, OPT_KVM_BATCH },
		{ "pass-fd", required_argument, NULL, OPT_PASS_FD },
		{ "unsetenv", required_argument, NULL, OPT_UNSETENV },
		{ "keep-env", required_argument, NULL, OPT_KEEPENV },
		{ "chdir", required_argument, NULL, OPT_CHDIR },
		{ "hostname", required_argument, NULL, OPT_HOSTNAME },
		{ "gdb", required_argument, NULL, OPT_GDB },
		{ "pids-max", required_argument, NULL, OPT_PIDS_MAX },
		{ "cpu-max", required_argument, NULL, OPT_CPU_MAX },
		{ "rlimit-as", required_argument, NULL, OPT_RLIMIT_AS },
		{ "rlimit-cpu", required_argument, NULL, OPT_RLIMIT_CPU },
		{ "rlimit-nofile", required_argument, NULL, OPT_RLIMIT_NOFILE },
		{ "rlimit-fsize", required_argument, NULL, OPT_RLIMIT_FSIZE },
		{ "uid", required_argument, NULL, OPT_UID },
		{ "gid", required_argument, NULL, OPT_GID },
		{ NULL, 0, NULL, 0 },
	};
	struct run_args a = { 0 };
	struct cabin_policy *policy;
	int c, code = CABIN_EXIT_INTERNAL;

	a.overrides = cabin_policy_new();
	policy = cabin_policy_new();
	if (!a.overrides || !policy) {
		fputs("cabin run: out of memory\n", stderr);
		goto out;
	}
	optind = 1;
	opterr = 0;	/* one line of ours, not getopt's and the help */
	while ((c = getopt_long(argc, argv, "+:vqh", opts, NULL)) != -1) {
		switch (c) {
		case 'v':
			a.cfg.verbose = true;
			break;
		case 'q':
			a.cfg.quiet = true;
			break;
		case 'h':
			usage(stdout);
			code = 0;
			goto out;
		case OPT_PROFILE:
			a.profile = optarg;
			break;
		case OPT_POLICY:
			a.policy_file = optarg;
			a.cfg.user_rules = true;
			break;
		case OPT_BEST_EFFORT:
			a.cfg.best_effort = true;
			break;
		case OPT_TRACE:
			a.cfg.trace_path = optarg ? optarg : "-";
			break;
		case OPT_TRACE_FORMAT:
			if (!either("--trace-format", optarg, "text", "jsonl"))
				goto out;
			a.cfg.trace_jsonl = !strcmp(optarg, "jsonl");
			if (!a.cfg.trace_path)
				a.cfg.trace_path = "-";
			break;
		case OPT_TRACE_TIME:
			a.cfg.trace_timestamps = true;
			break;
		case OPT_TRACE_DUR:
			a.cfg.trace_durations = true;
			break;
		case OPT_TRACE_FDS:
			a.cfg.trace_fds = true;
			break;
		case OPT_REPORT:
			a.cfg.report_path = optarg;
			break;
		case OPT_SUMMARY:
			a.cfg.summary = true;
			break;
		case OPT_PLATFORM:
			if (!either("--platform", optarg, "process", "kvm"))
				goto out;
			a.cfg.platform = optarg;
			break;
		case OPT_STATS:
			a.kvm.stats = true;
			break;
		case OPT_FORWARD:
			if (!either("--forward", optarg, "exit", "ring"))
				goto out;
			a.kvm.forward_ring = !strcmp(optarg, "ring");
			break;
		case OPT_KVM_BATCH: {
			uint64_t n;

			if (parse_count(optarg, &n) < 0 || n > 65536 ||
			    (n & (n - 1))) {
				fprintf(stderr, "cabin run: --kvm-batch takes a power of two from 1 to 65536 (pages), not '%s'\n",
					optarg);
				goto out;
			}
			a.kvm.batch = (unsigned int)n;
			break;
		}
		case OPT_KVM_FAULT:
			if (!strcmp(optarg, "read-user") ||
			    !strcmp(optarg, "exec-user") ||
			    !strcmp(optarg, "kernel-ud"))
				a.kvm.test_fault = optarg;
			else {
				fprintf(stderr, "cabin run: --kvm-test-fault takes read-user, exec-user or kernel-ud, not '%s'\n",
					optarg);
				goto out;
			}
			break;
		case OPT_PASS_FD:
			if (add_pass_fd(&a, optarg) < 0)
				goto out;
			break;
		case OPT_CHDIR:
			if (!*optarg) {
				bad("%s", "--chdir takes a directory, not ''");
				goto out;
			}
			a.cfg.workdir = optarg;
			break;
		case OPT_HOSTNAME:
			a.cfg.hostname = optarg;
			break;
		case OPT_GDB:
			a.cfg.gdb = optarg;
			break;
		case OPT_UID:
		case OPT_GID:
			if (take_id(&a.cfg, c == OPT_UID, optarg) < 0)
				goto out;
			break;
		case OPT_UNSAFE:
			if (cabin_unsafe_parse(optarg, &a.cfg.unsafe) < 0) {
				fprintf(stderr, "cabin run: unknown protection in --unsafe-disable=%s (known: abi, deny, untraced, exitkill, caps, seccomp, wx-alias, outputs, sigscope, setid, rometa, net-scope, kfiles, racecheck, bindpath, fds, unreadable, names, mountwalk, subtract, ptrace, smep, smap)\n",
					optarg);
				goto out;
			}
			break;
		case '?':
		case ':':
			misuse(c, argv[optind - 1]);
			goto out;
		default:
			if (take_option(&a, c, optarg) < 0)
				goto out;
			if (c == OPT_READ || c == OPT_WRITE || c == OPT_EXEC)
				a.cfg.user_rules = true;
		}
	}
	if (optind >= argc) {
		fputs("cabin run: no program given; see 'cabin run --help'\n",
		      stderr);
		goto out;
	}
	if (a.cfg.quiet && a.cfg.verbose) {
		bad("%s", "--quiet and --verbose cannot be combined");
		goto out;
	}
	if (load_policy(&a, policy) < 0)
		goto out;
	a.cfg.policy = policy;
	if (platform_options(&a) < 0)
		goto out;
	code = cabin_run(&a.cfg, argv + optind);
out:
	cabin_policy_delete(policy);
	cabin_policy_delete(a.overrides);
	return code;
}
