/*
 * Escape attempts of a process that confined itself (cabin_init and
 * cabin_enter, linked against libcabin.so) on the proxy kernel, which
 * must stay out of its reach (src/enter.c): argv[1] is the attack,
 * argv[2] the report file; CABIN_UNSAFE (as --unsafe-disable) switches
 * protections off.  One line, CONTAINED or ESCAPED.
 *
 *   kill    SIGKILL to the proxy (the process's TracerPid): the proxy gone,
 *           no report, and nothing judges the process any more.  Kept
 *           out by Landlock's signal scope: with CABIN_UNSAFE=sigscope
 *           the kill succeeds (run.sh checks it: no report).
 *   pidfd   the same through pidfd_send_signal: pidfd_open(proxy) fails
 *           with ESRCH (the pid guard), so the pidfd is the proxy's
 *           /proc directory, which pidfd_send_signal takes too.
 *   mem     /proc/PROXY/mem opened for reading: the proxy's memory (the
 *           policy, the routes) readable.  Kept out twice: the proxy is
 *           not dumpable and is outside the Landlock domain; by hand,
 *           with PR_SET_DUMPABLE left out of proxy_main and the Landlock
 *           step skipped (CABIN_UNSAFE=outputs and a policy without file
 *           rules), the open succeeds.
 *   ptrace  PTRACE_ATTACH to the proxy: refused by the policy and by
 *           Landlock's ptrace scope.
 *   thread  a thread started just before cabin_enter would run on
 *           unconfined: cabin_enter must refuse (EBUSY) and the process
 *           stays as it was; by hand, with the thread count check taken
 *           out of cabin_enter, the thread writes outside: ESCAPED.
 *   sigthread
 *           a signal handler starts a thread while cabin_enter waits for
 *           the proxy, after its thread count (red team finding 1): SIGIO
 *           on cabin_enter's own answer pipe (O_ASYNC), so the handler
 *           runs as soon as the answer arrives, before the filter, every
 *           time.  The thread must come out confined.  Shown by hand:
 *           with cabin_enter's sigprocmask and second count taken out,
 *           the thread writes outside: ESCAPED.
 *   prlimit nice sched
 *           calls that name a process by pid, which Landlock's scope
 *           does not cover (red team finding 2): prlimit(proxy,
 *           RLIMIT_FSIZE, 0) (the proxy died of SIGXFSZ writing the
 *           report: no report, nothing said, the parent saw 0),
 *           setpriority(proxy, 19) and setpriority(PRIO_USER),
 *           sched_setaffinity and sched_setscheduler(SCHED_IDLE) on the
 *           proxy (starved).  The same calls on the process itself and
 *           its own child must still work.  With CABIN_UNSAFE=sigscope
 *           (no pid guard) they succeed: run.sh checks it.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cabin/cabin.h>

static int go[2];

static pid_t tracer_pid(void)
{
	char line[256];
	int pid = 0;
	FILE *f = fopen("/proc/self/status", "re");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "TracerPid: %d", &pid) == 1)
			break;
	if (f)
		fclose(f);
	return pid;
}

/* Waits for the word, then writes outside the working directory. */
static void *outsider(void *arg)
{
	const char *path = arg;
	char c;
	int fd;

	if (read(go[0], &c, 1) != 1)
		return NULL;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd >= 0) {
		printf("ESCAPED a thread older than cabin_enter wrote %s\n", path);
		close(fd);
	} else {
		printf("CONTAINED the older thread could not write %s: %s\n",
		       path, strerrorname_np(errno));
	}
	fflush(stdout);
	return NULL;
}

/* The calls on the process's own tree: they must work. */
static int own_tree(int (*act)(pid_t))
{
	int hold[2], ok;
	pid_t child;
	char c;

	if (pipe(hold) < 0 || (child = fork()) < 0)
		return -1;
	if (child == 0) {
		close(hold[1]);
		_exit(read(hold[0], &c, 1) < 0);
	}
	close(hold[0]);
	ok = act(0) == 0 && act(getpid()) == 0 && act(child) == 0;
	close(hold[1]);
	waitpid(child, NULL, 0);
	return ok ? 0 : -1;
}

static int act_prlimit(pid_t pid)
{
	struct rlimit old;

	if (prlimit(pid, RLIMIT_FSIZE, NULL, &old) < 0)
		return -1;
	return prlimit(pid, RLIMIT_FSIZE, &old, NULL);
}

