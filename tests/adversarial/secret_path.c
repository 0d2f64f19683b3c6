/*
 * Escape attempt: hide what a syscall names from the proxy.  The path of
 * an open (argv[1]) is placed in memfd_secret(2) memory, which the kernel
 * reads for the program but no other process can (not process_vm_readv,
 * not /proc/PID/mem): the open would run with cabin's trace and report
 * showing an address, and no guard could have read the name.
 * Contained: memfd_secret answers ENOSYS (the deny list), or the open
 * answers EFAULT (the proxy fails a call it cannot read).  Escaped: the
 * file was opened through a name cabin never saw.  A kernel without
 * memfd_secret is a SKIP line.
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
	char *secret;
	int sfd, fd;

	sfd = (int)syscall(SYS_memfd_secret, 0);
	if (sfd < 0 && errno == ENOSYS && argc > 2) {
		printf("SKIP: this kernel has no memfd_secret\n");
		return 0;
	}
	if (sfd < 0) {
		printf("CONTAINED memfd_secret: %s\n", strerrorname_np(errno));
		return 0;
	}
	if (ftruncate(sfd, 4096) < 0) {
		printf("SKIP: ftruncate of the secret memory: %s\n",
		       strerrorname_np(errno));
		return 0;
	}
	secret = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, sfd, 0);
	if (secret == MAP_FAILED) {
		printf("SKIP: mmap of the secret memory: %s\n",
		       strerrorname_np(errno));
		return 0;
	}
	snprintf(secret, 4096, "%s", path);
	fd = open(secret, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		printf("CONTAINED open of a path in secret memory: %s\n",
		       strerrorname_np(errno));
		return 0;
	}
	printf("ESCAPED opened %s through a path in memory cabin cannot read\n",
	       path);
	return 0;
}
