/*
 * Rights the policy takes away below what it grants (`files none`,
 * `read-only`, `no-exec`; --deny, --read-only), planned as mounts for
 * the sandboxed child (sandbox/narrow.h).  Landlock adds rights beneath
 * a rule and cannot take a child away from a granted parent; a mount's
 * flags hold for every path that reaches the covered place, whichever
 * name, symlink or `..` led there.  Paths are resolved here, in cabin's
 * view, once; a rule below a taken-away path that grants the right back
 * (`files read-only .` then `files all ./build`) gets a mount of its own
 * that gives it back.  docs/security.md, "Taking rights away below a
 * grant".
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "policy/landlock.h"
#include "run/run.h"

#define NARROW_RO	MOUNT_ATTR_RDONLY
#define NARROW_NOEXEC	MOUNT_ATTR_NOEXEC

/* A path as the child will cover it, with what is said of it. */
struct place {
	char *path;				/* canonical, absolute */
	const struct cabin_path_rule *rule;	/* names it in errors */
	unsigned int strip;			/* enum cabin_file_strip */
	unsigned int grant;			/* enum cabin_file_right */
	bool hidden;				/* state after it: hidden */
	unsigned int flags;			/* state after it: NARROW_* */
	bool mount;				/* the state changes here */
	unsigned int in_flags;			/* the state above it */
	bool option;				/* a strip by --deny, --read-only */
	unsigned int locked;			/* flags no grant below gives back */
};

/* Refused before any platform is probed (kvm forwards files itself). */
int cabin_run_check_strips_platform(const struct cabin_run_state *r)
{
	const struct cabin_policy *p = r->cfg->policy;

	if (!p || !p->nstrips || (r->traits & CABIN_PLATFORM_HOST_TASKS))
		return 0;
	fprintf(r->log, "cabin: --deny, --read-only and 'files none/read-only/no-exec' are not supported on --platform %s (they are mounts in a mount namespace on the host); nothing was run\n",
		r->platform->name);
	return -EOPNOTSUPP;
}

/* "~/x" and "./x" as the child resolves them, symlinks resolved. */
static char *canonical(const char *path, const char *home, int *err)
{
	char buf[PATH_MAX], *out;
	int n;

	if (path[0] == '~') {
		if ((path[1] && path[1] != '/') || !home || !home[0]) {
			*err = -EINVAL;
			return NULL;
		}
		n = snprintf(buf, sizeof(buf), "%s%s", home, path + 1);
		if (n < 0 || (size_t)n >= sizeof(buf)) {
			*err = -ENAMETOOLONG;
			return NULL;
		}
		path = buf;
	}
	out = realpath(path, NULL);
	if (!out)
		*err = -errno;
	return out;
}

static bool below(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	if (n == 1)
		return path[1] != '\0';
	return !strncmp(path, dir, n) && path[n] == '/';
}

/*
 * The mounts the sandbox makes after the covers (the namespace's own
 * /proc, the private devpts, the message queues) would hide a cover
 * below them: such a path is refused, not silently left uncovered.
 */
static const char *made_later(const char *path)
{
	static const char *const later[] = {
		"/proc", "/dev/pts", "/dev/mqueue",
	};
	size_t i;

	for (i = 0; i < sizeof(later) / sizeof(*later); i++) {
		if (!strcmp(path, later[i]) || below(path, later[i]))
			return later[i];
	}
	return NULL;
}

static int by_path(const void *a, const void *b)
{
	return strcmp(((const struct place *)a)->path,
		      ((const struct place *)b)->path);
}

static void error_line(const struct cabin_run_state *r,
		       const struct cabin_path_rule *rule, int err)
{
	char line[PATH_MAX + 512];

	cabin_run_rule_error(rule, err, line, sizeof(line));
	fputs(line, r->log);
}

