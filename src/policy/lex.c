/*
 * The policy language's lexer: lines into words (blanks, comments,
 * quoting), numbers, and the file:line:column errors of one parse, which
 * every later stage reports through.  Bounded on arbitrary bytes.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/lang.h"
#include "policy/parse_int.h"

/* ---- errors of a parse ---- */

int cabin_lex_fail(struct parse_ctx *c, unsigned int col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cabin_policy_verror(c->err, c->file, c->line, col, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

int cabin_lex_fail_errno(struct parse_ctx *c, unsigned int col, int err)
{
	if (err == -ENOMEM) {
		cabin_lex_fail(c, col, "out of memory");
		return err;
	}
	return cabin_lex_fail(c, col, "too many entries (at most %d of a kind)",
			      CABIN_POLICY_MAX_ITEMS);
}

/* A word as it may be quoted in a message: short and printable. */
const char *cabin_lex_shown(struct parse_ctx *c, const char *s)
{
	size_t i;

	for (i = 0; s[i] && i < SHOWN_MAX; i++) {
		unsigned char ch = (unsigned char)s[i];

		c->shown[i] = ch < 0x20 || ch >= 0x7f ? '?' : (char)ch;
	}
	if (s[i]) {
		memcpy(c->shown + i, "...", 4);
		return c->shown;
	}
	c->shown[i] = '\0';
	return c->shown;
}

/* ---- numbers ---- */

/* Decimal or 0x hex, the whole word (or up to *rest), into 64 bits. */
int cabin_lex_number(const char *s, uint64_t *out, const char **rest)
{
	unsigned int base = 10;
	uint64_t v = 0;
	bool any = false;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	for (; *s; s++) {
		unsigned int d;

		if (*s >= '0' && *s <= '9')
			d = (unsigned int)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (unsigned int)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (unsigned int)(*s - 'A' + 10);
		else
			break;
		if (v > (UINT64_MAX - d) / base)
			return -ERANGE;
		v = v * base + d;
		any = true;
	}
	if (!any || (!rest && *s))
		return -EINVAL;
	if (rest)
		*rest = s;
	*out = v;
	return 0;
}

int cabin_lex_u64(struct parse_ctx *c, const struct parse_word *w,
		  uint64_t *out)
{
	int err = cabin_lex_number(w->text, out, NULL);

	if (err == -ERANGE)
		return cabin_lex_fail(c, w->col,
				      "number '%s' does not fit in 64 bits",
				      cabin_lex_shown(c, w->text));
	if (err)
		return cabin_lex_fail(c, w->col, "expected a number, got '%s'",
				      cabin_lex_shown(c, w->text));
	return 0;
}

/* A size: a number with an optional K, M, G or T (binary) suffix. */
int cabin_lex_size(struct parse_ctx *c, const struct parse_word *w,
		   uint64_t *out)
{
	static const char suffixes[] = "KMGT";
	const char *rest, *s;
	uint64_t v;
	int err = cabin_lex_number(w->text, &v, &rest);
	unsigned int shift = 0;

	if (err == -ERANGE)
		return cabin_lex_fail(c, w->col,
				      "size '%s' does not fit in 64 bits",
				      cabin_lex_shown(c, w->text));
	if (!err && *rest) {
		s = strchr(suffixes, *rest >= 'a' ? *rest - 32 : *rest);
		if (!s || !*s || rest[1])
			err = -EINVAL;
		else
			shift = 10 * (unsigned int)(s - suffixes + 1);
	}
	if (err)
		return cabin_lex_fail(c, w->col,
				      "expected a size like 512M, got '%s'",
				      cabin_lex_shown(c, w->text));
	if (shift && v > UINT64_MAX >> shift)
		return cabin_lex_fail(c, w->col,
				      "size '%s' does not fit in 64 bits",
				      cabin_lex_shown(c, w->text));
	*out = v << shift;
	return 0;
}

/* ---- words of a line ---- */

static bool is_blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r';
}

/* One quoted stretch starting at line[*i] == '"', appended to *out. */
static int unquote(struct parse_ctx *c, const char *line, size_t len,
		   size_t *i, char **out)
{
	size_t open = (*i)++;

	for (;;) {
		if (*i >= len)
			return cabin_lex_fail(c, (unsigned int)open + 1,
					      "unterminated quote");
		if (line[*i] == '"') {
			(*i)++;
			return 0;
		}
		if (line[*i] == '\\') {
			if (*i + 1 >= len ||
			    (line[*i + 1] != '"' && line[*i + 1] != '\\'))
				return cabin_lex_fail(c, (unsigned int)*i + 1,
						      "bad escape: only \\\" and \\\\ are allowed in quotes");
			(*i)++;
		}
		*(*out)++ = line[(*i)++];
	}
}

/*
 * Split a line into words: blanks separate them, '#' at the start of a
 * word starts a comment, and quoted stretches join the word they touch,
 * so NAME="a b" is one word.
 */
static int split(struct parse_ctx *c, const char *line, size_t len)
{
	char *out = c->buf;
	size_t i = 0;
	int err;

	c->nw = 0;
	c->end_col = 1;
	for (;;) {
		while (i < len && is_blank(line[i]))
			i++;
		if (i >= len || line[i] == '#')
			return 0;
		if (c->nw == CABIN_POLICY_MAX_WORDS)
			return cabin_lex_fail(c, (unsigned int)i + 1,
					      "too many words on one line (at most %d)",
					      CABIN_POLICY_MAX_WORDS);
		c->w[c->nw].text = out;
		c->w[c->nw].col = (unsigned int)i + 1;
		c->nw++;
		while (i < len && !is_blank(line[i])) {
			if (line[i] == '"') {
				err = unquote(c, line, len, &i, &out);
				if (err)
					return err;
			} else {
				*out++ = line[i++];
			}
		}
		*out++ = '\0';
		c->end_col = (unsigned int)i + 1;
	}
}

/*
 * The next line of [*pos, end) split into c->w (c->nw may be 0 for a
 * blank or comment line).  1 when there was a line, 0 at the end of the
 * text, or an error.
 */
int cabin_lex_line(struct parse_ctx *c, const char **pos, const char *end)
{
	const char *line = *pos, *nl, *nul;
	size_t n;
	int err;

	if (line >= end)
		return 0;
	nl = memchr(line, '\n', (size_t)(end - line));
	n = nl ? (size_t)(nl - line) : (size_t)(end - line);
	if (c->line == UINT_MAX - 1)
		return cabin_lex_fail(c, 1, "too many lines");
	c->line++;
	if (n > CABIN_POLICY_MAX_LINE)
		return cabin_lex_fail(c, CABIN_POLICY_MAX_LINE + 1,
				      "line longer than %d bytes",
				      CABIN_POLICY_MAX_LINE);
	nul = memchr(line, '\0', n);
	if (nul)
		return cabin_lex_fail(c, (unsigned int)(nul - line) + 1,
				      "NUL byte in policy text");
	*pos = nl ? nl + 1 : end;
	err = split(c, line, n);
	return err ? err : 1;
}

/* Column for "something is missing here": just past the last word. */
unsigned int cabin_lex_col_at(struct parse_ctx *c, unsigned int i)
{
	return i < c->nw ? c->w[i].col : c->end_col;
}

int cabin_lex_need(struct parse_ctx *c, unsigned int i, const char *what)
{
	if (i < c->nw)
		return 0;
	return cabin_lex_fail(c, c->end_col, "expected %s after '%s'", what,
			      cabin_lex_shown(c, c->w[c->nw - 1].text));
}

int cabin_lex_no_more(struct parse_ctx *c, unsigned int i)
{
	if (i >= c->nw)
		return 0;
	return cabin_lex_fail(c, c->w[i].col, "unexpected '%s'",
			      cabin_lex_shown(c, c->w[i].text));
}

int cabin_lex_exact(struct parse_ctx *c, unsigned int n, const char *what)
{
	int err = cabin_lex_need(c, n - 1, what);

	return err ? err : cabin_lex_no_more(c, n);
}

/*
 * Which of the NULL-terminated names word i is.  A missing word and a
 * wrong one are described with the same 'what'.
 */
int cabin_lex_pick(struct parse_ctx *c, unsigned int i, const char *what,
		   const char *const *names)
{
	int k = cabin_lex_need(c, i, what);

	if (k)
		return k;
	for (k = 0; names[k]; k++)
		if (!strcmp(c->w[i].text, names[k]))
			return k;
	return cabin_lex_fail(c, c->w[i].col, "expected %s, got '%s'", what,
			      cabin_lex_shown(c, c->w[i].text));
}
