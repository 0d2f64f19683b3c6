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
#include <sys/socket.h>
#include <sys/uio.h>

#include "platform/kvm/forward/forward.h"
#include "platform/kvm/vmm/gmem.h"

/* What one argument of a forwarded syscall is. */
enum cabin_kvm_arg_kind {
	CABIN_KVM_ARG_NONE,	/* unused or the handler's: host sees 0 */
	CABIN_KVM_ARG_INT,	/* passed as the program gave it */
	CABIN_KVM_ARG_FD,	/* below fd_floor, else -EBADF */
	CABIN_KVM_ARG_DIRFD,	/* the same, AT_FDCWD allowed */
	CABIN_KVM_ARG_STR,	/* a name, NUL-terminated, copied (PATH_MAX) */
	CABIN_KVM_ARG_PATH,	/* a path: copied, then made safe (path below) */
	CABIN_KVM_ARG_IN,	/* buffer the host reads */
	CABIN_KVM_ARG_OUT,	/* buffer the host writes */
	CABIN_KVM_ARG_INOUT,
	CABIN_KVM_ARG_IOV_IN,	/* iovecs whose buffers the host reads */
	CABIN_KVM_ARG_IOV_OUT,	/* iovecs whose buffers the host writes */
};

/* Flags of an argument. */
#define CABIN_KVM_ARG_OPT	0x1	/* NULL allowed, passed as NULL */
#define CABIN_KVM_ARG_NINT	0x2	/* C int count: < 0 is -EINVAL */
#define CABIN_KVM_ARG_WR	0x4	/* path: the call changes what it names */

/*
 * How a path argument's last component is taken: what the host's call
 * would follow is what a magic link must not lead through to the
 * monitor's objects (forward_path.c).  The _AT ones look at the flags in
 * argument ref.
 */
enum cabin_kvm_path_kind {
	CABIN_KVM_PATH_FOLLOW,		/* followed: stat, truncate, chmod */
	CABIN_KVM_PATH_NOFOLLOW,	/* not, save a trailing slash: lstat */
	CABIN_KVM_PATH_ENTRY,		/* a directory entry: unlink, mkdir */
	CABIN_KVM_PATH_AT_NOFOLLOW,	/* NOFOLLOW with AT_SYMLINK_NOFOLLOW */
	CABIN_KVM_PATH_AT_FOLLOW,	/* FOLLOW with AT_SYMLINK_FOLLOW only */
	CABIN_KVM_PATH_IN_NOFOLLOW,	/* NOFOLLOW with IN_DONT_FOLLOW */
	CABIN_KVM_PATH_OWN,		/* the handler resolves it (open) */
};

#define CABIN_KVM_NOREF		0xff

/*
 * A buffer is size bytes when ref is CABIN_KVM_NOREF, else the count in
 * argument ref times size bytes; an iovec array has the count in ref.
 */
struct cabin_kvm_arg {
	uint8_t kind;
	uint8_t flags;
	uint8_t ref;
	uint8_t path;		/* enum cabin_kvm_path_kind, for a path */
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
/* Descriptors a call holds until it ends: its paths and one socket name. */
#define CABIN_KVM_MAX_PIN	(CABIN_KVM_MAX_STR + 1)
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
	/* The monitor's descriptors the paths were pinned at, closed after. */
	unsigned int npin;
	int pin[CABIN_KVM_MAX_PIN];
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
 * forward_path.c: where a path leads, for the program.  Its open, the
 * host's openat2 (-errno).
 */
struct open_how;
long cabin_kvm_fwd_openat2(const struct cabin_kvm_fwd *f, int dfd,
			   const char *path, const struct open_how *how);
/* Read (1) and write (2) of open flags (O_TRUNC writes); O_PATH: none. */
unsigned int cabin_kvm_fwd_access(unsigned int flags);
/*
 * The object (dfd, path) names through a magic link, if the program's:
 * a descriptor of the monitor's (>= fd_floor) for it, which the caller
 * closes.  The program's are what it holds below the floor, open for at
 * least want (as cabin_kvm_fwd_access), and its own file for the
 * monitor's binary (*exe set, when exe is not NULL).  -EACCES for
 * anything else; follow: the last component too, else a symlink there
 * is -ELOOP.
 */
long cabin_kvm_fwd_magic(const struct cabin_kvm_fwd *f, int dfd,
			 const char *path, bool follow, unsigned int want,
			 bool *exe);
/*
 * The directory path's last component is in, resolved as the program's
 * (never to the monitor's objects), as a descriptor of the monitor's for
 * the caller to close; *name the last component.  -errno as Linux would
 * give the program, or -EACCES for what a magic link leads to that is
 * not the program's.
 */
long cabin_kvm_fwd_pin_parent(const struct cabin_kvm_fwd *f, int dfd,
			      const char *path, const char **name);
/*
 * NAME in directory dir (pinned), not followed: 0, or -ENOENT when it is
 * a magic link of /proc whose object is not the program's.
 */
int cabin_kvm_fwd_proc_link(const struct cabin_kvm_fwd *f, int dir,
			    const char *name);
/*
 * path (PATH_MAX bytes, from dfd) rewritten as the monitor's descriptor
 * *pinned for it ("/proc/self/fd/D" for a last component the call takes
 * as kind says it follows, "/proc/self/fd/P/NAME" for one it does not),
 * so the host's call cannot pass a magic link to the monitor's objects;
 * want: the access a magic link's object must be held with (2: write).
 * 0 (*pinned -1 when nothing was pinned) or -errno as Linux would give
 * the program.  *exe, when exe is not NULL: it named the monitor's binary.
 */
int cabin_kvm_fwd_resolve(const struct cabin_kvm_fwd *f, int dfd,
			  char *path, unsigned int kind, unsigned int want,
			  int *pinned, bool *exe);
/*
 * A unix socket's file name in addr (len bytes) made the same way, for a
 * bind (entry: the name is made) or a connect or send (the socket file
 * is followed to); *pinned to close after the call, or -1.
 */
struct sockaddr_storage;
int cabin_kvm_fwd_sun_path(const struct cabin_kvm_fwd *f,
			   struct sockaddr_storage *addr, socklen_t *len,
			   bool entry, int *pinned);
/*
 * Path argument i of c (its dirfd the argument before it, if a DIRFD),
 * rewritten so the host's call cannot pass a magic link to the monitor's
 * objects: 0 or -errno as Linux would give the program.
 */
int cabin_kvm_fwd_path(struct cabin_kvm_call *c, int i,
		       const struct cabin_kvm_fwd_entry *e);

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

long cabin_kvm_fwd_bind(struct cabin_kvm_call *c);
long cabin_kvm_fwd_connect(struct cabin_kvm_call *c);
long cabin_kvm_fwd_sendto(struct cabin_kvm_call *c);
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
