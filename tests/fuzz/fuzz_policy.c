/*
 * libFuzzer target for the policy language: arbitrary bytes must parse or
 * fail with an error naming a line, never crash or leak; whatever parses
 * and validates must print a normal form that parses back equal.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"

static void round_trip(const struct cabin_policy *p)
{
	struct cabin_policy q;
	struct cabin_policy_error err = { 0 };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		abort();
	if (cabin_policy_format(p, f))
		abort();
	fclose(f);
	cabin_policy_init(&q);
	if (cabin_policy_parse(&q, buf, len, "normal form", &err)) {
		fprintf(stderr, "normal form does not parse: %u:%u: %s\n%s",
			err.line, err.column, err.message, buf);
		abort();
	}
	if (!cabin_policy_equal(p, &q)) {
		fprintf(stderr, "normal form parses to another policy:\n%s",
			buf);
		abort();
	}
	cabin_policy_free(&q);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cabin_policy p;
	struct cabin_policy_error err = { 0 };
	int ret;

	cabin_policy_init(&p);
	ret = cabin_policy_parse(&p, (const char *)data, size, "fuzz", &err);
	if (ret && !err.message[0])
		abort();
	if (!ret && !cabin_policy_validate(&p, &err))
		round_trip(&p);
	cabin_policy_free(&p);
	return 0;
}
