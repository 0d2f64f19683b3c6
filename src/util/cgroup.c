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
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/cgroup.h"

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

static ssize_t read_file(const char *dir, const char *name, char *buf,
			 size_t len)
{
	char path[PATH_MAX + 32];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
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

static int write_file(const char *dir, const char *name, const char *text)
{
	char path[PATH_MAX + 32];
	int fd, err = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
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

/* Where cgroup2 is mounted, and the hierarchy's path at its root. */
static int mount_point(char *mnt, char *root, size_t len)
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
		snprintf(root, len, "%s", r);
		snprintf(mnt, len, "%s", m);
		err = 0;
		break;
	}
	fclose(f);
	return err;
}

/* Is cabin the only process in base? */
static bool alone(const char *base)
{
	char buf[64];
	ssize_t n = read_file(base, "cgroup.procs", buf, sizeof(buf));
	char *nl = n > 0 ? strchr(buf, '\n') : NULL;

	return nl && !nl[1] && atoi(buf) == (int)getpid();
}

#define BUSY_WHY "cabin's cgroup %s holds other processes, and cgroup v2 gives controllers only to cgroups without (start cabin in a cgroup of its own: systemd-run --user --scope -p Delegate=yes cabin run ...)"

int cabin_cgroup_probe(struct cabin_cgroup *cg, unsigned int controllers,
		       char *why, size_t len)
{
	char own[PATH_MAX], mnt[PATH_MAX], root[PATH_MAX], list[256];
	char want[64], have[64];
	const char *rel;
	unsigned int offered;
	size_t rlen;

	memset(cg, 0, sizeof(*cg));
	cg->procs_fd = -1;
	if (own_path(own, sizeof(own)) < 0 ||
	    mount_point(mnt, root, sizeof(mnt)) < 0) {
		snprintf(why, len, "this machine: no cgroup v2 mounted");
		return -ENODEV;
	}
	rlen = strlen(root);
	rel = own;
	if (strcmp(root, "/")) {
		if (strncmp(own, root, rlen) || (own[rlen] && own[rlen] != '/')) {
			snprintf(why, len, "cabin's cgroup %s is outside the cgroup v2 mounted at %s",
				 own, mnt);
			return -ENODEV;
		}
		rel = own + rlen;
	}
	if ((size_t)snprintf(cg->base, sizeof(cg->base), "%s%s%s", mnt,
			     *rel == '/' ? "" : "/", rel) >= sizeof(cg->base)) {
		snprintf(why, len, "cabin's cgroup path is too long");
		return -ENAMETOOLONG;
	}
	if (strlen(cg->base) > 1 && cg->base[strlen(cg->base) - 1] == '/')
		cg->base[strlen(cg->base) - 1] = '\0';
	if (read_file(cg->base, "cgroup.controllers", list, sizeof(list)) < 0)
		list[0] = '\0';
	offered = parse_names(list);
	if (controllers & ~offered) {
		list[strcspn(list, "\n")] = '\0';
		cabin_cgroup_names(controllers & ~offered, want, sizeof(want));
		snprintf(have, sizeof(have), "%s", *list ? list : "none");
		if (strcmp(mnt, "/sys/fs/cgroup"))
			snprintf(why, len, "this machine: cgroup v1; its cgroup v2 at %s offers %s, not %s",
				 mnt, have, want);
		else
			snprintf(why, len, "cabin's cgroup %s offers %s, not %s",
				 cg->base, have, want);
		return -ENODEV;
	}
	snprintf(list, sizeof(list), "%s/cgroup.subtree_control", cg->base);
	if (access(cg->base, W_OK) < 0 || access(list, W_OK) < 0) {
		snprintf(why, len, "cabin's cgroup %s is not delegated to uid %d (not writable)",
			 cg->base, (int)geteuid());
		return -EACCES;
	}
	/* The root cgroup may hold processes and hand controllers on. */
	if (strcmp(cg->base, mnt) &&
	    read_file(cg->base, "cgroup.subtree_control", list,
		      sizeof(list)) >= 0 &&
	    (controllers & ~parse_names(list)) &&
	    read_file(cg->base, "cgroup.procs", list, sizeof(list)) > 0 &&
	    !alone(cg->base)) {
		snprintf(why, len, BUSY_WHY, cg->base);
		return -EBUSY;
	}
	return 0;
}

static int join_path(const char *dir)
{
	char pid[32];

	snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	return write_file(dir, "cgroup.procs", pid);
}

