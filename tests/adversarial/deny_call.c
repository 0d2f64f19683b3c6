/*
 * One call of the deny list, named on the command line, made twice with
 * arguments that can do no harm: each is refused by the kernel after its
 * permission check (a bad magic, an unknown flag, a path that does not
 * exist, an empty module image), or acts only on the program itself (its
 * own memory, a key in its own process keyring, a one-entry BPF map, a
 * counter of its own CPU time).  Nothing is mounted, loaded, swapped or
 * rebooted whoever runs it.
 *
 * Prints "TRY NAME" before the first call, then
 *   CONTAINED NAME: EPERM           both calls failed with EPERM
 *   ESCAPED NAME: ERRNO|returned N  the call reached the kernel, which
 *                                   answered something else
 * Usage: deny_call NAME [FILE]   (FILE: a regular file, never a mount
 * point, for umount2)
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

/* Paths that must not exist: checked before any call that takes one. */
#define NO_PATH "/nonexistent-cabin-deny-call"
#define NO_MODULE "cabin-deny-call-no-such-module" /* '-' never in a module name */

static char self_buf[64] = "cabin deny_call";

static long call_mount(const char *arg)
{
	(void)arg;
	/* No file-system type: EINVAL after the mount permission check. */
	return syscall(SYS_mount, "none", "/", NULL, 0UL, NULL);
}

static long call_umount2(const char *arg)
{
	/* Not a mount point: EINVAL after the permission check. */
	return syscall(SYS_umount2, arg, 0);
}

static long call_pivot_root(const char *arg)
{
	(void)arg;
	return syscall(SYS_pivot_root, NO_PATH, NO_PATH);
}

static long call_bpf(const char *arg)
{
	union bpf_attr attr;
	long fd;

	(void)arg;
	memset(&attr, 0, sizeof(attr));
	attr.map_type = BPF_MAP_TYPE_ARRAY;
	attr.key_size = 4;
	attr.value_size = 4;
	attr.max_entries = 1;
	fd = syscall(SYS_bpf, BPF_MAP_CREATE, &attr, sizeof(attr));
	if (fd >= 0)
		close((int)fd);
	return fd;
}

static long call_perf_event_open(const char *arg)
{
	struct perf_event_attr attr;
	long fd;

	(void)arg;
	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = PERF_TYPE_SOFTWARE;
	attr.config = PERF_COUNT_SW_TASK_CLOCK;
	attr.disabled = 1;
	attr.exclude_kernel = 1;
	attr.exclude_hv = 1;
	fd = syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0UL);
	if (fd >= 0)
		close((int)fd);
	return fd;
}

static long call_userfaultfd(const char *arg)
{
	long fd;

	(void)arg;
	fd = syscall(SYS_userfaultfd, O_CLOEXEC | 1 /* UFFD_USER_MODE_ONLY */);
	if (fd >= 0)
		close((int)fd);
	return fd;
}

static long call_kexec_load(const char *arg)
{
	(void)arg;
	/* An unknown flag and too many segments: EINVAL, nothing loaded. */
	return syscall(SYS_kexec_load, 0UL, 1000UL, NULL, 0x4UL);
}

static long call_kexec_file_load(const char *arg)
{
	(void)arg;
	/* An unknown flag: EINVAL, nothing loaded or unloaded. */
	return syscall(SYS_kexec_file_load, -1, -1, 0UL, NULL, 1UL << 30);
}

static long call_init_module(const char *arg)
{
	(void)arg;
	/* An empty image: ENOEXEC before anything is copied. */
	return syscall(SYS_init_module, self_buf, 0UL, "");
}

static long call_finit_module(const char *arg)
{
	(void)arg;
	/* An unknown flag: EINVAL before the descriptor is looked at. */
	return syscall(SYS_finit_module, -1, "", 1 << 20);
}

static long call_delete_module(const char *arg)
{
	(void)arg;
	return syscall(SYS_delete_module, NO_MODULE, O_NONBLOCK);
}

static long call_reboot(const char *arg)
{
	(void)arg;
	/* Bad magic numbers: EINVAL, the command is never looked at. */
	return syscall(SYS_reboot, 0, 0, 0, NULL);
}

static long call_swapon(const char *arg)
{
	(void)arg;
	return syscall(SYS_swapon, NO_PATH, 0);
}

static long call_swapoff(const char *arg)
{
	(void)arg;
	return syscall(SYS_swapoff, NO_PATH);
}

static long call_keyctl(const char *arg)
{
	(void)arg;
	/* KEYCTL_GET_KEYRING_ID of KEY_SPEC_PROCESS_KEYRING, no create. */
	return syscall(SYS_keyctl, 0, -2, 0);
}

