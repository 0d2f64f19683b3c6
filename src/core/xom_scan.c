/*
 * The scanner for instructions that write PKRU (ERIM's definition):
 * WRPKRU, and XRSTOR with a memory operand, at any byte offset.
 */
#include <errno.h>

#include "core/xom.h"

#define SCAN_CHUNK	CABIN_XOM_SCAN_CHUNK

static bool is_wrpkru(const unsigned char *b)
{
	return b[0] == 0x0f && b[1] == 0x01 && b[2] == 0xef;
}

/*
 * XRSTOR and XRSTOR64 (REX.W 0f ae /5) are 0f ae with a ModRM whose reg
 * field is 5 and whose mod is not 3: mod 3 is LFENCE (0f ae e8..ef),
 * which cannot load PKRU.  A REX prefix precedes the same three bytes,
 * so matching them at every offset finds both forms.
 */
static bool is_xrstor(const unsigned char *b)
{
	return b[0] == 0x0f && b[1] == 0xae && ((b[2] >> 3) & 7) == 5 &&
	       (b[2] >> 6) != 3;
}

static void add_hit(struct cabin_xom_hits *h, uint64_t off,
		    enum cabin_xom_insn insn)
{
	if (h->n < CABIN_XOM_MAX_HITS) {
		h->off[h->n] = off;
		h->insn[h->n] = insn;
		h->n++;
	}
	h->total++;
}

void cabin_xom_scan(const unsigned char *buf, size_t len, size_t limit,
		    uint64_t base, struct cabin_xom_hits *hits)
{
	size_t i;

	if (limit > len)
		limit = len;
	for (i = 0; i < limit && i + 2 < len; i++) {
		if (buf[i] != 0x0f)
			continue;
		if (is_wrpkru(buf + i))
			add_hit(hits, base + i, CABIN_XOM_WRPKRU);
		else if (is_xrstor(buf + i))
			add_hit(hits, base + i, CABIN_XOM_XRSTOR);
	}
}

/* Fill buf from pos as far as the source goes; bytes read or -errno. */
static long fill(cabin_xom_read_fn read, void *ctx, uint64_t pos,
		 unsigned char *buf, size_t want)
{
	size_t got = 0;
	long n;

	while (got < want) {
		n = read(ctx, pos + got, buf + got, want - got);
		if (n < 0)
			return got ? (long)got : n;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (long)got;
}

int cabin_xom_scan_range(cabin_xom_read_fn read, void *ctx, uint64_t pos,
			 uint64_t len, struct cabin_xom_scan_buf *sb,
			 struct cabin_xom_hits *hits)
{
	unsigned char *buf = sb->b;
	uint64_t done = 0;
	size_t want, limit;
	long got;

	if (len > CABIN_XOM_SCAN_MAX)
		return -EFBIG;
	/* Each chunk carries two more bytes: an instruction may cross it. */
	while (done < len) {
		want = len - done < SCAN_CHUNK + 2 ? (size_t)(len - done)
						   : SCAN_CHUNK + 2;
		got = fill(read, ctx, pos + done, buf, want);
		if (got < 0)
			return (int)got;
		limit = (size_t)got < SCAN_CHUNK ? (size_t)got : SCAN_CHUNK;
		cabin_xom_scan(buf, (size_t)got, limit, pos + done, hits);
		if ((size_t)got < want || limit == 0)
			break;
		done += limit;
	}
	return 0;
}

const char *cabin_xom_insn_name(enum cabin_xom_insn insn)
{
	return insn == CABIN_XOM_WRPKRU ? "WRPKRU" : "XRSTOR";
}
