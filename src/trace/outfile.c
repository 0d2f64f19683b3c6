/*
 * cabin's output files: a directory opened before the program starts, an
 * unnamed record during the run, a name given at the end (outfile.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#ifndef PIPEFS_MAGIC
#define PIPEFS_MAGIC 0x50495045
#endif

#include "trace/outfile.h"
#include "util/procfs.h"

static int fail(const struct cabin_outfile *o, FILE *log, int err,
		const char *why)
{
	fprintf(log, "cabin: cannot write the %s to %s: %s\n", o->what,
		o->path, why ? why : strerror(err));
	return -err;
}

/* Not a regular file (a terminal, /dev/null, a pipe): written as it is. */
static int open_stream(struct cabin_outfile *o, FILE *log)
{
	o->fd = open(o->path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
	return o->fd < 0 ? fail(o, log, errno, NULL) : 0;
}

/*
 * cabin's own stdout or stderr, named (/dev/stderr, /proc/self/fd/2):
 * the stream the user gave cabin, shared with the program by design,
 * written where it is, never replaced.
 */
static int std_stream(const struct stat *st)
{
	struct stat s;
	int fd;

	for (fd = 1; fd <= 2; fd++) {
		if (fstat(fd, &s) == 0 && s.st_dev == st->st_dev &&
		    s.st_ino == st->st_ino)
			return fd;
	}
	return -1;
}

/* A pipe cabin holds (/dev/fd/N), not a FIFO with a name of its own. */
static bool anonymous_pipe(const char *path)
{
	struct statfs fs;

	return statfs(path, &fs) == 0 && fs.f_type == PIPEFS_MAGIC;
}

/*
 * A path that does not exist yet, through the symlinks it names (the
 * user's, followed now): the file they lead to, to be created.
 */
static char *link_target(const char *path)
{
	char *cur = strdup(path), target[PATH_MAX], *next, *slash;
	int hops;

	for (hops = 0; cur && hops < 40; hops++) {
		if (cabin_util_readlink(cur, target, sizeof(target)) < 0)
			return cur;	/* not a symlink: create it */
		slash = strrchr(cur, '/');
		if (target[0] == '/' || !slash)
			next = strdup(target);
		else if (asprintf(&next, "%.*s/%s", (int)(slash - cur), cur,
				  target) < 0)
			next = NULL;
		free(cur);
		cur = next;
	}
	free(cur);
	errno = ELOOP;
	return NULL;
}

/*
 * The directory and the name the record will get, as the path resolves
 * now: a symlink the user gave is followed, to its target.
 */
static int bind_directory(struct cabin_outfile *o, FILE *log)
{
	struct stat st;
	char *full, *slash;
	const char *dir;

	if (stat(o->path, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return fail(o, log, EISDIR, NULL);
		if (std_stream(&st) >= 0) {
			o->fd = fcntl(std_stream(&st), F_DUPFD_CLOEXEC, 3);
			return o->fd < 0 ? fail(o, log, errno, NULL) : 0;
		}
		if (S_ISFIFO(st.st_mode) && !anonymous_pipe(o->path))
			return fail(o, log, EPERM,
				    "a named FIFO can be opened and written by the program too (give a pipe cabin inherits, like --trace=/dev/fd/3, or a file)");
		if (!S_ISREG(st.st_mode))
			return open_stream(o, log);
		full = realpath(o->path, NULL);
	} else if (errno != ENOENT) {
		return fail(o, log, errno, NULL);
	} else {
		full = link_target(o->path);
	}
	if (!full)
		return fail(o, log, errno, NULL);
	slash = strrchr(full, '/');
	dir = slash ? (slash == full ? "/" : full) : ".";
	if (slash)
		*slash = '\0';
	o->name = strdup(slash ? slash + 1 : full);
	if (!o->name || !*o->name) {
		free(full);
		return fail(o, log, o->name ? EISDIR : ENOMEM, NULL);
	}
	o->dir = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (o->dir < 0 && errno == ENOENT) {
		fprintf(log, "cabin: cannot write the %s to %s: the directory %s does not exist\n",
			o->what, o->path, dir);
		free(full);
		return -ENOENT;
	}
	free(full);
	return o->dir < 0 ? fail(o, log, errno, NULL) : 0;
}

/*
 * The record during the run: unnamed in the directory, or in memory
 * where the file system has no O_TMPFILE (then the directory must at
 * least be writable now, so the run does not start for nothing).
 */
static int open_record(struct cabin_outfile *o, FILE *log)
{
	o->fd = openat(o->dir, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0666);
	if (o->fd >= 0) {
		o->linkable = true;
		return 0;
	}
	if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
		return fail(o, log, errno, NULL);
	if (faccessat(o->dir, ".", W_OK | X_OK, AT_EACCESS) < 0)
		return fail(o, log, errno, NULL);
	o->fd = memfd_create("cabin-record", MFD_CLOEXEC);
	return o->fd < 0 ? fail(o, log, errno, NULL) : 0;
}

int cabin_outfile_open(struct cabin_outfile *o, const char *path,
		       const char *what, enum cabin_outfile_mode mode,
		       FILE *log)
{
	int err;

	memset(o, 0, sizeof(*o));
	o->path = path;
	o->what = what;
	o->mode = mode;
	o->dir = -1;
	o->fd = -1;
	if (mode == CABIN_OUTFILE_NAMED_LIVE) {
		o->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			     0666);
		return o->fd < 0 ? fail(o, log, errno, NULL) : 0;
	}
	if (mode == CABIN_OUTFILE_NAMED_AT_END) {
		o->fd = memfd_create("cabin-record", MFD_CLOEXEC);
		return o->fd < 0 ? fail(o, log, errno, NULL) : 0;
	}
	err = bind_directory(o, log);
	if (!err && o->dir >= 0)
		err = open_record(o, log);
	return err;
}

/* The record's bytes from the start of src, appended to dst. */
static int copy_record(int src, int dst)
{
	char buf[65536];
	off_t off = 0;
	ssize_t n;

	while ((n = pread(src, buf, sizeof(buf), off)) > 0) {
		ssize_t done = 0;

		while (done < n) {
			ssize_t w = write(dst, buf + done, n - done);

			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				return w < 0 ? -errno : -EIO;
			done += w;
		}
		off += n;
	}
	if (n < 0)
		return -errno;
	return fsync(dst) < 0 && errno != EINVAL ? -errno : 0;
}

/* A new file named name in dir (never an existing one, never a link). */
static int copy_to_new(int src, int dir, const char *name)
{
	int fd = openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
				   O_CLOEXEC, 0666), err;

	if (fd < 0)
		return -errno;
	err = copy_record(src, fd);
	close(fd);
	if (err)
		unlinkat(dir, name, 0);
	return err;
}

