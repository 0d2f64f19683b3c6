/*
 * Sealed execute-only memory.  Two parts here (the scanner for
 * instructions that write PKRU is xom_scan.c): the PKRU check on an XSAVE
 * image, and the proxy's side: routes, the rewrite of executable mmaps to
 * PROT_EXEC alone, sealing the image the kernel mapped at exec by an
 * injected mprotect, and the check at every stop.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#ifdef __x86_64__
#include <cpuid.h>
#endif

#include "core/event.h"
#include "core/proxy.h"
#include "core/xom.h"

#define XSTATE_PKRU_BIT		9
#define XSAVE_HEADER_OFFSET	512
#define PAGE			4096ull
#define MAX_REGIONS		256

/* ---- PKRU ---- */

/*
 * XSTATE_BV bit 9 clear means the PKRU component is in its init state,
 * 0: every key open.  Linux fills the component's place in the ptrace
 * image either way: with the thread's live PKRU (kernels that always
 * copy it) or with zeros, the init value (kernels that copy only the
 * components the header names).  So the value at the offset is the
 * answer whenever the image holds it.  (Right after exec the image is
 * the fresh init state, not the thread's PKRU: the proxy does not ask
 * then.)
 */
int cabin_xom_pkru_of(const void *xsave, size_t len, size_t pkru_offset,
		      uint32_t *pkru)
{
	const unsigned char *b = xsave;
	uint64_t bv;

	if (len < XSAVE_HEADER_OFFSET + 8)
		return -EINVAL;
	if (pkru_offset && pkru_offset + 4 <= len) {
		memcpy(pkru, b + pkru_offset, sizeof(*pkru));
		return 0;
	}
	memcpy(&bv, b + XSAVE_HEADER_OFFSET, sizeof(bv));
	if (bv & (1ull << XSTATE_PKRU_BIT))
		return -EINVAL;
	*pkru = 0;
	return 0;
}

bool cabin_xom_pkru_reads(uint32_t pkru, int key)
{
	/* Bit 2k is AD (access disable) for key k; WD does not stop reads. */
	return key >= 0 && key < 16 && !(pkru & (1u << (2 * key)));
}

/* CPUID leaf 0xd sub-leaf 9: size and offset of the PKRU component. */
static size_t pkru_offset(void)
{
#ifdef __x86_64__
	unsigned int eax, ebx, ecx, edx;

	if (__get_cpuid_max(0, NULL) < 0xd)
		return 0;
	__cpuid_count(0xd, 9, eax, ebx, ecx, edx);
	return eax >= 4 ? ebx : 0;
#else
	return 0;
#endif
}

/* ---- trusted and readable files ---- */

static int add_file(struct cabin_xom_files *l, uint64_t dev, uint64_t ino,
		    const char *path)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		if (l->file[i].dev == dev && l->file[i].ino == ino)
			return 0;
	}
	if (l->n == CABIN_XOM_MAX_FILES)
		return -ENOSPC;
	l->file[l->n].dev = dev;
	l->file[l->n].ino = ino;
	snprintf(l->file[l->n].path, sizeof(l->file->path), "%s", path);
	l->n++;
	return 0;
}

int cabin_xom_add_fd(struct cabin_xom_files *l, int fd, const char *path)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	return add_file(l, st.st_dev, st.st_ino, path);
}

/* The defaults fit in an empty list, so they cannot fail. */
static void trust_path(struct cabin_xom *x, const char *path)
{
	struct stat st;

	if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
		add_file(&x->trusted, st.st_dev, st.st_ino, path);
}

static bool ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), m = strlen(tail);

	return n >= m && !strcmp(s + n - m, tail);
}

/*
 * The loader and libc cabin runs with are the system's: trusted both as
 * /proc/PID/maps names them (device and inode of the mapped file, which
 * is what a task's mappings show) and as stat(2) does (what a descriptor
 * passed to mmap shows); the two differ on overlay file systems.
 */
