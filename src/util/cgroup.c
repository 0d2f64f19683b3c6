/*
 * The run's cgroup v2.  It is made under the cgroup cabin runs in, which
 * must offer the controllers and be writable by cabin's user (root, or a
 * delegated subtree such as `systemd-run --user --scope -p Delegate=yes`
 * gives).  cgroup v2 lets a cgroup hand controllers to children only
 * while it holds no process itself; when cabin is the only one in it (the
 * scope above), cabin moves into a leaf beside the run's, as crun does,
 * and back at the end.  The program joins the cgroup by writing its
 * cgroup.procs before it execs, so nothing it runs is ever outside.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/cgroup.h"
#include "util/procfs.h"

static const char *const names[] = { "memory", "pids", "cpu" };

unsigned int cabin_cgroup_needs(const struct cabin_cgroup_limits *l)
{
	return (l->memory_max ? CABIN_CGROUP_MEMORY : 0) |
	       (l->pids_max ? CABIN_CGROUP_PIDS : 0) |
	       (l->cpu_percent ? CABIN_CGROUP_CPU : 0);
}

void cabin_cgroup_names(unsigned int controllers, char *buf, size_t len)
{
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < 3; i++) {
		if ((controllers & (1u << i)) && n < len)
			n += (size_t)snprintf(buf + n, len - n, "%s%s",
					      n ? " " : "", names[i]);
	}
}

/*
 * Every file is opened below a directory descriptor checked to be on
 * cgroup2 (open_cgroup2), never by a path a mount or a name could move.
 */
static ssize_t read_file(int dir, const char *name, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0)
		n = -errno;
	close(fd);
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

static int write_file(int dir, const char *name, const char *text)
{
	int fd, err = 0;

	fd = openat(dir, name, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, text, strlen(text)) < 0)
		err = -errno;
	close(fd);
	return err;
}

/* The controllers a space-separated list names. */
static unsigned int parse_names(const char *list)
{
	unsigned int set = 0;
	char word[32];
	size_t i;
	int used;

	while (sscanf(list, " %31s%n", word, &used) == 1) {
		for (i = 0; i < 3; i++) {
			if (!strcmp(word, names[i]))
				set |= 1u << i;
		}
		list += used;
	}
	return set;
}

/*
 * A path the kernel wrote: absolute, and no "." or ".." component (a
 * cgroup outside cabin's cgroup namespace shows as "/../.."), which
 * would lead a mkdir or a write out of the cgroup2 mount.
 */
static bool plain_path(const char *path)
{
	const char *p = path;

	if (*p != '/')
		return false;
	while (*p) {
		size_t n;

		while (*p == '/')
			p++;
		n = strcspn(p, "/");
		if ((n == 1 && p[0] == '.') || (n == 2 && !strncmp(p, "..", 2)))
			return false;
		p += n;
	}
	return true;
}

/* The "0::/PATH" line of /proc/self/cgroup: cabin's cgroup v2. */
static int own_path(char *buf, size_t len)
{
	char line[PATH_MAX + 64];
	FILE *f = fopen("/proc/self/cgroup", "re");
	int err = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "0::", 3))
			continue;
		line[strcspn(line, "\n")] = '\0';
		err = (size_t)snprintf(buf, len, "%s", line + 3) < len ? 0 :
		      -ENAMETOOLONG;
		break;
	}
	fclose(f);
	return err;
}

/* Is root (a hierarchy path) own, or above it? */
static bool holds(const char *root, const char *own)
{
	size_t rlen = strlen(root);

	return !strcmp(root, "/") || (!strncmp(own, root, rlen) &&
				       (!own[rlen] || own[rlen] == '/'));
}

/*
 * Where cgroup2 is mounted with own below its root, and the hierarchy's
 * path at that root.
 */
