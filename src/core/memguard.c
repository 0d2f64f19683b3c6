/*
 * W^X routes and the checks BPF cannot make.  Run-time flips are
 * refused in both directions: a writable page never becomes executable
 * (mprotect with PROT_EXEC is refused outright; only mmap creates code),
 * and an executable one never becomes writable.  The alias checks make
 * sure the code mmap creates cannot be written another way: a shared
 * executable mapping, a file the program can write, a persona with
 * READ_IMPLIES_EXEC or an exec image with a writable and executable
 * mapping never comes to be.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <linux/userfaultfd.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/shm.h>
#include <sys/statfs.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/memguard.h"
#include "core/memguard_file.h"
#include "core/names.h"
#include "core/proxy.h"

#ifndef SHM_EXEC
#define SHM_EXEC	0100000
#endif
#ifndef MAP_TYPE
#define MAP_TYPE	0x0f
#endif
#define MAX_REGIONS	256

static int add(struct cabin_router *r, int nr, enum cabin_route_kind kind,
	       int err, unsigned int arg, uint64_t bits)
{
	const struct cabin_route route = { .kind = kind, .err = err };
	const struct cabin_cond has = {
		.arg = arg, .op = CABIN_CMP_MASKED_EQ, .mask = bits,
		.value = bits,
	};

	return cabin_router_add_rule(r, nr, route, 1, &has);
}

/*
 * Executable mmaps, to check what they map; personas asking for
 * READ_IMPLIES_EXEC (the persona is an unsigned int, and 0xffffffff
 * only asks for the current one: the proxy tells them apart).
 */
static int watch_aliases(struct cabin_router *r)
{
	int err = add(r, SYS_mmap, CABIN_ROUTE_TRACE, 0, 2, PROT_EXEC);

	return err ? err : add(r, SYS_personality, CABIN_ROUTE_TRACE, 0, 0,
			       READ_IMPLIES_EXEC);
}

/*
 * SysV shared memory attached executable is shared by nature; writing
 * another process's memory writes its code whatever its protection, and
 * so does a userfaultfd's UFFDIO_COPY into a registered range (from the
 * syscall or from /dev/userfaultfd).
 */
static int refuse_aliases(struct cabin_router *r)
{
	const struct cabin_route eperm = {
		.kind = CABIN_ROUTE_DENY, .err = EPERM,
	};
	const struct cabin_cond uffd_new = {
		.arg = 1, .op = CABIN_CMP_MASKED_EQ, .mask = 0xffffffff,
		.value = USERFAULTFD_IOC_NEW,
	};
	int err = add(r, SYS_shmat, CABIN_ROUTE_DENY, EACCES, 2, SHM_EXEC);

	if (!err)
		err = cabin_router_add_rule(r, SYS_process_vm_writev, eperm, 0,
					    NULL);
	if (!err)
		err = cabin_router_add_rule(r, SYS_userfaultfd, eperm, 0, NULL);
	return err ? err : cabin_router_add_rule(r, SYS_ioctl, eperm, 1,
						  &uffd_new);
}

/*
 * W^X routes: the refusals, which belong before any rule that could
 * allow the same calls, or (watch) the traced calls the proxy must
 * check.  alias adds the alias checks' refusals and watches.
 */
static int add_routes(struct cabin_router *r, bool watch, bool alias)
{
	int err;

	if (watch) {
		err = add(r, SYS_mprotect, CABIN_ROUTE_TRACE, 0, 2, PROT_WRITE);
		if (!err)
			err = add(r, SYS_pkey_mprotect, CABIN_ROUTE_TRACE, 0, 2,
				  PROT_WRITE);
		return err || !alias ? err : watch_aliases(r);
	}
	err = add(r, SYS_mmap, CABIN_ROUTE_DENY, EACCES, 2,
		  PROT_WRITE | PROT_EXEC);
	if (!err)
		err = add(r, SYS_mprotect, CABIN_ROUTE_DENY, EACCES, 2,
			  PROT_EXEC);
	if (!err)
		err = add(r, SYS_pkey_mprotect, CABIN_ROUTE_DENY, EACCES, 2,
			  PROT_EXEC);
	return err || !alias ? err : refuse_aliases(r);
}

