/*
 * The trace's records: JSON strings and the fields every record starts
 * with, text line heads, and writing a finished record out whole.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "trace/trace_int.h"

/* Length of the valid UTF-8 sequence at s, 0 when it is not one. */
static size_t utf8_len(const unsigned char *s, size_t len)
{
	size_t n, i;
	uint32_t cp;

	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0;
	n = s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : 4;
	if (len < n)
		return 0;
	cp = s[0] & (0x7f >> n);
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* A JSON string: valid UTF-8 passes, every other byte is \u00XX. */
void cabin_trace_json_str(struct cabin_strbuf *b, const char *str,
			  size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i, n;

	cabin_sb_put(b, "\"", 1);
	for (i = 0; i < len; i++) {
		unsigned char c = s[i];

		if (c == '"' || c == '\\') {
			cabin_sb_printf(b, "\\%c", c);
		} else if (c == '\n') {
			cabin_sb_puts(b, "\\n");
		} else if (c == '\t') {
			cabin_sb_puts(b, "\\t");
		} else if (c < 0x20) {
			cabin_sb_printf(b, "\\u%04x", c);
		} else if (c < 0x80) {
			cabin_sb_put(b, (const char *)&c, 1);
		} else if ((n = utf8_len(s + i, len - i))) {
			cabin_sb_put(b, (const char *)s + i, n);
			i += n - 1;
		} else {
			cabin_sb_printf(b, "\\u%04x", c);
		}
	}
	cabin_sb_put(b, "\"", 1);
}

void cabin_trace_json_cstr(struct cabin_strbuf *b, const char *s)
{
	cabin_trace_json_str(b, s, strlen(s));
}

/* {"kind":"...","pid":..,"tid":..,"time":.. — the fields every record has. */
void cabin_trace_json_head(struct cabin_tracer *t, const char *kind,
			   pid_t pid, pid_t tid, uint64_t ns)
{
	cabin_sb_printf(&t->line, "{\"kind\":\"%s\",\"pid\":%d,\"tid\":%d,\"time\":%llu",
			kind, (int)pid, (int)tid,
			(unsigned long long)(ns > t->start_ns ?
					     ns - t->start_ns : 0));
}

/*
 * Write the record in t->line as one piece and flush it.  A record over
 * the limit cannot happen with the limits on arguments, but if it did a
 * JSON line would be cut mid-string; an error record keeps it valid.
 */
void cabin_trace_emit(struct cabin_tracer *t)
{
	if (t->line.cut && t->o.format == CABIN_TRACE_JSONL) {
		cabin_sb_free(&t->line);
		cabin_sb_init(&t->line, LINE_MAX_TEXT);
		cabin_sb_puts(&t->line,
			      "{\"kind\":\"error\",\"error\":\"record too large\"}");
	}
	if (t->line.len)
		fwrite(t->line.s, 1, t->line.len, t->o.out);
	fputc('\n', t->o.out);
	fflush(t->o.out);
	cabin_sb_reset(&t->line);
}

bool cabin_trace_is_text(const struct cabin_tracer *t)
{
	return t->o.format == CABIN_TRACE_TEXT;
}

/* "[pid 12] 12:34:56.123456 " */
void cabin_trace_text_head(struct cabin_tracer *t, pid_t tid, uint64_t ns)
{
	cabin_sb_printf(&t->line, "[pid %d] ", (int)tid);
	if (t->o.timestamps) {
		uint64_t real = ns + (uint64_t)t->real_off_ns;
		time_t sec = (time_t)(real / 1000000000u);
		struct tm tm;

		localtime_r(&sec, &tm);
		cabin_sb_printf(&t->line, "%02d:%02d:%02d.%06llu ", tm.tm_hour,
				tm.tm_min, tm.tm_sec,
				(unsigned long long)(real % 1000000000u / 1000));
	}
}
