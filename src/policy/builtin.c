/*
 * The built-in deny list.  Each entry names what it protects against; the
 * list is the one a general-purpose sandbox needs before any user policy
 * exists: kernel reconfiguration, other processes' memory, kernel attack
 * surface the filter cannot see into, and ways out of the tracer.
 */
#include <errno.h>
#include <sched.h>
#include <sys/ioctl.h>

#include "cabin/cabin.h"
#include "core/names.h"
#include "policy/builtin.h"

static const char *const denied_outright[] = {
	/* other processes: tracing and memory access */
	"ptrace", "process_vm_readv", "process_vm_writev",
	/* the kernel itself: images, modules, power, swap */
	"kexec_load", "kexec_file_load", "init_module", "finit_module",
	"delete_module", "reboot", "swapon", "swapoff",
	/* the file-system tree */
	"mount", "umount2", "pivot_root",
	/* large kernel attack surface */
	"bpf", "perf_event_open", "userfaultfd",
	/* keyrings are shared beyond the sandbox */
	"keyctl", "add_key", "request_key",
	/* io_uring performs syscalls the filter never sees */
	"io_uring_setup", "io_uring_enter", "io_uring_register",
};

static int add(struct cabin_router *r, const char *name,
	       struct cabin_route route, unsigned int ncond,
	       const struct cabin_cond *cond)
{
	struct cabin_rule rule = { .route = route, .ncond = ncond };
	long nr = cabin_syscall_number(name);
	unsigned int i;

	if (nr < 0)
		return -ENOENT;
	rule.nr = (int)nr;
	for (i = 0; i < ncond; i++)
		rule.cond[i] = cond[i];
	return cabin_router_add(r, &rule);
}

static int add_deny_list(struct cabin_router *r)
{
	static const struct cabin_route eperm = {
		.kind = CABIN_ROUTE_DENY, .err = EPERM,
	};
	/* Typing into another's terminal, and the console's own commands. */
	static const struct cabin_cond tiocsti = {
		.arg = 1, .op = CABIN_CMP_MASKED_EQ,
		.mask = 0xffffffff, .value = TIOCSTI,
	};
	static const struct cabin_cond tioclinux = {
		.arg = 1, .op = CABIN_CMP_MASKED_EQ,
		.mask = 0xffffffff, .value = TIOCLINUX,
	};
	size_t i;
	int err;

	for (i = 0; i < sizeof(denied_outright) / sizeof(*denied_outright);
	     i++) {
		err = add(r, denied_outright[i], eperm, 0, NULL);
		if (err < 0)
			return err;
	}
	err = add(r, "ioctl", eperm, 1, &tiocsti);
	if (err < 0)
		return err;
	err = add(r, "ioctl", eperm, 1, &tioclinux);
	return err < 0 ? err : 0;
}

/*
 * A child created with CLONE_UNTRACED is not followed by ptrace, so it
 * would outlive cabin and escape the proxy.  clone3 passes its flags in
 * memory BPF cannot read, so it answers ENOSYS the way an older kernel
 * would, and libc falls back to clone, whose flags BPF sees.
 */
static int add_untraced_guard(struct cabin_router *r)
{
	static const struct cabin_route eperm = {
		.kind = CABIN_ROUTE_DENY, .err = EPERM,
	};
	static const struct cabin_route enosys = {
		.kind = CABIN_ROUTE_DENY, .err = ENOSYS, .quiet = true,
	};
	static const struct cabin_cond untraced = {
		.arg = 0, .op = CABIN_CMP_MASKED_EQ,
		.mask = CLONE_UNTRACED, .value = CLONE_UNTRACED,
	};
	int err = add(r, "clone", eperm, 1, &untraced);

	if (err < 0)
		return err;
	err = add(r, "clone3", enosys, 0, NULL);
	return err < 0 ? err : 0;
}

int cabin_policy_builtin(struct cabin_router *r, unsigned int unsafe)
{
	int err;

	cabin_router_init(r, (struct cabin_route){ .kind = CABIN_ROUTE_ALLOW });
	if (!(unsafe & CABIN_UNSAFE_DENY)) {
		err = add_deny_list(r);
		if (err < 0)
			return err;
	}
	if (!(unsafe & CABIN_UNSAFE_UNTRACED)) {
		err = add_untraced_guard(r);
		if (err < 0)
			return err;
	}
	return 0;
}