/* Give the record the temporary name tmp in the directory opened at start. */
static int name_record(const struct cabin_outfile *o, const char *tmp)
{
	char self[CABIN_UTIL_FD_PATH_MAX];

	if (!o->linkable)
		return copy_to_new(o->fd, o->dir, tmp);
	if (fsync(o->fd) < 0 && errno != EINVAL)
		return -errno;
	if (linkat(o->fd, "", o->dir, tmp, AT_EMPTY_PATH) == 0)
		return 0;
	/* AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH; /proc/self/fd does not. */
	cabin_util_fd_path(o->fd, self, sizeof(self));
	if (linkat(AT_FDCWD, self, o->dir, tmp, AT_SYMLINK_FOLLOW) == 0)
		return 0;
	if (errno == EEXIST)
		return -EEXIST;
	return copy_to_new(o->fd, o->dir, tmp);	/* no /proc, say */
}

/*
 * NAME.tmp.PID, or, if something is there already (the program may have
 * guessed the name), NAME.tmp.PID.RANDOM: *tmp is set, 0 or -errno.
 */
static int name_fresh(const struct cabin_outfile *o, char **tmp)
{
	unsigned long long salt;
	int err, tries;

	for (tries = 0; tries < 8; tries++) {
		if (tries && getrandom(&salt, sizeof(salt), 0) != sizeof(salt))
			salt = (unsigned long long)tries * 2654435761u;
		if ((tries ? asprintf(tmp, "%s.tmp.%d.%llx", o->name,
				      (int)getpid(), salt)
			   : asprintf(tmp, "%s.tmp.%d", o->name,
				      (int)getpid())) < 0) {
			*tmp = NULL;
			return -ENOMEM;
		}
		err = name_record(o, *tmp);
		if (err != -EEXIST)
			return err;
		free(*tmp);
		*tmp = NULL;
	}
	return -EEXIST;
}

