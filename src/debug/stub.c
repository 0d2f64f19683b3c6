/*
 * The dispatcher: while the debugged process is stopped, answer gdb's
 * packets until it resumes it (c, s, C, S, vCont), detaches (D), kills it
 * (k, vKill) or goes away.  Registers and memory go through the target's
 * operations, which reach the confined process's tasks and nothing else.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "debug/debug_int.h"

void cabin_debug_init(struct cabin_debug *d, int fd,
		      const struct cabin_debug_target *t, pid_t pid)
{
	memset(d, 0, sizeof(*d));
	d->conn.fd = fd;
	d->t = *t;
	d->pid = pid;
	d->gtid = pid;
	d->stop_tid = pid;
	d->stop_sig = SIGTRAP;
}

static bool is_ours(struct cabin_debug *d, pid_t tid)
{
	pid_t small[256], *tids = small;
	size_t n = d->t.threads(d->t.ctx, tids, 256), i;
	bool found = tid > 0 && tid == d->event_pid;

	/* Any number of threads: the list is asked for again, whole. */
	if (n > 256) {
		tids = malloc(n * sizeof(*tids));
		if (!tids)
			return false;
		n = d->t.threads(d->t.ctx, tids, n);
	}
	for (i = 0; i < n && !found; i++)
		found = tids[i] == tid;
	if (tids != small)
		free(tids);
	return found;
}

/* The event part of a stop reply ("fork:p1.1;"), into ev. */
static void event_part(struct cabin_debug *d, char *ev, size_t len)
{
	static const char *const names[] = {
		[CABIN_DEBUG_EV_FORK] = "fork", [CABIN_DEBUG_EV_VFORK] = "vfork",
	};
	char exe[4096], id[40];
	size_t n;

	ev[0] = '\0';
	switch (d->event) {
	case CABIN_DEBUG_EV_NONE:
		break;
	case CABIN_DEBUG_EV_FORK:
	case CABIN_DEBUG_EV_VFORK:
		cabin_debug_tid_str(d, d->event_pid, id, sizeof(id));
		snprintf(ev, len, "%s:%s;", names[d->event], id);
		break;
	case CABIN_DEBUG_EV_VFORK_DONE:
		snprintf(ev, len, "vforkdone:;");
		break;
	case CABIN_DEBUG_EV_EXEC:
		if (d->t.exe(d->t.ctx, exe, sizeof(exe)) < 0)
			break;
		n = strlen(exe);
		if (5 + 2 * n + 2 > len)
			break;
		memcpy(ev, "exec:", 5);
		cabin_debug_tohex((const unsigned char *)exe, n, ev + 5);
		strcpy(ev + 5 + 2 * n, ";");
		break;
	}
}

static void stop_reply(struct cabin_debug *d)
{
	char ev[2 * 4096 + 16], id[40];

	event_part(d, ev, sizeof(ev));
	cabin_debug_tid_str(d, d->stop_tid, id, sizeof(id));
	snprintf(d->out, sizeof(d->out), "T%02x%sthread:%s;%s",
		 cabin_debug_gdb_signal(d->stop_sig), ev, id, d->stop_extra);
}

static void read_all_regs(struct cabin_debug *d)
{
	struct cabin_debug_regs r;
	unsigned char bytes[16];
	char *o = d->out;
	int n, size;

	if (d->t.get_regs(d->t.ctx, d->gtid, &r) < 0) {
		strcpy(d->out, "E03");
		return;
	}
	for (n = 0; n < CABIN_DEBUG_NREGS; n++) {
		size = cabin_debug_reg_get(&r, n, bytes);
		cabin_debug_tohex(bytes, (size_t)size, o);
		o += 2 * size;
	}
}

static void write_regs(struct cabin_debug *d, const char *hex, int only)
{
	struct cabin_debug_regs r;
	unsigned char bytes[16], probe[16];
	int n, size, err;

	if (d->t.get_regs(d->t.ctx, d->gtid, &r) < 0) {
		strcpy(d->out, "E03");
		return;
	}
	for (n = only < 0 ? 0 : only; n < CABIN_DEBUG_NREGS; n++) {
		size = cabin_debug_reg_get(&r, n, probe);
		if (size < 0 ||
		    cabin_debug_fromhex(hex, bytes, (size_t)size) != size)
			break;
		cabin_debug_reg_set(&r, n, bytes);
		hex += 2 * size;
		if (only >= 0)
			break;
	}
	err = d->t.set_regs(d->t.ctx, d->gtid, &r);
	strcpy(d->out, err == -EPERM ? "E01" : err < 0 ? "E03" : "OK");
}

