/*
 * Task table: insertion, lookup after growth and deletion (tombstones),
 * re-keying for a non-leader exec, and iteration.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/task.h"

static void test_get_creates_once(void **state)
{
	struct cabin_task_table t;
	struct cabin_task *a, *b;

	(void)state;
	assert_int_equal(cabin_tasks_init(&t), 0);
	a = cabin_tasks_get(&t, 100);
	b = cabin_tasks_get(&t, 100);
	assert_non_null(a);
	assert_ptr_equal(a, b);
	assert_int_equal(a->pid, 100);
	assert_int_equal(a->cur_nr, -1);
	assert_int_equal(a->state, CABIN_TASK_NEW);
	assert_int_equal(t.count, 1);
	cabin_tasks_free(&t);
}

static void test_many_tasks_with_removals(void **state)
{
	struct cabin_task_table t;
	pid_t tid;

	(void)state;
	cabin_tasks_init(&t);
	for (tid = 1; tid <= 5000; tid++)
		assert_non_null(cabin_tasks_get(&t, tid * 7));
	for (tid = 1; tid <= 5000; tid += 2)
		cabin_tasks_remove(&t, tid * 7);
	assert_int_equal(t.count, 2500);
	for (tid = 1; tid <= 5000; tid++) {
		struct cabin_task *task = cabin_tasks_find(&t, tid * 7);

		if (tid % 2)
			assert_null(task);
		else
			assert_int_equal(task->tid, tid * 7);
	}
	/* Tombstones are reused without losing anything. */
	for (tid = 1; tid <= 5000; tid += 2)
		assert_non_null(cabin_tasks_get(&t, tid * 7));
	assert_int_equal(t.count, 5000);
	cabin_tasks_free(&t);
}

static void test_rekey_moves_the_block(void **state)
{
	struct cabin_task_table t;
	struct cabin_task *thread;

	(void)state;
	cabin_tasks_init(&t);
	cabin_tasks_get(&t, 10);
	thread = cabin_tasks_get(&t, 11);
	thread->count.syscalls = 9;
	assert_int_equal(cabin_tasks_rekey(&t, 11, 10), 0);
	assert_null(cabin_tasks_find(&t, 11));
	assert_int_equal(cabin_tasks_find(&t, 10)->count.syscalls, 9);
	assert_int_equal(t.count, 1);
	assert_int_equal(cabin_tasks_rekey(&t, 99, 10), -ESRCH);
	cabin_tasks_free(&t);
}

static void test_iteration_visits_each_once(void **state)
{
	struct cabin_task_table t;
	struct cabin_task *task;
	size_t pos = 0;
	long sum = 0, n = 0;

	(void)state;
	cabin_tasks_init(&t);
	cabin_tasks_get(&t, 3);
	cabin_tasks_get(&t, 5);
	cabin_tasks_get(&t, 9);
	cabin_tasks_remove(&t, 5);
	while ((task = cabin_tasks_next(&t, &pos))) {
		sum += task->tid;
		n++;
	}
	assert_int_equal(n, 2);
	assert_int_equal(sum, 12);
	cabin_tasks_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_get_creates_once),
		cmocka_unit_test(test_many_tasks_with_removals),
		cmocka_unit_test(test_rekey_moves_the_block),
		cmocka_unit_test(test_iteration_visits_each_once),
	};

	return cmocka_run_group_tests_name("task", tests, NULL, NULL);
}
