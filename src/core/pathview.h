/*
 * The confined program's view of the file system, for guards that act on
 * a path the program named: resolved the way its kernel would, but by
 * cabin, one component at a time, and with cabin's capabilities lowered.
 */
#ifndef CABIN_CORE_PATHVIEW_H
#define CABIN_CORE_PATHVIEW_H

#include <linux/capability.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct cabin_proxy;

/* Do not follow a symbolic link in the last component (lchown). */
#define CABIN_PATHVIEW_NOFOLLOW	(1u << 0)

/*
 * Resolve path as the program tid would: absolute paths and absolute
 * links start at its root (/proc/<tid>/root), relative ones at its cwd
 * (dirfd AT_FDCWD) or at its descriptor dirfd; ".." never climbs above
 * its root.  Links are read and spliced into the path, never followed by
 * the kernel on cabin's behalf; links on procfs (magic links, "self",
 * which would name cabin) are refused with -ELOOP.  The walk runs with
 * cabin's capabilities lowered, so it searches only where the program
 * may.  Returns an O_PATH descriptor of what the path names, or -errno.
 * When parent is not NULL it receives an O_PATH descriptor of the
 * directory the last component was found in, or -1 when the path ended
 * in "." or ".." (the target is then a directory).
 */
int cabin_pathview_open(pid_t tid, int dirfd, const char *path,
			unsigned int flags, int *parent);

/*
 * The same walk from descriptors cabin holds (root, and start for a
 * relative path), with cabin's capabilities as they are.
 */
int cabin_pathview_walk(int root, int start, const char *path,
			unsigned int flags, int *parent);

/*
 * The directory in which path's last component would be created (as
 * bind and mknod do), and that component in base; -ENOENT for a trailing
 * slash, -EEXIST for "." or "..".  Returns an O_PATH descriptor or -errno.
 */
int cabin_pathview_open_parent(pid_t tid, int dirfd, const char *path,
			       char *base, size_t len);

/* /proc/<tid>/<which> ("root", "cwd") as an O_PATH directory, or -errno. */
int cabin_pathview_task_dir(pid_t tid, const char *which);

/*
 * path without "." components and doubled or trailing slashes, in place
 * ("/a/./b//" is "/a/b"); ".." stays, since a link may stand before it.
 */
void cabin_pathview_clean(char *path);

/*
 * path as an absolute name, for a record or a message: a relative path
 * joined to what tid's dirfd (AT_FDCWD: its working directory) names in
 * /proc, then cleaned.  /proc is read after the program chose the path
 * and the program can move either meanwhile: good for telling a person,
 * never for a decision.  Returns 0, or -errno with path copied as it is.
 */
int cabin_pathview_absolute(pid_t tid, int dirfd, const char *path,
			    char *buf, size_t len);

/* The file mode creation mask of tid, or -errno. */
int cabin_pathview_umask(pid_t tid);

/* Same inode (dev and ino), for descriptors of any kind. */
bool cabin_pathview_same(int a, int b);

/* Effective capabilities of cabin, saved while they are lowered. */
struct cabin_caps {
	bool lowered;
	bool as_program;		/* acting with cabin_caps_act_as's ids */
	struct __user_cap_header_struct hdr;
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
};

/*
 * Empty cabin's effective set for an act on the program's behalf, so the
 * act has no privilege the program lacks; 0 or -errno, and -EPERM when
 * they cannot be lowered (acting with them would be an escape).  Nests:
 * an inner lower on an empty set does nothing.  With cabin_caps_act_as
 * on, a file act takes the program's ids as cabin's file system ids.
 */
int cabin_caps_lower(struct cabin_caps *s);
/*
 * The same for an act whose credentials a peer sees (connect, listen,
 * send): with cabin_caps_act_as on, the program's ids are cabin's
 * effective ids for it; its real and saved ids stay root's.
 */
int cabin_caps_lower_as_peer(struct cabin_caps *s);
void cabin_caps_restore(struct cabin_caps *s);

/*
 * Root's program runs as uid and gid with no other group (--uid, --gid):
 * from now on a lowered act takes those ids, as file system ids or, for
 * a peer's eyes, effective ids, never as cabin's real or saved ones (a
 * process of that uid could then signal cabin), and cabin drops its
 * supplementary groups (it needs none while it has its capabilities),
 * so the act has no file access the program lacks and a peer sees the
 * program's credentials, never root's.  0 or -errno.
 * cabin_caps_act_as_cabin undoes it, groups and all.
 */
int cabin_caps_act_as(uid_t uid, gid_t gid);
void cabin_caps_act_as_cabin(void);
/* The ids an act is done with: cabin_caps_act_as's, or cabin's own. */
void cabin_caps_acting_ids(uid_t *uid, gid_t *gid);
/* setfsgid and setfsuid, checked: 0, or -EPERM when either did not take. */
int cabin_caps_set_fs_ids(uid_t uid, gid_t gid);


#endif