static void one_reg(struct cabin_debug *d, const char *pkt)
{
	struct cabin_debug_regs r;
	unsigned char bytes[16];
	char *end;
	long n = strtol(pkt + 1, &end, 16);
	int size;

	/* -1 or a number past int would reach write_regs as "every one". */
	if (end == pkt + 1 || n < 0 || n >= CABIN_DEBUG_NREGS) {
		strcpy(d->out, "E01");
		return;
	}
	if (pkt[0] == 'P') {
		if (*end != '=') {
			strcpy(d->out, "E01");
			return;
		}
		write_regs(d, end + 1, (int)n);
		return;
	}
	if (d->t.get_regs(d->t.ctx, d->gtid, &r) < 0) {
		strcpy(d->out, "E03");
		return;
	}
	size = cabin_debug_reg_get(&r, (int)n, bytes);
	if (size < 0)
		strcpy(d->out, "E01");
	else
		cabin_debug_tohex(bytes, (size_t)size, d->out);
}

static int parse_sig(const char *s, const char **end)
{
	int hi, lo;

	/* A short packet ends at its NUL: nothing is read past it. */
	if (!s[0] || !s[1]) {
		*end = s + strlen(s);
		return 0;
	}
	hi = cabin_debug_hexval(s[0]);
	lo = cabin_debug_hexval(s[1]);
	*end = s + 2;
	return hi < 0 || lo < 0 ? 0 : cabin_debug_host_signal(hi << 4 | lo);
}

/* c, s, C sig, S sig: one action for every thread (an address is ignored). */
static void old_resume(struct cabin_debug *d, const char *pkt)
{
	const char *end;
	int sig = 0;

	if (pkt[0] == 'C' || pkt[0] == 'S')
		sig = parse_sig(pkt + 1, &end);
	d->nact = 2;
	d->act[0] = (struct cabin_debug_action){
		.tid = d->stop_tid, .step = pkt[0] == 's' || pkt[0] == 'S',
		.sig = sig };
	/* A step moves one thread; a continue moves them all. */
	d->act[1] = (struct cabin_debug_action){ .tid = d->act[0].step ? 0 : -1 };
	if (!d->act[0].step)
		d->act[0].tid = -1;
}

/* vCont;ACTION[:TID];...  false when malformed. */
static bool parse_vcont(struct cabin_debug *d, const char *p)
{
	const char *end;

	d->nact = 0;
	while (*p == ';' && d->nact < CABIN_DEBUG_MAX_ACTIONS) {
		struct cabin_debug_action *a = &d->act[d->nact];

		p++;
		memset(a, 0, sizeof(*a));
		a->tid = -1;
		switch (*p) {
		case 'c': case 's':
			a->step = *p == 's';
			p++;
			break;
		case 'C': case 'S':
			a->step = *p == 'S';
			a->sig = parse_sig(p + 1, &p);
			break;
		default:
			return false;
		}
		if (*p == ':')
			a->tid = cabin_debug_thread_id(d, p + 1, &end), p = end;
		d->nact++;
	}
	return d->nact > 0;
}

bool cabin_debug_program_signal(const struct cabin_debug *d, int sig)
{
	return !d->program_set || (sig > 0 && sig < 65 && d->program[sig]);
}

bool cabin_debug_action_for(const struct cabin_debug *d, pid_t tid,
			    bool *step, int *sig)
{
	size_t i;

	for (i = 0; i < d->nact; i++) {
		if (d->act[i].tid != tid && d->act[i].tid != -1)
			continue;
		*step = d->act[i].step;
		*sig = d->act[i].sig;
		return true;
	}
	return false;
}