/* Adds rule's path to the list (merged with the same place), or skips it. */
static int add_place(struct cabin_run_state *r, struct place **pl,
		     size_t *n, const struct cabin_path_rule *rule,
		     bool strip)
{
	struct place *grown;
	char *path;
	size_t i;
	int err = 0;

	path = canonical(rule->path, r->home, &err);
	if (!path) {
		if (rule->optional && (err == -ENOENT || err == -ENOTDIR))
			return 0;
		/* A grant's own errors are check_paths' and Landlock's. */
		if (!strip)
			return 0;
		error_line(r, rule, -err);
		return err;
	}
	/* The private /tmp holds nothing of the host's to take away. */
	if (r->policy->private_tmp && cabin_run_hidden_by_private_tmp(path)) {
		free(path);
		if (!strip || rule->optional)
			return 0;
		fprintf(r->log, "cabin: %s%spath '%s' is inside the private /tmp ('tmp private'), where nothing of the host's is; nothing was run\n",
			rule->where ? rule->where : "",
			rule->where ? ": " : "", rule->path);
		return -EINVAL;
	}
	if (made_later(path)) {
		if (!strip || rule->optional) {
			free(path);
			return 0;
		}
		fprintf(r->log, "cabin: %s%spath '%s' is inside %s, which the sandbox mounts afresh after taking rights away (it would stay uncovered); nothing was run\n",
			rule->where ? rule->where : "",
			rule->where ? ": " : "", rule->path, made_later(path));
		free(path);
		return -EINVAL;
	}
	for (i = 0; i < *n; i++) {
		if (!strcmp((*pl)[i].path, path)) {
			free(path);
			break;
		}
	}
	if (i == *n) {
		grown = realloc(*pl, (*n + 1) * sizeof(**pl));
		if (!grown) {
			free(path);
			return -ENOMEM;
		}
		*pl = grown;
		memset(&grown[i], 0, sizeof(grown[i]));
		grown[i].path = path;
		grown[i].rule = rule;
		(*n)++;
	}
	if (strip) {
		(*pl)[i].strip |= rule->rights;
		(*pl)[i].rule = rule;
		/* The command line wins over the policy (run.c's overrides). */
		(*pl)[i].option |= rule->where && rule->where[0] == '-';
	} else {
		(*pl)[i].grant |= rule->rights;
	}
	return 0;
}

/*
 * The state below each place, from the nearest place above it; a
 * mount wherever the state changes.  Nothing can be shown below a
 * hidden place: a rule granting there is refused.
 */
static int decide(const struct cabin_run_state *r, struct place *pl,
		  size_t n, size_t *mounts)
{
	unsigned int in_flags, in_locked, back;
	bool in_hidden;
	size_t i, k;

	*mounts = 0;
	for (i = 0; i < n; i++) {
		in_hidden = false;
		in_flags = in_locked = 0;
		for (k = i; k-- > 0;) {
			if (below(pl[i].path, pl[k].path)) {
				in_hidden = pl[k].hidden;
				in_flags = pl[k].flags;
				in_locked = pl[k].locked;
				break;
			}
		}
		pl[i].hidden = in_hidden || (pl[i].strip & CABIN_STRIP_HIDE);
		pl[i].flags = in_flags;
		if (in_hidden && pl[i].grant) {
			fprintf(r->log, "cabin: %s%spath '%s' lies below a hidden path ('files none' or --deny): nothing below it can be allowed; nothing was run\n",
				pl[i].rule->where ? pl[i].rule->where : "",
				pl[i].rule->where ? ": " : "",
				pl[i].rule->path);
			return -EINVAL;
		}
		back = 0;
		if (pl[i].grant & (CABIN_FILE_WRITE | CABIN_FILE_CREATE))
			back |= NARROW_RO;
		if (pl[i].grant & CABIN_FILE_EXEC)
			back |= NARROW_NOEXEC;
		pl[i].flags &= ~(back & ~in_locked);
		if (pl[i].strip & CABIN_STRIP_READ_ONLY)
			pl[i].flags |= NARROW_RO;
		if (pl[i].strip & CABIN_STRIP_NO_EXEC)
			pl[i].flags |= NARROW_NOEXEC;
		pl[i].locked = in_locked |
			       (pl[i].option ? pl[i].flags & ~in_flags : 0);
		pl[i].in_flags = in_flags;
		pl[i].mount = !in_hidden &&
			      (pl[i].hidden || pl[i].flags != in_flags);
		*mounts += pl[i].mount;
	}
	return 0;
}

/* A flag the host's own mount has is never given back. */
static unsigned int host_flags(const char *path)
{
	struct statvfs sv;
	unsigned int f = 0;

	if (statvfs(path, &sv) < 0)
		return NARROW_RO | NARROW_NOEXEC;
	if (sv.f_flag & ST_RDONLY)
		f |= NARROW_RO;
	if (sv.f_flag & ST_NOEXEC)
		f |= NARROW_NOEXEC;
	return f;
}