/* Hand the controllers base does not hand on yet to its children. */
static int enable(struct cabin_cgroup *cg, unsigned int need, char *why,
		  size_t len)
{
	char buf[256], ctl[64], self[PATH_MAX + 32];
	unsigned int missing;
	size_t i, n = 0;
	int err;

	if (read_file(cg->base, "cgroup.subtree_control", buf, sizeof(buf)) < 0)
		buf[0] = '\0';
	missing = need & ~parse_names(buf);
	if (!missing)
		return 0;
	for (i = 0; i < 3; i++) {
		if (missing & (1u << i))
			n += (size_t)snprintf(ctl + n, sizeof(ctl) - n, "%s+%s",
					      n ? " " : "", names[i]);
	}
	err = write_file(cg->base, "cgroup.subtree_control", ctl);
	if (err == -EBUSY && alone(cg->base)) {
		snprintf(self, sizeof(self), "%s/cabin.%d.self", cg->base,
			 (int)getpid());
		if (mkdir(self, 0755) < 0 && errno != EEXIST)
			err = -errno;
		else if ((err = join_path(self)) == 0) {
			cg->moved_self = true;
			err = write_file(cg->base, "cgroup.subtree_control",
					 ctl);
		}
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
		err = write_file(cg->path, file = "memory.max", v);
		/* Not dodged by swapping out: none of its memory may go. */
		if (!err) {
			err = write_file(cg->path, file = "memory.swap.max", "0");
			if (err == -ENOENT)	/* no swap accounting: no swap use */
				err = 0;
		}
		/* Past the limit the whole tree goes, not one process in it. */
		if (!err)
			err = write_file(cg->path, file = "memory.oom.group",
					 "1");
	}
	if (!err && l->pids_max) {
		snprintf(v, sizeof(v), "%llu", (unsigned long long)l->pids_max);
		err = write_file(cg->path, file = "pids.max", v);
	}
	if (!err && l->cpu_percent) {
		snprintf(v, sizeof(v), "%llu 100000",
			 (unsigned long long)l->cpu_percent * 1000);
		err = write_file(cg->path, file = "cpu.max", v);
	}
	if (err)
		snprintf(why, len, "writing %s/%s: %s", cg->path, file,
			 strerror(-err));
	return err;
}

int cabin_cgroup_create(struct cabin_cgroup *cg,
			const struct cabin_cgroup_limits *l, char *why,
			size_t len)
{
	char procs[PATH_MAX + 32];
	int err;

	err = enable(cg, cabin_cgroup_needs(l), why, len);
	if (err < 0)
		goto fail;
	if ((size_t)snprintf(cg->path, sizeof(cg->path), "%s/cabin.%d",
			     cg->base, (int)getpid()) >= sizeof(cg->path)) {
		err = -ENAMETOOLONG;
		snprintf(why, len, "cabin's cgroup path is too long");
		goto fail;
	}
	/* One a killed cabin of the same pid left: empty, so it goes. */
	if (mkdir(cg->path, 0755) < 0 && (errno != EEXIST ||
	    rmdir(cg->path) < 0 || mkdir(cg->path, 0755) < 0)) {
		err = -errno;
		snprintf(why, len, "making %s: %s", cg->path, strerror(errno));
		goto fail;
	}
	cg->made = true;
	err = write_limits(cg, l, why, len);
	if (err < 0)
		goto fail;
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", cg->path);
	cg->procs_fd = open(procs, O_WRONLY | O_CLOEXEC);
	if (cg->procs_fd >= 0)
		return 0;
	err = -errno;
	snprintf(why, len, "opening %s: %s", procs, strerror(errno));
fail:
	cabin_cgroup_remove(cg);
	return err;
}

int cabin_cgroup_join(int procs_fd)
{
	return write(procs_fd, "0\n", 2) == 2 ? 0 : -errno;
}

/* The value of key in a flat-keyed file such as memory.events. */
static uint64_t event(const char *dir, const char *file, const char *key)
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
	ev->oom_kill = event(cg->path, "memory.events", "oom_kill");
	ev->memory_max = event(cg->path, "memory.events", "max");
	ev->pids_max = event(cg->path, "pids.events", "max");
	return 0;
}

/*
 * What the run left in its cgroup (a daemon it started) is killed, and
 * the cgroup goes once the kernel says it is empty: cgroup.events
 * changes are signalled with POLLPRI, so this waits on the kernel, not
 * on a clock.
 */
static void empty_and_remove(const char *path)
{
	char events[PATH_MAX + 32], buf[256];
	struct pollfd pfd = { .events = POLLPRI };
	int tries;

	if (rmdir(path) == 0 || errno != EBUSY)
		return;
	if (write_file(path, "cgroup.kill", "1") < 0)
		return;
	snprintf(events, sizeof(events), "%s/cgroup.events", path);
	pfd.fd = open(events, O_RDONLY | O_CLOEXEC);
	if (pfd.fd < 0)
		return;
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
	rmdir(path);
}

void cabin_cgroup_remove(struct cabin_cgroup *cg)
{
	char self[PATH_MAX + 32], ctl[64];
	size_t i, n = 0;

	if (cg->procs_fd >= 0)
		close(cg->procs_fd);
	cg->procs_fd = -1;
	if (cg->made)
		empty_and_remove(cg->path);
	cg->made = false;
	if (!cg->moved_self)
		return;
	/* base may hold a process again once it hands on no controller. */
	for (i = 0; i < 3; i++) {
		if (cg->enabled & (1u << i))
			n += (size_t)snprintf(ctl + n, sizeof(ctl) - n, "%s-%s",
					      n ? " " : "", names[i]);
	}
	if (n)
		write_file(cg->base, "cgroup.subtree_control", ctl);
	if (join_path(cg->base) == 0) {
		snprintf(self, sizeof(self), "%s/cabin.%d.self", cg->base,
			 (int)getpid());
		rmdir(self);
	}
	cg->moved_self = false;
	cg->enabled = 0;
}
