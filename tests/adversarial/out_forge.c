/*
 * Escape attempt on cabin's output files, named on the command line:
 *   out_forge trace FILE   writes FORGED-LINE over the start of FILE, the
 *                          trace cabin is writing (created if absent);
 *   out_forge block FILE   makes FILE, where the report goes, a directory,
 *                          so that the report cannot be renamed there.
 * Prints ATTEMPTED once the attack is done (the test decides whether it
 * escaped: a forged trace, a report lost while the run says success),
 * FAILED otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int forge(const char *file)
{
	static const char line[] = "FORGED-LINE\n";
	bool existed = access(file, F_OK) == 0;
	int fd = open(file, O_WRONLY | O_CREAT, 0644);

	if (fd < 0 || pwrite(fd, line, sizeof(line) - 1, 0) < 0) {
		printf("FAILED out_forge trace: %s: %s\n", file, strerror(errno));
		return 0;
	}
	close(fd);
	printf("ATTEMPTED out_forge trace: FORGED-LINE written at the start of %s (%s)\n",
	       file, existed ? "it existed" : "created it");
	return 0;
}

static int block(const char *file)
{
	if (mkdir(file, 0755) < 0) {
		printf("FAILED out_forge block: mkdir %s: %s\n", file,
		       strerror(errno));
		return 0;
	}
	printf("ATTEMPTED out_forge block: %s is now a directory\n", file);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "trace"))
		return forge(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "block"))
		return block(argv[2]);
	fprintf(stderr, "usage: out_forge trace|block FILE\n");
	return 2;
}
