/*
 * Escape attempt (candidate): a user namespace of the program's own.  The
 * deny list refuses mount(2), umount2 and pivot_root, but not unshare,
 * nor the new mount API (fsopen, fsconfig, fsmount, move_mount,
 * open_tree, mount_setattr).  In a user namespace it creates, the program
 * holds every capability; it then tries to change the file-system tree
 * it sees: a tmpfs moved onto its working directory, and a detached copy
 * of / (open_tree OPEN_TREE_CLONE) that would show what cabin's private
 * /tmp and read-only binds cover.  Success at either is an escape of the
 * "mount" denial (Landlock forbids topology changes to its domain).
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef FSCONFIG_CMD_CREATE
#define FSCONFIG_CMD_CREATE 6
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#endif
#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif

static void write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);

	if (fd >= 0) {
		if (write(fd, text, strlen(text)) < 0)
			printf("# %s: %s\n", path, strerror(errno));
		close(fd);
	}
}

int main(void)
{
	char map[64];
	uid_t uid = getuid();
	gid_t gid = getgid();
	int fs, mnt, tree, moved;

	if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0) {
		printf("CONTAINED: unshare(user|mount): %s\n", strerror(errno));
		return 0;
	}
	snprintf(map, sizeof(map), "0 %u 1", uid);
	write_file("/proc/self/uid_map", map);
	write_file("/proc/self/setgroups", "deny");
	snprintf(map, sizeof(map), "0 %u 1", gid);
	write_file("/proc/self/gid_map", map);
	printf("# in an own user namespace, uid %d\n", (int)getuid());
	tree = (int)syscall(SYS_open_tree, AT_FDCWD, "/", OPEN_TREE_CLONE);
	printf("# open_tree(/, CLONE): %s\n", tree >= 0 ? "ok" : strerror(errno));
	fs = (int)syscall(SYS_fsopen, "tmpfs", 0);
	if (fs < 0) {
		printf("CONTAINED: fsopen(tmpfs): %s\n", strerror(errno));
		return 0;
	}
	if (syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
		printf("CONTAINED: fsconfig(create): %s\n", strerror(errno));
		return 0;
	}
	mnt = (int)syscall(SYS_fsmount, fs, 0, 0);
	if (mnt < 0) {
		printf("CONTAINED: fsmount: %s\n", strerror(errno));
		return 0;
	}
	moved = (int)syscall(SYS_move_mount, mnt, "", AT_FDCWD, ".",
			     MOVE_MOUNT_F_EMPTY_PATH);
	if (moved < 0) {
		printf("CONTAINED: move_mount onto the working directory: %s\n",
		       strerror(errno));
		return 0;
	}
	printf("ESCAPED: a tmpfs mounted over the working directory\n");
	return 0;
}
