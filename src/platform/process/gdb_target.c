/*
 * The stub's reach (struct cabin_debug_target) on ptrace: registers,
 * memory through /proc/PID/mem (as a debugger writes breakpoints into
 * read-only code), the thread list from the proxy's task table, auxv,
 * the executable, the debug registers.  Every operation is refused for a
 * tid that is not a live task of the debugged process: gdb never reaches
 * cabin, another process of the tree, or anything outside it.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <unistd.h>

#include "core/task.h"
#include "platform/process/gdb_target.h"
#include "platform/process/ptrace_ops.h"

static bool ours(const struct cabin_gdb *g, pid_t tid)
{
	struct cabin_task *t = cabin_tasks_find(&g->pp->proxy->tasks, tid);

	/* The fork child gdb was told of is gdb's too, until it lets go. */
	return t && (t->pid == g->pid ||
		     (g->stub.event_pid && t->tid == g->stub.event_pid)) &&
	       t->state != CABIN_TASK_EXITING;
}

struct cabin_gdb_held *cabin_gdb_target_held(struct cabin_gdb *g, pid_t tid)
{
	size_t i;

	for (i = 0; i < g->nheld; i++)
		if (g->held[i].tid == tid)
			return &g->held[i];
	return NULL;
}

static int get_regs(void *ctx, pid_t tid, struct cabin_debug_regs *r)
{
	struct cabin_gdb *g = ctx;

	if (!ours(g, tid) || !cabin_gdb_target_held(g, tid))
		return -ESRCH;
	if (ptrace(PTRACE_GETREGS, tid, 0, &r->gp) < 0 ||
	    ptrace(PTRACE_GETFPREGS, tid, 0, &r->fp) < 0)
		return -errno;
	return 0;
}

/*
 * At a syscall entry the proxy let run (or ran to its exit), the number
 * and arguments are what it checked: a debugger's change there would run
 * a call nobody checked, so it is refused (docs/security.md).
 */
static bool judged_entry(const struct cabin_gdb_held *h)
{
	return (h->kind == CABIN_EV_SYSCALL_ENTRY ||
		h->kind == CABIN_EV_SYSCALL_ENTERED) &&
	       h->how.how != CABIN_RESUME_SKIP;
}

static int set_regs(void *ctx, pid_t tid, const struct cabin_debug_regs *r)
{
	struct cabin_gdb *g = ctx;
	struct cabin_gdb_held *h = cabin_gdb_target_held(g, tid);
	struct cabin_debug_regs have;
	const char *want = (const char *)&r->gp, *was;
	size_t off;
	unsigned long long v;

	if (!ours(g, tid) || !h)
		return -ESRCH;
	if (get_regs(ctx, tid, &have) < 0)
		return -ESRCH;
	if (judged_entry(h) && memcmp(&have.gp, &r->gp, sizeof(r->gp)))
		return -EPERM;
	was = (const char *)&have.gp;
	/* Word by word, and never the selectors (see ptrace_ops.c). */
	for (off = 0; off < sizeof(r->gp); off += sizeof(v)) {
		if (off >= offsetof(struct user_regs_struct, cs) &&
		    off != offsetof(struct user_regs_struct, eflags) &&
		    off != offsetof(struct user_regs_struct, rsp) &&
		    off != offsetof(struct user_regs_struct, fs_base) &&
		    off != offsetof(struct user_regs_struct, gs_base))
			continue;
		if (!memcmp(want + off, was + off, sizeof(v)))
			continue;
		memcpy(&v, want + off, sizeof(v));
		if (ptrace(PTRACE_POKEUSER, tid,
			   (void *)(offsetof(struct user, regs) + off),
			   (void *)(uintptr_t)v) < 0)
			return -errno;
	}
	if (memcmp(&have.fp, &r->fp, sizeof(r->fp)) &&
	    ptrace(PTRACE_SETFPREGS, tid, 0, &r->fp) < 0)
		return -errno;
	return 0;
}

