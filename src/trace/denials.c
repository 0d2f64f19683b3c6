/*
 * The file-denial reporter.  It names the path the program passed, read
 * at the result with a bounded read: for a report line that is enough,
 * and no decision rests on it (the kernel already made it).
 */
#include <errno.h>
#include <sys/syscall.h>

#include "core/names.h"
#include "core/umem.h"
#include "trace/denials.h"

struct path_arg {
	int nr;
	int arg;	/* which argument is the path */
};

static const struct path_arg path_args[] = {
	{ SYS_open, 0 }, { SYS_openat, 1 }, { SYS_openat2, 1 },
	{ SYS_creat, 0 }, { SYS_execve, 0 }, { SYS_execveat, 1 },
	{ SYS_mkdir, 0 }, { SYS_mkdirat, 1 }, { SYS_rmdir, 0 },
	{ SYS_unlink, 0 }, { SYS_unlinkat, 1 }, { SYS_rename, 0 },
	{ SYS_renameat, 1 }, { SYS_renameat2, 1 }, { SYS_link, 0 },
	{ SYS_linkat, 1 }, { SYS_symlink, 1 }, { SYS_symlinkat, 2 },
	{ SYS_truncate, 0 }, { SYS_mknod, 0 }, { SYS_mknodat, 1 },
};

#define NPATH_ARGS (sizeof(path_args) / sizeof(*path_args))

const int cabin_denials_watch[] = {
	SYS_open, SYS_openat, SYS_openat2, SYS_creat, SYS_execve,
	SYS_execveat, SYS_mkdir, SYS_mkdirat, SYS_rmdir, SYS_unlink,
	SYS_unlinkat, SYS_rename, SYS_renameat, SYS_renameat2, SYS_link,
	SYS_linkat, SYS_symlink, SYS_symlinkat, SYS_truncate, SYS_mknod,
	SYS_mknodat, -1,
};

static int path_arg_of(long nr)
{
	size_t i;

	for (i = 0; i < NPATH_ARGS; i++) {
		if (path_args[i].nr == nr)
			return path_args[i].arg;
	}
	return -1;
}

/* The program chose these bytes; the line quotes them. */
static void sanitize(char *s)
{
	for (cabin_printable(s); *s; s++) {
		if (*s == '"')
			*s = '?';
	}
}

static void on_result(void *ctx, struct cabin_proxy *p,
		      struct cabin_task *task, long ret, bool ran)
{
	char name[32], path[256];
	int arg = path_arg_of(task->cur_nr);

	(void)ctx;
	if (!ran || (ret != -EACCES && ret != -EPERM) || arg < 0)
		return;
	if (cabin_denial_reported(p, task->cur_nr, task->comm))
		return;
	if (cabin_umem_string(p, task->tid, task->cur_args[arg], path,
			      sizeof(path), NULL) < 0)
		path[0] = '\0';
	sanitize(path);
	cabin_proxy_say(p, "file access refused: %s \"%s\" by pid %d (%s): %s (the policy's file rules, or the file's permissions)",
			cabin_syscall_name(task->cur_nr, name, sizeof(name)),
			path, (int)task->tid, task->comm,
			cabin_errno_name((int)-ret));
}

const struct cabin_observer cabin_denials_observer = {
	.syscall_result = on_result,
};
