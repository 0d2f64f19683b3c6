/*
 * Guest memory and guest pointer translation: bounds, wrapping lengths,
 * holes, permissions and strings, and a random search that checks every
 * translated pointer against the host mapping and a byte-wise model.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "platform/kvm/vmm/gmem.h"

#define MiB (1ull << 20)
#define SIZE (4 * MiB)
#define RW (CABIN_GMEM_R | CABIN_GMEM_W)
#define URW (CABIN_GMEM_USER | RW)
#define UR (CABIN_GMEM_USER | CABIN_GMEM_R)
#define TOP 0xfffffffffffff000ull
#define KERN 0xffffffff80000000ull

/* The layout every test starts from; the fuzz loop's model reads it too. */
static const struct cabin_gmem_region layout[] = {
	{ 0x400000, 0x2000, 0x0000, URW, 0, 0 },	/* A */
	{ 0x402000, 0x1000, 0x3000, UR, 0, 0 },	/* B: after A, not after it in gpa */
	/* hole 0x403000..0x403fff */
	{ 0x404000, 0x1000, 0x10000, URW, 0, 0 },	/* C */
	{ 0x500000, 0x1000, 0x20000, URW, 0, 0 },	/* D */
	{ 0x501000, 0x1000, 0x21000, UR, 0, 0 },	/* E: continues D in gpa */
	{ 0x600000, 0x1000, SIZE - 0x1000, URW, 0, 0 },	/* F: last page */
	{ 0x601000, 0x1000, 0x0000, URW, 0, 0 },	/* G: after F, wraps to gpa 0 */
	{ KERN, 0x2000, 0x100000, RW, 0, 0 },		/* kernel only */
	{ TOP, 0x1000, 0x200000, UR, 0, 0 },		/* ends exactly at 2^64 */
	/* Continues TOP in gpa: only the wrap checks keep them apart. */
	{ 0, 0x1000, 0x201000, UR, 0, 0 },
};
#define NLAYOUT (sizeof(layout) / sizeof(layout[0]))

static int setup(void **state)
{
	static struct cabin_gmem g;
	size_t i;

	if (cabin_gmem_init(&g, SIZE))
		return -1;
	for (i = 0; i < NLAYOUT; i++)
		if (cabin_gmem_map(&g, layout[i].gva, layout[i].off,
				   layout[i].len, layout[i].prot))
			return -1;
	*state = &g;
	return 0;
}

static int teardown(void **state)
{
	cabin_gmem_free(*state);
	return 0;
}

static unsigned char *at_gpa(struct cabin_gmem *g, uint64_t gpa)
{
	return g->host + gpa;
}

static void test_init(void **state)
{
	struct cabin_gmem g;
	void *p;

	(void)state;
	assert_int_equal(cabin_gmem_init(&g, 0), -EINVAL);
	assert_int_equal(cabin_gmem_init(&g, 3 * MiB), -EINVAL);
	assert_int_equal(cabin_gmem_init(&g, CABIN_GMEM_MAX_SIZE + 2 * MiB),
			 -EINVAL);
	assert_int_equal(cabin_gmem_init_at(&g, MiB, 2 * MiB), -EINVAL);
	assert_int_equal(cabin_gmem_init_at(&g, UINT64_MAX - MiB - MiB + 1,
					    4 * MiB), -EINVAL);
	assert_null(g.host);
	/* Not initialised: nothing maps, nothing translates. */
	assert_int_equal(cabin_gmem_map(&g, 0, 0, 0x1000, UR), -EINVAL);
	assert_int_equal(cabin_gmem_read(&g, 0, NULL, 0), 0);

	assert_int_equal(cabin_gmem_init_at(&g, 2 * MiB, 2 * MiB), 0);
	assert_non_null(g.host);
	assert_int_equal(g.host[2 * MiB - 1], 0);
	/* Below and past the base's region. */
	assert_int_equal(cabin_gmem_map(&g, 0, 0, 0x1000, UR), -ERANGE);
	assert_int_equal(cabin_gmem_map(&g, 0, 4 * MiB, 0x1000, UR), -ERANGE);
	assert_int_equal(cabin_gmem_map(&g, 0, 2 * MiB + 0x1000, 0x1000, UR),
			 0);
	assert_int_equal(cabin_gmem_translate(&g, 0x10, 4, UR, &p), 0);
	assert_ptr_equal(p, g.host + 0x1010);
	assert_int_equal(cabin_gmem_gpa(&g, 2 * MiB, 2 * MiB, &p), 0);
	assert_ptr_equal(p, g.host);
	assert_int_equal(cabin_gmem_gpa(&g, 2 * MiB - 1, 1, &p), -EFAULT);
	cabin_gmem_free(&g);
	cabin_gmem_free(&g);
	assert_null(g.host);
}

