/*
 * Escape attempt: name a memfd with a name the proxy cannot read.  The
 * name handed to memfd_create(2) is placed in memfd_secret(2) memory,
 * which the kernel reads for the program but no other process can (not
 * process_vm_readv, not /proc/PID/mem): the call would run with cabin's
 * trace and report showing an address where the kernel took a name.
 * Run with the deny list off (memfd_secret must work to try this).
 * Contained: memfd_create answers EFAULT (the proxy fails a call it
 * cannot read).  Escaped: the memfd exists, its name one cabin never
 * saw.  A kernel without memfd_secret is a SKIP line (argv[1] "native",
 * or "-" under cabin: memfd_secret's ENOSYS then is the deny list's).
 */
#include <fcntl.h>
#include <sys/mman.h>

#include "secret_mem.h"

#define NAME "cabin-unseen-name"

int main(int argc, char **argv)
{
	char link[64], target[256];
	char *secret;
	ssize_t n;
	int fd;

	(void)argv;
	secret = secret_text(NAME, argc > 1);
	if (!secret)
		return 0;
	fd = memfd_create(secret, MFD_CLOEXEC);
	if (fd < 0) {
		printf("CONTAINED memfd_create with a name in secret memory: %s\n",
		       strerrorname_np(errno));
		return 0;
	}
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, target, sizeof(target) - 1);
	target[n < 0 ? 0 : n] = '\0';
	printf("ESCAPED memfd %s created through a name in memory cabin cannot read\n",
	       target);
	return 0;
}
