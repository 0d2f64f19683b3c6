/*
 * fork, vfork and clone of a new process on the kvm platform.  The
 * monitor forks with its program: the host's fork gives the child monitor
 * a copy-on-write copy of the guest memory, page tables and all, and the
 * child builds a new VM on it whose vCPU goes on from the parent's state.
 * Descriptors, cwd, pids and wait(2) are then the host's own.
 */
#include <errno.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cabin/cabin.h"
#include "core/names.h"
#include "platform/kvm/shared/abi.h"
#include "platform/kvm/linux/gdb.h"
#include "platform/kvm/linux/linux.h"
#include "platform/kvm/vmm/monitor_fault.h"

/* What a new process may ask for; the rest is refused with EINVAL. */
#define PROCESS_FLAGS	(CLONE_VM | CLONE_VFORK | CLONE_CHILD_SETTID | \
			 CLONE_CHILD_CLEARTID | CLONE_PARENT_SETTID | \
			 CLONE_SETTLS | CLONE_SYSVSEM | CLONE_UNTRACED | \
			 CLONE_IO | CSIGNAL)
/* A thread shares all that threads share (what libc's threads ask). */
#define THREAD_NEEDS	(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | \
			 CLONE_THREAD)
#define THREAD_FLAGS	(THREAD_NEEDS | CLONE_SYSVSEM | CLONE_SETTLS | \
			 CLONE_PARENT_SETTID | CLONE_CHILD_SETTID | \
			 CLONE_CHILD_CLEARTID | CLONE_UNTRACED | CLONE_IO)

struct clone_req {
	uint64_t flags, stack, ptid, ctid, tls;
	enum cabin_spawn_kind kind;
};

static void clone_request(long nr, const uint64_t a[6], struct clone_req *c)
{
	memset(c, 0, sizeof(*c));
	if (nr == SYS_fork) {
		c->flags = SIGCHLD;
		c->kind = CABIN_SPAWN_FORK;
		return;
	}
	if (nr == SYS_vfork) {
		c->flags = CLONE_VM | CLONE_VFORK | SIGCHLD;
		c->kind = CABIN_SPAWN_VFORK;
		return;
	}
	/* x86-64 clone: flags, stack, parent_tid, child_tid, tls. */
	c->flags = a[0];
	c->stack = a[1];
	c->ptid = a[2];
	c->ctid = a[3];
	c->tls = a[4];
	c->kind = (c->flags & CLONE_VFORK) ? CABIN_SPAWN_VFORK
					   : CABIN_SPAWN_CLONE;
}

static long refuse(struct cabin_kvm *k, long nr, const char *what, long err)
{
	char name[32];

	if (!cabin_denial_reported(k->proxy, nr, k->comm))
		cabin_proxy_say(k->proxy, "pid %d (%s): %s: %s are not supported on the kvm platform (%s)",
				(int)k->pid, k->comm,
				cabin_syscall_name(nr, name, sizeof(name)), what,
				err == -ENOSYS ? "ENOSYS" : "EINVAL");
	return err;
}

static int write_tid(struct cabin_kvm *k, uint64_t at, pid_t tid)
{
	int32_t v = tid;

	return cabin_gmem_write(&k->vm.mem, at, &v, sizeof(v));
}

/* The child's first steps, before its vCPU runs: its own VM, its ids. */
static int become_child(struct cabin_kvm *k, const struct clone_req *c,
			const struct cabin_kvm_vcpu_state *st, pid_t parent)
{
	struct cabin_kvm_vcpu_state *mine = malloc(sizeof(*mine));
	char why[256];
	int err;

	if (!mine)
		return -ENOMEM;
	*mine = *st;
	k->pid = getpid();
	k->cur->tid = k->pid;
	cabin_kvm_threads_forked(k);
	cabin_kvm_gdb_forked(k);
	err = cabin_kvm_family_join(&k->family);
	if (c->flags & CLONE_SETTLS)
		mine->sregs.fs.base = c->tls;
	if (!err)
		err = cabin_kvm_vm_reopen(&k->vm, mine, why, sizeof(why));
	free(mine);
	if (!err && cabin_kvm_adopt_vm(k) < 0) {
		snprintf(why, sizeof(why), "cannot move its descriptors");
		err = -EMFILE;
	}
	if (err < 0) {
		cabin_proxy_say(k->proxy, "pid %d: the forked monitor cannot build its VM: %s",
				(int)k->pid, err == -EAGAIN ? "too many processes" : why);
		return err;
	}
	cabin_kvm_forked_signals(k);
	cabin_kvm_share_ids(k, parent);
	k->parent = parent;
	k->cur->clear_tid = (c->flags & CLONE_CHILD_CLEARTID) ? c->ctid : 0;
	if (c->flags & CLONE_CHILD_SETTID)
		write_tid(k, c->ctid, k->pid);
	if (c->flags & CLONE_PARENT_SETTID)
		write_tid(k, c->ptid, k->pid);
	memset(&k->ringer, 0, sizeof(k->ringer));
	memset(&k->stats, 0, sizeof(k->stats));
	if (k->opt->ring && cabin_kvm_start_ring(k) < 0)
		return -EAGAIN;
	cabin_proxy_forked(k->proxy, parent, k->pid);
	if (k->opt->forked)
		k->opt->forked(k->opt->hook_ctx);
	return 0;
}

