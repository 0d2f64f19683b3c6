/*
 * Which syscalls the forwarder performs, and the kind of each argument,
 * built from their FWD lines in the syscall table (syscall/x86_64.def).
 * A syscall absent here is never performed for the program: the monitor
 * handles it (memory, threads, signals) or refuses it.  An argument not
 * described is passed to the host as 0, so a forgotten pointer faults
 * instead of reaching the host's memory.
 */
#include <sched.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/time.h>
#include <sys/times.h>
#include <sys/utsname.h>
#include <time.h>
#include <utime.h>

#include "platform/kvm/forward/forward_impl.h"

#define A(k, r, ...) \
	{ .kind = CABIN_KVM_ARG_##k, .ref = r, __VA_ARGS__ }
#define NOREF		CABIN_KVM_NOREF
#define OPT		CABIN_KVM_ARG_OPT
#define NINT		CABIN_KVM_ARG_NINT
#define I		A(INT, NOREF)
#define FD		A(FD, NOREF)
#define DFD		A(DIRFD, NOREF)
#define WR		CABIN_KVM_ARG_WR
/* A name, not resolved: an xattr's, a memfd's, a symlink's target. */
#define NAME		A(STR, NOREF)
/* Paths by how the call takes the last component (forward_path.c). */
#define P_(how, r, ...) \
	A(PATH, r, .path = CABIN_KVM_PATH_##how, __VA_ARGS__)
#define PATH		P_(FOLLOW, NOREF)
#define PATHW		P_(FOLLOW, NOREF, .flags = WR)
#define PATHW0		P_(FOLLOW, NOREF, .flags = WR | OPT)
#define LPATH		P_(NOFOLLOW, NOREF)
#define LPATHW		P_(NOFOLLOW, NOREF, .flags = WR)
#define ENTRY		P_(ENTRY, NOREF)
#define OPATH		P_(OWN, NOREF)
/* AT_SYMLINK_NOFOLLOW in argument r: not followed. */
#define ATPATH(r)	P_(AT_NOFOLLOW, r)
#define ATPATH0(r)	P_(AT_NOFOLLOW, r, .flags = OPT)
#define ATPATHW(r)	P_(AT_NOFOLLOW, r, .flags = WR)
#define ATPATHW0(r)	P_(AT_NOFOLLOW, r, .flags = WR | OPT)
#define X		A(NONE, NOREF)
/* A buffer of one t. */
#define IN(t)		A(IN, NOREF, .size = sizeof(t))
#define IN0(t)		A(IN, NOREF, .size = sizeof(t), .flags = OPT)
#define OUT(t)		A(OUT, NOREF, .size = sizeof(t))
#define OUT0(t)		A(OUT, NOREF, .size = sizeof(t), .flags = OPT)
#define INOUT0(t)	A(INOUT, NOREF, .size = sizeof(t), .flags = OPT)
/* A buffer of as many bytes as argument r says. */
#define IN_N(r)		A(IN, r, .size = 1)
#define IN_N0(r)	A(IN, r, .size = 1, .flags = OPT)
#define OUT_N(r)	A(OUT, r, .size = 1)
/* The same where the count is a C int. */
#define IN_NI(r)	A(IN, r, .size = 1, .flags = NINT)
#define IN_NI0(r)	A(IN, r, .size = 1, .flags = NINT | OPT)
#define OUT_NI(r)	A(OUT, r, .size = 1, .flags = NINT)
/* As many t as the int argument r says. */
#define OUT_TI(r, t)	A(OUT, r, .size = sizeof(t), .flags = NINT)
#define IOV_IN(r)	A(IOV_IN, r)
#define IOV_OUT(r)	A(IOV_OUT, r)

/* The forwarded rows of the syscall table, indexed by number. */
#define FWD(name, res, ...) \
	[SYS_##name] = { .on = 1, .result = CABIN_KVM_RES_##res, \
			 .arg = { __VA_ARGS__ } },
#define FWD_RUN(name, fn, ...) \
	[SYS_##name] = { .on = 1, .run = cabin_kvm_fwd_##fn, \
			 .arg = { __VA_ARGS__ } },
/* The rest of each row is the decoder's and the router's. */
#define SC(name, ...)
#define SC0(name, ...)
#define SC_NODEC(name, ...)
#define SC_RAW(name, ...)

/* Guest and host are both x86-64: the host's structures are the guest's. */
_Static_assert(sizeof(struct stat) == 144, "x86-64 struct stat");
_Static_assert(sizeof(struct epoll_event) == 12, "packed epoll_event");
_Static_assert(sizeof(struct statx) == 256, "struct statx");

typedef struct timespec ts2_t[2];
typedef struct timeval tv2_t[2];

static const struct cabin_kvm_fwd_entry table[] = {
#include "syscall/x86_64.def"
};

#define TABLE_LEN ((long)(sizeof(table) / sizeof(table[0])))

const struct cabin_kvm_fwd_entry *cabin_kvm_fwd_entry(long nr)
{
	if (nr < 0 || nr >= TABLE_LEN || !table[nr].on)
		return NULL;
	return &table[nr];
}

long cabin_kvm_fwd_max_nr(void)
{
	return TABLE_LEN - 1;
}