static int act_nice(pid_t pid)
{
	return setpriority(PRIO_PROCESS, (id_t)pid, 19);
}

static int act_sched(pid_t pid)
{
	struct sched_param sp = { 0 };
	cpu_set_t one;

	CPU_ZERO(&one);
	CPU_SET(0, &one);
	if (sched_setaffinity(pid, sizeof(one), &one) < 0)
		return -1;
	return sched_setscheduler(pid, SCHED_IDLE, &sp);
}

static int attack_pid(const char *what, pid_t proxy)
{
	int (*act)(pid_t) = !strcmp(what, "prlimit") ? act_prlimit :
			    !strcmp(what, "nice") ? act_nice : act_sched;

	if (own_tree(act) < 0) {
		printf("BROKEN %s on the process itself or its child: %s\n",
		       what, strerrorname_np(errno));
		return 1;
	}
	if (act == act_nice && setpriority(PRIO_USER, 0, 19) == 0) {
		printf("ESCAPED setpriority(PRIO_USER) succeeded (the proxy too)\n");
		return 0;
	}
	if (act == act_prlimit) {
		struct rlimit zero = { 0, 0 };

		if (prlimit(proxy, RLIMIT_FSIZE, &zero, NULL) == 0)
			printf("ESCAPED prlimit(proxy %d, RLIMIT_FSIZE, 0) succeeded\n",
			       proxy);
		else
			printf("CONTAINED prlimit(proxy): %s\n",
			       strerrorname_np(errno));
	} else if (act(proxy) == 0) {
		printf("ESCAPED %s on the proxy %d succeeded\n", what, proxy);
	} else {
		printf("CONTAINED %s on the proxy: %s\n", what,
		       strerrorname_np(errno));
	}
	fflush(stdout);
	return 0;
}

static pthread_t handler_thread;
static volatile sig_atomic_t handler_ran;
static const char *handler_path;

static void *handler_outsider(void *arg)
{
	int fd = open(arg, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (fd >= 0) {
		printf("ESCAPED a thread a signal handler started inside cabin_enter wrote %s\n",
		       (const char *)arg);
		close(fd);
	} else {
		printf("CONTAINED the handler's thread could not write %s: %s\n",
		       (const char *)arg, strerrorname_np(errno));
	}
	fflush(stdout);
	return NULL;
}

static void start_thread(int sig)
{
	(void)sig;
	if (!handler_ran++)
		pthread_create(&handler_thread, NULL, handler_outsider,
			       (void *)handler_path);
}

/* SIGIO on every pipe read end cabin_init opened (its answer pipe). */
static int async_new_pipes(const bool *before)
{
	char link[64], target[64];
	int fd, n = 0;
	ssize_t len;

	for (fd = 3; fd < 256; fd++) {
		if (before[fd] || fcntl(fd, F_GETFD) < 0)
			continue;
		snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		len = readlink(link, target, sizeof(target) - 1);
		if (len <= 0)
			continue;
		target[len] = '\0';
		if (strncmp(target, "pipe:", 5) ||
		    (fcntl(fd, F_GETFL) & O_ACCMODE) != O_RDONLY)
			continue;
		if (fcntl(fd, F_SETOWN, getpid()) < 0 ||
		    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_ASYNC) < 0)
			return -1;
		n++;
	}
	return n;
}

static int attack_sigthread(struct cabin_config *cfg, const char *outside)
{
	struct sigaction sa = { .sa_handler = start_thread };
	bool before[256] = { false };
	int fd;

	for (fd = 0; fd < 256; fd++)
		before[fd] = fcntl(fd, F_GETFD) >= 0;
	handler_path = outside;
	if (cabin_init(cfg) < 0) {
		printf("cabin_init: %s\n", cabin_error());
		return 1;
	}
	sigaction(SIGIO, &sa, NULL);
	if (async_new_pipes(before) <= 0) {
		printf("no pipe of cabin_init's found\n");
		return 2;
	}
	if (cabin_enter() < 0) {
		printf("cabin_enter: %s\n", cabin_error());
		return 1;
	}
	if (!handler_ran) {
		printf("the handler did not run inside cabin_enter\n");
		return 2;
	}
	pthread_join(handler_thread, NULL);
	return 0;
}

