/*
 * Refused file calls: which EACCES and EPERM the policy caused.
 *
 * Landlock refuses in the kernel with the same EACCES (EPERM for some
 * calls) as a file's own permission bits, so the errno alone cannot tell
 * "the policy" from "mode 000" or "/root as another user".  The kernel
 * checks the permission bits first: the path walk's search permission,
 * then may_open and may_create ask inode_permission before any LSM hook,
 * so when the bits refuse, Landlock never saw the call.  The judge asks
 * the same two questions in that order, as the program: the walk and an
 * access check on the object (or on the directory an entry is made in or
 * removed from) with cabin's capabilities lowered, then the policy's
 * grants, the rule roots on the way up as Landlock walks them
 * (fsguard_rules.c).
 *
 * The looks come after the kernel's, by cabin, on paths read from the
 * program's memory and its /proc links: the program can race them (flip
 * a symlink between a refused and a granted directory while it opens
 * through it).  So the judge leans to the policy: an EACCES is the
 * policy's unless the bits clearly refuse it (the walk's search bits or
 * the access check on the object).  "The bits allow it, no rule grants
 * it" is the policy's refusal, and the first one of the run is told with
 * the option that would grant it.  "The bits allow it and a rule grants
 * it" contradicts the kernel's EACCES: the path changed under the judge
 * (or another kernel check refused, /proc's ptrace checks or another
 * LSM): counted as the policy's too, without a hint.  So is an EACCES
 * the judge cannot look into.  An EPERM is the policy's only when no rule
 * grants it (Landlock answers EACCES; EPERM comes from the sticky and
 * immutable rules the judge does not see).  A program racing its own
 * mode-000 directory can still have a policy refusal counted as its
 * bits'; the answer words messages and counts and decides nothing (the
 * kernel already has).
 *
 * Each judgement walks the path twice: the run judges its first
 * CABIN_FSGUARD_JUDGED refusals and counts the rest as the policy's
 * without looking, so that a program cannot spend cabin's time (outside
 * its own --cpu-max) with refused calls on long paths.  ACLs and a user
 * namespace's own capabilities are only as exact as faccessat2 with the
 * lowered set.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/fsguard.h"
#include "core/names.h"
#include "core/pathview.h"
#include "core/umem.h"
#include "syscall/table.h"
#include "util/procfs.h"

#ifndef AT_EACCESS
#define AT_EACCESS 0x200
#endif
#ifndef AT_EMPTY_PATH
#define AT_EMPTY_PATH 0x1000
#endif
#ifndef SYS_faccessat2
#define SYS_faccessat2 439
#endif

/* The policy's rights (cabin/policy.h enum cabin_file_right). */
#define R_READ		(1u << 0)
#define R_WRITE		CABIN_FSGUARD_WRITE
#define R_CREATE	CABIN_FSGUARD_CREATE
#define R_EXEC		(1u << 3)
#define R_LIST		(1u << 5)

const int cabin_fsguard_refusal_watch[] = {
	SYS_open, SYS_openat, SYS_openat2, SYS_creat, SYS_execve,
	SYS_execveat, SYS_mkdir, SYS_mkdirat, SYS_rmdir, SYS_unlink,
	SYS_unlinkat, SYS_rename, SYS_renameat, SYS_renameat2, SYS_link,
	SYS_linkat, SYS_symlink, SYS_symlinkat, SYS_truncate, SYS_mknod,
	SYS_mknodat, -1,
};

/* One path of a call and what the call needs there. */
struct operand {
	int dirfd;		/* AT_FDCWD or the program's descriptor */
	uint64_t addr;		/* the path in the program's memory */
	bool in_parent;		/* the right is on the directory it is in */
	bool may_create;	/* O_CREAT: in_parent when it does not exist */
	unsigned int need;	/* policy rights */
	int mode;		/* access(2) bits on the object */
	const char *what;	/* "read", "create", ... for the hint */
};

static bool watched(long nr)
{
	size_t i;

	for (i = 0; cabin_fsguard_refusal_watch[i] >= 0; i++) {
		if (cabin_fsguard_refusal_watch[i] == nr)
			return true;
	}
	return false;
}

