/*
 * Words of the policy language shared by the parser and the normal-form
 * printer, so that what one prints the other reads back.
 */
#ifndef CABIN_POLICY_LANG_H
#define CABIN_POLICY_LANG_H

#include <stdbool.h>
#include <stdint.h>

#include "policy/policy.h"

#define CABIN_POLICY_MAX_LINE	4096	/* bytes in one line */
#define CABIN_POLICY_MAX_WORDS	256	/* words in one line */
/* At most this many syscall rules, paths, env entries each. */
#define CABIN_POLICY_MAX_ITEMS	4096
#define CABIN_POLICY_MAX_FILE	(1u << 20)

struct cabin_policy_word {
	const char *name;
	unsigned int bit;
};

/* NULL-terminated tables, in the order the printer uses. */
extern const struct cabin_policy_word cabin_policy_rights[];
extern const struct cabin_policy_word cabin_policy_isolates[];
/* `files none|read-only|no-exec`: enum cabin_file_strip. */
extern const struct cabin_policy_word cabin_policy_strips[];

#define CABIN_FILE_ALL	(CABIN_FILE_READ | CABIN_FILE_WRITE | \
			 CABIN_FILE_CREATE | CABIN_FILE_EXEC | CABIN_FILE_IOCTL | \
			 CABIN_FILE_LIST)
#define CABIN_ISOLATE_ALL (CABIN_ISOLATE_PID | CABIN_ISOLATE_NET | \
			   CABIN_ISOLATE_IPC | CABIN_ISOLATE_UTS | \
			   CABIN_ISOLATE_MOUNT)

/* "EPERM" for 1, NULL for a number with no name. */
const char *cabin_policy_errno_name(int err);
/* Errno for "EACCES" or "13", or -1. */
int cabin_policy_errno_number(const char *s);

/* Whether a string must be quoted to come back as one word. */
bool cabin_policy_needs_quotes(const char *s);

/* An action as the language writes it: allow, trace, kill, deny(EPERM). */
void cabin_policy_route_text(const struct cabin_route *r, char *buf,
			     size_t len);

#endif
