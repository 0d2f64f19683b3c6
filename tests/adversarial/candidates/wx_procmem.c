/*
 * Escape attempt (candidate): W^X without a writable mapping.  Map a page
 * read+execute only, write code into it through /proc/self/mem (the
 * kernel writes with FOLL_FORCE, past the mapping's protection), and run
 * it.  Under --wx no memory may become executable code the program wrote
 * after it was mapped.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int main(void)
{
	static const unsigned char code[] = {
		0xb8, 0x2a, 0x00, 0x00, 0x00,	/* mov eax, 42 */
		0xc3,				/* ret */
	};
	unsigned char *page;
	int fd, (*fn)(void);

	page = mmap(NULL, 4096, PROT_READ | PROT_EXEC,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED) {
		printf("CONTAINED: mmap r-x: %s\n", strerror(errno));
		return 0;
	}
	fd = open("/proc/self/mem", O_RDWR);
	if (fd < 0) {
		printf("CONTAINED: open /proc/self/mem: %s\n", strerror(errno));
		return 0;
	}
	if (pwrite(fd, code, sizeof(code), (off_t)(unsigned long)page) !=
	    (ssize_t)sizeof(code)) {
		printf("CONTAINED: write through /proc/self/mem: %s\n",
		       strerror(errno));
		return 0;
	}
	fn = (int (*)(void))page;
	if (fn() == 42)
		printf("ESCAPED: ran code written into an r-x page\n");
	else
		printf("CONTAINED: the written code did not run\n");
	return 0;
}
