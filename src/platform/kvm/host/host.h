/*
 * The kvm platform's host side: what cabin does, outside any sandbox, to
 * run a program on kvm (driver.c, launch.c), and the start of the
 * monitor in the sandboxed child it forks (monitor_child.c).
 */
#ifndef CABIN_PLATFORM_KVM_HOST_HOST_H
#define CABIN_PLATFORM_KVM_HOST_HOST_H

#include "platform/driver.h"
#include "platform/kvm/host/seat.h"
#include "platform/kvm/linux/options.h"

/* One run's state, the driver's from configure to close. */
struct cabin_kvm_host {
	struct cabin_kvm_host_options opt;
	int kvm_fd;			/* /dev/kvm, opened before sandboxing */
	/*
	 * The monitor sends the trace and the report through sockets
	 * ([1] is its end), never holding the files: a socket cannot be
	 * reopened through /proc/self/fd by the program it shares a table
	 * with.
	 */
	int trace_sock[2], report_sock[2];
	struct cabin_kvm_seat seat;	/* --gdb */
};

/* What the sandboxed child is handed. */
struct cabin_kvm_host_start {
	struct cabin_launch *l;
	struct cabin_kvm_host *h;
	const char *path;		/* the program, resolved like execvp */
};

/* Start the program on kvm and run it to its end (launch.c). */
int cabin_kvm_host_launch(struct cabin_launch *l);

/*
 * In the sandboxed child (a struct cabin_kvm_host_start): the monitor,
 * the proxy core and the records; returns the child's exit status.
 */
int cabin_kvm_host_child(void *ctx);

#endif /* CABIN_PLATFORM_KVM_HOST_HOST_H */
