/*
 * Escape attempt (candidate): reconfigure the kernel through its files
 * instead of its syscalls.  The deny list refuses reboot, kexec, modules
 * and swap, and the program holds no capability; but writes to
 * /proc/sysrq-trigger, /proc/sys and most of /sys are checked by file
 * mode and owner only (uid 0 passes), not by capability.  The program
 * opens /proc/sysrq-trigger for writing (it writes nothing: a 'b' would
 * reboot the host at once) and writes /proc/sys/kernel/hostname with the
 * value it already has (what sethostname would need CAP_SYS_ADMIN for).
 * Either success is an escape of "reconfiguring the kernel".
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
	char name[256];
	ssize_t n;
	int fd, escaped = 0;

	fd = open("/proc/sysrq-trigger", O_WRONLY);
	if (fd >= 0) {
		printf("# /proc/sysrq-trigger is open for writing (not written)\n");
		escaped = 1;
		close(fd);
	} else {
		printf("# open /proc/sysrq-trigger: %s\n", strerror(errno));
	}
	fd = open("/proc/sys/kernel/hostname", O_RDWR);
	if (fd >= 0 && (n = read(fd, name, sizeof(name))) > 0 &&
	    lseek(fd, 0, SEEK_SET) == 0 && write(fd, name, (size_t)n) == n) {
		printf("# /proc/sys/kernel/hostname rewritten (same value)\n");
		escaped = 1;
	} else {
		printf("# write /proc/sys/kernel/hostname: %s\n", strerror(errno));
	}
	if (escaped)
		printf("ESCAPED: kernel configuration files are writable\n");
	else
		printf("CONTAINED: kernel configuration files are read-only\n");
	return 0;
}
