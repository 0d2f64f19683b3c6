/*
 * Reads its own text through /proc/self/mem, which the kernel serves
 * with FOLL_FORCE, past protection keys and the missing VM_READ of
 * execute-only code.  Prints "procmem: ok, byte 0xNN" or "procmem: ERR".
 * Cabin cannot close this path by itself (docs/security.md): the lab
 * records what happens, under --xom and with a policy that hides /proc.
 */
#include "xom_common.h"

int main(int argc, char **argv)
{
	unsigned char c;
	int fd = open("/proc/self/mem", O_RDONLY);

	(void)argc;
	(void)argv;

	if (fd < 0) {
		printf("procmem: open: %s\n", strerror(errno));
		return 0;
	}
	if (pread(fd, &c, 1, (off_t)(uintptr_t)main) != 1) {
		printf("procmem: read: %s\n", strerror(errno));
		return 0;
	}
	printf("procmem: ok, byte 0x%02x\n", c);
	return 0;
}
