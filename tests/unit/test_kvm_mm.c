/*
 * The kvm platform's address space and loader on the host, no KVM needed:
 * the memory calls keep the region table and the guest page tables in
 * step, and execve lays out the program, its loader and its stack.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "platform/kvm/shared/abi.h"
#include "platform/kvm/linux/exec.h"
#include "platform/kvm/linux/mm.h"

#include "kvm_space.h"

#define MiB (1ull << 20)
#define PTE_P 1ull
#define PTE_W 2ull
#define PTE_U 4ull
#define PTE_NX (1ull << 63)

struct fixture {
	struct kvm_space s;
};

static int setup(void **state)
{
	*state = kvm_space_new(sizeof(struct fixture));
	return 0;
}

/* The leaf entry the guest's CPU would use for va, 0 when none. */
static uint64_t pte(struct fixture *f, uint64_t va)
{
	uint64_t gpa = f->s.vm.ms->pml4;
	int shift;

	for (shift = 39; shift >= 12; shift -= 9) {
		uint64_t *t;

		assert_int_equal(cabin_gmem_gpa(&f->s.vm.mem, gpa, 4096, (void **)&t), 0);
		if (shift == 12)
			return t[(va >> 12) & 511];
		if (!(t[(va >> shift) & 511] & PTE_P))
			return 0;
		gpa = t[(va >> shift) & 511] & 0x000ffffffffff000ull;
	}
	return 0;
}

static bool readable(struct fixture *f, uint64_t va, uint64_t len)
{
	void *p;

	return cabin_gmem_translate(&f->s.vm.mem, va, len,
				    CABIN_GMEM_USER | CABIN_GMEM_R, &p) == 0;
}

static bool writable(struct fixture *f, uint64_t va, uint64_t len)
{
	void *p;

	return cabin_gmem_translate(&f->s.vm.mem, va, len,
				    CABIN_GMEM_USER | CABIN_GMEM_W, &p) == 0;
}

