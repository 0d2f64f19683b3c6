/*
 * The proxy kernel's anonymous memory (anon.c) run on the host, against
 * the monitor's own address space (mm.c) on the same guest memory: lazy
 * mappings, faults, frames given back on unmap, protection changes,
 * refills, and the calls it must leave to the monitor.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "platform/kvm/shared/anon.h"
#include "platform/kvm/linux/mm.h"

#include "kvm_space.h"

#define MiB (1ull << 20)
#define PG 4096ull
#define RW (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)
#define FB CABIN_ANON_FALLBACK
#define BATCH 16
#define E_PRESENT (CABIN_PTE_P | CABIN_PTE_U | CABIN_PTE_NX)

struct fixture {
	struct kvm_space s;
	struct cabin_anon a;
	unsigned int released, flushes, refills;
};

/* The callbacks get the anon context only: the fixture is here. */
static struct fixture *cur;

/* The monitor's side of PORT_RELEASE, as the kernel's exit reaches it. */
static void release(const struct cabin_anon *a, uint64_t lo, uint64_t hi)
{
	a->pt.ms->release_lo = lo;
	a->pt.ms->release_hi = hi;
	assert_int_equal(cabin_kvm_mm_release(&cur->s.mm), 0);
	cur->released += (unsigned int)((hi - lo) / PG);
}

static void flush(const struct cabin_anon *a)
{
	(void)a;
	cur->flushes++;
}

static void refill(const struct cabin_anon *a, uint64_t gva)
{
	(void)a;
	cur->refills++;
	assert_int_equal(cabin_kvm_mm_refill(&cur->s.mm, gva / PG), 0);
}

static int setup(void **state)
{
	struct fixture *f = kvm_space_new(sizeof(*f));

	f->s.vm.ms->batch = BATCH;
	f->s.vm.ms->brk_start = f->s.vm.ms->brk = 0x800000;
	f->a = (struct cabin_anon){
		.pt = f->s.vm.pt,
		.tab = f->s.vm.mem.tab,
		.grants = f->s.vm.mem.host + CABIN_KVM_GRANTS,
		.flush = flush,
		.refill = refill,
		.release = release,
	};
	cur = f;
	*state = f;
	return 0;
}

/* The leaf entry of va, 0 when there is none. */
static uint64_t pte(struct fixture *f, uint64_t va)
{
	uint64_t *e = cabin_pt_leaf(&f->s.vm.pt, va, 0);

	return e ? *e : 0;
}

static unsigned char *host(struct fixture *f, uint64_t va)
{
	return f->s.vm.mem.host + va;
}

static void test_mmap_is_lazy_and_faults_map_pages(void **state)
{
	struct fixture *f = *state;
	uint64_t want = cabin_kvm_mm_find_free(&f->s.mm, 3 * PG);
	long a = cabin_anon_mmap(&f->a, 0, 3 * PG - 100, RW, ANON, 0);
	const struct cabin_gmem_region *r;

	/* Where the monitor would have put it, recorded, nothing mapped. */
	assert_int_equal(a, want);
	r = cabin_gmem_find(&f->s.vm.mem, (uint64_t)a);
	assert_non_null(r);
	assert_int_equal(r->len, 3 * PG);
	assert_int_equal(r->prot, CABIN_GMEM_USER | CABIN_GMEM_R | CABIN_GMEM_W);
	assert_int_equal(r->tag, CABIN_KVM_TAG_ANON);
	assert_int_equal(pte(f, (uint64_t)a), 0);
	assert_int_equal(pte(f, (uint64_t)a + PG), 0);
	assert_int_equal(f->s.vm.ms->calls, 1);
	/* A write fault maps the page writable; the run is granted once. */
	assert_int_equal(cabin_anon_fault(&f->a, (uint64_t)a + PG + 8, CABIN_PF_W | 4), 1);
	assert_int_equal(pte(f, (uint64_t)a + PG),
			 ((uint64_t)a + PG) | E_PRESENT | CABIN_PTE_W);
	assert_int_equal(cabin_anon_fault(&f->a, (uint64_t)a, 4), 1);
	assert_int_equal(f->s.vm.ms->faults, 2);
	assert_int_equal(f->refills, (uint64_t)a / PG / BATCH ==
				     ((uint64_t)a + PG) / PG / BATCH ? 1 : 2);
	/* What a fault may not do: fetch from NX memory, a present page, no region. */
	assert_int_equal(cabin_anon_fault(&f->a, (uint64_t)a + 2 * PG, CABIN_PF_I | 4), 0);
	assert_int_equal(cabin_anon_fault(&f->a, (uint64_t)a, CABIN_PF_P | CABIN_PF_W), 0);
	assert_int_equal(cabin_anon_fault(&f->a, (uint64_t)a + 3 * PG, 4), 0);
	assert_int_equal(cabin_anon_fault(&f->a, 0x10000, 0), 0);
	assert_int_equal(f->s.vm.ms->faults, 2);
}