static void test_map_refusals(void **state)
{
	struct cabin_gmem *g = *state;
	unsigned int n = g->tab->n;

	assert_int_equal(cabin_gmem_map(g, 0x700001, 0, 0x1000, UR), -EINVAL);
	assert_int_equal(cabin_gmem_map(g, 0x700000, 1, 0x1000, UR), -EINVAL);
	assert_int_equal(cabin_gmem_map(g, 0x700000, 0, 0xfff, UR), -EINVAL);
	assert_int_equal(cabin_gmem_map(g, 0x700000, 0, 0, UR), -EINVAL);
	assert_int_equal(cabin_gmem_map(g, 0x700000, 0, 0x1000, 0), -EINVAL);
	assert_int_equal(cabin_gmem_map(g, 0x700000, 0, 0x1000, 0x10 | UR),
			 -EINVAL);
	assert_int_equal(g->tab->n, n);
	/* gva + len wraps past 2^64. */
	assert_int_equal(cabin_gmem_map(g, TOP - 0x1000, 0, 0x3000, UR),
			 -EINVAL);
	assert_int_equal(cabin_gmem_map(g, 0x2000, 0, 0xfffffffffffff000ull,
					UR), -EINVAL);
	/* gpa + len outside the region, or wrapping. */
	assert_int_equal(cabin_gmem_map(g, 0x700000, SIZE, 0x1000, UR),
			 -ERANGE);
	assert_int_equal(cabin_gmem_map(g, 0x700000, SIZE - 0x1000, 0x2000,
					UR), -ERANGE);
	assert_int_equal(cabin_gmem_map(g, 0x700000, TOP, 0x1000, UR),
			 -ERANGE);
	assert_int_equal(cabin_gmem_map(g, 0, 0x1000, TOP, UR),
			 -ERANGE);
	/* Overlaps: the same, inside, over the start, over the end, around. */
	assert_int_equal(cabin_gmem_map(g, 0x400000, 0, 0x2000, UR), -EEXIST);
	assert_int_equal(cabin_gmem_map(g, 0x401000, 0, 0x1000, UR), -EEXIST);
	assert_int_equal(cabin_gmem_map(g, 0x3ff000, 0, 0x2000, UR), -EEXIST);
	assert_int_equal(cabin_gmem_map(g, 0x404000, 0, 0x2000, UR), -EEXIST);
	assert_int_equal(cabin_gmem_map(g, 0x3f0000, 0, 0x100000, UR),
			 -EEXIST);
	assert_int_equal(cabin_gmem_map(g, TOP, 0, 0x1000, UR), -EEXIST);
	assert_int_equal(g->tab->n, n);
	/* The hole between B and C takes exactly one page. */
	assert_int_equal(cabin_gmem_map(g, 0x403000, 0x5000, 0x1000, UR), 0);
	assert_int_equal(cabin_gmem_unmap(g, 0x403000, 0x1000), 0);
}

