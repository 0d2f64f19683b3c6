/*
 * Paths a policy names that this machine does not have: `cabin policy
 * check` says so as warnings, since a policy may well be written for
 * another machine, while `cabin run` refuses them (run/checks.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "policy/landlock.h"
#include "policy/policy.h"

size_t cabin_policy_warn_missing(const struct cabin_policy *p, FILE *out)
{
	const struct cabin_path_rule *r;
	size_t i, n = 0;
	int fd;

	for (i = 0; i < p->npaths; i++) {
		r = &p->paths[i];
		if (r->optional)
			continue;
		fd = cabin_landlock_open_path(r->path, getenv("HOME"));
		if (fd >= 0) {
			close(fd);
			continue;
		}
		n++;
		if (fd == -ENOENT || fd == -ENOTDIR)
			fprintf(out, "%s: warning: path '%s' does not exist\n",
				r->where ? r->where : "policy", r->path);
		else
			fprintf(out, "%s: warning: path '%s': %s\n",
				r->where ? r->where : "policy", r->path,
				strerror(-fd));
	}
	return n;
}