static void test_refills_grant_whole_runs(void **state)
{
	struct fixture *f = *state;
	long a = cabin_anon_mmap(&f->a, 0, 4 * BATCH * PG, RW, ANON, 0);
	uint64_t p, first = ((uint64_t)a + BATCH * PG - 1) / (BATCH * PG) * BATCH * PG;
	unsigned int runs = 0;

	assert_true(a > 0);
	for (p = (uint64_t)a; p < (uint64_t)a + 4 * BATCH * PG; p += PG)
		assert_int_equal(cabin_anon_fault(&f->a, p, CABIN_PF_W), 1);
	for (p = (uint64_t)a / PG / BATCH * BATCH * PG;
	     p < (uint64_t)a + 4 * BATCH * PG; p += BATCH * PG)
		runs++;
	assert_int_equal(f->refills, runs);
	assert_int_equal(f->s.vm.ms->faults, 4 * BATCH);
	/* The bit of a granted run is set; the page after the mapping is not. */
	assert_true(f->a.grants[first / PG / BATCH / 8] & (1u << (first / PG / BATCH % 8)));
	assert_int_equal(cabin_kvm_mm_refill(&f->s.mm, 0), -EINVAL);
	assert_int_equal(cabin_kvm_mm_refill(&f->s.mm, f->s.vm.user_top / PG), -EINVAL);
	/* Freed, the runs wholly inside are no longer granted; the edges stay. */
	assert_int_equal(cabin_anon_munmap(&f->a, (uint64_t)a, 4 * BATCH * PG), 0);
	assert_int_equal(f->released, 4 * BATCH);
	assert_false(f->a.grants[first / PG / BATCH / 8] & (1u << (first / PG / BATCH % 8)));
	assert_int_equal(f->s.vm.ms->released, 4 * BATCH);
}

