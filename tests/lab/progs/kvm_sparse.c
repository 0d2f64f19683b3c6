/*
 * Sparse touches: 64 one-byte writes 2 MiB apart in a fresh anonymous
 * mapping.  Prints the resident size of the process that holds the
 * program's memory (on kvm /proc/self/status is the monitor's) before
 * and after, and their difference in KiB: "grew KIB".
 */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#define TOUCHES	64
#define STRIDE	(2ul << 20)

static long rss_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kib = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmRSS:", 6))
			sscanf(line + 6, "%ld", &kib);
	fclose(f);
	return kib;
}

int main(void)
{
	volatile char *m = mmap(NULL, (TOUCHES + 1) * STRIDE,
				PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
				-1, 0);
	long before, after;
	int i;

	if (m == MAP_FAILED) {
		perror("kvm_sparse: mmap");
		return 2;
	}
	before = rss_kib();
	for (i = 0; i < TOUCHES; i++)
		m[(unsigned long)i * STRIDE] = 1;
	after = rss_kib();
	printf("rss before %ld KiB, after %ld KiB\n", before, after);
	printf("grew %ld\n", after - before);
	return before < 0 || after < 0;
}
