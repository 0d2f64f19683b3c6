/*
 * Number-to-name tables.  Syscall names come from libseccomp for the
 * native ABI; signal and si_code names are kept here because libc only
 * offers descriptions, not the identifiers users grep for.
 */
#include <errno.h>
#include <stdbool.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/names.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Bytes from 0x80 up go too: 0x9b alone is CSI to an 8-bit terminal,
 * and c2 9b (U+009B) is CSI to a UTF-8 one.
 */
static bool keep_raw;

void cabin_names_keep_raw(bool on)
{
	keep_raw = on;
}

char *cabin_printable(char *s)
{
	char *c;

	if (keep_raw)
		return s;
	for (c = s; *c; c++) {
		if ((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f)
			*c = '?';
	}
	return s;
}

const char *cabin_syscall_name(long nr, char *buf, size_t len)
{
	char *name = NULL;

	if (nr >= 0 && nr <= 0xffff)
		name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE,
							(int)nr);
	if (name) {
		snprintf(buf, len, "%s", name);
		free(name);
	} else {
		snprintf(buf, len, "syscall_%#lx", nr);
	}
	return buf;
}

long cabin_syscall_number(const char *name)
{
	int nr = seccomp_syscall_resolve_name_arch(SCMP_ARCH_NATIVE, name);

	return nr == __NR_SCMP_ERROR || nr < 0 ? -1 : nr;
}

const char *cabin_signal_name(int sig)
{
	static const char *const names[] = {
		[SIGHUP] = "SIGHUP", [SIGINT] = "SIGINT",
		[SIGQUIT] = "SIGQUIT", [SIGILL] = "SIGILL",
		[SIGTRAP] = "SIGTRAP", [SIGABRT] = "SIGABRT",
		[SIGBUS] = "SIGBUS", [SIGFPE] = "SIGFPE",
		[SIGKILL] = "SIGKILL", [SIGUSR1] = "SIGUSR1",
		[SIGSEGV] = "SIGSEGV", [SIGUSR2] = "SIGUSR2",
		[SIGPIPE] = "SIGPIPE", [SIGALRM] = "SIGALRM",
		[SIGTERM] = "SIGTERM", [SIGSTKFLT] = "SIGSTKFLT",
		[SIGCHLD] = "SIGCHLD", [SIGCONT] = "SIGCONT",
		[SIGSTOP] = "SIGSTOP", [SIGTSTP] = "SIGTSTP",
		[SIGTTIN] = "SIGTTIN", [SIGTTOU] = "SIGTTOU",
		[SIGURG] = "SIGURG", [SIGXCPU] = "SIGXCPU",
		[SIGXFSZ] = "SIGXFSZ", [SIGVTALRM] = "SIGVTALRM",
		[SIGPROF] = "SIGPROF", [SIGWINCH] = "SIGWINCH",
		[SIGIO] = "SIGIO", [SIGPWR] = "SIGPWR",
		[SIGSYS] = "SIGSYS",
	};
	/*
	 * Constant strings, not a buffer filled per call: the VM monitor's
	 * threads name signals at once.  The kernel has 33 real-time
	 * signals (32 to 64); libc keeps the first two or three for itself.
	 */
	static const char *const rt[] = {
		"SIGRT_0", "SIGRT_1", "SIGRT_2", "SIGRT_3", "SIGRT_4",
		"SIGRT_5", "SIGRT_6", "SIGRT_7", "SIGRT_8", "SIGRT_9",
		"SIGRT_10", "SIGRT_11", "SIGRT_12", "SIGRT_13", "SIGRT_14",
		"SIGRT_15", "SIGRT_16", "SIGRT_17", "SIGRT_18", "SIGRT_19",
		"SIGRT_20", "SIGRT_21", "SIGRT_22", "SIGRT_23", "SIGRT_24",
		"SIGRT_25", "SIGRT_26", "SIGRT_27", "SIGRT_28", "SIGRT_29",
		"SIGRT_30", "SIGRT_31", "SIGRT_32",
	};

	if (sig > 0 && (size_t)sig < ARRAY_SIZE(names) && names[sig])
		return names[sig];
	if (sig >= SIGRTMIN && sig <= SIGRTMAX &&
	    (size_t)(sig - SIGRTMIN) < ARRAY_SIZE(rt))
		return rt[sig - SIGRTMIN];
	return "SIG???";
}