/* What the monitor refuses to give back: shared memory, outside user space. */
static void test_release_refuses_what_is_not_private(void **state)
{
	struct fixture *f = *state;
	struct cabin_kvm_mmstate *ms = f->s.vm.ms;
	long s = cabin_kvm_mm_mmap(&f->s.mm, 0, 2 * PG, RW,
				   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	long a = cabin_anon_mmap(&f->a, 0, 2 * PG, RW, ANON, 0);

	assert_true(s > 0 && a > 0);
	host(f, (uint64_t)s)[0] = 5;
	ms->release_lo = (uint64_t)s;
	ms->release_hi = (uint64_t)s + PG;
	assert_int_equal(cabin_kvm_mm_release(&f->s.mm), -EINVAL);
	assert_int_equal(host(f, (uint64_t)s)[0], 5);
	ms->release_lo = 0;
	ms->release_hi = PG;
	assert_int_equal(cabin_kvm_mm_release(&f->s.mm), -EINVAL);
	ms->release_lo = (uint64_t)a + 1;
	ms->release_hi = (uint64_t)a + PG;
	assert_int_equal(cabin_kvm_mm_release(&f->s.mm), -EINVAL);
	ms->release_lo = ms->release_hi = (uint64_t)a;
	assert_int_equal(cabin_kvm_mm_release(&f->s.mm), -EINVAL);
	/* Private memory reads as zero after. */
	host(f, (uint64_t)a)[0] = 9;
	ms->release_lo = (uint64_t)a;
	ms->release_hi = (uint64_t)a + PG;
	assert_int_equal(cabin_kvm_mm_release(&f->s.mm), 0);
	assert_int_equal(host(f, (uint64_t)a)[0], 0);
}

static void test_munmap_zeroes_only_mapped_frames(void **state)
{
	struct fixture *f = *state;
	long a = cabin_anon_mmap(&f->a, 0, 4 * PG, RW, ANON, 0);

	assert_int_equal(cabin_anon_fault(&f->a, (uint64_t)a + PG, CABIN_PF_W), 1);
	memset(host(f, (uint64_t)a + PG), 0xaa, PG);
	f->flushes = 0;
	assert_int_equal(cabin_anon_munmap(&f->a, (uint64_t)a, 4 * PG), 0);
	assert_int_equal(f->released, 1);
	assert_int_equal(f->flushes, 1);
	assert_int_equal(host(f, (uint64_t)a + PG)[100], 0);
	assert_int_equal(pte(f, (uint64_t)a + PG), 0);
	assert_null(cabin_gmem_find(&f->s.vm.mem, (uint64_t)a));
	/* Nothing there: nothing to zero, nothing to flush, still 0 as on Linux. */
	assert_int_equal(cabin_anon_munmap(&f->a, (uint64_t)a, 4 * PG), 0);
	assert_int_equal(f->flushes, 1);
	assert_int_equal(cabin_anon_munmap(&f->a, (uint64_t)a + 1, PG), FB);
	assert_int_equal(cabin_anon_munmap(&f->a, (uint64_t)a, 0), FB);
}

static void test_mprotect_changes_only_mapped_entries(void **state)
{
	struct fixture *f = *state;
	long a = cabin_anon_mmap(&f->a, 0, 4 * PG, RW, ANON, 0);

	assert_int_equal(cabin_anon_fault(&f->a, (uint64_t)a, CABIN_PF_W), 1);
	host(f, (uint64_t)a)[0] = 7;
	assert_int_equal(cabin_anon_mprotect(&f->a, (uint64_t)a, 2 * PG, PROT_READ), 0);
	assert_int_equal(pte(f, (uint64_t)a), (uint64_t)a | E_PRESENT);
	assert_int_equal(pte(f, (uint64_t)a + PG), 0);
	/* Split in two regions; a write fault on the read-only half is not ours. */
	assert_int_equal(cabin_gmem_find(&f->s.vm.mem, (uint64_t)a)->len, 2 * PG);
	assert_int_equal(cabin_anon_fault(&f->a, (uint64_t)a + PG, CABIN_PF_W), 0);
	assert_int_equal(cabin_anon_fault(&f->a, (uint64_t)a + PG, 0), 1);
	assert_int_equal(pte(f, (uint64_t)a + PG), ((uint64_t)a + PG) | E_PRESENT);
	/* PROT_NONE keeps the frame, and back again the data is there. */
	assert_int_equal(cabin_anon_mprotect(&f->a, (uint64_t)a, 4 * PG, PROT_NONE), 0);
	assert_int_equal(pte(f, (uint64_t)a), (uint64_t)a | CABIN_PTE_KEPT);
	assert_int_equal(pte(f, (uint64_t)a + 2 * PG), 0);
	assert_int_equal(cabin_anon_fault(&f->a, (uint64_t)a + 2 * PG, 0), 0);
	assert_int_equal(cabin_anon_mprotect(&f->a, (uint64_t)a, 4 * PG, RW), 0);
	assert_int_equal(pte(f, (uint64_t)a), (uint64_t)a | E_PRESENT | CABIN_PTE_W);
	assert_int_equal(host(f, (uint64_t)a)[0], 7);
	assert_int_equal(cabin_gmem_find(&f->s.vm.mem, (uint64_t)a)->len, 4 * PG);
	/* A kept frame is zeroed by munmap too. */
	assert_int_equal(cabin_anon_mprotect(&f->a, (uint64_t)a, PG, PROT_NONE), 0);
	f->released = 0;
	assert_int_equal(cabin_anon_munmap(&f->a, (uint64_t)a, 4 * PG), 0);
	assert_int_equal(f->released, 2);
	assert_int_equal(host(f, (uint64_t)a)[0], 0);
	/* Linux wants every page mapped: the monitor says ENOMEM. */
	assert_int_equal(cabin_anon_mprotect(&f->a, (uint64_t)a, PG, PROT_READ), FB);
	assert_int_equal(cabin_kvm_mm_mprotect(&f->s.mm, (uint64_t)a, PG, PROT_READ), -ENOMEM);
}

static void test_dontneed_and_hints(void **state)
{
	struct fixture *f = *state;
	long a = cabin_anon_mmap(&f->a, 0, 4 * PG, RW, ANON, 0);

	assert_int_equal(cabin_anon_fault(&f->a, (uint64_t)a + PG, CABIN_PF_W), 1);
	host(f, (uint64_t)a + PG)[5] = 9;
	assert_int_equal(cabin_anon_madvise(&f->a, (uint64_t)a, 4 * PG, MADV_DONTNEED), 0);
	assert_int_equal(host(f, (uint64_t)a + PG)[5], 0);
	assert_int_equal(pte(f, (uint64_t)a + PG), 0);
	assert_non_null(cabin_gmem_find(&f->s.vm.mem, (uint64_t)a + PG));
	assert_int_equal(cabin_anon_madvise(&f->a, (uint64_t)a, 4 * PG, MADV_WILLNEED), 0);
	/* A hole, an unknown advice: the monitor's to answer. */
	assert_int_equal(cabin_anon_madvise(&f->a, (uint64_t)a, 5 * PG, MADV_DONTNEED), FB);
	assert_int_equal(cabin_anon_madvise(&f->a, (uint64_t)a, PG, 12345), FB);
}

static void test_brk_grows_lazily_and_shrinks_to_zeros(void **state)
{
	struct fixture *f = *state;
	uint64_t start = f->s.vm.ms->brk;

	assert_int_equal(cabin_anon_brk(&f->a, 0), start);
	assert_int_equal(cabin_anon_brk(&f->a, start + 10000), start + 10000);
	assert_int_equal(cabin_gmem_find(&f->s.vm.mem, start + 8192)->tag,
			 CABIN_KVM_TAG_HEAP);
	assert_int_equal(pte(f, start), 0);
	assert_int_equal(cabin_anon_fault(&f->a, start + 8192, CABIN_PF_W), 1);
	host(f, start + 8192)[0] = 1;
	assert_int_equal(cabin_anon_brk(&f->a, start + 100), start + 100);
	assert_int_equal(host(f, start + 8192)[0], 0);
	assert_null(cabin_gmem_find(&f->s.vm.mem, start + 8192));
	assert_int_equal(f->s.vm.ms->brk, start + 100);
	/* Into something mapped: the monitor refuses (and returns the break). */
	assert_true(cabin_kvm_mm_mmap(&f->s.mm, start + 2 * MiB, PG, RW,
				      ANON | MAP_FIXED, -1, 0) > 0);
	assert_int_equal(cabin_anon_brk(&f->a, start + 3 * MiB), FB);
	assert_int_equal(cabin_kvm_mm_brk(&f->s.mm, start + 3 * MiB), start + 100);
}

static void test_mremap_in_place(void **state)
{
	struct fixture *f = *state;
	long a = cabin_anon_mmap(&f->a, 0, 2 * PG, RW, ANON, 0);
	long b;

	/* Room above it: grown in place, one region. */
	assert_true(cabin_gmem_table_is_free(f->s.vm.mem.tab, (uint64_t)a + 2 * PG, 2 * PG));
	assert_int_equal(cabin_anon_mremap(&f->a, (uint64_t)a, 2 * PG, 4 * PG, 0), a);
	assert_int_equal(cabin_gmem_find(&f->s.vm.mem, (uint64_t)a)->len, 4 * PG);
	assert_int_equal(cabin_anon_fault(&f->a, (uint64_t)a + 3 * PG, CABIN_PF_W), 1);
	host(f, (uint64_t)a + 3 * PG)[0] = 3;
	assert_int_equal(cabin_anon_mremap(&f->a, (uint64_t)a, 4 * PG, PG, 0), a);
	assert_int_equal(host(f, (uint64_t)a + 3 * PG)[0], 0);
	/* Blocked above: a move, which is the monitor's. */
	b = cabin_anon_mmap(&f->a, (uint64_t)a + PG, PG, RW, ANON | MAP_FIXED, 0);
	assert_int_equal(b, a + (long)PG);
	assert_int_equal(cabin_anon_mremap(&f->a, (uint64_t)a, PG, 2 * PG, MREMAP_MAYMOVE), FB);
	assert_int_equal(cabin_anon_mremap(&f->a, (uint64_t)a, PG, 2 * PG,
					   MREMAP_MAYMOVE | MREMAP_FIXED), FB);
}

static void test_fixed_mapping_replaces_with_zeros(void **state)
{
	struct fixture *f = *state;
	long a = cabin_anon_mmap(&f->a, 0, 2 * PG, RW, ANON, 0);

	assert_int_equal(cabin_anon_fault(&f->a, (uint64_t)a, CABIN_PF_W), 1);
	host(f, (uint64_t)a)[0] = 5;
	assert_int_equal(cabin_anon_mmap(&f->a, (uint64_t)a, PG, PROT_READ,
					 ANON | MAP_FIXED, 0), a);
	assert_int_equal(host(f, (uint64_t)a)[0], 0);
	assert_int_equal(pte(f, (uint64_t)a), 0);
	assert_int_equal(cabin_gmem_find(&f->s.vm.mem, (uint64_t)a)->prot,
			 CABIN_GMEM_USER | CABIN_GMEM_R);
	/* NOREPLACE over it, and a hint: EEXIST is the monitor's; a hint moves. */
	assert_int_equal(cabin_anon_mmap(&f->a, (uint64_t)a, PG, RW,
					 ANON | MAP_FIXED_NOREPLACE, 0), FB);
	assert_true(cabin_anon_mmap(&f->a, (uint64_t)a, PG, RW, ANON, 0) != a);
}

/* What only the monitor may do stays the monitor's. */
static void test_falls_back_for_files_and_errors(void **state)
{
	struct fixture *f = *state;
	char path[] = "/tmp/cabin-anon-XXXXXX";
	int fd = mkstemp(path);
	long s, p;

	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 2 * PG), 0);
	s = cabin_kvm_mm_mmap(&f->s.mm, 0, 2 * PG, RW, MAP_SHARED, fd, 0);
	p = cabin_kvm_mm_mmap(&f->s.mm, 0, 2 * PG, RW, MAP_PRIVATE, fd, 0);
	assert_true(s > 0 && p > 0);
	assert_int_equal(cabin_anon_mmap(&f->a, 0, PG, RW, MAP_SHARED | MAP_ANONYMOUS, 0), FB);
	assert_int_equal(cabin_anon_mmap(&f->a, 0, PG, RW, MAP_PRIVATE, 0), FB);
	assert_int_equal(cabin_anon_mmap(&f->a, 0, PG, RW | 0x100, ANON, 0), FB);
	assert_int_equal(cabin_anon_mmap(&f->a, 0, PG, RW, ANON | MAP_POPULATE, 0), FB);
	assert_int_equal(cabin_anon_mmap(&f->a, 0, PG, RW, ANON, 100), FB);
	assert_int_equal(cabin_anon_mmap(&f->a, 0, 0, RW, ANON, 0), FB);
	/* A shared file mapping: not replaced, unmapped, protected or faulted here. */
	assert_int_equal(cabin_anon_mmap(&f->a, (uint64_t)s, PG, RW, ANON | MAP_FIXED, 0), FB);
	assert_int_equal(cabin_anon_munmap(&f->a, (uint64_t)s, PG), FB);
	assert_int_equal(cabin_anon_mprotect(&f->a, (uint64_t)s, PG, PROT_READ), FB);
	assert_int_equal(cabin_anon_fault(&f->a, (uint64_t)s, 0), 0);
	/* A private copy is the program's own: protected and unmapped here... */
	assert_int_equal(cabin_anon_mprotect(&f->a, (uint64_t)p, PG, PROT_READ), 0);
	assert_int_equal(pte(f, (uint64_t)p) & (CABIN_PTE_P | CABIN_PTE_W), CABIN_PTE_P);
	/* ...but its pages do not read back as zeros after DONTNEED, nor move. */
	assert_int_equal(cabin_anon_madvise(&f->a, (uint64_t)p, PG, MADV_DONTNEED), FB);
	assert_int_equal(cabin_anon_mremap(&f->a, (uint64_t)p, PG, 2 * PG, 0), FB);
	assert_int_equal(cabin_anon_munmap(&f->a, (uint64_t)p, 2 * PG), 0);
	close(fd);
	unlink(path);
}

