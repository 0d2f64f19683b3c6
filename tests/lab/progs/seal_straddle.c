/*
 * Adversarial: WRPKRU split over two files mapped next to each other,
 * each clean on its own: the first page ends with the setup and 0f 01,
 * the second starts with ef and ret.  Runs it, then reads code.  Under
 * --xom the second mapping kills the program; without it, or natively
 * ("native"), the read works.
 */
#include "xom_common.h"

static void map_page_at(void *at, const char *path, const unsigned char *page)
{
	void *m;
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);

	if (fd < 0 || write(fd, page, 4096) != 4096) {
		perror(path);
		exit(1);
	}
	m = mmap(at, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_FIXED, fd,
		 0);
	close(fd);
	if (m == MAP_FAILED) {
		printf("map: %s\n", strerror(errno));
		exit(1);
	}
}

int main(int argc, char **argv)
{
	/* xor ecx,ecx; xor edx,edx; xor eax,eax; 0f 01 | ef; ret */
	static const unsigned char head[] = { 0x31, 0xc9, 0x31, 0xd2, 0x31,
					      0xc0, 0x0f, 0x01 };
	static const unsigned char tail[] = { 0xef, 0xc3 };
	const volatile unsigned char *target = pick_target(argc, argv);
	static unsigned char a[4096], b[4096];
	unsigned char *base;
	void (*fn)(void);

	base = mmap(NULL, 2 * 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		    0);
	if (base == MAP_FAILED)
		return 1;
	memset(a, 0x90, sizeof(a));
	memcpy(a + sizeof(a) - sizeof(head), head, sizeof(head));
	memcpy(b, tail, sizeof(tail));
	map_page_at(base, "/tmp/seal_straddle.a", a);
	map_page_at(base + 4096, "/tmp/seal_straddle.b", b);
	say("map: ok\n");
	fn = (void (*)(void))(base + 4096 - sizeof(head));
	fn();
	say("wrpkru: ran\n");
	read_code(target);
	return 0;
}
