/*
 * Whether the confined program can write a file, judged on an open file
 * cabin holds (never on a path the program could swap): W^X lets only
 * files it cannot write become code, since a write through any other
 * mapping, descriptor or path would change the code under the mapping.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "core/memguard.h"
#include "core/memguard_file.h"

static bool beneath(const char *path, const char *dir);

int cabin_memguard_init(struct cabin_memguard *g, bool files_restricted,
			bool caps_kept)
{
	int n;

	memset(g, 0, sizeof(*g));
	g->files_restricted = files_restricted;
	g->dac_override = caps_kept && geteuid() == 0;
	g->proc_writable = !files_restricted;
	g->euid = geteuid();
	n = getgroups(0, NULL);
	if (n < 0)
		return -errno;
	g->groups = calloc((size_t)n + 1, sizeof(*g->groups));
	if (!g->groups)
		return -ENOMEM;
	g->groups[0] = getegid();
	n = getgroups(n, g->groups + 1);
	if (n < 0) {
		free(g->groups);
		g->groups = NULL;
		return -errno;
	}
	g->ngroups = (size_t)n + 1;
	return 0;
}

int cabin_memguard_set_ids(struct cabin_memguard *g, uid_t uid, gid_t gid)
{
	gid_t *one = calloc(1, sizeof(*one));

	if (!one)
		return -ENOMEM;
	one[0] = gid;
	free(g->groups);
	g->groups = one;
	g->ngroups = 1;
	g->euid = uid;
	return 0;
}

/* The name the kernel gives the file open at fd, in cabin's view. */
static int held_path(int fd, char *buf, size_t len)
{
	char link[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, buf, len - 1);
	if (n < 0)
		return -errno;
	if ((size_t)n >= len - 1)
		return -ENAMETOOLONG;
	buf[n] = '\0';
	return 0;
}

int cabin_memguard_writable(struct cabin_memguard *g, int fd)
{
	char path[4096], **grown;

	if (held_path(fd, path, sizeof(path)) < 0 || path[0] != '/')
		return 0;	/* nothing there to write beneath */
	grown = realloc(g->writable, (g->nwritable + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	g->writable = grown;
	g->writable[g->nwritable] = strdup(path);
	if (!g->writable[g->nwritable])
		return -ENOMEM;
	g->nwritable++;
	if (beneath(path, "/proc") || beneath("/proc", path))
		g->proc_writable = true;
	return 0;
}

void cabin_memguard_free(struct cabin_memguard *g)
{
	size_t i;

	for (i = 0; i < g->nwritable; i++)
		free(g->writable[i]);
	free(g->writable);
	free(g->groups);
	memset(g, 0, sizeof(*g));
}

static bool beneath(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	if (n == 1 && dir[0] == '/')
		return true;
	return !strncmp(path, dir, n) && (path[n] == '\0' || path[n] == '/');
}

/*
 * Permission bits as the program's identity sees them.  The owner can
 * always chmod its file writable; capabilities are dropped, so root is
 * an owner like any other, unless it keeps them (--unsafe-disable=caps).
 */
static bool dac_writable(const struct cabin_memguard *g, const struct stat *st)
{
	size_t i;

	if (g->dac_override || st->st_uid == g->euid)
		return true;
	for (i = 0; i < g->ngroups; i++) {
		if (st->st_gid == g->groups[i])
			return st->st_mode & S_IWGRP;
	}
	return st->st_mode & S_IWOTH;
}

/* Deleted, or never named (memfd, O_TMPFILE): only descriptors reach it. */
static bool unnamed(const char *path, const struct stat *st)
{
	static const char deleted[] = " (deleted)";
	size_t n = strlen(path), d = sizeof(deleted) - 1;

	return st->st_nlink == 0 || path[0] != '/' ||
	       (n >= d && !strcmp(path + n - d, deleted));
}

const char *cabin_memguard_file_writable(const struct cabin_memguard *g,
					 int fd)
{
	char path[4096];
	struct statvfs sv;
	struct stat st;
	size_t i;
	int fl;

	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fstat(fd, &st) < 0 ||
	    fstatvfs(fd, &sv) < 0)
		return "it cannot be examined";
	if ((fl & O_ACCMODE) != O_RDONLY)
		return "its descriptor is open for writing";
	if (!S_ISREG(st.st_mode))
		return "it is not a regular file";
	if (sv.f_flag & ST_RDONLY)
		return NULL;
	if (!dac_writable(g, &st))
		return NULL;
	if (!g->files_restricted)
		return "the program may write it (no file rules)";
	if (held_path(fd, path, sizeof(path)) < 0)
		return "its place cannot be told";
	/* Written through descriptors, which no path rule limits. */
	if (unnamed(path, &st))
		return "it has no name (memfd, deleted) and the program may write it";
	for (i = 0; i < g->nwritable; i++) {
		if (beneath(path, g->writable[i]))
			return "it lies where the policy lets the program write";
	}
	return NULL;
}
