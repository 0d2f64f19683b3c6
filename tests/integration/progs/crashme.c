/*
 * Built with -g -O0 by run.sh (issue 19): dies of SIGSEGV three frames
 * below main, for `gdb -batch -ex run -ex bt` inside the sandbox.
 */
#include <stdio.h>

static int depth(int *p, int n)
{
	if (n == 0)
		return *p;
	return depth(p, n - 1) + 1;
}

int main(void)
{
	int *volatile p = NULL;

	printf("about to crash\n");
	fflush(stdout);
	return depth(p, 2);
}
