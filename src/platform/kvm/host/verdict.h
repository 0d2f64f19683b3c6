/*
 * Whether the kvm platform can work on this host, decided from evidence
 * rather than from /dev/kvm's existence: a canary guest (evidence.c)
 * whose CPL3 syscall must reach the proxy kernel at CPL0, cheap hints
 * about what the host's KVM is (PVM's module, the CPU's vmx/svm flags),
 * and the features KVM_GET_SUPPORTED_CPUID offers the guest.  The
 * decision is a pure function of that evidence, so it is unit-tested
 * with the evidence of hosts the tests cannot run on.
 */
#ifndef CABIN_PLATFORM_KVM_HOST_VERDICT_H
#define CABIN_PLATFORM_KVM_HOST_VERDICT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What the canary guest did. */
enum cabin_kvm_canary {
	CABIN_KVM_CANARY_NOT_RUN,	/* no VM could be built: setup says why */
	CABIN_KVM_CANARY_PASSED,	/* the syscall reached the entry at CPL0 */
	CABIN_KVM_CANARY_SYSCALL_CPL3,	/* the entry was reached at CPL3 */
	CABIN_KVM_CANARY_FAULT,		/* an exception instead of the syscall */
	CABIN_KVM_CANARY_EXIT,		/* a VM exit that is no trap */
	CABIN_KVM_CANARY_TIMEOUT,	/* nothing within the bound */
};

struct cabin_kvm_evidence {
	int dev_errno;			/* opening /dev/kvm: 0, or its errno */
	char setup[160];		/* CANARY_NOT_RUN: what failed */
	enum cabin_kvm_canary canary;
	/* CANARY_SYSCALL_CPL3, CANARY_FAULT: the trap; EXIT: the reason. */
	uint64_t vector, error, rip, cr2;
	uint32_t exit_reason;
	unsigned int bound_s;		/* CANARY_TIMEOUT: the bound */
	/* Hints. */
	bool pvm_module;		/* /sys/module/kvm_pvm exists */
	bool cpu_flags_read;		/* /proc/cpuinfo's flags were read */
	bool cpu_virt;			/* ... and hold vmx or svm */
	/* KVM_GET_SUPPORTED_CPUID (known when the canary's VM was built). */
	bool cpuid_read;
	bool smep, smap, pku;
};

struct cabin_kvm_verdict {
	bool usable;
	bool pvm;			/* the host's KVM is PVM's */
	char why[512];			/* the verdict's reason, one line */
	char lacks[32];			/* "SMEP, SMAP, PKU", or "" */
};

/*
 * Gather the evidence on this host (evidence.c): open /dev/kvm, run the
 * canary guest on it, read the hints.  Uses SIGALRM and ITIMER_REAL for
 * the bound, restoring the caller's action; call it in a single thread.
 */
void cabin_kvm_gather(struct cabin_kvm_evidence *ev);

void cabin_kvm_decide(const struct cabin_kvm_evidence *ev,
		      struct cabin_kvm_verdict *v);

/*
 * What a run asks of the guest that it cannot have: --xom needs PKU, the
 * proxy kernel's own protection SMEP and SMAP (unless --unsafe-disable
 * switched them off).  False when all can be had, else true with why.
 */
bool cabin_kvm_refuse(const struct cabin_kvm_evidence *ev, bool xom,
		      bool want_smep, bool want_smap, char *why,
		      size_t whylen);

#endif
