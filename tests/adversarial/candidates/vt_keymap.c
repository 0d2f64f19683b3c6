/*
 * Escape attempt (candidate): type into the user's shell after the run,
 * on a Linux virtual console.  The deny list refuses TIOCSTI and
 * TIOCLINUX, but a console's keyboard ioctls are allowed: KDSKBSENT sets
 * the string a function key types, so the next F1 the user presses after
 * cabin has exited runs a command of the program's choice.  The program
 * reads F1's string from its standard input (a virtual console, as when
 * cabin runs on one) and writes the same string back (changing nothing);
 * both succeeding means it could have written any string.
 */
#include <errno.h>
#include <linux/kd.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

int main(void)
{
	struct kbsentry ks = { .kb_func = 0 };	/* F1 */

	if (ioctl(0, KDGKBSENT, &ks) < 0) {
		printf("CONTAINED: KDGKBSENT on stdin: %s\n", strerror(errno));
		return 0;
	}
	if (ioctl(0, KDSKBSENT, &ks) < 0) {
		printf("CONTAINED: KDSKBSENT on stdin: %s\n", strerror(errno));
		return 0;
	}
	printf("ESCAPED: F1's string on the console is the program's to set\n");
	return 0;
}