/*
 * The monitor writes a page the program never touched (a read(2) into a
 * fresh buffer): the page is mapped then, so that munmap zeroes it and
 * the next mapping there reads zeros.
 */
static void test_monitor_writes_map_pages(void **state)
{
	struct fixture *f = *state;
	long a = cabin_anon_mmap(&f->a, 0, 4 * PG, RW, ANON, 0);
	void *p;

	assert_int_equal(cabin_gmem_write(&f->s.vm.mem, (uint64_t)a + PG + 10, "data", 4), 0);
	assert_int_equal(pte(f, (uint64_t)a + PG), ((uint64_t)a + PG) | E_PRESENT | CABIN_PTE_W);
	assert_int_equal(cabin_gmem_translate(&f->s.vm.mem, (uint64_t)a + 2 * PG, 2 * PG,
					      CABIN_GMEM_USER | CABIN_GMEM_W, &p), 0);
	assert_int_equal(pte(f, (uint64_t)a + 3 * PG) & CABIN_PTE_P, CABIN_PTE_P);
	/* Reading maps nothing. */
	assert_int_equal(cabin_gmem_translate(&f->s.vm.mem, (uint64_t)a, PG,
					      CABIN_GMEM_USER | CABIN_GMEM_R, &p), 0);
	assert_int_equal(pte(f, (uint64_t)a), 0);
	assert_int_equal(cabin_anon_munmap(&f->a, (uint64_t)a, 4 * PG), 0);
	assert_int_equal(f->released, 3);
	assert_int_equal(cabin_anon_mmap(&f->a, (uint64_t)a, 4 * PG, RW, ANON, 0), a);
	assert_int_equal(host(f, (uint64_t)a + PG)[10], 0);
}

