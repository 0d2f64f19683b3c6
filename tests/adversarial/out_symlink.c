/*
 * Escape attempt: cabin's report goes to DIR/r.json; the program swaps
 * DIR for a symlink to TARGET, a directory of the test's, so that cabin,
 * unconfined, would write the report there when the run is over.  DIR is
 * removed if it is empty, else moved aside to DIR.moved.  Prints
 * ATTEMPTED once the symlink is in place (the test decides whether it
 * escaped: the report must not appear in TARGET), FAILED otherwise.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char moved[4096];
	const char *how = "removed";

	if (argc != 3) {
		fprintf(stderr, "usage: out_symlink DIR TARGET\n");
		return 2;
	}
	if (rmdir(argv[1]) < 0) {
		snprintf(moved, sizeof(moved), "%s.moved", argv[1]);
		if (rename(argv[1], moved) < 0) {
			printf("FAILED out_symlink: cannot move %s: %s\n",
			       argv[1], strerror(errno));
			return 0;
		}
		how = "moved aside";
	}
	if (symlink(argv[2], argv[1]) < 0) {
		printf("FAILED out_symlink: symlink: %s\n", strerror(errno));
		return 0;
	}
	printf("ATTEMPTED out_symlink: %s %s, now a symlink to %s\n", argv[1],
	       how, argv[2]);
	return 0;
}
