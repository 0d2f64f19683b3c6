/*
 * Shared between the policy language's files (error.c, lex.c, parse.c,
 * parse_syscall.c, policy.c): the state of one parse, the lexer's helpers
 * and the policy internals the directives build on.  Not a public API.
 */
#ifndef CABIN_POLICY_PARSE_INT_H
#define CABIN_POLICY_PARSE_INT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "policy/lang.h"
#include "policy/policy.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
/* Longest piece of a word quoted back in a message. */
#define SHOWN_MAX 40

struct parse_word {
	char *text;
	unsigned int col;
};

/* One parse call: the text being read and where the parser is in it. */
struct parse_ctx {
	struct cabin_policy *p;
	struct cabin_policy_error *err;
	const char *file;
	unsigned int origin;
	unsigned int line;
	unsigned int end_col;		/* just past the last word */
	bool seen_directive;
	struct parse_word w[CABIN_POLICY_MAX_WORDS];
	unsigned int nw;
	char buf[2 * CABIN_POLICY_MAX_LINE + 2];
	char shown[SHOWN_MAX + 8];
	/* where cross-line settings were made in this text, 0 = not here */
	unsigned int net_none_line;
	unsigned int ports_line;
	unsigned int filter_line;
	unsigned int syscall_line;
};

/* error.c: filling a struct cabin_policy_error */
void cabin_policy_verror(struct cabin_policy_error *err, const char *file,
			 unsigned int line, unsigned int col, const char *fmt,
			 va_list ap);
void cabin_policy_set_error(struct cabin_policy_error *err, const char *file,
			    unsigned int line, unsigned int col,
			    const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* "FILE:LINE:COL", as errors print a place: where a rule was written. */
#define CABIN_POLICY_WHERE_MAX \
	(sizeof(((struct cabin_policy_error *)0)->file) + 24)
void cabin_policy_where(char *buf, size_t len, const char *file,
			 unsigned int line, unsigned int col);

/* lex.c: errors of a parse, lines, words and numbers */
int cabin_lex_fail(struct parse_ctx *c, unsigned int col, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int cabin_lex_fail_errno(struct parse_ctx *c, unsigned int col, int err);
const char *cabin_lex_shown(struct parse_ctx *c, const char *s);

int cabin_lex_line(struct parse_ctx *c, const char **pos, const char *end);
unsigned int cabin_lex_col_at(struct parse_ctx *c, unsigned int i);
int cabin_lex_need(struct parse_ctx *c, unsigned int i, const char *what);
int cabin_lex_no_more(struct parse_ctx *c, unsigned int i);
int cabin_lex_exact(struct parse_ctx *c, unsigned int n, const char *what);
int cabin_lex_pick(struct parse_ctx *c, unsigned int i, const char *what,
		   const char *const *names);

int cabin_lex_number(const char *s, uint64_t *out, const char **rest);
int cabin_lex_u64(struct parse_ctx *c, const struct parse_word *w,
		  uint64_t *out);
int cabin_lex_size(struct parse_ctx *c, const struct parse_word *w,
		   uint64_t *out);

/* parse_syscall.c: the 'syscall' directive */
int cabin_policy_parse_syscall(struct parse_ctx *c);

/* policy.c: what the directives share with the public mutators */
bool cabin_policy_valid_env_name(const char *s);
bool cabin_policy_valid_path(const char *s);
bool cabin_policy_route_equal(const struct cabin_route *a,
			      const struct cabin_route *b);
struct cabin_syscall_rule *cabin_policy_find_catchall(struct cabin_policy *p,
						      int nr);
int cabin_policy_add_syscall_origin(struct cabin_policy *p, const char *name,
				    const struct cabin_rule *rule,
				    unsigned int line, unsigned int origin,
				    const char *where);
/* cabin_policy_add_path, where a later text's rule replaces (policy.c). */
int cabin_policy_put_path(struct cabin_policy *p, const char *path,
			  unsigned int rights, bool optional,
			  const char *where, unsigned int origin);
struct cabin_env_set *cabin_policy_find_env_set(struct cabin_policy *p,
						const char *name);
int cabin_policy_env_set_origin(struct cabin_policy *p, const char *name,
				const char *value, unsigned int line,
				unsigned int origin);

#endif
