/*
 * Files in the report: the paths a call names, resolved against its
 * descriptors, whether an O_CREAT open made the file, and what became of
 * it (read, written, created, deleted, renamed, chmod'ed, refused).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/pathview.h"
#include "core/umem.h"
#include "trace/kernview.h"
#include "trace/report_int.h"
#include "util/procfs.h"

#ifndef AT_EMPTY_PATH
#define AT_EMPTY_PATH 0x1000
#endif

/* ------------------------------------------------ file-system questions */

static int proc_exists(void *ctx, pid_t tid, int dirfd, const char *path)
{
	char full[REPORT_PATH_MAX + 64];
	struct stat st;
	int n;

	(void)ctx;
	if (path[0] == '/')
		n = snprintf(full, sizeof(full), "/proc/%d/root%s", (int)tid,
			     path);
	else if (dirfd == AT_FDCWD)
		n = snprintf(full, sizeof(full), "/proc/%d/cwd/%s", (int)tid,
			     path);
	else
		n = snprintf(full, sizeof(full), "/proc/%d/fd/%d/%s",
			     (int)tid, dirfd, path);
	if (n < 0 || (size_t)n >= sizeof(full))
		return -ENAMETOOLONG;
	if (!fstatat(AT_FDCWD, full, &st, AT_SYMLINK_NOFOLLOW))
		return 1;
	return errno == ENOENT ? 0 : -errno;
}

static int proc_fd_path(void *ctx, pid_t tid, int fd, char *buf, size_t len)
{
	char link[64];
	ssize_t n;

	(void)ctx;
	if (fd == AT_FDCWD)
		snprintf(link, sizeof(link), "/proc/%d/cwd", (int)tid);
	else
		snprintf(link, sizeof(link), "/proc/%d/fd/%d", (int)tid, fd);
	n = cabin_util_readlink(link, buf, len);
	return n < 0 ? (int)n : 0;
}

const struct cabin_report_fs cabin_report_proc_fs = {
	.exists = proc_exists,
	.fd_path = proc_fd_path,
};

/* ------------------------------------------------------- syscall capture */

/*
 * "dir/name" for a path relative to a descriptor or to the working
 * directory (AT_FDCWD), cleaned of "." components; an absolute path
 * cleaned; what was unreadable as it is.
 */
static char *resolve(struct cabin_report *r, pid_t tid, int dirfd,
		     char *path, bool marker, bool empty_is_fd)
{
	char dir[REPORT_PATH_MAX];
	const struct cabin_report_fs *fs = r->opt.fs;
	char *s;

	if (!path || marker)
		return path;
	if (path[0] == '/') {
		cabin_pathview_clean(path);
		return path;
	}
	if (!path[0] && (!empty_is_fd || dirfd == AT_FDCWD))
		return path;
	if (fs->fd_path(fs->ctx, tid, dirfd, dir, sizeof(dir)) < 0) {
		if (asprintf(&s, "<fd %d>%s%s", dirfd, path[0] ? "/" : "",
			     path) < 0)
			return path;
	} else if (asprintf(&s, "%s%s%s", dir, path[0] ? "/" : "",
			    path) < 0) {
		return path;
	} else {
		cabin_pathview_clean(s);
	}
	free(path);
	return s;
}

static int arg_int(const struct report_call *c, int i)
{
	return i < 0 ? AT_FDCWD : (int)c->args[i];
}

/* The paths exactly as the program gave them. */
static void read_paths(struct cabin_report *r, struct cabin_proxy *p,
		       pid_t tid, struct report_call *c)
{
	const struct watch_spec *s = c->spec;

	if (s->path >= 0)
		c->path = cabin_report_read_path(r, p, tid, c->args[s->path],
						 REPORT_PATH_MAX, &c->marker[0]);
	else if (s->dirfd >= 0)
		c->path = strdup("");
	if (s->path2 >= 0)
		c->path2 = cabin_report_read_path(r, p, tid,
						  c->args[s->path2],
						  REPORT_PATH_MAX,
						  &c->marker[1]);
	/* The same copy is compared at the result: one read, one truth. */
	if (r->opt.racecheck && s->path >= 0 && c->path)
		c->raw[0] = strdup(c->path);
	if (r->opt.racecheck && c->path2)
		c->raw[1] = strdup(c->path2);
}

/*
 * Relative to a descriptor: joined to its path.  An empty path names the
 * descriptor itself for fchmod, and with AT_EMPTY_PATH for fchmodat2 and
 * execveat (whose flags argument means that; open's does not).
 */
