/*
 * Escape attempt: set cabin's RLIMIT_FSIZE to 0 (argv[1], its pid from
 * the test), so that writing its report kills it with SIGXFSZ.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

int main(int argc, char **argv)
{
	const struct rlimit none = { 0, 0 };
	pid_t cabin;

	if (argc < 2) {
		fprintf(stderr, "usage: %s CABIN-PID\n", argv[0]);
		return 2;
	}
	cabin = (pid_t)atoi(argv[1]);
	if (prlimit(cabin, RLIMIT_FSIZE, &none, NULL) < 0) {
		printf("CONTAINED prlimit(%d, RLIMIT_FSIZE, 0) failed: %s\n",
		       cabin, strerrorname_np(errno));
		return 0;
	}
	printf("ESCAPED prlimit(%d, RLIMIT_FSIZE, 0) succeeded\n", cabin);
	return 0;
}
