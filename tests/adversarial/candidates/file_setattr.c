/*
 * Escape attempt (candidate): change the attributes of a file the policy
 * lets the program only read (or not even that), by path, with
 * file_setattr(2) (Linux 6.17, number 469: FS_IOC_FSSETXATTR without
 * opening the file).  libseccomp 2.5 has no name for it, so no rule names
 * it, and Landlock has no right for it.  The target is argv[1]; the
 * program sets FS_XFLAG_NODUMP and FS_XFLAG_NOATIME (the owner may set
 * both without a capability) and reads them back with file_getattr.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define NR_file_getattr 468
#define NR_file_setattr 469

struct file_attr {		/* include/uapi/linux/fs.h, 6.17 */
	uint64_t fa_xflags;
	uint32_t fa_extsize;
	uint32_t fa_nextents;
	uint32_t fa_projid;
	uint32_t fa_cowextsize;
};

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "victim";
	struct file_attr fa = { 0 };
	const uint64_t want = FS_XFLAG_NODUMP | FS_XFLAG_NOATIME;

	if (syscall(NR_file_getattr, AT_FDCWD, path, &fa, sizeof(fa), 0) < 0) {
		printf("CONTAINED: file_getattr %s: %s\n", path, strerror(errno));
		return 0;
	}
	fa.fa_xflags |= want;
	if (syscall(NR_file_setattr, AT_FDCWD, path, &fa, sizeof(fa), 0) < 0) {
		printf("CONTAINED: file_setattr %s: %s\n", path, strerror(errno));
		return 0;
	}
	memset(&fa, 0, sizeof(fa));
	if (syscall(NR_file_getattr, AT_FDCWD, path, &fa, sizeof(fa), 0) == 0 &&
	    (fa.fa_xflags & want) == want)
		printf("ESCAPED: nodump and noatime set on %s\n", path);
	else
		printf("CONTAINED: flags unchanged on %s\n", path);
	return 0;
}
