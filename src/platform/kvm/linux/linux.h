/*
 * The Linux personality of the kvm monitor (linux/): the program's
 * process and threads as Linux would keep them, every trap turned into
 * the core's events and what the router allows performed (answered
 * here, or forwarded: forward/).  It reaches the VM and its vCPUs only
 * through vmm/vm.h.
 */
#ifndef CABIN_PLATFORM_KVM_LINUX_LINUX_H
#define CABIN_PLATFORM_KVM_LINUX_LINUX_H

#include <stdbool.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <sys/types.h>

#include "core/platform.h"
#include "core/proxy.h"
#include "platform/kvm/linux/family.h"
#include "platform/kvm/forward/forward.h"
#include "platform/kvm/linux/ksignal.h"
#include "platform/kvm/linux/mm.h"
#include "platform/kvm/vmm/signals.h"
#include "platform/kvm/vmm/vm.h"

#define CABIN_KVM_MAX_FPU	8

/* VM exits by reason, for --stats. */
struct cabin_kvm_stats {
	unsigned long exits;
	unsigned long syscall_exits;	/* port I/O from the syscall entry */
	unsigned long exception_exits;	/* port I/O from an exception vector */
	unsigned long interrupted;	/* KVM_RUN cut short by a host signal */
	unsigned long other_exits;
	unsigned long ring_exits;	/* doorbell and wait */
	unsigned long refill_exits;	/* the proxy kernel's pool ran dry */
	unsigned long release_exits;	/* the proxy kernel gave frames back */
	unsigned long syscalls_forwarded;
	unsigned long syscalls_monitor;	/* answered by the monitor itself */
};

struct cabin_kvm;

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
	int gdb_fd;		/* --gdb: the debugger's connection, or -1 */
	/* In a monitor just forked with its program (cabin's records). */
	void (*forked)(void *ctx);
	/* Its end: records handed on, and gone as its program went. */
	void (*forked_end)(void *ctx, struct cabin_kvm *k)
		__attribute__((noreturn));
	void *hook_ctx;
};

struct cabin_kvm_fpu {
	uint64_t frame;		/* the signal frame it belongs to */
	void *xsave;		/* struct kvm_xsave */
};

struct cabin_kvm;
struct cabin_kvm_gdb;

/* One thread of the program: a vCPU, run by a host thread of its own. */
struct cabin_kvm_thread {
	struct cabin_kvm *k;
	unsigned int cpu;		/* its per-CPU page, TSS and stacks */
	pid_t tid;			/* its host thread's: unique in the run */
	int vcpu;
	struct kvm_run *run;
	pthread_t host;
	sem_t started;			/* the host thread knows its tid */
	bool exited;			/* gone, or going: its loop ends */
	bool host_done;			/* its host thread is gone: slot free */
	int in_guest;			/* in KVM_RUN (atomic) */
	struct cabin_kvm_frame *frame;	/* the trap being handled, or NULL */
	struct cabin_resume resume;	/* what the proxy said last */
	bool killed;			/* by the proxy: kill_sig */
	int kill_sig;
	struct cabin_ksig sig;		/* dispositions are the process's */
	struct cabin_kvm_fpu fpu[CABIN_KVM_MAX_FPU];
	unsigned int nfpu;
	uint64_t clear_tid;		/* set_tid_address */
	bool gdb_step;			/* TF is gdb's single step */
	bool gdb_held;			/* gdb keeps it stopped (atomic) */
};

struct cabin_kvm {
	struct cabin_platform plat;
	struct cabin_proxy *proxy;
	const struct cabin_kvm_options *opt;
	struct cabin_kvm_vm vm;
	struct cabin_kvm_mm mm;
	struct cabin_kvm_fwd fwd;
	pid_t pid;
	char comm[16];
	char exe[4096];
	/*
	 * The monitor lock: held by the thread whose trap is being handled
	 * (cur), let go only while a vCPU runs or a host call blocks.
	 */
	pthread_mutex_t lock;
	pthread_cond_t changed;		/* a thread ended */
	struct cabin_kvm_thread *cur;
	struct cabin_kvm_thread *threads[CABIN_KVM_MAX_CPUS];	/* by cpu */
	/*
	 * What a host thread runs, and the process's last steps (run.c):
	 * the threads (thread.c) call up into the run loop only through
	 * these.
	 */
	void (*vcpu_loop)(struct cabin_kvm_thread *t);
	int (*process_end)(struct cabin_kvm *k);
	unsigned int hosts;		/* host threads in a vCPU loop */
	pthread_t main_host;		/* the one that ends the process */
	bool done;			/* the program is gone */
	/* Signals for the process that every thread blocks, for now. */
	uint64_t proc_pending;
	siginfo_t proc_info[65];
	int failed;			/* a VM failure's status, else -1 */
	bool test_armed;
	struct cabin_kvm_ringer ringer;
	int64_t clock_shared_ns;	/* when the guest's clock bases were set */
	struct cabin_kvm_stats stats;
	struct cabin_kvm_family family;	/* the run's other monitors */
	pid_t parent;			/* 0 in the run's first monitor */
	struct cabin_kvm_gdb *gdb;	/* --gdb (gdb.h), or NULL */
};

