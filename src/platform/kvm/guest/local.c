/*
 * Syscalls the proxy kernel answers without leaving the guest, when the
 * monitor says the policy lets them pass unobserved: the clock (from the
 * TSC and the bases the monitor keeps), the program's ids, uname, getcpu.
 * Results reach the program only through cabin_guest_copy_to_user.
 */
#include <stdint.h>

#include "platform/kvm/shared/abi.h"
#include "platform/kvm/guest/guest.h"

#define SYS_GETPID		39
#define SYS_UNAME		63
#define SYS_GETTIMEOFDAY	96
#define SYS_GETPPID		110
#define SYS_GETTID		186
#define SYS_TIME		201
#define SYS_CLOCK_GETTIME	228
#define SYS_GETCPU		309
#define EFAULT			14
#define NSEC			1000000000ll

static volatile struct cabin_kvm_shared *const shared =
	(volatile struct cabin_kvm_shared *)CABIN_KVM_SHARED;

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static int64_t since_base(void)
{
	uint64_t d = rdtsc() - shared->tsc_base;

	if ((int64_t)d < 0)
		return 0;
	return (int64_t)(((unsigned __int128)d * shared->tsc_mult) >> 32);
}

/* Nanoseconds on a clock the kernel keeps here, or -1 for the others. */
static int64_t clock_ns(uint64_t id)
{
	int64_t d = since_base(), t;

	switch (id) {
	case 0:	/* CLOCK_REALTIME */
	case 5:	/* CLOCK_REALTIME_COARSE */
		return shared->real_ns + d;
	case 1:	/* CLOCK_MONOTONIC */
	case 4:	/* CLOCK_MONOTONIC_RAW */
	case 6:	/* CLOCK_MONOTONIC_COARSE */
		t = shared->mono_ns + d;
		if (t < shared->last_mono)
			t = shared->last_mono;
		shared->last_mono = t;
		return t;
	case 7:	/* CLOCK_BOOTTIME */
		return shared->boot_ns + d;
	}
	return -1;
}

/* A user range the copy may try: below user_top, not wrapping. */
static int user_ok(uint64_t addr, uint64_t len)
{
	return addr >= CABIN_KVM_USER_MIN && addr + len >= addr &&
	       addr + len <= shared->user_top;
}

static long put_user(uint64_t addr, const void *src, uint64_t len)
{
	if (!user_ok(addr, len))
		return -EFAULT;
	return cabin_guest_copy_to_user((void *)addr, src, len);
}

static long timespec_out(uint64_t addr, int64_t ns)
{
	int64_t ts[2] = { ns / NSEC, ns % NSEC };

	return put_user(addr, ts, sizeof(ts));
}

static long gettimeofday_out(uint64_t tv, uint64_t tz)
{
	int64_t ns = clock_ns(0), out[2] = { ns / NSEC, (ns % NSEC) / 1000 };
	int32_t zone[2] = { 0, 0 };
	long err = 0;

	if (tv)
		err = put_user(tv, out, sizeof(out));
	if (!err && tz)
		err = put_user(tz, zone, sizeof(zone));
	return err;
}

static long time_out(uint64_t t)
{
	int64_t s = clock_ns(0) / NSEC;
	long err = t ? put_user(t, &s, sizeof(s)) : 0;

	return err ? err : s;
}

static long getcpu_out(uint64_t cpu, uint64_t node)
{
	uint32_t zero = 0;
	long err = 0;

	if (cpu)
		err = put_user(cpu, &zero, sizeof(zero));
	if (!err && node)
		err = put_user(node, &zero, sizeof(zero));
	return err;
}

static long uname_out(uint64_t buf)
{
	char copy[6 * 65];
	int i;

	for (i = 0; i < (int)sizeof(copy); i++)
		copy[i] = shared->uts[i / 65][i % 65];
	return put_user(buf, copy, sizeof(copy));
}

int cabin_guest_allowed(uint64_t nr)
{
	return nr < CABIN_KVM_LOCAL_MAX &&
	       (shared->local[nr / 8] & (1u << (nr % 8)));
}

int cabin_guest_local(struct cabin_kvm_frame *f)
{
	uint64_t nr = f->rax;
	long ret;

	if (!cabin_guest_allowed(nr))
		return 0;
	switch (nr) {
	case SYS_GETPID:
		ret = shared->pid;
		break;
	case SYS_GETTID:
		__asm__ volatile("movq %%gs:%c1, %0" : "=r"(ret)
				 : "i"(CABIN_KVM_PERCPU_TID));
		break;
	case SYS_GETPPID:
		ret = shared->ppid;
		break;
	case SYS_CLOCK_GETTIME: {
		int64_t ns = clock_ns(f->rdi);

		if (ns < 0)
			return 0;	/* a clock the monitor knows */
		ret = timespec_out(f->rsi, ns);
		break;
	}
	case SYS_GETTIMEOFDAY:
		ret = gettimeofday_out(f->rdi, f->rsi);
		break;
	case SYS_TIME:
		ret = time_out(f->rdi);
		break;
	case SYS_GETCPU:
		ret = getcpu_out(f->rdi, f->rsi);
		break;
	case SYS_UNAME:
		ret = uname_out(f->rdi);
		break;
	default:
		return 0;
	}
	f->rax = (uint64_t)ret;
	__atomic_add_fetch(&shared->local_calls, 1, __ATOMIC_RELAXED);
	return 1;
}