static void announce_child(struct cabin_kvm *k, const struct clone_req *c,
			   pid_t child)
{
	struct cabin_event ev = { .kind = CABIN_EV_SPAWN };

	if (c->flags & CLONE_PARENT_SETTID)
		write_tid(k, c->ptid, child);
	ev.tid = k->cur->tid;
	ev.spawn.child = child;
	ev.spawn.kind = c->kind;
	cabin_proxy_handle(k->proxy, &ev);
}

/* clone of a thread: a vCPU on a host thread of its own. */
static long new_thread(struct cabin_kvm *k, long nr, const struct clone_req *c)
{
	long tid;

	if ((c->flags & THREAD_NEEDS) != THREAD_NEEDS ||
	    (c->flags & ~(uint64_t)THREAD_FLAGS))
		return refuse(k, nr, "threads with these clone flags", -EINVAL);
	tid = cabin_kvm_thread_create(k, c->flags, c->stack, c->tls);
	if (tid < 0)
		return tid;
	if (c->flags & CLONE_CHILD_SETTID)
		write_tid(k, c->ctid, (pid_t)tid);
	if (c->flags & CLONE_CHILD_CLEARTID)
		cabin_kvm_thread_by_tid(k, (pid_t)tid)->clear_tid = c->ctid;
	announce_child(k, c, (pid_t)tid);
	return tid;
}

long cabin_kvm_fork(struct cabin_kvm *k, long nr, const uint64_t a[6])
{
	struct cabin_kvm_vcpu_state *st;
	struct clone_req c;
	pid_t parent = k->pid, child;
	sigset_t all, old;

	if (nr == SYS_clone3)
		return -ENOSYS;	/* libc falls back to clone */
	clone_request(nr, a, &c);
	if (c.flags & CLONE_THREAD)
		return new_thread(k, nr, &c);
	if ((c.flags & CLONE_VM) && !(c.flags & CLONE_VFORK))
		return refuse(k, nr, "processes sharing memory", -ENOSYS);
	if ((c.flags & ~(uint64_t)PROCESS_FLAGS) ||
	    (c.flags & CSIGNAL) != SIGCHLD)
		return refuse(k, nr, "these clone flags", -EINVAL);
	if (!k->cur->frame)
		return -EINVAL;
	st = malloc(sizeof(*st));
	if (!st)
		return -ENOMEM;
	if (cabin_kvm_vcpu_save(k->cur->vcpu, k->cur->run, st) < 0) {
		free(st);
		return -EAGAIN;
	}
	fflush(NULL);
	/*
	 * No host signal until the child has its own kvm_run: the handler
	 * kicks the one it knows, which the child unmaps.  The memory lock
	 * is held across the fork, so the child's copy of the proxy
	 * kernel's tables is never one another vCPU was halfway through.
	 */
	cabin_kvm_fault_blockable(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	cabin_kvm_mm_lock(&k->mm);
	child = fork();
	cabin_kvm_mm_unlock(&k->mm);
	if (child != 0)
		sigprocmask(SIG_SETMASK, &old, NULL);
	if (child < 0) {
		free(st);
		return -errno;
	}
	if (child == 0) {
		/*
		 * vfork's child shares the parent's memory until it execs:
		 * here it has a copy, which only a child that writes the
		 * parent's memory before exec could tell apart.
		 */
		k->cur->frame->rax = 0;
		if (c.stack)
			k->cur->frame->rsp = c.stack;
		if (become_child(k, &c, st, parent) < 0)
			_exit(CABIN_EXIT_INTERNAL);
		sigprocmask(SIG_SETMASK, &old, NULL);
		free(st);
		return 0;
	}
	free(st);
	cabin_kvm_family_add(&k->family, child);
	announce_child(k, &c, child);
	return child;
}
