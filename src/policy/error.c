/*
 * Errors of the policy module: where a policy is wrong (file:line:column)
 * and what, filled by the lexer, the parser and the whole-policy checks,
 * and printed the way compilers print theirs.
 */
#include <stdarg.h>
#include <stdio.h>

#include "policy/policy.h"
#include "policy/parse_int.h"

void cabin_policy_verror(struct cabin_policy_error *err, const char *file,
			 unsigned int line, unsigned int col, const char *fmt,
			 va_list ap)
{
	if (!err)
		return;
	if (file != err->file)
		snprintf(err->file, sizeof(err->file), "%s", file ? file : "");
	err->line = line;
	err->column = line ? col : 0;
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
}

void cabin_policy_set_error(struct cabin_policy_error *err, const char *file,
			    unsigned int line, unsigned int col,
			    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cabin_policy_verror(err, file, line, col, fmt, ap);
	va_end(ap);
}

static const char *file_name(const char *file)
{
	return file && file[0] ? file : "policy";
}

void cabin_policy_where(char *buf, size_t len, const char *file,
			 unsigned int line, unsigned int col)
{
	snprintf(buf, len, "%s:%u:%u", file_name(file), line, col);
}

void cabin_policy_error_print(const struct cabin_policy_error *err,
			      FILE *out)
{
	char where[CABIN_POLICY_WHERE_MAX];

	if (err->line) {
		cabin_policy_where(where, sizeof(where), err->file,
				    err->line, err->column);
		fprintf(out, "%s: %s\n", where, err->message);
	} else {
		fprintf(out, "%s: %s\n", file_name(err->file), err->message);
	}
}