static int make_mounts(struct cabin_run_state *r, struct place *pl,
		       size_t n, size_t count)
{
	struct cabin_narrow *out = calloc(count, sizeof(*out));
	struct stat st;
	size_t i, m = 0;

	if (!out)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		if (!pl[i].mount)
			continue;
		if (lstat(pl[i].path, &st) < 0) {
			m = (size_t)errno;
			error_line(r, pl[i].rule, (int)m);
			free(out);
			return -(int)m;
		}
		out[m].path = pl[i].path;
		out[m].dev = st.st_dev;
		out[m].ino = st.st_ino;
		out[m].hide = pl[i].hidden;
		out[m].set = pl[i].flags & ~pl[i].in_flags;
		out[m].clear = pl[i].in_flags & ~pl[i].flags &
			       ~host_flags(pl[i].path);
		pl[i].path = NULL;	/* now the plan's */
		m++;
	}
	r->narrow = out;
	r->nnarrow = m;
	return 0;
}

/* The working directory may be covered, never hidden. */
static int check_cwd(struct cabin_run_state *r)
{
	size_t i;

	r->cwd = getcwd(NULL, 0);
	if (!r->cwd)
		return -errno;
	for (i = 0; i < r->nnarrow; i++) {
		if (r->narrow[i].hide &&
		    (!strcmp(r->cwd, r->narrow[i].path) ||
		     below(r->cwd, r->narrow[i].path))) {
			fprintf(r->log, "cabin: the working directory %s is hidden by --deny or 'files none' %s; run from elsewhere (or --chdir); nothing was run\n",
				r->cwd, r->narrow[i].path);
			return -EINVAL;
		}
	}
	return 0;
}

static int refuse(const struct cabin_run_state *r, const char *why)
{
	const struct cabin_path_rule *s = &r->policy->strips[0];

	if (s->where && s->where[0] == '-')
		fprintf(r->log, "cabin: %s: taking rights away is a mount, which needs %s; nothing was run\n",
			s->where, why);
	else
		fprintf(r->log, "cabin: %s%spath '%s': taking rights away is a mount, which needs %s; nothing was run\n",
			s->where ? s->where : "", s->where ? ": " : "",
			s->path, why);
	return -EOPNOTSUPP;
}

int cabin_run_plan_strips(struct cabin_run_state *r)
{
	const struct cabin_policy *p = r->policy;
	struct place *pl = NULL;
	size_t n = 0, i, count;
	int err = 0;

	if (!p->nstrips || (r->cfg->unsafe & CABIN_UNSAFE_SUBTRACT))
		return 0;
	/* Without the filter, mount and umount are the program's. */
	if (p->filter_off)
		return refuse(r, "the seccomp filter's deny list (this policy switches the filter off)");
	/* A program holding CAP_SYS_ADMIN in its namespace undoes them. */
	if (r->cfg->unsafe & CABIN_UNSAFE_CAPS)
		return refuse(r, "the program's capabilities dropped (--unsafe-disable=caps leaves it the ones that undo mounts)");
	if (!r->namespaces)
		return refuse(r, "a mount namespace, which needs unprivileged user namespaces, which this system does not allow");
	for (i = 0; !err && i < p->nstrips; i++)
		err = add_place(r, &pl, &n, &p->strips[i], true);
	for (i = 0; !err && p->files_restricted && i < p->npaths; i++)
		err = add_place(r, &pl, &n, &p->paths[i], false);
	if (!err) {
		qsort(pl, n, sizeof(*pl), by_path);
		err = decide(r, pl, n, &count);
	}
	if (!err && count)
		err = make_mounts(r, pl, n, count);
	if (!err && r->nnarrow)
		err = check_cwd(r);
	for (i = 0; i < n; i++)
		free(pl[i].path);
	free(pl);
	return err;
}

void cabin_run_free_strips(struct cabin_run_state *r)
{
	size_t i;

	for (i = 0; i < r->nnarrow; i++)
		free((char *)r->narrow[i].path);
	free(r->narrow);
	free(r->cwd);
	r->narrow = NULL;
	r->nnarrow = 0;
	r->cwd = NULL;
}
