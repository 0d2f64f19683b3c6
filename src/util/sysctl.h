/*
 * Reading a kernel setting under /proc/sys, for every layer that asks
 * what the kernel allows (user namespaces, ptrace scope, capabilities).
 */
#ifndef CABIN_UTIL_SYSCTL_H
#define CABIN_UTIL_SYSCTL_H

/*
 * The non-negative decimal at the start of /proc/sys/NAME (NAME as
 * "kernel/yama/ptrace_scope"), stopping once it reaches 100000 (no
 * setting read here is that large, and no overflow can happen); 0, or
 * -errno (-EINVAL when it does not start with a digit).
 */
int cabin_util_sysctl_int(const char *name, int *out);

#endif
