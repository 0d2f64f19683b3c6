/*
 * Child start-up.  The order matters: ptrace is attached before the filter
 * exists (a RET_TRACE with no tracer would fail the syscall instead of
 * stopping), privileges go before no_new_privs, and the filter is the last
 * thing before execve, so nothing the child runs afterwards escapes it.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cabin/cabin.h"
#include "sandbox/inherit.h"
#include "sandbox/privs.h"
#include "sandbox/spawn.h"
#include "util/cgroup.h"

extern char **environ;

static bool is_executable_file(const char *path, int *why)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		*why = errno;
		return false;
	}
	if (!S_ISREG(st.st_mode) || access(path, X_OK) < 0) {
		*why = EACCES;
		return false;
	}
	return true;
}

int cabin_find_program(const char *name, char *path, size_t len)
{
	const char *dirs = getenv("PATH"), *p, *end;
	char fallback[256];
	int why = ENOENT, err;

	if (!*name)
		return -ENOENT;
	if (strchr(name, '/')) {
		if ((size_t)snprintf(path, len, "%s", name) >= len)
			return -ENAMETOOLONG;
		return 0;
	}
	if (!dirs) {
		confstr(_CS_PATH, fallback, sizeof(fallback));
		dirs = fallback;
	}
	for (p = dirs; ; p = end + 1) {
		size_t dlen;

		end = strchrnul(p, ':');
		dlen = (size_t)(end - p);
		if (snprintf(path, len, "%.*s%s%s", (int)dlen, p,
			     dlen ? "/" : "", name) < (int)len) {
			if (is_executable_file(path, &err))
				return 0;
			if (err == EACCES)
				why = EACCES;
		}
		if (!*end)
			break;
	}
	return -why;
}

static void __attribute__((noreturn))
child_fail_at(int fd, int stage, int err, int detail)
{
	struct cabin_spawn_error e = {
		.stage = stage, .err = err, .detail = detail,
	};
	ssize_t n;

	n = write(fd, &e, sizeof(e));
	(void)n;
	if (stage == CABIN_STAGE_EXEC)
		_exit(err == ENOENT ? CABIN_EXIT_NOTFOUND : CABIN_EXIT_NOEXEC);
	_exit(CABIN_EXIT_INTERNAL);
}

static void __attribute__((noreturn)) child_fail(int fd, int stage, int err)
{
	child_fail_at(fd, stage, err, -1);
}

/* execvp runs a script without #! through the shell; so does cabin. */
static void exec_as_script(const char *path, char *const args[],
			   char *const envp[])
{
	char *shell_argv[4096];
	size_t n = 0, i;

	shell_argv[n++] = "/bin/sh";
	shell_argv[n++] = (char *)path;
	for (i = 0; args[i] && n < 4095; i++)
		shell_argv[n++] = args[i];
	shell_argv[n] = NULL;
	execve("/bin/sh", shell_argv, envp);
}

/*
 * Everything up to the filter; a failure names its stage in *e.  In a
 * spawned child, or (cabin_enter) in the caller, which has no PID
 * namespace to enter.
 */
static int prepare_child(const struct cabin_spawn *s, int err_fd,
			 struct cabin_spawn_error *e)
{
	bool root = geteuid() == 0, in_userns = false;
	int r;

	e->detail = -1;
	if (s->userns && !root) {
		e->stage = CABIN_STAGE_USERNS;
		r = cabin_privs_enter_userns(&s->ids);
		if (r < 0)
			goto fail;
		in_userns = true;
	}
	if (s->sandbox) {
		struct cabin_sandbox sb = *s->sandbox;
		int narrow_failed = -1;

		sb.narrow_failed = &narrow_failed;
		r = cabin_sandbox_enter(&sb, err_fd);
		e->stage = narrow_failed >= 0 ? CABIN_STAGE_NARROW :
						CABIN_STAGE_NAMESPACES;
		e->detail = narrow_failed;
		if (r < 0)
			goto fail;
		e->detail = -1;
	}
	e->stage = CABIN_STAGE_PRIVS;
	if (!(s->unsafe & CABIN_UNSAFE_CAPS)) {
		r = cabin_privs_drop(in_userns);
		if (r < 0)
			goto fail;
	}
	/* Root's ids last: the mounts and the drop above needed its powers. */
	if (root && (s->ids.set_uid || s->ids.set_gid)) {
		r = cabin_privs_set_ids(&s->ids);
		if (r < 0)
			goto fail;
	}
	e->stage = CABIN_STAGE_RLIMITS;
	if (s->sandbox) {
		r = cabin_sandbox_rlimits(s->sandbox);
		if (r < 0)
			goto fail;
	}
	e->stage = CABIN_STAGE_NNP;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		r = -errno;
		goto fail;
	}
	e->stage = CABIN_STAGE_CONFINE;
	if (s->confine) {
		r = s->confine(s->confine_ctx);
		if (r < 0)
			goto fail;
	}
	return 0;
fail:
	e->err = -r;
	return r;
}

int cabin_spawn_confine_self(const struct cabin_spawn *s,
			     struct cabin_spawn_error *e)
{
	int err = prepare_child(s, -1, e);

	if (err < 0)
		return err;
	e->stage = CABIN_STAGE_FILTER;
	if (s->filter &&
	    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, s->filter) < 0) {
		e->err = errno;
		return -errno;
	}
	return 0;
}

