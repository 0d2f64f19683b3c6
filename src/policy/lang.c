/*
 * Words of the policy language that the parser reads and the normal-form
 * printer writes, kept in one place below both so that what one prints
 * the other reads back: rights, namespaces, errno names, quoting, and
 * actions.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/lang.h"

const struct cabin_policy_word cabin_policy_rights[] = {
	{ "read", CABIN_FILE_READ },
	{ "write", CABIN_FILE_WRITE },
	{ "create", CABIN_FILE_CREATE },
	{ "exec", CABIN_FILE_EXEC },
	{ "ioctl", CABIN_FILE_IOCTL },
	{ "list", CABIN_FILE_LIST },
	{ NULL, 0 },
};

const struct cabin_policy_word cabin_policy_strips[] = {
	{ "none", CABIN_STRIP_HIDE },
	{ "read-only", CABIN_STRIP_READ_ONLY },
	{ "no-exec", CABIN_STRIP_NO_EXEC },
	{ NULL, 0 },
};

const struct cabin_policy_word cabin_policy_isolates[] = {
	{ "pid", CABIN_ISOLATE_PID },
	{ "net", CABIN_ISOLATE_NET },
	{ "ipc", CABIN_ISOLATE_IPC },
	{ "uts", CABIN_ISOLATE_UTS },
	{ "mount", CABIN_ISOLATE_MOUNT },
	{ NULL, 0 },
};

const char *cabin_policy_errno_name(int err)
{
	if (err < 1 || err > 4095)
		return NULL;
	return strerrorname_np(err);
}

int cabin_policy_errno_number(const char *s)
{
	static const struct { const char *name; int err; } aliases[] = {
		{ "EWOULDBLOCK", EWOULDBLOCK },
		{ "EDEADLOCK", EDEADLOCK },
		{ "ENOTSUP", ENOTSUP },
	};
	unsigned long v;
	char *end;
	size_t i;
	int e;

	if (s[0] >= '0' && s[0] <= '9') {
		errno = 0;
		v = strtoul(s, &end, 10);
		if (errno || *end || v < 1 || v > 4095)
			return -1;
		return (int)v;
	}
	if (s[0] != 'E')
		return -1;
	for (i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (!strcmp(s, aliases[i].name))
			return aliases[i].err;
	for (e = 1; e <= 4095; e++) {
		const char *name = strerrorname_np(e);

		if (name && !strcmp(name, s))
			return e;
	}
	return -1;
}

bool cabin_policy_needs_quotes(const char *s)
{
	if (!*s)
		return true;
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch < 0x20 || ch == 0x7f || ch == ' ' || ch == '"' ||
		    ch == '#' || ch == '\\')
			return true;
	}
	return false;
}

void cabin_policy_route_text(const struct cabin_route *r, char *buf,
			     size_t len)
{
	const char *name;

	switch (r->kind) {
	case CABIN_ROUTE_ALLOW:
		snprintf(buf, len, "allow");
		break;
	case CABIN_ROUTE_TRACE:
		snprintf(buf, len, "trace");
		break;
	case CABIN_ROUTE_KILL:
		snprintf(buf, len, "kill");
		break;
	case CABIN_ROUTE_DENY:
		name = cabin_policy_errno_name(r->err);
		if (name)
			snprintf(buf, len, "deny(%s)", name);
		else
			snprintf(buf, len, "deny(%d)", r->err);
		break;
	default:
		snprintf(buf, len, "route %d", (int)r->kind);
	}
}
