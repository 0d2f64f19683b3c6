/*
 * Escape attempt: open cabin's memory for writing through /proc (argv[1],
 * its pid from the test).  The trace profile restricts no files, and a
 * process of the same user may write another's memory this way.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char path[64];
	int fd;

	if (argc < 2) {
		fprintf(stderr, "usage: %s CABIN-PID\n", argv[0]);
		return 2;
	}
	snprintf(path, sizeof(path), "/proc/%d/mem", atoi(argv[1]));
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		printf("CONTAINED open(%s, O_RDWR) failed: %s\n", path,
		       strerrorname_np(errno));
		return 0;
	}
	close(fd);
	printf("ESCAPED open(%s, O_RDWR) succeeded\n", path);
	return 0;
}