static void test_table_full(void **state)
{
	struct cabin_gmem *g = *state;
	uint64_t gva = 0x10000000;
	void *p;

	while (g->tab->n < CABIN_GMEM_MAX_REGIONS) {
		assert_int_equal(cabin_gmem_map(g, gva, 0, 0x1000, UR), 0);
		gva += 0x2000;
	}
	assert_int_equal(cabin_gmem_map(g, gva, 0, 0x1000, UR), -ENOSPC);
	/* Splitting needs a slot; refused without change. */
	assert_int_equal(cabin_gmem_unmap(g, 0x404000, 0x1000), 0);
	assert_int_equal(cabin_gmem_map(g, 0x700000, 0, 0x3000, UR), 0);
	assert_int_equal(cabin_gmem_unmap(g, 0x701000, 0x1000), -ENOSPC);
	assert_int_equal(cabin_gmem_translate(g, 0x701000, 1, UR, &p), 0);
}

static void test_in_bounds(void **state)
{
	struct cabin_gmem *g = *state;
	void *p;

	assert_int_equal(cabin_gmem_translate(g, 0x400010, 16, URW, &p), 0);
	assert_ptr_equal(p, g->host + 0x10);
	memcpy(p, "guest", 5);
	assert_memory_equal(at_gpa(g, 0x10), "guest", 5);
	assert_int_equal(cabin_gmem_translate(g, 0x404000, 0x1000, URW, &p),
			 0);
	assert_ptr_equal(p, g->host + 0x10000);
	assert_int_equal(cabin_gmem_translate(g, 0x402800, 8, UR, &p), 0);
	assert_ptr_equal(p, g->host + 0x3800);
	/* The whole of A, a region of two pages. */
	assert_int_equal(cabin_gmem_translate(g, 0x400000, 0x2000, UR, &p), 0);
	assert_int_equal(cabin_gmem_translate(g, 0x400000, 1, 0, &p), -EINVAL);
	assert_null(p);
	assert_int_equal(cabin_gmem_translate(g, 0x400000, 1, 0x20, &p),
			 -EINVAL);
}

static void test_end_of_region(void **state)
{
	struct cabin_gmem *g = *state;
	void *p;

	/* C is followed by a hole. */
	assert_int_equal(cabin_gmem_translate(g, 0x404ffc, 4, UR, &p), 0);
	assert_ptr_equal(p, g->host + 0x10ffc);
	assert_int_equal(cabin_gmem_translate(g, 0x404ffc, 5, UR, &p),
			 -EFAULT);
	assert_null(p);
	assert_int_equal(cabin_gmem_translate(g, 0x404000, 0x1001, UR, &p),
			 -EFAULT);
	assert_int_equal(cabin_gmem_translate(g, 0x405000, 1, UR, &p),
			 -EFAULT);
	assert_int_equal(cabin_gmem_translate(g, 0x403fff, 2, UR, &p),
			 -EFAULT);
	/* F holds the last page of guest memory. */
	assert_int_equal(cabin_gmem_translate(g, 0x600000, 0x1000, UR, &p), 0);
	assert_ptr_equal((unsigned char *)p + 0x1000, g->host + SIZE);
}

static void test_zero_length(void **state)
{
	struct cabin_gmem *g = *state;
	void *p = (void *)1;

	assert_int_equal(cabin_gmem_translate(g, 0x400123, 0, UR, &p), 0);
	assert_ptr_equal(p, g->host + 0x123);
	assert_int_equal(cabin_gmem_translate(g, 0x403000, 0, UR, &p), 0);
	assert_null(p);
	assert_int_equal(cabin_gmem_translate(g, UINT64_MAX, 0, UR, &p), 0);
	assert_ptr_equal(p, g->host + 0x200fff);
	/* Mapped, but not with this access. */
	assert_int_equal(cabin_gmem_translate(g, 0x402000, 0, URW, &p), 0);
	assert_null(p);
	assert_int_equal(cabin_gmem_read(g, 0x403000, NULL, 0), 0);
	assert_int_equal(cabin_gmem_write(g, 0x403000, NULL, 0), 0);
	assert_int_equal(cabin_gmem_gpa(g, SIZE, 0, &p), 0);
	assert_null(p);
}

