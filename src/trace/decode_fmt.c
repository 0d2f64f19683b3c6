/*
 * The decoder's printing primitives: the bounded string buffer, strace's
 * quoting, numbers, flag sets, modes and signal sets.  Nothing here reads
 * memory except cabin_decode_read and cabin_decode_sigset, both through
 * core/umem.h.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/names.h"
#include "core/umem.h"
#include "trace/decode_int.h"

void cabin_sb_init(struct cabin_strbuf *b, size_t max)
{
	memset(b, 0, sizeof(*b));
	b->max = max;
}

void cabin_sb_free(struct cabin_strbuf *b)
{
	free(b->s);
	memset(b, 0, sizeof(*b));
}

void cabin_sb_reset(struct cabin_strbuf *b)
{
	b->len = 0;
	b->cut = false;
	if (b->s)
		b->s[0] = '\0';
}

/* Room for n more bytes and a NUL; false (and cut) when over the limit. */
static bool sb_room(struct cabin_strbuf *b, size_t n)
{
	size_t want;
	char *s;

	if (b->cut)
		return false;
	if (n > b->max || b->len + n > b->max) {
		b->cut = true;
		return false;
	}
	want = b->len + n + 1;
	if (want <= b->cap)
		return true;
	if (want < 256)
		want = 256;
	if (want < b->cap * 2)
		want = b->cap * 2;
	if (want > b->max + 1)
		want = b->max + 1;
	s = realloc(b->s, want);
	if (!s) {
		b->cut = true;
		return false;
	}
	b->s = s;
	b->cap = want;
	return true;
}

