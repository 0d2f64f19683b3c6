/*
 * Adversarial: a mapped file holding XRSTOR, run on an XSAVE image whose
 * PKRU is 0, then a read of code.  Under --xom the mapping is refused
 * (EPERM) and the read faults; without it, or natively ("native"), the
 * read works.
 */
#include "xom_common.h"

int main(int argc, char **argv)
{
	/* mov eax,0x200 (PKRU only); xor edx,edx; xrstor [rdi]; ret */
	static const unsigned char code[] = {
		0xb8, 0x00, 0x02, 0x00, 0x00, 0x31, 0xd2, 0x0f, 0xae, 0x2f,
		0xc3,
	};
	const volatile unsigned char *target = pick_target(argc, argv);
	static unsigned char image[16384] __attribute__((aligned(64)));
	uint64_t bv = 1ull << 9;
	uint32_t pkru = 0;
	void (*fn)(void *);
	void *m;

	memcpy(image + 512, &bv, sizeof(bv));
	memcpy(image + pkru_offset(), &pkru, sizeof(pkru));
	m = map_code_file("/tmp/seal_xrstor.code", code, sizeof(code));
	if (m) {
		fn = (void (*)(void *))m;
		fn(image);
		say("xrstor: ran\n");
	}
	read_code(target);
	return 0;
}