static void trust_own_libraries(struct cabin_xom *x)
{
	char line[4096 + 128], path[4096];
	unsigned int major, minor;
	unsigned long long ino;
	FILE *maps = fopen("/proc/self/maps", "re");

	if (!maps)
		return;
	while (fgets(line, sizeof(line), maps)) {
		if (sscanf(line, "%*x-%*x %*4s %*x %x:%x %llu %4095s", &major,
			   &minor, &ino, path) != 4)
			continue;
		if (!ends_with(path, "/libc.so.6") &&
		    !ends_with(path, "/ld-linux-x86-64.so.2"))
			continue;
		add_file(&x->trusted, makedev(major, minor), ino, path);
		trust_path(x, path);
	}
	fclose(maps);
}

int cabin_xom_init(struct cabin_xom *x, int extra_fd)
{
	memset(x, 0, sizeof(*x));
	x->pkey = -1;
	x->pkru_offset = pkru_offset();
	if (!x->pkru_offset)
		return -EOPNOTSUPP;
	trust_own_libraries(x);
	trust_path(x, "/lib64/ld-linux-x86-64.so.2");
	trust_path(x, "/lib/x86_64-linux-gnu/libc.so.6");
	trust_path(x, "/usr/lib/x86_64-linux-gnu/libc.so.6");
	if (extra_fd >= 0)
		cabin_xom_add_fd(&x->trusted, extra_fd, "the program");
	return 0;
}

static struct cabin_xom_file *find_file(struct cabin_xom_files *l,
				       uint64_t dev, uint64_t ino)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		if (l->file[i].dev == dev && l->file[i].ino == ino)
			return &l->file[i];
	}
	return NULL;
}

/* ---- routes ---- */

static int deny(struct cabin_router *r, int nr)
{
	const struct cabin_route route = {
		.kind = CABIN_ROUTE_DENY, .err = EPERM,
	};

	return cabin_router_add_rule(r, nr, route, 0, NULL);
}

/*
 * The pkey calls would let the program make or change keys; reading
 * its own memory through process_vm_readv (or writing it) does not go
 * through protection keys at all.
 */
static int xom_refusals(const void *want, struct cabin_router *r)
{
	static const int refused[] = {
		SYS_pkey_alloc, SYS_pkey_free, SYS_pkey_mprotect,
		SYS_process_vm_readv, SYS_process_vm_writev,
	};
	size_t i;
	int err;

	(void)want;
	for (i = 0; i < sizeof(refused) / sizeof(*refused); i++) {
		err = deny(r, refused[i]);
		if (err)
			return err;
	}
	return 0;
}

static const int watched[] = { SYS_mmap, SYS_mprotect, SYS_rt_sigreturn };

/*
 * mmap when it asks for PROT_EXEC; mprotect when it does not (W^X
 * refuses the rest: a rule without conditions would override that
 * refusal in libseccomp, which does not keep first-match order);
 * every rt_sigreturn.
 */
static int watch_route(struct cabin_router *r, int nr)
{
	const struct cabin_route route = { .kind = CABIN_ROUTE_TRACE };
	struct cabin_cond exec = {
		.arg = 2, .op = CABIN_CMP_MASKED_EQ, .mask = PROT_EXEC,
		.value = PROT_EXEC,
	};

	if (nr == SYS_mprotect)
		exec.value = 0;
	if (nr == SYS_mmap || nr == SYS_mprotect)
		return cabin_router_add_rule(r, nr, route, 1, &exec);
	return cabin_router_add_rule(r, nr, route, 0, NULL);
}

/*
 * Under XOM the proxy must see every executable mmap, every mprotect and
 * every rt_sigreturn, before any rule of the policy can let them through
 * unseen; but it never lets through what the policy refuses, so each is
 * watched only where the policy's own rules allow or trace it.
 */