/* What an open needs; false for O_PATH, which no right governs. */
static bool open_needs(struct cabin_proxy *p, struct cabin_task *task,
		       int flags_arg, struct operand *o)
{
	uint64_t flags, how[2];

	if (task->cur_nr == SYS_creat)
		flags = O_CREAT | O_WRONLY | O_TRUNC;
	else if (task->cur_nr == SYS_openat2)
		flags = cabin_umem_read(p, task->tid, task->cur_args[2], how,
					sizeof(how)) ? O_PATH : how[0];
	else
		flags = task->cur_args[flags_arg];
	if (flags & O_PATH)
		return false;
	switch (flags & O_ACCMODE) {
	case O_RDONLY:
		o->need = R_READ;
		o->mode = R_OK;
		o->what = "read";
		break;
	case O_WRONLY:
		o->need = R_WRITE;
		o->mode = W_OK;
		o->what = "write";
		break;
	default:
		o->need = R_READ | R_WRITE;
		o->mode = R_OK | W_OK;
		o->what = "read-write";
	}
	if (flags & O_TRUNC) {
		o->need |= R_WRITE;
		o->mode |= W_OK;
	}
	o->may_create = flags & O_CREAT;
	return true;
}

/* The operands of the call in flight; how many (0: nothing to judge). */
static int operands_of(struct cabin_proxy *p, struct cabin_task *task,
		       struct operand o[2])
{
	struct cabin_syscall_operands op;
	long nr = task->cur_nr;
	const char *what = "create";

	cabin_syscall_operands(nr, &op);
	if (op.path < 0)
		return 0;
	memset(o, 0, 2 * sizeof(*o));
	o[0].dirfd = op.dirfd < 0 ? AT_FDCWD : (int)task->cur_args[op.dirfd];
	o[0].addr = task->cur_args[op.path];
	switch (nr) {
	case SYS_open: case SYS_openat: case SYS_openat2: case SYS_creat:
		return open_needs(p, task, op.flags, &o[0]) ? 1 : 0;
	case SYS_execve: case SYS_execveat:
		o[0].need = R_EXEC;
		o[0].mode = X_OK;
		o[0].what = "exec";
		return 1;
	case SYS_truncate:
		o[0].need = R_WRITE;
		o[0].mode = W_OK;
		o[0].what = "write";
		return 1;
	case SYS_unlink: case SYS_unlinkat: case SYS_rmdir:
		what = "delete";
		break;
	case SYS_rename: case SYS_renameat: case SYS_renameat2:
		what = "rename";
		break;
	case SYS_link: case SYS_linkat:
		what = "link";
		break;
	}
	o[0].in_parent = true;
	o[0].need = R_CREATE;
	o[0].what = what;
	if (op.path2 < 0)
		return 1;
	/* rename and link: the new name too (link's old one is not made) */
	o[1] = o[0];
	o[1].dirfd = op.dirfd2 < 0 ? AT_FDCWD :
		     (int)task->cur_args[op.dirfd2];
	o[1].addr = task->cur_args[op.path2];
	if (nr == SYS_link || nr == SYS_linkat) {
		o[0] = o[1];
		return 1;
	}
	return 2;
}

/* What the judge found: the object's name and the rule that would do. */
struct verdict {
	const char *what;	/* the access refused */
	unsigned int need;	/* the rights it needs */
	bool listing;		/* a directory opened to be read */
	bool in_parent;		/* the right is on the directory path is in */
	char path[PATH_MAX];	/* absolute, for the person reading */
};

/*
 * The object's name: what the kernel calls the descriptor cabin holds
 * (links and ".." resolved), base appended for an entry in directory fd;
 * the program's path made absolute from its /proc links when the kernel
 * gives no usable name.  The kernel's name is cabin's view, which is the
 * program's but for its private /tmp and /dev/shm, where the default
 * profile grants everything anyway.
 */
