/*
 * The syscall forwarder of the kvm platform: a syscall the program makes
 * in the guest is performed by the monitor on the host, on its behalf,
 * once every guest pointer in it has been checked against the program's
 * own mappings and every descriptor against the monitor's.
 */
#ifndef CABIN_PLATFORM_KVM_FORWARD_H
#define CABIN_PLATFORM_KVM_FORWARD_H

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "platform/kvm/shared/abi.h"
#include "platform/kvm/vmm/signals.h"

struct cabin_gmem;
struct cabin_router;

struct cabin_kvm_fwd {
	const struct cabin_gmem *mem;
	int fd_floor;		/* descriptors >= fd_floor are the monitor's */
	/*
	 * Around a host call that may block (begin, then !begin): the
	 * program's other threads go on meanwhile.  NULL: nothing to do.
	 * false at the begin: the process is ending, the call fails EINTR.
	 */
	bool (*blocking)(void *ctx, bool begin);
	void *ctx;
	const char *exe;	/* the program's file, which /proc/self/exe names */
};

/*
 * The program's path at gva into buf (cap bytes with the NUL), with
 * /proc/self/exe and its aliases made exe (the program's file, not the
 * monitor's): its length, CABIN_KVM_SELF_EXE when it was such an alias,
 * or cabin_gmem_string's error.
 */
#define CABIN_KVM_SELF_EXE	((ssize_t)-4096 - 2)
ssize_t cabin_kvm_program_path(const struct cabin_gmem *g, const char *exe,
			       uint64_t gva, char *buf, size_t cap);

/* True when nr (x86-64 number) is one the forwarder performs. */
bool cabin_kvm_fwd_handles(long nr);

/*
 * Perform syscall nr with the program's six arguments on the host after
 * validating and translating every guest pointer; the result or -errno.
 * -ENOSYS when !cabin_kvm_fwd_handles(nr).
 */
long cabin_kvm_forward(const struct cabin_kvm_fwd *f, long nr,
		       const uint64_t args[6]);

/*
 * Open path (dfd-relative) for the program with how: a path through a
 * magic link of /proc (exe, cwd, fd/N, ...) opens only what the program
 * holds below fd_floor, for no more access; else -EACCES.  strict: no
 * fallback to openat on a host without openat2.  The host's fd or -errno.
 */
struct open_how;
long cabin_kvm_fwd_open_path(const struct cabin_kvm_fwd *f, int dfd,
			     const char *path, const struct open_how *how,
			     bool strict);

/* The ring worker (ring.c), serving the slot the proxy kernel posts to. */
struct cabin_kvm_ringer {
	pthread_t thread;
	bool running;
	volatile bool stop;
	struct cabin_kvm_ring *slot;	/* in guest kernel memory */
	const struct cabin_kvm_fwd *fwd;
	unsigned long answered;		/* by the worker, no exit */
	unsigned long fallbacks;	/* sent back to the exit path */
	unsigned long doorbells, waits;	/* exits the ring still needed */
};

/*
 * Asynchronous forwarding (ring.c): the worker started on slot for the
 * calls router lets pass unobserved, 0 or -errno; stopped; the proxy
 * kernel's doorbell and wait exits; a host signal for the call it blocks
 * in.
 */
int cabin_kvm_ring_start(struct cabin_kvm_ringer *rg,
			 struct cabin_kvm_ring *slot,
			 const struct cabin_kvm_fwd *fwd,
			 const struct cabin_router *router);
void cabin_kvm_ring_stop(struct cabin_kvm_ringer *rg);
void cabin_kvm_ring_doorbell(struct cabin_kvm_ringer *rg);
void cabin_kvm_ring_wait(struct cabin_kvm_ringer *rg);
void cabin_kvm_ring_interrupt(struct cabin_kvm_ringer *rg);
/* The slot serves one vCPU: with threads, syscalls take the exit path. */
void cabin_kvm_ring_off(struct cabin_kvm_ringer *rg);

/* The descriptor floor (fds.c), raising RLIMIT_NOFILE to make room. */
int cabin_kvm_fd_floor(void);
/* fd moved to >= floor (close-on-exec); the new number or -errno. */
int cabin_kvm_move_fd(int fd, int floor);
void cabin_kvm_close_cloexec_below(int floor);

#endif
