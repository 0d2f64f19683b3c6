/*
 * The program's environment from a policy: env clear, keep, unset and
 * set, in a policy and through cabin run's overrides (--keep-env,
 * --unsetenv, --setenv), which win over the policy's lines.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "policy/env.h"
#include "policy/policy.h"

static char *const base[] = { "A=a", "B=b", "C=c", "PATH=/bin", NULL };

/* The built environment as one string, "A=a B=b ...". */
static void assert_env(const struct cabin_policy *p, const char *want)
{
	char **env = cabin_env_build(p, base), buf[256] = "";
	size_t i;

	assert_non_null(env);
	for (i = 0; env[i]; i++) {
		if (i)
			strcat(buf, " ");
		strcat(buf, env[i]);
	}
	cabin_env_free(env);
	assert_string_equal(buf, want);
}

static void parse(struct cabin_policy *p, const char *text)
{
	struct cabin_policy_error err;

	cabin_policy_init(p);
	assert_int_equal(cabin_policy_parse(p, text, strlen(text), "t",
					    &err), 0);
}

static void test_unset_keep_set(void **state)
{
	struct cabin_policy p;

	(void)state;
	parse(&p, "env unset B\n");
	assert_env(&p, "A=a C=c PATH=/bin");
	cabin_policy_free(&p);
	parse(&p, "env clear\nenv keep A B\nenv unset B\nenv set C=x\n");
	assert_env(&p, "A=a C=x");
	assert_int_equal(p.nenv_keep, 1);
	cabin_policy_free(&p);
	/* The later of keep and unset wins; set wins over both. */
	parse(&p, "env clear\nenv unset A\nenv keep A\nenv unset C\n"
		  "env set C=s\n");
	assert_env(&p, "A=a C=s");
	assert_int_equal(p.nenv_unset, 1);
	assert_int_equal(cabin_policy_env_unset(&p, ""), -EINVAL);
	assert_int_equal(cabin_policy_env_unset(&p, "A=B"), -EINVAL);
	assert_int_equal(cabin_policy_env_keep(&p, "1A"), -EINVAL);
	cabin_policy_free(&p);
}

static void test_override(void **state)
{
	struct cabin_policy p, o;

	(void)state;
	parse(&p, "env clear\nenv keep PATH B\nenv set A=policy C=policy\n");
	cabin_policy_init(&o);
	assert_int_equal(cabin_policy_env_keep(&o, "A"), 0);
	assert_int_equal(cabin_policy_env_unset(&o, "B"), 0);
	assert_int_equal(cabin_policy_env_unset(&o, "C"), 0);
	assert_int_equal(cabin_policy_override(&p, &o), 0);
	/* A from cabin's environment, B and C gone, PATH kept. */
	assert_env(&p, "A=a PATH=/bin");
	cabin_policy_free(&o);
	/* --setenv wins over --unsetenv of the same name. */
	cabin_policy_init(&o);
	assert_int_equal(cabin_policy_env_unset(&o, "A"), 0);
	assert_int_equal(cabin_policy_env_set(&o, "A", "opt"), 0);
	assert_int_equal(cabin_policy_override(&p, &o), 0);
	assert_env(&p, "PATH=/bin A=opt");
	cabin_policy_free(&o);
	cabin_policy_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unset_keep_set),
		cmocka_unit_test(test_override),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
