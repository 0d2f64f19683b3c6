/*
 * gdb's queries: what the stub supports, the thread list, and the
 * objects gdb reads with qXfer (the target description, the auxiliary
 * vector, the executable's name) so it finds a PIE binary's symbols and,
 * from r_debug in the program's memory, its shared libraries.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "debug/debug_int.h"

/* One qXfer window: 'm' and the bytes, or 'l' for the last ones. */
static void window(struct cabin_debug *d, const char *obj, size_t total,
		   const char *args)
{
	unsigned long off, len;
	char *end;
	size_t n;

	off = strtoul(args, &end, 16);
	if (*end != ',') {
		strcpy(d->out, "E01");
		return;
	}
	len = strtoul(end + 1, NULL, 16);
	if (len > sizeof(d->out) / 2 - 2)
		len = sizeof(d->out) / 2 - 2;
	if (off >= total) {
		strcpy(d->out, "l");
		return;
	}
	n = total - off < len ? total - off : len;
	d->out[0] = n == total - off ? 'l' : 'm';
	memcpy(d->out + 1, obj + off, n);
	d->out[1 + n] = '\0';
}

static void auxv(struct cabin_debug *d, const char *args)
{
	unsigned long off, len;
	unsigned char buf[4096];
	char *end;
	ssize_t n;

	off = strtoul(args, &end, 16);
	len = *end == ',' ? strtoul(end + 1, NULL, 16) : 0;
	if (len > sizeof(buf))
		len = sizeof(buf);
	n = d->t.auxv(d->t.ctx, off, buf, len);
	if (n < 0) {
		strcpy(d->out, "E01");
		return;
	}
	/* Binary: the framing escapes what must be escaped. */
	d->out[0] = n < (ssize_t)len ? 'l' : 'm';
	memcpy(d->out + 1, buf, (size_t)n);
	d->out_len = (size_t)n + 1;
}

/* As many as a reply holds (about 1800 threads; fewer as pPID.TID). */
static void threads(struct cabin_debug *d)
{
	pid_t tids[CABIN_DEBUG_PACKET_MAX / 9];
	size_t n = d->t.threads(d->t.ctx, tids, sizeof(tids) / sizeof(*tids));
	size_t i, o = 0;

	if (n > sizeof(tids) / sizeof(*tids))
		n = sizeof(tids) / sizeof(*tids);
	d->out[o++] = 'm';
	for (i = 0; i < n && o < sizeof(d->out) - 40; i++) {
		if (i)
			d->out[o++] = ',';
		o += (size_t)cabin_debug_tid_str(d, tids[i], d->out + o,
						 sizeof(d->out) - o);
	}
	d->out[o] = '\0';
}

/* Is feature ("fork-events") in gdb's qSupported list, with a '+'? */
static bool gdb_has(const char *list, const char *feature)
{
	size_t n = strlen(feature);
	const char *p = list;

	while ((p = strstr(p, feature))) {
		if ((p == list || p[-1] == ';' || p[-1] == ':') && p[n] == '+')
			return true;
		p += n;
	}
	return false;
}

static void supported(struct cabin_debug *d, const char *list)
{
	/* Each only when gdb understands it: gdbserver does the same. */
	d->multiprocess = gdb_has(list, "multiprocess");
	d->fork_events = gdb_has(list, "fork-events");
	d->vfork_events = gdb_has(list, "vfork-events");
	d->exec_events = gdb_has(list, "exec-events");
	snprintf(d->out, sizeof(d->out),
		 "PacketSize=%x;qXfer:features:read+;qXfer:auxv:read+;qXfer:exec-file:read+;qXfer:libraries-svr4:read+;QStartNoAckMode+;vContSupported+;QPassSignals+;QProgramSignals+%s%s%s%s",
		 CABIN_DEBUG_PACKET_MAX - 16,
		 d->multiprocess ? ";multiprocess+" : "",
		 d->fork_events ? ";fork-events+" : "",
		 d->vfork_events ? ";vfork-events+" : "",
		 d->exec_events ? ";exec-events+" : "");
}

/* QPassSignals:e;f;... (gdb's numbers, hex): the set, as host signals. */
static void signal_set(struct cabin_debug *d, const char *list, bool *set)
{
	char *end;
	long g;
	int sig;

	memset(set, 0, 65 * sizeof(*set));
	while (*list) {
		g = strtol(list, &end, 16);
		if (end == list || (*end && *end != ';')) {
			strcpy(d->out, "E01");
			return;
		}
		sig = cabin_debug_host_signal((int)g);
		if (sig > 0 && sig < 65)
			set[sig] = true;
		list = *end ? end + 1 : end;
	}
	strcpy(d->out, "OK");
}

static bool starts(const char *pkt, const char *prefix, const char **rest)
{
	size_t n = strlen(prefix);

	if (strncmp(pkt, prefix, n))
		return false;
	*rest = pkt + n;
	return true;
}

void cabin_debug_query(struct cabin_debug *d, const char *pkt)
{
	const char *rest;
	char exe[4096];

	if (starts(pkt, "qSupported", &rest)) {
		supported(d, rest);
	} else if (starts(pkt, "QPassSignals:", &rest)) {
		signal_set(d, rest, d->pass);
	} else if (starts(pkt, "QProgramSignals:", &rest)) {
		signal_set(d, rest, d->program);
		d->program_set = true;
	} else if (!strcmp(pkt, "QStartNoAckMode")) {
		strcpy(d->out, "OK");
		d->noack_next = true;
	} else if (starts(pkt, "qXfer:features:read:target.xml:", &rest)) {
		window(d, cabin_debug_regs_tdesc(),
		       strlen(cabin_debug_regs_tdesc()), rest);
	} else if (starts(pkt, "qXfer:auxv:read::", &rest)) {
		auxv(d, rest);
	} else if (starts(pkt, "qXfer:exec-file:read:", &rest)) {
		rest = strchr(rest, ':');
		if (!rest || d->t.exe(d->t.ctx, exe, sizeof(exe)) < 0)
			strcpy(d->out, "E01");
		else
			window(d, exe, strlen(exe), rest + 1);
	} else if (starts(pkt, "qXfer:libraries-svr4:read:", &rest)) {
		rest = strchr(rest, ':');
		if (!rest) {
			strcpy(d->out, "E01");
		} else {
			static char xml[CABIN_DEBUG_PACKET_MAX * 4];
			size_t n = cabin_debug_libraries(d, xml, sizeof(xml));

			window(d, xml, n, rest + 1);
		}
	} else if (!strcmp(pkt, "qfThreadInfo")) {
		threads(d);
	} else if (!strcmp(pkt, "qsThreadInfo")) {
		strcpy(d->out, "l");
	} else if (!strcmp(pkt, "qC")) {
		strcpy(d->out, "QC");
		cabin_debug_tid_str(d, d->stop_tid, d->out + 2,
				    sizeof(d->out) - 2);
	} else if (starts(pkt, "qAttached", &rest)) {
		strcpy(d->out, "1");	/* quitting gdb detaches, as from attach */
	} else if (starts(pkt, "qSymbol", &rest)) {
		strcpy(d->out, "OK");
	}
}
