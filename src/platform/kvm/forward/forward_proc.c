/*
 * Calls on the process as a whole.  The program's process is the
 * monitor's, so what it may see or change of it is narrowed: it names
 * only itself, it sees RLIMIT_NOFILE as ending at fd_floor, and it may
 * not change limits the monitor lives under (a lower RLIMIT_FSIZE or
 * RLIMIT_AS would fail the monitor's own report or allocations).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>

#include "platform/kvm/forward/forward_impl.h"

/* 0, the process or the calling thread: the only ones the program has. */
static bool is_self(int pid)
{
	return !pid || pid == getpid() || pid == gettid();
}

long cabin_kvm_fwd_self_pid(struct cabin_kvm_call *c)
{
	if (!is_self((int)c->guest[0]))
		return -ESRCH;
	return cabin_kvm_fwd_syscall(c);
}

/*
 * The monitor's own process stands behind /proc/self: its exe link names
 * cabin, so the program's would-be readlink is answered from its file.
 */
static bool names_self_exe(const char *path)
{
	char mine[32];

	if (!strcmp(path, "/proc/self/exe") ||
	    !strcmp(path, "/proc/thread-self/exe"))
		return true;
	snprintf(mine, sizeof(mine), "/proc/%d/exe", (int)getpid());
	return !strcmp(path, mine);
}

ssize_t cabin_kvm_program_path(const struct cabin_gmem *g, const char *exe,
			       uint64_t gva, char *buf, size_t cap)
{
	ssize_t n = cabin_gmem_string(g, gva, buf, cap);

	if (n < 0 || !exe || !exe[0] || !names_self_exe(buf))
		return n;
	snprintf(buf, cap, "%s", exe);
	return CABIN_KVM_SELF_EXE;
}

long cabin_kvm_fwd_readlink(struct cabin_kvm_call *c)
{
	int at = c->nr == SYS_readlinkat;
	long size = (int)c->guest[at + 2];
	size_t len;

	if (!c->self_exe)
		return cabin_kvm_fwd_syscall(c);
	if (size <= 0)
		return -EINVAL;
	len = strlen(c->f->exe);
	if (len > (size_t)size)
		len = (size_t)size;
	memcpy((void *)c->host[at + 1], c->f->exe, len);
	return (long)len;
}

long cabin_kvm_fwd_priority(struct cabin_kvm_call *c)
{
	/* PRIO_PGRP and PRIO_USER would reach other host processes. */
	if ((int)c->guest[0] != PRIO_PROCESS || !is_self((int)c->guest[1]))
		return -ESRCH;
	return cabin_kvm_fwd_syscall(c);
}

static int host_limit(unsigned int res, struct rlimit *r)
{
	return syscall(SYS_prlimit64, 0L, (long)res, NULL, r) < 0 ? -errno : 0;
}

/* What the program sees: descriptors end at the floor. */
static int view_limit(const struct cabin_kvm_fwd *f, unsigned int res,
		      struct rlimit *r)
{
	rlim_t floor = (rlim_t)f->fd_floor;
	int err = host_limit(res, r);

	if (!err && res == RLIMIT_NOFILE) {
		if (r->rlim_cur > floor)
			r->rlim_cur = floor;
		if (r->rlim_max > floor)
			r->rlim_max = floor;
	}
	return err;
}

/*
 * NOFILE is accepted and not applied: the program cannot reach past the
 * floor anyway, and lowering the real limit could close the monitor out
 * of its own descriptors.  CORE only shapes the monitor's core dump.  The
 * rest are the monitor's limits: only setting the current value succeeds.
 */
static int set_limit(unsigned int res, const struct rlimit *want)
{
	struct rlimit now;
	int err;

	if (res >= RLIM_NLIMITS || want->rlim_cur > want->rlim_max)
		return -EINVAL;
	if (res == RLIMIT_NOFILE)
		return 0;
	if (res == RLIMIT_CORE)
		return syscall(SYS_prlimit64, 0L, (long)res, want, NULL) < 0 ?
		       -errno : 0;
	err = host_limit(res, &now);
	if (err)
		return err;
	if (now.rlim_cur != want->rlim_cur || now.rlim_max != want->rlim_max)
		return -EPERM;
	return 0;
}

