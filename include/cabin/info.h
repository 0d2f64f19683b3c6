/*
 * Public API of the machine facts `cabin info` reports: which kernel and
 * CPU features cabin can rely on here and, for each missing one, what
 * the probes saw.  The caller owns the struct; nothing points into
 * static storage but the constant words noted below.
 */
#ifndef CABIN_INFO_H
#define CABIN_INFO_H

#include <stdbool.h>

struct cabin_info {
	char kernel_release[65];	/* uname -r */
	char machine[65];		/* uname -m */
	bool seccomp_filter;		/* filter mode with SECCOMP_RET_TRACE */
	bool seccomp_user_notif;	/* SECCOMP_RET_USER_NOTIF available */
	bool seccomp_kill_process;	/* SECCOMP_RET_KILL_PROCESS available */
	int landlock_abi;		/* 0 if none */
	int landlock_errno;		/* why not: EOPNOTSUPP off at boot, ENOSYS not built */
	bool syscall_user_dispatch;	/* PR_SET_SYSCALL_USER_DISPATCH accepted */
	bool pkeys_cpu;			/* the CPU has protection keys */
	bool pkeys_os;			/* ... and the kernel enables them */
	bool user_namespaces;		/* unshare(CLONE_NEWUSER) works for us */
	/* Why not, as the usual sysctls tell (a constant string), or NULL. */
	const char *user_namespaces_why;
	bool ia32_emulation;		/* int $0x80 reaches the kernel */
	bool kvm_present;		/* /dev/kvm exists */
	bool kvm_usable;		/* opens read-write and speaks API 12 */
	int kvm_errno;			/* why not, 0 if usable */

	/* The kvm platform's verdict, from a canary guest and hints. */
	bool kvm_platform;		/* --platform kvm can run */
	char kvm_verdict[512];		/* the verdict's reason, one line */
	/* "passed", "syscall_cpl3", "fault", "exit", "timeout", "not_run" */
	const char *kvm_canary;
	bool kvm_pvm;			/* the host's KVM is PVM's */
	bool cpu_vmx_svm;		/* /proc/cpuinfo has vmx or svm */
	/* What KVM offers the guest, when KVM_GET_SUPPORTED_CPUID was read. */
	bool kvm_guest_known;
	bool kvm_guest_smep, kvm_guest_smap, kvm_guest_pku;
	char kvm_guest_lacks[32];	/* "SMEP, SMAP, PKU", or "" */

	bool sev_snp_guest;		/* inside an AMD SEV-SNP guest */
	bool ptrace_usable;		/* Yama ptrace_scope <= 1 or no Yama */
	/*
	 * Whole-tree limits: which cgroup v2 controllers cabin can give a
	 * run's cgroup here (--memory, --pids-max, --cpu-max), and why not
	 * for the first one missing ("" when all are there).
	 */
	bool cgroup_memory, cgroup_pids, cgroup_cpu;
	char cgroup_why[512];
	int yama_ptrace_scope;		/* -1 if no Yama */
	/*
	 * The platforms on which cabin_enter takes in a running process,
	 * as "process" (comma-separated); the others refuse it.
	 */
	char enter_platforms[64];
};

/*
 * Probe this machine into *info.  It runs the kvm platform's canary guest
 * under a SIGALRM bound (the caller's action is restored): call it from a
 * single thread.  Returns 0, or -EINVAL for a NULL info.
 */
int cabin_info_gather(struct cabin_info *info);

#endif /* CABIN_INFO_H */