static long refuse(struct cabin_task *task)
{
	task->refused = true;
	return -EACCES;
}

static long mprotect_entry(struct cabin_proxy *p, struct cabin_task *task,
			   const struct cabin_syscall *sys)
{
	int prot;

	if (!(sys->args[2] & PROT_WRITE))
		return 0;
	prot = p->plat->ops->range_prot(p->plat->ctx, task->tid, sys->args[0],
					sys->args[1]);
	if (prot < 0 || !(prot & PROT_EXEC))
		return 0;
	cabin_log_say(&p->log, "W^X: pid %d (%s) may not make executable memory at 0x%llx writable: EACCES",
			(int)task->tid, task->comm,
			(unsigned long long)sys->args[0]);
	return refuse(task);
}

static long personality_entry(struct cabin_proxy *p, struct cabin_task *task,
			      const struct cabin_syscall *sys)
{
	uint32_t persona = (uint32_t)sys->args[0];

	if (persona == 0xffffffffu || !(persona & READ_IMPLIES_EXEC))
		return 0;
	cabin_log_say(&p->log, "W^X: pid %d (%s) may not set READ_IMPLIES_EXEC (every readable mapping executable): EACCES",
			(int)task->tid, task->comm);
	return refuse(task);
}

/* The file behind fd may become code only if the program cannot write it. */
static long check_file(struct cabin_proxy *p, struct cabin_task *task, int fd)
{
	const struct cabin_platform_ops *ops = p->plat->ops;
	const char *why;
	char name[512];
	struct stat st;
	int held;

	held = ops->dup_fd(p->plat->ctx, task->tid, fd);
	/* Answered here: letting mmap fail itself would race a dup2. */
	if (held == -EBADF)
		return -EBADF;
	if (held < 0)
		why = "it cannot be examined";
	else
		why = cabin_memguard_file_writable(p->memguard, held);
	if (!why && fstat(held, &st) == 0) {
		task->wx_dev = st.st_dev;
		task->wx_ino = st.st_ino;
		task->wx_pending = true;
	} else if (!why) {
		why = "it cannot be examined";
	}
	if (held >= 0)
		close(held);
	if (!why)
		return 0;
	if (ops->fd_path(p->plat->ctx, task->tid, fd, name, sizeof(name)) < 0)
		snprintf(name, sizeof(name), "fd %d", fd);
	cabin_log_say(&p->log, "W^X: pid %d (%s) may not map %s executable: %s: EACCES",
			(int)task->tid, task->comm, name, why);
	return refuse(task);
}

static long mmap_entry(struct cabin_proxy *p, struct cabin_task *task,
		       const struct cabin_syscall *sys)
{
	uint64_t flags = sys->args[3];

	task->wx_pending = false;
	if (!(sys->args[2] & PROT_EXEC))
		return 0;
	/* A shared mapping can be mapped again, writable (mremap, fork). */
	if ((flags & MAP_TYPE) != MAP_PRIVATE) {
		cabin_log_say(&p->log, "W^X: pid %d (%s) may not map shared memory executable: EACCES",
				(int)task->tid, task->comm);
		return refuse(task);
	}
	if (flags & MAP_ANONYMOUS)
		return 0;
	return check_file(p, task, (int)sys->args[4]);
}

static long memguard_entry(struct cabin_proxy *p, void *ctx,
			   struct cabin_task *task,
			   const struct cabin_syscall *sys)
{
	(void)ctx;
	if (!p->wx)
		return 0;
	if (sys->nr == SYS_mprotect || sys->nr == SYS_pkey_mprotect)
		return mprotect_entry(p, task, sys);
	if (!p->memguard)
		return 0;
	if (sys->nr == SYS_personality)
		return personality_entry(p, task, sys);
	if (sys->nr == SYS_mmap)
		return mmap_entry(p, task, sys);
	return 0;
}

