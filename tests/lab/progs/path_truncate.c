/*
 * truncate(2) by path, which Landlock controls only from ABI 3 on (busybox
 * truncate opens the file and uses ftruncate instead).
 * Usage: path_truncate PATH LENGTH. Prints "truncate: ok" or
 * "truncate: ERRNO-NAME (message)"; exit 0 on success, 1 on failure.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: path_truncate PATH LENGTH\n");
		return 2;
	}
	if (truncate(argv[1], strtoll(argv[2], NULL, 0)) < 0) {
		int e = errno;

		printf("truncate: %s (%s)\n",
		       e == EACCES ? "EACCES" : e == EPERM ? "EPERM" : "error",
		       strerror(e));
		return 1;
	}
	printf("truncate: ok\n");
	return 0;
}