static long call_add_key(const char *arg)
{
	(void)arg;
	/* A "user" key in the process keyring, gone with the process. */
	return syscall(SYS_add_key, "user", "cabin-deny-call", "x", 1UL, -2);
}

static long call_request_key(const char *arg)
{
	(void)arg;
	/* No callout: ENOKEY, no upcall. */
	return syscall(SYS_request_key, "user", "cabin-deny-call-none", NULL, 0);
}

static long call_process_vm_readv(const char *arg)
{
	char buf[sizeof(self_buf)];
	struct iovec local = { buf, sizeof(buf) };
	struct iovec remote = { self_buf, sizeof(self_buf) };

	(void)arg;
	return syscall(SYS_process_vm_readv, getpid(), &local, 1UL, &remote,
		       1UL, 0UL);
}

static long call_process_vm_writev(const char *arg)
{
	char buf[sizeof(self_buf)];
	struct iovec local = { buf, sizeof(buf) };
	struct iovec remote = { self_buf, sizeof(self_buf) };

	(void)arg;
	memcpy(buf, self_buf, sizeof(buf));
	return syscall(SYS_process_vm_writev, getpid(), &local, 1UL, &remote,
		       1UL, 0UL);
}

static long call_ptrace(const char *arg)
{
	(void)arg;
	/* PTRACE_PEEKUSER of ourselves, not a tracee of ours: ESRCH. */
	return syscall(SYS_ptrace, 3L, (long)getpid(), 0L, 0L);
}

static long call_io_uring_enter(const char *arg)
{
	(void)arg;
	return syscall(SYS_io_uring_enter, -1, 0, 0, 0, NULL, 0);
}

static long call_io_uring_register(const char *arg)
{
	(void)arg;
	return syscall(SYS_io_uring_register, -1, 0, NULL, 0);
}

struct call {
	const char *name;
	long (*fn)(const char *arg);
};

static const struct call calls[] = {
	{ "mount", call_mount },
	{ "umount2", call_umount2 },
	{ "pivot_root", call_pivot_root },
	{ "bpf", call_bpf },
	{ "perf_event_open", call_perf_event_open },
	{ "userfaultfd", call_userfaultfd },
	{ "kexec_load", call_kexec_load },
	{ "kexec_file_load", call_kexec_file_load },
	{ "init_module", call_init_module },
	{ "finit_module", call_finit_module },
	{ "delete_module", call_delete_module },
	{ "reboot", call_reboot },
	{ "swapon", call_swapon },
	{ "swapoff", call_swapoff },
	{ "keyctl", call_keyctl },
	{ "add_key", call_add_key },
	{ "request_key", call_request_key },
	{ "process_vm_readv", call_process_vm_readv },
	{ "process_vm_writev", call_process_vm_writev },
	{ "ptrace", call_ptrace },
	{ "io_uring_enter", call_io_uring_enter },
	{ "io_uring_register", call_io_uring_register },
};

static const char *errno_name(int e)
{
	const char *n = strerrorname_np(e);

	return n ? n : "unknown errno";
}

/* A harmless argument is one that names nothing. */
static int paths_safe(const char *arg)
{
	struct stat st;

	if (lstat(NO_PATH, &st) == 0 || errno != ENOENT) {
		printf("ERROR %s exists, refusing to call with it\n", NO_PATH);
		return 0;
	}
	if (arg && (lstat(arg, &st) < 0 || !S_ISREG(st.st_mode))) {
		printf("ERROR %s is not a regular file\n", arg);
		return 0;
	}
	return 1;
}

int main(int argc, char **argv)
{
	const struct call *c = NULL;
	long r1, r2;
	int e1, e2;
	size_t i;

	setvbuf(stdout, NULL, _IONBF, 0);
	for (i = 0; argc > 1 && i < sizeof(calls) / sizeof(*calls); i++) {
		if (!strcmp(argv[1], calls[i].name))
			c = &calls[i];
	}
	if (!c) {
		fprintf(stderr, "usage: deny_call NAME [FILE]\n");
		return 2;
	}
	if (!strcmp(c->name, "umount2") && argc < 3) {
		fprintf(stderr, "deny_call umount2 needs a regular file\n");
		return 2;
	}
	if (!paths_safe(argc > 2 ? argv[2] : NULL))
		return 2;
	printf("TRY %s\n", c->name);
	errno = 0;
	r1 = c->fn(argv[2]);
	e1 = errno;
	errno = 0;
	r2 = c->fn(argv[2]);
	e2 = errno;
	if (r1 == -1 && r2 == -1 && e1 == EPERM && e2 == EPERM)
		printf("CONTAINED %s: EPERM\n", c->name);
	else if (r1 == -1)
		printf("ESCAPED %s: %s\n", c->name, errno_name(e1));
	else
		printf("ESCAPED %s: returned %ld\n", c->name, r1);
	return 0;
}