long cabin_kvm_fwd_getrlimit(struct cabin_kvm_call *c)
{
	struct rlimit r;
	int err = view_limit(c->f, (unsigned int)c->guest[0], &r);

	if (err)
		return err;
	return cabin_gmem_write(c->f->mem, c->guest[1], &r, sizeof(r));
}

long cabin_kvm_fwd_setrlimit(struct cabin_kvm_call *c)
{
	struct rlimit r;

	if (cabin_gmem_read(c->f->mem, c->guest[1], &r, sizeof(r)))
		return -EFAULT;
	return set_limit((unsigned int)c->guest[0], &r);
}

long cabin_kvm_fwd_prlimit64(struct cabin_kvm_call *c)
{
	unsigned int res = (unsigned int)c->guest[1];
	struct rlimit want, old;
	void *out = NULL;
	int err;

	if (!is_self((int)c->guest[0]))
		return -ESRCH;
	if (c->guest[2] &&
	    cabin_gmem_read(c->f->mem, c->guest[2], &want, sizeof(want)))
		return -EFAULT;
	/* Checked before anything changes, so a bad pointer changes nothing. */
	if (c->guest[3] &&
	    cabin_gmem_translate(c->f->mem, c->guest[3], sizeof(old),
				 CABIN_GMEM_USER | CABIN_GMEM_W, &out))
		return -EFAULT;
	if (res >= RLIM_NLIMITS)
		return -EINVAL;
	err = view_limit(c->f, res, &old);
	if (!err && c->guest[2])
		err = set_limit(res, &want);
	if (!err && out)
		memcpy(out, &old, sizeof(old));
	return err;
}

/* Capability data is one 12-byte set for version 1, two after. */
static unsigned int cap_sets(uint32_t version)
{
	switch (version) {
	case _LINUX_CAPABILITY_VERSION_1:
		return _LINUX_CAPABILITY_U32S_1;
	case _LINUX_CAPABILITY_VERSION_2:
	case _LINUX_CAPABILITY_VERSION_3:
		return _LINUX_CAPABILITY_U32S_3;
	}
	return 0;
}

long cabin_kvm_fwd_capget(struct cabin_kvm_call *c)
{
	struct __user_cap_header_struct hdr;
	struct __user_cap_data_struct unused[_LINUX_CAPABILITY_U32S_3];
	void *ghdr, *data = NULL;
	unsigned int n;
	long r;

	/* The kernel writes the version back when it does not know it. */
	if (cabin_gmem_translate(c->f->mem, c->guest[0], sizeof(hdr),
				 CABIN_GMEM_USER | CABIN_GMEM_R | CABIN_GMEM_W,
				 &ghdr))
		return -EFAULT;
	memcpy(&hdr, ghdr, sizeof(hdr));
	n = cap_sets(hdr.version);
	if (c->guest[1] && n) {
		if (hdr.pid < 0)
			return -EINVAL;
		if (!is_self(hdr.pid))
			return -ESRCH;
		size_t len = n * sizeof(struct __user_cap_data_struct);

		if (cabin_gmem_translate(c->f->mem, c->guest[1], len,
					 CABIN_GMEM_USER | CABIN_GMEM_W, &data))
			return -EFAULT;
	} else if (c->guest[1]) {
		/*
		 * An unknown version with data: the kernel answers -EINVAL (and
		 * its version) before using the pointer, which is never the
		 * guest's.
		 */
		data = unused;
	}
	r = syscall(SYS_capget, &hdr, data);
	r = r < 0 ? -errno : r;
	memcpy(ghdr, &hdr, sizeof(hdr));
	return r;
}
