/*
 * Descriptors cabin inherited from whoever started it.  The program gets
 * 0, 1, 2 and those named by --pass-fd, each only if it hands over no
 * more than the object it is open on (docs/security.md, "Inherited
 * descriptors"); every other one is closed at the program's exec.
 */
#ifndef CABIN_PROCESS_INHERIT_H
#define CABIN_PROCESS_INHERIT_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Why the open descriptor fd must not be handed to the program, or NULL
 * when it may be (a regular file, a pipe, a terminal, /dev/null and its
 * kin, a unix socket, a connected or listening TCP socket, an eventfd,
 * timerfd, signalfd, epoll or inotify descriptor).
 */
const char *cabin_inherit_refusal(int fd);

/* Is fd open in this process? */
bool cabin_inherit_is_open(int fd);

/*
 * In the child, before anything else: every descriptor from 3 up
 * becomes close-on-exec, except those in keep, which lose the flag.
 * cabin's own descriptors keep working until the exec.  0 or -errno.
 */
int cabin_inherit_seal(const int *keep, size_t nkeep);

/*
 * In a helper that never execs (the PID namespace's init, the waiter
 * outside it): close every descriptor from 3 up but keep, so that it
 * holds no pipe end or file the program was handed, or not.
 */
void cabin_inherit_close_all_but(int keep);

#endif
