/*
 * The kvm platform's entry, as cabin uses it: the program at CPL3 of a
 * KVM guest, the proxy kernel at guest CPL0, and a monitor (linux/)
 * turning every trap into the core's events, run in the sandboxed child
 * that cabin forks; cabin supervises it from outside (host/).  The parts'
 * own headers: vmm/vm.h, linux/linux.h, forward/forward.h,
 * host/supervise.h; the verdict on this host: host/verdict.h.
 */
#ifndef CABIN_PLATFORM_KVM_LINUX_ENTRY_H
#define CABIN_PLATFORM_KVM_LINUX_ENTRY_H

#include "platform/kvm/forward/forward.h"
#include "platform/kvm/linux/family.h"
#include "platform/kvm/linux/linux.h"

/*
 * Run the program to its end under proxy.  Returns the status cabin exits
 * with (the program's, 128+N, or 125/126/127 when it never ran).
 */
int cabin_kvm_run(struct cabin_kvm *k, struct cabin_proxy *proxy,
		  const struct cabin_kvm_options *o);
void cabin_kvm_free(struct cabin_kvm *k);

/*
 * The first monitor, once its program is gone: end the other processes
 * and hand what each monitor saw to fn (cabin's report).  A forked
 * monitor instead sends its bytes with cabin_kvm_family_leave.
 */
void cabin_kvm_end_family(struct cabin_kvm *k,
			  void (*fn)(void *ctx, const void *buf, size_t len),
			  void *ctx);

/* The platform operations (kvm_ops.c). */
extern const struct cabin_platform_ops cabin_kvm_ops;

#endif
