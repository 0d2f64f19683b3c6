/*
 * gdb's numbers: thread ids (TID, or pPID.TID once gdb said
 * multiprocess+; the fork child gdb was told of is a process of its
 * own) and signals, which gdb numbers its own way.
 */
#include <stdio.h>
#include <stdlib.h>

#include "debug/debug_int.h"

pid_t cabin_debug_thread_id(const struct cabin_debug *d, const char *s,
			    const char **end)
{
	char *e;
	long v, pid = 0;

	if (*s == 'p') {	/* multiprocess form: pPID.TID, or pPID */
		pid = strtol(s + 1, &e, 16);
		if (pid > 0 && pid == d->event_pid) {
			/* The fork child has one thread: itself. */
			if (*e == '.')
				strtol(e + 1, &e, 16);
			*end = e;
			return d->event_pid;
		}
		if (*e != '.') {
			*end = e;
			return d->pid;
		}
		s = e + 1;
	}
	if (s[0] == '-' && s[1] == '1') {
		*end = s + 2;
		return -1;
	}
	v = strtol(s, &e, 16);
	*end = e;
	return v == 0 ? d->stop_tid : (pid_t)v;
}

/* Which process gdb's thread tid is in: the fork child's, or d->pid. */
pid_t cabin_debug_process_of(const struct cabin_debug *d, pid_t tid)
{
	return tid > 0 && tid == d->event_pid ? d->event_pid : d->pid;
}

int cabin_debug_tid_str(const struct cabin_debug *d, pid_t tid, char *out,
			size_t len)
{
	if (d->multiprocess)
		return snprintf(out, len, "p%x.%x",
				(unsigned int)cabin_debug_process_of(d, tid),
				(unsigned int)tid);
	return snprintf(out, len, "%x", (unsigned int)tid);
}

/*
 * gdb numbers signals its own way (include/gdb/signals.def): host signal
 * N is gdb's to_gdb[N]; 0 for the ones it has no number for here.
 */
static const unsigned char to_gdb[32] = {
	0, 1, 2, 3, 4, 5, 6, 10, 8, 9, 30, 11, 31, 13, 14, 15,
	0, 20, 19, 17, 18, 21, 22, 16, 24, 25, 26, 27, 28, 23, 32, 12,
};

int cabin_debug_gdb_signal(int sig)
{
	return sig > 0 && sig < 32 ? to_gdb[sig] : 0;
}

int cabin_debug_host_signal(int gsig)
{
	int i;

	for (i = 1; i < 32; i++)
		if (gsig && to_gdb[i] == gsig)
			return i;
	return 0;
}