static int xom_early_watches(const void *want,
			     const struct cabin_router *policy,
			     struct cabin_router *r)
{
	const uint64_t args[6] = { 0, 4096, PROT_READ | PROT_EXEC,
				   MAP_PRIVATE, 3, 0 };
	enum cabin_route_kind kind;
	size_t i;
	int err = 0;

	(void)want;
	for (i = 0; !err && i < sizeof(watched) / sizeof(*watched); i++) {
		kind = cabin_router_match(policy, watched[i], args, NULL)->kind;
		if (kind == CABIN_ROUTE_ALLOW || kind == CABIN_ROUTE_TRACE)
			err = watch_route(r, watched[i]);
	}
	return err;
}

/* ---- reporting ---- */

static void list_hits(char *buf, size_t len, const struct cabin_xom_hits *h)
{
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < h->n && used < len; i++)
		used += snprintf(buf + used, len - used, "%s%s at +0x%llx",
				 i ? ", " : "", cabin_xom_insn_name(h->insn[i]),
				 (unsigned long long)h->off[i]);
	if (h->total > h->n && used < len)
		snprintf(buf + used, len - used, " (%zu in all)", h->total);
}

/* Occurrences in a trusted file are listed once per file. */
static void list_trusted(struct cabin_proxy *p, struct cabin_xom_file *f,
			 const char *name, const struct cabin_xom_hits *h)
{
	char what[512];

	if (f->listed || !h->total)
		return;
	f->listed = true;
	list_hits(what, sizeof(what), h);
	cabin_log_say(&p->log, "XOM: trusted file %s holds %s", name, what);
}

static int kill_task(struct cabin_proxy *p, struct cabin_task *task)
{
	p->stats.killed++;
	p->plat->ops->kill(p->plat->ctx, task->tid, SIGKILL);
	return -EPERM;
}

/* ---- mmap and mprotect ---- */

struct fd_reader {
	int fd;
};

/*
 * A file the policy names in "memory readable-code" keeps its code
 * readable (OpenSSL reads constant tables kept among its code): said
 * once per file, on stderr and in the report, never silently.
 */
static bool keeps_readable(struct cabin_proxy *p, uint64_t dev, uint64_t ino,
			   const char *name)
{
	struct cabin_xom_file *f = find_file(&p->xom->readable, dev, ino);

	if (!f)
		return false;
	if (!f->listed) {
		f->listed = true;
		cabin_log_say(&p->log, "XOM: code of %s stays readable, not execute-only (memory readable-code %s)",
				name, f->path);
	}
	return true;
}

static long read_fd(void *ctx, uint64_t pos, void *buf, size_t len)
{
	struct fd_reader *r = ctx;
	ssize_t n = pread(r->fd, buf, len, (off_t)pos);

	return n < 0 ? -errno : n;
}

/*
 * A file about to become executable: scanned through a duplicate of the
 * program's descriptor, the mapped range rounded up to whole pages (the
 * kernel maps the rest of the last page too).  *readable says whether
 * its code stays readable.
 */
