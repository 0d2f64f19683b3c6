/*
 * Escape attempt (candidate): reach another process's memory and files
 * without ptrace or process_vm_writev (both denied).  The target is
 * argv[1], or the program's parent (cabin itself when there is no PID
 * namespace, as under profile trace).  The program opens
 * /proc/<pid>/mem for writing (ptrace access mode ATTACH: no capability
 * is needed when both run as the same user, in the same user namespace,
 * and the target's capabilities are a subset of the program's, e.g. a
 * root service that dropped its capabilities) and writes one byte back
 * unchanged; then it takes a descriptor with pidfd_getfd.  Either
 * success is an escape: that process's memory and files are the
 * program's to change.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <stdlib.h>
#include <unistd.h>

static unsigned long first_writable(pid_t pid)
{
	char path[64], line[512], perms[8];
	unsigned long lo = 0, hi;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) == 3 &&
		    perms[1] == 'w')
			break;
		lo = 0;
	}
	fclose(f);
	return lo;
}

int main(int argc, char **argv)
{
	pid_t cabin = argc > 1 ? atoi(argv[1]) : getppid();
	char path[64], byte;
	unsigned long addr;
	int fd, pidfd, stolen, i;

	snprintf(path, sizeof(path), "/proc/%d/mem", cabin);
	fd = open(path, O_RDWR);
	addr = first_writable(cabin);
	if (fd >= 0 && addr &&
	    pread(fd, &byte, 1, (off_t)addr) == 1 &&
	    pwrite(fd, &byte, 1, (off_t)addr) == 1) {
		printf("ESCAPED: wrote the memory of pid %d (at %#lx)\n",
		       cabin, addr);
		return 0;
	}
	if (fd < 0)
		printf("# open %s: %s\n", path, strerror(errno));
	pidfd = (int)syscall(SYS_pidfd_open, cabin, 0);
	for (i = 0; pidfd >= 0 && i < 64; i++) {
		stolen = (int)syscall(SYS_pidfd_getfd, pidfd, i, 0);
		if (stolen >= 0) {
			printf("ESCAPED: took fd %d of pid %d\n", i, cabin);
			return 0;
		}
	}
	printf("CONTAINED: %s\n", pidfd < 0 ? strerror(errno) :
	       "memory and descriptors out of reach");
	return 0;
}
