/*
 * The monitor's side of asynchronous forwarding (--forward=ring): a
 * worker thread polls the shared slot, performs eligible syscalls with
 * the forwarder and answers in place, spinning first and sleeping on a
 * futex after, so a busy program's calls cost no VM exit.  Only calls the
 * policy lets pass unobserved are eligible: the core is never entered
 * from the worker.
 */
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/router.h"
#include "platform/kvm/forward/forward.h"
#include "platform/kvm/vmm/monitor_fault.h"

#define WORKER_SPIN	20000

static long futex(uint32_t *word, int op, uint32_t val)
{
	return syscall(SYS_futex, word, op | FUTEX_PRIVATE_FLAG, val, NULL,
		       NULL, 0);
}

static uint32_t load(const uint32_t *w)
{
	return __atomic_load_n(w, __ATOMIC_ACQUIRE);
}

static void store(uint32_t *w, uint32_t v)
{
	__atomic_store_n(w, v, __ATOMIC_RELEASE);
}

/* A call the worker cannot finish as Linux would goes the exit path. */
static void serve(struct cabin_kvm_ringer *rg, struct cabin_kvm_ring *r)
{
	uint64_t args[6];
	long ret;

	memcpy(args, (const void *)r->args, sizeof(args));
	ret = cabin_kvm_forward(rg->fwd, (long)r->nr, args);
	if (ret == -EPIPE || ret == -EINTR) {
		ret = CABIN_KVM_RING_FALLBACK;
		rg->fallbacks++;
	} else {
		rg->answered++;
	}
	r->ret = ret;
}

static bool pending(struct cabin_kvm_ring *r)
{
	return load(&r->req_seq) != load(&r->resp_seq);
}

/* Spin a while, then sleep until the doorbell; false when told to stop. */
static bool await_request(struct cabin_kvm_ringer *rg,
			  struct cabin_kvm_ring *r)
{
	int i;

	for (i = 0; i < WORKER_SPIN; i++) {
		if (rg->stop)
			return false;
		if (pending(r))
			return true;
		__builtin_ia32_pause();
	}
	store(&r->worker_sleeping, 1);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!pending(r) && !rg->stop)
		futex(&r->worker_sleeping, FUTEX_WAIT, 1);
	store(&r->worker_sleeping, 0);
	return !rg->stop;
}

static void *worker(void *arg)
{
	struct cabin_kvm_ringer *rg = arg;
	struct cabin_kvm_ring *r = rg->slot;
	sigset_t all;

	/* Host signals go to the vCPU thread; this one only hears the kick. */
	cabin_kvm_fault_blockable(&all);
	sigdelset(&all, CABIN_KVM_SIG_KICK);
	pthread_sigmask(SIG_SETMASK, &all, NULL);
	while (await_request(rg, r)) {
		uint32_t seq = load(&r->req_seq);

		if (seq == load(&r->resp_seq))
			continue;
		serve(rg, r);
		store(&r->resp_seq, seq);
		futex(&r->resp_seq, FUTEX_WAKE, 1);
	}
	return NULL;
}

static bool eligible(const struct cabin_router *router, int nr)
{
	/* Opens are checked by the monitor after the fact, on its thread. */
	if (nr == SYS_open || nr == SYS_openat || nr == SYS_openat2 ||
	    nr == SYS_creat)
		return false;
	return cabin_kvm_fwd_handles(nr) &&
	       cabin_router_always_allows(router, nr);
}

int cabin_kvm_ring_start(struct cabin_kvm_ringer *rg,
			 struct cabin_kvm_ring *slot,
			 const struct cabin_kvm_fwd *fwd,
			 const struct cabin_router *router)
{
	struct cabin_kvm_ring *r = slot;
	int nr, err;

	rg->slot = slot;
	rg->fwd = fwd;
	memset(r, 0, sizeof(*r));
	for (nr = 0; nr < CABIN_KVM_LOCAL_MAX; nr++)
		if (eligible(router, nr))
			r->eligible[nr / 8] |= (uint8_t)(1u << (nr % 8));
	err = pthread_create(&rg->thread, NULL, worker, rg);
	if (err)
		return -err;
	rg->running = true;
	r->on = 1;
	return 0;
}

void cabin_kvm_ring_off(struct cabin_kvm_ringer *rg)
{
	if (rg->running)
		rg->slot->on = 0;
}

void cabin_kvm_ring_doorbell(struct cabin_kvm_ringer *rg)
{
	rg->doorbells++;
	futex(&rg->slot->worker_sleeping, FUTEX_WAKE, 1);
}

/* The call blocks on the host: its signals must still reach it. */
void cabin_kvm_ring_interrupt(struct cabin_kvm_ringer *rg)
{
	if (rg->running && pending(rg->slot))
		pthread_kill(rg->thread, CABIN_KVM_SIG_KICK);
}

void cabin_kvm_ring_wait(struct cabin_kvm_ringer *rg)
{
	struct cabin_kvm_ring *r = rg->slot;

	rg->waits++;
	while (pending(r)) {
		uint32_t seen = load(&r->resp_seq);

		if (pending(r) &&
		    futex(&r->resp_seq, FUTEX_WAIT, seen) < 0 && errno == EINTR)
			cabin_kvm_ring_interrupt(rg);
	}
}

void cabin_kvm_ring_stop(struct cabin_kvm_ringer *rg)
{
	if (!rg->running)
		return;
	rg->stop = true;
	rg->slot->on = 0;
	futex(&rg->slot->worker_sleeping, FUTEX_WAKE, 1);
	pthread_kill(rg->thread, CABIN_KVM_SIG_KICK);
	pthread_join(rg->thread, NULL);
	rg->running = false;
}