static ssize_t read_mem(void *ctx, pid_t tid, uint64_t addr, void *buf,
			size_t len)
{
	return ours(ctx, tid) ?
	       cabin_ptrace_ops_mem_forced(tid, addr, buf, len, false) : -ESRCH;
}

static ssize_t write_mem(void *ctx, pid_t tid, uint64_t addr,
			 const void *buf, size_t len)
{
	return ours(ctx, tid) ?
	       cabin_ptrace_ops_mem_forced(tid, addr, (void *)buf, len, true) :
	       -ESRCH;
}

static size_t threads(void *ctx, pid_t *out, size_t max)
{
	struct cabin_gdb *g = ctx;
	struct cabin_task *t;
	size_t pos = 0, n = 0;

	if (ours(g, g->pid) && n++ < max)
		out[0] = g->pid;
	while ((t = cabin_tasks_next(&g->pp->proxy->tasks, &pos)))
		if (t->tid != g->pid && ours(g, t->tid) && n++ < max)
			out[n - 1] = t->tid;
	return n;
}

static ssize_t auxv(void *ctx, uint64_t off, void *buf, size_t len)
{
	struct cabin_gdb *g = ctx;
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/auxv", (int)g->pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = pread(fd, buf, len, (off_t)off);
	if (n < 0)
		n = -errno;
	close(fd);
	return n;
}

static int exe(void *ctx, char *buf, size_t len)
{
	struct cabin_gdb *g = ctx;
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/exe", (int)g->pid);
	n = readlink(path, buf, len - 1);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

static void set_debugregs(void *ctx, const uint64_t dr[4], uint64_t dr7)
{
	struct cabin_gdb *g = ctx;

	memcpy(g->dr, dr, sizeof(g->dr));
	g->dr7 = dr7;
	g->dr_used = true;
}

#define DR(i) ((void *)(offsetof(struct user, u_debugreg) + (i) * 8))

void cabin_gdb_target_debugregs(struct cabin_gdb *g, pid_t tid)
{
	int i;

	if (!g->dr_used)
		return;
	/* Disabled first, so no half-set address ever triggers. */
	ptrace(PTRACE_POKEUSER, tid, DR(7), (void *)0);
	for (i = 0; i < 4; i++)
		ptrace(PTRACE_POKEUSER, tid, DR(i), (void *)(uintptr_t)g->dr[i]);
	ptrace(PTRACE_POKEUSER, tid, DR(7), (void *)(uintptr_t)g->dr7);
}

static uint64_t take_dr6(void *ctx, pid_t tid)
{
	long v;

	if (!ours(ctx, tid))
		return 0;
	errno = 0;
	v = ptrace(PTRACE_PEEKUSER, tid, DR(6), 0);
	if (errno)
		return 0;
	ptrace(PTRACE_POKEUSER, tid, DR(6), (void *)0);
	return (uint64_t)v;
}

bool cabin_gdb_target_private(pid_t pid, uint64_t addr)
{
	char path[64], line[512], perms[8];
	unsigned long long lo, hi;
	bool found = false, priv = false, at_start = true, start;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		/* The rest of a long line is a path: the program names it. */
		start = at_start;
		at_start = strchr(line, '\n') != NULL;
		if (!start ||
		    sscanf(line, "%llx-%llx %7s", &lo, &hi, perms) != 3)
			continue;
		if (addr >= lo && addr < hi) {
			found = true;
			priv = perms[3] == 'p';
		}
	}
	fclose(f);
	return priv;
}

static bool private_at(void *ctx, uint64_t addr)
{
	const struct cabin_gdb *g = ctx;

	return cabin_gdb_target_private(g->pid, addr);
}

void cabin_gdb_target(struct cabin_gdb *g, struct cabin_debug_target *t)
{
	*t = (struct cabin_debug_target){
		.ctx = g, .get_regs = get_regs, .set_regs = set_regs,
		.read_mem = read_mem, .write_mem = write_mem,
		.threads = threads, .auxv = auxv, .exe = exe,
		.set_debugregs = set_debugregs, .take_dr6 = take_dr6,
		.private_at = private_at,
	};
}
