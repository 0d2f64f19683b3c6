/*
 * The platform interface: everything the proxy kernel may do to a confined
 * thread.  The process platform implements it with ptrace, the unit tests
 * with a fake; the core never sees how.
 */
#ifndef CABIN_CORE_PLATFORM_H
#define CABIN_CORE_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Registers in the form the core reasons about. */
struct cabin_regs {
	long nr;
	uint64_t args[6];
	long ret;
	uint64_t ip;
	uint64_t sp;
};

enum cabin_resume_how {
	CABIN_RESUME_RUN,	/* continue until the next routed event */
	CABIN_RESUME_TO_EXIT,	/* run the syscall and stop at its exit */
	CABIN_RESUME_SKIP,	/* do not run the syscall; it returns retval */
	CABIN_RESUME_LISTEN,	/* stay in a job-control stop */
};

struct cabin_resume {
	enum cabin_resume_how how;
	long retval;		/* SKIP: what the syscall returns */
	int sig;		/* signal to deliver on resume, 0 for none */
	bool entry_stops;	/* also stop at the next syscall's entry */
};

/* One mapping of a task, as execute-only memory needs to know it. */
struct cabin_region {
	uint64_t start, end;
	uint64_t offset;	/* in the file */
	uint64_t dev, ino;	/* the file's identity, 0 for none */
	int prot;		/* PROT_* */
	char name[256];		/* path or "[vdso]", sanitized */
};

struct cabin_platform_ops {
	/* Bounded copy from the program; returns bytes read or -errno. */
	ssize_t (*read_mem)(void *ctx, pid_t tid, uint64_t addr, void *buf,
			    size_t len);
	ssize_t (*write_mem)(void *ctx, pid_t tid, uint64_t addr,
			     const void *buf, size_t len);
	int (*get_regs)(void *ctx, pid_t tid, struct cabin_regs *regs);
	int (*set_regs)(void *ctx, pid_t tid, const struct cabin_regs *regs);
	int (*resume)(void *ctx, pid_t tid, const struct cabin_resume *how);
	/* Kill the whole thread group of tid. */
	int (*kill)(void *ctx, pid_t tid, int sig);
	/*
	 * Optional: make a running task stop soon (an attach-like stop), so
	 * that it is resumed afresh.  0 or -errno.
	 */
	int (*interrupt)(void *ctx, pid_t tid);
	/* "path+0xoff" or "[heap]" for an address, or -errno. */
	int (*describe_addr)(void *ctx, pid_t tid, uint64_t addr, char *buf,
			     size_t len);
	/* Short program name (comm) and thread-group id of a task. */
	int (*task_name)(void *ctx, pid_t tid, char *buf, size_t len);
	pid_t (*task_tgid)(void *ctx, pid_t tid);
	/* Path of the program a task runs now. */
	int (*task_exe)(void *ctx, pid_t tid, char *buf, size_t len);
	/*
	 * A descriptor in cabin for the open file behind the task's fd, so
	 * the proxy can act on it itself (close it when done); -errno.
	 */
	int (*dup_fd)(void *ctx, pid_t tid, int fd);
	/*
	 * The union of PROT_* of the task's mappings that overlap
	 * [addr, addr + len), 0 when none does; -errno.
	 */
	int (*range_prot)(void *ctx, pid_t tid, uint64_t addr, uint64_t len);
	/* What the task's descriptor fd refers to ("/etc/passwd"), -errno. */
	int (*fd_path)(void *ctx, pid_t tid, int fd, char *buf, size_t len);

	/*
	 * Execute-only memory (core/xom.c); NULL where a platform has no
	 * protection keys.  Up to max mappings of the task; count or -errno.
	 */
	int (*regions)(void *ctx, pid_t tid, struct cabin_region *out,
		       size_t max);
	/* The protection key of the mapping holding addr, or -errno. */
	int (*addr_pkey)(void *ctx, pid_t tid, uint64_t addr);
	/* The task's XSAVE image (standard format); bytes or -errno. */
	ssize_t (*get_xstate)(void *ctx, pid_t tid, void *buf, size_t len);
	/*
	 * A task stopped at its exec event runs on to the exit of execve, so
	 * that registers set afterwards are the ones it returns with.
	 */
	int (*exec_settle)(void *ctx, pid_t tid);
	/*
	 * Run one syscall in a stopped task through the syscall instruction
	 * at insn, and put its registers back; *ret is what it returned.
	 * Its seccomp stops are the platform's own, never events.
	 */
	int (*inject_syscall)(void *ctx, pid_t tid, uint64_t insn, long nr,
			      const uint64_t args[6], long *ret);

	/*
	 * W^X's checks of aliases (core/memguard.c); NULL where a platform
	 * keeps the program's memory itself.  The mapping holding addr
	 * (-ENOENT for none), and the task's persona; -errno.
	 */
	int (*region_at)(void *ctx, pid_t tid, uint64_t addr,
			 struct cabin_region *rg);
	long (*personality)(void *ctx, pid_t tid);
	/*
	 * A read-only descriptor in cabin for the file a mapping of the
	 * task maps (-ESTALE when what cabin can open is another file), and
	 * for the task's executable; -errno.
	 */
	int (*open_region)(void *ctx, pid_t tid, const struct cabin_region *rg);
	int (*open_exe)(void *ctx, pid_t tid);
};

struct cabin_platform {
	const char *name;
	const struct cabin_platform_ops *ops;
	void *ctx;
};

#endif
