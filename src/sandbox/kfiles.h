/*
 * The kernel's file-shaped interfaces kept out of the program's reach in
 * its mount namespace, as container runtimes do: what a capability would
 * grant through a syscall, a file in /proc or /sys grants to the owner
 * (uid 0) by mode alone, so these are made read-only or masked for every
 * uid; and the host's pseudo-terminals, hidden behind a devpts instance
 * of the program's own.  docs/security.md, "Kernel and host files".
 */
#ifndef CABIN_PROCESS_KFILES_H
#define CABIN_PROCESS_KFILES_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Is descriptor fd (0, 1 or 2) a terminal of the host's /dev/pts?  Then
 * its path there is put in path.  The terminal cabin's caller gave the
 * program keeps a name inside: /dev/console, as bubblewrap does (its
 * /dev/pts name would be another terminal's in the program's instance).
 */
bool cabin_kfiles_host_terminal(int fd, char *path, size_t len);

/*
 * /sys read-only (recursively: cgroupfs, securityfs, tracefs, ...),
 * firmware tables masked, /dev/userfaultfd masked, a new devpts instance
 * on /dev/pts (an empty read-only tmpfs where devpts cannot be mounted),
 * and the terminal on descriptor terminal_fd (if not -1, a
 * host terminal by cabin_kfiles_host_terminal) bound on /dev/console.  In
 * a private mount namespace.  Returns 0 or -errno.
 */
int cabin_kfiles_protect_sys_dev(int terminal_fd);

/*
 * /proc/sys, /proc/sysrq-trigger and the other kernel settings read-only,
 * /proc/kcore, /proc/keys, /proc/timer_list and the like masked: on the
 * /proc the program will see (after it is mounted).  Returns 0 or -errno.
 */
int cabin_kfiles_protect_proc(void);

/*
 * Every cgroupfs mount (v1 and v2, wherever mounted: /sys/fs/cgroup or
 * elsewhere) read-only with every mount below it, in a private mount
 * namespace: the run's cgroup limits are files there.  0 or -errno.
 */
int cabin_kfiles_protect_cgroups(void);

#endif
