/*
 * The effective policy: the policy's path rules copied so that the run
 * can add what it grants besides (the program named on the command line,
 * the host terminal on the program's stdio) and narrow what execute-only
 * code cannot allow (/proc).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sandbox/kfiles.h"
#include "sandbox/spawn.h"
#include "run/run.h"
#include "util/procfs.h"

/*
 * The program named on the command line may always be read and run: the
 * user asked for exactly that.  It is opened here, before namespaces move
 * mounts around, and granted (and run, if its path is gone) through that
 * descriptor.  Everything it runs in turn needs rules.
 */
/* The policy's path rules, copied so the run can add to them; -errno. */
static int own_paths(struct cabin_run_state *r, size_t extra)
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

static int add_path(struct cabin_run_state *r, const char *path,
		    unsigned int rights, bool optional)
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

int cabin_run_grant_program(struct cabin_run_state *r, const char *program)
{
	char path[PATH_MAX];

	if (cabin_find_program(program, path, sizeof(path)) < 0)
		return 0;
	r->exe_fd = open(path, O_PATH | O_CLOEXEC);
	if (r->exe_fd < 0 || !r->policy->files_restricted)
		return 0;
	cabin_util_fd_path(r->exe_fd, r->exe_link, sizeof(r->exe_link));
	return add_path(r, r->exe_link, CABIN_FILE_READ | CABIN_FILE_EXEC,
			false);
}

/* grant_terminal without a mount namespace: see there. */
static int narrow_pts(struct cabin_run_state *r)
{
	size_t i;
	int err = own_paths(r, 0);

	cabin_util_fd_path(r->terminal_fd, r->terminal_link,
			   sizeof(r->terminal_link));
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
int cabin_run_grant_terminal(struct cabin_run_state *r)
{
	char path[64];
	size_t i;
	int fd, err;

	r->terminal_fd = -1;
	if (!cabin_run_kfiles(r))
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
int cabin_run_seal_proc(struct cabin_run_state *r)
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
		cabin_log_warn(&r->notes, "warning: --xom with no file rules: /proc/self/mem can still read execute-only code (use a profile with file rules, like default)");
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
