/*
 * Routing table: rule validation, first-match order, conditions of every
 * comparison kind, and the fallback route.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/router.h"

static const struct cabin_route allow = { .kind = CABIN_ROUTE_ALLOW };
static const struct cabin_route eperm = { .kind = CABIN_ROUTE_DENY,
					  .err = EPERM };

static void test_fallback_when_nothing_matches(void **state)
{
	struct cabin_router r;
	uint64_t args[6] = { 0 };
	int id = 42;

	(void)state;
	cabin_router_init(&r, allow);
	assert_ptr_equal(cabin_router_match(&r, 39, args, &id), &r.fallback);
	assert_int_equal(id, CABIN_RULE_DEFAULT);
	cabin_router_free(&r);
}

static void test_rule_ids_are_positions(void **state)
{
	struct cabin_router r;
	struct cabin_rule a = { .nr = 101, .route = eperm };
	struct cabin_rule b = { .nr = 102, .route = eperm };
	uint64_t args[6] = { 0 };
	int id;

	(void)state;
	cabin_router_init(&r, allow);
	assert_int_equal(cabin_router_add(&r, &a), 0);
	assert_int_equal(cabin_router_add(&r, &b), 1);
	assert_int_equal(cabin_router_match(&r, 102, args, &id)->kind,
			 CABIN_ROUTE_DENY);
	assert_int_equal(id, 1);
	assert_int_equal(cabin_router_route(&r, 0)->err, EPERM);
	assert_ptr_equal(cabin_router_route(&r, CABIN_RULE_DEFAULT),
			 &r.fallback);
	assert_ptr_equal(cabin_router_route(&r, 7), &r.fallback);
	cabin_router_free(&r);
}

static void test_invalid_rules_are_refused(void **state)
{
	struct cabin_router r;
	struct cabin_rule bad_nr = { .nr = -1, .route = allow };
	struct cabin_rule bad_arg = { .nr = 1, .route = allow, .ncond = 1,
				      .cond = { { .arg = 6 } } };
	struct cabin_rule bad_err = { .nr = 1,
				      .route = { .kind = CABIN_ROUTE_DENY } };
	struct cabin_rule too_many = { .nr = 1, .route = allow,
				       .ncond = CABIN_RULE_MAX_CONDS + 1 };

	(void)state;
	cabin_router_init(&r, allow);
	assert_int_equal(cabin_router_add(&r, &bad_nr), -EINVAL);
	assert_int_equal(cabin_router_add(&r, &bad_arg), -EINVAL);
	assert_int_equal(cabin_router_add(&r, &bad_err), -EINVAL);
	assert_int_equal(cabin_router_add(&r, &too_many), -EINVAL);
	assert_int_equal(r.nrules, 0);
	cabin_router_free(&r);
}

static void test_conditions(void **state)
{
	const uint64_t args[6] = { 5, 0x5412, UINT64_MAX, 0, 0, 0 };
	struct {
		struct cabin_cond c;
		bool holds;
	} cases[] = {
		{ { 0, CABIN_CMP_EQ, 0, 5 }, true },
		{ { 0, CABIN_CMP_EQ, 0, 6 }, false },
		{ { 0, CABIN_CMP_NE, 0, 6 }, true },
		{ { 0, CABIN_CMP_LT, 0, 5 }, false },
		{ { 0, CABIN_CMP_LE, 0, 5 }, true },
		{ { 0, CABIN_CMP_GT, 0, 4 }, true },
		{ { 0, CABIN_CMP_GE, 0, 6 }, false },
		{ { 1, CABIN_CMP_MASKED_EQ, 0xffffffff, 0x5412 }, true },
		{ { 1, CABIN_CMP_MASKED_EQ, 0xff00, 0x5400 }, true },
		{ { 1, CABIN_CMP_MASKED_EQ, 0xff, 0x13 }, false },
		/* 64-bit, not 32-bit, comparisons */
		{ { 2, CABIN_CMP_GT, 0, 0xffffffff }, true },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++)
		assert_int_equal(cabin_cond_holds(&cases[i].c, args),
				 cases[i].holds);
}

static void test_first_match_wins_and_drop(void **state)
{
	struct cabin_router r;
	struct cabin_rule tiocsti = {
		.nr = 16, .route = eperm, .ncond = 1,
		.cond = { { 1, CABIN_CMP_MASKED_EQ, 0xffffffff, 0x5412 } },
	};
	struct cabin_rule trace_all = {
		.nr = 16, .route = { .kind = CABIN_ROUTE_TRACE },
	};
	uint64_t sti[6] = { 0, 0x5412 }, other[6] = { 0, 0x5401 };
	int id;

	(void)state;
	cabin_router_init(&r, allow);
	cabin_router_add(&r, &tiocsti);
	cabin_router_add(&r, &trace_all);
	assert_int_equal(cabin_router_match(&r, 16, sti, &id)->kind,
			 CABIN_ROUTE_DENY);
	assert_int_equal(id, 0);
	assert_int_equal(cabin_router_match(&r, 16, other, &id)->kind,
			 CABIN_ROUTE_TRACE);
	assert_int_equal(id, 1);
	assert_int_equal(cabin_router_drop(&r, 16), 2);
	assert_int_equal(cabin_router_match(&r, 16, sti, &id)->kind,
			 CABIN_ROUTE_ALLOW);
	cabin_router_free(&r);
}

static void test_always_allows(void **state)
{
	static const struct cabin_route trace = { .kind = CABIN_ROUTE_TRACE };
	const struct cabin_cond fd1 = { 0, CABIN_CMP_EQ, 0, 1 };
	struct cabin_router r;

	(void)state;
	cabin_router_init(&r, allow);
	assert_true(cabin_router_always_allows(&r, 39));
	/* A conditional deny before the allow: not for every argument. */
	assert_int_equal(cabin_router_add_rule(&r, 1, eperm, 1, &fd1), 0);
	assert_int_equal(cabin_router_add_rule(&r, 1, allow, 0, NULL), 0);
	assert_false(cabin_router_always_allows(&r, 1));
	/* A conditional allow, then an unconditional one: always. */
	assert_int_equal(cabin_router_add_rule(&r, 2, allow, 1, &fd1), 0);
	assert_int_equal(cabin_router_add_rule(&r, 2, allow, 0, NULL), 0);
	assert_true(cabin_router_always_allows(&r, 2));
	/* Watched (traced) or denied outright: never. */
	assert_int_equal(cabin_router_add_rule(&r, 39, trace, 0, NULL), 0);
	assert_false(cabin_router_always_allows(&r, 39));
	/* A conditional allow and a fallback that does not allow. */
	cabin_router_free(&r);
	cabin_router_init(&r, trace);
	assert_int_equal(cabin_router_add_rule(&r, 3, allow, 1, &fd1), 0);
	assert_false(cabin_router_always_allows(&r, 3));
	assert_false(cabin_router_always_allows(&r, 4));
	cabin_router_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fallback_when_nothing_matches),
		cmocka_unit_test(test_rule_ids_are_positions),
		cmocka_unit_test(test_invalid_rules_are_refused),
		cmocka_unit_test(test_conditions),
		cmocka_unit_test(test_first_match_wins_and_drop),
		cmocka_unit_test(test_always_allows),
	};

	return cmocka_run_group_tests_name("router", tests, NULL, NULL);
}