static void test_wrap(void **state)
{
	struct cabin_gmem *g = *state;
	unsigned char buf[16];
	void *p;

	assert_int_equal(cabin_gmem_translate(g, 0x400000, UINT64_MAX, UR, &p),
			 -EFAULT);
	assert_int_equal(cabin_gmem_translate(g, 0x400010,
					      UINT64_MAX - 0x400000, UR, &p),
			 -EFAULT);
	/* The top page ends exactly at 2^64: its last byte is fine. */
	assert_int_equal(cabin_gmem_translate(g, TOP, 0x1000, UR, &p), 0);
	assert_ptr_equal(p, g->host + 0x200000);
	assert_int_equal(cabin_gmem_translate(g, UINT64_MAX, 1, UR, &p), 0);
	assert_ptr_equal(p, g->host + 0x200fff);
	assert_int_equal(cabin_gmem_translate(g, TOP, 0x1001, UR, &p), -EFAULT);
	assert_int_equal(cabin_gmem_translate(g, UINT64_MAX, 2, UR, &p),
			 -EFAULT);
	assert_null(p);
	assert_int_equal(cabin_gmem_translate(g, 0, 0x1000, UR, &p), 0);
	assert_ptr_equal(p, g->host + 0x201000);
	assert_int_equal(cabin_gmem_read(g, UINT64_MAX - 7, buf, 8), 0);
	assert_int_equal(cabin_gmem_read(g, UINT64_MAX - 7, buf, 9), -EFAULT);
	assert_int_equal(cabin_gmem_read(g, 0x400000, buf, SIZE_MAX), -EFAULT);
}

static void test_gpa_bounds(void **state)
{
	struct cabin_gmem *g = *state;
	void *p;

	assert_int_equal(cabin_gmem_gpa(g, 0, SIZE, &p), 0);
	assert_ptr_equal(p, g->host);
	assert_int_equal(cabin_gmem_gpa(g, 0, SIZE + 1, &p), -EFAULT);
	assert_int_equal(cabin_gmem_gpa(g, SIZE - 1, 1, &p), 0);
	assert_int_equal(cabin_gmem_gpa(g, SIZE - 1, 2, &p), -EFAULT);
	assert_int_equal(cabin_gmem_gpa(g, SIZE, 1, &p), -EFAULT);
	assert_int_equal(cabin_gmem_gpa(g, UINT64_MAX, 2, &p), -EFAULT);
	assert_int_equal(cabin_gmem_gpa(g, 1, UINT64_MAX, &p), -EFAULT);
	assert_null(p);
	/* F then G: adjacent in gva, but G's gpa is 0, not past the end. */
	assert_int_equal(cabin_gmem_translate(g, 0x600ff0, 0x20, UR, &p),
			 -EFAULT);
}

static void test_contiguous_regions(void **state)
{
	struct cabin_gmem *g = *state;
	void *p;

	/* D and E continue each other in gpa: one pointer for both. */
	assert_int_equal(cabin_gmem_translate(g, 0x500ff0, 0x20, UR, &p), 0);
	assert_ptr_equal(p, g->host + 0x20ff0);
	assert_int_equal(cabin_gmem_translate(g, 0x500000, 0x2000, UR, &p), 0);
	/* E is read-only. */
	assert_int_equal(cabin_gmem_translate(g, 0x500ff0, 0x20, URW, &p),
			 -EFAULT);
	/* A and B do not: one pointer would reach the wrong memory. */
	assert_int_equal(cabin_gmem_translate(g, 0x401ff0, 0x20, UR, &p),
			 -EFAULT);
}