static void __attribute__((noreturn))
run_child(const struct cabin_spawn *s, const char *path, pid_t cabin,
	  int go_fd, int err_fd)
{
	char *const *envp = s->envp ? s->envp : environ;
	size_t i;
	char go;
	int err;

	/* Before anything else: all it does counts against the limits. */
	if (s->join_cgroup) {
		err = cabin_cgroup_join(s->cgroup_fd);
		if (err < 0)
			child_fail(err_fd, CABIN_STAGE_CGROUP, -err);
		close(s->cgroup_fd);
	}
	for (i = 0; i < s->nprivate_fds; i++) {
		if (s->private_fds[i] >= 0)
			close(s->private_fds[i]);
	}
	if (!(s->unsafe & CABIN_UNSAFE_FDS)) {
		err = cabin_inherit_seal(s->pass_fds, s->npass_fds);
		if (err < 0)
			child_fail(err_fd, CABIN_STAGE_FDS, -err);
	}
	if (!(s->unsafe & CABIN_UNSAFE_EXITKILL)) {
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		if (getppid() != cabin)
			_exit(CABIN_EXIT_INTERNAL);
	}
	if (s->signals)
		cabin_signals_restore(s->signals);
	if (read(go_fd, &go, 1) != 1)
		_exit(CABIN_EXIT_INTERNAL);
	close(go_fd);

	{
		struct cabin_spawn_error e;

		if (prepare_child(s, err_fd, &e) < 0)
			child_fail_at(err_fd, e.stage, e.err, e.detail);
	}
	if (s->run) {
		close(err_fd);
		_exit(s->run(s->run_ctx));
	}
	if (s->filter &&
	    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, s->filter) < 0)
		child_fail(err_fd, CABIN_STAGE_FILTER, errno);

	execve(path, s->argv, envp);
	/* A private /tmp may hide the path; the descriptor still works. */
	if (errno == ENOENT && s->exe_fd >= 0)
		execveat(s->exe_fd, "", s->argv, envp, AT_EMPTY_PATH);
	if (errno == ENOEXEC)
		exec_as_script(path, s->argv[0] ? s->argv + 1 : s->argv, envp);
	child_fail(err_fd, CABIN_STAGE_EXEC, errno);
}

static long trace_options(unsigned int unsafe, bool vfork_done)
{
	long opts = PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEFORK |
		    PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE |
		    PTRACE_O_TRACEEXEC | PTRACE_O_TRACESECCOMP |
		    PTRACE_O_TRACEEXIT;

	if (!(unsafe & CABIN_UNSAFE_EXITKILL))
		opts |= PTRACE_O_EXITKILL;
	if (vfork_done)
		opts |= PTRACE_O_TRACEVFORKDONE;
	return opts;
}

int cabin_spawn_seize(pid_t pid, unsigned int unsafe, bool vfork_done)
{
	return ptrace(PTRACE_SEIZE, pid, 0, trace_options(unsafe, vfork_done)) < 0 ?
	       -errno : 0;
}

int cabin_spawn_child(const struct cabin_spawn *s, struct cabin_child *child)
{
	int go[2], errp[2], err;
	pid_t cabin = getpid();

	err = cabin_find_program(s->argv[0], child->path, sizeof(child->path));
	if (err < 0)
		return err;
	if (pipe2(go, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(errp, O_CLOEXEC) < 0) {
		err = -errno;
		goto close_go;
	}
	child->pid = fork();
	if (child->pid < 0) {
		err = -errno;
		goto close_err;
	}
	if (child->pid == 0) {
		close(go[1]);
		close(errp[0]);
		run_child(s, child->path, cabin, go[0], errp[1]);
	}
	close(go[0]);
	close(errp[1]);
	child->error_fd = errp[0];
	if (!s->run && (err = cabin_spawn_seize(child->pid, s->unsafe,
						  s->vfork_done)) < 0) {
		kill(child->pid, SIGKILL);
		waitpid(child->pid, NULL, 0);
		close(go[1]);
		close(errp[0]);
		return err;
	}
	/*
	 * Before the program can run: cabin itself becomes non-dumpable, so
	 * that a program with cabin's uid and no user namespace of its own
	 * cannot open /proc/<cabin>/fd/N (the trace and the report being
	 * written) or /proc/<cabin>/mem.  Done after the fork (the child
	 * must stay dumpable to be seized and to write its own id maps).
	 */
	if (!(s->unsafe & CABIN_UNSAFE_OUTPUTS))
		prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	err = write(go[1], "g", 1) == 1 ? 0 : -errno;
	close(go[1]);
	return err;

close_err:
	close(errp[0]);
	close(errp[1]);
close_go:
	close(go[0]);
	close(go[1]);
	return err;
}

bool cabin_spawn_failure(const struct cabin_child *child,
			 struct cabin_spawn_error *out)
{
	return read(child->error_fd, out, sizeof(*out)) == sizeof(*out);
}

const char *cabin_spawn_stage_name(int stage)
{
	switch (stage) {
	case CABIN_STAGE_SYNC:
		return "waiting for the tracer";
	case CABIN_STAGE_CGROUP:
		return "joining the run's cgroup";
	case CABIN_STAGE_FDS:
		return "closing inherited descriptors";
	case CABIN_STAGE_USERNS:
		return "entering a user namespace";
	case CABIN_STAGE_NAMESPACES:
		return "setting up namespaces and mounts";
	case CABIN_STAGE_NARROW:
		return "covering the paths it may not write or see (--deny, --read-only, files none/read-only/no-exec)";
	case CABIN_STAGE_PRIVS:
		return "dropping capabilities";
	case CABIN_STAGE_RLIMITS:
		return "setting resource limits";
	case CABIN_STAGE_CONFINE:
		return "applying the Landlock ruleset";
	case CABIN_STAGE_NNP:
		return "setting no_new_privs";
	case CABIN_STAGE_FILTER:
		return "installing the seccomp filter";
	case CABIN_STAGE_EXEC:
		return "executing";
	}
	return "starting";
}
