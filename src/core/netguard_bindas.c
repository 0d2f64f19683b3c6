/*
 * A socket file bound under the name the program gave.  The kernel keeps
 * the bytes bind was given as the socket's address: getsockname, a peer's
 * getpeername, accept, recvfrom and /proc/net/unix all show them.  So the
 * kernel must be handed the program's own path, resolved from the
 * program's root and cwd, and yet make the file only where the file guard
 * allowed, whatever the program renames between the check and the bind.
 *
 * A short-lived child of cabin does it: it takes the program's root
 * (chroot, in the program's user namespace when cabin needs a capability
 * there to do so) and cwd, the program's ids as its file system ids when
 * root's program runs as another uid (--uid, --gid: the file is then the
 * program's, made only where it could make one), drops every capability,
 * takes the program's umask and, when files are restricted, a Landlock
 * domain of its own that lets it make a socket only beneath the
 * directory the guard checked; then it binds cabin's duplicate of the
 * socket to the copied address.  The kernel's own walk may differ from the guard's (a raced rename, a
 * /proc link); the domain is checked by the kernel on the directory it
 * really creates in, and everything beneath a directory the rules let the
 * program create in is under the same rule.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/netguard_int.h"
#include "core/pathview.h"

/* What the child needs, opened by cabin before the fork. */
struct bindas {
	int root;	/* the program's root, O_PATH */
	int cwd;	/* its cwd, O_PATH */
	int userns;	/* its user namespace, or -1 */
	int dir;	/* the directory the file guard checked */
	bool as_ids;	/* root's program runs as uid, gid */
	uid_t uid;
	gid_t gid;
	mode_t mask;
	int (*confine)(int dir);
};

static int drop_caps(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct none[_LINUX_CAPABILITY_U32S_3] = { 0 };

	return syscall(SYS_capset, &hdr, none) < 0 ? -1 : 0;
}

/* The program's root: chroot needs CAP_SYS_CHROOT in cabin's namespace. */
static int take_root(const struct bindas *b)
{
	if (fchdir(b->root) < 0)
		return -1;
	if (!chroot("."))
		return 0;
	if (errno != EPERM || b->userns < 0)
		return -1;
	if (setns(b->userns, CLONE_NEWUSER) < 0)
		return -1;
	return chroot(".");
}

/* In the child: system calls only, then _exit. */
static void child(const struct bindas *b, struct cabin_netguard_call *c,
		  const struct cabin_netguard_addr *a)
{
	sigset_t all;

	/* cabin's handlers (signal forwarding) are not the child's to run. */
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	if (take_root(b) < 0 || fchdir(b->cwd) < 0)
		_exit(1);
	/*
	 * File system ids only: with real ids N a process of uid N could
	 * stop this child, and cabin waiting for it.
	 */
	if (b->as_ids && (setgroups(0, NULL) < 0 ||
			  cabin_caps_set_fs_ids(b->uid, b->gid) < 0))
		_exit(1);
	if (drop_caps() < 0)
		_exit(1);
	umask(b->mask);
	if (b->confine && b->confine(b->dir) < 0)
		_exit(1);
	if (bind(c->sock, (const struct sockaddr *)&a->ss, a->len) < 0)
		_exit(errno > 1 && errno < 256 ? errno : 1);
	_exit(0);
}

/* The child's exit status as cabin_netguard_bind_as_program's result. */
static int bind_result(int code)
{
	if (code == 0)
		return 1;
	if (code == 1 || code == EACCES)
		return 0;
	return -code;
}

/* Root's program with other ids (--uid, --gid) makes files with them. */
static void program_ids(struct bindas *b)
{
	cabin_caps_acting_ids(&b->uid, &b->gid);
	b->as_ids = b->uid != geteuid() || b->gid != getegid();
}

static int open_userns(pid_t tid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)tid);
	return open(path, O_RDONLY | O_CLOEXEC);
}

/*
 * 1 when the socket is bound to a; -errno when the kernel refused the
 * bind itself (EINVAL for a bad length, EADDRINUSE, ...), as it would
 * have refused the program; 0 when it could not be bound this way (the
 * child could not be set up, or EACCES, which may be its Landlock
 * domain's): the caller then binds by the last component from dir.
 */
int cabin_netguard_bind_as_program(struct cabin_netguard_call *c,
				   const struct cabin_netguard_addr *a,
				   int dir,
				   int (*confine)(int dir))
{
	struct bindas b = { .dir = dir, .confine = confine, .userns = -1 };
	int mask = cabin_pathview_umask(c->task->tid);
	int status, ret = 0;
	pid_t pid, got;

	b.mask = mask < 0 ? 077 : (mode_t)mask;
	b.root = cabin_pathview_task_dir(c->task->tid, "root");
	b.cwd = cabin_pathview_task_dir(c->task->tid, "cwd");
	if (b.root < 0 || b.cwd < 0)
		goto out;
	b.userns = open_userns(c->task->tid);
	program_ids(&b);
	pid = fork();
	if (!pid)
		child(&b, c, a);
	if (pid > 0) {
		/* Reaped whatever interrupts: never two binds at once. */
		while ((got = waitpid(pid, &status, 0)) < 0 && errno == EINTR)
			;
		if (got == pid && WIFEXITED(status))
			ret = bind_result(WEXITSTATUS(status));
	}
out:
	if (b.root >= 0)
		close(b.root);
	if (b.cwd >= 0)
		close(b.cwd);
	if (b.userns >= 0)
		close(b.userns);
	return ret;
}