/* Threads (thread.c): the monitor lock, and the vCPUs' host threads. */
void cabin_kvm_enter(struct cabin_kvm_thread *t);	/* t is cur */
void cabin_kvm_leave(struct cabin_kvm_thread *t);
/*
 * Around a host call that may block, in the thread holding the lock;
 * begin is false when the process is ending or a host signal waits (its
 * kick may have come before the call): the call is not to be made, it
 * fails EINTR (restarted unless a signal is to be delivered).
 */
bool cabin_kvm_block_begin(struct cabin_kvm *k);
void cabin_kvm_block_end(struct cabin_kvm *k);
/* Thread 0, the program's first, on this host thread; the lock held. */
int cabin_kvm_threads_init(struct cabin_kvm *k);
unsigned int cabin_kvm_live_threads(const struct cabin_kvm *k);
/* A signal sent to the process: to a thread that takes it. */
void cabin_kvm_signal_process(struct cabin_kvm *k, const siginfo_t *si);
/* cur takes what waits for the process and it does not block. */
bool cabin_kvm_claim_signals(struct cabin_kvm *k);
struct cabin_kvm_thread *cabin_kvm_thread_by_tid(struct cabin_kvm *k,
						 pid_t tid);
/* Out of KVM_RUN and blocking calls: t, or all but the caller. */
void cabin_kvm_kick(struct cabin_kvm *k, struct cabin_kvm_thread *t);
void cabin_kvm_kick_others(struct cabin_kvm *k);
/* clone with CLONE_THREAD from cur: the new thread's tid, or -errno. */
long cabin_kvm_thread_create(struct cabin_kvm *k, uint64_t flags,
			     uint64_t stack, uint64_t tls);
/* cur ends alone (exit): its tid word cleared and woken. */
void cabin_kvm_thread_gone(struct cabin_kvm *k);
/* The process ends: every other thread stops. */
void cabin_kvm_threads_end(struct cabin_kvm *k);
/* The same, each heard by the core as gone with status. */
void cabin_kvm_end_other_threads(struct cabin_kvm *k, int status);
/* The core hears that thread tid is gone (its EXIT), with status. */
void cabin_kvm_thread_exit_event(struct cabin_kvm *k, pid_t tid, int status);
/* Every other thread out of the guest, waiting for the lock cur holds. */
void cabin_kvm_park_others(struct cabin_kvm *k);
/* The main host thread: until the process is gone and it is alone. */
void cabin_kvm_threads_wait(struct cabin_kvm *k);
/* Every thread's record and vCPU (the VM's first stays the VM's). */
void cabin_kvm_threads_free(struct cabin_kvm *k);
/* In a forked monitor: only cur came along. */
void cabin_kvm_threads_forked(struct cabin_kvm *k);
/* A thread's vCPU loop (run.c); a VM failure's status goes to failed. */
void cabin_kvm_thread_run(struct cabin_kvm_thread *t);
/*
 * The process is gone: its last steps on the main host thread; returns
 * cabin's status in the first monitor, never in a forked one.
 */
int cabin_kvm_process_end(struct cabin_kvm *k);

/* kill to another of the program's processes (pid > 0, a group, -1). */
long cabin_kvm_signal_others(struct cabin_kvm *k, long pid, int sig);
/* wait4 and waitid, on the host: the children are the monitor's. */
long cabin_kvm_wait(struct cabin_kvm *k, long nr, const uint64_t a[6]);

/*
 * The VM just opened is the process's, its first vCPU cur's: their
 * descriptors moved above the floor; 0 or -EMFILE.
 */
