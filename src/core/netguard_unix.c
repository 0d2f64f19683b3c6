/*
 * AF_UNIX socket files, resolved in the program's view of the file system
 * and checked by the file guard; the proxy then reaches the very inode it
 * checked, whatever the program renames meanwhile.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/fsguard.h"
#include "core/netguard_int.h"
#include "core/pathview.h"

#define NG_UNIX_PATH	(sizeof(((struct sockaddr_un *)0)->sun_path) + 1)

bool cabin_netguard_unix_pathname(const struct cabin_netguard_addr *a)
{
	const struct sockaddr_un *sun = (const void *)&a->ss;

	return a->ss.ss_family == AF_UNIX &&
	       a->len > offsetof(struct sockaddr_un, sun_path) &&
	       sun->sun_path[0] != '\0';
}

/* The path of a unix address, terminated (the kernel's may not be). */
static void unix_path(const struct cabin_netguard_addr *a, char *path)
{
	const struct sockaddr_un *sun = (const void *)&a->ss;
	size_t max = a->len - offsetof(struct sockaddr_un, sun_path);

	if (max > sizeof(sun->sun_path))
		max = sizeof(sun->sun_path);
	memcpy(path, sun->sun_path, max);
	path[max] = '\0';
}

/* A unix address naming cabin's descriptor fd, as the kernel follows it. */
static void proc_fd_addr(int fd, struct cabin_netguard_addr *a)
{
	struct sockaddr_un *sun = (void *)&a->ss;

	memset(a, 0, sizeof(*a));
	sun->sun_family = AF_UNIX;
	snprintf(sun->sun_path, sizeof(sun->sun_path), "/proc/self/fd/%d", fd);
	a->len = offsetof(struct sockaddr_un, sun_path) +
		 strlen(sun->sun_path) + 1;
}

/*
 * The socket file a unix address names, as an O_PATH descriptor, once the
 * file guard (when files are restricted) found it writable.  Connects and
 * sends then go through /proc/self/fd, so the inode reached is the one
 * checked, whatever the program renames meanwhile.
 */
static int open_socket_file(struct cabin_netguard_call *c,
			    enum cabin_netguard_op op,
			    const struct cabin_netguard_addr *a)
{
	char path[NG_UNIX_PATH], what[NG_UNIX_PATH + 32];
	int fd, parent, ok = 1;

	unix_path(a, path);
	fd = cabin_pathview_open(c->task->tid, AT_FDCWD, path, 0, &parent);
	if (fd < 0)
		return fd;
	if (c->g->fs)
		ok = cabin_fsguard_allows(c->g->fs, c->task->tid, fd, parent,
					  CABIN_FSGUARD_WRITE);
	if (parent >= 0)
		close(parent);
	if (ok > 0)
		return fd;
	close(fd);
	if (ok < 0)
		return ok;
	snprintf(what, sizeof(what), "%s unix:%s", cabin_netguard_verb(op),
		 path);
	return cabin_netguard_deny(c, what,
				   "outside the policy's writable files");
}

long cabin_netguard_connect_path(struct cabin_netguard_call *c,
				 const struct cabin_netguard_addr *a)
{
	struct cabin_netguard_addr target;
	int fd = open_socket_file(c, CABIN_NETGUARD_CONNECT, a);
	long ret;

	if (fd < 0)
		return fd;
	proc_fd_addr(fd, &target);
	ret = cabin_netguard_act(c, CABIN_NETGUARD_CONNECT,
				 (struct sockaddr *)&target.ss,
		     target.len);
	close(fd);
	return ret;
}

/* The directory a socket file would be made in, if it may be made. */
static int open_bind_dir(struct cabin_netguard_call *c, const char *path,
			 char *base,
			 size_t len)
{
	char what[NG_UNIX_PATH + 32];
	int dir, ok = 1;

	dir = cabin_pathview_open_parent(c->task->tid, AT_FDCWD, path, base,
					 len);
	if (dir < 0)
		return dir == -EEXIST ? -EADDRINUSE : dir;
	if (c->g->fs)
		ok = cabin_fsguard_allows(c->g->fs, c->task->tid, dir, -1,
					  CABIN_FSGUARD_CREATE);
	if (ok > 0)
		return dir;
	close(dir);
	if (ok < 0)
		return ok;
	snprintf(what, sizeof(what), "bind to unix:%s", path);
	return cabin_netguard_deny(c, what,
				   "outside the directories the policy lets it create in");
}

/* bind by the last component, from cabin's cwd moved into dir. */
static long bind_in(struct cabin_netguard_call *c, int dir, const char *base)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	socklen_t len = offsetof(struct sockaddr_un, sun_path) +
			strlen(base) + 1;
	int mask = cabin_pathview_umask(c->task->tid);
	struct cabin_caps caps;
	mode_t old;
	long ret;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", base);
	ret = cabin_caps_lower(&caps);
	if (ret < 0)
		return ret;
	old = umask(mask < 0 ? 077 : (mode_t)mask);
	ret = fchdir(dir) < 0 ? -errno : 0;
	if (!ret)
		ret = bind(c->sock, (struct sockaddr *)&sun, len) < 0 ?
		      -errno : 0;
	umask(old);
	cabin_caps_restore(&caps);
	return ret;
}

/*
 * Bind to a socket file in the program's view: its directory is resolved
 * once and checked for create.  The kernel then makes the file under the
 * program's own name, in that directory or beneath it
 * (netguard_bindas.c).  Where that cannot be done, it makes it there by
 * the last component, with cabin's cwd moved into that directory for the
 * call (cabin is single-threaded), the program's umask and cabin's uid,
 * the program's: then the address the kernel keeps is that component.
 */
long cabin_netguard_bind_path(struct cabin_netguard_call *c,
			      const struct cabin_netguard_addr *a)
{
	char path[NG_UNIX_PATH], base[NG_UNIX_PATH];
	int (*confine)(int dir) = c->g->make_sock_beneath;
	int dir, here;
	long ret;

	unix_path(a, path);
	dir = open_bind_dir(c, path, base, sizeof(base));
	if (dir < 0)
		return dir;
	/* With file rules, never without the domain that keeps the check. */
	if (!c->g->fs || confine) {
		ret = cabin_netguard_bind_as_program(c, a, dir,
						     c->g->fs ? confine : NULL);
		if (ret) {
			close(dir);
			return ret > 0 ? 0 : ret;
		}
	}
	here = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	ret = here < 0 ? -errno : bind_in(c, dir, base);
	if (here >= 0) {
		/* back with capabilities: cabin's cwd may need them */
		if (fchdir(here) < 0 && !ret)
			ret = -errno;
		close(here);
	}
	close(dir);
	return ret;
}

/* A send to a socket file goes to the inode checked. */
int cabin_netguard_send_to_path(struct cabin_netguard_call *c,
				struct cabin_netguard_addr *name,
				int *fd)
{
	if (!cabin_netguard_unix_pathname(name))
		return 0;
	*fd = open_socket_file(c, CABIN_NETGUARD_SEND, name);
	if (*fd < 0)
		return *fd;
	proc_fd_addr(*fd, name);
	return 0;
}