static void kill_task(struct cabin_proxy *p, struct cabin_task *task)
{
	p->stats.killed++;
	p->plat->ops->kill(p->plat->ctx, task->tid, SIGKILL);
}

/*
 * Another thread may have put another file behind the descriptor
 * between the check and the kernel's look at it.  The new mapping must
 * be of the file checked (device and inode as /proc/PID/maps shows
 * them); if not, the program dies before it runs on.
 */
const int cabin_memguard_open_watch[] = { SYS_open, SYS_openat, SYS_openat2,
					 -1 };

/* procfs names its own files: a name ending in /mem is the memory file. */
static bool is_proc_mem(int fd, const char *name)
{
	size_t n = strlen(name);
	struct statfs sf;
	int fl = fcntl(fd, F_GETFL);

	return fl >= 0 && (fl & O_ACCMODE) != O_RDONLY &&
	       fstatfs(fd, &sf) == 0 && sf.f_type == PROC_SUPER_MAGIC &&
	       n >= 4 && !strcmp(name + n - 4, "/mem");
}

static bool open_exit(struct cabin_proxy *p, struct cabin_task *task, long ret)
{
	const struct cabin_platform_ops *ops = p->plat->ops;
	char name[512];
	bool mem;
	int fd;

	if (ret < 0 || ret > INT32_MAX)
		return false;
	fd = ops->dup_fd(p->plat->ctx, task->tid, (int)ret);
	if (fd < 0)
		return false;	/* closed already by another thread */
	mem = ops->fd_path(p->plat->ctx, task->tid, (int)ret, name,
			   sizeof(name)) == 0 && is_proc_mem(fd, name);
	close(fd);
	if (!mem)
		return false;
	cabin_log_say(&p->log, "W^X: pid %d (%s): killed: it opened %s for writing, which writes code whatever its protection",
			(int)task->tid, task->comm, name);
	kill_task(p, task);
	return true;
}

static bool mmap_exit(struct cabin_proxy *p, struct cabin_task *task,
		      long ret)
{
	struct cabin_region rg;
	int err;

	if (!task->wx_pending)
		return false;
	task->wx_pending = false;
	if (ret < 0 && ret > -4096)
		return false;
	err = p->plat->ops->wx ? p->plat->ops->wx->region_at(p->plat->ctx,
			task->tid, (uint64_t)ret, &rg) : -ENOSYS;
	if (!err && rg.ino == task->wx_ino && rg.dev == task->wx_dev)
		return false;
	cabin_log_say(&p->log, "W^X: pid %d (%s): killed: its executable mapping at 0x%llx is not of the file checked",
			(int)task->tid, task->comm, (unsigned long long)ret);
	kill_task(p, task);
	return true;
}

static bool memguard_exit(struct cabin_proxy *p, void *ctx,
			  struct cabin_task *task, long ret)
{
	(void)ctx;
	if (!p->memguard)
		return false;
	if (task->cur_nr == SYS_mmap)
		return mmap_exit(p, task, ret);
	task->wx_pending = false;
	if (p->memguard->proc_writable &&
	    (task->cur_nr == SYS_open || task->cur_nr == SYS_openat ||
	     task->cur_nr == SYS_openat2))
		return open_exit(p, task, ret);
	return false;
}

/* The executable itself cannot be written while it runs (ETXTBSY). */
static bool is_exe(const struct cabin_region *rg, const struct stat *exe)
{
	return exe && rg->dev == exe->st_dev && rg->ino == exe->st_ino;
}

/*
 * Code the kernel mapped from files other than the executable (the
 * program interpreter named by PT_INTERP): held to the rule for mmap.
 */