static int attack_thread(struct cabin_config *cfg, const char *outside)
{
	pthread_t t;
	int err;

	if (pipe(go) < 0 || pthread_create(&t, NULL, outsider, (void *)outside))
		return 2;
	if (cabin_init(cfg) < 0) {
		printf("cabin_init: %s\n", cabin_error());
		return 1;
	}
	err = cabin_enter();
	if (err == -EBUSY) {
		printf("CONTAINED cabin_enter refused a process with a thread: %s\n",
		       strerrorname_np(-err));
		return 0;
	}
	if (err < 0) {
		printf("cabin_enter: %s\n", cabin_error());
		return 1;
	}
	if (write(go[1], "g", 1) != 1)
		return 2;
	pthread_join(t, NULL);
	return 0;
}

int main(int argc, char **argv)
{
	struct cabin_config cfg = { .profile = "default" };
	const char *unsafe = getenv("CABIN_UNSAFE");
	unsigned int off = 0;
	pid_t proxy;
	int fd;

	if (argc < 3) {
		fprintf(stderr, "usage: %s kill|pidfd|mem|ptrace|thread|sigthread|prlimit|nice|sched REPORT [OUTSIDE]\n",
			argv[0]);
		return 2;
	}
	if (unsafe && cabin_unsafe_parse(unsafe, &off) < 0)
		return 2;
	cfg.unsafe = off;
	cfg.report_path = argv[2];
	if (!strcmp(argv[1], "thread"))
		return attack_thread(&cfg, argc > 3 ? argv[3] : "/var/tmp/x");
	if (!strcmp(argv[1], "sigthread"))
		return attack_sigthread(&cfg, argc > 3 ? argv[3] : "/var/tmp/x");
	if (cabin_init(&cfg) < 0 || cabin_enter() < 0) {
		printf("not entered: %s\n", cabin_error());
		return 1;
	}
	proxy = tracer_pid();
	if (proxy <= 0) {
		printf("not traced after cabin_enter\n");
		return 1;
	}
	if (!strcmp(argv[1], "kill")) {
		if (kill(proxy, SIGKILL) == 0)
			printf("ESCAPED kill(proxy %d, SIGKILL) succeeded\n", proxy);
		else
			printf("CONTAINED kill(proxy) failed: %s\n",
			       strerrorname_np(errno));
	} else if (!strcmp(argv[1], "pidfd")) {
		char dir[64];

		fd = (int)syscall(SYS_pidfd_open, proxy, 0);
		if (fd < 0) {
			snprintf(dir, sizeof(dir), "/proc/%d", proxy);
			fd = open(dir, O_RDONLY | O_DIRECTORY);
		}
		if (fd >= 0 && syscall(SYS_pidfd_send_signal, fd, SIGKILL,
				       NULL, 0) == 0)
			printf("ESCAPED pidfd_send_signal(proxy %d) succeeded\n",
			       proxy);
		else
			printf("CONTAINED pidfd to the proxy: %s\n",
			       strerrorname_np(errno));
	} else if (!strcmp(argv[1], "mem")) {
		char path[64], byte;

		snprintf(path, sizeof(path), "/proc/%d/mem", proxy);
		fd = open(path, O_RDONLY);
		if (fd >= 0 && pread(fd, &byte, 1, 0x400000) >= 0)
			printf("ESCAPED %s opened\n", path);
		else if (fd >= 0)
			printf("ESCAPED %s opened (read: %s)\n", path,
			       strerrorname_np(errno));
		else
			printf("CONTAINED open(%s): %s\n", path,
			       strerrorname_np(errno));
	} else if (!strcmp(argv[1], "prlimit") || !strcmp(argv[1], "nice") ||
		   !strcmp(argv[1], "sched")) {
		return attack_pid(argv[1], proxy);
	} else if (!strcmp(argv[1], "ptrace")) {
		if (ptrace(PTRACE_ATTACH, proxy, 0, 0) == 0)
			printf("ESCAPED PTRACE_ATTACH to the proxy %d\n", proxy);
		else
			printf("CONTAINED PTRACE_ATTACH to the proxy: %s\n",
			       strerrorname_np(errno));
	} else {
		return 2;
	}
	fflush(stdout);
	return 0;
}
