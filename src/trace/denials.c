/*
 * The file-denial reporter.  It names the path the program passed, read
 * at the result with a bounded read and made absolute from the process's
 * /proc links: for a report line that is enough, and no decision rests
 * on it (the kernel already made it).  Whether the policy or the file's
 * own permissions refused is the file guard's judgement (task->refused,
 * core/fsguard_refusal.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/syscall.h>

#include "core/fsguard.h"
#include "core/names.h"
#include "core/pathview.h"
#include "core/umem.h"
#include "syscall/table.h"
#include "trace/denials.h"

/*
 * The path a judged call names, where the syscall table says it is, and
 * its directory descriptor; -1 for a call not judged (results of others
 * may pass by too).
 */
static int path_arg_of(long nr, int *dirfd)
{
	struct cabin_syscall_operands op;
	size_t i;

	for (i = 0; cabin_fsguard_refusal_watch[i] >= 0; i++) {
		if (cabin_fsguard_refusal_watch[i] == nr) {
			cabin_syscall_operands(nr, &op);
			*dirfd = op.dirfd;
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
	char name[32], given[PATH_MAX], path[PATH_MAX];
	int dirfd, arg = path_arg_of(task->cur_nr, &dirfd);

	(void)ctx;
	if (!ran || (ret != -EACCES && ret != -EPERM) || arg < 0)
		return;
	if (cabin_denial_reported(p, task->cur_nr, task->comm))
		return;
	if (cabin_umem_string(p, task->tid, task->cur_args[arg], given,
			      sizeof(given), NULL) < 0)
		given[0] = '\0';
	cabin_pathview_absolute(task->tid, dirfd < 0 ? AT_FDCWD :
				(int)task->cur_args[dirfd], given, path,
				sizeof(path));
	sanitize(path);
	cabin_proxy_say(p, "file access refused: %s \"%s\" by pid %d (%s): %s (%s)",
			cabin_syscall_name(task->cur_nr, name, sizeof(name)),
			path, (int)task->tid, task->comm,
			cabin_errno_name((int)-ret),
			task->refused ? "the policy's file rules"
				      : "the file's own permissions");
}

const struct cabin_observer cabin_denials_observer = {
	.syscall_result = on_result,
};
