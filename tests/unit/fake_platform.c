/*
 * The fake platform's operations.  Memory reads fail (there is no
 * memory), names are derived from the tid, and every resume or kill is
 * appended to the call log that tests inspect.  It has none of the
 * optional parts (execute-only memory, W^X's alias checks).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fake_platform.h"

static ssize_t fake_read_mem(void *ctx, pid_t tid, uint64_t addr, void *buf,
			     size_t len)
{
	(void)ctx; (void)tid; (void)addr; (void)buf; (void)len;
	return -EFAULT;
}

static ssize_t fake_write_mem(void *ctx, pid_t tid, uint64_t addr,
			      const void *buf, size_t len)
{
	(void)ctx; (void)tid; (void)addr; (void)buf; (void)len;
	return -EFAULT;
}

static int fake_get_regs(void *ctx, pid_t tid, struct cabin_regs *regs)
{
	(void)ctx; (void)tid;
	memset(regs, 0, sizeof(*regs));
	return 0;
}

static int fake_set_regs(void *ctx, pid_t tid, const struct cabin_regs *regs)
{
	(void)ctx; (void)tid; (void)regs;
	return 0;
}

static struct fake_call *record(struct fake_platform *f)
{
	if (f->ncalls >= FAKE_MAX_CALLS)
		return &f->calls[FAKE_MAX_CALLS - 1];
	return &f->calls[f->ncalls++];
}

static int fake_resume(void *ctx, pid_t tid, const struct cabin_resume *how)
{
	struct fake_call *c = record(ctx);

	c->what = FAKE_RESUME;
	c->tid = tid;
	c->resume = *how;
	return 0;
}

static int fake_kill(void *ctx, pid_t tid, int sig)
{
	struct fake_call *c = record(ctx);

	c->what = FAKE_KILL;
	c->tid = tid;
	c->sig = sig;
	return 0;
}

static int fake_describe_addr(void *ctx, pid_t tid, uint64_t addr, char *buf,
			      size_t len)
{
	(void)ctx; (void)tid;
	if (addr < 0x400000 || addr >= 0x500000)
		return -ENOENT;
	snprintf(buf, len, "/bin/prog+%#llx",
		 (unsigned long long)(addr - 0x400000));
	return 0;
}

static int fake_task_name(void *ctx, pid_t tid, char *buf, size_t len)
{
	(void)ctx;
	snprintf(buf, len, "prog%d", (int)tid);
	return 0;
}

static pid_t fake_task_tgid(void *ctx, pid_t tid)
{
	struct fake_platform *f = ctx;
	int i;

	for (i = 0; i < 8; i++) {
		if (f->tgid_of[i][0] == tid)
			return f->tgid_of[i][1];
	}
	return tid;
}

static int fake_task_exe(void *ctx, pid_t tid, char *buf, size_t len)
{
	struct fake_platform *f = ctx;

	(void)tid;
	snprintf(buf, len, "%s", f->exe);
	return 0;
}

static int fake_dup_fd(void *ctx, pid_t tid, int fd)
{
	(void)ctx; (void)tid; (void)fd;
	return -EBADF;
}

static int fake_range_prot(void *ctx, pid_t tid, uint64_t addr, uint64_t len)
{
	(void)ctx; (void)tid;
	/* The fake's text segment: 0x400000-0x500000, read and execute. */
	return addr < 0x500000 && addr + len > 0x400000 ? 5 : 3;
}

static int fake_fd_path(void *ctx, pid_t tid, int fd, char *buf, size_t len)
{
	(void)ctx; (void)tid;
	snprintf(buf, len, "/fake/fd%d", fd);
	return 0;
}

static const struct cabin_platform_ops fake_ops = {
	.read_mem = fake_read_mem,
	.write_mem = fake_write_mem,
	.get_regs = fake_get_regs,
	.set_regs = fake_set_regs,
	.resume = fake_resume,
	.kill = fake_kill,
	.describe_addr = fake_describe_addr,
	.task_name = fake_task_name,
	.task_tgid = fake_task_tgid,
	.task_exe = fake_task_exe,
	.dup_fd = fake_dup_fd,
	.range_prot = fake_range_prot,
	.fd_path = fake_fd_path,
};

void fake_platform_init(struct fake_platform *f)
{
	memset(f, 0, sizeof(*f));
	f->plat.name = "fake";
	f->plat.ops = &fake_ops;
	f->plat.ctx = f;
	snprintf(f->exe, sizeof(f->exe), "/bin/prog");
}

void fake_set_tgid(struct fake_platform *f, pid_t tid, pid_t tgid)
{
	int i;

	for (i = 0; i < 8; i++) {
		if (!f->tgid_of[i][0]) {
			f->tgid_of[i][0] = tid;
			f->tgid_of[i][1] = tgid;
			return;
		}
	}
}

const struct fake_call *fake_last(const struct fake_platform *f)
{
	return f->ncalls ? &f->calls[f->ncalls - 1] : NULL;
}
