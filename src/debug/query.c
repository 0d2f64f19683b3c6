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

/* As many as a reply holds (about 1800 threads). */
static void threads(struct cabin_debug *d)
{
	pid_t tids[CABIN_DEBUG_PACKET_MAX / 9];
	size_t n = d->t.threads(d->t.ctx, tids, sizeof(tids) / sizeof(*tids));
	size_t i, o = 0;

	if (n > sizeof(tids) / sizeof(*tids))
		n = sizeof(tids) / sizeof(*tids);
	d->out[o++] = 'm';
	for (i = 0; i < n && o < sizeof(d->out) - 16; i++)
		o += (size_t)snprintf(d->out + o, sizeof(d->out) - o, "%s%x",
				      i ? "," : "", (unsigned int)tids[i]);
	d->out[o] = '\0';
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
		snprintf(d->out, sizeof(d->out),
			 "PacketSize=%x;qXfer:features:read+;qXfer:auxv:read+;qXfer:exec-file:read+;qXfer:libraries-svr4:read+;QStartNoAckMode+;vContSupported+",
			 CABIN_DEBUG_PACKET_MAX - 16);
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
		snprintf(d->out, sizeof(d->out), "QC%x",
			 (unsigned int)d->stop_tid);
	} else if (!strcmp(pkt, "qAttached")) {
		strcpy(d->out, "1");	/* quitting gdb detaches, as from attach */
	} else if (starts(pkt, "qSymbol", &rest)) {
		strcpy(d->out, "OK");
	}
}
