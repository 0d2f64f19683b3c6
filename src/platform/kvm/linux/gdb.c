/*
 * --gdb on the kvm platform: which stops gdb sees (the program's first
 * instruction, the stub's int3s, gdb's single steps, the signals of
 * faults), all-stop, and resuming as gdb says.  A stop for gdb is served
 * by the thread that stopped, holding the monitor lock: every other vCPU
 * is out of the guest (cabin_kvm_park_others) and waits for the lock, so
 * gdb's requests and the proxy's decisions never race.  The proxy judges
 * every syscall and fault as without gdb; gdb's own traps are never the
 * program's.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "platform/kvm/linux/gdb.h"
#include "platform/kvm/linux/gdb_target.h"

#define RFLAGS_TF	0x100ull

/*
 * What ends a wait for gdb: the time limit, or a signal cabin handed on
 * (the program gets it once it runs on).
 */
static const char *cancel_reason(void)
{
	if (cabin_kvm_timed_out())
		return "the time limit ran out";
	if (cabin_kvm_hostsig_has(SIGINT) || cabin_kvm_hostsig_has(SIGTERM) ||
	    cabin_kvm_hostsig_has(SIGHUP) || cabin_kvm_hostsig_has(SIGQUIT))
		return "cabin was sent a signal";
	return NULL;
}

static bool cancelled(void *ctx)
{
	(void)ctx;
	return cancel_reason() != NULL;
}

/*
 * The watcher: while no thread answers gdb, a byte from gdb is its ^C
 * (or its end); every vCPU is kicked out of the guest, and the first
 * back stops the process (cabin_kvm_gdb_hold).  It takes no lock of the
 * monitor's, so ending it never waits for a vCPU.
 */
static void *watch(void *arg)
{
	struct cabin_kvm *k = arg;
	struct cabin_kvm_gdb *g = k->gdb;
	struct pollfd p = { .fd = g->stub.conn.fd, .events = POLLIN };
	sigset_t all;
	ssize_t n;
	char b;

	/* Host signals are the vCPU threads' to take. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	for (;;) {
		pthread_mutex_lock(&g->mu);
		while (g->attached && (g->serving || g->interrupt))
			pthread_cond_wait(&g->go, &g->mu);
		if (!g->attached) {
			pthread_mutex_unlock(&g->mu);
			return NULL;
		}
		pthread_mutex_unlock(&g->mu);
		if (poll(&p, 1, -1) < 0)
			continue;
		pthread_mutex_lock(&g->mu);
		if (g->attached && !g->serving) {
			n = recv(p.fd, &b, 1, MSG_DONTWAIT);
			/* A ^C, or gdb gone: the stop tells which. */
			if (n == 0 || (n == 1 && b == 0x03)) {
				g->interrupt = true;
				cabin_kvm_kick_others(k);
			}
		}
		pthread_mutex_unlock(&g->mu);
	}
}

int cabin_kvm_gdb_init(struct cabin_kvm *k, int fd)
{
	struct cabin_kvm_gdb *g = calloc(1, sizeof(*g));
	struct cabin_debug_target t;

	if (!g)
		return -ENOMEM;
	pthread_mutex_init(&g->mu, NULL);
	pthread_cond_init(&g->go, NULL);
	cabin_kvm_gdb_target(k, &t);
	cabin_debug_init(&g->stub, fd, &t, k->pid);
	g->stub.conn.cancelled = cancelled;
	g->attached = true;
	/* Serving from the start: the watcher waits for the first resume. */
	g->serving = true;
	k->gdb = g;
	g->watching = pthread_create(&g->watcher, NULL, watch, k) == 0;
	return 0;
}

/* The watcher out, then the connection closed: no number reused under it. */
static void disconnect(struct cabin_kvm_gdb *g)
{
	pthread_mutex_lock(&g->mu);
	g->attached = false;
	pthread_cond_broadcast(&g->go);
	pthread_mutex_unlock(&g->mu);
	if (g->watching) {
		shutdown(g->stub.conn.fd, SHUT_RDWR);
		pthread_join(g->watcher, NULL);
		g->watching = false;
	}
	if (g->stub.conn.fd >= 0)
		close(g->stub.conn.fd);
	g->stub.conn.fd = -1;
}

void cabin_kvm_gdb_free(struct cabin_kvm *k)
{
	struct cabin_kvm_gdb *g = k->gdb;

	if (!g)
		return;
	disconnect(g);
	pthread_cond_destroy(&g->go);
	pthread_mutex_destroy(&g->mu);
	free(g);
	k->gdb = NULL;
}

/* Every thread gdb kept stopped runs on. */
static void release_all(struct cabin_kvm *k)
{
	struct cabin_kvm_gdb *g = k->gdb;
	unsigned int i;

	pthread_mutex_lock(&g->mu);
	for (i = 0; i < CABIN_KVM_MAX_CPUS; i++)
		if (k->threads[i])
			__atomic_store_n(&k->threads[i]->gdb_held, false,
					 __ATOMIC_SEQ_CST);
	pthread_cond_broadcast(&g->go);
	pthread_mutex_unlock(&g->mu);
}

