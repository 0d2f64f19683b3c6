/*
 * --gdb on the kvm platform, cabin's side: the listening socket made
 * before the sandbox, and gdb's connection taken before the VM monitor
 * starts, where the peer check sees the host as cabin does (its network
 * and /proc).  The monitor then serves gdb on that connection
 * (linux/gdb.c) and holds the program at its first instruction.
 */
#ifndef CABIN_PLATFORM_KVM_HOST_SEAT_H
#define CABIN_PLATFORM_KVM_HOST_SEAT_H

#include <stdbool.h>
#include <stdio.h>

#include "debug/debug.h"
#include "platform/driver.h"

struct cabin_kvm_seat {
	bool on;			/* --gdb was given */
	struct cabin_debug_addr addr;
	char where[120];		/* "127.0.0.1:PORT" or the socket's path */
	bool unlink_where;		/* where is cabin's socket file */
	int listen_fd;
	int fd;				/* gdb's connection, or -1 */
};

/* --gdb=VALUE (NULL: off) parsed; 0 or -EINVAL said on log. */
int cabin_kvm_seat_configure(struct cabin_kvm_seat *s, const char *value,
			     FILE *log);
/* The listening socket (prepare); 0 or -errno said on log. */
int cabin_kvm_seat_listen(struct cabin_kvm_seat *s, FILE *log);
/*
 * Wait for gdb (the time limit and cabin's signals end the wait: then
 * the program runs on without it, said); the seconds it took.
 */
unsigned long cabin_kvm_seat_take(struct cabin_kvm_seat *s,
				  const struct cabin_launch *l);
void cabin_kvm_seat_close(struct cabin_kvm_seat *s);

#endif