static void resolve_paths(struct cabin_report *r, pid_t tid,
			  struct report_call *c)
{
	const struct watch_spec *s = c->spec;
	bool empty_is_fd = s->path < 0 ||
			   ((s->kind == CALL_CHMOD || s->kind == CALL_EXEC) &&
			    s->flags >= 0 && (c->args[s->flags] & AT_EMPTY_PATH));

	c->path = resolve(r, tid, arg_int(c, s->dirfd), c->path,
			  c->marker[0], empty_is_fd);
	if (s->path2 >= 0)
		c->path2 = resolve(r, tid, arg_int(c, s->dirfd2), c->path2,
				   c->marker[1], false);
}

void cabin_report_capture_paths(struct cabin_report *r, struct cabin_proxy *p,
				pid_t tid, struct report_call *c)
{
	read_paths(r, p, tid, c);
	resolve_paths(r, tid, c);
}

/* open flags and mode, wherever the syscall keeps them. */
static void open_flags(struct cabin_proxy *p, pid_t tid,
		       struct report_call *c)
{
	const struct watch_spec *s = c->spec;
	uint64_t how[2];

	if (c->nr == SYS_creat) {
		c->flags = O_CREAT | O_WRONLY | O_TRUNC;
	} else if (c->nr == SYS_openat2) {
		if (cabin_umem_read(p, tid, c->args[2], how, sizeof(how)) == 0) {
			c->flags = how[0];
			c->mode = how[1];
		}
	} else {
		c->flags = c->args[s->flags];
	}
	if (s->mode >= 0)
		c->mode = c->args[s->mode];
}

/*
 * Only a look before the call tells a new file from an old one: asked
 * with the path and descriptor the program gave, before resolving them.
 */
static void open_existed(struct cabin_report *r, pid_t tid,
			 struct report_call *c)
{
	const struct watch_spec *s = c->spec;
	int err;

	c->existed = -1;
	if (!(c->flags & O_CREAT) || (c->flags & O_EXCL) || !c->path ||
	    c->marker[0])
		return;
	err = r->opt.fs->exists(r->opt.fs->ctx, tid, arg_int(c, s->dirfd),
				c->path);
	c->existed = err < 0 ? -1 : err;
}

void cabin_report_capture_file(struct cabin_report *r, struct cabin_proxy *p,
			       pid_t tid, struct report_call *c)
{
	const struct watch_spec *s = c->spec;

	if (s->kind == CALL_OPEN) {
		read_paths(r, p, tid, c);
		open_flags(p, tid, c);
		open_existed(r, tid, c);
		resolve_paths(r, tid, c);
		return;
	}
	cabin_report_capture_paths(r, p, tid, c);
	if (s->flags >= 0)
		c->flags = c->args[s->flags];
	if (s->mode >= 0)
		c->mode = c->args[s->mode];
}

/* ------------------------------------------------------ the kernel's view */

/*
 * A descriptor names what the kernel opened: the record takes that name
 * unless the program's path was seen to name the same object.  Other
 * calls leave nothing behind to look at: their paths are read again.
 */
static bool changed(struct cabin_report *r, struct cabin_proxy *p, pid_t tid,
		    uint64_t addr, const char *raw)
{
	char *now;
	bool differs;

	if (!raw)
		return false;
	now = cabin_report_read_string(r, p, tid, addr, REPORT_PATH_MAX);
	differs = now && strcmp(now, raw);
	free(now);
	return differs;
}

void cabin_report_race_check(struct cabin_report *r, struct cabin_proxy *p,
			     pid_t tid, struct report_call *c, long ret)
{
	const struct watch_spec *s = c->spec;
	struct cabin_kernview *kv;

	if (s->kind == CALL_OPEN && ret >= 0) {
		kv = malloc(sizeof(*kv));
		if (!kv)
			return;
		cabin_kernview_opened(p, tid, c->nr, c->args, ret, c->raw[0],
				      s->path, s->dirfd, kv);
		c->raced = kv->raced;
		if (kv->known && !kv->same) {
			c->opened = strdup(kv->path);
			c->unnamed = kv->deleted;
		}
		free(kv);
		return;
	}
	c->raced = (s->path >= 0 &&
		    changed(r, p, tid, c->args[s->path], c->raw[0])) ||
		   (s->path2 >= 0 &&
		    changed(r, p, tid, c->args[s->path2], c->raw[1]));
}

/* ---------------------------------------------------- results to records */

