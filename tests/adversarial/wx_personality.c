/*
 * Escape attempt on W^X (--wx): personality(READ_IMPLIES_EXEC) makes the
 * kernel add PROT_EXEC to every readable mapping, so a PROT_READ |
 * PROT_WRITE mmap, which the filter lets through, comes back writable
 * and executable.  Code (mov eax, 42; ret) is written there and called.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/personality.h>

static const unsigned char code[] = { 0xb8, 0x2a, 0, 0, 0, 0xc3 };

/* Whether the mapping at p is executable, from /proc/self/maps. */
static int executable(void *p)
{
	unsigned long start, end;
	char line[512], perms[8];
	FILE *f = fopen("/proc/self/maps", "re");
	int x = -1;

	if (!f)
		return -1;
	while (x < 0 && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx %7s", &start, &end, perms) == 3 &&
		    (unsigned long)p >= start && (unsigned long)p < end)
			x = perms[2] == 'x';
	}
	fclose(f);
	return x;
}

int main(void)
{
	int old = personality(0xffffffff);
	int (*fn)(void);
	void *p;
	int r;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (old < 0 || personality((unsigned long)old | READ_IMPLIES_EXEC) < 0) {
		printf("CONTAINED personality(READ_IMPLIES_EXEC): %s\n",
		       strerrorname_np(errno));
		return 0;
	}
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		printf("CONTAINED mmap: %s\n", strerrorname_np(errno));
		return 0;
	}
	if (executable(p) != 1) {
		printf("CONTAINED a PROT_READ|PROT_WRITE mapping is not executable\n");
		return 0;
	}
	memcpy(p, code, sizeof(code));
	fn = (int (*)(void))p;
	r = fn();
	printf("%s code written to a PROT_READ|PROT_WRITE mapping ran (%d)\n",
	       r == 42 ? "ESCAPED" : "CONTAINED", r);
	return 0;
}
