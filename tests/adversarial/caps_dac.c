/*
 * Escape attempt: read a file whose mode grants nobody anything (0000),
 * owned by the user who started cabin.  Only CAP_DAC_OVERRIDE (or
 * CAP_DAC_READ_SEARCH) gets past its mode bits: root's capabilities, or
 * those of the user namespace cabin runs an unprivileged caller in.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char buf[64];
	ssize_t n;
	int fd;

	if (argc != 2)
		return 2;
	printf("TRY open(%s, O_RDONLY)\n", argv[1]);
	fflush(stdout);
	fd = open(argv[1], O_RDONLY);
	if (fd < 0) {
		printf("CONTAINED open of a mode 0000 file failed: %s\n",
		       strerrorname_np(errno));
		return 0;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0) {
		printf("CONTAINED read of a mode 0000 file failed: %s\n",
		       strerrorname_np(errno));
		return 0;
	}
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	printf("ESCAPED read a mode 0000 file: %s\n", buf);
	return 0;
}
