/*
 * The host side of a kvm run that needs no KVM: the descriptor floor
 * that keeps cabin's descriptors out of the program's reach, and
 * cabin's supervision of the monitor's process (records copied from its
 * sockets, status, time limit).
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "platform/kvm/host/supervise.h"
#include "platform/kvm/linux/entry.h"

static void test_floor_and_moves(void **state)
{
	int floor = cabin_kvm_fd_floor(), fd, moved, keep, drop;
	struct rlimit rl;

	(void)state;
	assert_true(floor > 64);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
	assert_true(rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > (rlim_t)floor);
	fd = open("/dev/null", O_RDONLY);
	assert_true(fd >= 0 && fd < floor);
	moved = cabin_kvm_move_fd(fd, floor);
	assert_true(moved >= floor);
	assert_int_equal(fcntl(fd, F_GETFD), -1);
	assert_true(fcntl(moved, F_GETFD) & FD_CLOEXEC);
	/* Already above: left alone. */
	assert_int_equal(cabin_kvm_move_fd(moved, floor), moved);

	keep = open("/dev/null", O_RDONLY);
	drop = open("/dev/null", O_RDONLY | O_CLOEXEC);
	assert_true(keep >= 0 && drop >= 0);
	cabin_kvm_close_cloexec_below(floor);
	assert_true(fcntl(keep, F_GETFD) >= 0);
	assert_int_equal(fcntl(drop, F_GETFD), -1);
	assert_true(fcntl(moved, F_GETFD) >= 0);
	close(keep);
	close(moved);
}

static void test_supervise_copies_records_and_status(void **state)
{
	int sv[2], out[2];
	struct cabin_kvm_pump pump;
	char buf[64] = "";
	bool timed_out = true;
	pid_t pid;
	int status;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(pipe(out), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(sv[0]);
		if (write(sv[1], "record\n", 7) != 7)
			_exit(1);
		_exit(3);
	}
	close(sv[1]);
	pump = (struct cabin_kvm_pump){ sv[0], out[1] };
	status = cabin_kvm_supervise(pid, 0, &pump, 1, &timed_out);
	assert_false(timed_out);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 3);
	close(out[1]);
	assert_int_equal(read(out[0], buf, sizeof(buf) - 1), 7);
	assert_string_equal(buf, "record\n");
	close(out[0]);
	close(sv[0]);
}

/* The monitor is asked first; one that does not end is killed. */
static void test_supervise_time_limit(void **state)
{
	bool timed_out = false;
	pid_t pid;
	int status, deaf;

	(void)state;
	for (deaf = 0; deaf < 2; deaf++) {
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			if (deaf)
				signal(CABIN_KVM_SIG_TIMEOUT, SIG_IGN);
			for (;;)
				pause();
		}
		status = cabin_kvm_supervise(pid, 1, NULL, 0, &timed_out);
		assert_true(timed_out);
		assert_true(WIFSIGNALED(status));
		assert_int_equal(WTERMSIG(status),
				 deaf ? SIGKILL : CABIN_KVM_SIG_TIMEOUT);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_floor_and_moves),
		cmocka_unit_test(test_supervise_copies_records_and_status),
		cmocka_unit_test(test_supervise_time_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
