/*
 * The kvm platform: the program at CPL3 of a KVM guest, the proxy kernel
 * at guest CPL0, and this monitor turning every trap into the core's
 * events and performing what the router allows.  Runs in the sandboxed
 * child that cabin forks, as the only process of the program.
 */
#ifndef CABIN_PLATFORM_KVM_KVM_H
#define CABIN_PLATFORM_KVM_KVM_H

#include <stdbool.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <sys/types.h>

#include "core/platform.h"
#include "core/proxy.h"
#include "platform/kvm/forward.h"
#include "platform/kvm/ksignal.h"
#include "platform/kvm/mm.h"
#include "platform/kvm/vm.h"

#define CABIN_KVM_MAX_FPU	8

/*
 * The signal cabin sends the monitor when the time limit is reached: the
 * monitor ends the program itself, so its report still gets written.
 * Never the program's (the program's signals are emulated).
 */
#define CABIN_KVM_SIG_TIMEOUT	(SIGRTMAX - 1)
/* The monitor's own: interrupts the ring worker's blocking call. */
#define CABIN_KVM_SIG_KICK	(SIGRTMAX - 2)

/* VM exits by reason, for --stats. */
struct cabin_kvm_stats {
	unsigned long exits;
	unsigned long syscall_exits;	/* port I/O from the syscall entry */
	unsigned long exception_exits;	/* port I/O from an exception vector */
	unsigned long interrupted;	/* KVM_RUN cut short by a host signal */
	unsigned long other_exits;
	unsigned long ring_exits;	/* doorbell and wait */
	unsigned long refill_exits;	/* the proxy kernel's pool ran dry */
	unsigned long syscalls_forwarded;
	unsigned long syscalls_monitor;	/* answered by the monitor itself */
};

struct cabin_kvm_options {
	char *const *argv;
	char *const *envp;
	const char *path;	/* the program, resolved like execvp */
	int exe_fd;		/* or -1 */
	int kvm_fd;		/* /dev/kvm, opened before the sandbox */
	int fd_floor;		/* descriptors >= it are cabin's own */
	bool stats;
	FILE *log;
	int test_fault;		/* enum cabin_kvm_test_fault */
	bool ring;		/* --forward=ring */
	unsigned int batch;	/* --kvm-batch: pages per grant */
	bool xom;		/* execute-only code with protection keys */
	bool no_smep, no_smap;	/* --unsafe-disable: CR4 without them */
};

/* The ring worker (ring.c). */
struct cabin_kvm_ringer {
	pthread_t thread;
	bool running;
	volatile bool stop;
	unsigned long answered;		/* by the worker, no exit */
	unsigned long fallbacks;	/* sent back to the exit path */
	unsigned long doorbells, waits;	/* exits the ring still needed */
};

struct cabin_kvm_fpu {
	uint64_t frame;		/* the signal frame it belongs to */
	void *xsave;		/* struct kvm_xsave */
};

struct cabin_kvm {
	struct cabin_platform plat;
	struct cabin_proxy *proxy;
	const struct cabin_kvm_options *opt;
	struct cabin_kvm_vm vm;
	struct cabin_kvm_mm mm;
	struct cabin_ksig sig;
	struct cabin_kvm_fwd fwd;
	pid_t pid;
	char comm[16];
	char exe[4096];
	struct cabin_kvm_frame *frame;	/* the trap being handled, or NULL */
	struct cabin_resume resume;	/* what the proxy said last */
	bool killed;			/* by the proxy: kill_sig */
	int kill_sig;
	bool done;			/* the program is gone */
	struct cabin_kvm_fpu fpu[CABIN_KVM_MAX_FPU];
	unsigned int nfpu;
	uint64_t clear_tid;		/* set_tid_address */
	bool test_armed;
	struct cabin_kvm_ringer ringer;
	int64_t clock_shared_ns;	/* when the guest's clock bases were set */
	struct cabin_kvm_stats stats;
};

/*
 * Run the program to its end under proxy.  Returns the status cabin exits
 * with (the program's, 128+N, or 125/126/127 when it never ran).
 */
int cabin_kvm_run(struct cabin_kvm *k, struct cabin_proxy *proxy,
		  const struct cabin_kvm_options *o);
void cabin_kvm_free(struct cabin_kvm *k);

/* The platform operations (kvm_ops.c). */
extern const struct cabin_platform_ops cabin_kvm_ops;

/* Syscalls the monitor answers itself (sys.c); -ENOSYS for the rest. */
bool cabin_kvm_sys_handles(long nr);
long cabin_kvm_sys(struct cabin_kvm *k, long nr, const uint64_t a[6]);

/* execve from the program (sys.c): 0 when the new image runs. */
long cabin_kvm_sys_execve(struct cabin_kvm *k, long nr, const uint64_t a[6]);

/* Asynchronous forwarding (ring.c). */
int cabin_kvm_ring_start(struct cabin_kvm *k);
void cabin_kvm_ring_stop(struct cabin_kvm *k);
void cabin_kvm_ring_doorbell(struct cabin_kvm *k);
void cabin_kvm_ring_wait(struct cabin_kvm *k);
void cabin_kvm_ring_interrupt(struct cabin_kvm *k);

/* The time limit was reached: the program must end now. */
bool cabin_kvm_timed_out(void);

/* Host signals that arrived, queued for the program; true if any. */
bool cabin_kvm_take_host_signals(struct cabin_kvm *k);

/* A descriptor the program just opened, or -EACCES when it is one of the
 * monitor's own /proc files (closed then). */
long cabin_kvm_check_new_fd(struct cabin_kvm *k, long fd);

/* Bytes the monitor sends on from, for cabin to write to to. */
struct cabin_kvm_pump {
	int from, to;
};

/*
 * In cabin, outside the sandbox: copy what the monitor's process sends
 * through the pumps until it is gone, and wait for it, passing on the
 * signals cabin gets; it is ended after timeout seconds (0: never), then
 * *timed_out.  Returns its wait status or -errno.
 */
int cabin_kvm_supervise(pid_t child, unsigned long timeout,
			const struct cabin_kvm_pump *pumps, size_t npumps,
			bool *timed_out);

/* The descriptor floor (fds.c), raising RLIMIT_NOFILE to make room. */
int cabin_kvm_fd_floor(void);
/* fd moved to >= floor (close-on-exec); the new number or -errno. */
int cabin_kvm_move_fd(int fd, int floor);
void cabin_kvm_close_cloexec_below(int floor);

/* Read (or, with set, write) one MSR of the vCPU; 0 or -EIO. */
int cabin_kvm_msr(struct cabin_kvm *k, uint32_t index, uint64_t *val,
		  bool set);

/* comm from a path, as Linux takes it from the file name at exec. */
void cabin_kvm_set_comm(struct cabin_kvm *k, const char *path);

/* The vCPU's FPU state, saved and put back around a signal handler. */
void cabin_kvm_fpu_push(struct cabin_kvm *k, uint64_t frame);
void cabin_kvm_fpu_pop(struct cabin_kvm *k, uint64_t frame);
int cabin_kvm_fxsave(struct cabin_kvm *k, uint8_t fx[512]);

#endif