int cabin_debug_dispatch(struct cabin_debug *d, const char *pkt)
{
	const char *end;
	pid_t tid;

	d->out[0] = '\0';
	d->out_len = 0;
	switch (pkt[0]) {
	case '?':
		stop_reply(d);
		break;
	case 'g':
		read_all_regs(d);
		break;
	case 'G':
		write_regs(d, pkt + 1, -1);
		break;
	case 'p': case 'P':
		one_reg(d, pkt);
		break;
	case 'm':
		cabin_debug_mem_read(d, pkt);
		break;
	case 'M':
		cabin_debug_mem_write(d, pkt);
		break;
	case 'Z': case 'z':
		cabin_debug_breakpoint(d, pkt);
		break;
	case 'H':
		if (!pkt[1]) {
			strcpy(d->out, "E01");
			break;
		}
		tid = cabin_debug_thread_id(d, pkt + 2, &end);
		if (tid > 0 && !is_ours(d, tid)) {
			/*
			 * A process let go (detach-on-fork off): what gdb
			 * sends it next must not reach the debugged one.
			 */
			if (pkt[1] == 'g') {
				d->gtid = tid;
				d->gpid = -1;
			}
			strcpy(d->out, "E01");
			break;
		}
		if (pkt[1] == 'g') {
			d->gtid = tid > 0 ? tid : d->stop_tid;
			d->gpid = cabin_debug_process_of(d, d->gtid);
		}
		strcpy(d->out, "OK");
		break;
	case 'T':
		tid = cabin_debug_thread_id(d, pkt + 1, &end);
		strcpy(d->out, is_ours(d, tid) ? "OK" : "E01");
		break;
	case 'c': case 's': case 'C': case 'S':
		old_resume(d, pkt);
		return CABIN_DEBUG_RESUME;
	case 'D':
		/* D;PID (multiprocess): the debugged process or the fork child. */
		d->detach_pid = pkt[1] == ';' ?
				(pid_t)strtol(pkt + 2, NULL, 16) : d->pid;
		/* A vfork parent the stub let go already is gdb's to drop. */
		if (d->detach_pid <= 0 || (d->detach_pid != d->pid &&
					   d->detach_pid != d->event_pid &&
					   d->detach_pid != d->gone_pid)) {
			strcpy(d->out, "E01");
			break;
		}
		cabin_debug_sendstr(&d->conn, "OK");
		return CABIN_DEBUG_DETACH;
	case 'k':
		return CABIN_DEBUG_KILL;
	case 'v':
		if (!strncmp(pkt, "vCont?", 6)) {
			strcpy(d->out, "vCont;c;C;s;S");
		} else if (!strncmp(pkt, "vCont;", 6)) {
			if (parse_vcont(d, pkt + 5))
				return CABIN_DEBUG_RESUME;
			strcpy(d->out, "E01");
		} else if (!strncmp(pkt, "vKill", 5)) {
			/* Only the debugged process: another one was let go. */
			if (pkt[5] == ';' &&
			    (pid_t)strtol(pkt + 6, NULL, 16) != d->pid) {
				strcpy(d->out, "E01");
				break;
			}
			cabin_debug_sendstr(&d->conn, "OK");
			return CABIN_DEBUG_KILL;
		}
		break;
	case 'q': case 'Q':
		cabin_debug_query(d, pkt);
		break;
	}
	return -1;
}

enum cabin_debug_verdict cabin_debug_serve(struct cabin_debug *d, pid_t tid,
					   int sig, bool first)
{
	ssize_t n;
	int v;

	d->stop_tid = tid;
	d->gtid = tid;
	d->gpid = d->pid;
	d->stop_sig = sig;
	if (!first) {
		stop_reply(d);
		if (cabin_debug_sendstr(&d->conn, d->out) < 0)
			return CABIN_DEBUG_GONE;
	}
	for (;;) {
		n = cabin_debug_recv(&d->conn, d->buf, sizeof(d->buf));
		if (n < 0)
			return CABIN_DEBUG_GONE;
		if (d->buf[0] == 0x03)
			continue;	/* already stopped */
		v = cabin_debug_dispatch(d, d->buf);
		if (v >= 0)
			return (enum cabin_debug_verdict)v;
		if (cabin_debug_send(&d->conn, d->out, d->out_len ?
				     d->out_len : strlen(d->out)) < 0)
			return CABIN_DEBUG_GONE;
		if (d->noack_next)
			d->conn.noack = true;
	}
}

void cabin_debug_exited(struct cabin_debug *d, int status)
{
	char msg[48];
	int n;

	if (WIFSIGNALED(status))
		n = snprintf(msg, sizeof(msg), "X%02x",
			     cabin_debug_gdb_signal(WTERMSIG(status)));
	else
		n = snprintf(msg, sizeof(msg), "W%02x",
			     WEXITSTATUS(status) & 0xff);
	if (d->multiprocess)
		snprintf(msg + n, sizeof(msg) - (size_t)n, ";process:%x",
			 (unsigned int)d->pid);
	/* The last word: its acknowledgement is not waited for. */
	d->conn.noack = true;
	cabin_debug_sendstr(&d->conn, msg);
}
