/*
 * The stub's reach (struct cabin_debug_target) on the kvm platform: a
 * thread's registers wherever the guest keeps them while it is stopped,
 * the program's memory through its own mappings (the region table),
 * auxv and the executable as the monitor loaded them.
 */
#ifndef CABIN_PLATFORM_KVM_LINUX_GDB_TARGET_H
#define CABIN_PLATFORM_KVM_LINUX_GDB_TARGET_H

#include <stdbool.h>

#include "debug/debug.h"
#include "platform/kvm/linux/linux.h"

/* A stopped thread's program registers. */
struct cabin_kvm_gdb_regs {
	struct cabin_kvm_frame *f;	/* where they are */
	struct cabin_kvm_frame copy;	/* the vCPU's own, at CPL3 */
	bool vcpu;			/* f is copy: put back with KVM_SET_REGS */
	bool writable;			/* gdb may change them at this stop */
};

/* The live thread tid of the process, or NULL. */
struct cabin_kvm_thread *cabin_kvm_gdb_thread(struct cabin_kvm *k, pid_t tid);
/* t's registers into u; 0 or -EIO. */
int cabin_kvm_gdb_regs_of(struct cabin_kvm *k, struct cabin_kvm_thread *t,
			  struct cabin_kvm_gdb_regs *u);
/* u's frame back into t's vCPU where it came from there. */
int cabin_kvm_gdb_regs_put(struct cabin_kvm_thread *t,
			   const struct cabin_kvm_gdb_regs *u);
void cabin_kvm_gdb_target(struct cabin_kvm *k, struct cabin_debug_target *t);

#endif