static void name_of(pid_t tid, const struct operand *o, const char *path,
		    int fd, const char *base, struct verdict *v)
{
	char dir[PATH_MAX];
	ssize_t n = cabin_util_fd_readlink(fd, dir, sizeof(dir));

	if (n <= 0 || dir[0] != '/' || strstr(dir, " (deleted)") ||
	    (size_t)snprintf(v->path, sizeof(v->path), "%s%s%s", dir,
			     base && strcmp(dir, "/") ? "/" : "",
			     base ? base : "") >= sizeof(v->path))
		cabin_pathview_absolute(tid, o->dirfd, path, v->path,
					sizeof(v->path));
}

/* Do the permission bits let the program at fd? (caps lowered) */
static bool bits_allow(int fd, int mode)
{
	return syscall(SYS_faccessat2, fd, "", mode,
		       AT_EMPTY_PATH | AT_EACCESS) == 0;
}

/* What the judge found of one operand. */
enum finding {
	BITS,		/* the permission bits refuse it: not the policy's */
	UNGRANTED,	/* the bits allow it, no rule grants it: the policy's */
	GRANTED,	/* the bits allow it and a rule grants it */
	UNKNOWN,	/* the judge could not look */
};

static enum finding judge(struct cabin_fsguard *g, struct cabin_proxy *p,
			  pid_t tid, const struct operand *o,
			  struct verdict *v)
{
	char path[PATH_MAX], base[NAME_MAX + 1];
	struct cabin_caps caps;
	int fd, parent = -1, ret, mode = o->mode;
	unsigned int need = o->need;
	bool in_parent = o->in_parent;
	enum finding found = UNKNOWN;
	struct stat st;

	if (cabin_umem_string(p, tid, o->addr, path, sizeof(path), NULL) < 0 ||
	    !path[0])
		return UNKNOWN;
	fd = in_parent ? -ENOENT :
	     cabin_pathview_open(tid, o->dirfd, path, 0, &parent);
	if (fd == -ENOENT && (in_parent || o->may_create)) {
		in_parent = true;
		need = R_CREATE;
		mode = W_OK | X_OK;
		fd = cabin_pathview_open_parent(tid, o->dirfd, path, base,
						sizeof(base));
	}
	if (fd < 0)	/* EACCES: the walk's search bits refused */
		return fd == -EACCES ? BITS : UNKNOWN;
	ret = cabin_caps_lower(&caps);
	if (!ret) {
		ret = bits_allow(fd, mode) ? 1 : 0;
		cabin_caps_restore(&caps);
	}
	if (ret == 0)
		found = BITS;
	if (ret == 1 && fstat(fd, &st) == 0) {
		v->listing = !in_parent && S_ISDIR(st.st_mode);
		v->in_parent = in_parent;
		ret = cabin_fsguard_allows(g, tid, fd, parent, need);
		/* a directory is read with read, or with list alone */
		if (ret == 0 && v->listing)
			ret = cabin_fsguard_allows(g, tid, fd, -1, R_LIST);
		found = ret < 0 ? UNKNOWN : ret ? GRANTED : UNGRANTED;
	}
	if (found == UNGRANTED) {
		/* an O_CREAT open that would have made the file creates */
		v->what = in_parent && !o->in_parent ? "create" :
			  v->listing ? "list" : o->what;
		v->need = need;
		name_of(tid, o, path, fd, in_parent ? base : NULL, v);
	}
	close(fd);
	if (parent >= 0)
		close(parent);
	return found;
}

/*
 * Directories no hint offers to open up as a whole: the root, the
 * system's own and the home directory itself.  Reading a file there is
 * offered on the file; writing there on nothing (an existing file on
 * itself), nor anywhere under the system's own but its scratch places.
 */
static const char *const system_dirs[] = {
	"/etc", "/usr", "/bin", "/sbin", "/boot", "/proc", "/sys", "/dev",
	"/var", "/root", "/run", NULL,
};

static bool is_system_dir(const char *dir)
{
	size_t i;

	/* /lib, /lib32, /lib64, /libx32 */
	if (!strncmp(dir, "/lib", 4) && !strchr(dir + 1, '/'))
		return true;
	for (i = 0; system_dirs[i]; i++) {
		if (!strcmp(dir, system_dirs[i]))
			return true;
	}
	return false;
}

