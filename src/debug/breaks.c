/*
 * Breakpoints and watchpoints gdb asks for, and memory as gdb sees it.
 * A software breakpoint is an int3 the stub writes into the program and
 * hides from gdb's reads; gdb may also write 0xcc itself (M), which is
 * only memory.  Watchpoints are the debug registers, set on every task
 * of the process when it resumes.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "debug/debug_int.h"

static const char *hexnum(const char *s, uint64_t *v)
{
	char *end;

	*v = strtoull(s, &end, 16);
	return end;
}

/* The stub's int3 bytes in [addr, addr+n) replaced by what they cover. */
static void hide_breaks(const struct cabin_debug *d, uint64_t addr,
			unsigned char *buf, size_t n)
{
	size_t i;

	for (i = 0; i < d->nbrk; i++)
		if (d->brk[i].addr >= addr && d->brk[i].addr - addr < n)
			buf[d->brk[i].addr - addr] = d->brk[i].orig;
}

void cabin_debug_mem_read(struct cabin_debug *d, const char *pkt)
{
	unsigned char buf[CABIN_DEBUG_PACKET_MAX / 2 - 8];
	uint64_t addr, len;
	const char *p = hexnum(pkt + 1, &addr);
	ssize_t n;

	if (*p != ',') {
		strcpy(d->out, "E01");
		return;
	}
	hexnum(p + 1, &len);
	if (len > sizeof(buf))
		len = sizeof(buf);
	n = d->t.read_mem(d->t.ctx, d->gtid, addr, buf, (size_t)len);
	if (n <= 0) {
		strcpy(d->out, "E14");	/* EFAULT */
		return;
	}
	hide_breaks(d, addr, buf, (size_t)n);
	cabin_debug_tohex(buf, (size_t)n, d->out);
}

void cabin_debug_mem_write(struct cabin_debug *d, const char *pkt)
{
	unsigned char buf[CABIN_DEBUG_PACKET_MAX / 2];
	uint64_t addr, len;
	const char *p = hexnum(pkt + 1, &addr);
	size_t i;
	ssize_t n;

	if (*p != ',') {
		strcpy(d->out, "E01");
		return;
	}
	p = hexnum(p + 1, &len);
	if (*p != ':' || len > sizeof(buf) ||
	    cabin_debug_fromhex(p + 1, buf, sizeof(buf)) != (ssize_t)len) {
		strcpy(d->out, "E01");
		return;
	}
	/* Over one of the stub's breakpoints: the new byte is what it covers. */
	for (i = 0; i < d->nbrk && !d->lifted &&
		    (!d->gpid || d->gpid == d->pid); i++) {
		if (d->brk[i].addr >= addr && d->brk[i].addr - addr < len) {
			d->brk[i].orig = buf[d->brk[i].addr - addr];
			buf[d->brk[i].addr - addr] = 0xcc;
		}
	}
	/* Into the fork child's memory when Hg named it. */
	n = len ? d->t.write_mem(d->t.ctx, d->gpid && d->gpid != d->pid ?
				 d->gtid : d->pid, addr, buf, (size_t)len) : 0;
	strcpy(d->out, n == (ssize_t)len ? "OK" : "E14");
}

static int find_break(const struct cabin_debug *d, uint64_t addr)
{
	size_t i;

	for (i = 0; i < d->nbrk; i++)
		if (d->brk[i].addr == addr)
			return (int)i;
	return -1;
}

static int insert_break(struct cabin_debug *d, uint64_t addr)
{
	unsigned char orig, cc = 0xcc;

	if (find_break(d, addr) >= 0)
		return 0;
	if (d->nbrk == CABIN_DEBUG_MAX_BREAKS)
		return -ENOSPC;
	/*
	 * Only where the int3 stays the process's own: a shared mapping
	 * would carry it into a file or another process.
	 */
	if (!d->t.private_at(d->t.ctx, addr))
		return -EPERM;
	if (d->t.read_mem(d->t.ctx, d->pid, addr, &orig, 1) != 1 ||
	    (!d->lifted &&
	     d->t.write_mem(d->t.ctx, d->pid, addr, &cc, 1) != 1))
		return -EFAULT;
	d->brk[d->nbrk].addr = addr;
	d->brk[d->nbrk++].orig = orig;
	return 0;
}

/*
 * May breakpoint i's byte be written (want: what is there now, 0xcc or
 * what it covered)?  The program may have mapped something else there
 * since the int3 went in (a shared file page, MAP_FIXED): writing would
 * reach the file or another process, so only a private mapping that
 * still holds want is written, else the breakpoint is forgotten.
 */
static bool still_ours(const struct cabin_debug *d, size_t i,
		       unsigned char want)
{
	unsigned char now;

	return d->t.private_at(d->t.ctx, d->brk[i].addr) &&
	       d->t.read_mem(d->t.ctx, d->pid, d->brk[i].addr, &now, 1) == 1 &&
	       now == want;
}

static int remove_break(struct cabin_debug *d, uint64_t addr)
{
	int i = find_break(d, addr);

	if (i < 0)
		return 0;
	if (!d->lifted && still_ours(d, (size_t)i, 0xcc))
		d->t.write_mem(d->t.ctx, d->pid, addr, &d->brk[i].orig, 1);
	d->brk[i] = d->brk[--d->nbrk];
	return 0;
}