/* The monitor's PROT_NONE keeps entries unless the frames are fresh zeros. */
static void test_monitor_prot_none_keeps_frames(void **state)
{
	struct fixture *f = *state;
	long a = cabin_kvm_mm_mmap(&f->s.mm, 0, 2 * PG, PROT_NONE, ANON, -1, 0);

	assert_true(a > 0);
	assert_int_equal(pte(f, (uint64_t)a), 0);
	assert_int_equal(cabin_kvm_mm_mprotect(&f->s.mm, (uint64_t)a, 2 * PG, RW), 0);
	host(f, (uint64_t)a)[0] = 1;
	assert_int_equal(cabin_kvm_mm_mprotect(&f->s.mm, (uint64_t)a, 2 * PG, PROT_NONE), 0);
	assert_int_equal(pte(f, (uint64_t)a), (uint64_t)a | CABIN_PTE_KEPT);
	assert_int_equal(cabin_anon_munmap(&f->a, (uint64_t)a, 2 * PG), 0);
	assert_int_equal(f->released, 2);
	assert_int_equal(host(f, (uint64_t)a)[0], 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, kvm_space_teardown)
		T(test_mmap_is_lazy_and_faults_map_pages),
		T(test_refills_grant_whole_runs),
		T(test_release_refuses_what_is_not_private),
		T(test_munmap_zeroes_only_mapped_frames),
		T(test_mprotect_changes_only_mapped_entries),
		T(test_dontneed_and_hints),
		T(test_brk_grows_lazily_and_shrinks_to_zeros),
		T(test_mremap_in_place),
		T(test_fixed_mapping_replaces_with_zeros),
		T(test_falls_back_for_files_and_errors),
		T(test_monitor_writes_map_pages),
		T(test_monitor_prot_none_keeps_frames),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
