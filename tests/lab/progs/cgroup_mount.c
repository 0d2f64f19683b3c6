/*
 * From inside a run with whole-tree limits: a user namespace, a mount
 * namespace and a cgroup namespace of its own, and a fresh cgroup2 mount
 * there (its root is the root of the cgroup namespace: the cgroup it is
 * in).  Then the writes that would undo the limits there: memory.max,
 * pids.max, and cgroup.subtree_control (to get controllers below).
 * Prints what happened to each, one line.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

static void put(const char *path, const char *text)
{
	char buf[64];
	int fd;

	snprintf(buf, sizeof(buf), "/proc/self/%s", path);
	fd = open(buf, O_WRONLY);
	if (fd >= 0) {
		if (write(fd, text, strlen(text)) < 0)
			perror(path);
		close(fd);
	}
}

static void try_write(const char *dir, const char *file, const char *text)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_WRONLY);
	if (fd < 0) {
		printf("%s open %s\n", file, strerror(errno));
		return;
	}
	if (write(fd, text, strlen(text)) < 0)
		printf("%s write %s\n", file, strerror(errno));
	else
		printf("%s written\n", file);
	close(fd);
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "/tmp/cgm";
	char map[64];
	uid_t uid = getuid();
	gid_t gid = getgid();

	if (unshare(CLONE_NEWUSER) < 0) {
		printf("userns %s\n", strerror(errno));
		return 0;
	}
	put("setgroups", "deny");
	snprintf(map, sizeof(map), "0 %u 1", (unsigned int)uid);
	put("uid_map", map);
	snprintf(map, sizeof(map), "0 %u 1", (unsigned int)gid);
	put("gid_map", map);
	if (unshare(CLONE_NEWNS | CLONE_NEWCGROUP) < 0) {
		printf("mountns %s\n", strerror(errno));
		return 0;
	}
	mkdir(dir, 0700);
	if (mount("none", dir, "cgroup2", 0, NULL) < 0) {
		printf("mount %s\n", strerror(errno));
		return 0;
	}
	printf("mounted\n");
	try_write(dir, "memory.max", "max");
	try_write(dir, "pids.max", "max");
	try_write(dir, "cgroup.subtree_control", "+memory");
	return 0;
}