static int check_image_files(struct cabin_proxy *p, struct cabin_task *task,
			     const struct cabin_region *rg, int n)
{
	const struct cabin_wx_ops *ops = p->plat->ops->wx;
	struct stat exe_st, *exe = NULL;
	const char *why;
	int i, fd;

	fd = ops->open_exe(p->plat->ctx, task->tid);
	if (fd >= 0 && fstat(fd, &exe_st) == 0)
		exe = &exe_st;
	if (fd >= 0)
		close(fd);
	for (i = 0; i < n; i++) {
		if (!(rg[i].prot & PROT_EXEC) || !rg[i].ino || is_exe(&rg[i], exe))
			continue;
		fd = ops->open_region(p->plat->ctx, task->tid, &rg[i]);
		why = fd < 0 ? "it cannot be examined" :
			       cabin_memguard_file_writable(p->memguard, fd);
		if (fd >= 0)
			close(fd);
		if (why) {
			cabin_log_say(&p->log, "W^X: pid %d (%s): killed: its new image runs code from %s: %s",
					(int)task->tid, task->comm, rg[i].name,
					why);
			return -EPERM;
		}
	}
	return 0;
}

static int check_image(struct cabin_proxy *p, struct cabin_task *task,
		       const struct cabin_region *rg, int n)
{
	long persona;
	int i;

	for (i = 0; i < n; i++) {
		if ((rg[i].prot & PROT_WRITE) && (rg[i].prot & PROT_EXEC)) {
			cabin_log_say(&p->log, "W^X: pid %d (%s): killed: its new image has writable and executable memory at 0x%llx (%s)",
					(int)task->tid, task->comm,
					(unsigned long long)rg[i].start,
					rg[i].name[0] ? rg[i].name : "anonymous");
			return -EPERM;
		}
	}
	persona = p->plat->ops->wx->personality(p->plat->ctx, task->tid);
	if (persona < 0 || (persona & READ_IMPLIES_EXEC)) {
		cabin_log_say(&p->log, "W^X: pid %d (%s): killed: it runs with READ_IMPLIES_EXEC (an image without PT_GNU_STACK, or an inherited persona)",
				(int)task->tid, task->comm);
		return -EPERM;
	}
	return check_image_files(p, task, rg, n);
}

static int memguard_exec(struct cabin_proxy *p, void *ctx,
			 struct cabin_task *task)
{
	struct cabin_region *rg;
	int n, err;

	(void)ctx;
	if (!p->wx || !p->memguard)
		return 0;
	/* Checks it cannot make are refusals, never passes. */
	if (!p->plat->ops->wx) {
		cabin_log_say(&p->log, "W^X: pid %d (%s): killed: platform %s cannot check the image it runs",
			      (int)task->tid, task->comm, p->plat->name);
		kill_task(p, task);
		return -EPERM;
	}
	rg = calloc(MAX_REGIONS, sizeof(*rg));
	if (!rg) {
		kill_task(p, task);
		return -ENOMEM;
	}
	n = p->plat->ops->wx->regions(p->plat->ctx, task->tid, rg,
				      MAX_REGIONS);
	/* gone: its exit follows */
	err = n < 0 ? 0 : check_image(p, task, rg, n);
	free(rg);
	if (err)
		kill_task(p, task);
	return err;
}

/* want: a struct cabin_memguard_want. */
static int memguard_routes(const void *want, struct cabin_router *r)
{
	const struct cabin_memguard_want *w = want;

	return add_routes(r, true, w->alias);
}

static int memguard_refusals(const void *want, struct cabin_router *r)
{
	const struct cabin_memguard_want *w = want;

	return add_routes(r, false, w->alias);
}

const struct cabin_guard cabin_memguard_guard = {
	.name = "memguard",
	.routes = memguard_routes,
	.refusals = memguard_refusals,
	.entry = memguard_entry,
	.exit = memguard_exit,
	.exec = memguard_exec,
};
