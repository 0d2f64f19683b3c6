/*
 * tests/integration, --gdb (red-team review 2, finding B): a private page
 * at 0x700000000000 where gdb puts a breakpoint, then a shared file
 * mapped over it (MAP_FIXED) before gdb takes the breakpoint out.
 * remap FILE: stops with SIGUSR1 before, SIGUSR2 after the remap.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	void *a = (void *)0x700000000000;
	int fd;

	if (argc < 2)
		return 2;
	if (mmap(a, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0) != a)
		return 3;
	raise(SIGUSR1);
	fd = open(argv[1], O_RDWR);
	if (fd < 0 || mmap(a, 4096, PROT_READ | PROT_WRITE,
			   MAP_SHARED | MAP_FIXED, fd, 0) != a)
		return 4;
	puts("remapped");
	fflush(stdout);
	raise(SIGUSR2);
	return 0;
}
