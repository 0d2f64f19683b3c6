/*
 * Threads of the program on the kvm platform: each is a vCPU of the
 * guest, run by a host thread of the monitor's own.  The monitor lock
 * serialises their traps (the proxy core, the records and the address
 * space are one per process) and is let go while a vCPU runs or a host
 * call blocks, so threads run and block in parallel as on Linux.
 */
#include <errno.h>
#include <linux/futex.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "cabin/cabin.h"
#include "platform/kvm/shared/abi.h"
#include "platform/kvm/linux/linux.h"

static bool ending(const struct cabin_kvm *k);

/* The program's thread this host thread runs; NULL in other threads. */
static __thread struct cabin_kvm_thread *self;

void cabin_kvm_enter(struct cabin_kvm_thread *t)
{
	pthread_mutex_lock(&t->k->lock);
	t->k->cur = t;
	self = t;
}

void cabin_kvm_leave(struct cabin_kvm_thread *t)
{
	pthread_mutex_unlock(&t->k->lock);
}

bool cabin_kvm_block_begin(struct cabin_kvm *k)
{
	if (self && k->cur == self)
		pthread_mutex_unlock(&k->lock);
	/*
	 * Past its end, a process's thread does not start to wait, nor with
	 * a host signal (a carried one, say) whose kick came before the call.
	 */
	return !ending(k) && !cabin_kvm_host_signal_pending();
}

void cabin_kvm_block_end(struct cabin_kvm *k)
{
	if (self && self->k == k)
		cabin_kvm_enter(self);
}

unsigned int cabin_kvm_live_threads(const struct cabin_kvm *k)
{
	unsigned int i, n = 0;

	for (i = 0; i < CABIN_KVM_MAX_CPUS; i++)
		if (k->threads[i] && !k->threads[i]->exited)
			n++;
	return n;
}

struct cabin_kvm_thread *cabin_kvm_thread_by_tid(struct cabin_kvm *k,
						 pid_t tid)
{
	unsigned int i;

	for (i = 0; i < CABIN_KVM_MAX_CPUS; i++)
		if (k->threads[i] && !k->threads[i]->exited &&
		    k->threads[i]->tid == tid)
			return k->threads[i];
	return NULL;
}

/*
 * Async-signal-safe: every other vCPU leaves KVM_RUN, every blocked call
 * returns.  A thread marked exited is kicked too while its host thread
 * lives: the process's end marks them all before they have left.
 */
void cabin_kvm_kick_others(struct cabin_kvm *k)
{
	pid_t me = (pid_t)syscall(SYS_gettid);
	unsigned int i;

	for (i = 0; i < CABIN_KVM_MAX_CPUS; i++) {
		struct cabin_kvm_thread *t = k->threads[i];

		if (!t || t->host_done || t->tid == me || t->tid <= 0)
			continue;
		if (t->run)
			t->run->immediate_exit = 1;
		syscall(SYS_tgkill, k->pid, t->tid, CABIN_KVM_SIG_KICK);
	}
}

void cabin_kvm_park_others(struct cabin_kvm *k)
{
	struct timespec tick = { 0, 100000 };
	unsigned int i;

	cabin_kvm_kick_others(k);
	for (i = 0; i < CABIN_KVM_MAX_CPUS; i++) {
		struct cabin_kvm_thread *t = k->threads[i];

		while (t && t != k->cur && !t->host_done &&
		       __atomic_load_n(&t->in_guest, __ATOMIC_SEQ_CST)) {
			cabin_kvm_kick(k, t);
			nanosleep(&tick, NULL);
		}
	}
}

void cabin_kvm_kick(struct cabin_kvm *k, struct cabin_kvm_thread *t)
{
	if (t->run)
		t->run->immediate_exit = 1;
	syscall(SYS_tgkill, k->pid, t->tid, CABIN_KVM_SIG_KICK);
}

/*
 * A signal for the whole process goes to a thread that does not block
 * it, the calling one first, as Linux picks; when all block it, it waits
 * in the process's pending set for the first thread that unblocks it.
 */
void cabin_kvm_signal_process(struct cabin_kvm *k, const siginfo_t *si)
{
	int sig = si->si_signo;
	uint64_t bit;
	unsigned int i;

	if (sig <= 0 || sig > 64)
		return;
	bit = CABIN_KSIG_BIT(sig);
	for (i = 0; i <= CABIN_KVM_MAX_CPUS; i++) {
		struct cabin_kvm_thread *t = i ? k->threads[i - 1] : k->cur;

		if (!t || t->exited || (t->sig.blocked & bit))
			continue;
		cabin_ksig_queue(&t->sig, si);
		if (t != k->cur)
			cabin_kvm_kick(k, t);
		return;
	}
	if (!(k->proc_pending & bit)) {
		k->proc_pending |= bit;
		k->proc_info[sig] = *si;
	}
}

