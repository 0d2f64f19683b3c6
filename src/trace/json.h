/*
 * A small streaming JSON writer: every string escaped, so the output is
 * valid JSON whatever bytes the confined program handed us.
 */
#ifndef CABIN_TRACE_JSON_H
#define CABIN_TRACE_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * Write len bytes of s as one JSON string literal, quotes included.
 * Quotes, backslashes, control characters and every byte >= 0x80 are
 * escaped as \u00XX, so the result is ASCII and valid even when s is not
 * UTF-8 (a byte >= 0x80 reads back as the code point of the same value).
 */
void cabin_json_string(FILE *f, const char *s, size_t len);
/* The same for a NUL-terminated string; NULL is written as null. */
void cabin_json_cstring(FILE *f, const char *s);

#define CABIN_JSON_MAX_DEPTH 16

/*
 * Nesting state for documents.  A container opened with wrap puts each
 * member on its own indented line; without, members stay on one line.
 */
struct cabin_json {
	FILE *f;
	int depth;
	bool failed;		/* nested too deep: nothing more is written */
	bool first[CABIN_JSON_MAX_DEPTH];
	bool wrap[CABIN_JSON_MAX_DEPTH];
	char close[CABIN_JSON_MAX_DEPTH];
};

void cabin_json_init(struct cabin_json *j, FILE *f);
/* key is NULL inside an array or for the top-level value. */
void cabin_json_object(struct cabin_json *j, const char *key, bool wrap);
void cabin_json_array(struct cabin_json *j, const char *key, bool wrap);
/* Close the innermost object or array. */
void cabin_json_end(struct cabin_json *j);
void cabin_json_str(struct cabin_json *j, const char *key, const char *s);
void cabin_json_strn(struct cabin_json *j, const char *key, const char *s,
		     size_t len);
void cabin_json_int(struct cabin_json *j, const char *key, long long v);
void cabin_json_uint(struct cabin_json *j, const char *key, uint64_t v);
void cabin_json_bool(struct cabin_json *j, const char *key, bool v);
void cabin_json_null(struct cabin_json *j, const char *key);

#endif
