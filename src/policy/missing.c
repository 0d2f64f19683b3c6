/*
 * Paths a policy names that this machine does not have: `cabin policy
 * check` says so as warnings, since a policy may well be written for
 * another machine, while `cabin run` refuses them (run/checks.c,
 * run/protect.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "policy/landlock.h"
#include "policy/policy.h"

/* 1 and a warning when fd says the path cannot be had, else 0. */
static size_t warn(FILE *out, const char *where, const char *path, int fd)
{
	if (fd >= 0) {
		close(fd);
		return 0;
	}
	if (fd == -ENOENT || fd == -ENOTDIR)
		fprintf(out, "%s: warning: path '%s' does not exist\n",
			where ? where : "policy", path);
	else
		fprintf(out, "%s: warning: path '%s': %s\n",
			where ? where : "policy", path, strerror(-fd));
	return 1;
}

static size_t warn_list(FILE *out, const struct cabin_path_list *l)
{
	size_t i, n = 0;
	int fd;

	for (i = 0; i < l->n; i++) {
		fd = open(l->path[i], O_PATH | O_CLOEXEC);
		n += warn(out, l->where[i], l->path[i], fd < 0 ? -errno : fd);
	}
	return n;
}

static size_t warn_rules(FILE *out, const struct cabin_path_rule *r,
			 size_t count)
{
	size_t i, n = 0;

	for (i = 0; i < count; i++) {
		if (!r[i].optional)
			n += warn(out, r[i].where, r[i].path,
				  cabin_landlock_open_path(r[i].path,
							   getenv("HOME")));
	}
	return n;
}

size_t cabin_policy_warn_missing(const struct cabin_policy *p, FILE *out)
{
	return warn_rules(out, p->paths, p->npaths) +
	       warn_rules(out, p->strips, p->nstrips) +
	       warn_list(out, &p->trusted) +
	       warn_list(out, &p->readable_code);
}