bool cabin_kvm_claim_signals(struct cabin_kvm *k)
{
	uint64_t take = k->proc_pending & ~k->cur->sig.blocked;
	int sig;

	k->proc_pending &= ~take;
	for (sig = 1; sig <= 64; sig++)
		if (take & CABIN_KSIG_BIT(sig))
			cabin_ksig_queue(&k->cur->sig, &k->proc_info[sig]);
	return take != 0;
}

bool cabin_kvm_take_host_signals(struct cabin_kvm *k)
{
	siginfo_t si;
	bool any = false;
	int sig;

	for (sig = 1; sig <= 64; sig++) {
		if (!cabin_kvm_hostsig_take(sig, &si))
			continue;
		cabin_kvm_signal_process(k, &si);
		any = true;
	}
	return cabin_kvm_claim_signals(k) || any;
}

int cabin_kvm_threads_init(struct cabin_kvm *k)
{
	struct cabin_kvm_thread *t = calloc(1, sizeof(*t));
	pthread_condattr_t ca;

	if (!t)
		return -ENOMEM;
	pthread_mutex_init(&k->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&k->changed, &ca);
	pthread_condattr_destroy(&ca);
	t->k = k;
	t->tid = k->pid;
	t->vcpu = -1;
	cabin_ksig_init(&t->sig);
	k->threads[0] = t;
	k->hosts = 1;
	k->main_host = pthread_self();
	cabin_kvm_enter(t);
	return 0;
}

/* The slot of a new thread: a free one, or one whose host thread ended. */
static int free_cpu(struct cabin_kvm *k)
{
	unsigned int i;

	for (i = 1; i < CABIN_KVM_MAX_CPUS; i++)
		if (!k->threads[i] ||
		    (k->threads[i]->exited && k->threads[i]->host_done))
			return (int)i;
	return -EAGAIN;
}

/*
 * A slot whose thread has ended (its joiner may already be woken) but
 * whose host thread has yet to let it go, which it does with the lock.
 */
static bool slot_freeing(const struct cabin_kvm *k)
{
	unsigned int i;

	for (i = 1; i < CABIN_KVM_MAX_CPUS; i++)
		if (k->threads[i] && k->threads[i]->exited &&
		    !k->threads[i]->host_done)
			return true;
	return false;
}

/*
 * The slot of a new thread.  At the limit, a thread that has ended is
 * waited for: on Linux it is gone once pthread_join returns, so a clone
 * after the join must not fail for want of its slot.
 */
static int wait_free_cpu(struct cabin_kvm *k)
{
	struct cabin_kvm_thread *me = k->cur;
	int cpu;

	while ((cpu = free_cpu(k)) < 0 && slot_freeing(k) && !ending(k)) {
		pthread_cond_wait(&k->changed, &k->lock);
		k->cur = me;
	}
	return cpu;
}

static void *thread_main(void *arg)
{
	struct cabin_kvm_thread *t = arg;
	struct cabin_kvm *k = t->k;
	bool main;

	t->tid = (pid_t)syscall(SYS_gettid);
	sem_post(&t->started);
	k->vcpu_loop(t);
	cabin_kvm_enter(t);
	main = pthread_equal(pthread_self(), k->main_host);
	if (!main) {
		k->hosts--;
		t->host_done = true;
		pthread_cond_broadcast(&k->changed);
	}
	cabin_kvm_leave(t);
	/* A process forked by this thread ends here, with its records. */
	if (main)
		k->process_end(k);
	return NULL;
}

/* The new thread's vCPU: the slot's old one, or a new one of KVM's. */
static int thread_vcpu(struct cabin_kvm *k, struct cabin_kvm_thread *t,
		       struct cabin_kvm_thread *old,
		       const struct cabin_kvm_vcpu_state *st)
{
	char why[256];
	int err;

	if (old) {
		t->vcpu = old->vcpu;
		t->run = old->run;
		err = cabin_kvm_vcpu_load(t->vcpu, st, why, sizeof(why));
	} else {
		err = cabin_kvm_vm_add_vcpu(&k->vm, t->cpu, st, &t->vcpu,
					    &t->run, why, sizeof(why));
		if (!err) {
			t->vcpu = cabin_kvm_move_fd(t->vcpu, k->opt->fd_floor);
			if (t->vcpu < 0)
				err = t->vcpu;
		}
	}
	if (err < 0)
		cabin_proxy_say(k->proxy, "pid %d: cannot make a vCPU for a new thread: %s",
				(int)k->pid, why);
	return err;
}