static long check_file(struct cabin_proxy *p, struct cabin_task *task,
		       int fd, uint64_t off, uint64_t len, bool *readable)
{
	struct cabin_xom_hits hits = { 0 };
	struct cabin_xom_scan_buf sb;
	struct fd_reader rd;
	struct cabin_xom_file *f;
	char name[512], what[512];
	struct stat st;
	int err;

	rd.fd = p->plat->ops->dup_fd(p->plat->ctx, task->tid, fd);
	/* Answered here: letting mmap fail itself would race a dup2. */
	if (rd.fd == -EBADF)
		return -EBADF;
	if (rd.fd < 0) {
		cabin_log_say(&p->log, "XOM: refused executable mapping of fd %d by pid %d (%s): it cannot be scanned (%s): EPERM",
				fd, (int)task->tid, task->comm,
				strerror(-rd.fd));
		return -EPERM;
	}
	if (fstat(rd.fd, &st) < 0) {
		close(rd.fd);
		return -EPERM;
	}
	if (p->plat->ops->fd_path(p->plat->ctx, task->tid, fd, name,
				  sizeof(name)) < 0)
		snprintf(name, sizeof(name), "fd %d", fd);
	*readable = keeps_readable(p, st.st_dev, st.st_ino, name);
	f = find_file(&p->xom->trusted, st.st_dev, st.st_ino);
	if (f && f->listed) {
		close(rd.fd);
		return 0;
	}
	len = (len + PAGE - 1) & ~(PAGE - 1);
	err = cabin_xom_scan_range(read_fd, &rd, off, len, &sb, &hits);
	close(rd.fd);
	if (f) {
		list_trusted(p, f, name, &hits);
		return 0;
	}
	if (err < 0) {
		cabin_log_say(&p->log, "XOM: refused executable mapping of %s by pid %d (%s): it cannot be scanned (%s): EPERM",
				name, (int)task->tid, task->comm,
				strerror(-err));
		return -EPERM;
	}
	if (!hits.total)
		return 0;
	list_hits(what, sizeof(what), &hits);
	cabin_log_say(&p->log, "XOM: refused executable mapping of %s by pid %d (%s): %s (file offsets): EPERM",
			name, (int)task->tid, task->comm, what);
	return -EPERM;
}

static long mmap_entry(struct cabin_proxy *p, struct cabin_task *task,
		       const struct cabin_syscall *sys)
{
	const struct cabin_platform_ops *ops = p->plat->ops;
	uint64_t prot = sys->args[2], flags = sys->args[3];
	struct cabin_regs regs;
	bool readable = false;
	long err;

	if (!(prot & PROT_EXEC))
		return 0;
	if (!(flags & MAP_ANONYMOUS)) {
		err = check_file(p, task, (int)sys->args[4], sys->args[5],
				 sys->args[1], &readable);
		if (err)
			return err;
	}
	if (!(prot & PROT_READ) || readable)
		return 0;
	/* PROT_EXEC alone: the kernel gives the mapping its execute-only key. */
	if (ops->get_regs(p->plat->ctx, task->tid, &regs) < 0)
		return -EPERM;
	regs.args[2] = prot & ~(uint64_t)PROT_READ;
	return ops->set_regs(p->plat->ctx, task->tid, &regs) < 0 ? -EPERM : 0;
}

/*
 * Any change to code is refused: PROT_READ (or PROT_NONE, then
 * PROT_READ) would make the kernel drop the execute-only key and the
 * code readable.
 */
static long mprotect_entry(struct cabin_proxy *p, struct cabin_task *task,
			   const struct cabin_syscall *sys)
{
	int prot = 0;

	/* Only mmap creates code (W^X); cabin's own mprotect never comes here. */
	if (!(sys->args[2] & PROT_EXEC))
		prot = p->plat->ops->range_prot(p->plat->ctx, task->tid,
						sys->args[0], sys->args[1]);
	else
		prot = PROT_EXEC;
	if (prot < 0 || !(prot & PROT_EXEC))
		return 0;
	task->refused = true;
	cabin_log_say(&p->log, "XOM: pid %d (%s) may not change the protection of code at 0x%llx: EACCES",
			(int)task->tid, task->comm,
			(unsigned long long)sys->args[0]);
	return -EACCES;
}

static long xom_entry(struct cabin_proxy *p, void *ctx,
		      struct cabin_task *task, const struct cabin_syscall *sys)
{
	(void)ctx;
	if (!p->xom)
		return 0;
	if (sys->nr == SYS_mmap)
		return mmap_entry(p, task, sys);
	if (sys->nr == SYS_mprotect)
		return mprotect_entry(p, task, sys);
	return 0;
}

/*
 * Two bytes on each side of [addr, addr + len), where they are code: an
 * instruction that starts in one mapping and ends in the next is in
 * neither scan.  Known only once the kernel has placed the mapping.
 */
static bool straddles(struct cabin_proxy *p, pid_t tid, uint64_t at,
		      struct cabin_xom_hits *hits)
{
	const struct cabin_platform_ops *ops = p->plat->ops;
	unsigned char w[4];
	int prot;