static bool too_wide(const struct cabin_fsguard *g, const char *dir)
{
	char home[PATH_MAX];

	return !strcmp(dir, "/") || is_system_dir(dir) ||
	       (g->home && realpath(g->home, home) && !strcmp(dir, home));
}

/* Under a system directory, but not one of the places made to write in. */
static bool system_owned(const char *dir)
{
	static const char *const scratch[] = {
		"/var/tmp", "/dev/shm", "/run/user", NULL,
	};
	char top[PATH_MAX], *slash;
	size_t i, n;

	for (i = 0; scratch[i]; i++) {
		n = strlen(scratch[i]);
		if (!strncmp(dir, scratch[i], n) &&
		    (dir[n] == '/' || !dir[n]))
			return false;
	}
	snprintf(top, sizeof(top), "%s", dir);
	slash = strchr(top + 1, '/');
	if (slash)
		*slash = '\0';
	return top[0] == '/' && is_system_dir(top);
}

/*
 * The option that grants what the program asked for, on the narrowest
 * thing that makes sense: a directory listed, itself; a file read or
 * run, its directory unless that is too wide, then the file; a write to
 * an existing file, the file; an entry made or removed, its directory
 * unless that is too wide or the system's, then no option at all (nor
 * for listing a directory too wide).
 */
static void say_hint(struct cabin_proxy *p, const struct cabin_fsguard *g,
		     struct cabin_task *task, struct verdict *v)
{
	const char *opt = "--allow-write";
	char dir[PATH_MAX], *slash;
	bool write = v->need & (R_WRITE | R_CREATE);

	if (v->need & R_EXEC)
		opt = "--allow-exec";
	else if (!write)
		opt = "--allow-read";
	snprintf(dir, sizeof(dir), "%s", v->path);
	slash = strrchr(dir, '/');
	if (!v->listing && slash && dir[0] == '/')
		*(slash == dir ? slash + 1 : slash) = '\0';
	if (!v->listing && !v->in_parent &&
	    (write || too_wide(g, dir)))
		snprintf(dir, sizeof(dir), "%s", v->path);
	cabin_printable(v->path);
	cabin_printable(dir);
	if ((v->in_parent && (too_wide(g, dir) || system_owned(dir))) ||
	    (v->listing && too_wide(g, dir))) {
		cabin_log_say(&p->log, "pid %d (%s) was refused %s access to %s by the policy; cabin offers no option for all of %s (later refusals: see --summary or -v)",
			      (int)task->tid, task->comm, v->what, v->path,
			      dir);
		return;
	}
	cabin_log_say(&p->log, "pid %d (%s) was refused %s access to %s by the policy; %s %s allows it (later refusals: see --summary or -v)",
		      (int)task->tid, task->comm, v->what, v->path, opt, dir);
}

void cabin_fsguard_settle(struct cabin_proxy *p, void *ctx,
			  struct cabin_task *task, long ret)
{
	struct cabin_fsguard *g = ctx;
	struct operand o[2];
	struct verdict v;
	enum finding f;
	bool bits = false, ungranted = false;
	int i, n;

	if (!g->judge || (ret != -EACCES && ret != -EPERM) ||
	    task->refused || !watched(task->cur_nr))
		return;
	n = operands_of(p, task, o);
	if (!n)
		return;
	if (g->judged >= CABIN_FSGUARD_JUDGED) {
		task->refused = true;
		return;
	}
	g->judged++;
	for (i = 0; i < n && !ungranted; i++) {
		f = judge(g, p, task->tid, &o[i], &v);
		ungranted = f == UNGRANTED;
		bits |= f == BITS;
	}
	/* no bits to explain an EACCES: Landlock's, whatever the judge saw */
	task->refused = ungranted || (!bits && ret == -EACCES);
	if (ungranted && !g->hinted) {
		g->hinted = true;
		say_hint(p, g, task, &v);
	}
}
