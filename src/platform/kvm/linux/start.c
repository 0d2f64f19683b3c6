/*
 * A process's start on the kvm platform: guest memory sized under
 * RLIMIT_AS, the VM opened and its descriptors moved out of the
 * program's reach, PKRU for execute-only memory, the forwarder wired to
 * the threads' blocking hook, and the program loaded with its first
 * registers.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>

#include "cabin/cabin.h"
#include "core/router.h"
#include "core/xom.h"
#include "platform/kvm/linux/linux.h"
#include "platform/kvm/linux/exec.h"

#define MEM_DEFAULT	(2ull << 30)
#define MEM_MIN		(64ull << 20)
#define MEM_SLACK	(256ull << 20)	/* the monitor's own, under RLIMIT_AS */

void cabin_kvm_say(struct cabin_kvm *k, const char *fmt, ...)
{
	va_list ap;

	fputs("cabin: ", k->opt->log);
	va_start(ap, fmt);
	vfprintf(k->opt->log, fmt, ap);
	va_end(ap);
	fputc('\n', k->opt->log);
	fflush(k->opt->log);
}

void cabin_kvm_set_comm(struct cabin_kvm *k, const char *path)
{
	const char *base = strrchr(path, '/');

	snprintf(k->comm, sizeof(k->comm), "%s", base ? base + 1 : path);
}

static int start_program(struct cabin_kvm *k)
{
	const struct cabin_kvm_options *o = k->opt;
	struct cabin_kvm_start st;
	struct cabin_kvm_frame f;
	char why[512];
	int err;

	err = cabin_kvm_exec(&k->mm, o->path, o->exe_fd, o->argv, o->envp, &st,
			     why, sizeof(why));
	if (err < 0) {
		cabin_kvm_say(k, "cannot run %s on the kvm platform: %s",
			      o->path, why);
		if (err == -ENOENT)
			return CABIN_EXIT_NOTFOUND;
		return err == -EACCES ? CABIN_EXIT_NOEXEC : CABIN_EXIT_INTERNAL;
	}
	snprintf(k->exe, sizeof(k->exe), "%s", st.exe);
	cabin_kvm_set_comm(k, st.exe);
	memset(&f, 0, sizeof(f));
	f.rip = st.entry;
	f.rsp = st.sp;
	f.rflags = 0x202;
	err = cabin_kvm_vcpu_set_frame(k->cur->vcpu, &f);
	if (err < 0) {
		cabin_kvm_say(k, "KVM_SET_REGS: %s", strerror(-err));
		return CABIN_EXIT_INTERNAL;
	}
	return 0;
}

/* The program's PKRU: the execute-only key may be run, never read. */
static int set_pkru(struct cabin_kvm *k)
{
	struct kvm_xsave x;
	size_t off = k->proxy->xom ? k->proxy->xom->pkru_offset : 0;
	uint32_t pkru = CABIN_KVM_XOM_PKRU;
	uint64_t bv;

	if (!off || off + 4 > sizeof(x.region) ||
	    ioctl(k->cur->vcpu, KVM_GET_XSAVE, &x) < 0)
		return -EIO;
	memcpy((char *)x.region + off, &pkru, sizeof(pkru));
	/* XSTATE_BV: the PKRU component holds a value. */
	memcpy(&bv, (char *)x.region + 512, sizeof(bv));
	bv |= 1ull << 9;
	memcpy((char *)x.region + 512, &bv, sizeof(bv));
	return ioctl(k->cur->vcpu, KVM_SET_XSAVE, &x) < 0 ? -errno : 0;
}

/* Guest memory: 2 GiB, or what RLIMIT_AS leaves beside the monitor. */
static uint64_t guest_size(void)
{
	struct rlimit rl;
	uint64_t size = MEM_DEFAULT;

	if (getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur < size + MEM_SLACK)
		size = rl.rlim_cur > MEM_SLACK + MEM_MIN ?
		       (rl.rlim_cur - MEM_SLACK) & ~(CABIN_GMEM_ALIGN - 1) : 0;
	return size;
}

static bool fwd_blocking(void *ctx, bool begin)
{
	if (begin)
		return cabin_kvm_block_begin(ctx);
	cabin_kvm_block_end(ctx);
	return true;
}

static int setup(struct cabin_kvm *k)
{
	uint64_t size = guest_size();
	char why[256];
	int err;

	if (!size) {
		cabin_kvm_say(k, "the memory limit leaves no room for a kvm guest (at least %llu MiB)",
		    (unsigned long long)((MEM_MIN + MEM_SLACK) >> 20));
		return CABIN_EXIT_INTERNAL;
	}
	k->vm.no_smep = k->opt->no_smep;
	k->vm.no_smap = k->opt->no_smap;
	k->vm.want_pke = k->opt->xom;
	err = cabin_kvm_vm_open(&k->vm, k->opt->kvm_fd, size, why, sizeof(why));
	if (err < 0) {
		cabin_kvm_say(k, "cannot start the kvm platform: %s", why);
		return CABIN_EXIT_INTERNAL;
	}
	if (cabin_kvm_adopt_vm(k) < 0) {
		cabin_kvm_say(k, "cannot move the VM's descriptors out of the program's reach");
		return CABIN_EXIT_INTERNAL;
	}
	if (k->opt->xom && (!k->vm.pke || set_pkru(k) < 0)) {
		cabin_kvm_say(k, "execute-only memory (xom) needs protection keys in the kvm guest, and KVM offers none here");
		return CABIN_EXIT_INTERNAL;
	}
	cabin_kvm_mm_init(&k->mm, &k->vm);
	k->mm.wx = k->proxy->wx;
	k->mm.xom = k->opt->xom;
	k->vm.ms->batch = k->opt->batch ? k->opt->batch : 1;
	k->fwd.mem = &k->vm.mem;
	k->fwd.fd_floor = k->opt->fd_floor;
	k->fwd.blocking = fwd_blocking;
	k->fwd.ctx = k;
	k->fwd.exe = k->exe;
	return 0;
}

int cabin_kvm_start_ring(struct cabin_kvm *k)
{
	struct cabin_kvm_ring *slot =
		(struct cabin_kvm_ring *)(k->vm.mem.host + CABIN_KVM_RING);

	return cabin_kvm_ring_start(&k->ringer, slot, &k->fwd,
				    k->proxy->router);
}

int cabin_kvm_start(struct cabin_kvm *k)
{
	int code = setup(k);

	return code ? code : start_program(k);
}
