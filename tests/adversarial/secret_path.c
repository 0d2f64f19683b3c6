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
#include <fcntl.h>

#include "secret_mem.h"

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "/etc/hostname";
	char *secret;
	int fd;

	secret = secret_text(path, argc > 2);
	if (!secret)
		return 0;
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
