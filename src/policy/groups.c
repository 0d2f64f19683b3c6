/*
 * The syscall groups a policy may name (`syscall deny(EPERM) @mount`).
 * Their members follow systemd's SystemCallFilter= groups of the same
 * name, restricted to x86-64, so that what a user knows from a unit file
 * holds here; where cabin differs it says why.  Every name must be one
 * the policy language accepts as a syscall (tests/unit/test_policy.c
 * checks each against libseccomp's table), so a group never hides a
 * name the parser would refuse.  Orders are those of the built-in
 * profiles where they use a group, so that rewriting a profile with
 * groups compiles to the same filter.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "policy/groups.h"

static const struct cabin_policy_group groups[] = {
	{ "@clock", "setting the system clock",
	  "adjtimex clock_adjtime clock_settime settimeofday" },
	{ "@cpu-emulation", "CPU emulation (x86-64 has only modify_ldt)",
	  "modify_ldt" },
	/*
	 * process_vm_readv and process_vm_writev read and write another
	 * process's memory as ptrace does: here, not in @ipc as in systemd.
	 */
	{ "@debug", "tracing other processes and their memory, profiling",
	  "ptrace process_vm_readv process_vm_writev pidfd_getfd "
	  "perf_event_open lookup_dcookie" },
	{ "@file-system", "files, directories and their attributes",
	  "access chdir chmod close creat faccessat faccessat2 fallocate "
	  "fchdir fchmod fchmodat fchmodat2 fcntl fgetxattr flistxattr "
	  "fremovexattr fsetxattr fstat fstatfs ftruncate futimesat getcwd "
	  "getdents getdents64 getxattr inotify_add_watch inotify_init "
	  "inotify_init1 inotify_rm_watch lgetxattr link linkat listxattr "
	  "llistxattr lremovexattr lsetxattr lstat mkdir mkdirat mknod "
	  "mknodat newfstatat open openat openat2 readlink readlinkat "
	  "removexattr rename renameat renameat2 rmdir setxattr stat statfs "
	  "statx symlink symlinkat truncate unlink unlinkat utime utimensat "
	  "utimes" },
	/* systemd counts these in @aio; io_uring is worth naming alone. */
	{ "@io-uring", "io_uring, which performs calls the filter never sees",
	  "io_uring_setup io_uring_enter io_uring_register" },
	{ "@ipc", "pipes, System V and POSIX IPC, shared memory files",
	  "memfd_create mq_getsetattr mq_notify mq_open mq_timedreceive "
	  "mq_timedsend mq_unlink msgctl msgget msgrcv msgsnd pipe pipe2 "
	  "process_madvise semctl semget semop semtimedop shmat shmctl shmdt "
	  "shmget" },
	{ "@keyring", "the kernel's keyrings",
	  "keyctl add_key request_key" },
	{ "@module", "loading and unloading kernel modules",
	  "init_module finit_module delete_module" },
	{ "@mount", "mounting file systems and changing the root",
	  "chroot fsconfig fsmount fsopen fspick mount mount_setattr "
	  "move_mount open_tree pivot_root umount2" },
	{ "@network-io", "sockets: creating, connecting, sending, receiving",
	  "accept accept4 bind connect getpeername getsockname getsockopt "
	  "listen recvfrom recvmmsg recvmsg sendmmsg sendmsg sendto "
	  "setsockopt shutdown socket socketpair" },
	{ "@obsolete", "unusual or obsolete calls, most gone from the kernel",
	  "_sysctl afs_syscall create_module get_kernel_syms getpmsg putpmsg "
	  "query_module security sysfs tuxcall uselib ustat vserver" },
	{ "@privileged", "calls that need a capability",
	  "@clock @module @raw-io @reboot @swap _sysctl acct bpf capset "
	  "chown chroot fanotify_init fanotify_mark fchown fchownat lchown "
	  "nfsservctl open_by_handle_at pivot_root quotactl quotactl_fd "
	  "setdomainname setfsuid setgroups sethostname setresuid setreuid "
	  "setuid vhangup" },
	{ "@process", "creating, signalling and waiting for processes, "
		      "namespaces",
	  "capget clone clone3 execveat fork getrusage kill pidfd_open "
	  "pidfd_send_signal prctl rt_sigqueueinfo rt_tgsigqueueinfo setns "
	  "tgkill times tkill unshare vfork wait4 waitid" },
	{ "@raw-io", "I/O ports", "ioperm iopl" },
	{ "@reboot", "rebooting and starting a new kernel",
	  "kexec_load kexec_file_load reboot" },
	{ "@signal", "signal handlers, masks and signalfd",
	  "rt_sigaction rt_sigpending rt_sigprocmask rt_sigsuspend "
	  "rt_sigtimedwait sigaltstack signalfd signalfd4" },
	{ "@swap", "enabling and disabling swap", "swapon swapoff" },
	{ "@timer", "timers and alarms",
	  "alarm getitimer setitimer timer_create timer_delete "
	  "timer_getoverrun timer_gettime timer_settime timerfd_create "
	  "timerfd_gettime timerfd_settime times" },
	{ NULL, NULL, NULL },
};

const struct cabin_policy_group *cabin_policy_group_find(const char *name)
{
	const struct cabin_policy_group *g;

	for (g = groups; g->name; g++)
		if (!strcmp(g->name, name))
			return g;
	return NULL;
}

int cabin_policy_group_each(const struct cabin_policy_group *g,
			    int (*fn)(const char *name, void *arg), void *arg)
{
	const struct cabin_policy_group *sub;
	const char *s = g->members;
	char name[40];
	size_t n;
	int ret;

	while (*s) {
		n = strcspn(s, " ");
		if (n >= sizeof(name))
			n = sizeof(name) - 1;
		memcpy(name, s, n);
		name[n] = '\0';
		s += strcspn(s, " ");
		s += strspn(s, " ");
		sub = name[0] == '@' ? cabin_policy_group_find(name) : NULL;
		/* A member group is one of the table's: never NULL here. */
		ret = sub ? cabin_policy_group_each(sub, fn, arg) :
			    fn(name, arg);
		if (ret)
			return ret;
	}
	return 0;
}

void cabin_policy_group_names(char *buf, size_t len)
{
	const struct cabin_policy_group *g;
	size_t n = 0;

	if (len)
		buf[0] = '\0';
	for (g = groups; g->name && n < len; g++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s",
				      g == groups ? "" : " ", g->name);
}

static int print_name(const char *name, void *arg)
{
	return fprintf(arg, "%s\n", name) < 0 ? -EIO : 0;
}

int cabin_policy_group_show(const char *name, FILE *out)
{
	const struct cabin_policy_group *g = cabin_policy_group_find(name);

	if (!g)
		return -ENOENT;
	if (fprintf(out, "# %s: %s\n", g->name, g->about) < 0)
		return -EIO;
	return cabin_policy_group_each(g, print_name, out);
}
