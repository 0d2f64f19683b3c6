/*
 * Escape attempt: change the metadata of a special file (a device node,
 * a FIFO) that the policy lets the program only read and write, such as
 * the host's own /dev/null: its mode, by path and through a descriptor
 * open for writing, and its times.  The kernel asks only that the caller
 * own the node (root owns /dev), and the file guard used to take a write
 * right for the right to change metadata.  Every change sets what is
 * there already (mode and times read first), so the node stays as it
 * was; success of any call is the escape.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errname.h"

/* 1 when one of the calls changed path's metadata, 0 when all failed. */
static int try_node(const char *path, int *err)
{
	struct timespec ts[2];
	struct stat st;
	int fd, done = 0;

	if (stat(path, &st) < 0) {
		printf("# stat %s: %s\n", path, errname(errno));
		*err = errno;
		return 0;
	}
	ts[0] = st.st_atim;
	ts[1] = st.st_mtim;
	if (chmod(path, st.st_mode & 07777) == 0)
		done = printf("# chmod %s: done\n", path);
	else
		printf("# chmod %s: %s\n", path, errname(*err = errno));
	if (utimensat(AT_FDCWD, path, ts, 0) == 0)
		done = printf("# utimensat %s: done\n", path);
	else
		printf("# utimensat %s: %s\n", path, errname(*err = errno));
	fd = open(path, O_RDWR | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		printf("# open %s for writing: %s\n", path, errname(errno));
	} else {
		if (fchmod(fd, st.st_mode & 07777) == 0)
			done = printf("# fchmod of %s open for writing: done\n",
				      path);
		else
			printf("# fchmod of %s open for writing: %s\n", path,
			       errname(*err = errno));
		close(fd);
	}
	return done > 0;
}

int main(int argc, char **argv)
{
	int i, escaped = 0, err = 0;

	for (i = 1; i < argc; i++)
		escaped |= try_node(argv[i], &err);
	if (argc < 2)
		printf("usage: dev_meta NODE...\n");
	else if (escaped)
		printf("ESCAPED a special file's metadata changed\n");
	else
		printf("CONTAINED special files' metadata refused: %s\n",
		       errname(err));
	return 0;
}