	if (at < 2)
		return false;
	prot = ops->range_prot(p->plat->ctx, tid, at - 2, 4);
	if (prot < 0 || !(prot & PROT_EXEC) ||
	    ops->read_mem(p->plat->ctx, tid, at - 2, w, sizeof(w)) !=
	    sizeof(w))
		return false;
	cabin_xom_scan(w, sizeof(w), 2, at - 2, hits);
	return hits->total > 0;
}

static bool xom_exit(struct cabin_proxy *p, void *ctx,
		     struct cabin_task *task, long ret)
{
	struct cabin_xom_hits hits = { 0 };
	uint64_t len = (task->cur_args[1] + PAGE - 1) & ~(PAGE - 1);
	char what[512];

	(void)ctx;
	if (!p->xom || task->cur_nr != SYS_mmap ||
	    !(task->cur_args[2] & PROT_EXEC) || (ret < 0 && ret > -4096))
		return false;
	if (!straddles(p, task->tid, (uint64_t)ret, &hits) &&
	    !straddles(p, task->tid, (uint64_t)ret + len, &hits))
		return false;
	list_hits(what, sizeof(what), &hits);
	cabin_log_say(&p->log, "XOM: pid %d (%s): killed: its new code at 0x%llx and the code next to it make %s (addresses)",
			(int)task->tid, task->comm, (unsigned long long)ret,
			what);
	kill_task(p, task);
	return true;
}

/* ---- sealing the image mapped at exec ---- */

struct mem_reader {
	struct cabin_proxy *p;
	pid_t tid;
};

static long read_task(void *ctx, uint64_t pos, void *buf, size_t len)
{
	struct mem_reader *r = ctx;

	return r->p->plat->ops->read_mem(r->p->plat->ctx, r->tid, pos, buf,
					 len);
}

static bool is_special(const struct cabin_region *reg)
{
	return reg->name[0] == '[';
}

/* A `syscall` instruction (0f 05) in rg, for the injected mprotect. */
static uint64_t find_syscall_insn(struct cabin_proxy *p, pid_t tid,
				  const struct cabin_region *rg)
{
	unsigned char buf[4096];
	uint64_t a;
	long n;
	size_t i;

	for (a = rg->start; a < rg->end && a - rg->start < (1u << 22);
	     a += sizeof(buf) - 1) {
		n = p->plat->ops->read_mem(p->plat->ctx, tid, a, buf,
					   sizeof(buf));
		for (i = 0; n > 1 && i + 1 < (size_t)n; i++) {
			if (buf[i] == 0x0f && buf[i + 1] == 0x05)
				return a + i;
		}
		if (n < (long)sizeof(buf))
			break;
	}
	return 0;
}

/* The vDSO first: it is not the program's, and it stays as it is. */
static uint64_t syscall_insn(struct cabin_proxy *p, pid_t tid,
			     const struct cabin_region *rg, int n)
{
	uint64_t insn = 0;
	int i;

	for (i = 0; i < n && !insn; i++) {
		if ((rg[i].prot & PROT_EXEC) && !strcmp(rg[i].name, "[vdso]"))
			insn = find_syscall_insn(p, tid, &rg[i]);
	}
	for (i = 0; i < n && !insn; i++) {
		if ((rg[i].prot & PROT_EXEC) && !is_special(&rg[i]))
			insn = find_syscall_insn(p, tid, &rg[i]);
	}
	return insn;
}

