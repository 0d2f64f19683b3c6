/*
 * The syscall table (src/syscall/x86_64.def) against the code that acts
 * on it: every forwarded row, and no other, is followed by its own
 * marshalling line, its kvm column names exactly the calls the
 * forwarder's table marshals and the monitor answers, and the operands
 * the report reads are where each call keeps them, and so are the
 * strings and socket addresses the proxy reads before a call runs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/syscall.h>

#include <cmocka.h>

#include "platform/kvm/forward/forward_impl.h"
#include "platform/kvm/linux/entry.h"
#include "syscall/table.h"

static bool forwarded(enum cabin_syscall_kvm who)
{
	return who == CABIN_SYSCALL_KVM_FORWARDED ||
	       who == CABIN_SYSCALL_KVM_GUEST_FORWARDED;
}

/* The .def's lines in order: a row, or the marshalling line after one. */
struct def_line {
	long nr;
	int kvm;
	bool marshals;
};

#define ROW_LINE(name, kvm_) \
	{ .nr = __NR_##name, .kvm = CABIN_SYSCALL_KVM_##kvm_ },
#define SC(name, kvm, ...) ROW_LINE(name, kvm)
#define SC0(name, kvm, ...) ROW_LINE(name, kvm)
#define SC_NODEC(name, kvm, ...) ROW_LINE(name, kvm)
#define SC_RAW(name, kvm) ROW_LINE(name, kvm)
#define FWD(name, ...) { .nr = __NR_##name, .marshals = true },
#define FWD_RUN(name, ...) FWD(name)

static const struct def_line def_lines[] = {
#include "syscall/x86_64.def"
};

static void test_forwarded_rows_are_marshalled(void **state)
{
	size_t i, n = sizeof(def_lines) / sizeof(def_lines[0]);
	size_t marshalled = 0;

	(void)state;
	for (i = 0; i < n; i++) {
		const struct def_line *l = &def_lines[i];
		const struct def_line *next = i + 1 < n ? &def_lines[i + 1] :
							  NULL;

		if (l->marshals) {
			marshalled++;
			if (i == 0 || def_lines[i - 1].marshals ||
			    def_lines[i - 1].nr != l->nr)
				fail_msg("syscall %ld: marshalled off its row",
					 l->nr);
			continue;
		}
		if (forwarded(l->kvm) != (next && next->marshals))
			fail_msg("syscall %ld: column and marshalling differ",
				 l->nr);
	}
	assert_true(marshalled > 100);
}

static void test_kvm_column_is_the_forward_table(void **state)
{
	long nr;

	(void)state;
	for (nr = 0; nr < 1024; nr++) {
		bool in_table = nr <= cabin_kvm_fwd_max_nr() &&
				cabin_kvm_fwd_entry(nr) != NULL;

		if (forwarded(cabin_syscall_kvm(nr)) != in_table)
			fail_msg("syscall %ld: column and forward table differ",
				 nr);
	}
}

static void test_kvm_column_is_one_answer(void **state)
{
	long nr;

	(void)state;
	for (nr = 0; nr < 1024; nr++) {
		if (cabin_kvm_sys_handles(nr) && cabin_kvm_fwd_handles(nr))
			fail_msg("syscall %ld: monitor and forwarder", nr);
	}
	assert_true(cabin_kvm_sys_handles(SYS_mmap));
	assert_true(cabin_kvm_sys_handles(SYS_clone));
	assert_false(cabin_kvm_sys_handles(SYS_read));
	assert_false(cabin_kvm_sys_handles(SYS_execve));
	assert_int_equal(cabin_syscall_kvm(SYS_execve), CABIN_SYSCALL_KVM_VM);
	assert_int_equal(cabin_syscall_kvm(SYS_getcpu),
			 CABIN_SYSCALL_KVM_GUEST_REFUSED);
	assert_int_equal(cabin_syscall_kvm(-1), CABIN_SYSCALL_KVM_REFUSED);
	assert_int_equal(cabin_syscall_kvm(100000), CABIN_SYSCALL_KVM_REFUSED);
}

static void expect_operands(long nr, int dirfd, int path, int dirfd2,
			    int path2, int flags, int mode)
{
	struct cabin_syscall_operands op;

	cabin_syscall_operands(nr, &op);
	assert_int_equal(op.dirfd, dirfd);
	assert_int_equal(op.path, path);
	assert_int_equal(op.dirfd2, dirfd2);
	assert_int_equal(op.path2, path2);
	assert_int_equal(op.flags, flags);
	assert_int_equal(op.mode, mode);
}

static void test_operands(void **state)
{
	(void)state;
	expect_operands(SYS_open, -1, 0, -1, -1, 1, 2);
	expect_operands(SYS_openat, 0, 1, -1, -1, 2, 3);
	expect_operands(SYS_openat2, 0, 1, -1, -1, -1, -1);
	expect_operands(SYS_creat, -1, 0, -1, -1, -1, 1);
	expect_operands(SYS_renameat2, 0, 1, 2, 3, 4, -1);
	expect_operands(SYS_symlinkat, 1, 2, -1, -1, -1, -1);
	expect_operands(SYS_symlink, -1, 1, -1, -1, -1, -1);
	expect_operands(SYS_linkat, 0, 1, 2, 3, 4, -1);
	expect_operands(SYS_mknodat, 0, 1, -1, -1, -1, 2);
	expect_operands(SYS_fchmod, 0, -1, -1, -1, -1, 1);
	expect_operands(SYS_execveat, 0, 1, -1, -1, 4, -1);
	expect_operands(SYS_getpid, -1, -1, -1, -1, -1, -1);
	expect_operands(-1, -1, -1, -1, -1, -1, -1);
}

static void test_rows(void **state)
{
	const struct cabin_syscall_desc *sd;
	long nr;

	(void)state;
	for (nr = 0; nr < 1024; nr++) {
		sd = cabin_syscall_desc(nr);
		if (sd)
			assert_true(sd->n <= 6);
	}
	sd = cabin_syscall_desc(SYS_read);
	assert_non_null(sd);
	assert_true(sd->decoded);
	assert_int_equal(sd->n, 3);
	assert_int_equal(sd->k[0], K_FD);
	assert_int_equal(sd->k[1], K_BUF_OUT);
	sd = cabin_syscall_desc(SYS_setxattr);
	assert_non_null(sd);
	assert_false(sd->decoded);
	assert_null(cabin_syscall_desc(-1));
}

#define B(n) (1u << (n))

/* The strings and socket addresses the proxy reads before a call runs. */
static void test_strings_and_sockaddrs(void **state)
{
	static const struct {
		long nr;
		unsigned int strings;
	} strings[] = {
		{ SYS_openat, B(1) }, { SYS_open, B(0) },
		{ SYS_renameat2, B(1) | B(3) }, { SYS_symlinkat, B(0) | B(2) },
		{ SYS_mount, B(0) | B(1) | B(2) }, { SYS_setxattr, B(0) | B(1) },
		{ SYS_fsetxattr, B(1) }, { SYS_listxattr, B(0) },
		{ SYS_fanotify_mark, B(4) }, { SYS_memfd_create, B(0) },
		{ 463 /* setxattrat */, B(1) | B(3) },
		{ SYS_sethostname, 0 },	/* its length bounds it, not a NUL */
		{ SYS_read, 0 }, { SYS_connect, 0 }, { -1, 0 }, { 100000, 0 },
	};
	size_t i;
	int addr = -1, len = -1;

	(void)state;
	for (i = 0; i < sizeof(strings) / sizeof(strings[0]); i++) {
		if (cabin_syscall_strings(strings[i].nr) != strings[i].strings)
			fail_msg("syscall %ld: strings %#x, not %#x",
				 strings[i].nr,
				 cabin_syscall_strings(strings[i].nr),
				 strings[i].strings);
	}
	assert_true(cabin_syscall_sockaddr(SYS_connect, &addr, &len));
	assert_int_equal(addr, 1);
	assert_int_equal(len, 2);
	assert_true(cabin_syscall_sockaddr(SYS_bind, &addr, &len));
	assert_int_equal(addr, 1);
	assert_int_equal(len, 2);
	assert_true(cabin_syscall_sockaddr(SYS_sendto, &addr, &len));
	assert_int_equal(addr, 4);
	assert_int_equal(len, 5);
	assert_false(cabin_syscall_sockaddr(SYS_recvfrom, &addr, &len));
	assert_false(cabin_syscall_sockaddr(SYS_accept, &addr, &len));
	assert_false(cabin_syscall_sockaddr(SYS_openat, &addr, &len));
	assert_false(cabin_syscall_sockaddr(-1, &addr, &len));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forwarded_rows_are_marshalled),
		cmocka_unit_test(test_kvm_column_is_the_forward_table),
		cmocka_unit_test(test_kvm_column_is_one_answer),
		cmocka_unit_test(test_operands),
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_strings_and_sockaddrs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