static int start_host(struct cabin_kvm_thread *t)
{
	pthread_attr_t attr;
	int err;

	sem_init(&t->started, 0, 0);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	err = pthread_create(&t->host, &attr, thread_main, t);
	pthread_attr_destroy(&attr);
	if (err)
		return -err;
	while (sem_wait(&t->started) < 0 && errno == EINTR)
		;
	return 0;
}

int cabin_kvm_adopt_vm(struct cabin_kvm *k)
{
	/* KVM gave the VM and the vCPU the lowest free numbers: move them. */
	k->vm.vm = cabin_kvm_move_fd(k->vm.vm, k->opt->fd_floor);
	k->vm.vcpu = cabin_kvm_move_fd(k->vm.vcpu, k->opt->fd_floor);
	k->cur->vcpu = k->vm.vcpu;
	k->cur->run = k->vm.run;
	return k->vm.vm < 0 || k->vm.vcpu < 0 ? -EMFILE : 0;
}

long cabin_kvm_thread_create(struct cabin_kvm *k, uint64_t flags,
			     uint64_t stack, uint64_t tls)
{
	struct cabin_kvm_thread *parent = k->cur, *t, *old;
	struct cabin_kvm_frame *f = parent->frame;
	struct cabin_kvm_vcpu_state *st;
	int cpu = wait_free_cpu(k), err;

	if (cpu < 0 || !f)
		return -EAGAIN;
	st = malloc(sizeof(*st));
	t = calloc(1, sizeof(*t));
	if (!st || !t) {
		free(st);
		free(t);
		return -ENOMEM;
	}
	if (cabin_kvm_vcpu_save(parent->vcpu, parent->run, st) < 0) {
		free(st);
		free(t);
		return -EAGAIN;
	}
	/* Where the parent returns to, with 0 in rax and its own stack. */
	st->regs = (struct kvm_regs){
		.r15 = f->r15, .r14 = f->r14, .r13 = f->r13, .r12 = f->r12,
		.r11 = f->r11, .r10 = f->r10, .r9 = f->r9, .r8 = f->r8,
		.rbp = f->rbp, .rdi = f->rdi, .rsi = f->rsi, .rdx = f->rdx,
		.rcx = f->rcx, .rbx = f->rbx, .rax = 0,
		.rip = f->rip, .rflags = f->rflags,
		.rsp = stack ? stack : f->rsp,
	};
	cabin_kvm_vcpu_state_thread(st, (unsigned int)cpu);
	if (flags & CLONE_SETTLS)
		st->sregs.fs.base = tls;
	old = k->threads[cpu];
	t->k = k;
	t->cpu = (unsigned int)cpu;
	cabin_ksig_thread(&t->sig, &parent->sig);
	err = thread_vcpu(k, t, old, st);
	free(st);
	if (err < 0) {
		free(t);
		return -EAGAIN;
	}
	/* A slot's old record stays where a signal handler may look. */
	if (old) {
		*old = *t;
		free(t);
		t = old;
	}
	err = start_host(t);
	if (err < 0) {
		t->exited = t->host_done = true;
		k->threads[cpu] = t;
		return -EAGAIN;
	}
	cabin_kvm_vm_cpu_init(&k->vm, t->cpu, (uint64_t)t->tid);
	k->threads[cpu] = t;
	k->hosts++;
	/* One request slot cannot serve several vCPUs: syscalls exit now. */
	cabin_kvm_ring_off(&k->ringer);
	return t->tid;
}

/* CLONE_CHILD_CLEARTID: the word is zeroed and its waiter woken. */
static void clear_child_tid(struct cabin_kvm *k, uint64_t at)
{
	uint32_t zero = 0;
	void *p;

	if (!at || cabin_gmem_write(&k->vm.mem, at, &zero, sizeof(zero)) < 0 ||
	    cabin_gmem_translate(&k->vm.mem, at, sizeof(zero),
				 CABIN_GMEM_USER | CABIN_GMEM_W, &p) < 0)
		return;
	syscall(SYS_futex, p, FUTEX_WAKE, 1, NULL, NULL, 0);
}