void cabin_debug_remove_all(struct cabin_debug *d)
{
	static const uint64_t none[4];

	while (d->nbrk)
		remove_break(d, d->brk[0].addr);
	d->lifted = false;
	memset(d->watch, 0, sizeof(d->watch));
	if (d->t.set_debugregs)
		d->t.set_debugregs(d->t.ctx, none, 0);
}

void cabin_debug_lift(struct cabin_debug *d, bool lift)
{
	unsigned char cc = 0xcc;
	size_t i;

	if (d->lifted == lift)
		return;
	d->lifted = lift;
	for (i = 0; i < d->nbrk;) {
		if (!still_ours(d, i, lift ? 0xcc : d->brk[i].orig)) {
			d->brk[i] = d->brk[--d->nbrk];
			continue;
		}
		d->t.write_mem(d->t.ctx, d->pid, d->brk[i].addr,
			       lift ? &d->brk[i].orig : &cc, 1);
		i++;
	}
}

/* DR7: local enable, the condition (01 write, 11 access) and length. */
static void apply_watches(struct cabin_debug *d)
{
	uint64_t dr[4] = { 0 }, dr7 = 0, rw, len;
	int i;

	for (i = 0; i < 4; i++) {
		if (!d->watch[i].type)
			continue;
		dr[i] = d->watch[i].addr;
		rw = d->watch[i].type == 2 ? 1 : 3;
		len = d->watch[i].len == 1 ? 0 : d->watch[i].len == 2 ? 1 :
		      d->watch[i].len == 8 ? 2 : 3;
		dr7 |= 1ull << (2 * i) | rw << (16 + 4 * i) |
		       len << (18 + 4 * i);
	}
	d->t.set_debugregs(d->t.ctx, dr, dr7);
}

/* Z2 write, Z3 read (x86 has none: access stands in), Z4 access. */
static int set_watch(struct cabin_debug *d, int type, uint64_t addr,
		     uint64_t len, bool on)
{
	int i, free_slot = -1;

	if (len != 1 && len != 2 && len != 4 && len != 8)
		return -EINVAL;
	if (addr & (len - 1))
		return -EINVAL;
	for (i = 0; i < 4; i++) {
		if (d->watch[i].type == type && d->watch[i].addr == addr &&
		    d->watch[i].len == (int)len) {
			if (!on)
				d->watch[i].type = 0;
			apply_watches(d);
			return 0;
		}
		if (!d->watch[i].type && free_slot < 0)
			free_slot = i;
	}
	if (!on)
		return 0;
	if (free_slot < 0)
		return -ENOSPC;
	d->watch[free_slot].type = type;
	d->watch[free_slot].addr = addr;
	d->watch[free_slot].len = (int)len;
	apply_watches(d);
	return 0;
}

void cabin_debug_breakpoint(struct cabin_debug *d, const char *pkt)
{
	bool on = pkt[0] == 'Z';
	int type = pkt[1] - '0';
	uint64_t addr, kind;
	const char *p;
	int err;

	if (!pkt[1] || pkt[2] != ',') {
		strcpy(d->out, "E01");
		return;
	}
	p = hexnum(pkt + 3, &addr);
	if (*p != ',') {
		strcpy(d->out, "E01");
		return;
	}
	hexnum(p + 1, &kind);
	/*
	 * Hg named the fork child gdb heard of: its memory is a copy the
	 * stub's int3s were taken out of (or the shared one, lifted), so
	 * gdb taking its breakpoints out of it before letting it go is
	 * done already.  The stub debugs one process: a child gdb keeps
	 * (detach-on-fork off) runs on without gdb at its next resume,
	 * said then, so what gdb puts into it is not put in.
	 */
	if (d->gpid && d->gpid != d->pid) {
		strcpy(d->out, "OK");
		return;
	}
	switch (type) {
	case 0:
		err = on ? insert_break(d, addr) : remove_break(d, addr);
		break;
	case 2: case 3: case 4:
		/* A target without debug registers: gdb is told "unsupported". */
		if (!d->t.set_debugregs) {
			d->out[0] = '\0';
			return;
		}
		err = set_watch(d, type, addr, kind, on);
		break;
	default:
		d->out[0] = '\0';	/* Z1: gdb uses int3 instead */
		return;
	}
	strcpy(d->out, err ? "E01" : "OK");
}

void cabin_debug_watch_reason(struct cabin_debug *d, pid_t tid, char *out,
			      size_t len)
{
	static const char *const names[] = { "", "", "watch", "rwatch",
					     "awatch" };
	uint64_t dr6;
	int i;

	out[0] = '\0';
	if (!d->t.take_dr6)
		return;
	dr6 = d->t.take_dr6(d->t.ctx, tid);
	for (i = 0; i < 4; i++)
		if ((dr6 & (1u << i)) && d->watch[i].type)
			snprintf(out, len, "%s:%" PRIx64 ";",
				 names[d->watch[i].type], d->watch[i].addr);
}
