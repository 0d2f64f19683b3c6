/*
 * W^X: asks for an RWX mapping, flips an RW page to RX (and back to RW),
 * and makes its own text writable; prints "NAME: ok" or "NAME: ERRNO"
 * for each.  Under --wx and --xom all are refused with EACCES.
 */
#include "xom_common.h"

static void result(const char *name, int failed)
{
	printf("%s: %s\n", name, !failed ? "ok" : errno == EACCES ? "EACCES" :
	       strerror(errno));
}

int main(int argc, char **argv)
{
	void *text = (void *)((uintptr_t)main & ~(uintptr_t)4095);
	void *m;

	(void)argc;
	(void)argv;

	m = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	result("rwx", m == MAP_FAILED);
	m = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	result("rw-rx", mprotect(m, 4096, PROT_READ | PROT_EXEC) < 0);
	m = mmap(NULL, 4096, PROT_READ | PROT_EXEC,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	result("rx-rw", m == MAP_FAILED ||
	       mprotect(m, 4096, PROT_READ | PROT_WRITE) < 0);
	result("text-w", mprotect(text, 4096, PROT_READ | PROT_WRITE |
				  PROT_EXEC) < 0);
	return 0;
}
