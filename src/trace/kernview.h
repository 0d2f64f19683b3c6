/*
 * The kernel's view of a call, for the trace and the report: the object
 * behind the descriptor an open returned, and whether the path the
 * program's memory held names it.  The proxy reads a path at the entry
 * stop, the kernel reads it again once the thread runs; another thread
 * of the program can rewrite it in between.  Only what the kernel
 * opened, or a second look at the exit stop, tells the two apart.
 */
#ifndef CABIN_TRACE_KERNVIEW_H
#define CABIN_TRACE_KERNVIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct cabin_proxy;

#define CABIN_KERNVIEW_PATH_MAX 4096

/* What the kernel opened, seen at the exit stop of the call. */
struct cabin_kernview {
	bool known;		/* path holds the object's name */
	bool deleted;		/* it has no name left (unlinked, O_TMPFILE) */
	bool raced;		/* the program's path does not name it */
	bool same;		/* it does: the object was compared */
	char path[CABIN_KERNVIEW_PATH_MAX];	/* readlink of the descriptor */
};

/* Does a successful nr return a descriptor opened by a path? */
bool cabin_kernview_opens(long nr);

/*
 * The string at addr now, cut at CABIN_KERNVIEW_PATH_MAX bytes (malloc'd;
 * NULL when it cannot be read).
 */
char *cabin_kernview_read(struct cabin_proxy *p, pid_t tid, uint64_t addr);

/*
 * At the exit stop of an open nr(args) that returned fd in tid: what the
 * kernel opened, and whether the path asked (args[path_arg], relative to
 * args[dirfd_arg] or, for -1, the cwd; as read once at entry, NULL when
 * unreadable) still names that object.  The path is read again now: when
 * it changed, or names another object, the call raced.  When that cannot
 * be told (the path names nothing now, crosses a magic link, or the
 * object is in /proc, whose names depend on who looks), same stays false
 * and the kernel's name is the one to record.
 */
void cabin_kernview_opened(struct cabin_proxy *p, pid_t tid, long nr,
			   const uint64_t args[6], long fd, const char *asked,
			   int path_arg, int dirfd_arg, struct cabin_kernview *kv);

#endif