static void test_piecewise(void **state)
{
	struct cabin_gmem *g = *state;
	unsigned char buf[0x40], want[0x40];
	size_t i;

	for (i = 0; i < 0x10; i++) {
		at_gpa(g, 0x1ff0)[i] = (unsigned char)i;
		at_gpa(g, 0x3000)[i] = (unsigned char)(0x10 + i);
	}
	for (i = 0; i < 0x20; i++)
		want[i] = (unsigned char)i;
	assert_int_equal(cabin_gmem_read(g, 0x401ff0, buf, 0x20), 0);
	assert_memory_equal(buf, want, 0x20);

	/* B, the hole, C: nothing reaches the destination. */
	memset(buf, 0xaa, sizeof(buf));
	memset(want, 0xaa, sizeof(want));
	assert_int_equal(cabin_gmem_read(g, 0x402fe0, buf, 0x40), -EFAULT);
	assert_memory_equal(buf, want, sizeof(buf));
	/* A, then read-only B: nothing reaches the guest. */
	memset(buf, 0x55, sizeof(buf));
	assert_int_equal(cabin_gmem_write(g, 0x401ff0, buf, 0x20), -EFAULT);
	for (i = 0; i < 0x10; i++)
		assert_int_equal(at_gpa(g, 0x1ff0)[i], i);
	/* C, then the hole. */
	assert_int_equal(cabin_gmem_write(g, 0x404ff0, buf, 0x20), -EFAULT);
	assert_int_equal(at_gpa(g, 0x10ff0)[0], 0);
	/* D and E read as one; the write into E is refused. */
	assert_int_equal(cabin_gmem_write(g, 0x500fe0, buf, 0x20), 0);
	assert_int_equal(at_gpa(g, 0x20fe0)[0], 0x55);
	assert_int_equal(cabin_gmem_write(g, 0x500fe0, buf, 0x21), -EFAULT);
	assert_int_equal(at_gpa(g, 0x21000)[0], 0);
}

static void test_permissions(void **state)
{
	struct cabin_gmem *g = *state;
	unsigned char b = 7;
	void *p;

	assert_int_equal(cabin_gmem_translate(g, 0x402000, 1, URW, &p),
			 -EFAULT);
	assert_int_equal(cabin_gmem_write(g, 0x402000, &b, 1), -EFAULT);
	assert_int_equal(at_gpa(g, 0x3000)[0], 0);
	assert_int_equal(cabin_gmem_translate(g, 0x400000, 1,
					      UR | CABIN_GMEM_X, &p), -EFAULT);
	/* Kernel memory: the monitor may look, the program's pointers not. */
	assert_int_equal(cabin_gmem_translate(g, KERN, 0x2000, RW, &p), 0);
	assert_int_equal(cabin_gmem_translate(g, KERN, 1, UR, &p), -EFAULT);
	assert_int_equal(cabin_gmem_read(g, KERN, &b, 1), -EFAULT);
	assert_int_equal(cabin_gmem_write(g, KERN, &b, 1), -EFAULT);
	assert_int_equal(at_gpa(g, 0x100000)[0], 0);
	assert_int_equal(cabin_gmem_write(g, 0x400000, &b, 1), 0);
	assert_int_equal(at_gpa(g, 0)[0], 7);
}