static void test_anon_mapping_sets_both_views(void **state)
{
	struct fixture *f = *state;
	long a = cabin_kvm_mm_mmap(&f->s.mm, 0, 3 * 4096, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned char *host;

	assert_true(a > 0);
	assert_int_equal(a % 4096, 0);
	assert_true((uint64_t)a >= CABIN_KVM_USER_MIN);
	assert_true((uint64_t)a + 3 * 4096 <= f->s.vm.ms->mmap_base);
	assert_true(writable(f, (uint64_t)a, 3 * 4096));
	assert_int_equal(pte(f, (uint64_t)a), (uint64_t)a | PTE_P | PTE_W | PTE_U | PTE_NX);
	host = f->s.vm.mem.host + a;
	assert_int_equal(host[0] | host[3 * 4096 - 1], 0);
	host[5] = 7;
	/* Unmapped: gone from both views, and fresh when mapped again. */
	assert_int_equal(cabin_kvm_mm_munmap(&f->s.mm, (uint64_t)a, 3 * 4096), 0);
	assert_false(readable(f, (uint64_t)a, 1));
	assert_int_equal(pte(f, (uint64_t)a), 0);
	assert_int_equal(cabin_kvm_mm_mmap(&f->s.mm, (uint64_t)a, 4096,
					   PROT_READ | PROT_WRITE,
					   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0), a);
	assert_int_equal(host[5], 0);
}

static void test_mprotect_and_prot_none(void **state)
{
	struct fixture *f = *state;
	long a = cabin_kvm_mm_mmap(&f->s.mm, 0, 4 * 4096, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	assert_true(a > 0);
	assert_int_equal(cabin_kvm_mm_mprotect(&f->s.mm, (uint64_t)a + 4096, 4096,
					       PROT_READ | PROT_EXEC), 0);
	assert_false(writable(f, (uint64_t)a + 4096, 1));
	assert_true(readable(f, (uint64_t)a + 4096, 1));
	assert_int_equal(pte(f, (uint64_t)a + 4096), ((uint64_t)a + 4096) | PTE_P | PTE_U);
	assert_true(writable(f, (uint64_t)a, 4096));
	assert_true(writable(f, (uint64_t)a + 2 * 4096, 2 * 4096));
	/*
	 * PROT_NONE: reserved, not present, and not handed out again; the
	 * entry keeps its frame, whose data a later unmap must zero.
	 */
	assert_int_equal(cabin_kvm_mm_mprotect(&f->s.mm, (uint64_t)a + 2 * 4096, 4096,
					       PROT_NONE), 0);
	assert_false(readable(f, (uint64_t)a + 2 * 4096, 1));
	assert_int_equal(pte(f, (uint64_t)a + 2 * 4096),
			 ((uint64_t)a + 2 * 4096) | CABIN_PTE_KEPT);
	assert_false(cabin_kvm_mm_is_free(&f->s.mm, (uint64_t)a + 2 * 4096, 4096));
	assert_int_equal(cabin_kvm_mm_range_prot(&f->s.mm, (uint64_t)a, 4 * 4096),
			 PROT_READ | PROT_WRITE | PROT_EXEC);
	/* Linux wants every page mapped. */
	assert_int_equal(cabin_kvm_mm_mprotect(&f->s.mm, (uint64_t)a, 8 * 4096,
					       PROT_READ), -ENOMEM);
	assert_int_equal(cabin_kvm_mm_mprotect(&f->s.mm, (uint64_t)a + 1, 4096,
					       PROT_READ), -EINVAL);
}

static void test_fixed_mappings_stay_in_user_space(void **state)
{
	struct fixture *f = *state;
	int anon = MAP_PRIVATE | MAP_ANONYMOUS;

	assert_int_equal(cabin_kvm_mm_mmap(&f->s.mm, CABIN_KVM_STACK, 4096, PROT_READ,
					   anon | MAP_FIXED, -1, 0), -EPERM);
	assert_int_equal(cabin_kvm_mm_mmap(&f->s.mm, f->s.vm.user_top, 4096, PROT_READ,
					   anon | MAP_FIXED, -1, 0), -ENOMEM);
	assert_int_equal(cabin_kvm_mm_mmap(&f->s.mm, f->s.vm.user_top - 4096, 2 * 4096,
					   PROT_READ, anon | MAP_FIXED, -1, 0), -ENOMEM);
	assert_int_equal(cabin_kvm_mm_mmap(&f->s.mm, 0x400000, 4096, PROT_READ,
					   anon | MAP_FIXED, -1, 0), 0x400000);
	assert_int_equal(cabin_kvm_mm_mmap(&f->s.mm, 0x400000, 4096, PROT_READ,
					   anon | MAP_FIXED_NOREPLACE, -1, 0), -EEXIST);
	/* A hint that is taken moves elsewhere, never over it. */
	assert_int_not_equal(cabin_kvm_mm_mmap(&f->s.mm, 0x400000, 4096, PROT_READ,
					       anon, -1, 0), 0x400000);
	assert_int_equal(cabin_kvm_mm_mmap(&f->s.mm, 0, UINT64_MAX - 10, PROT_READ,
					   anon, -1, 0), -ENOMEM);
	assert_int_equal(cabin_kvm_mm_mmap(&f->s.mm, 0, 0, PROT_READ, anon, -1, 0),
			 -EINVAL);
	assert_int_equal(cabin_kvm_mm_munmap(&f->s.mm, 0x1000, 4096), -EINVAL);
	/* Nothing reaches the page tables or the kernel area. */
	assert_false(cabin_kvm_mm_is_free(&f->s.mm, f->s.vm.user_top, 4096));
	assert_false(cabin_kvm_mm_is_free(&f->s.mm, 0x100000, 4096));
}

static void test_private_file_mapping_is_a_copy(void **state)
{
	struct fixture *f = *state;
	char path[] = "/tmp/cabin-mm-XXXXXX";
	int fd = mkstemp(path);
	long a;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, "abcdefgh", 8), 8);
	a = cabin_kvm_mm_mmap(&f->s.mm, 0, 2 * 4096, PROT_READ, MAP_PRIVATE, fd, 0);
	assert_true(a > 0);
	assert_memory_equal(f->s.vm.mem.host + a, "abcdefgh", 8);
	/* Past the end of the file: zeros, not a bus error in the monitor. */
	assert_int_equal(f->s.vm.mem.host[a + 4096 + 10], 0);
	assert_int_equal(pwrite(fd, "XY", 2, 0), 2);
	assert_memory_equal(f->s.vm.mem.host + a, "ab", 2);
	assert_false(writable(f, (uint64_t)a, 1));
	{
		char name[256];

		assert_int_equal(cabin_kvm_mm_describe(&f->s.mm, (uint64_t)a + 4100,
						       name, sizeof(name)), 0);
		assert_non_null(strstr(name, "cabin-mm-"));
		assert_non_null(strstr(name, "+0x1004"));
	}
	close(fd);
	unlink(path);
	assert_int_equal(cabin_kvm_mm_mmap(&f->s.mm, 0, 4096, PROT_READ, MAP_PRIVATE,
					   fd, 0), -EBADF);
}