/* An image the kernel mapped: its code must be free of PKRU writers. */
static int check_image(struct cabin_proxy *p, struct cabin_task *task,
		       const struct cabin_region *rg)
{
	struct mem_reader rd = { .p = p, .tid = task->tid };
	struct cabin_xom_hits hits = { 0 };
	struct cabin_xom_scan_buf sb;
	struct cabin_xom_file *f = find_file(&p->xom->trusted, rg->dev,
					     rg->ino);
	char what[512];
	size_t i;
	int err;

	if (f && f->listed)
		return 0;
	err = cabin_xom_scan_range(read_task, &rd, rg->start,
				   rg->end - rg->start, &sb, &hits);
	/* File offsets, as for mmap, so both reports agree. */
	for (i = 0; i < hits.n; i++)
		hits.off[i] = hits.off[i] - rg->start + rg->offset;
	if (f) {
		list_trusted(p, f, rg->name, &hits);
		return 0;
	}
	if (err < 0) {
		cabin_log_say(&p->log, "XOM: pid %d (%s): killed: code of %s cannot be scanned (%s)",
				(int)task->tid, task->comm, rg->name,
				strerror(-err));
		return -EPERM;
	}
	if (!hits.total)
		return 0;
	list_hits(what, sizeof(what), &hits);
	cabin_log_say(&p->log, "XOM: pid %d (%s): killed: exec of %s, which holds %s and is not trusted",
			(int)task->tid, task->comm, rg->name, what);
	return -EPERM;
}

static int seal_region(struct cabin_proxy *p, struct cabin_task *task,
		       uint64_t insn, const struct cabin_region *rg)
{
	const uint64_t args[6] = { rg->start, rg->end - rg->start, PROT_EXEC };
	long ret = 0;
	int err;

	err = p->plat->ops->xom->inject_syscall(p->plat->ctx, task->tid, insn,
					   SYS_mprotect, args, &ret);
	if (!err && ret < 0)
		err = (int)ret;
	if (err)
		cabin_log_say(&p->log, "XOM: pid %d (%s): killed: %s at 0x%llx cannot be made execute-only (%s)",
				(int)task->tid, task->comm, rg->name,
				(unsigned long long)rg->start, strerror(-err));
	return err;
}

/*
 * The kernel's execute-only key: the first key a fresh mm allocates, so
 * the same in every image while pkey_alloc is refused.
 */
static int learn_pkey(struct cabin_proxy *p, struct cabin_task *task,
		      uint64_t addr)
{
	int key = p->plat->ops->xom->addr_pkey(p->plat->ctx, task->tid, addr);

	if (key <= 0) {
		cabin_log_say(&p->log, "XOM: pid %d (%s): killed: sealed code has no execute-only key (%s)",
				(int)task->tid, task->comm,
				key < 0 ? strerror(-key) : "key 0");
		return -EPERM;
	}
	if (p->xom->pkey >= 0 && p->xom->pkey != key) {
		cabin_log_say(&p->log, "XOM: pid %d (%s): killed: execute-only key %d, expected %d",
				(int)task->tid, task->comm, key, p->xom->pkey);
		return -EPERM;
	}
	p->xom->pkey = key;
	return 0;
}

static int seal_image(struct cabin_proxy *p, struct cabin_task *task,
		      struct cabin_region *rg, int n)
{
	uint64_t insn, first = 0;
	int i, err;

	for (i = 0; i < n; i++) {
		if ((rg[i].prot & PROT_EXEC) && !is_special(&rg[i]) &&
		    check_image(p, task, &rg[i]) < 0)
			return -EPERM;
	}
	insn = syscall_insn(p, task->tid, rg, n);
	if (!insn) {
		cabin_log_say(&p->log, "XOM: pid %d (%s): killed: no syscall instruction to seal its code with",
				(int)task->tid, task->comm);
		return -EPERM;
	}
	for (i = 0; i < n; i++) {
		if (!(rg[i].prot & PROT_EXEC) || is_special(&rg[i]) ||
		    keeps_readable(p, rg[i].dev, rg[i].ino, rg[i].name))
			continue;
		err = seal_region(p, task, insn, &rg[i]);
		if (err)
			return err;
		if (!first)
			first = rg[i].start;
	}
	return first ? learn_pkey(p, task, first) : 0;
}

