/*
 * The page the monitor shares with the proxy kernel (CABIN_KVM_SHARED):
 * ids, uname, the clock bases at the guest's TSC, and which syscalls the
 * proxy kernel may answer itself without an exit.
 */
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "core/router.h"
#include "platform/kvm/linux/linux.h"
#include "syscall/table.h"

#define CLOCK_REFRESH_NS	10000000ll

struct cabin_kvm_shared *cabin_kvm_shared_page(struct cabin_kvm *k)
{
	return (struct cabin_kvm_shared *)(k->vm.mem.host + CABIN_KVM_SHARED);
}

static int64_t host_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

/* The clock bases, at the guest's TSC of now. */
static void share_clock(struct cabin_kvm *k)
{
	struct cabin_kvm_shared *s = cabin_kvm_shared_page(k);
	uint64_t tsc = 0;

	/* MSR 0x10: IA32_TIME_STAMP_COUNTER, as the guest reads it. */
	if (!s->tsc_mult || cabin_kvm_vcpu_msr(k->cur->vcpu, 0x10, &tsc, false) < 0)
		return;
	s->mono_ns = host_ns(CLOCK_MONOTONIC);
	s->real_ns = host_ns(CLOCK_REALTIME);
	s->boot_ns = host_ns(CLOCK_BOOTTIME);
	s->tsc_base = tsc;
	k->clock_shared_ns = s->mono_ns;
}

void cabin_kvm_share_ids(struct cabin_kvm *k, pid_t parent)
{
	cabin_kvm_shared_page(k)->pid = k->pid;
	cabin_kvm_shared_page(k)->ppid = parent;
	cabin_kvm_vm_percpu(&k->vm, k->cur->cpu)->tid = (uint64_t)k->cur->tid;
}

static void share_if_allowed(struct cabin_kvm *k, int nr)
{
	if (cabin_router_always_allows(k->proxy->router, nr))
		cabin_kvm_shared_page(k)->local[nr / 8] |= (uint8_t)(1u << (nr % 8));
}

/* The calls the syscall table says the proxy kernel answers, else who. */
static void share_answered_by(struct cabin_kvm *k, enum cabin_syscall_kvm who)
{
	int nr;

	for (nr = 0; nr < CABIN_KVM_LOCAL_MAX; nr++) {
		if (cabin_syscall_kvm(nr) == who)
			share_if_allowed(k, nr);
	}
}

/*
 * What the proxy kernel may answer itself: only syscalls the policy lets
 * pass unobserved whatever their arguments, as the process platform's
 * filter lets them pass without a stop.
 */
void cabin_kvm_share_setup(struct cabin_kvm *k)
{
	struct cabin_kvm_shared *s = cabin_kvm_shared_page(k);
	struct utsname u;
	int khz;

	memset(s, 0, sizeof(*s));
	s->user_top = k->vm.user_top;
	cabin_kvm_share_ids(k, getppid());
	if (uname(&u) == 0) {
		memcpy(s->uts[0], u.sysname, 65);
		memcpy(s->uts[1], u.nodename, 65);
		memcpy(s->uts[2], u.release, 65);
		memcpy(s->uts[3], u.version, 65);
		memcpy(s->uts[4], u.machine, 65);
		memcpy(s->uts[5], u.domainname, 65);
	}
	/* Not under W^X or XOM, whose rules only the monitor applies. */
	if (!k->mm.wx && !k->mm.xom)
		share_answered_by(k, CABIN_SYSCALL_KVM_GUEST_MONITOR);
	khz = ioctl(k->cur->vcpu, KVM_GET_TSC_KHZ, 0);
	if (khz <= 0)
		return;	/* no clock here: the guest forwards all of it */
	s->tsc_mult = (uint64_t)((((unsigned __int128)1000000) << 32) /
				 (unsigned)khz);
	share_clock(k);
	/* The kernel's accessor opens with stac: only where SMAP exists. */
	if (k->vm.smap) {
		share_answered_by(k, CABIN_SYSCALL_KVM_GUEST_FORWARDED);
		share_answered_by(k, CABIN_SYSCALL_KVM_GUEST_REFUSED);
	}
}

/* Keep the guest's clock close to the host's. */
void cabin_kvm_share_clock_refresh(struct cabin_kvm *k)
{
	if (host_ns(CLOCK_MONOTONIC) - k->clock_shared_ns > CLOCK_REFRESH_NS)
		share_clock(k);
}