void cabin_sb_put(struct cabin_strbuf *b, const char *s, size_t n)
{
	if (!sb_room(b, n))
		return;
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void cabin_sb_puts(struct cabin_strbuf *b, const char *s)
{
	cabin_sb_put(b, s, strlen(s));
}

void cabin_sb_printf(struct cabin_strbuf *b, const char *fmt, ...)
{
	char small[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(small)) {
		cabin_sb_put(b, small, (size_t)n);
		return;
	}
	if (!sb_room(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

const char *cabin_sb_str(const struct cabin_strbuf *b)
{
	return b->s ? b->s : "";
}

/*
 * strace's default quoting: C escapes for the usual controls, octal for
 * other bytes outside printable ASCII, with three digits when the next
 * byte is an octal digit so that the text reads back unambiguously.
 * hex forces \xNN for every byte (strace does it for getrandom).
 */
static void quote_byte(struct cabin_strbuf *b, unsigned char c, int next)
{
	char e[5];
	size_t n = 0;

	switch (c) {
	case '"': cabin_sb_put(b, "\\\"", 2); return;
	case '\\': cabin_sb_put(b, "\\\\", 2); return;
	case '\f': cabin_sb_put(b, "\\f", 2); return;
	case '\n': cabin_sb_put(b, "\\n", 2); return;
	case '\r': cabin_sb_put(b, "\\r", 2); return;
	case '\t': cabin_sb_put(b, "\\t", 2); return;
	case '\v': cabin_sb_put(b, "\\v", 2); return;
	}
	if (c >= 0x20 && c < 0x7f) {
		cabin_sb_put(b, (const char *)&c, 1);
		return;
	}
	e[n++] = '\\';
	if (next >= '0' && next <= '7') {
		e[n++] = (char)('0' + (c >> 6));
		e[n++] = (char)('0' + ((c >> 3) & 7));
	} else if (c >> 3) {
		if (c >> 6)
			e[n++] = (char)('0' + (c >> 6));
		e[n++] = (char)('0' + ((c >> 3) & 7));
	}
	e[n++] = (char)('0' + (c & 7));
	cabin_sb_put(b, e, n);
}

void cabin_decode_quote(struct cabin_strbuf *b, const void *data, size_t len,
			bool hex)
{
	const unsigned char *s = data;
	size_t i;

	cabin_sb_put(b, "\"", 1);
	for (i = 0; i < len; i++) {
		if (hex)
			cabin_sb_printf(b, "\\x%02x", s[i]);
		else
			quote_byte(b, s[i], i + 1 < len ? s[i + 1] : -1);
	}
	cabin_sb_put(b, "\"", 1);
}

bool cabin_decode_read(const struct dctx *d, uint64_t addr, void *buf,
		       size_t len)
{
	if (!d->c->p || !addr || !len)
		return false;
	return cabin_umem_read(d->c->p, d->c->tid, addr, buf, len) == 0;
}

void cabin_decode_hex(const struct dctx *d, uint64_t v)
{
	cabin_sb_printf(d->b, "%#llx", (unsigned long long)v);
}

void cabin_decode_ptr(const struct dctx *d, uint64_t v)
{
	if (!v)
		cabin_sb_puts(d->b, "NULL");
	else
		cabin_decode_hex(d, v);
}

/* NAME|NAME|0x40 for the bits of v, in table order; zero when v is 0. */
void cabin_decode_flags(const struct dctx *d, uint64_t v,
			const struct flagname *t,
	       size_t n, const char *zero)
{
	bool first = true;
	size_t i;

	if (!v) {
		cabin_sb_puts(d->b, zero ? zero : "0");
		return;
	}
	for (i = 0; i < n; i++) {
		if (!t[i].val || (v & t[i].val) != t[i].val)
			continue;
		cabin_sb_printf(d->b, "%s%s", first ? "" : "|", t[i].name);
		v &= ~t[i].val;
		first = false;
	}
	if (v)
		cabin_sb_printf(d->b, "%s%#llx", first ? "" : "|",
				(unsigned long long)v);
}

bool cabin_decode_xlat(const struct dctx *d, uint64_t v,
		       const struct flagname *t,
	      size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (t[i].val == v) {
			cabin_sb_puts(d->b, t[i].name);
			return true;
		}
	}
	return false;
}

/* A name from the table, else v printed with fmt (a %llu-like format). */
void cabin_decode_xlat_or(const struct dctx *d, uint64_t v,
			  const struct flagname *t,
		 size_t n, const char *fmt)
{
	if (!cabin_decode_xlat(d, v, t, n))
		cabin_sb_printf(d->b, fmt, (unsigned long long)v);
}

void cabin_decode_oflags(const struct dctx *d, uint64_t v, bool accmode)
{
	static const char *const acc[] = {
		"O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE"
	};

	if (!accmode) {
		cabin_decode_flags(d, v, XL(oflags), "0");
		return;
	}
	cabin_sb_puts(d->b, acc[v & 3]);
	v &= ~(uint64_t)3;
	if (v) {
		cabin_sb_puts(d->b, "|");
		cabin_decode_flags(d, v, XL(oflags), "0");
	}
}

void cabin_decode_mode(const struct dctx *d, uint32_t mode, bool with_type)
{
	static const struct flagname types[] = {
		FL(S_IFREG), FL(S_IFDIR), FL(S_IFCHR), FL(S_IFBLK),
		FL(S_IFIFO), FL(S_IFLNK), FL(S_IFSOCK),
	};

	if (with_type) {
		if (cabin_decode_xlat(d, mode & S_IFMT, types,
				      ARRAY_SIZE(types)))
			cabin_sb_puts(d->b, "|");
		else if (mode & S_IFMT)
			cabin_sb_printf(d->b, "%#o|", mode & S_IFMT);
	} else if (mode & ~07777u) {
		cabin_sb_printf(d->b, "%#o", mode);
		return;
	}
	if (mode & S_ISUID)
		cabin_sb_puts(d->b, "S_ISUID|");
	if (mode & S_ISGID)
		cabin_sb_puts(d->b, "S_ISGID|");
	if (mode & S_ISVTX)
		cabin_sb_puts(d->b, "S_ISVTX|");
	cabin_sb_printf(d->b, "%#03o", mode & 0777);
}

/*
 * The kernel's numbering: 32 and 33 are SIGRTMIN and SIGRT_1 for strace,
 * although glibc reserves them and its SIGRTMIN is 34.
 */
static const char *signame(int sig, char *buf, size_t len, bool prefix)
{
	const char *name;

	if (sig >= 1 && sig < 32) {
		name = cabin_signal_name(sig);
		if (strcmp(name, "SIG???"))
			return prefix ? name : name + 3;
	} else if (sig == 32) {
		return prefix ? "SIGRTMIN" : "RTMIN";
	} else if (sig > 32 && sig <= 64) {
		snprintf(buf, len, "%sRT_%d", prefix ? "SIG" : "", sig - 32);
		return buf;
	}
	snprintf(buf, len, "%d", sig);
	return buf;
}

const char *cabin_decode_signame(int sig, char *buf, size_t len)
{
	return signame(sig, buf, len, true);
}

void cabin_decode_signal(const struct dctx *d, uint64_t sig)
{
	char buf[24];

	cabin_sb_puts(d->b, signame((int)sig, buf, sizeof(buf), true));
}

/* [INT TERM], or ~[...] naming what is missing when most are set. */
void cabin_decode_sigset(const struct dctx *d, uint64_t addr, uint64_t size)
{
	unsigned char set[16];
	size_t n = size < sizeof(set) ? (size_t)size : sizeof(set);
	unsigned int bits = 0, total = (unsigned int)n * 8, sig;
	bool neg, first = true;
	char buf[24];

	if (!addr) {
		cabin_sb_puts(d->b, "NULL");
		return;
	}
	if (!size || size > 128 || !cabin_decode_read(d, addr, set, n)) {
		cabin_decode_hex(d, addr);
		return;
	}
	for (sig = 0; sig < total; sig++)
		bits += (set[sig / 8] >> (sig % 8)) & 1;
	neg = bits > total / 2;
	cabin_sb_puts(d->b, neg ? "~[" : "[");
	for (sig = 0; sig < total; sig++) {
		bool in = (set[sig / 8] >> (sig % 8)) & 1;

		if (in == neg)
			continue;
		cabin_sb_printf(d->b, "%s%s", first ? "" : " ",
				signame((int)sig + 1, buf, sizeof(buf), false));
		first = false;
	}
	cabin_sb_puts(d->b, "]");
}

const char *cabin_decode_errno_name(int err)
{
	switch (err) {
	case 512: return "ERESTARTSYS";
	case 513: return "ERESTARTNOINTR";
	case 514: return "ERESTARTNOHAND";
	case 515: return "ENOIOCTLCMD";
	case 516: return "ERESTART_RESTARTBLOCK";
	case 517: return "EPROBE_DEFER";
	case 518: return "EOPENSTALE";
	case 519: return "ENOPARAM";
	case 521: return "EBADHANDLE";
	case 522: return "ENOTSYNC";
	case 523: return "EBADCOOKIE";
	case 524: return "ENOTSUPP";
	case 525: return "ETOOSMALL";
	case 526: return "ESERVERFAULT";
	case 527: return "EBADTYPE";
	case 528: return "EJUKEBOX";
	case 529: return "EIOCBQUEUED";
	case 530: return "ERECALLCONFLICT";
	}
	return cabin_errno_name(err);
}
