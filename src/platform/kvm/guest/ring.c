/*
 * The proxy kernel's side of asynchronous forwarding: a syscall the
 * monitor marked eligible is posted to the shared slot and answered by
 * the monitor's worker thread while this vCPU spins, with no VM exit
 * unless the worker sleeps (doorbell) or the call outlasts the spin.
 */
#include <stdint.h>

#include "platform/kvm/shared/abi.h"
#include "platform/kvm/guest/guest.h"

static volatile struct cabin_kvm_ring *const ring =
	(volatile struct cabin_kvm_ring *)CABIN_KVM_RING;

static int eligible(uint64_t nr)
{
	return ring->on && nr < CABIN_KVM_LOCAL_MAX &&
	       (ring->eligible[nr / 8] & (1u << (nr % 8)));
}

int cabin_guest_ring(struct cabin_kvm_frame *f)
{
	uint32_t seq;
	unsigned long spins = 0;
	int64_t ret;

	if (!eligible(f->rax))
		return 0;
	ring->nr = f->rax;
	ring->args[0] = f->rdi;
	ring->args[1] = f->rsi;
	ring->args[2] = f->rdx;
	ring->args[3] = f->r10;
	ring->args[4] = f->r8;
	ring->args[5] = f->r9;
	seq = ring->req_seq + 1;
	/* The request before the sequence; the sequence before the check. */
	__asm__ volatile("" : : : "memory");
	ring->req_seq = seq;
	__asm__ volatile("mfence" : : : "memory");
	if (ring->worker_sleeping)
		out32(CABIN_KVM_PORT_DOORBELL, seq);
	while (ring->resp_seq != seq) {
		__asm__ volatile("pause" : : : "memory");
		if (++spins == CABIN_KVM_RING_SPIN)
			out32(CABIN_KVM_PORT_WAIT, seq);
	}
	__asm__ volatile("" : : : "memory");
	ret = ring->ret;
	if (ret == CABIN_KVM_RING_FALLBACK)
		return 0;
	f->rax = (uint64_t)ret;
	return 1;
}