static int mount_point(const char *own, char *mnt, char *root, size_t len)
{
	char line[2 * PATH_MAX];
	FILE *f = fopen("/proc/self/mountinfo", "re");
	int err = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char r[PATH_MAX], m[PATH_MAX];
		const char *sep = strstr(line, " - ");

		if (!sep || strncmp(sep, " - cgroup2 ", 11) ||
		    sscanf(line, "%*s %*s %*s %4095s %4095s", r, m) != 2)
			continue;
		cabin_util_mountinfo_unescape(r);
		cabin_util_mountinfo_unescape(m);
		if (err == 0 && !holds(r, own))
			continue;
		snprintf(root, len, "%s", r);
		snprintf(mnt, len, "%s", m);
		err = 0;
		if (holds(r, own))
			break;
	}
	fclose(f);
	return err;
}

/*
 * A directory of cgroup2, opened without following a symbolic link
 * anywhere on the way; -errno, -EXDEV if it is not cgroup2.
 */
static int open_cgroup2(int at, const char *path)
{
	struct open_how how = {
		.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC,
		.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS |
			   RESOLVE_NO_XDEV,
	};
	struct statfs sf;
	int fd;

	/* The mount point itself is the first step: no XDEV check there. */
	if (at == AT_FDCWD)
		how.resolve &= ~(unsigned long long)RESOLVE_NO_XDEV;
	fd = (int)syscall(SYS_openat2, at, path, &how, sizeof(how));
	if (fd < 0)
		return -errno;
	if (fstatfs(fd, &sf) < 0 || sf.f_type != CGROUP2_SUPER_MAGIC) {
		close(fd);
		return -EXDEV;
	}
	return fd;
}

/* Is cabin the only process in dir? */
static bool alone(int dir)
{
	char buf[64];
	ssize_t n = read_file(dir, "cgroup.procs", buf, sizeof(buf));
	char *nl = n > 0 ? strchr(buf, '\n') : NULL;

	return nl && !nl[1] && atoi(buf) == (int)getpid();
}

#define BUSY_WHY "cabin's cgroup %s holds other processes, and cgroup v2 gives controllers only to cgroups without (start cabin in a cgroup of its own: systemd-run --user --scope -p Delegate=yes cabin run ...)"

/* cg->base from cabin's cgroup and the mount holding it, and opened. */
static int find_base(struct cabin_cgroup *cg, char *mnt, char *why,
		     size_t len)
{
	char own[PATH_MAX], root[PATH_MAX];
	const char *rel;
	int fd;

	if (own_path(own, sizeof(own)) < 0 ||
	    mount_point(own, mnt, root, PATH_MAX) < 0) {
		snprintf(why, len, "this machine: no cgroup v2 mounted");
		return -ENODEV;
	}
	if (!plain_path(own) || !plain_path(mnt) || !holds(root, own)) {
		snprintf(why, len, "cabin's cgroup %s is outside the cgroup v2 mounted at %s",
			 own, mnt);
		return -ENODEV;
	}
	rel = strcmp(root, "/") ? own + strlen(root) : own;
	while (*rel == '/')
		rel++;
	if ((size_t)snprintf(cg->base, sizeof(cg->base), "%s%s%s", mnt,
			     *rel && strcmp(mnt, "/") ? "/" : "", rel) >=
	    sizeof(cg->base)) {
		snprintf(why, len, "cabin's cgroup path is too long");
		return -ENAMETOOLONG;
	}
	fd = open_cgroup2(AT_FDCWD, mnt);
	if (fd >= 0 && *rel) {
		int at = fd;

		fd = open_cgroup2(at, rel);
		close(at);
	}
	if (fd < 0) {
		snprintf(why, len, "cabin's cgroup %s: %s", cg->base,
			 fd == -EXDEV ? "not on cgroup2" : strerror(-fd));
		return fd == -EXDEV ? -ENODEV : fd;
	}
	cg->base_fd = fd;
	cg->at_root = !*rel;
	return 0;
}

