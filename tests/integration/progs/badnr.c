/*
 * Call each syscall number given (decimal, hex, negative) with no
 * arguments and print what came back: numbers that name no syscall
 * answer ENOSYS natively, and must under cabin too.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		long nr = strtol(argv[i], NULL, 0);
		long r;

		errno = 0;
		r = syscall(nr, 0L, 0L, 0L, 0L, 0L, 0L);
		printf("syscall(%s) = %ld %s\n", argv[i], r,
		       r == -1 ? strerrorname_np(errno) : "");
		fflush(stdout);
	}
	return 0;
}
