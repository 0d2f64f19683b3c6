/*
 * Escape attempt: reconfigure the kernel through its files instead of its
 * syscalls.  The deny list refuses reboot, kexec, modules and swap, and
 * the program holds no capability; but /proc/sys, /proc/sysrq-trigger,
 * /sys and cgroupfs check only the file's mode and owner (uid 0 passes):
 * core_pattern runs a program of the writer's choice as host root at the
 * next crash, release_agent the same, sysrq-trigger reboots.  Each file
 * is opened for writing and nothing is written (the host stays as it
 * is): an open that succeeds is the escape.  Files this kernel lacks are
 * skipped; at least one must be tried.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "errname.h"

static const char *const files[] = {
	"/proc/sys/kernel/core_pattern",
	"/proc/sys/kernel/hostname",
	"/proc/sys/vm/drop_caches",
	"/proc/sysrq-trigger",
	"/sys/kernel/mm/transparent_hugepage/enabled",
	"/sys/fs/cgroup/cgroup.procs",
	"/sys/fs/cgroup/unified/cgroup.procs",
	"/sys/fs/cgroup/memory/release_agent",
	"/sys/fs/cgroup/cpu/release_agent",
	"/sys/fs/cgroup/systemd/release_agent",
};

int main(void)
{
	char refused[1024] = "";
	size_t i, tried = 0;
	int fd, escaped = 0;

	for (i = 0; i < sizeof(files) / sizeof(*files); i++) {
		if (access(files[i], F_OK) < 0)
			continue;
		tried++;
		fd = open(files[i], O_WRONLY | O_CLOEXEC);
		if (fd >= 0) {
			printf("# %s is open for writing (nothing written)\n",
			       files[i]);
			escaped = 1;
			close(fd);
			continue;
		}
		printf("# open %s for writing: %s\n", files[i],
		       errname(errno));
		if (!strstr(refused, errname(errno)))
			snprintf(refused + strlen(refused),
				 sizeof(refused) - strlen(refused), " %s",
				 errname(errno));
	}
	if (!tried)
		printf("SKIP: none of the kernel's files exists here\n");
	else if (escaped)
		printf("ESCAPED kernel settings are open for writing\n");
	else
		printf("CONTAINED %zu kernel files refused:%s\n", tried,
		       refused);
	return 0;
}
