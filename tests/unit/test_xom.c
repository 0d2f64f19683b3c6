/*
 * The execute-only memory core without a CPU that has it: the WRPKRU and
 * XRSTOR scanner (every offset, chunk boundaries, LFENCE not taken for
 * XRSTOR), PKRU from an XSAVE image, and the key's read permission.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/xom.h"

static void test_finds_wrpkru_at_any_offset(void **state)
{
	unsigned char buf[16] = { 0x90, 0x0f, 0x01, 0xef, 0x90, 0x90, 0x90,
				  0x0f, 0x01, 0xef };
	struct cabin_xom_hits h = { 0 };

	(void)state;
	cabin_xom_scan(buf, sizeof(buf), sizeof(buf), 0x1000, &h);
	assert_int_equal(h.total, 2);
	assert_int_equal(h.off[0], 0x1001);
	assert_int_equal(h.off[1], 0x1007);
	assert_int_equal(h.insn[0], CABIN_XOM_WRPKRU);
}

static void test_xrstor_forms_but_not_lfence(void **state)
{
	/* xrstor [rdi]; xrstor64 [rax]; lfence; xsave [rdi] (/4) */
	unsigned char buf[] = { 0x0f, 0xae, 0x2f, 0x48, 0x0f, 0xae, 0x28,
				0x0f, 0xae, 0xe8, 0x0f, 0xae, 0x27, 0x0f,
				0xae, 0x6c, 0x24, 0x08 };
	struct cabin_xom_hits h = { 0 };

	(void)state;
	cabin_xom_scan(buf, sizeof(buf), sizeof(buf), 0, &h);
	assert_int_equal(h.total, 3);
	assert_int_equal(h.off[0], 0);
	assert_int_equal(h.off[1], 4);
	assert_int_equal(h.off[2], 13);	/* xrstor [rsp+8] */
	assert_int_equal(h.insn[2], CABIN_XOM_XRSTOR);
}

static void test_limit_only_completes(void **state)
{
	unsigned char buf[] = { 0x90, 0x90, 0x0f, 0x01, 0xef };
	struct cabin_xom_hits h = { 0 };

	(void)state;
	cabin_xom_scan(buf, sizeof(buf), 2, 0, &h);
	assert_int_equal(h.total, 0);
	cabin_xom_scan(buf, sizeof(buf), 3, 0, &h);
	assert_int_equal(h.total, 1);
}

struct mem {
	const unsigned char *p;
	size_t len;
	size_t max_read;	/* short reads, as pread may give */
};

static long read_mem(void *ctx, uint64_t pos, void *buf, size_t len)
{
	struct mem *m = ctx;

	if (pos >= m->len)
		return 0;
	if (len > m->len - pos)
		len = m->len - pos;
	if (len > m->max_read)
		len = m->max_read;
	memcpy(buf, m->p + pos, len);
	return (long)len;
}

/* Every split of a WRPKRU over the 64 KiB chunk boundary is found once. */
static void test_range_across_chunks(void **state)
{
	size_t len = 3 * 65536 + 100, at;
	unsigned char *buf = calloc(1, len);
	struct mem m = { .p = buf, .len = len, .max_read = 5000 };
	static struct cabin_xom_scan_buf sb;

	(void)state;
	assert_non_null(buf);
	for (at = 65536 - 3; at <= 65536 + 1; at++) {
		struct cabin_xom_hits h = { 0 };

		memset(buf, 0x90, len);
		memcpy(buf + at, "\x0f\x01\xef", 3);
		memcpy(buf + len - 3, "\x0f\xae\x2f", 3);
		assert_int_equal(cabin_xom_scan_range(read_mem, &m, 0, len,
						      &sb, &h), 0);
		assert_int_equal(h.total, 2);
		assert_int_equal(h.off[0], at);
		assert_int_equal(h.off[1], len - 3);
	}
	free(buf);
}

static void test_range_too_large(void **state)
{
	static struct cabin_xom_scan_buf sb;
	struct cabin_xom_hits h = { 0 };
	struct mem m = { 0 };

	(void)state;
	assert_int_equal(cabin_xom_scan_range(read_mem, &m, 0,
					      CABIN_XOM_SCAN_MAX + 1, &sb, &h),
			 -EFBIG);
}

static void test_pkru_of_image(void **state)
{
	unsigned char img[2696] = { 0 };
	uint32_t pkru = 1, v = 0x55555554;
	uint64_t bv = 1u << 9;

	(void)state;
	assert_int_equal(cabin_xom_pkru_of(img, 100, 2688, &pkru), -EINVAL);
	/* Component in its init state: PKRU 0. */
	assert_int_equal(cabin_xom_pkru_of(img, sizeof(img), 2688, &pkru), 0);
	assert_int_equal(pkru, 0);
	memcpy(img + 512, &bv, sizeof(bv));
	memcpy(img + 2688, &v, sizeof(v));
	assert_int_equal(cabin_xom_pkru_of(img, sizeof(img), 2688, &pkru), 0);
	assert_int_equal(pkru, 0x55555554);
	/* PKRU said present but cut off: no answer. */
	assert_int_equal(cabin_xom_pkru_of(img, 600, 2688, &pkru), -EINVAL);
}

static void test_pkru_reads(void **state)
{
	(void)state;
	assert_false(cabin_xom_pkru_reads(0x55555554, 1));
	assert_true(cabin_xom_pkru_reads(0x55555550, 1));
	assert_true(cabin_xom_pkru_reads(0, 1));
	/* Write-disable alone still lets reads through. */
	assert_true(cabin_xom_pkru_reads(0x55555558, 1));
	assert_false(cabin_xom_pkru_reads(0, -1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_finds_wrpkru_at_any_offset),
		cmocka_unit_test(test_xrstor_forms_but_not_lfence),
		cmocka_unit_test(test_limit_only_completes),
		cmocka_unit_test(test_range_across_chunks),
		cmocka_unit_test(test_range_too_large),
		cmocka_unit_test(test_pkru_of_image),
		cmocka_unit_test(test_pkru_reads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