static void test_strings(void **state)
{
	struct cabin_gmem *g = *state;
	char buf[32];

	/* "hello" across A (gpa 0x1ffd) and B (gpa 0x3000). */
	memcpy(at_gpa(g, 0x1ffd), "hel", 3);
	memcpy(at_gpa(g, 0x3000), "lo", 3);
	assert_int_equal(cabin_gmem_string(g, 0x401ffd, buf, sizeof(buf)), 5);
	assert_string_equal(buf, "hello");
	/* Exactly cap - 1 bytes fits; one more is too long. */
	assert_int_equal(cabin_gmem_string(g, 0x401ffd, buf, 6), 5);
	assert_string_equal(buf, "hello");
	assert_int_equal(cabin_gmem_string(g, 0x401ffd, buf, 5),
			 -ENAMETOOLONG);
	assert_string_equal(buf, "");
	assert_int_equal(cabin_gmem_string(g, 0x402002, buf, 1), 0);
	assert_int_equal(cabin_gmem_string(g, 0x401ffd, buf, 0), -EINVAL);

	/* Unterminated at the end of C, with the hole after it. */
	memset(at_gpa(g, 0x10ff0), 'x', 0x10);
	assert_int_equal(cabin_gmem_string(g, 0x404ff0, buf, sizeof(buf)),
			 -EFAULT);
	assert_string_equal(buf, "");
	/* ... unless cap ends first. */
	assert_int_equal(cabin_gmem_string(g, 0x404ff0, buf, 0x10),
			 -ENAMETOOLONG);
	/* Unterminated at 2^64: no wrap to address 0, mapped as it is. */
	memset(at_gpa(g, 0x200ff0), 'y', 0x10);
	assert_int_equal(cabin_gmem_string(g, UINT64_MAX - 3, buf,
					   sizeof(buf)), -EFAULT);
	at_gpa(g, 0x200fff)[0] = '\0';
	assert_int_equal(cabin_gmem_string(g, UINT64_MAX - 3, buf,
					   sizeof(buf)), 3);
	assert_string_equal(buf, "yyy");
	/* Unmapped, or kernel only. */
	assert_int_equal(cabin_gmem_string(g, 0x403000, buf, sizeof(buf)),
			 -EFAULT);
	assert_int_equal(cabin_gmem_string(g, KERN, buf, sizeof(buf)),
			 -EFAULT);
}

static void test_unmap(void **state)
{
	struct cabin_gmem *g = *state;
	void *p;

	assert_int_equal(cabin_gmem_unmap(g, 0x400000, 0), -EINVAL);
	assert_int_equal(cabin_gmem_unmap(g, 0x400001, 0x1000), -EINVAL);
	assert_int_equal(cabin_gmem_unmap(g, TOP, 0x2000), -EINVAL);
	assert_int_equal(cabin_gmem_unmap(g, 0x900000, 0x1000), 0);

	/* A split in the middle keeps both ends at their gpa. */
	assert_int_equal(cabin_gmem_map(g, 0x700000, 0x30000, 0x3000, URW), 0);
	assert_int_equal(cabin_gmem_unmap(g, 0x701000, 0x1000), 0);
	assert_int_equal(cabin_gmem_translate(g, 0x700fff, 1, UR, &p), 0);
	assert_ptr_equal(p, g->host + 0x30fff);
	assert_int_equal(cabin_gmem_translate(g, 0x701000, 1, UR, &p),
			 -EFAULT);
	assert_int_equal(cabin_gmem_translate(g, 0x702000, 1, UR, &p), 0);
	assert_ptr_equal(p, g->host + 0x32000);
	/* Head and tail trims; then across several regions at once. */
	assert_int_equal(cabin_gmem_unmap(g, 0x400000, 0x1000), 0);
	assert_int_equal(cabin_gmem_translate(g, 0x401000, 1, UR, &p), 0);
	assert_ptr_equal(p, g->host + 0x1000);
	assert_int_equal(cabin_gmem_translate(g, 0x400fff, 1, UR, &p),
			 -EFAULT);
	assert_int_equal(cabin_gmem_unmap(g, 0x401000, 0x4000), 0);
	assert_int_equal(cabin_gmem_translate(g, 0x404000, 1, UR, &p),
			 -EFAULT);
	assert_int_equal(cabin_gmem_unmap(g, TOP, 0x1000), 0);
	assert_int_equal(cabin_gmem_translate(g, UINT64_MAX, 0, UR, &p), 0);
	assert_null(p);
	/* What was freed maps again. */
	assert_int_equal(cabin_gmem_map(g, 0x400000, 0, 0x6000, URW), 0);
}