int cabin_cgroup_probe(struct cabin_cgroup *cg, unsigned int controllers,
		       char *why, size_t len)
{
	char mnt[PATH_MAX], list[256], want[64];
	const char *have;
	unsigned int offered;
	int err;

	memset(cg, 0, sizeof(*cg));
	cg->procs_fd = cg->base_fd = cg->dir_fd = -1;
	err = find_base(cg, mnt, why, len);
	if (err < 0)
		return err;
	if (read_file(cg->base_fd, "cgroup.controllers", list,
		      sizeof(list)) < 0)
		list[0] = '\0';
	offered = parse_names(list);
	if (controllers & ~offered) {
		list[strcspn(list, "\n")] = '\0';
		cabin_cgroup_names(controllers & ~offered, want, sizeof(want));
		have = *list ? list : "none";
		if (strcmp(mnt, "/sys/fs/cgroup"))
			snprintf(why, len, "this machine: cgroup v1; its cgroup v2 at %s offers %s, not %s",
				 mnt, have, want);
		else
			snprintf(why, len, "cabin's cgroup %s offers %s, not %s",
				 cg->base, have, want);
		return -ENODEV;
	}
	if (faccessat(cg->base_fd, ".", W_OK, 0) < 0 ||
	    faccessat(cg->base_fd, "cgroup.subtree_control", W_OK, 0) < 0) {
		snprintf(why, len, "cabin's cgroup %s is not delegated to uid %d (not writable)",
			 cg->base, (int)geteuid());
		return -EACCES;
	}
	/* The root cgroup may hold processes and hand controllers on. */
	if (!cg->at_root &&
	    read_file(cg->base_fd, "cgroup.subtree_control", list,
		      sizeof(list)) >= 0 &&
	    (controllers & ~parse_names(list)) &&
	    read_file(cg->base_fd, "cgroup.procs", list, sizeof(list)) > 0 &&
	    !alone(cg->base_fd)) {
		snprintf(why, len, BUSY_WHY, cg->base);
		return -EBUSY;
	}
	return 0;
}

static int join(int dir)
{
	char pid[32];

	snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	return write_file(dir, "cgroup.procs", pid);
}

/*
 * A cgroup of cabin's own under base: "cabin.PID" + suffix, or with a
 * number after it where that is taken (a cabin of the same pid in
 * another PID namespace, or one killed before it removed its own): never
 * another's removed or entered.  Its name in name, its descriptor.
 */
static int make_unique(int base, const char *suffix, char *name, size_t len)
{
	unsigned int n;
	int fd;

	for (n = 0; n < 100; n++) {
		if (n)
			snprintf(name, len, "cabin.%d%s.%u", (int)getpid(),
				 suffix, n);
		else
			snprintf(name, len, "cabin.%d%s", (int)getpid(),
				 suffix);
		if (mkdirat(base, name, 0755) == 0)
			break;
		if (errno != EEXIST)
			return -errno;
	}
	if (n == 100)
		return -EEXIST;
	fd = open_cgroup2(base, name);
	if (fd < 0)
		unlinkat(base, name, AT_REMOVEDIR);
	return fd;
}

/* Hand the controllers base does not hand on yet to its children. */
static int enable(struct cabin_cgroup *cg, unsigned int need, char *why,
		  size_t len)
{
	char buf[256], ctl[64];
	unsigned int missing;
	size_t i, n = 0;
	int err, fd;

	if (read_file(cg->base_fd, "cgroup.subtree_control", buf,
		      sizeof(buf)) < 0)
		buf[0] = '\0';
	missing = need & ~parse_names(buf);
	if (!missing)
		return 0;
	for (i = 0; i < 3; i++) {
		if (missing & (1u << i))
			n += (size_t)snprintf(ctl + n, sizeof(ctl) - n, "%s+%s",
					      n ? " " : "", names[i]);
	}
	err = write_file(cg->base_fd, "cgroup.subtree_control", ctl);
	if (err == -EBUSY && alone(cg->base_fd)) {
		fd = make_unique(cg->base_fd, ".self", cg->self_name,
				 sizeof(cg->self_name));
		if (fd < 0)
			err = fd;
		else if ((err = join(fd)) == 0) {
			cg->moved_self = true;
			err = write_file(cg->base_fd, "cgroup.subtree_control",
					 ctl);
		}
		if (fd >= 0)
			close(fd);
	}
	if (err == -EBUSY)
		snprintf(why, len, BUSY_WHY, cg->base);
	else if (err < 0)
		snprintf(why, len, "enabling %s in %s/cgroup.subtree_control: %s",
			 ctl, cg->base, strerror(-err));
	else
		cg->enabled = missing;
	return err;
}

