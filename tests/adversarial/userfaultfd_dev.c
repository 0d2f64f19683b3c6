/*
 * Escape attempt: the deny list refuses userfaultfd(2) ("large kernel
 * attack surface"), but the same object comes from the device
 * /dev/userfaultfd (ioctl USERFAULTFD_IOC_NEW), which only file rules or
 * the device's mode (root, 0600) keep from the program.  Two protections
 * stand in the way: the device masked in the program's mount namespace
 * (kfiles) and the ioctl request refused in BPF (deny list).  Success is
 * a working userfaultfd descriptor (UFFDIO_API answered).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "errname.h"

#ifndef USERFAULTFD_IOC_NEW
#define USERFAULTFD_IOC_NEW _IO(0xAA, 0x00)
#endif

int main(void)
{
	struct uffdio_api api = { .api = UFFD_API };
	int dev, uffd;
	long direct = syscall(SYS_userfaultfd, O_CLOEXEC);

	printf("# userfaultfd(2): %s\n", direct >= 0 ? "allowed" :
	       errname(errno));
	dev = open("/dev/userfaultfd", O_RDWR | O_CLOEXEC);
	if (dev < 0) {
		printf("CONTAINED open /dev/userfaultfd: %s\n",
		       errname(errno));
		return 0;
	}
	uffd = ioctl(dev, USERFAULTFD_IOC_NEW, O_CLOEXEC);
	if (uffd < 0) {
		printf("CONTAINED USERFAULTFD_IOC_NEW: %s\n", errname(errno));
		return 0;
	}
	if (ioctl(uffd, UFFDIO_API, &api) < 0) {
		printf("CONTAINED UFFDIO_API: %s\n", errname(errno));
		return 0;
	}
	printf("ESCAPED userfaultfd from /dev/userfaultfd (features %#llx)\n",
	       (unsigned long long)api.features);
	return 0;
}
