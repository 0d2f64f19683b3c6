/*
 * The exception model: which signals are CPU faults of the program, and
 * the one line that records each (signal, si_code, address, instruction
 * pointer and the mapping it hit) before the signal is delivered.
 */
#ifndef CABIN_CORE_EXCEPTION_H
#define CABIN_CORE_EXCEPTION_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "core/event.h"

/* True for SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP raised by the kernel. */
bool cabin_is_fault(int sig, int si_code);

/*
 * "pid 1234 (prog): SIGSEGV (SEGV_MAPERR) at 0x0, ip 0x401136 in
 * /path/prog+0x1136"; where may be NULL when the ip is in no mapping.
 */
int cabin_fault_format(char *buf, size_t len, pid_t tid, const char *comm,
		       const struct cabin_fault *f, const char *where);

#endif