static int write_limits(const struct cabin_cgroup *cg,
			const struct cabin_cgroup_limits *l, char *why,
			size_t len)
{
	char v[64];
	const char *file = "";
	int err = 0;

	if (l->memory_max) {
		snprintf(v, sizeof(v), "%llu", (unsigned long long)l->memory_max);
		err = write_file(cg->dir_fd, file = "memory.max", v);
		/* Not dodged by swapping out: none of its memory may go. */
		if (!err) {
			err = write_file(cg->dir_fd, file = "memory.swap.max",
					 "0");
			if (err == -ENOENT)	/* no swap accounting: no swap use */
				err = 0;
		}
		/* Past the limit the whole tree goes, not one process in it. */
		if (!err)
			err = write_file(cg->dir_fd, file = "memory.oom.group",
					 "1");
	}
	if (!err && l->pids_max) {
		snprintf(v, sizeof(v), "%llu", (unsigned long long)l->pids_max);
		err = write_file(cg->dir_fd, file = "pids.max", v);
	}
	if (!err && l->cpu_percent) {
		snprintf(v, sizeof(v), "%llu 100000",
			 (unsigned long long)l->cpu_percent * 1000);
		err = write_file(cg->dir_fd, file = "cpu.max", v);
	}
	if (err)
		snprintf(why, len, "writing %s/%s: %s", cg->path, file,
			 strerror(-err));
	return err;
}

#define LEAF "program"