/*
 * One path record of c in a file list: the object the kernel opened
 * when that is known to differ from the program's path (which s2 then
 * keeps), marked when the program raced its own arguments.  Kind and
 * extra fields by the caller.
 */
static struct report_rec *add_path(struct cabin_report *r,
				   struct report_list *l,
				   const struct cabin_task *task,
				   const struct report_call *c, long v1,
				   long nr, int err)
{
	const char *path = c->opened ? c->opened : c->path;
	struct report_key k = { 0 };
	struct report_rec *rec;
	bool fresh;

	cabin_report_key_str(&k, path);
	cabin_report_key_num(&k, v1);
	cabin_report_key_num(&k, nr);
	cabin_report_key_num(&k, err);
	cabin_report_key_num(&k, c->raced);
	cabin_report_key_num(&k, c->opened && c->unnamed);
	rec = cabin_report_list_add(r, l, &k, &fresh);
	free(k.buf);
	if (rec && fresh) {
		cabin_report_rec_who(rec, task);
		rec->s1 = cabin_report_dup(path);
		rec->v1 = v1;
		rec->v3 = c->raced;
		rec->u1 = c->opened && c->unnamed;
		if (c->opened || c->raced)
			rec->s2 = cabin_report_dup(c->path);
		rec->nr = nr;
		rec->err = err;
	}
	return rec;
}

/* Refused by the policy (task->refused), or failed for its own reasons. */
static void file_failure(struct cabin_report *r,
			 const struct cabin_task *task,
			 const struct report_call *c, long ret)
{
	struct report_list *l = task->refused ? &r->file_denied
					      : &r->file_failed;

	add_path(r, l, task, c, 0, c->nr, (int)-ret);
}

static void open_result(struct cabin_report *r, const struct cabin_task *task,
			const struct report_call *c)
{
	bool writes = (c->flags & O_ACCMODE) != O_RDONLY ||
		      (c->flags & O_TRUNC);
	bool created = (c->flags & O_CREAT) &&
		       ((c->flags & O_EXCL) || c->existed == 0);
	struct report_rec *rec;

	if ((c->flags & O_PATH) && !(c->flags & O_CREAT))
		return;
	if (created) {
		add_path(r, &r->created, task, c, 0, 0, 0);
	} else if (writes) {
		/* O_CREAT on a file of unknown existence: created or written. */
		rec = add_path(r, &r->written, task, c, 0, 0, 0);
		if (rec && (c->flags & O_CREAT) && c->existed < 0)
			rec->v2 = 1;
	} else {
		add_path(r, &r->read, task, c,
			 (c->flags & O_DIRECTORY) != 0, 0, 0);
	}
}

static void rename_result(struct cabin_report *r,
			  const struct cabin_task *task,
			  const struct report_call *c)
{
	struct report_key k = { 0 };
	struct report_rec *rec;
	bool fresh;

	cabin_report_key_str(&k, c->path);
	cabin_report_key_str(&k, c->path2);
	cabin_report_key_num(&k, c->raced);
	rec = cabin_report_list_add(r, &r->renamed, &k, &fresh);
	free(k.buf);
	if (rec && fresh) {
		cabin_report_rec_who(rec, task);
		rec->s1 = cabin_report_dup(c->path);
		rec->s2 = cabin_report_dup(c->path2);
		rec->v3 = c->raced;
	}
}

void cabin_report_file_result(struct cabin_report *r,
			      const struct cabin_task *task,
			const struct report_call *c, long ret)
{
	bool dir;

	if (ret < 0) {
		file_failure(r, task, c, ret);
		return;
	}
	switch (c->spec->kind) {
	case CALL_OPEN:
		open_result(r, task, c);
		break;
	case CALL_UNLINK:
		dir = c->nr == SYS_rmdir || (c->flags & AT_REMOVEDIR);
		add_path(r, &r->deleted, task, c, dir, 0, 0);
		break;
	case CALL_RENAME:
		rename_result(r, task, c);
		break;
	case CALL_CHMOD:
		add_path(r, &r->chmod, task, c, (long)(c->mode & 07777),
			 0, 0);
		break;
	case CALL_TRUNCATE:
		add_path(r, &r->written, task, c, 0, 0, 0);
		break;
	case CALL_MKDIR:
		add_path(r, &r->created, task, c, 1, 0, 0);
		break;
	default:
		break;
	}
}

const char *cabin_report_mode(long mode, char *buf, size_t len)
{
	snprintf(buf, len, "%04lo", mode & 07777);
	return buf;
}