static void test_brk_and_mremap(void **state)
{
	struct fixture *f = *state;
	uint64_t start = 0x800000;
	long a, b;

	f->s.vm.ms->brk_start = f->s.vm.ms->brk = start;
	assert_int_equal(cabin_kvm_mm_brk(&f->s.mm, 0), start);
	assert_int_equal(cabin_kvm_mm_brk(&f->s.mm, start + 10000), start + 10000);
	assert_true(writable(f, start, 12288));
	assert_int_equal(cabin_kvm_mm_brk(&f->s.mm, start + 100), start + 100);
	assert_false(readable(f, start + 4096, 1));
	assert_int_equal(cabin_kvm_mm_brk(&f->s.mm, start - 4096), start + 100);

	a = cabin_kvm_mm_mmap(&f->s.mm, 0, 4096, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(a > 0);
	memcpy(f->s.vm.mem.host + a, "keep", 4);
	/* Something right after it: growing must move. */
	assert_int_equal(cabin_kvm_mm_mmap(&f->s.mm, (uint64_t)a + 4096, 4096, PROT_READ,
					   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0),
			 a + 4096);
	assert_int_equal(cabin_kvm_mm_mremap(&f->s.mm, (uint64_t)a, 4096, 8192, 0, 0),
			 -ENOMEM);
	b = cabin_kvm_mm_mremap(&f->s.mm, (uint64_t)a, 4096, 8192, MREMAP_MAYMOVE, 0);
	assert_true(b > 0 && b != a);
	assert_memory_equal(f->s.vm.mem.host + b, "keep", 4);
	assert_true(writable(f, (uint64_t)b, 8192));
	assert_false(readable(f, (uint64_t)a, 1));
}

static uint64_t aux(const uint64_t *v, uint64_t type)
{
	for (; v[0] != AT_NULL; v += 2)
		if (v[0] == type)
			return v[1];
	return 0;
}

static void test_exec_lays_out_program_loader_and_stack(void **state)
{
	struct fixture *f = *state;
	char *argv[] = { "prog", "one", NULL }, *envp[] = { "A=b", NULL };
	struct cabin_kvm_start st;
	char why[256];
	uint64_t *sp, *v;
	const Elf64_Ehdr *eh;

	/* The program's file by descriptor, as cabin and execve pass it. */
	int fd = open("/proc/self/exe", O_PATH | O_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(cabin_kvm_exec(&f->s.mm, "/proc/self/exe", fd, argv, envp,
					&st, why, sizeof(why)), 0);
	close(fd);
	assert_int_equal(st.sp % 16, 0);
	sp = (uint64_t *)(f->s.vm.mem.host + st.sp);
	assert_int_equal(sp[0], 2);
	assert_string_equal((char *)f->s.vm.mem.host + sp[1], "prog");
	assert_string_equal((char *)f->s.vm.mem.host + sp[2], "one");
	assert_int_equal(sp[3], 0);
	assert_string_equal((char *)f->s.vm.mem.host + sp[4], "A=b");
	assert_int_equal(sp[5], 0);
	v = &sp[6];
	/* The loader runs first; the program's entry is in the auxv. */
	assert_true(aux(v, AT_BASE) != 0);
	assert_int_equal(aux(v, AT_PAGESZ), 4096);
	eh = (const Elf64_Ehdr *)(f->s.vm.mem.host + aux(v, AT_PHDR) -
				  sizeof(Elf64_Ehdr));
	assert_memory_equal(eh->e_ident, ELFMAG, SELFMAG);
	assert_true(readable(f, aux(v, AT_ENTRY), 1));
	assert_true(readable(f, aux(v, AT_RANDOM), 16));
	assert_true(st.entry >= aux(v, AT_BASE));
	/* Code is executable and not writable; the stack the opposite. */
	assert_true(readable(f, st.entry, 1));
	assert_false(writable(f, st.entry, 1));
	assert_false(pte(f, st.entry) & (PTE_NX | PTE_W));
	assert_true(pte(f, st.sp) & PTE_NX);
	assert_true(writable(f, st.sp, 64));
}

static void test_exec_refuses_bad_files_and_keeps_the_old_program(void **state)
{
	struct fixture *f = *state;
	char *argv[] = { "x", NULL };
	char path[] = "/tmp/cabin-exec-XXXXXX", why[256];
	struct cabin_kvm_start st;
	int fd = mkstemp(path);
	long a = cabin_kvm_mm_mmap(&f->s.mm, 0, 4096, PROT_READ,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	assert_true(fd >= 0 && a > 0);
	assert_int_equal(write(fd, "\177ELF\2\1\1\0garbage", 16), 16);
	/* No x bit: execve's EACCES, before the file is even read. */
	assert_int_equal(cabin_kvm_exec(&f->s.mm, path, -1, argv, argv, &st, why,
					sizeof(why)), -EACCES);
	assert_int_equal(fchmod(fd, 0700), 0);
	assert_int_equal(cabin_kvm_exec(&f->s.mm, path, -1, argv, argv, &st, why,
					sizeof(why)), -ENOEXEC);
	assert_non_null(strstr(why, "not a runnable"));
	assert_true(readable(f, (uint64_t)a, 1));
	assert_int_equal(ftruncate(fd, 0), 0);
	assert_int_equal(pwrite(fd, "#!/nonexistent/sh\n", 18, 0), 18);
	assert_int_equal(cabin_kvm_exec(&f->s.mm, path, -1, argv, argv, &st, why,
					sizeof(why)), -ENOENT);
	assert_true(readable(f, (uint64_t)a, 1));
	assert_int_equal(cabin_kvm_exec(&f->s.mm, "/nonexistent", -1, argv, argv, &st,
					why, sizeof(why)), -ENOENT);
	close(fd);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_anon_mapping_sets_both_views, setup, kvm_space_teardown),
		cmocka_unit_test_setup_teardown(test_mprotect_and_prot_none, setup, kvm_space_teardown),
		cmocka_unit_test_setup_teardown(test_fixed_mappings_stay_in_user_space, setup, kvm_space_teardown),
		cmocka_unit_test_setup_teardown(test_private_file_mapping_is_a_copy, setup, kvm_space_teardown),
		cmocka_unit_test_setup_teardown(test_brk_and_mremap, setup, kvm_space_teardown),
		cmocka_unit_test_setup_teardown(test_exec_lays_out_program_loader_and_stack, setup, kvm_space_teardown),
		cmocka_unit_test_setup_teardown(test_exec_refuses_bad_files_and_keeps_the_old_program, setup, kvm_space_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
