/*
 * The platform interface: everything the proxy kernel may do to a confined
 * thread.  The process platform implements it with ptrace, the unit tests
 * with a fake; the core never sees how.
 */
#ifndef CABIN_CORE_PLATFORM_H
#define CABIN_CORE_PLATFORM_H

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
};

struct cabin_platform {
	const char *name;
	const struct cabin_platform_ops *ops;
	void *ctx;
};

#endif
