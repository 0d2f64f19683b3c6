/*
 * Reads code: "self" its own text, "libc" libc's (getpid), "dlopen" a
 * library's it loads at run time (libseccomp, which cabin needs, so the
 * lab has it), "mapped" a page of a file it mapped PROT_READ | PROT_EXEC
 * and called first.
 * Under --xom each read faults with SEGV_PKUERR (4); without, it works.
 */
#include <dlfcn.h>

#include "xom_common.h"

int main(int argc, char **argv)
{
	static const unsigned char ret[] = { 0xc3 };
	const char *what = argc > 1 ? argv[1] : "self";
	void (*fn)(void);
	void *m;

	if (!strcmp(what, "libc")) {
		read_code(dlsym(RTLD_DEFAULT, "getpid"));
	} else if (!strcmp(what, "dlopen")) {
		m = dlopen("libseccomp.so.2", RTLD_NOW);
		if (!m || !dlsym(m, "seccomp_init")) {
			printf("dlopen: %s\n", dlerror());
			return 1;
		}
		say("dlopen: ok\n");
		read_code(dlsym(m, "seccomp_init"));
	} else if (!strcmp(what, "mapped")) {
		m = map_code_file("/tmp/xom_read.code", ret, sizeof(ret));
		if (!m)
			return 1;
		fn = (void (*)(void))m;
		fn();
		say("call: ok\n");
		read_code(m);
	} else {
		read_code((const volatile unsigned char *)(uintptr_t)main);
	}
	return 0;
}