/* The model: the layout's region holding gva, looked at byte by byte. */
static const struct cabin_gmem_region *model_find(uint64_t gva)
{
	size_t i;

	for (i = 0; i < NLAYOUT; i++)
		if (gva >= layout[i].gva &&
		    gva - layout[i].gva < layout[i].len)
			return &layout[i];
	return NULL;
}

/* 1: translate must succeed; 0: fail.  Walks a page at a time. */
static int model(uint64_t gva, uint64_t len, unsigned int access,
		 bool contiguous)
{
	uint64_t done = 0, first = 0;

	if (len && gva + (len - 1) < gva)
		return 0;
	while (done < len) {
		const struct cabin_gmem_region *r = model_find(gva + done);
		uint64_t in, n;

		if (!r || (r->prot & access) != access)
			return 0;
		in = gva + done - r->gva;
		if (!done)
			first = r->off + in;
		else if (contiguous && r->off + in != first + done)
			return 0;
		n = r->len - in;
		done += n < len - done ? n : len - done;
	}
	return 1;
}

static uint64_t rnd_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

static uint64_t pick_gva(void)
{
	const struct cabin_gmem_region *r = &layout[rnd() % NLAYOUT];
	uint64_t delta = rnd() % 64;

	switch (rnd() % 5) {
	case 0:
		return r->gva - delta;
	case 1:
		return r->gva + delta;
	case 2:
		return r->gva + r->len - delta;
	case 3:
		return r->gva + rnd() % (r->len + 0x1000);
	default:
		return rnd();
	}
}

static uint64_t pick_len(void)
{
	switch (rnd() % 6) {
	case 0:
		return 0;
	case 1:
		return 1 + rnd() % 16;
	case 2:
		return rnd() % 0x3000;
	case 3:
		return UINT64_MAX - rnd() % 0x3000;
	case 4:
		return (uint64_t)1 << (rnd() % 64);
	default:
		return rnd();
	}
}

static void test_fuzz(void **state)
{
	static const unsigned int accesses[] = {
		CABIN_GMEM_R, CABIN_GMEM_W, RW, UR, URW, CABIN_GMEM_X,
	};
	struct cabin_gmem *g = *state;
	uintptr_t base = (uintptr_t)g->host;
	unsigned char buf[0x3000];
	int i, hits = 0;

	for (i = 0; i < 200000; i++) {
		uint64_t gva = pick_gva(), len = pick_len();
		unsigned int access = accesses[rnd() % 6];
		void *p = (void *)1;
		int err = cabin_gmem_translate(g, gva, len, access, &p);
		uintptr_t at = (uintptr_t)p;

		if (err) {
			assert_int_equal(err, -EFAULT);
			assert_null(p);
		} else if (p) {
			/* Inside the mapping, checked without overflowing. */
			assert_true(at >= base);
			assert_true(at - base < g->size);
			assert_true(len <= g->size - (at - base));
			hits++;
		}
		assert_int_equal(!err, model(gva, len, access, true));
		if (len <= sizeof(buf)) {
			err = cabin_gmem_read(g, gva, buf, len);
			assert_int_equal(!err, model(gva, len, UR, false));
		}
	}
	assert_true(hits > 1000);
}

/* USER alone reserves a PROT_NONE range: present in the table, never passed. */
static void test_reserved_range(void **state)
{
	struct cabin_gmem *g = *state;
	void *p;

	assert_int_equal(cabin_gmem_map(g, 0x700000, 0x30000, 0x1000,
					CABIN_GMEM_USER), 0);
	assert_non_null(cabin_gmem_find(g, 0x700800));
	assert_int_equal(cabin_gmem_translate(g, 0x700000, 1, CABIN_GMEM_R, &p),
			 -EFAULT);
	assert_int_equal(cabin_gmem_translate(g, 0x700000, 1,
					      CABIN_GMEM_USER, &p), 0);
	assert_int_equal(cabin_gmem_read(g, 0x700000, &p, 1), -EFAULT);
}

