/*
 * The JSON writer behind the report (and any other record cabin writes):
 * escaping first, then a little nesting state for commas and indentation.
 */
#include <inttypes.h>
#include <string.h>

#include "trace/json.h"

static bool needs_escape(unsigned char c)
{
	return c < 0x20 || c >= 0x7f || c == '"' || c == '\\';
}

void cabin_json_string(FILE *f, const char *s, size_t len)
{
	size_t i, run = 0;

	fputc('"', f);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!needs_escape(c))
			continue;
		/* Copy the plain run before the escaped byte in one write. */
		fwrite(s + run, 1, i - run, f);
		run = i + 1;
		switch (c) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		default:
			fprintf(f, "\\u%04x", c);
			break;
		}
	}
	fwrite(s + run, 1, len - run, f);
	fputc('"', f);
}

void cabin_json_cstring(FILE *f, const char *s)
{
	if (s)
		cabin_json_string(f, s, strlen(s));
	else
		fputs("null", f);
}

void cabin_json_init(struct cabin_json *j, FILE *f)
{
	j->f = f;
	j->depth = 0;
	j->failed = false;
	j->first[0] = true;
	j->wrap[0] = false;
	j->close[0] = 0;
}

static void indent(struct cabin_json *j, int depth)
{
	int i;

	fputc('\n', j->f);
	for (i = 0; i < depth; i++)
		fputs("  ", j->f);
}

/*
 * Comma, line break and key before a member of the current container;
 * false when the writer has failed and the member must not be written.
 */
static bool member(struct cabin_json *j, const char *key)
{
	if (j->failed)
		return false;
	if (!j->first[j->depth])
		fputc(',', j->f);
	if (j->wrap[j->depth])
		indent(j, j->depth);
	else if (!j->first[j->depth])
		fputc(' ', j->f);
	j->first[j->depth] = false;
	if (key) {
		cabin_json_cstring(j->f, key);
		fputs(": ", j->f);
	}
	return true;
}

static void open_container(struct cabin_json *j, const char *key,
			   char open, char close, bool wrap)
{
	if (j->depth + 1 >= CABIN_JSON_MAX_DEPTH) {
		j->failed = true;
		return;
	}
	if (!member(j, key))
		return;
	fputc(open, j->f);
	j->depth++;
	j->first[j->depth] = true;
	j->wrap[j->depth] = wrap;
	j->close[j->depth] = close;
}

void cabin_json_object(struct cabin_json *j, const char *key, bool wrap)
{
	open_container(j, key, '{', '}', wrap);
}

void cabin_json_array(struct cabin_json *j, const char *key, bool wrap)
{
	open_container(j, key, '[', ']', wrap);
}

void cabin_json_end(struct cabin_json *j)
{
	if (j->failed || j->depth == 0)
		return;
	if (j->wrap[j->depth] && !j->first[j->depth])
		indent(j, j->depth - 1);
	fputc(j->close[j->depth], j->f);
	j->depth--;
	if (j->depth == 0)
		fputc('\n', j->f);
}

void cabin_json_strn(struct cabin_json *j, const char *key, const char *s,
		     size_t len)
{
	if (member(j, key))
		cabin_json_string(j->f, s, len);
}

void cabin_json_str(struct cabin_json *j, const char *key, const char *s)
{
	if (member(j, key))
		cabin_json_cstring(j->f, s);
}

void cabin_json_int(struct cabin_json *j, const char *key, long long v)
{
	if (member(j, key))
		fprintf(j->f, "%lld", v);
}

void cabin_json_uint(struct cabin_json *j, const char *key, uint64_t v)
{
	if (member(j, key))
		fprintf(j->f, "%" PRIu64, v);
}

void cabin_json_bool(struct cabin_json *j, const char *key, bool v)
{
	if (member(j, key))
		fputs(v ? "true" : "false", j->f);
}

void cabin_json_null(struct cabin_json *j, const char *key)
{
	if (member(j, key))
		fputs("null", j->f);
}
