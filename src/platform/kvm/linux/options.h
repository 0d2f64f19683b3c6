/*
 * The kvm platform's own options (cabin_config's platform_options, which
 * the kvm driver parses): what cabin run's --stats, --forward,
 * --kvm-batch and --kvm-test-fault ask of it.
 */
#ifndef CABIN_PLATFORM_KVM_LINUX_OPTIONS_H
#define CABIN_PLATFORM_KVM_LINUX_OPTIONS_H

#include <stdbool.h>

/* Testing the kvm proxy kernel's own protection (test-fault=). */
enum cabin_kvm_test_fault {
	CABIN_KVM_FAULT_NONE,
	CABIN_KVM_FAULT_READ_USER,	/* the kernel reads a user page */
	CABIN_KVM_FAULT_EXEC_USER,	/* the kernel calls into a user page */
	CABIN_KVM_FAULT_KERNEL_UD,	/* an invalid opcode in the kernel */
};

#define CABIN_KVM_BATCH_DEFAULT	512
#define CABIN_KVM_BATCH_MAX	65536

struct cabin_kvm_host_options {
	bool stats;			/* stats: VM exits by reason, at the end */
	bool ring;			/* forward=ring: the shared ring */
	unsigned int batch;		/* batch=PAGES: pages per grant */
	/* test-fault=WHAT: make the proxy kernel fault on purpose. */
	enum cabin_kvm_test_fault test_fault;
};

#endif /* CABIN_PLATFORM_KVM_LINUX_OPTIONS_H */