/* Neighbours that continue each other become one; others stay apart. */
static void test_merge(void **state)
{
	struct cabin_gmem *g = *state;
	unsigned int n = g->tab->n;

	assert_int_equal(cabin_gmem_map_tagged(g, 0x800000, 0x40000, 0x1000,
					       URW, 3, 0x1000), 0);
	assert_int_equal(cabin_gmem_map_tagged(g, 0x801000, 0x41000, 0x1000,
					       URW, 3, 0x2000), 0);
	/* Same protection and tag, but the file offset jumps: kept apart. */
	assert_int_equal(cabin_gmem_map_tagged(g, 0x802000, 0x42000, 0x1000,
					       URW, 3, 0x9000), 0);
	/* Continues in every respect but the protection. */
	assert_int_equal(cabin_gmem_map_tagged(g, 0x7ff000, 0x3f000, 0x1000,
					       UR, 3, 0), 0);
	cabin_gmem_merge(g, 0x801000);
	cabin_gmem_merge(g, 0x802000);
	cabin_gmem_merge(g, 0x7ff000);
	assert_int_equal(g->tab->n, n + 3);
	assert_int_equal(cabin_gmem_find(g, 0x800000)->len, 0x2000);
	assert_int_equal(cabin_gmem_find(g, 0x801fff)->gva, 0x800000);
	assert_int_equal(cabin_gmem_find(g, 0x802000)->foff, 0x9000);
	/* Unmapping the middle splits it again, offsets kept right. */
	assert_int_equal(cabin_gmem_unmap(g, 0x800000, 0x1000), 0);
	assert_int_equal(cabin_gmem_find(g, 0x801000)->foff, 0x2000);
	assert_null(cabin_gmem_find(g, 0x800000));
}

/*
 * The table moves into guest memory (where the proxy kernel shares it):
 * its contents come along, and every later change is made there.
 */
static void test_move_table(void **state)
{
	struct cabin_gmem *g = *state;
	struct cabin_gmem_table *there = calloc(1, sizeof(*there));
	unsigned int n = g->tab->n;
	void *p;

	assert_non_null(there);
	cabin_gmem_move_table(g, there);
	assert_ptr_equal(g->tab, there);
	assert_false(g->own_tab);
	assert_int_equal(there->n, n);
	assert_int_equal(cabin_gmem_find(g, 0x404000)->off, 0x10000);
	assert_int_equal(cabin_gmem_translate(g, 0x500800, 0x1000, UR, &p), 0);
	assert_ptr_equal(p, g->host + 0x20800);
	assert_int_equal(cabin_gmem_map(g, 0x700000, 0x30000, 0x3000, URW), 0);
	assert_int_equal(cabin_gmem_unmap(g, 0x701000, 0x1000), 0);
	assert_int_equal(there->n, n + 2);
	assert_int_equal(cabin_gmem_find(g, 0x702000)->off, 0x32000);
	/* Identity mappings only where guest-physical starts at 0. */
	assert_int_equal(cabin_gmem_set(g, 0x300000, 0x1000, URW, 1, 0), 0);
	assert_int_equal(cabin_gmem_find(g, 0x300000)->off, 0x300000);
	assert_int_equal(cabin_gmem_set(g, 0x300000, 0x1000, 0x40, 1, 0), -EINVAL);
	assert_int_equal(cabin_gmem_set(g, SIZE, 0x1000, URW, 1, 0), -ERANGE);
	cabin_gmem_free(g);
	/* Not ours to free: still readable after the free. */
	assert_int_equal(there->n, n + 3);
	free(there);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init),
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_map_refusals),
		T(test_table_full),
		T(test_in_bounds),
		T(test_end_of_region),
		T(test_zero_length),
		T(test_wrap),
		T(test_gpa_bounds),
		T(test_contiguous_regions),
		T(test_piecewise),
		T(test_permissions),
		T(test_strings),
		T(test_unmap),
		T(test_fuzz),
		T(test_reserved_range),
		T(test_merge),
		T(test_move_table),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