/* gdb is gone (detached, went away, killed): the program runs on. */
static void let_go(struct cabin_kvm *k, bool remove)
{
	struct cabin_kvm_gdb *g = k->gdb;

	if (remove)
		cabin_debug_remove_all(&g->stub);
	disconnect(g);
	release_all(k);
}

static void step(struct cabin_kvm *k, struct cabin_kvm_thread *t)
{
	struct cabin_kvm_gdb_regs u;

	/* A thread inside a call steps once it is back: as Linux's TF. */
	if (cabin_kvm_gdb_regs_of(k, t, &u) < 0)
		return;
	u.f->rflags |= RFLAGS_TF;
	if (cabin_kvm_gdb_regs_put(t, &u) == 0)
		t->gdb_step = true;
}

/* Each thread as gdb's resume says; *pass: cur's signal. */
static void resume_as_asked(struct cabin_kvm *k, int *pass)
{
	struct cabin_kvm_gdb *g = k->gdb;
	unsigned int i;
	bool st;
	int sig;

	pthread_mutex_lock(&g->mu);
	for (i = 0; i < CABIN_KVM_MAX_CPUS; i++) {
		struct cabin_kvm_thread *t = k->threads[i];

		if (!t || t->exited || t->host_done)
			continue;
		if (!cabin_debug_action_for(&g->stub, t->tid, &st, &sig)) {
			__atomic_store_n(&t->gdb_held, true, __ATOMIC_SEQ_CST);
			continue;
		}
		__atomic_store_n(&t->gdb_held, false, __ATOMIC_SEQ_CST);
		if (st)
			step(k, t);
		if (t == k->cur)
			*pass = sig;
	}
	pthread_cond_broadcast(&g->go);
	pthread_mutex_unlock(&g->mu);
}

/* cur stopped for gdb with sig: every thread stops, gdb decides. */
static enum cabin_kvm_gdb_end serve(struct cabin_kvm *k, int sig, bool first,
				    int *pass)
{
	struct cabin_kvm_gdb *g = k->gdb;
	enum cabin_debug_verdict v;

	*pass = sig;
	cabin_kvm_park_others(k);
	pthread_mutex_lock(&g->mu);
	g->serving = true;
	g->interrupt = false;
	pthread_mutex_unlock(&g->mu);
	g->stub.pid = k->pid;
	v = cabin_debug_serve(&g->stub, k->cur->tid, sig, first);
	pthread_mutex_lock(&g->mu);
	g->serving = false;
	/* A ^C that came with the resume packet is read already. */
	while (g->stub.conn.pos < g->stub.conn.have)
		if (g->stub.conn.in[g->stub.conn.pos++] == 0x03)
			g->interrupt = true;
	pthread_cond_broadcast(&g->go);
	pthread_mutex_unlock(&g->mu);
	switch (v) {
	case CABIN_DEBUG_RESUME:
		resume_as_asked(k, pass);
		return CABIN_KVM_GDB_RESUMED;
	case CABIN_DEBUG_KILL:
		cabin_proxy_say(k->proxy, "gdb killed the program");
		let_go(k, false);
		return CABIN_KVM_GDB_KILL;
	case CABIN_DEBUG_GONE:
		if (cancel_reason())
			cabin_proxy_say(k->proxy, "--gdb: %s; gdb is let go and the program runs on, confined",
					cancel_reason());
		else
			cabin_proxy_say(k->proxy, "gdb went away; the program runs on, confined");
		let_go(k, true);
		return CABIN_KVM_GDB_RESUMED;
	case CABIN_DEBUG_DETACH:
		let_go(k, true);
		return CABIN_KVM_GDB_RESUMED;
	}
	return CABIN_KVM_GDB_RESUMED;
}

enum cabin_kvm_gdb_end cabin_kvm_gdb_first(struct cabin_kvm *k)
{
	struct cabin_kvm_thread *t = k->cur;
	struct cabin_kvm_frame f;
	enum cabin_kvm_gdb_end end;
	int pass;

	if (!k->gdb || !k->gdb->attached)
		return CABIN_KVM_GDB_NONE;
	/* At CPL3, not in a trap: a frame of its registers meanwhile. */
	if (cabin_kvm_vcpu_get_frame(t->vcpu, &f) < 0)
		return CABIN_KVM_GDB_NONE;
	f.vector = 1;
	t->frame = &f;
	end = serve(k, SIGTRAP, true, &pass);
	t->frame = NULL;
	if (cabin_kvm_vcpu_set_frame(t->vcpu, &f) < 0)
		return CABIN_KVM_GDB_KILL;
	return end;
}

static bool stub_break(const struct cabin_kvm_gdb *g, uint64_t addr)
{
	size_t i;

	for (i = 0; i < g->stub.nbrk; i++)
		if (g->stub.brk[i].addr == addr)
			return true;
	return false;
}

