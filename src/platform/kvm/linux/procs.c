/*
 * The program's other processes on the kvm platform, each run by a
 * monitor of its own: wait(2) is the host's (they are the monitor's
 * children), and signals between them travel as one host signal that
 * carries the program's number, so a monitor tells them from its own.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "platform/kvm/linux/linux.h"

#define WAIT_OPTIONS	(WNOHANG | WUNTRACED | WCONTINUED | WEXITED | \
			 WNOWAIT | __WNOTHREAD | __WALL | __WCLONE)

static int carry(pid_t to, int sig)
{
	union sigval v = { .sival_int = sig };

	return sigqueue(to, CABIN_KVM_SIG_CARRY, v) < 0 ? -errno : 0;
}

long cabin_kvm_signal_others(struct cabin_kvm *k, long pid, int sig)
{
	pid_t members[CABIN_KVM_FAMILY_MAX];
	size_t n, i;

	if (pid > 0) {
		if (!cabin_kvm_family_has(&k->family, (pid_t)pid))
			return -ESRCH;
		return sig ? carry((pid_t)pid, sig) : 0;
	}
	/* A group (-pid), or all (-1): only ever this run's monitors. */
	n = cabin_kvm_family_group(&k->family, members, CABIN_KVM_FAMILY_MAX,
				   pid == -1 ? 0 : (pid_t)-pid);
	for (i = 0; sig && i < n; i++)
		carry(members[i], sig);
	return n || pid == -1 ? 0 : -ESRCH;
}

/* Where the program wants status, info or usage: checked before waiting. */
static long writable(struct cabin_kvm *k, uint64_t at, size_t len)
{
	void *p;

	if (!at)
		return 0;
	return cabin_gmem_translate(&k->vm.mem, at, len,
				    CABIN_GMEM_USER | CABIN_GMEM_W, &p);
}

static long wait4_of(struct cabin_kvm *k, const uint64_t a[6])
{
	struct rusage ru;
	int status = 0;
	long r;

	if ((int)a[2] & ~(WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD |
			  __WALL | __WCLONE))
		return -EINVAL;
	if (writable(k, a[1], sizeof(int)) < 0 ||
	    writable(k, a[3], sizeof(ru)) < 0)
		return -EFAULT;
	r = -EINTR;
	if (cabin_kvm_block_begin(k)) {
		r = syscall(SYS_wait4, (pid_t)a[0], &status, (int)a[2],
			    a[3] ? &ru : NULL);
		r = r < 0 ? -errno : r;
	}
	cabin_kvm_block_end(k);
	if (r < 0)
		return r;
	if (r > 0 && a[1])
		cabin_gmem_write(&k->vm.mem, a[1], &status, sizeof(status));
	if (r > 0 && a[3])
		cabin_gmem_write(&k->vm.mem, a[3], &ru, sizeof(ru));
	return r;
}

static long waitid_of(struct cabin_kvm *k, const uint64_t a[6])
{
	siginfo_t si;
	struct rusage ru;
	long r;

	if ((int)a[3] & ~WAIT_OPTIONS)
		return -EINVAL;
	if (writable(k, a[2], sizeof(si)) < 0 ||
	    writable(k, a[4], sizeof(ru)) < 0)
		return -EFAULT;
	memset(&si, 0, sizeof(si));
	r = -EINTR;
	if (cabin_kvm_block_begin(k)) {
		r = syscall(SYS_waitid, (int)a[0], (pid_t)a[1], &si, (int)a[3],
			    a[4] ? &ru : NULL);
		r = r < 0 ? -errno : r;
	}
	cabin_kvm_block_end(k);
	if (r < 0)
		return r;
	if (a[2])
		cabin_gmem_write(&k->vm.mem, a[2], &si, sizeof(si));
	if (a[4])
		cabin_gmem_write(&k->vm.mem, a[4], &ru, sizeof(ru));
	return r;
}

long cabin_kvm_wait(struct cabin_kvm *k, long nr, const uint64_t a[6])
{
	return nr == SYS_wait4 ? wait4_of(k, a) : waitid_of(k, a);
}
