/*
 * Code reuse of a trusted WRPKRU: libc's pkey_set(1, 0) opens the
 * kernel's execute-only key (1 in a fresh process), then the program
 * reads its text and makes one syscall cabin routes (mprotect).  Under
 * --xom the read works (the residual risk in docs/security.md: PKRU is
 * checked at stops, not continuously) and the mprotect stop kills it.
 */
#include "xom_common.h"

int main(int argc, char **argv)
{
	const volatile unsigned char *target = pick_target(argc, argv);
	static char data[8192];
	void *page = (void *)(((uintptr_t)data + 4095) & ~(uintptr_t)4095);

	if (pkey_set(1, 0) < 0) {
		printf("pkey_set: %s\n", strerror(errno));
		return 1;
	}
	say("pkey_set: ok\n");
	read_code(target);
	mprotect(page, 4096, PROT_READ | PROT_WRITE);
	say("stop: survived\n");
	return 0;
}