enum cabin_kvm_gdb_end cabin_kvm_gdb_trap(struct cabin_kvm *k,
					  struct cabin_kvm_frame *f,
					  bool *undone)
{
	struct cabin_kvm_gdb *g = k->gdb;
	struct cabin_kvm_thread *t = k->cur;
	enum cabin_kvm_gdb_end end;
	uint64_t bp = f->rip - 1;
	unsigned char byte;
	int pass;

	*undone = false;
	if (!g)
		return CABIN_KVM_GDB_NONE;
	if (f->vector == 1 && t->gdb_step) {
		/* gdb's step: TF was gdb's, not the program's. */
		t->gdb_step = false;
		f->rflags &= ~RFLAGS_TF;
		if (!g->attached) {
			*undone = true;
			return CABIN_KVM_GDB_NONE;
		}
		return serve(k, SIGTRAP, false, &pass);
	}
	if (f->vector != 3)
		return CABIN_KVM_GDB_NONE;
	if (g->attached && stub_break(g, bp)) {
		end = serve(k, SIGTRAP, false, &pass);
		/* gdb left with the hit unseen: it happens again if it can. */
		if (!g->attached && f->rip == bp + 1)
			f->rip = bp;
		return end;
	}
	/*
	 * Another thread's hit of an int3 gdb has taken out since: back on
	 * the instruction, as if it had not run.  The program's own int3s
	 * are still there.
	 */
	if (g->stub.t.read_mem(k, t->tid, bp, &byte, 1) == 1 && byte != 0xcc) {
		f->rip = bp;
		*undone = true;
	}
	return CABIN_KVM_GDB_NONE;
}

bool cabin_kvm_gdb_shown(void *ctx, int sig)
{
	struct cabin_kvm *k = ctx;
	int pass;

	if (!k->gdb || !k->gdb->attached)
		return true;
	if (serve(k, sig, false, &pass) == CABIN_KVM_GDB_KILL) {
		k->cur->killed = true;
		k->cur->kill_sig = SIGKILL;
		return false;
	}
	return pass != 0;
}

enum cabin_kvm_gdb_end cabin_kvm_gdb_hold(struct cabin_kvm_thread *t)
{
	struct cabin_kvm_gdb *g = t->k->gdb;
	bool stop;
	int pass;

	if (!g)
		return CABIN_KVM_GDB_NONE;
	pthread_mutex_lock(&g->mu);
	stop = g->attached && g->interrupt;
	pthread_mutex_unlock(&g->mu);
	/* gdb's ^C: the process stops here with SIGINT (gdb's, not passed). */
	if (stop && serve(t->k, SIGINT, false, &pass) == CABIN_KVM_GDB_KILL)
		return CABIN_KVM_GDB_KILL;
	if (!__atomic_load_n(&t->gdb_held, __ATOMIC_SEQ_CST))
		return CABIN_KVM_GDB_NONE;
	/* Out of the monitor lock, so the thread gdb runs can take it. */
	cabin_kvm_leave(t);
	pthread_mutex_lock(&g->mu);
	while (__atomic_load_n(&t->gdb_held, __ATOMIC_SEQ_CST))
		pthread_cond_wait(&g->go, &g->mu);
	pthread_mutex_unlock(&g->mu);
	cabin_kvm_enter(t);
	return CABIN_KVM_GDB_NONE;
}

void cabin_kvm_gdb_exec(struct cabin_kvm *k)
{
	if (!k->gdb || !k->gdb->attached)
		return;
	/* What the int3s covered must not be written into the new program. */
	k->gdb->stub.nbrk = 0;
	cabin_proxy_say(k->proxy, "--gdb: the debugged process ran a new program; gdb is not told of it and its breakpoints are gone");
}

void cabin_kvm_gdb_exited(struct cabin_kvm *k, int status)
{
	struct cabin_kvm_gdb *g = k->gdb;

	if (!g)
		return;
	if (g->attached)
		cabin_debug_exited(&g->stub, status);
	let_go(k, false);
}

void cabin_kvm_gdb_forked(struct cabin_kvm *k)
{
	struct cabin_kvm_gdb *g = k->gdb;

	if (!g)
		return;
	/* A step of gdb's in the parent is not the child's. */
	if (k->cur->gdb_step && k->cur->frame)
		k->cur->frame->rflags &= ~RFLAGS_TF;
	k->cur->gdb_step = false;
	k->cur->gdb_held = false;
	/* The copy of the memory runs without the int3s: gdb follows the parent. */
	g->stub.pid = k->pid;
	if (g->attached)
		cabin_debug_remove_all(&g->stub);
	/*
	 * The watcher stayed in the parent (it may have held mu at the
	 * fork), and the connection is the parent's: closed here, never
	 * shut down.
	 */
	g->watching = false;
	pthread_mutex_init(&g->mu, NULL);
	pthread_cond_init(&g->go, NULL);
	cabin_kvm_gdb_free(k);
}
