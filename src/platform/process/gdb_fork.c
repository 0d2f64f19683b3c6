/*
 * --gdb and the debugged process's children.  Only the debugged
 * process's memory ever holds the stub's int3s: a copy of it (fork)
 * loses them before the child runs, a child sharing it (vfork,
 * CLONE_VM) has them lifted until it execs or ends.  When gdb asked for
 * fork events (fork-events+, vfork-events+), the child of a fork or
 * vfork is gdb's to let go of or to follow (gdb.c holds it).
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <linux/kcmp.h>
#include <unistd.h>

#include "core/task.h"
#include "platform/process/gdb_fork.h"
#include "platform/process/gdb_target.h"
#include "platform/process/procfs.h"

static bool in_sharers(struct cabin_gdb *g, pid_t tid, bool drop)
{
	size_t i;

	for (i = 0; i < g->nsharers; i++) {
		if (g->sharers[i] != tid)
			continue;
		if (drop)
			g->sharers[i] = g->sharers[--g->nsharers];
		return true;
	}
	return false;
}

bool cabin_gdb_fork_wanted(const struct cabin_gdb *g,
			   enum cabin_spawn_kind kind)
{
	return g->state == CABIN_GDB_ATTACHED &&
	       ((kind == CABIN_SPAWN_FORK && g->stub.fork_events) ||
		(kind == CABIN_SPAWN_VFORK && g->stub.vfork_events));
}

bool cabin_gdb_fork_candidate(struct cabin_gdb *g, pid_t tid)
{
	if (g->state != CABIN_GDB_ATTACHED ||
	    !(g->stub.fork_events || g->stub.vfork_events))
		return false;
	if (tid == g->fork_child)
		return true;
	/* Its parent's event may come after its first stop. */
	return cabin_procfs_tgid(tid) == tid &&
	       (pid_t)cabin_debug_proc_status(tid, "PPid") == g->pid;
}

/*
 * Only where the copy still has an int3 in a private mapping: a shared
 * one the program mapped over it since is a file's or another process's.
 */
void cabin_gdb_unbreak(struct cabin_gdb *g, pid_t child)
{
	unsigned char now;
	char path[64];
	size_t i;
	off_t at;
	int fd;

	if (!g->stub.nbrk || g->stub.lifted)
		return;
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)child);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return;
	for (i = 0; i < g->stub.nbrk; i++) {
		at = (off_t)g->stub.brk[i].addr;
		if (cabin_gdb_target_private(child, g->stub.brk[i].addr) &&
		    pread(fd, &now, 1, at) == 1 && now == 0xcc)
			pwrite(fd, &g->stub.brk[i].orig, 1, at);
	}
	close(fd);
}

void cabin_gdb_vfork_parent_clean(struct cabin_gdb *g)
{
	if (!g->vfork_parent)
		return;
	cabin_gdb_unbreak(g, g->vfork_parent);
	g->vfork_parent = 0;
}

void cabin_gdb_share(struct cabin_gdb *g, pid_t child)
{
	if (!in_sharers(g, child, false) &&
	    g->nsharers < CABIN_GDB_MAX_HELD)
		g->sharers[g->nsharers++] = child;
	cabin_debug_lift(&g->stub, true);
}

void cabin_gdb_spawned(struct cabin_process *pp, pid_t parent,
		       enum cabin_spawn_kind kind, pid_t child)
{
	struct cabin_gdb *g = pp->gdb;
	struct cabin_task *t;

	if (!g || g->state != CABIN_GDB_ATTACHED)
		return;
	/* Only the debugged process's memory ever had the stub's int3s. */
	t = cabin_tasks_find(&g->pp->proxy->tasks, parent);
	if (!t || t->pid != g->pid ||
	    cabin_procfs_tgid(child) == g->pid)
		return;
	/* gdb hears of one fork at a time; another child runs on. */
	g->spawned = child;
	if (cabin_gdb_fork_wanted(g, kind) && !g->fork_child) {
		g->fork_child = child;
		g->fork_event = kind == CABIN_SPAWN_FORK ?
				CABIN_DEBUG_EV_FORK : CABIN_DEBUG_EV_VFORK;
	}
	/*
	 * A copy (fork, clone without CLONE_VM) runs without them, whether
	 * gdb follows the parent or the child (it inserts its breakpoints
	 * into the child then).  A child sharing the memory (vfork, CLONE_VM)
	 * would run into them: they are lifted until it execs or exits, as
	 * gdb does for vfork.
	 */
	if (kind == CABIN_SPAWN_FORK ||
	    (kind == CABIN_SPAWN_CLONE &&
	     syscall(SYS_kcmp, g->pid, child, KCMP_VM, 0, 0) > 0)) {
		/* kcmp: 0 the same memory, > 0 another, -1 unknown (lifted). */
		cabin_gdb_unbreak(g, child);
		return;
	}
	cabin_gdb_share(g, child);
}

void cabin_gdb_unshared(struct cabin_process *pp, pid_t tid)
{
	struct cabin_gdb *g = pp->gdb;

	if (!g || !in_sharers(g, tid, true))
		return;
	if (!g->nsharers && g->state == CABIN_GDB_ATTACHED)
		cabin_debug_lift(&g->stub, false);
}

