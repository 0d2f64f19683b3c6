/*
 * What the forwarder's files share: the per-syscall table of argument
 * kinds, the call being forwarded, and the checks every handler uses.
 * Not for use outside src/platform/kvm/forward*.c.
 */
#ifndef CABIN_PLATFORM_KVM_FORWARD_IMPL_H
#define CABIN_PLATFORM_KVM_FORWARD_IMPL_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "platform/kvm/forward.h"
#include "platform/kvm/gmem.h"

/* What one argument of a forwarded syscall is. */
enum cabin_kvm_arg_kind {
	CABIN_KVM_ARG_NONE,	/* unused or the handler's: host sees 0 */
	CABIN_KVM_ARG_INT,	/* passed as the program gave it */
	CABIN_KVM_ARG_FD,	/* below fd_floor, else -EBADF */
	CABIN_KVM_ARG_DIRFD,	/* the same, AT_FDCWD allowed */
	CABIN_KVM_ARG_STR,	/* NUL-terminated, copied (PATH_MAX) */
	CABIN_KVM_ARG_IN,	/* buffer the host reads */
	CABIN_KVM_ARG_OUT,	/* buffer the host writes */
	CABIN_KVM_ARG_INOUT,
	CABIN_KVM_ARG_IOV_IN,	/* iovecs whose buffers the host reads */
	CABIN_KVM_ARG_IOV_OUT,	/* iovecs whose buffers the host writes */
};

/* Flags of an argument. */
#define CABIN_KVM_ARG_OPT	0x1	/* NULL allowed, passed as NULL */
#define CABIN_KVM_ARG_NINT	0x2	/* C int count: < 0 is -EINVAL */

#define CABIN_KVM_NOREF		0xff

/*
 * A buffer is size bytes when ref is CABIN_KVM_NOREF, else the count in
 * argument ref times size bytes; an iovec array has the count in ref.
 */
struct cabin_kvm_arg {
	uint8_t kind;
	uint8_t flags;
	uint8_t ref;
	uint16_t size;
};

/* What the host's result is. */
enum cabin_kvm_res_kind {
	CABIN_KVM_RES_INT,
	/*
	 * A new descriptor: >= fd_floor is -EMFILE.  Which files may be
	 * opened (the monitor's /proc) is the caller's policy, not this.
	 */
	CABIN_KVM_RES_FD,
};

#define CABIN_KVM_MAX_STR	2
/* Host buffers one call holds at once (cabin_kvm_fwd_alloc). */
#define CABIN_KVM_MAX_OWNED	2

struct cabin_kvm_call;

struct cabin_kvm_fwd_entry {
	uint8_t on;
	uint8_t result;
	struct cabin_kvm_arg arg[6];
	/* Performs the call itself, after the table's arguments are ready. */
	long (*run)(struct cabin_kvm_call *c);
};

/* One forwarded syscall: what the program passed, what the host gets. */
struct cabin_kvm_call {
	const struct cabin_kvm_fwd *f;
	long nr;
	uint64_t guest[6];
	long host[6];
	unsigned int nstr;
	bool self_exe;		/* a path named /proc/self/exe: now the program's */
	char str[CABIN_KVM_MAX_STR][PATH_MAX];
	struct iovec iov[IOV_MAX];
	void *owned[CABIN_KVM_MAX_OWNED];	/* freed when the call ends */
};

/* The table (forward_table.c); NULL for a syscall not forwarded. */
const struct cabin_kvm_fwd_entry *cabin_kvm_fwd_entry(long nr);
/* Largest number the table can hold, for its tests. */
long cabin_kvm_fwd_max_nr(void);

/* forward.c: the pieces handlers reuse. */
/* syscall nr on the host, -errno on failure, letting other threads run. */
long cabin_kvm_fwd_host(const struct cabin_kvm_fwd *f, long nr,
			const long a[6]);
long cabin_kvm_fwd_syscall(const struct cabin_kvm_call *c);
long cabin_kvm_fwd_new_fd(const struct cabin_kvm_fwd *f, long fd);
int cabin_kvm_fwd_fd_ok(const struct cabin_kvm_fwd *f, uint64_t arg);
/*
 * A host buffer for the call, freed with cabin_kvm_fwd_free or, at the
 * latest, when the call ends, also when it ends early because the host
 * stopped backing a page of the program's (cabin_kvm_forward): NULL when
 * out of memory or slots.
 */
void *cabin_kvm_fwd_alloc(struct cabin_kvm_call *c, size_t len);
void cabin_kvm_fwd_free(struct cabin_kvm_call *c, void *p);
/*
 * Write n bytes to host pointer dst in guest memory (translated before):
 * 0, or -EFAULT when the host no longer backs the page.  For results
 * whose loss must be undone (new descriptors); any other access to guest
 * memory that faults ends the call with EFAULT.
 */
int cabin_kvm_fwd_put(const struct cabin_kvm_call *c, void *dst,
		      const void *src, size_t n);

/*
 * forward_msg.c: translate the n guest iovecs at gva into out[] (n is at
 * most IOV_MAX), each buffer checked for access; -EFAULT on any bad one.
 */
int cabin_kvm_fwd_iov(const struct cabin_gmem *g, uint64_t gva, uint64_t n,
		      unsigned int access, struct iovec *out);

/* The handlers, each in the file of its concept. */
long cabin_kvm_fwd_fcntl(struct cabin_kvm_call *c);
long cabin_kvm_fwd_close_range(struct cabin_kvm_call *c);
long cabin_kvm_fwd_pipe(struct cabin_kvm_call *c);
long cabin_kvm_fwd_socketpair(struct cabin_kvm_call *c);
long cabin_kvm_fwd_mknod(struct cabin_kvm_call *c);

long cabin_kvm_fwd_poll(struct cabin_kvm_call *c);
long cabin_kvm_fwd_ppoll(struct cabin_kvm_call *c);
long cabin_kvm_fwd_select(struct cabin_kvm_call *c);
long cabin_kvm_fwd_pselect6(struct cabin_kvm_call *c);

long cabin_kvm_fwd_sendmsg(struct cabin_kvm_call *c);
long cabin_kvm_fwd_recvmsg(struct cabin_kvm_call *c);
long cabin_kvm_fwd_sendmmsg(struct cabin_kvm_call *c);
long cabin_kvm_fwd_recvmmsg(struct cabin_kvm_call *c);

long cabin_kvm_fwd_sockname(struct cabin_kvm_call *c);
long cabin_kvm_fwd_accept(struct cabin_kvm_call *c);
long cabin_kvm_fwd_recvfrom(struct cabin_kvm_call *c);
long cabin_kvm_fwd_setsockopt(struct cabin_kvm_call *c);
long cabin_kvm_fwd_getsockopt(struct cabin_kvm_call *c);

long cabin_kvm_fwd_ioctl(struct cabin_kvm_call *c);
long cabin_kvm_fwd_futex(struct cabin_kvm_call *c);

long cabin_kvm_fwd_getrlimit(struct cabin_kvm_call *c);
long cabin_kvm_fwd_setrlimit(struct cabin_kvm_call *c);
long cabin_kvm_fwd_prlimit64(struct cabin_kvm_call *c);
long cabin_kvm_fwd_self_pid(struct cabin_kvm_call *c);
long cabin_kvm_fwd_readlink(struct cabin_kvm_call *c);
long cabin_kvm_fwd_open(struct cabin_kvm_call *c);
long cabin_kvm_fwd_priority(struct cabin_kvm_call *c);
long cabin_kvm_fwd_capget(struct cabin_kvm_call *c);

#endif
