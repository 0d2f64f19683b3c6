/*
 * Fault classification and formatting.  A SIGSEGV sent with kill() is not
 * a fault: only kernel-generated si_codes (> 0) are, so a program cannot
 * forge entries in the fault record.
 */
#include <signal.h>
#include <stdio.h>

#include "core/exception.h"
#include "core/names.h"

bool cabin_is_fault(int sig, int si_code)
{
	switch (sig) {
	case SIGSEGV:
	case SIGBUS:
	case SIGILL:
	case SIGFPE:
	case SIGTRAP:
		return si_code > 0;
	default:
		return false;
	}
}

int cabin_fault_format(char *buf, size_t len, pid_t tid, const char *comm,
		       const struct cabin_fault *f, const char *where)
{
	return snprintf(buf, len, "pid %d (%s): %s (%s) at 0x%llx, ip 0x%llx%s%s",
			(int)tid, comm, cabin_signal_name(f->sig),
			cabin_si_code_name(f->sig, f->code),
			(unsigned long long)f->addr,
			(unsigned long long)f->ip, where ? " in " : "",
			where ? where : "");
}