int cabin_kvm_adopt_vm(struct cabin_kvm *k);

/*
 * "cabin: " and the line, on the run's log (start.c): a fatal error, or
 * what was asked for (--stats).  Notices go through cabin_proxy_say,
 * which --quiet silences.
 */
void cabin_kvm_say(struct cabin_kvm *k, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/*
 * The VM set up and the program loaded on cur's vCPU (start.c); 0, or
 * the status cabin exits with, said why.
 */
int cabin_kvm_start(struct cabin_kvm *k);
/* The ring worker on the process's slot and forwarder (start.c). */
int cabin_kvm_start_ring(struct cabin_kvm *k);

/* fork, vfork, clone (fork.c): the child's pid, 0 in the child, -errno. */
long cabin_kvm_fork(struct cabin_kvm *k, long nr, const uint64_t a[6]);
/* In a forked monitor: every signal pending was the parent's. */
void cabin_kvm_forked_signals(struct cabin_kvm *k);
/*
 * The page shared with the proxy kernel (share.c): set up once the
 * program is loaded; the ids it answers getpid and getppid with; its
 * clock bases brought up to date when they are old.
 */
struct cabin_kvm_shared *cabin_kvm_shared_page(struct cabin_kvm *k);
void cabin_kvm_share_setup(struct cabin_kvm *k);
void cabin_kvm_share_ids(struct cabin_kvm *k, pid_t parent);
void cabin_kvm_share_clock_refresh(struct cabin_kvm *k);

/* Syscalls the monitor answers itself (sys.c); -ENOSYS for the rest. */
bool cabin_kvm_sys_handles(long nr);
long cabin_kvm_sys(struct cabin_kvm *k, long nr, const uint64_t a[6]);

/* execve from the program (sys.c): 0 when the new image runs. */
long cabin_kvm_sys_execve(struct cabin_kvm *k, long nr, const uint64_t a[6]);

/*
 * Host signals (hostsig.c), caught once at the start: the time limit
 * was reached or SIGKILL carried (the program must end now), the time
 * limit alone, a host signal that no thread has taken yet.
 */
void cabin_kvm_hostsig_catch(void);
bool cabin_kvm_timed_out(void);
bool cabin_kvm_time_limit_reached(void);
bool cabin_kvm_host_signal_pending(void);
/* A host signal sig came that no thread has taken yet. */
bool cabin_kvm_hostsig_has(int sig);
/* The host signal sig if one came (then cleared into *si). */
bool cabin_kvm_hostsig_take(int sig, siginfo_t *si);
/* The vCPU this host thread runs (NULL: none), kicked by a signal. */
void cabin_kvm_hostsig_vcpu(struct kvm_run *run);
/* The process whose other threads a signal kicks, and how (thread.c). */
void cabin_kvm_hostsig_kick(struct cabin_kvm *k,
			    void (*kick)(struct cabin_kvm *k));
/*
 * Shared file pages cut short (cut_short.c): whether gva is one, and
 * taking those still mapped out of the guest (true if there were any).
 */
bool cabin_kvm_cut_short_page(struct cabin_kvm *k, uint64_t gva);
bool cabin_kvm_unmap_cut_short(struct cabin_kvm *k);
/*
 * A page fault (error code error) on such a page whose file has grown
 * back over it: the page is mapped again; true when the program's access
 * is to be retried with no signal.
 */
bool cabin_kvm_cut_short_back(struct cabin_kvm *k, uint64_t gva,
			      unsigned int error);

/* Host signals that arrived, queued for the program (thread.c); true if any. */
bool cabin_kvm_take_host_signals(struct cabin_kvm *k);

/* A descriptor the program just opened, or -EACCES when it is one of the
 * monitor's own /proc files (closed then). */
long cabin_kvm_check_new_fd(struct cabin_kvm *k, long fd);

/* comm from a path, as Linux takes it from the file name at exec (start.c). */
void cabin_kvm_set_comm(struct cabin_kvm *k, const char *path);

/* The vCPU's FPU state, saved and put back around a signal handler. */
void cabin_kvm_fpu_push(struct cabin_kvm *k, uint64_t frame);
void cabin_kvm_fpu_pop(struct cabin_kvm *k, uint64_t frame);
int cabin_kvm_fxsave(struct cabin_kvm *k, uint8_t fx[512]);

#endif