int cabin_cgroup_create(struct cabin_cgroup *cg,
			const struct cabin_cgroup_limits *l, char *why,
			size_t len)
{
	int err, leaf = -1;

	err = enable(cg, cabin_cgroup_needs(l), why, len);
	if (err < 0)
		goto fail;
	cg->dir_fd = make_unique(cg->base_fd, "", cg->name, sizeof(cg->name));
	if ((size_t)snprintf(cg->path, sizeof(cg->path), "%s/%s", cg->base,
			     cg->name) >= sizeof(cg->path))
		cg->path[sizeof(cg->path) - 1] = '\0';	/* said, not used */
	if (cg->dir_fd < 0) {
		err = cg->dir_fd;
		snprintf(why, len, "making %s: %s", cg->path, strerror(-err));
		goto fail;
	}
	cg->made = true;
	err = write_limits(cg, l, why, len);
	if (err < 0)
		goto fail;
	/*
	 * The program runs in a leaf below the limits, with no controller
	 * of its own (all is charged to the run's cgroup) and none below
	 * it: the root of its cgroup namespace, and of any cgroup2 it could
	 * mount, is the leaf, whose files limit nothing.
	 */
	err = write_file(cg->dir_fd, "cgroup.max.depth", "1");
	if (!err && mkdirat(cg->dir_fd, LEAF, 0755) < 0)
		err = -errno;
	if (!err) {
		cg->leaf = true;
		leaf = open_cgroup2(cg->dir_fd, LEAF);
		err = leaf < 0 ? leaf : 0;
	}
	if (err < 0) {
		snprintf(why, len, "making %s/%s: %s", cg->path, LEAF,
			 strerror(-err));
		goto fail;
	}
	cg->procs_fd = openat(leaf, "cgroup.procs",
			      O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
	close(leaf);
	if (cg->procs_fd >= 0)
		return 0;
	err = -errno;
	snprintf(why, len, "opening %s/%s/cgroup.procs: %s", cg->path, LEAF,
		 strerror(errno));
fail:
	cabin_cgroup_remove(cg);
	return err;
}

int cabin_cgroup_join(int procs_fd)
{
	return write(procs_fd, "0\n", 2) == 2 ? 0 : -errno;
}

/* The value of key in a flat-keyed file such as memory.events. */
static uint64_t event(int dir, const char *file, const char *key)
{
	char buf[1024], *p;
	size_t klen = strlen(key);

	if (read_file(dir, file, buf, sizeof(buf)) < 0)
		return 0;
	for (p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (!strncmp(p, key, klen) && p[klen] == ' ')
			return strtoull(p + klen + 1, NULL, 10);
	}
	return 0;
}

int cabin_cgroup_events(const struct cabin_cgroup *cg,
			struct cabin_cgroup_events *ev)
{
	memset(ev, 0, sizeof(*ev));
	if (!cg->made)
		return -ENOENT;
	ev->oom_kill = event(cg->dir_fd, "memory.events", "oom_kill");
	ev->memory_max = event(cg->dir_fd, "memory.events", "max");
	ev->pids_max = event(cg->dir_fd, "pids.events", "max");
	return 0;
}

/* Is name under base still the directory dir is open on? */
static bool same_dir(int base, const char *name, int dir)
{
	struct stat a, b;

	return fstatat(base, name, &a, AT_SYMLINK_NOFOLLOW) == 0 &&
	       fstat(dir, &b) == 0 && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

/*
 * What the run left in its cgroup (a daemon it started) is killed, and
 * the cgroup (its leaf first) goes once the kernel says it is empty: cgroup.events
 * changes are signalled with POLLPRI, so this waits on the kernel, not
 * on a clock.  Through the run's own descriptor: never another's.
 * -EBUSY if it still holds processes after 5 s.
 */
static int empty_and_remove(int base, const char *name, int dir, bool leaf)
{
	char buf[256];
	struct pollfd pfd = { .events = POLLPRI };
	int tries;

	if (!same_dir(base, name, dir))
		return 0;
	if (leaf)
		unlinkat(dir, LEAF, AT_REMOVEDIR);
	if (unlinkat(base, name, AT_REMOVEDIR) == 0 || errno != EBUSY)
		return 0;
	if (write_file(dir, "cgroup.kill", "1") < 0)
		return -EBUSY;
	pfd.fd = openat(dir, "cgroup.events", O_RDONLY | O_NOFOLLOW |
			O_CLOEXEC);
	if (pfd.fd < 0)
		return -EBUSY;
	for (tries = 0; tries < 50; tries++) {
		ssize_t n = pread(pfd.fd, buf, sizeof(buf) - 1, 0);

		if (n > 0) {
			buf[n] = '\0';
			if (strstr(buf, "populated 0"))
				break;
		}
		poll(&pfd, 1, 100);
	}
	close(pfd.fd);
	if (leaf)
		unlinkat(dir, LEAF, AT_REMOVEDIR);
	if (same_dir(base, name, dir) &&
	    unlinkat(base, name, AT_REMOVEDIR) < 0 && errno == EBUSY)
		return -EBUSY;
	return 0;
}

int cabin_cgroup_remove(struct cabin_cgroup *cg)
{
	char ctl[64];
	size_t i, n = 0;
	int err = 0;

	if (cg->procs_fd >= 0)
		close(cg->procs_fd);
	cg->procs_fd = -1;
	if (cg->made)
		err = empty_and_remove(cg->base_fd, cg->name, cg->dir_fd,
				       cg->leaf);
	cg->made = cg->leaf = false;
	if (cg->dir_fd >= 0)
		close(cg->dir_fd);
	cg->dir_fd = -1;
	if (cg->moved_self) {
		/* base may hold a process again once it hands on none. */
		for (i = 0; i < 3; i++) {
			if (cg->enabled & (1u << i))
				n += (size_t)snprintf(ctl + n, sizeof(ctl) - n,
						      "%s-%s", n ? " " : "",
						      names[i]);
		}
		if (n)
			write_file(cg->base_fd, "cgroup.subtree_control", ctl);
		if (join(cg->base_fd) == 0)
			unlinkat(cg->base_fd, cg->self_name, AT_REMOVEDIR);
	}
	cg->moved_self = false;
	cg->enabled = 0;
	if (cg->base_fd >= 0)
		close(cg->base_fd);
	cg->base_fd = -1;
	return err;
}
