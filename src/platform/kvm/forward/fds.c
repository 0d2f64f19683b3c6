/*
 * The monitor's descriptors share a table with the program's: cabin's own
 * (the VM, the records, its log) live at or above a floor the program's
 * calls can never name, and what cabin opened close-on-exec is closed,
 * as the exec the program believes in would have done.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "platform/kvm/forward/forward.h"

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

/*
 * By number, not by listing /proc/self/fd: the monitor runs under the
 * program's Landlock rules, which need not let it read /proc, and a
 * listing it cannot read would leave cabin's caller's descriptors (and
 * cabin's own) to the program.
 */
void cabin_kvm_close_cloexec_below(int floor)
{
	int fd, fl;

	for (fd = 0; fd < floor; fd++) {
		fl = fcntl(fd, F_GETFD);
		if (fl >= 0 && (fl & FD_CLOEXEC))
			close(fd);
	}
}
