/*
 * Syscalls the monitor answers itself on the kvm platform: the address
 * space, signals, thread-area and identity calls that only make sense
 * for the guest, execve, and the process calls this platform refuses.
 */
#include <asm/prctl.h>
#include <errno.h>
#include <linux/openat2.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/names.h"
#include "core/proxy.h"
#include "platform/kvm/shared/abi.h"
#include "platform/kvm/linux/exec.h"
#include "platform/kvm/linux/linux.h"
#include "platform/kvm/vmm/monitor_fault.h"
#include "syscall/table.h"
#include "util/procfs.h"

#define MSR_FS_BASE		0xc0000100
#define MSR_KERNEL_GS_BASE	0xc0000102
#define MAX_EXEC_ARGS		(1u << 16)
#define MAX_EXEC_BYTES		(2u << 20)

/*
 * The calls cabin_kvm_sys answers: MONITOR and GUEST_MONITOR (when the
 * proxy kernel leaves them) in src/syscall/x86_64.def.
 */
bool cabin_kvm_sys_handles(long nr)
{
	enum cabin_syscall_kvm who = cabin_syscall_kvm(nr);

	return who == CABIN_SYSCALL_KVM_MONITOR ||
	       who == CABIN_SYSCALL_KVM_GUEST_MONITOR;
}

static bool canonical_user(uint64_t v)
{
	return v < 0x800000000000ull;
}

static long sys_arch_prctl(struct cabin_kvm *k, int code, uint64_t addr)
{
	uint64_t v = addr;
	int err;

	switch (code) {
	case ARCH_SET_FS:
	case ARCH_SET_GS:
		if (!canonical_user(addr))
			return -EPERM;
		/* In the kernel, the program's GS base waits in KERNEL_GS. */
		return cabin_kvm_vcpu_msr(k->cur->vcpu,
					  code == ARCH_SET_FS ? MSR_FS_BASE :
								MSR_KERNEL_GS_BASE,
					  &v, true);
	case ARCH_GET_FS:
	case ARCH_GET_GS:
		err = cabin_kvm_vcpu_msr(k->cur->vcpu,
					 code == ARCH_GET_FS ? MSR_FS_BASE :
							       MSR_KERNEL_GS_BASE,
					 &v, false);
		if (err)
			return err;
		return cabin_gmem_write(&k->vm.mem, addr, &v, sizeof(v));
	}
	return -EINVAL;
}

static bool targets_self(const struct cabin_kvm *k, long pid)
{
	return pid == 0 || pid == k->pid || pid == -(long)getpgrp();
}

/* tkill and tgkill: one of this process's threads, or -ESRCH. */
static long thread_target(struct cabin_kvm *k, long nr, const uint64_t a[6],
			  struct cabin_kvm_thread **to)
{
	long pid = (long)(int)a[0];
	long tid = nr == SYS_tgkill ? (long)(int)a[1] : pid;

	if (tid <= 0 || pid <= 0)
		return -EINVAL;
	if (nr == SYS_tgkill && pid != k->pid)
		return -ESRCH;
	*to = cabin_kvm_thread_by_tid(k, (pid_t)tid);
	return *to ? 0 : -ESRCH;
}

static long sys_kill(struct cabin_kvm *k, long nr, const uint64_t a[6])
{
	long pid = (long)(int)a[0];
	int sig = (int)(nr == SYS_tgkill ? a[2] : a[1]);
	struct cabin_kvm_thread *to = k->cur;
	siginfo_t si;
	long err;

	if (sig < 0 || sig > 64)
		return -EINVAL;
	if (nr != SYS_kill) {
		err = thread_target(k, nr, a, &to);
		/* Another process's: its only thread has its pid. */
		if (err == -ESRCH && nr == SYS_tkill)
			return cabin_kvm_signal_others(k, pid, sig);
		if (err)
			return err;
	} else if (!targets_self(k, pid)) {
		return cabin_kvm_signal_others(k, pid, sig);
	} else if (pid <= 0) {
		/* The group holds the program's other processes too. */
		cabin_kvm_signal_others(k, -(long)getpgrp(), sig);
	}
	if (!sig)
		return 0;
	memset(&si, 0, sizeof(si));
	si.si_signo = sig;
	si.si_code = nr == SYS_kill ? SI_USER : SI_TKILL;
	si.si_pid = k->pid;
	si.si_uid = getuid();
	if (nr == SYS_kill) {
		cabin_kvm_signal_process(k, &si);
		return 0;
	}
	cabin_ksig_queue(&to->sig, &si);
	if (to != k->cur)
		cabin_kvm_kick(k, to);
	return 0;
}