/* At an exec event: seal the new image, which runs execve to its exit. */
static int xom_exec(struct cabin_proxy *p, void *ctx, struct cabin_task *task)
{
	const struct cabin_xom_ops *ops = p->plat->ops->xom;
	struct cabin_region *rg;
	int n, err;

	(void)ctx;
	if (!p->xom)
		return 0;
	if (!ops) {
		cabin_log_say(&p->log, "XOM: pid %d (%s): killed: platform %s cannot seal code",
				(int)task->tid, task->comm, p->plat->name);
		return kill_task(p, task);
	}
	err = ops->exec_settle(p->plat->ctx, task->tid);
	if (err < 0)
		return err;	/* gone: its exit follows */
	rg = calloc(MAX_REGIONS, sizeof(*rg));
	if (!rg)
		return kill_task(p, task);
	n = ops->regions(p->plat->ctx, task->tid, rg, MAX_REGIONS);
	err = n < 0 ? n : seal_image(p, task, rg, n);
	free(rg);
	if (err)
		return kill_task(p, task);
	task->xom_sealed = true;
	return CABIN_GUARD_AT_EXIT;
}

/* ---- the stop check and faults ---- */

/*
 * The XSAVE image is read into this call's own buffer: the kvm monitor
 * runs a proxy in each of its threads.
 */
static bool xom_stop_ok(struct cabin_proxy *p, void *ctx,
			struct cabin_task *task)
{
	unsigned char xsave[16384];
	struct cabin_xom *x = p->xom;
	uint32_t pkru;
	ssize_t n;

	(void)ctx;
	/* cabin's own forks before exec are not the program's. */
	if (!x || x->pkey < 0 || !task->xom_sealed ||
	    !p->plat->ops->xom)
		return true;
	n = p->plat->ops->xom->get_xstate(p->plat->ctx, task->tid, xsave,
				     sizeof(xsave));
	if (n == -ESRCH)
		return true;	/* gone: nothing left to read with */
	if (n < 0 || cabin_xom_pkru_of(xsave, (size_t)n, x->pkru_offset,
				       &pkru) < 0) {
		cabin_log_say(&p->log, "XOM: pid %d (%s): killed: its PKRU cannot be read",
				(int)task->tid, task->comm);
		kill_task(p, task);
		return false;
	}
	if (!cabin_xom_pkru_reads(pkru, x->pkey))
		return true;
	x->violations++;
	cabin_log_say(&p->log, "XOM: pid %d (%s): killed: PKRU 0x%08x grants read access to the execute-only key %d",
			(int)task->tid, task->comm, pkru, x->pkey);
	kill_task(p, task);
	return false;
}

/* A fault: reported as an XOM violation when it is one. */
static void xom_fault(struct cabin_proxy *p, void *ctx,
		      struct cabin_task *task, const struct cabin_fault *f)
{
	char at[512], ip[512];

	(void)ctx;
	if (!p->xom || f->sig != SIGSEGV || f->code != SEGV_PKUERR)
		return;
	p->xom->violations++;
	if (p->plat->ops->describe_addr(p->plat->ctx, task->tid, f->addr, at,
					sizeof(at)) < 0)
		snprintf(at, sizeof(at), "?");
	if (p->plat->ops->describe_addr(p->plat->ctx, task->tid, f->ip, ip,
					sizeof(ip)) < 0)
		snprintf(ip, sizeof(ip), "?");
	cabin_log_say(&p->log, "XOM violation: pid %d (%s): read of execute-only code at 0x%llx in %s (key %d), ip 0x%llx in %s",
			(int)task->tid, task->comm,
			(unsigned long long)f->addr, at, f->pkey,
			(unsigned long long)f->ip, ip);
}

const struct cabin_guard cabin_xom_guard = {
	.name = "xom",
	.refusals = xom_refusals,
	.early_watches = xom_early_watches,
	.entry = xom_entry,
	.exit = xom_exit,
	.exec = xom_exec,
	.stop_ok = xom_stop_ok,
	.fault = xom_fault,
};
