/*
 * Emulated ptrace, the pids: a tracer names tasks by their pids in its
 * own PID namespace, which a program may nest (unshare(CLONE_NEWPID) is
 * allowed).  /proc/TID/status's NSpid lists a task's pid from cabin's
 * namespace inward; the tracer's entry is the one at the tracer's depth,
 * and only a task in the tracer's namespace or below it has one there
 * (a sibling namespace's task at the same depth has a pid of that
 * namespace, which must not be taken for one of the tracer's).  Also the
 * other numbers the emulation reads from /proc/TID/status (PPid).
 */
#include <fcntl.h>
#include <linux/nsfs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/task.h"
#include "platform/process/process.h"
#include "platform/process/ptrace_emul_int.h"

#define NS_LEVELS	40	/* the kernel's MAX_PID_NS_LEVEL is 32 */

/* The numbers of tid's status line key (at most max): how many, or -1. */
static int status_fields(pid_t tid, const char *key, long *out, int max)
{
	char path[64], line[512], *p, *end;
	size_t klen = strlen(key);
	int n = -1;
	long v;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, klen))
			continue;
		n = 0;
		for (p = line + klen; n < max; p = end) {
			v = strtol(p, &end, 10);
			if (end == p)
				break;
			out[n++] = v;
		}
		break;
	}
	fclose(f);
	return n;
}

long cabin_pemu_status_field(pid_t tid, const char *key, bool last)
{
	long v[NS_LEVELS];
	int n = status_fields(tid, key, v, last ? NS_LEVELS : 1);

	return n > 0 ? v[n - 1] : -1;
}

/* Is tid's PID namespace, up levels out, the one tracer is in? */
static bool ns_is_tracers(pid_t tid, int up, pid_t tracer)
{
	struct stat want, have;
	char path[64];
	int fd, parent;
	bool same;

	snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)tracer);
	if (stat(path, &want) < 0)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	while (fd >= 0 && up-- > 0) {
		parent = ioctl(fd, NS_GET_PARENT);
		close(fd);
		fd = parent;
	}
	if (fd < 0)
		return false;
	same = fstat(fd, &have) == 0 && have.st_dev == want.st_dev &&
	       have.st_ino == want.st_ino;
	close(fd);
	return same;
}

pid_t cabin_pemu_ns_of(pid_t host, pid_t tracer)
{
	long h[NS_LEVELS], t[NS_LEVELS];
	int nh = status_fields(host, "NSpid:", h, NS_LEVELS);
	int nt = status_fields(tracer, "NSpid:", t, NS_LEVELS);

	if (nt <= 0 || nh < nt)
		return -1;
	if (nh > nt && !ns_is_tracers(host, nh - nt, tracer))
		return -1;
	if (nh == nt && !ns_is_tracers(host, 0, tracer))
		return -1;
	return (pid_t)h[nt - 1];
}

/* Only tasks of the confined tree are found: cabin and the rest are not. */
pid_t cabin_pemu_host_of(struct cabin_process *pp, pid_t tracer, pid_t ns)
{
	struct cabin_task *t;
	size_t pos = 0;

	if (ns <= 0)
		return -1;
	while ((t = cabin_tasks_next(&pp->proxy->tasks, &pos))) {
		if (!(pp->pid_ns && t->tid == pp->child.pid) &&
		    cabin_pemu_ns_of(t->tid, tracer) == ns)
			return t->tid;
	}
	return -1;
}
