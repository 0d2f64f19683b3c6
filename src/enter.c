/*
 * cabin_init and cabin_enter: the calling process confines itself.  The
 * run is prepared as cabin_run prepares one (cabin.c, src/run), with the
 * caller as its program; the proxy kernel is a process of its own,
 * started by cabin_init through a double fork, so that it is not the
 * caller's child (nothing to wait for, kill as a child or trace as a
 * descendant), in a session of its own (the terminal's signals are the
 * caller's), not dumpable (no /proc/PID/mem, no ptrace by its uid), and
 * outside the Landlock domain cabin_enter makes (scoped signals and
 * ptrace refused to the confined side).  cabin_enter asks it to trace the
 * caller, then takes every step a spawned child takes before its exec.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cabin/cabin.h"
#include "core/names.h"
#include "platform/driver.h"
#include "run/run.h"

#ifndef PR_SET_PTRACER
#define PR_SET_PTRACER 0x59616d61
#endif

/* Landlock's signal scope: what keeps the proxy out of kill()'s reach. */
#define ENTER_LANDLOCK_SIGNALS 6
#define ENTER_MAX_ARGS 256

enum enter_state { ENTER_NONE, ENTER_READY, ENTER_ENTERED, ENTER_FAILED };

static struct {
	enum enter_state state;
	struct cabin_config cfg;
	struct cabin_run_state r;
	FILE *real_log;			/* where the lines go: the config's */
	char *args;			/* the caller's command line, once */
	char *argv[ENTER_MAX_ARGS + 1];
	pid_t caller, proxy;
	int ask_fd, answer_fd;		/* the caller's ends, -1 when shut */
	int answer_back;		/* the proxy's end of answer */
	char error[512];		/* the last line said, for cabin_error */
	size_t error_len;
} st = { .ask_fd = -1, .answer_fd = -1, .answer_back = -1 };

const char *cabin_error(void)
{
	return st.error;
}

/*
 * The run's log: each line goes to the config's log and the last one
 * is kept as cabin_error's reason.
 */
static ssize_t log_write(void *cookie, const char *buf, size_t len)
{
	size_t i;

	(void)cookie;
	for (i = 0; i < len; i++) {
		if (buf[i] == '\n') {
			st.error[st.error_len] = '\0';
			st.error_len = 0;
			continue;
		}
		if (st.error_len + 1 < sizeof(st.error))
			st.error[st.error_len++] = buf[i];
	}
	if (fwrite(buf, 1, len, st.real_log) != len)
		return -1;
	fflush(st.real_log);
	return (ssize_t)len;
}

static FILE *open_log(FILE *real)
{
	cookie_io_functions_t io = { .write = log_write };
	FILE *f;

	st.real_log = real;
	f = fopencookie(NULL, "w", io);
	if (!f)
		return real;
	setvbuf(f, NULL, _IOLBF, 0);
	return f;
}

static int say(int err, const char *fmt, ...)
{
	va_list ap;

	/* Before cabin_init opened the config's: stderr. */
	if (!st.r.log)
		st.r.log = open_log(stderr);
	fputs("cabin: ", st.r.log);
	va_start(ap, fmt);
	vfprintf(st.r.log, fmt, ap);
	va_end(ap);
	fputc('\n', st.r.log);
	fflush(st.r.log);
	return err;
}

/* The caller's own command line: the report's argv of its process. */
static void read_cmdline(void)
{
	char buf[8192];
	ssize_t n = 0;
	size_t i, argc = 0;
	int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
	}
	if (n <= 0) {
		strcpy(buf, "?");
		n = 2;
	}
	buf[n] = '\0';
	st.args = malloc((size_t)n + 1);
	if (!st.args)
		return;
	memcpy(st.args, buf, (size_t)n + 1);
	for (i = 0; i < (size_t)n && argc < ENTER_MAX_ARGS;
	     i += strlen(st.args + i) + 1)
		st.argv[argc++] = st.args + i;
	st.argv[argc] = NULL;
}

/*
 * Before it is probed: a platform that cannot take in a running process
 * is refused alike on every machine.
 */
static int check_platform(const struct cabin_config *cfg)
{
	const struct cabin_platform_driver *d = cabin_platform_find(cfg->platform);

	if (d && !d->serve)
		return say(-EOPNOTSUPP, "cabin_init: --platform %s cannot take in a running process yet (cabin_enter is the process platform's for now); see 'cabin info'",
			   d->name);
	return 0;
}

/* What cabin_enter cannot give a running process, refused here. */
static int check_enterable(struct cabin_run_state *r)
{
	const struct cabin_config *cfg = r->cfg;

	if (cfg->gdb || cfg->workdir || cfg->set_uid || cfg->set_gid ||
	    cfg->hostname)
		return say(-EINVAL, "cabin_init: gdb, workdir, set_uid, set_gid and hostname are cabin_run's; leave them unset for cabin_enter");
	if (r->policy->memory & CABIN_MEMORY_XOM)
		return say(-EOPNOTSUPP, "cabin_init: execute-only code (memory xom) is sealed at a program's start; cabin_enter cannot give it to a running process");
	return 0;
}

