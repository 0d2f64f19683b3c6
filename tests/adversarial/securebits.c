/*
 * Root confined must stay root without capabilities, also across exec:
 * cabin sets SECBIT_NOROOT and SECBIT_NO_CAP_AMBIENT_RAISE, both locked.
 * Reads the securebits (PR_GET_SECUREBITS) and tries to clear them.
 * Prints "TRY securebits 0xN" first, then
 *   CONTAINED securebits 0xN locked: EPERM   the four bits set, and the
 *                                            attempt to clear them failed
 *   ESCAPED ...                              a bit missing, or cleared
 */
#include <errno.h>
#include <linux/securebits.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>

#define WANT (SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | \
	      SECBIT_NO_CAP_AMBIENT_RAISE | SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED)

int main(void)
{
	int bits = prctl(PR_GET_SECUREBITS, 0, 0, 0, 0);

	setvbuf(stdout, NULL, _IONBF, 0);
	if (bits < 0) {
		printf("ERROR PR_GET_SECUREBITS: %s\n", strerrorname_np(errno));
		return 1;
	}
	printf("TRY securebits %#x\n", bits);
	if ((bits & WANT) != WANT) {
		printf("ESCAPED securebits %#x: SECBIT_NOROOT and the ambient lock not set\n",
		       bits);
		return 0;
	}
	if (prctl(PR_SET_SECUREBITS, 0, 0, 0, 0) == 0) {
		printf("ESCAPED securebits %#x cleared\n", bits);
		return 0;
	}
	printf("CONTAINED securebits %#x locked: %s\n", bits,
	       strerrorname_np(errno));
	return 0;
}
