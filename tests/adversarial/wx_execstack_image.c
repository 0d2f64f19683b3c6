/*
 * The image wx_execstack starts: linked with -z execstack, so the kernel
 * maps its stack writable and executable at exec.  It copies code (mov
 * eax, 42; ret) to its stack, calls it and exits with what it returned.
 */
#include <string.h>

static const unsigned char code[] = { 0xb8, 0x2a, 0, 0, 0, 0xc3 };

int main(void)
{
	unsigned char buf[16];
	int (*fn)(void) = (int (*)(void))buf;

	memcpy(buf, code, sizeof(code));
	__asm__ volatile("" : : "r"(buf) : "memory");
	return fn();
}
