/*
 * The file-denial reporter.  It names the path the program passed, read
 * at the result with a bounded read: for a report line that is enough,
 * and no decision rests on it (the kernel already made it).
 */
#include <errno.h>
#include <sys/syscall.h>

#include "core/names.h"
#include "core/umem.h"
#include "syscall/table.h"
#include "trace/denials.h"

const int cabin_denials_watch[] = {
	SYS_open, SYS_openat, SYS_openat2, SYS_creat, SYS_execve,
	SYS_execveat, SYS_mkdir, SYS_mkdirat, SYS_rmdir, SYS_unlink,
	SYS_unlinkat, SYS_rename, SYS_renameat, SYS_renameat2, SYS_link,
	SYS_linkat, SYS_symlink, SYS_symlinkat, SYS_truncate, SYS_mknod,
	SYS_mknodat, -1,
};

/*
 * The path a watched call names, where the syscall table says it is; -1
 * for a call not watched (results of others may pass by too).
 */
static int path_arg_of(long nr)
{
	struct cabin_syscall_operands op;
	size_t i;

	for (i = 0; cabin_denials_watch[i] >= 0; i++) {
		if (cabin_denials_watch[i] == nr) {
			cabin_syscall_operands(nr, &op);
			return op.path;
		}
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
