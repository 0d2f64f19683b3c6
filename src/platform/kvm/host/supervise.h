/*
 * cabin's side of a kvm run (supervise.c), in cabin's process outside
 * the sandbox: the monitor's records copied out, signals passed on, the
 * time limit.
 */
#ifndef CABIN_PLATFORM_KVM_HOST_SUPERVISE_H
#define CABIN_PLATFORM_KVM_HOST_SUPERVISE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Bytes the monitor sends on from, for cabin to write to to. */
struct cabin_kvm_pump {
	int from, to;
};

/*
 * In cabin, outside the sandbox: copy what the monitor's process sends
 * through the pumps until it is gone, and wait for it, passing on the
 * signals cabin gets; it is ended after timeout seconds (0: never), then
 * *timed_out.  Returns its wait status or -errno.
 */
int cabin_kvm_supervise(pid_t child, unsigned long timeout,
			const struct cabin_kvm_pump *pumps, size_t npumps,
			bool *timed_out);

#endif
