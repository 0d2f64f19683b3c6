/*
 * Adversarial: writes WRPKRU (PKRU = 0: every key readable) into a file,
 * maps it executable, runs it, then reads code.  Under --xom the mapping
 * is refused (EPERM) and the read faults; without it, or natively on a
 * page of its own made execute-only ("native"), the read works.
 */
#include "xom_common.h"

int main(int argc, char **argv)
{
	/* xor ecx,ecx; xor edx,edx; xor eax,eax; wrpkru; ret */
	static const unsigned char code[] = {
		0x31, 0xc9, 0x31, 0xd2, 0x31, 0xc0, 0x0f, 0x01, 0xef, 0xc3,
	};
	const volatile unsigned char *target = pick_target(argc, argv);
	void (*fn)(void);
	void *m;

	m = map_code_file("/tmp/seal_wrpkru.code", code, sizeof(code));
	if (m) {
		fn = (void (*)(void))m;
		fn();
		say("wrpkru: ran\n");
	}
	read_code(target);
	return 0;
}
