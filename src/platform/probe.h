/*
 * Machine capability probe: finds out at run time which kernel and CPU
 * features Cabin can rely on, instead of assuming them from headers.
 */
#ifndef CABIN_PLATFORM_PROBE_H
#define CABIN_PLATFORM_PROBE_H

#include <stdbool.h>

struct cabin_probe {
	char kernel_release[65];	/* uname -r */
	char machine[65];		/* uname -m */
	bool seccomp_filter;		/* filter mode with SECCOMP_RET_TRACE */
	bool seccomp_user_notif;	/* SECCOMP_RET_USER_NOTIF available */
	bool seccomp_kill_process;	/* SECCOMP_RET_KILL_PROCESS available */
	int landlock_abi;		/* 0 if none, never negative */
	int landlock_errno;		/* why not: EOPNOTSUPP off at boot, ENOSYS not built */
	bool syscall_user_dispatch;	/* PR_SET_SYSCALL_USER_DISPATCH accepted */
	bool pkeys_cpu;			/* CPUID.7.0:ECX.PKU */
	bool pkeys_os;			/* CPUID.7.0:ECX.OSPKE and pkey_alloc works */
	bool user_namespaces;		/* unshare(CLONE_NEWUSER) works for us */
	bool ia32_emulation;		/* int $0x80 reaches the kernel */
	bool kvm_present;		/* /dev/kvm exists */
	bool kvm_usable;		/* opens read-write and speaks API 12 */
	int kvm_errno;			/* why not, 0 if usable */
	bool sev_snp_guest;		/* we run inside an AMD SEV-SNP guest */
	bool ptrace_usable;		/* Yama ptrace_scope <= 1 or no Yama */
	int yama_ptrace_scope;		/* -1 if no Yama */
};

/* Fills every field of @p; returns 0, or -EINVAL for a NULL @p. */
int cabin_probe_machine(struct cabin_probe *p);

#endif /* CABIN_PLATFORM_PROBE_H */
