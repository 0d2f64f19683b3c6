/*
 * The image wx_exec starts to attack through its program interpreter:
 * linked with --dynamic-linker=./wx_interp_ld.so, a copy of the dynamic
 * loader in the working directory, which the program may write.  It
 * writes code (mov eax, 42; ret) into that file where a function of the
 * loader (__tls_get_addr) is mapped, privately and executable, and calls it:
 * the page cache under the mapping changed, so the new code runs.
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

static const unsigned char code[] = { 0xb8, 0x2a, 0, 0, 0, 0xc3 };

/* The file offset of addr in its mapping, or -1. */
static long file_offset(unsigned long addr)
{
	unsigned long start, end, off;
	char line[512];
	FILE *f = fopen("/proc/self/maps", "re");
	long at = -1;

	while (f && at < 0 && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx %*4s %lx", &start, &end, &off) == 3 &&
		    addr >= start && addr < end)
			at = (long)(addr - start + off);
	}
	if (f)
		fclose(f);
	return at;
}

int main(void)
{
	int (*fn)(void) = (int (*)(void))dlsym(RTLD_DEFAULT, "__tls_get_addr");
	long at = fn ? file_offset((unsigned long)fn) : -1;
	int fd = open("./wx_interp_ld.so", O_WRONLY);

	if (at < 0 || fd < 0 ||
	    pwrite(fd, code, sizeof(code), at) != (ssize_t)sizeof(code))
		return 1;
	return fn();
}