/* Wait on the host for a signal the program will see; -EINTR then. */
static long wait_for_signal(struct cabin_kvm *k)
{
	sigset_t all, none, old;

	/* Blocked from the check to sigsuspend: no wake-up is lost. */
	cabin_kvm_fault_blockable(&all);
	sigemptyset(&none);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (;;) {
		cabin_kvm_take_host_signals(k);
		if (cabin_ksig_deliverable(&k->cur->sig) ||
		    cabin_kvm_timed_out() || k->done)
			break;
		cabin_kvm_block_begin(k);
		sigsuspend(&none);
		cabin_kvm_block_end(k);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return -EINTR;
}

static long sys_sigsuspend(struct cabin_kvm *k, uint64_t set, uint64_t size)
{
	long err = cabin_ksig_sigsuspend(&k->cur->sig, &k->vm.mem, set, size);

	return err < 0 ? err : wait_for_signal(k);
}

static long sys_prctl(struct cabin_kvm *k, const uint64_t a[6])
{
	char name[16];
	int err;

	switch ((int)a[0]) {
	case PR_SET_NAME:
		memset(name, 0, sizeof(name));
		err = cabin_gmem_string(&k->vm.mem, a[1], name, sizeof(name));
		if (err == -ENAMETOOLONG) {
			err = cabin_gmem_read(&k->vm.mem, a[1], name, 15);
			name[15] = '\0';
		}
		if (err < 0)
			return -EFAULT;
		snprintf(k->comm, sizeof(k->comm), "%s", name);
		return 0;
	case PR_GET_NAME:
		memset(name, 0, sizeof(name));
		snprintf(name, sizeof(name), "%s", k->comm);
		return cabin_gmem_write(&k->vm.mem, a[1], name, sizeof(name));
	case PR_GET_DUMPABLE:
		return 1;
	case PR_GET_NO_NEW_PRIVS:
		return 1;
	case PR_CAPBSET_READ:
		return 0;
	case PR_SET_PDEATHSIG:
	case PR_SET_DUMPABLE:
	case PR_SET_NO_NEW_PRIVS:
	case PR_SET_VMA:
	case PR_SET_TIMERSLACK:
		return 0;
	}
	return -EINVAL;
}

static long sys_mincore(struct cabin_kvm *k, uint64_t addr, uint64_t len,
			uint64_t vec)
{
	uint64_t pages = (len + 4095) / 4096, i;
	unsigned char one = 1;

	if (addr % 4096)
		return -EINVAL;
	for (i = 0; i < pages; i++) {
		if (!cabin_gmem_find(&k->vm.mem, addr + i * 4096))
			return -ENOMEM;
		if (cabin_gmem_write(&k->vm.mem, vec + i, &one, 1) < 0)
			return -EFAULT;
	}
	return 0;
}

static long sys_mm_locked(struct cabin_kvm *k, long nr, const uint64_t a[6])
{
	switch (nr) {
	case SYS_brk:
		return cabin_kvm_mm_brk(&k->mm, a[0]);
	case SYS_mmap:
		if (!(a[3] & MAP_ANONYMOUS) &&
		    ((int)a[4] < 0 || (int)a[4] >= k->fwd.fd_floor))
			return -EBADF;
		return cabin_kvm_mm_mmap(&k->mm, a[0], a[1], (int)a[2],
					 (int)a[3], (int)a[4], a[5]);
	case SYS_munmap:
		return cabin_kvm_mm_munmap(&k->mm, a[0], a[1]);
	case SYS_mprotect:
		return cabin_kvm_mm_mprotect(&k->mm, a[0], a[1], (int)a[2]);
	case SYS_mremap:
		return cabin_kvm_mm_mremap(&k->mm, a[0], a[1], a[2], (int)a[3],
					   a[4]);
	case SYS_madvise:
		return cabin_kvm_mm_madvise(&k->mm, a[0], a[1], (int)a[2]);
	case SYS_mincore:
		return sys_mincore(k, a[0], a[1], a[2]);
	}
	return 0;	/* msync, mlock and friends: nothing to do */
}

/* The proxy kernel changes the same tables: one of us at a time. */
static long sys_mm(struct cabin_kvm *k, long nr, const uint64_t a[6])
{
	long ret;

	cabin_kvm_mm_lock(&k->mm);
	ret = sys_mm_locked(k, nr, a);
	cabin_kvm_mm_unlock(&k->mm);
	return ret;
}

long cabin_kvm_sys(struct cabin_kvm *k, long nr, const uint64_t a[6])
{
	switch (nr) {
	case SYS_brk: case SYS_mmap: case SYS_munmap: case SYS_mprotect:
	case SYS_mremap: case SYS_madvise: case SYS_msync: case SYS_mlock:
	case SYS_munlock: case SYS_mlockall: case SYS_munlockall:
	case SYS_mlock2: case SYS_mincore:
		return sys_mm(k, nr, a);
	case SYS_arch_prctl:
		return sys_arch_prctl(k, (int)a[0], a[1]);
	case SYS_set_tid_address:
		k->cur->clear_tid = a[0];
		return k->cur->tid;
	case SYS_set_robust_list:
		return a[1] == 24 ? 0 : -EINVAL;
	case SYS_get_robust_list:
	case SYS_rseq:
		return -ENOSYS;
	case SYS_rt_sigaction:
		return cabin_ksig_sigaction(&k->cur->sig, &k->vm.mem, (int)a[0], a[1],
					    a[2], a[3]);
	case SYS_rt_sigprocmask:
		return cabin_ksig_sigprocmask(&k->cur->sig, &k->vm.mem, (int)a[0],
					      a[1], a[2], a[3]);
	case SYS_sigaltstack:
		return cabin_ksig_sigaltstack(&k->cur->sig, &k->vm.mem, a[0], a[1],
					      k->cur->frame ? k->cur->frame->rsp : 0);
	case SYS_rt_sigpending:
		return cabin_ksig_sigpending(&k->cur->sig, &k->vm.mem, a[0], a[1]);
	case SYS_rt_sigsuspend:
		return sys_sigsuspend(k, a[0], a[1]);
	case SYS_pause:
		return wait_for_signal(k);
	case SYS_kill: case SYS_tkill: case SYS_tgkill:
		return sys_kill(k, nr, a);
	case SYS_clone: case SYS_clone3: case SYS_fork: case SYS_vfork:
		return cabin_kvm_fork(k, nr, a);
	case SYS_wait4: case SYS_waitid:
		return cabin_kvm_wait(k, nr, a);
	case SYS_prctl:
		return sys_prctl(k, a);
	}
	return -ENOSYS;
}

static void free_vector(char **v)
{
	size_t i;

	for (i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

/* A NULL-terminated vector of strings from the program, copied out. */
static long copy_vector(struct cabin_kvm *k, uint64_t at, char ***out,
			size_t *bytes)
{
	char **v = NULL, buf[4096];
	size_t n = 0;

	*out = NULL;
	for (;; n++) {
		uint64_t p;
		ssize_t len;
		char **nv;

		if (n == MAX_EXEC_ARGS)
			goto too_big;
		if (at && cabin_gmem_read(&k->vm.mem, at + n * 8, &p, 8) < 0)
			goto fault;
		if (!at)
			p = 0;
		nv = realloc(v, (n + 2) * sizeof(*v));
		if (!nv)
			goto nomem;
		v = nv;
		v[n] = NULL;
		if (!p)
			break;
		len = cabin_gmem_string(&k->vm.mem, p, buf, sizeof(buf));
		if (len == -ENAMETOOLONG)
			goto too_big;
		if (len < 0)
			goto fault;
		*bytes += (size_t)len + 1 + 8;
		if (*bytes > MAX_EXEC_BYTES)
			goto too_big;
		v[n] = strdup(buf);
		if (!v[n])
			goto nomem;
	}
	*out = v;
	return 0;
fault:
	free_vector(v);
	return -EFAULT;
too_big:
	free_vector(v);
	return -E2BIG;
nomem:
	free_vector(v);
	return -ENOMEM;
}


static long exec_path(struct cabin_kvm *k, long nr, const uint64_t a[6],
		      char *path, size_t len)
{
	uint64_t p = nr == SYS_execve ? a[0] : a[1];
	ssize_t n = cabin_kvm_program_path(&k->vm.mem, k->exe, p, path, len);

	if (n == CABIN_KVM_SELF_EXE)
		return 0;
	if (n == -ENAMETOOLONG)
		return -ENAMETOOLONG;
	if (n < 0)
		return -EFAULT;
	if (nr == SYS_execveat && (int)a[0] != AT_FDCWD && path[0] != '/')
		return -ENOSYS;	/* a directory descriptor: not yet */
	return n ? 0 : -ENOENT;
}

/* The file to run, as the program names it (magic links its own only). */
static long exec_file(struct cabin_kvm *k, const char *path)
{
	struct open_how how = { .flags = O_PATH | O_CLOEXEC };

	return cabin_kvm_fwd_open_path(&k->fwd, AT_FDCWD, path, &how, false);
}

long cabin_kvm_sys_execve(struct cabin_kvm *k, long nr, const uint64_t a[6])
{
	uint64_t av = nr == SYS_execve ? a[1] : a[2];
	uint64_t ev = nr == SYS_execve ? a[2] : a[3];
	struct cabin_kvm_start st;
	struct cabin_event e = { .kind = CABIN_EV_EXEC };
	char path[4096], why[512];
	char **argv = NULL, **envp = NULL;
	size_t bytes = 0;
	long err;

	err = exec_path(k, nr, a, path, sizeof(path));
	if (!err)
		err = copy_vector(k, av, &argv, &bytes);
	if (!err)
		err = copy_vector(k, ev, &envp, &bytes);
	/*
	 * The other threads stay out of the guest while its memory changes;
	 * the memory lock is taken first, so none is stopped holding it.
	 */
	if (!err)
		err = exec_file(k, path);
	if (err >= 0) {
		int fd = (int)err;

		cabin_kvm_mm_lock(&k->mm);
		cabin_kvm_park_others(k);
		err = cabin_kvm_exec(&k->mm, path, fd, argv, envp, &st, why,
				     sizeof(why));
		cabin_kvm_mm_unlock(&k->mm);
		close(fd);
	}
	free_vector(argv);
	free_vector(envp);
	if (err)
		return err;
	cabin_kvm_end_other_threads(k, SIGKILL);
	/* The old image is gone: from here on only the new one runs. */
	cabin_kvm_close_cloexec_below(k->fwd.fd_floor);
	cabin_ksig_exec(&k->cur->sig);
	snprintf(k->exe, sizeof(k->exe), "%s", st.exe);
	cabin_kvm_set_comm(k, st.exe);
	memset(k->cur->frame, 0, sizeof(*k->cur->frame));
	k->cur->frame->rip = st.entry;
	k->cur->frame->rsp = st.sp;
	k->cur->frame->rflags = 0x202;
	k->cur->frame->cs = CABIN_KVM_SEL_UCODE;
	k->cur->frame->ss = CABIN_KVM_SEL_UDATA;
	k->cur->frame->vector = CABIN_KVM_VEC_SYSCALL;
	{
		uint64_t zero = 0;

		cabin_kvm_vcpu_msr(k->cur->vcpu, MSR_FS_BASE, &zero, true);
		zero = 0;
		cabin_kvm_vcpu_msr(k->cur->vcpu, MSR_KERNEL_GS_BASE, &zero, true);
	}
	e.exec.former_tid = k->cur->tid;
	e.tid = k->cur->tid;
	cabin_proxy_handle(k->proxy, &e);
	return 0;
}

static bool proc_leaf_allowed(const char *leaf)
{
	static const char *const ok[] = {
		"status", "stat", "statm", "cmdline", "comm", "limits",
		"cgroup", "mountinfo", "mounts", "oom_score_adj",
	};
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(*ok); i++)
		if (!strcmp(leaf, ok[i]))
			return true;
	return false;
}

/*
 * The monitor's own process stands behind /proc/self: its memory, its
 * descriptors (cabin's records among them), its mappings.  A file the
 * program opened is checked after the fact, on what it really is, so no
 * symlink or rename race can lead there.
 */
long cabin_kvm_check_new_fd(struct cabin_kvm *k, long fd)
{
	char path[4096] = "", *p;

	if (fd < 0 || !cabin_util_on_procfs((int)fd))
		return fd;
	if (cabin_util_fd_readlink((int)fd, path, sizeof(path)) < 0)
		goto refuse;
	if (strncmp(path, "/proc/", 6))
		goto refuse;
	p = path + 6;
	if (!strncmp(p, "self", 4) || !strncmp(p, "thread-self", 11) ||
	    (*p >= '0' && *p <= '9')) {
		const char *leaf = strrchr(path, '/') + 1;
		int acc = fcntl((int)fd, F_GETFL) & O_ACCMODE;
		size_t depth = 0;

		for (p = path + 6; *p; p++)
			depth += *p == '/';
		/* /proc/PID/LEAF only, read-only, from the list. */
		if (depth != 1 || acc != O_RDONLY || !proc_leaf_allowed(leaf))
			goto refuse;
	}
	return fd;
refuse:
	close((int)fd);
	if (!cabin_denial_reported(k->proxy, SYS_openat, k->comm))
		cabin_proxy_say(k->proxy, "pid %d (%s): refused %s: the monitor's own /proc files are out of reach on the kvm platform",
				(int)k->pid, k->comm, path[0] == '/' ? path : "a /proc file");
	return -EACCES;
}