/* Where the directory opened at start is now, for messages. */
static void dir_now(const struct cabin_outfile *o, char *buf, size_t len)
{
	if (cabin_util_fd_readlink(o->dir, buf, len) < 0)
		snprintf(buf, len, "(the directory of %s)", o->path);
}

/* The directory cannot take it any more: a new file in $TMPDIR or /tmp. */
static int rescue(const struct cabin_outfile *o, int err, FILE *log)
{
	const char *tmpdir = getenv("TMPDIR");
	char where[PATH_MAX];
	int fd;

	snprintf(where, sizeof(where), "%s/cabin-%s-XXXXXX",
		 tmpdir && *tmpdir ? tmpdir : "/tmp", o->what);
	fd = mkostemp(where, O_CLOEXEC);
	if (fd >= 0 && copy_record(o->fd, fd) == 0) {
		close(fd);
		fprintf(log, "cabin: cannot put the %s at %s: %s; it is kept in %s\n",
			o->what, o->path, strerror(-err), where);
		return err;
	}
	if (fd >= 0) {
		close(fd);
		unlink(where);
	}
	fprintf(log, "cabin: cannot put the %s at %s: %s; it is lost\n",
		o->what, o->path, strerror(-err));
	return err;
}

/*
 * The name the user gave must lead to what was placed: if a directory on
 * the way was moved or replaced during the run, the record is in the
 * directory opened at start, which the run says.
 */
static int check_placed(const struct cabin_outfile *o, FILE *log)
{
	struct stat placed, named;
	char dir[PATH_MAX];

	if (fstatat(o->dir, o->name, &placed, AT_SYMLINK_NOFOLLOW) == 0 &&
	    stat(o->path, &named) == 0 && placed.st_dev == named.st_dev &&
	    placed.st_ino == named.st_ino)
		return 0;
	dir_now(o, dir, sizeof(dir));
	fprintf(log, "cabin: the %s is in %s/%s, not at %s: a directory on the way was moved or replaced during the run\n",
		o->what, dir, o->name, o->path);
	return -EXDEV;
}

/* --unsafe-disable=outputs: by path, at the end, as cabin used to. */
static int place_by_path(const struct cabin_outfile *o, FILE *log)
{
	char *tmp;
	int err;

	if (asprintf(&tmp, "%s.tmp.%d", o->path, (int)getpid()) < 0)
		return 0;
	err = copy_to_new(o->fd, AT_FDCWD, tmp);
	if (!err && rename(tmp, o->path) < 0) {
		unlink(tmp);
		err = -errno;
	}
	if (err)
		fprintf(log, "cabin: writing the %s to %s failed\n", o->what,
			o->path);
	free(tmp);
	return 0;
}

int cabin_outfile_place(struct cabin_outfile *o, FILE *log)
{
	char *tmp, dir[PATH_MAX];
	int err;

	if (o->mode == CABIN_OUTFILE_NAMED_AT_END)
		return place_by_path(o, log);
	if (o->dir < 0)
		return 0;
	err = name_fresh(o, &tmp);
	if (err) {
		free(tmp);
		return rescue(o, err, log);
	}
	if (renameat(o->dir, tmp, o->dir, o->name) < 0) {
		err = -errno;
		dir_now(o, dir, sizeof(dir));
		fprintf(log, "cabin: cannot put the %s at %s: %s; it is kept in %s/%s\n",
			o->what, o->path, strerror(-err), dir, tmp);
		free(tmp);
		return err;
	}
	free(tmp);
	return check_placed(o, log);
}

void cabin_outfile_close(struct cabin_outfile *o)
{
	if (o->fd >= 0)
		close(o->fd);
	if (o->dir >= 0)
		close(o->dir);
	free(o->name);
	o->fd = o->dir = -1;
	o->name = NULL;
}
