/*
 * The helpers of src/util: this process's descriptors through
 * /proc/self/fd, whether one is on procfs, and /proc/sys numbers; and
 * signal names, constant strings safe for the VM monitor's threads.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/names.h"
#include "util/procfs.h"
#include "util/sysctl.h"

static void test_fd_path(void **state)
{
	char buf[CABIN_UTIL_FD_PATH_MAX], small[8];

	(void)state;
	assert_int_equal(cabin_util_fd_path(2147483647, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/proc/self/fd/2147483647");
	assert_int_equal(cabin_util_fd_path(3, small, sizeof(small)),
			 -ENAMETOOLONG);
}

static void test_fd_readlink(void **state)
{
	char tmpl[] = "/tmp/cabin-util.XXXXXX", buf[256], cut[6];
	int fd = mkstemp(tmpl);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(cabin_util_fd_readlink(fd, buf, sizeof(buf)),
			 (ssize_t)strlen(tmpl));
	assert_string_equal(buf, tmpl);
	/* Cut to the buffer, still terminated. */
	assert_int_equal(cabin_util_fd_readlink(fd, cut, sizeof(cut)), 5);
	assert_string_equal(cut, "/tmp/");
	unlink(tmpl);
	close(fd);
	assert_int_equal(cabin_util_fd_readlink(fd, buf, sizeof(buf)),
			 -ENOENT);
}

static void test_readlink(void **state)
{
	char buf[8];

	(void)state;
	assert_int_equal(cabin_util_readlink("/proc/self/cwd", buf, 0),
			 -EINVAL);
	assert_int_equal(cabin_util_readlink("/proc/self/no_such_link", buf,
					     sizeof(buf)), -ENOENT);
	assert_int_equal(cabin_util_readlink("/proc/self/root", buf,
					     sizeof(buf)), 1);
	assert_string_equal(buf, "/");
}

static void test_on_procfs(void **state)
{
	int proc = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	int other = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	(void)state;
	assert_true(proc >= 0 && other >= 0);
	assert_true(cabin_util_on_procfs(proc));
	assert_false(cabin_util_on_procfs(other));
	close(proc);
	close(other);
	assert_false(cabin_util_on_procfs(proc));
}

/* mountinfo's escapes: a mount point with a space is the path it names. */
static void test_mountinfo_unescape(void **state)
{
	char a[] = "/mnt/my\\040cg", b[] = "/a\\134b\\011c\\012", c[] = "/x\\9y\\04";

	(void)state;
	cabin_util_mountinfo_unescape(a);
	assert_string_equal(a, "/mnt/my cg");
	cabin_util_mountinfo_unescape(b);
	assert_string_equal(b, "/a\\b\tc\n");
	/* Not an escape: kept as it is. */
	cabin_util_mountinfo_unescape(c);
	assert_string_equal(c, "/x\\9y\\04");
}

static void test_sysctl_int(void **state)
{
	int v = -1;

	(void)state;
	assert_int_equal(cabin_util_sysctl_int("kernel/pid_max", &v), 0);
	assert_true(v > 0);
	assert_int_equal(cabin_util_sysctl_int("kernel/no_such_setting", &v),
			 -ENOENT);
	/* Not a number: the text of ostype. */
	assert_int_equal(cabin_util_sysctl_int("kernel/ostype", &v), -EINVAL);
}

static void test_signal_names_constant(void **state)
{
	const char *a = cabin_signal_name(SIGRTMIN);
	const char *b = cabin_signal_name(SIGRTMIN + 1);

	(void)state;
	assert_string_equal(a, "SIGRT_0");
	assert_string_equal(b, "SIGRT_1");
	/* Both calls' answers stay what they were (no shared buffer). */
	assert_string_equal(a, "SIGRT_0");
	assert_string_equal(cabin_signal_name(SIGSEGV), "SIGSEGV");
	assert_string_equal(cabin_signal_name(0), "SIG???");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fd_path),
		cmocka_unit_test(test_fd_readlink),
		cmocka_unit_test(test_readlink),
		cmocka_unit_test(test_on_procfs),
		cmocka_unit_test(test_mountinfo_unescape),
		cmocka_unit_test(test_sysctl_int),
		cmocka_unit_test(test_signal_names_constant),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
