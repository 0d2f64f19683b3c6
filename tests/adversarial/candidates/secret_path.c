/*
 * Escape attempt (candidate): hide what a syscall names from the trace
 * and the report.  The path of an open (argv[1]) is placed in memory from
 * memfd_secret(2), which the kernel reads for the program but which no
 * other process can read (not process_vm_readv, not /proc/PID/mem).  The
 * program reads the file; the test then looks for the path in cabin's
 * trace and report.  This program prints CONTAINED only when the file
 * could not be opened at all; whether the trace saw the name is for the
 * runner to judge (the line says OPENED and the path).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_memfd_secret
#define SYS_memfd_secret 447
#endif

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "/etc/hostname";
	char *secret, buf[64];
	int sfd, fd;
	ssize_t n;

	sfd = (int)syscall(SYS_memfd_secret, 0);
	if (sfd < 0 || ftruncate(sfd, 4096) < 0) {
		printf("CONTAINED: memfd_secret: %s\n", strerror(errno));
		return 0;
	}
	secret = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, sfd, 0);
	if (secret == MAP_FAILED) {
		printf("CONTAINED: mmap secret: %s\n", strerror(errno));
		return 0;
	}
	snprintf(secret, 4096, "%s", path);
	fd = open(secret, O_RDONLY);
	if (fd < 0) {
		printf("CONTAINED: open: %s\n", strerror(errno));
		return 0;
	}
	n = read(fd, buf, sizeof(buf));
	printf("OPENED %s (%zd bytes read) with the path in secret memory\n",
	       path, n);
	return 0;
}
