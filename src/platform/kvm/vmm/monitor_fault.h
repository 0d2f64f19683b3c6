/*
 * The monitor's own faults on guest memory.  The host can stop backing a
 * page of it under the monitor's feet: a MAP_SHARED file cut short (by
 * this program, another of its processes, or anyone outside) leaves its
 * host pages past the new end raising SIGBUS.  Every access the monitor
 * makes to the program's memory therefore runs under a catcher: a fault
 * on guest memory goes back to the innermost catcher of the thread (the
 * access then fails with EFAULT, as the kernel's user copies do), never
 * to the monitor's death.  A fault anywhere else is the monitor's own
 * bug and kills it.
 */
#ifndef CABIN_PLATFORM_KVM_MONITOR_FAULT_H
#define CABIN_PLATFORM_KVM_MONITOR_FAULT_H

#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

/*
 * One catcher: cabin_kvm_catch_push, then sigsetjmp(c.env, ...) in the
 * same function, which returns the signal number when an access between
 * there and cabin_kvm_catch_pop faulted on guest memory (the catcher is
 * then popped already).
 */
struct cabin_kvm_catch {
	sigjmp_buf env;
	struct cabin_kvm_catch *outer;
};

void cabin_kvm_catch_push(struct cabin_kvm_catch *c);
void cabin_kvm_catch_pop(struct cabin_kvm_catch *c);

/* SIGSEGV and SIGBUS handlers; guest memory is [lo, hi) from then on. */
void cabin_kvm_fault_install(void);
void cabin_kvm_fault_range(const unsigned char *lo, const unsigned char *hi);

/*
 * Every signal but the faults: a thread that blocks SIGSEGV or SIGBUS
 * and faults is killed with its process, catcher or not, so no thread
 * of the monitor ever blocks them.
 */
void cabin_kvm_fault_blockable(sigset_t *set);

/* memmove between host and guest memory: 0, or -EFAULT if a page faulted. */
int cabin_kvm_guest_copy(void *dst, const void *src, size_t n);

/* Whether reading the host byte p of guest memory faults. */
bool cabin_kvm_host_page_gone(const unsigned char *p);

#endif
