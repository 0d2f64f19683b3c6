/*
 * The file guard's rules: their roots resolved in the program's view,
 * and the walk up from a file to the rule that grants it a right, one
 * real parent (not a mount covering it) at a time.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fsguard.h"
#include "core/pathview.h"

#define FG_MAX_DEPTH	4096	/* directories walked up, at most */

struct cabin_fsguard_root {
	dev_t dev;
	ino_t ino;
	unsigned int rights;
};

/* A rule's path as Landlock opened it in the program: links followed. */
static int open_rule(struct cabin_fsguard *g, int root, const char *path)
{
	char buf[PATH_MAX];

	if (path[0] == '~') {
		if ((path[1] != '\0' && path[1] != '/') || !g->home ||
		    !g->home[0])
			return -EINVAL;
		if (snprintf(buf, sizeof(buf), "%s%s", g->home, path + 1) >=
		    (int)sizeof(buf))
			return -ENAMETOOLONG;
		path = buf;
	}
	return cabin_pathview_walk(root, g->cwd, path, 0, NULL);
}

void cabin_fsguard_resolve(struct cabin_fsguard *g, pid_t tid)
{
	struct stat st;
	size_t i;
	int root, fd;

	if (g->resolved)
		return;
	/* Whatever fails here grants nothing: the guard fails closed. */
	g->resolved = true;
	root = cabin_pathview_task_dir(tid, "root");
	if (root < 0)
		return;
	g->roots = calloc(g->nrules ? g->nrules : 1, sizeof(*g->roots));
	for (i = 0; g->roots && i < g->nrules; i++) {
		fd = open_rule(g, root, g->paths[i]);
		if (fd < 0)
			continue;
		if (fstat(fd, &st) == 0) {
			g->roots[g->nroots].dev = st.st_dev;
			g->roots[g->nroots].ino = st.st_ino;
			g->roots[g->nroots++].rights = g->rights[i];
		}
		close(fd);
	}
	close(root);
}

/* Containment. */

/* The rights rules on the file itself grant (Landlock adds them up). */
static unsigned int rights_on(const struct cabin_fsguard *g,
			      const struct stat *st)
{
	unsigned int rights = 0;
	size_t i;

	for (i = 0; i < g->nroots; i++) {
		if (g->roots[i].dev == st->st_dev &&
		    g->roots[i].ino == st->st_ino)
			rights |= g->roots[i].rights;
	}
	return rights;
}

bool cabin_fsguard_same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* The id of the mount fd is on (its fdinfo's mnt_id), or -errno. */
static long fd_mount_id(int fd)
{
	char path[64], line[128];
	long id = -ENOENT;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "mnt_id: %ld", &id) == 1)
			break;
	}
	fclose(f);
	return id;
}

/* The parent of mount id in the task's mount namespace, or -errno. */
static long parent_mount_id(pid_t tid, long id)
{
	char path[64], line[4096];
	long m, parent, ret = -ENOENT;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/mountinfo", (int)tid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%ld %ld", &m, &parent) == 2 && m == id) {
			ret = parent;
			break;
		}
	}
	fclose(f);
	return ret;
}

/*
 * Whether up, what openat(cur, "..") gave, is cur's real parent, the one
 * Landlock's walk goes to.  The kernel's ".." follows a mount stacked on
 * the parent (the private /tmp over the host's /tmp, when the working
 * directory is the host's /tmp/a/b): that mount's root is no ancestor,
 * and a rule on it must grant nothing.  So up must be on cur's mount, or,
 * when cur is a mount's root, on its parent mount.  Unknown is false.
 * *mnt is cur's mount id (looked up when negative); on true it becomes
 * up's, so a walk reads each directory's mount id once.
 */
static bool real_parent(pid_t tid, int cur, int up, long *mnt)
{
	struct statx stx;
	long m_cur = *mnt < 0 ? fd_mount_id(cur) : *mnt;
	long m_up = fd_mount_id(up);
	bool real;

	if (m_cur < 0 || m_up < 0 ||
	    statx(cur, "", AT_EMPTY_PATH, 0, &stx) < 0 ||
	    !(stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT))
		return false;
	if (!(stx.stx_attributes & STATX_ATTR_MOUNT_ROOT))
		real = m_up == m_cur;
	else
		real = m_up == parent_mount_id(tid, m_cur);
	*mnt = m_up;
	return real;
}

/*
 * From directory dir up to the root: 1 when the rules on the way grant
 * every right of need between them, *have the rights they grant.
 */
static int walk_up(const struct cabin_fsguard *g, pid_t tid, int dir,
		   const struct stat *root, unsigned int need,
		   unsigned int *have)
{
	struct stat st, up_st;
	long mnt = -1;	/* cur's mount id, once known */
	int i, up, ret = 0;
	int cur = fcntl(dir, F_DUPFD_CLOEXEC, 0);

	if (cur < 0)
		return -errno;
	for (i = 0; i < FG_MAX_DEPTH; i++) {
		if (fstat(cur, &st) < 0) {
			ret = -errno;
			break;
		}
		*have |= rights_on(g, &st);
		if ((*have & need) == need) {
			ret = 1;
			break;
		}
		if (cabin_fsguard_same_file(&st, root))
			break;
		up = openat(cur, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (up < 0) {
			ret = -errno;
			break;
		}
		if (!g->covered_ok && !real_parent(tid, cur, up, &mnt)) {
			close(up);
			break;	/* the real parent is hidden: nothing grants */
		}
		close(cur);
		cur = up;
		/* the top of the file system is its own parent */
		if (fstat(cur, &up_st) < 0 ||
		    cabin_fsguard_same_file(&up_st, &st))
			break;
	}
	close(cur);
	return ret;
}

int cabin_fsguard_allows(struct cabin_fsguard *g, pid_t tid, int fd,
			 int parent, unsigned int right)
{
	struct stat st, root_st;
	unsigned int have;
	int root, ret;

	cabin_fsguard_resolve(g, tid);
	if (fstat(fd, &st) < 0)
		return -errno;
	have = rights_on(g, &st);
	if ((have & right) == right)
		return 1;
	if (!S_ISDIR(st.st_mode) && parent < 0)
		return 0;
	root = cabin_pathview_task_dir(tid, "root");
	if (root < 0)
		return root;
	ret = fstat(root, &root_st) < 0 ? -errno : 0;
	close(root);
	if (ret < 0)
		return ret;
	return walk_up(g, tid, S_ISDIR(st.st_mode) ? fd : parent, &root_st,
		       right, &have);
}