void cabin_kvm_thread_gone(struct cabin_kvm *k)
{
	struct cabin_kvm_thread *t = k->cur;

	clear_child_tid(k, t->clear_tid);
	t->exited = true;
	pthread_cond_broadcast(&k->changed);
}

void cabin_kvm_threads_end(struct cabin_kvm *k)
{
	unsigned int i;

	for (i = 0; i < CABIN_KVM_MAX_CPUS; i++) {
		struct cabin_kvm_thread *t = k->threads[i];

		if (t && t != k->cur)
			t->exited = true;
	}
	cabin_kvm_kick_others(k);
	pthread_cond_broadcast(&k->changed);
}

/* The core hears that thread tid is gone (its EXIT), with status. */
void cabin_kvm_thread_exit_event(struct cabin_kvm *k, pid_t tid, int status)
{
	struct cabin_event ev = { .kind = CABIN_EV_EXIT, .status = status };

	ev.tid = tid;
	memset(&k->cur->resume, 0, sizeof(k->cur->resume));
	cabin_proxy_handle(k->proxy, &ev);
}

void cabin_kvm_end_other_threads(struct cabin_kvm *k, int status)
{
	unsigned int i;

	for (i = 0; i < CABIN_KVM_MAX_CPUS; i++) {
		struct cabin_kvm_thread *t = k->threads[i];

		if (t && t != k->cur && !t->exited && t->tid != k->pid)
			cabin_kvm_thread_exit_event(k, t->tid, status);
	}
	cabin_kvm_threads_end(k);
}

/* The process is ending: its threads must leave whatever they are in. */
static bool ending(const struct cabin_kvm *k)
{
	return __atomic_load_n(&k->done, __ATOMIC_SEQ_CST) ||
	       cabin_kvm_timed_out();
}

/*
 * A kick can come between a thread's last look at the process and the
 * host call it then blocks in, and be lost: while the process ends, the
 * others are kicked again every KICK_AGAIN_NS until their host threads
 * are gone.
 */
#define KICK_AGAIN_NS	10000000l

void cabin_kvm_threads_wait(struct cabin_kvm *k)
{
	struct timespec at;

	pthread_mutex_lock(&k->lock);
	while (!k->done || k->hosts > 1) {
		if (!ending(k)) {
			pthread_cond_wait(&k->changed, &k->lock);
			continue;
		}
		cabin_kvm_kick_others(k);
		clock_gettime(CLOCK_MONOTONIC, &at);
		at.tv_nsec += KICK_AGAIN_NS;
		if (at.tv_nsec >= 1000000000l) {
			at.tv_sec++;
			at.tv_nsec -= 1000000000l;
		}
		pthread_cond_timedwait(&k->changed, &k->lock, &at);
	}
	pthread_mutex_unlock(&k->lock);
}

/* A thread's vCPU, unless it is the VM's first (the VM closes that). */
static void release_vcpu(struct cabin_kvm *k, struct cabin_kvm_thread *t)
{
	if (t->vcpu >= 0 && t->vcpu != k->vm.vcpu) {
		munmap(t->run, k->vm.run_size);
		close(t->vcpu);
	}
	t->vcpu = -1;
	t->run = NULL;
}

void cabin_kvm_threads_free(struct cabin_kvm *k)
{
	unsigned int i, n;

	for (i = 0; i < CABIN_KVM_MAX_CPUS; i++) {
		struct cabin_kvm_thread *t = k->threads[i];

		if (!t)
			continue;
		for (n = 0; n < t->nfpu; n++)
			free(t->fpu[n].xsave);
		release_vcpu(k, t);
		free(t);
		k->threads[i] = NULL;
	}
	k->cur = NULL;
}

void cabin_kvm_threads_forked(struct cabin_kvm *k)
{
	struct cabin_ksig *sig = &k->cur->sig;
	unsigned int i;

	/* The dispositions may live in a thread record freed below. */
	if (sig->act != sig->own) {
		memcpy(sig->own, sig->act, sizeof(sig->own));
		sig->act = sig->own;
	}

	for (i = 0; i < CABIN_KVM_MAX_CPUS; i++) {
		struct cabin_kvm_thread *t = k->threads[i];

		if (!t)
			continue;
		/* The parent's vCPUs, cur's too: this process can only close them. */
		release_vcpu(k, t);
		if (t == k->cur)
			continue;
		free(t);
		k->threads[i] = NULL;
	}
	k->hosts = 1;
	k->main_host = pthread_self();
}
