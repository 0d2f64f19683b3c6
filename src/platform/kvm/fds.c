/*
 * The monitor's descriptors share a table with the program's: cabin's own
 * (the VM, the records, its log) live at or above a floor the program's
 * calls can never name, and what cabin opened close-on-exec is closed,
 * as the exec the program believes in would have done.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include "platform/kvm/kvm.h"

#define FLOOR_WANTED	1000
#define FLOOR_ROOM	64	/* cabin's descriptors above the floor */

int cabin_kvm_fd_floor(void)
{
	struct rlimit rl;
	rlim_t floor = FLOOR_WANTED;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return FLOOR_WANTED;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < floor + FLOOR_ROOM)
		floor = rl.rlim_cur > 2 * FLOOR_ROOM ? rl.rlim_cur - FLOOR_ROOM
						     : rl.rlim_cur / 2;
	return (int)floor;
}

int cabin_kvm_move_fd(int fd, int floor)
{
	int moved;

	if (fd < 0 || fd >= floor)
		return fd;
	moved = fcntl(fd, F_DUPFD_CLOEXEC, floor);
	if (moved < 0)
		return -errno;
	close(fd);
	return moved;
}

void cabin_kvm_close_cloexec_below(int floor)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int *fds = NULL, n = 0, i, me;

	if (!d)
		return;
	me = dirfd(d);
	while ((e = readdir(d))) {
		int fd = atoi(e->d_name), fl, *more;

		if (e->d_name[0] == '.' || fd == me || fd >= floor)
			continue;
		fl = fcntl(fd, F_GETFD);
		if (fl < 0 || !(fl & FD_CLOEXEC))
			continue;
		more = realloc(fds, (size_t)(n + 1) * sizeof(*fds));
		if (!more)
			break;
		fds = more;
		fds[n++] = fd;
	}
	closedir(d);
	for (i = 0; i < n; i++)
		close(fds[i]);
	free(fds);
}