const char *cabin_errno_name(int err)
{
	const char *name = strerrorname_np(err);

	return name ? name : "E???";
}

struct code_name {
	int sig;
	int code;
	const char *name;
};

static const struct code_name si_codes[] = {
	{ SIGSEGV, SEGV_MAPERR, "SEGV_MAPERR" },
	{ SIGSEGV, SEGV_ACCERR, "SEGV_ACCERR" },
	{ SIGSEGV, SEGV_BNDERR, "SEGV_BNDERR" },
	{ SIGSEGV, SEGV_PKUERR, "SEGV_PKUERR" },
	{ SIGSEGV, 5, "SEGV_ACCADI" },
	{ SIGSEGV, 6, "SEGV_ADIDERR" },
	{ SIGSEGV, 7, "SEGV_ADIPERR" },
	{ SIGSEGV, 8, "SEGV_MTEAERR" },
	{ SIGSEGV, 9, "SEGV_MTESERR" },
	{ SIGSEGV, 10, "SEGV_CPERR" },
	{ SIGBUS, BUS_ADRALN, "BUS_ADRALN" },
	{ SIGBUS, BUS_ADRERR, "BUS_ADRERR" },
	{ SIGBUS, BUS_OBJERR, "BUS_OBJERR" },
	{ SIGBUS, BUS_MCEERR_AR, "BUS_MCEERR_AR" },
	{ SIGBUS, BUS_MCEERR_AO, "BUS_MCEERR_AO" },
	{ SIGILL, ILL_ILLOPC, "ILL_ILLOPC" },
	{ SIGILL, ILL_ILLOPN, "ILL_ILLOPN" },
	{ SIGILL, ILL_ILLADR, "ILL_ILLADR" },
	{ SIGILL, ILL_ILLTRP, "ILL_ILLTRP" },
	{ SIGILL, ILL_PRVOPC, "ILL_PRVOPC" },
	{ SIGILL, ILL_PRVREG, "ILL_PRVREG" },
	{ SIGILL, ILL_COPROC, "ILL_COPROC" },
	{ SIGILL, ILL_BADSTK, "ILL_BADSTK" },
	{ SIGFPE, FPE_INTDIV, "FPE_INTDIV" },
	{ SIGFPE, FPE_INTOVF, "FPE_INTOVF" },
	{ SIGFPE, FPE_FLTDIV, "FPE_FLTDIV" },
	{ SIGFPE, FPE_FLTOVF, "FPE_FLTOVF" },
	{ SIGFPE, FPE_FLTUND, "FPE_FLTUND" },
	{ SIGFPE, FPE_FLTRES, "FPE_FLTRES" },
	{ SIGFPE, FPE_FLTINV, "FPE_FLTINV" },
	{ SIGFPE, FPE_FLTSUB, "FPE_FLTSUB" },
	{ SIGTRAP, TRAP_BRKPT, "TRAP_BRKPT" },
	{ SIGTRAP, TRAP_TRACE, "TRAP_TRACE" },
	{ SIGTRAP, TRAP_BRANCH, "TRAP_BRANCH" },
	{ SIGTRAP, TRAP_HWBKPT, "TRAP_HWBKPT" },
	{ SIGSYS, 1, "SYS_SECCOMP" },
};

const char *cabin_si_code_name(int sig, int code)
{
	size_t i;

	switch (code) {
	case SI_USER:
		return "SI_USER";
	case SI_KERNEL:
		return "SI_KERNEL";
	case SI_QUEUE:
		return "SI_QUEUE";
	case SI_TKILL:
		return "SI_TKILL";
	case SI_TIMER:
		return "SI_TIMER";
	case SI_MESGQ:
		return "SI_MESGQ";
	case SI_ASYNCIO:
		return "SI_ASYNCIO";
	case SI_SIGIO:
		return "SI_SIGIO";
	}
	for (i = 0; i < ARRAY_SIZE(si_codes); i++) {
		if (si_codes[i].sig == sig && si_codes[i].code == code)
			return si_codes[i].name;
	}
	return "SI_???";
}
