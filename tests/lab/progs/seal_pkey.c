/*
 * Adversarial: regains read access to code through the kernel.
 * "pkey": pkey_mprotect(PROT_READ | PROT_EXEC, key 0) on the code;
 * "mprotect": mprotect(PROT_READ | PROT_EXEC), which drops the
 * execute-only key; "readonly": mprotect(PROT_READ), which does too, on a
 * code page it mapped from a file (its own text must stay executable);
 * "alloc": pkey_alloc a key of its own.  Then a read of code.  Under
 * --xom each call fails and the read faults; without it, or natively
 * (second argument "native"), the read works.
 */
#include <sys/syscall.h>

#include "xom_common.h"

int main(int argc, char **argv)
{
	const char *how = argc > 1 ? argv[1] : "pkey";
	static const unsigned char ret[] = { 0xc3 };
	const volatile unsigned char *target = pick_target(argc - 1, argv + 1);
	void *page;
	long r;

	if (!strcmp(how, "readonly") && argc < 3) {
		target = map_code_file("/tmp/seal_pkey.code", ret, sizeof(ret));
		if (!target)
			return 1;
	}
	page = (void *)((uintptr_t)target & ~(uintptr_t)4095);
	if (!strcmp(how, "alloc"))
		r = syscall(SYS_pkey_alloc, 0, 0);
	else if (!strcmp(how, "mprotect"))
		r = mprotect(page, 4096, PROT_READ | PROT_EXEC);
	else if (!strcmp(how, "readonly"))
		r = mprotect(page, 4096, PROT_READ);
	else
		r = syscall(SYS_pkey_mprotect, page, 4096,
			    PROT_READ | PROT_EXEC, 0);
	printf("%s: %s\n", how, r >= 0 ? "ok" : errno == EPERM ? "EPERM" :
		errno == EACCES ? "EACCES" : strerror(errno));
	fflush(stdout);
	if (!strcmp(how, "alloc") && r >= 0)
		syscall(SYS_pkey_mprotect, page, 4096, PROT_EXEC, r);
	read_code(target);
	return 0;
}