/* After the checks of the run: r->landlock_abi is known. */
static int check_reach(struct cabin_run_state *r)
{
	if (cabin_run_sigscope(r) && r->landlock_abi < ENTER_LANDLOCK_SIGNALS)
		return say(-EOPNOTSUPP, "cabin_init: this kernel's Landlock (ABI %d) cannot keep the proxy kernel out of the process's signals (ABI %d, Linux 6.12, needed); use cabin run",
			   r->landlock_abi, ENTER_LANDLOCK_SIGNALS);
	if (cabin_run_has_cgroup(r))
		return say(-EOPNOTSUPP, "cabin_init: whole-tree limits (memory, pids, cpu) need a cgroup made before the program starts; use cabin run");
	return 0;
}

/* The proxy's answer to the caller, who waits in cabin_enter. */
static void on_attached(void *run, int err)
{
	ssize_t n;

	(void)run;
	n = write(st.answer_back, &err, sizeof(err));
	(void)n;
	close(st.answer_back);
	st.answer_back = -1;
}

/*
 * The proxy's process: it waits for cabin_enter's request (the pipe's
 * end of file: the caller went without entering, or exec'd), traces the
 * caller to its end, delivers the records, and ends; its end lets the
 * caller, held at its exit, finish.
 */
static void __attribute__((noreturn)) proxy_main(int ask)
{
	struct cabin_run_state *r = &st.r;
	sigset_t none;
	char go;
	int code, sig;
	bool delivered;

	/* The caller's handlers and mask are not the proxy's. */
	for (sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	/*
	 * A limit the proxy runs into must not end it silently: a write
	 * past RLIMIT_FSIZE fails with EFBIG, said as a lost record.
	 */
	signal(SIGXFSZ, SIG_IGN);
	signal(SIGXCPU, SIG_IGN);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	setsid();
	if (!(st.cfg.unsafe & CABIN_UNSAFE_OUTPUTS))
		prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	if (read(ask, &go, 1) != 1)
		_exit(0);
	close(ask);
	code = r->platform->serve(&r->launch, st.caller);
	if (r->launch.records.report_failed)
		r->report_failed = true;
	/* The caller's status is its own: a lost record is said, 125 here. */
	delivered = cabin_run_deliver_outputs(r, code) == code;
	cabin_run_close_records(r);
	fflush(NULL);
	_exit(delivered ? 0 : CABIN_EXIT_INTERNAL);
}

/* The outputs are the proxy's: the caller keeps no descriptor of them. */
static void drop_outputs(struct cabin_run_state *r)
{
	int *fds[] = { &r->trace_file.fd, &r->trace_file.dir,
		       &r->report_file.fd, &r->report_file.dir };
	size_t i;

	for (i = 0; i < sizeof(fds) / sizeof(*fds); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
	if (r->trace_out && r->trace_out != stderr &&
	    r->trace_out != st.real_log)
		close(fileno(r->trace_out));
}

static int close_pipes(int err, int *a, int *b, int *c)
{
	int *fds[] = { a, a + 1, b, b + 1, c, c + 1 };
	size_t i;

	for (i = 0; i < sizeof(fds) / sizeof(*fds); i++)
		if (*fds[i] >= 0)
			close(*fds[i]);
	return err;
}

static int start_proxy(void)
{
	int ask[2], answer[2], told[2];
	pid_t middle, proxy = -1;
	ssize_t n;

	ask[0] = ask[1] = answer[0] = answer[1] = told[0] = told[1] = -1;
	if (pipe2(ask, O_CLOEXEC) < 0 || pipe2(answer, O_CLOEXEC) < 0 ||
	    pipe2(told, O_CLOEXEC) < 0)
		return close_pipes(-errno, ask, answer, told);
	st.caller = getpid();
	fflush(NULL);
	middle = fork();
	if (middle < 0)
		return close_pipes(-errno, ask, answer, told);
	if (middle == 0) {
		close(ask[1]);
		close(answer[0]);
		close(told[0]);
		proxy = fork();
		if (proxy == 0) {
			close(told[1]);
			st.answer_back = answer[1];
			proxy_main(ask[0]);
		}
		n = write(told[1], &proxy, sizeof(proxy));
		_exit(n == sizeof(proxy) && proxy > 0 ? 0 : 1);
	}
	close(ask[0]);
	close(answer[1]);
	close(told[1]);
	n = read(told[0], &proxy, sizeof(proxy));
	close(told[0]);
	while (waitpid(middle, NULL, 0) < 0 && errno == EINTR)
		;
	st.ask_fd = ask[1];
	st.answer_fd = answer[0];
	if (n != sizeof(proxy) || proxy <= 0)
		return -EAGAIN;
	st.proxy = proxy;
	return 0;
}

int cabin_init(const struct cabin_config *cfg)
{
	struct cabin_run_state *r = &st.r;
	char exe[4096];
	ssize_t n;
	int err;

	if (st.state != ENTER_NONE)
		return say(-EALREADY, "cabin_init: called before in this process; once only");
	st.state = ENTER_FAILED;
	if (!cfg)
		return say(-EINVAL, "cabin_init: no config");
	st.cfg = *cfg;
	*r = (struct cabin_run_state){
		.cfg = &st.cfg, .policy = cfg->policy, .exe_fd = -1,
		.trace_file = { .fd = -1, .dir = -1 },
		.report_file = { .fd = -1, .dir = -1 },
		.cgroup = { .procs_fd = -1, .base_fd = -1, .dir_fd = -1 },
		.shared_pids = true,
	};
	r->log = open_log(cfg->log ? cfg->log : stderr);
	cabin_log_init(&r->notes, r->log);
	r->notes.quiet = cfg->quiet;
	cabin_names_keep_raw(cfg->unsafe & CABIN_UNSAFE_NAMES);
	read_cmdline();
	if (!st.args)
		return say(-ENOMEM, "cabin_init: out of memory");
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return say(-errno, "cabin_init: /proc/self/exe: %s", strerror(errno));
	exe[n] = '\0';
	err = check_platform(cfg);
	if (!err)
		err = cabin_run_load_policy(r);
	if (!err)
		err = cabin_run_open_platform(r);
	if (!err)
		err = check_enterable(r);
	if (!err)
		err = cabin_run_open_records(r, st.argv);
	if (!err)
		err = cabin_run_prepare(r, exe);
	if (!err)
		err = check_reach(r);
	if (err < 0)
		goto fail;
	/* The caller stays in its PID namespace: sigscope is Landlock's. */
	r->sandbox.unshare_flags &= ~CLONE_NEWPID;
	cabin_run_plan_launch(r, st.argv);
	r->launch.attached = on_attached;
	err = start_proxy();
	if (err < 0) {
		say(err, "cabin_init: cannot start the proxy kernel: %s",
		    strerror(-err));
		goto fail;
	}
	drop_outputs(r);
	st.error[0] = '\0';
	st.state = ENTER_READY;
	return 0;
fail:
	if (!st.error[0])
		say(err, "cabin_init: %s", strerror(-err));
	cabin_run_release(r);
	return err;
}

static int count_threads(void)
{
	char line[256];
	int n = -1;
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Threads: %d", &n) == 1)
			break;
	fclose(f);
	return n;
}

/*
 * Each thread has its own seccomp filter and Landlock domain (no TSYNC):
 * a thread started between the count and the filter would run on
 * unconfined.  A signal handler is the one way this thread could start
 * one while it waits in here, so every signal waits until the process
 * is confined; the count after the filter is the proof.
 */
int cabin_enter(void)
{
	struct cabin_spawn_error e;
	sigset_t all, old;
	int err = 0, threads;
	ssize_t n;

	if (st.state == ENTER_ENTERED)
		return say(-EALREADY, "cabin_enter: the process is confined already");
	if (st.state != ENTER_READY)
		return say(-EINVAL, "cabin_enter: no successful cabin_init before it");
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	threads = count_threads();
	if (threads != 1) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		return say(-EBUSY, "cabin_enter: the process has %d threads; only a single-threaded process can enter (the others would stay outside): call it before starting any",
			   threads);
	}
	/* Yama's ptrace_scope 1: the proxy is not an ancestor. */
	prctl(PR_SET_PTRACER, st.proxy, 0, 0, 0);
	if (write(st.ask_fd, "e", 1) != 1)
		err = -errno;
	n = err ? 0 : read(st.answer_fd, &err, sizeof(err));
	if (n != sizeof(err) && !err)
		err = -EPIPE;
	close(st.ask_fd);
	close(st.answer_fd);
	st.ask_fd = st.answer_fd = -1;
	if (err < 0) {
		st.state = ENTER_FAILED;
		sigprocmask(SIG_SETMASK, &old, NULL);
		return say(err, "cabin_enter: the proxy kernel cannot trace this process (%s); nothing was changed",
			   strerror(-err));
	}
	if (cabin_spawn_confine_self(&st.r.launch.spawn, &e) < 0) {
		say(-e.err, "cabin_enter: setting up the sandbox failed while %s: %s; the process ends rather than run on half confined",
		    cabin_spawn_stage_name(e.stage), strerror(e.err));
		_exit(CABIN_EXIT_INTERNAL);
	}
	threads = count_threads();
	if (threads != 1) {
		say(-EBUSY, "cabin_enter: %d threads after confining (one started while entering would run on outside); the process ends",
		    threads);
		_exit(CABIN_EXIT_INTERNAL);
	}
	st.state = ENTER_ENTERED;
	sigprocmask(SIG_SETMASK, &old, NULL);
	return 0;
}
