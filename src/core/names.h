/*
 * Names for the numbers the proxy kernel prints: syscalls (from
 * libseccomp, so they match the policy language), signals, errnos and
 * si_codes.  Every function returns a printable string, never NULL.
 */
#ifndef CABIN_CORE_NAMES_H
#define CABIN_CORE_NAMES_H

#include <stdbool.h>

#include <stddef.h>

/* "openat", or "syscall_1234" in buf when the number has no name. */
const char *cabin_syscall_name(long nr, char *buf, size_t len);
/* Syscall number for a name, or -1. */
long cabin_syscall_number(const char *name);
const char *cabin_signal_name(int sig);
const char *cabin_errno_name(int err);
const char *cabin_si_code_name(int sig, int code);
/*
 * A name the program chose (comm, path, file name), made safe for a
 * terminal in place: every byte outside printable ASCII becomes '?'.
 * Returns s.
 */
char *cabin_printable(char *s);
/* Testing only (--unsafe-disable=names): names are printed as they are. */
void cabin_names_keep_raw(bool on);

#endif
