/*
 * The platform interface: everything the proxy kernel may do to a confined
 * thread while it is stopped, and the facts it may ask of its task.  The
 * process platform implements it with ptrace, the kvm platform on a
 * vCPU's trap frame, the unit tests with a fake; the core never sees how.
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

/*
 * A thread the proxy kernel is given is stopped: the platform has handed
 * the proxy one event (core/event.h) for it, and the thread stays where
 * it is until the proxy says how it goes on, with exactly one resume (or
 * a kill).  What the event says is why it stopped; what may be done
 * depends on it:
 *
 *   SYSCALL_ENTRY, _ENTERED  memory, registers (nr and arguments may be
 *                            changed); RUN, TO_EXIT, or SKIP with a value
 *   SYSCALL_EXIT             memory, registers (ret); RUN
 *   FAULT, SIGNAL            memory, registers; RUN with the signal to
 *                            deliver, or none to suppress it
 *   SPAWN, ATTACH, EXEC      memory, registers; RUN
 *   EXITING                  registers, still readable; RUN to its end
 *   GROUP_STOP               STAY_STOPPED: it goes on when continued
 *   EXIT                     nothing: the thread is gone
 *
 * Inside a syscall the proxy watches (TO_EXIT), TO_EXIT takes the place
 * of RUN, so that its exit still stops.  Any stopped thread may be
 * killed instead.
 *
 * A platform answers for the thread the tid names, never for another,
 * and -ESRCH when the tid names none it has.
 */
enum cabin_resume_how {
	CABIN_RESUME_RUN,	/* continue until the next event */
	CABIN_RESUME_TO_EXIT,	/* run the syscall and stop at its exit */
	CABIN_RESUME_SKIP,	/* do not run the syscall; it returns retval */
	CABIN_RESUME_STAY_STOPPED, /* stay in a job-control stop */
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

/*
 * Execute-only memory (core/xom.c): sealing a new image's code with a
 * protection key, and checking that the program never lets itself read
 * it.  A platform without protection keys has none.
 */
struct cabin_xom_ops {
	/* Up to max mappings of the task; count or -errno. */
	int (*regions)(void *ctx, pid_t tid, struct cabin_region *out,
		       size_t max);
	/* The protection key of the mapping holding addr, or -errno. */
	int (*addr_pkey)(void *ctx, pid_t tid, uint64_t addr);
	/* The thread's XSAVE image (standard format); bytes or -errno. */
	ssize_t (*get_xstate)(void *ctx, pid_t tid, void *buf, size_t len);
	/*
	 * A thread stopped at its EXEC event runs on to the exit of execve,
	 * so that registers set afterwards are the ones it returns with.
	 */
	int (*exec_settle)(void *ctx, pid_t tid);
	/*
	 * Run one syscall in the stopped thread through the syscall
	 * instruction at insn, and put its registers back; *ret is what it
	 * returned.  What it does on the way is the platform's own, never
	 * an event.
	 */
	int (*inject_syscall)(void *ctx, pid_t tid, uint64_t insn, long nr,
			      const uint64_t args[6], long *ret);
};

/*
 * W^X's checks of aliases (core/memguard.c): code the kernel maps from
 * files must be of the files the proxy checked.  A platform that keeps
 * the program's memory itself has none.
 */
struct cabin_wx_ops {
	/* Up to max mappings of the task; count or -errno. */
	int (*regions)(void *ctx, pid_t tid, struct cabin_region *out,
		       size_t max);
	/* The mapping holding addr (-ENOENT for none); 0 or -errno. */
	int (*region_at)(void *ctx, pid_t tid, uint64_t addr,
			 struct cabin_region *rg);
	/* The task's persona (personality(2)), or -errno. */
	long (*personality)(void *ctx, pid_t tid);
	/*
	 * A read-only descriptor in cabin for the file a mapping of the
	 * task maps (-ESTALE when what cabin can open is another file), and
	 * for the task's executable; -errno.
	 */
	int (*open_region)(void *ctx, pid_t tid, const struct cabin_region *rg);
	int (*open_exe)(void *ctx, pid_t tid);
};

struct cabin_platform_ops {
	/*
	 * The stopped thread: required of every platform (interrupt
	 * excepted).
	 */
	/* Bounded copy from the program; returns bytes read or -errno. */
	ssize_t (*read_mem)(void *ctx, pid_t tid, uint64_t addr, void *buf,
			    size_t len);
	ssize_t (*write_mem)(void *ctx, pid_t tid, uint64_t addr,
			     const void *buf, size_t len);
	int (*get_regs)(void *ctx, pid_t tid, struct cabin_regs *regs);
	int (*set_regs)(void *ctx, pid_t tid, const struct cabin_regs *regs);
	/* How it goes on from the stop (see above); 0 or -errno. */
	int (*resume)(void *ctx, pid_t tid, const struct cabin_resume *how);
	/* Kill the whole thread group of tid. */
	int (*kill)(void *ctx, pid_t tid, int sig);
	/*
	 * Optional: make a running thread stop soon with an ATTACH-like
	 * event, so that it is resumed afresh.  0 or -errno.
	 */
	int (*interrupt)(void *ctx, pid_t tid);

	/* Facts of the task a thread belongs to. */
	/* Short program name (comm) and thread-group id of a task. */
	int (*task_name)(void *ctx, pid_t tid, char *buf, size_t len);
	pid_t (*task_tgid)(void *ctx, pid_t tid);
	/* Path of the program a task runs now. */
	int (*task_exe)(void *ctx, pid_t tid, char *buf, size_t len);
	/* What the task's descriptor fd refers to ("/etc/passwd"), -errno. */
	int (*fd_path)(void *ctx, pid_t tid, int fd, char *buf, size_t len);
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
	/* "path+0xoff" or "[heap]" for an address, or -errno. */
	int (*describe_addr)(void *ctx, pid_t tid, uint64_t addr, char *buf,
			     size_t len);

	/* The optional parts: NULL where a platform has no such thing. */
	const struct cabin_xom_ops *xom;
	const struct cabin_wx_ops *wx;
};

struct cabin_platform {
	const char *name;
	const struct cabin_platform_ops *ops;
	void *ctx;
};

#endif
