/*
 * The kvm platform's ELF loader on the host: plans of real binaries agree
 * with readelf, and a hand-built image broken one field at a time is
 * refused with the defect's name.  Every image is handed over in a heap
 * buffer of exactly its size, so ASan sees any read past its end.
 */
#include <elf.h>
#include <errno.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>

#include "platform/kvm/linux/elf.h"

#define IMG_SIZE	0x3000
#define INTERP		"/lib64/ld-test.so.2"

/* The hand-built image: R headers page, RX text page, RW data with bss. */
static union {
	unsigned char b[IMG_SIZE];
	Elf64_Ehdr eh;
} img;

static Elf64_Phdr *phdr(size_t i)
{
	return (Elf64_Phdr *)(img.b + sizeof(Elf64_Ehdr)) + i;
}

static void set_phdr(size_t i, uint32_t type, uint32_t flags, uint64_t off,
		     uint64_t vaddr, uint64_t filesz, uint64_t memsz)
{
	Elf64_Phdr *ph = phdr(i);

	ph->p_type = type;
	ph->p_flags = flags;
	ph->p_offset = off;
	ph->p_vaddr = ph->p_paddr = vaddr;
	ph->p_filesz = filesz;
	ph->p_memsz = memsz;
	ph->p_align = type == PT_LOAD ? 0x1000 : 1;
}

static int build(void **state)
{
	Elf64_Ehdr *eh = &img.eh;
	size_t i;

	(void)state;
	memset(&img, 0, sizeof(img));
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_entry = 0x401010;
	eh->e_phoff = sizeof(Elf64_Ehdr);
	eh->e_ehsize = sizeof(Elf64_Ehdr);
	eh->e_phentsize = sizeof(Elf64_Phdr);
	eh->e_phnum = 5;
	set_phdr(0, PT_LOAD, PF_R, 0, 0x400000, 0x1000, 0x1000);
	set_phdr(1, PT_LOAD, PF_R | PF_X, 0x1000, 0x401000, 0x1000, 0x1000);
	set_phdr(2, PT_LOAD, PF_R | PF_W, 0x2000, 0x402000, 0x100, 0x3000);
	set_phdr(3, PT_INTERP, PF_R, 0x2800, 0x402800, sizeof(INTERP),
		 sizeof(INTERP));
	set_phdr(4, PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0);
	memcpy(img.b + 0x2800, INTERP, sizeof(INTERP));
	for (i = 0x1000; i < 0x2100; i++)
		img.b[i] = (unsigned char)(i * 7 + 1);
	return 0;
}

/* Plan a copy of image[0..size) that ends exactly where the heap block does. */
static int plan_exact(const void *image, size_t size,
		      struct cabin_elf_plan *plan, const char **why)
{
	void *copy = malloc(size ? size : 1);
	int err;

	assert_non_null(copy);
	memcpy(copy, image, size);
	err = cabin_elf_plan(copy, size, plan, why);
	free(copy);
	return err;
}

static void expect_bad_image(const void *image, size_t size, const char *sub)
{
	struct cabin_elf_plan plan;
	const char *why = NULL;
	int err = plan_exact(image, size, &plan, &why);

	if (err != -ENOEXEC || !why || !strstr(why, sub))
		fail_msg("size %zu: got %d \"%s\", wanted \"%s\"", size, err,
			 why ? why : "(null)", sub);
	assert_int_equal(plan.nseg, 0);
}

static void expect_bad(const char *sub)
{
	expect_bad_image(img.b, sizeof(img.b), sub);
}

static void test_synthetic_plan(void **state)
{
	struct cabin_elf_plan plan;
	const char *why = "unset";

	(void)state;
	assert_int_equal(plan_exact(img.b, sizeof(img.b), &plan, &why), 0);
	assert_null(why);
	assert_false(plan.pie);
	assert_int_equal(plan.entry, 0x401010);
	assert_int_equal(plan.lo, 0x400000);
	assert_int_equal(plan.hi, 0x405000);
	assert_int_equal(plan.nseg, 3);
	assert_int_equal(plan.seg[1].prot, PROT_READ | PROT_EXEC);
	assert_int_equal(plan.seg[2].prot, PROT_READ | PROT_WRITE);
	assert_int_equal(plan.seg[2].filesz, 0x100);
	assert_int_equal(plan.seg[2].memsz, 0x3000);
	assert_string_equal(plan.interp, INTERP);
	assert_false(plan.exec_stack);
	assert_int_equal(plan.phnum, 5);
	assert_int_equal(plan.phentsize, sizeof(Elf64_Phdr));
	/* No PT_PHDR: the table's copy inside the first PT_LOAD. */
	assert_int_equal(plan.phdr_vaddr, 0x400040);
}

static void test_no_gnu_stack_means_exec_stack(void **state)
{
	struct cabin_elf_plan plan;

	(void)state;
	img.eh.e_phnum = 4;
	assert_int_equal(plan_exact(img.b, sizeof(img.b), &plan, NULL), 0);
	assert_true(plan.exec_stack);
	phdr(4)->p_flags |= PF_X;
	img.eh.e_phnum = 5;
	assert_int_equal(plan_exact(img.b, sizeof(img.b), &plan, NULL), 0);
	assert_true(plan.exec_stack);
}

static void test_bad_ident(void **state)
{
	(void)state;
	img.b[0] = 0x7e;
	expect_bad("not an ELF file");
	build(NULL);
	img.eh.e_ident[EI_CLASS] = ELFCLASS32;
	expect_bad("not ELF64 little-endian");
	build(NULL);
	img.eh.e_ident[EI_DATA] = ELFDATA2MSB;
	expect_bad("not ELF64 little-endian");
	build(NULL);
	img.eh.e_machine = EM_AARCH64;
	expect_bad("not x86-64");
	build(NULL);
	img.eh.e_machine = EM_386;
	expect_bad("not x86-64");
	build(NULL);
	img.eh.e_type = ET_REL;
	expect_bad("not an executable or shared object");
	build(NULL);
	img.eh.e_type = ET_CORE;
	expect_bad("not an executable or shared object");
	build(NULL);
	img.eh.e_version = 2;
	expect_bad("version");
}

static void test_bad_phdr_table(void **state)
{
	(void)state;
	img.eh.e_phentsize = sizeof(Elf64_Phdr) - 1;
	expect_bad("e_phentsize");
	img.eh.e_phentsize = sizeof(Elf32_Phdr);
	expect_bad("e_phentsize");
	build(NULL);
	img.eh.e_phnum = 0xffff;
	expect_bad("too many program headers");
	img.eh.e_phnum = CABIN_ELF_MAX_PHNUM + 1;
	expect_bad("too many program headers");
	img.eh.e_phnum = 0;
	expect_bad("no program headers");
	build(NULL);
	img.eh.e_phoff = IMG_SIZE;
	expect_bad("program headers outside the file");
	img.eh.e_phoff = IMG_SIZE - 5 * sizeof(Elf64_Phdr) + 1;
	expect_bad("program headers outside the file");
	img.eh.e_phoff = UINT64_MAX - 8;
	expect_bad("program headers outside the file");
	img.eh.e_phoff = UINT64_MAX;
	expect_bad("program headers outside the file");
	/* A table ending exactly at the end of the file is fine. */
	img.eh.e_phoff = IMG_SIZE - 5 * sizeof(Elf64_Phdr);
	memmove(img.b + img.eh.e_phoff, phdr(0), 5 * sizeof(Elf64_Phdr));
	memset(phdr(0), 0, 5 * sizeof(Elf64_Phdr));
	assert_int_equal(plan_exact(img.b, sizeof(img.b),
				    &(struct cabin_elf_plan){ 0 }, NULL), 0);
}

static void test_synthetic_truncated(void **state)
{
	size_t end = sizeof(Elf64_Ehdr) + 5 * sizeof(Elf64_Phdr), n;

	(void)state;
	for (n = 0; n < sizeof(Elf64_Ehdr); n++)
		expect_bad_image(img.b, n, "truncated ELF header");
	for (; n < end; n++)
		expect_bad_image(img.b, n, "program headers outside the file");
	/* The headers are whole; now the segments' bytes are missing. */
	for (; n < 0x2800 + sizeof(INTERP); n += 0x10)
		expect_bad_image(img.b, n, "outside the file");
	expect_bad_image(img.b, 0x2800 + sizeof(INTERP) - 1, "outside the file");
	assert_int_equal(plan_exact(img.b, 0x2800 + sizeof(INTERP),
				    &(struct cabin_elf_plan){ 0 }, NULL), 0);
}

static void test_bad_segments(void **state)
{
	(void)state;
	phdr(2)->p_filesz = phdr(2)->p_memsz + 1;
	expect_bad("filesz larger than memsz");
	build(NULL);
	phdr(2)->p_filesz = 0x1001;
	expect_bad("segment file range outside the file");
	build(NULL);
	phdr(1)->p_offset = UINT64_MAX & ~0xfffull;
	phdr(1)->p_vaddr = 0x401000;
	expect_bad("segment file range outside the file");
	phdr(1)->p_offset = 0x3000;
	expect_bad("segment file range outside the file");
	build(NULL);
	phdr(2)->p_vaddr = UINT64_MAX - 0xfff;
	phdr(2)->p_offset = 0x2000;
	expect_bad("segment address wraps");
	build(NULL);
	phdr(2)->p_vaddr = (1ull << 47) - 0x1000;
	expect_bad("beyond the user address space");
	build(NULL);
	phdr(2)->p_memsz = CABIN_ELF_MAX_SPAN + 1;
	expect_bad("absurd size");
	phdr(2)->p_memsz = UINT64_MAX;
	phdr(2)->p_filesz = UINT64_MAX;
	expect_bad("absurd size");
	build(NULL);
	/* Each segment small, together over the span limit. */
	phdr(2)->p_vaddr = 0x402000 + CABIN_ELF_MAX_SPAN;
	expect_bad("absurd size");
	build(NULL);
	phdr(1)->p_vaddr = 0x401800;
	expect_bad("misaligned segment");
	build(NULL);
	/* One byte of overlap, and a segment swallowing another. */
	phdr(1)->p_memsz = 0x1001;
	expect_bad("overlapping segments");
	build(NULL);
	phdr(2)->p_vaddr = 0x400000;
	phdr(2)->p_memsz = 0x10000;
	expect_bad("overlapping segments");
	build(NULL);
	set_phdr(0, PT_LOAD, PF_R, 0, 0x0, 0x1000, 0x1000);
	expect_bad("first 64 KiB");
}

static void test_bad_interp(void **state)
{
	(void)state;
	img.b[0x2800 + sizeof(INTERP) - 1] = 'x';
	expect_bad("PT_INTERP not NUL-terminated or too long");
	build(NULL);
	phdr(3)->p_filesz = 257;
	memset(img.b + 0x2800, 'a', 256);
	img.b[0x2800 + 256] = 0;
	expect_bad("PT_INTERP not NUL-terminated or too long");
	build(NULL);
	phdr(3)->p_filesz = 0;
	expect_bad("PT_INTERP not NUL-terminated or too long");
	build(NULL);
	img.b[0x2802] = 0;
	expect_bad("PT_INTERP not NUL-terminated or too long");
	build(NULL);
	phdr(3)->p_offset = IMG_SIZE - 4;
	expect_bad("PT_INTERP outside the file");
	phdr(3)->p_offset = UINT64_MAX - 2;
	expect_bad("PT_INTERP outside the file");
	build(NULL);
	*phdr(4) = *phdr(3);
	expect_bad("more than one PT_INTERP");
}

static void test_bad_load_set(void **state)
{
	size_t i;

	(void)state;
	phdr(0)->p_type = PT_NOTE;
	phdr(1)->p_type = PT_NULL;
	phdr(2)->p_type = PT_DYNAMIC;
	expect_bad("no PT_LOAD");
	build(NULL);
	/* Empty PT_LOADs map nothing, and so do not count. */
	for (i = 0; i < 3; i++)
		phdr(i)->p_memsz = phdr(i)->p_filesz = 0;
	expect_bad("no PT_LOAD");
	build(NULL);
	img.eh.e_phnum = CABIN_ELF_MAX_SEGMENTS + 1;
	for (i = 0; i < CABIN_ELF_MAX_SEGMENTS + 1; i++)
		set_phdr(i, PT_LOAD, PF_R | PF_X, 0, 0x400000 + i * 0x1000,
			 0, 0x1000);
	expect_bad("too many segments");
	img.eh.e_phnum = CABIN_ELF_MAX_SEGMENTS;
	assert_int_equal(plan_exact(img.b, sizeof(img.b),
				    &(struct cabin_elf_plan){ 0 }, NULL), 0);
}

static void test_bad_entry(void **state)
{
	(void)state;
	img.eh.e_entry = 0x402010;		/* data */
	expect_bad("entry outside any executable segment");
	img.eh.e_entry = 0x400010;		/* read-only headers */
	expect_bad("entry outside any executable segment");
	img.eh.e_entry = 0x402000 + 0x1000;	/* one past the text */
	expect_bad("entry outside any executable segment");
	img.eh.e_entry = 0;
	expect_bad("entry outside any executable segment");
	img.eh.e_entry = UINT64_MAX;
	expect_bad("entry outside any executable segment");
	img.eh.e_entry = 0x401fff;		/* last byte of the text */
	assert_int_equal(plan_exact(img.b, sizeof(img.b),
				    &(struct cabin_elf_plan){ 0 }, NULL), 0);
}

/* Make the hand-built image a PIE based at 0. */
static void make_pie(void)
{
	size_t i;

	img.eh.e_type = ET_DYN;
	img.eh.e_entry -= 0x400000;
	for (i = 0; i < 4; i++)
		phdr(i)->p_vaddr -= 0x400000;
}

static void test_load(void **state)
{
	struct cabin_elf_plan plan;
	size_t span;
	unsigned char *mem;
	size_t i;

	(void)state;
	assert_int_equal(cabin_elf_plan(img.b, sizeof(img.b), &plan, NULL), 0);
	span = plan.hi - plan.lo;
	mem = malloc(span + 0x2000);
	assert_non_null(mem);
	memset(mem, 0xaa, span + 0x2000);
	/* The area starts a page before the span. */
	assert_int_equal(cabin_elf_load(img.b, sizeof(img.b), &plan, 0, mem,
					span + 0x2000, 0x3ff000), 0);
	for (i = 0; i < 0x1000; i++)
		assert_int_equal(mem[i], 0xaa);
	assert_memory_equal(mem + 0x1000, img.b, 0x2100);
	for (i = 0x1000 + 0x2100; i < 0x1000 + span; i++)
		if (mem[i])
			fail_msg("byte %#zx of the span not zeroed", i - 0x1000);
	assert_int_equal(mem[0x1000 + span], 0xaa);

	/* Misfits: nothing written. */
	memset(mem, 0xaa, span + 0x2000);
	assert_int_equal(cabin_elf_load(img.b, sizeof(img.b), &plan, 0, mem,
					span - 1, 0x400000), -ENOMEM);
	assert_int_equal(cabin_elf_load(img.b, sizeof(img.b), &plan, 0, mem,
					span + 0x2000, 0x400001), -EFAULT);
	assert_int_equal(cabin_elf_load(img.b, sizeof(img.b), &plan, 0, mem,
					0x1000, 0x100000), -EFAULT);
	assert_int_equal(cabin_elf_load(img.b, sizeof(img.b), &plan, 0, NULL,
					span, 0x400000), -EFAULT);
	for (i = 0; i < span + 0x2000; i++)
		assert_int_equal(mem[i], 0xaa);
	/* An executable does not move. */
	assert_int_equal(cabin_elf_load(img.b, sizeof(img.b), &plan, 0x1000,
					mem, span, 0x401000), -EINVAL);
	/* A plan that does not match the image. */
	assert_int_equal(cabin_elf_load(img.b, 0x2000, &plan, 0, mem, span,
					0x400000), -EINVAL);
	plan.seg[2].filesz = plan.seg[2].memsz + 1;
	assert_int_equal(cabin_elf_load(img.b, sizeof(img.b), &plan, 0, mem,
					span, 0x400000), -EINVAL);
	free(mem);
}

static void test_load_pie(void **state)
{
	struct cabin_elf_plan plan;
	unsigned char *mem;
	size_t span;

	(void)state;
	make_pie();
	assert_int_equal(cabin_elf_plan(img.b, sizeof(img.b), &plan, NULL), 0);
	assert_true(plan.pie);
	assert_int_equal(plan.lo, 0);
	assert_int_equal(plan.entry, 0x1010);
	span = plan.hi;
	mem = malloc(span);
	assert_non_null(mem);
	assert_int_equal(cabin_elf_load(img.b, sizeof(img.b), &plan, 0x7000,
					mem, span, 0x7000), 0);
	assert_memory_equal(mem + 0x1000, img.b + 0x1000, 0x1100);
	assert_int_equal(cabin_elf_load(img.b, sizeof(img.b), &plan, 0x7800,
					mem, span, 0x7800), -EINVAL);
	assert_int_equal(cabin_elf_load(img.b, sizeof(img.b), &plan,
					UINT64_MAX & ~0xfffull, mem, span, 0),
			 -EFAULT);
	assert_int_equal(cabin_elf_load(img.b, sizeof(img.b), &plan, 0x8000,
					mem, span, 0x7000), -ENOMEM);
	free(mem);
}

/* A real file, read whole into a heap block of its exact size. */
static void *slurp(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;
	long len;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) || (len = ftell(f)) <= 0 ||
	    (uint64_t)len > CABIN_ELF_MAX_FILE || fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return NULL;
	}
	buf = malloc((size_t)len);
	if (buf && fread(buf, 1, (size_t)len, f) != (size_t)len) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*size = (size_t)len;
	return buf;
}

struct readelf {
	int nload;
	uint64_t entry, vaddr[64], memsz[64];
};

/* What readelf -lW says: the entry and every PT_LOAD with bytes to map. */
static bool run_readelf(const char *path, struct readelf *r)
{
	char cmd[PATH_MAX + 64], line[512];
	FILE *p;

	memset(r, 0, sizeof(*r));
	snprintf(cmd, sizeof(cmd), "readelf -lW '%s' 2>/dev/null", path);
	p = popen(cmd, "r");
	if (!p)
		return false;
	while (fgets(line, sizeof(line), p)) {
		uint64_t off, va, pa, fsz, msz;

		if (sscanf(line, "Entry point 0x%" SCNx64, &r->entry) == 1)
			continue;
		if (sscanf(line, " LOAD 0x%" SCNx64 " 0x%" SCNx64 " 0x%" SCNx64
			   " 0x%" SCNx64 " 0x%" SCNx64, &off, &va, &pa, &fsz,
			   &msz) == 5 && msz && r->nload < 64) {
			r->vaddr[r->nload] = va;
			r->memsz[r->nload++] = msz;
		}
	}
	return pclose(p) == 0 && r->nload > 0;
}

static void check_real(const char *path, bool want_pie, const char *interp)
{
	struct cabin_elf_plan plan;
	struct readelf r;
	const char *why = NULL;
	size_t size = 0, i;
	unsigned char *image = slurp(path, &size), *mem;
	bool in_exec = false;

	if (!image) {
		print_message("skipping %s: not readable\n", path);
		return;
	}
	if (cabin_elf_plan(image, size, &plan, &why))
		fail_msg("%s: %s", path, why);
	assert_int_equal(plan.pie, want_pie);
	if (interp)
		assert_string_equal(plan.interp, interp);
	assert_true(plan.nseg > 0);
	assert_true(plan.lo < plan.hi);
	assert_int_equal(plan.lo % CABIN_ELF_PAGE, 0);
	assert_int_equal(plan.hi % CABIN_ELF_PAGE, 0);
	assert_int_equal(plan.phentsize, sizeof(Elf64_Phdr));
	assert_true(plan.phdr_vaddr >= plan.lo && plan.phdr_vaddr < plan.hi);
	for (i = 0; i < plan.nseg; i++)
		if ((plan.seg[i].prot & PROT_EXEC) &&
		    plan.entry >= plan.seg[i].vaddr &&
		    plan.entry < plan.seg[i].vaddr + plan.seg[i].memsz)
			in_exec = true;
	assert_true(in_exec);
	if (run_readelf(path, &r)) {
		assert_int_equal(plan.entry, r.entry);
		assert_int_equal(plan.nseg, r.nload);
		for (i = 0; i < plan.nseg; i++) {
			assert_int_equal(plan.seg[i].vaddr, r.vaddr[i]);
			assert_int_equal(plan.seg[i].memsz, r.memsz[i]);
		}
	} else {
		print_message("%s: readelf unavailable, not compared\n", path);
	}
	/* Loaded at a PIE-style bias, each segment's bytes are the file's. */
	if (plan.hi - plan.lo <= (64u << 20)) {
		uint64_t bias = plan.pie ? 0x555555554000ull : 0;

		mem = malloc(plan.hi - plan.lo);
		assert_non_null(mem);
		assert_int_equal(cabin_elf_load(image, size, &plan, bias, mem,
						plan.hi - plan.lo,
						bias + plan.lo), 0);
		for (i = 0; i < plan.nseg; i++)
			assert_memory_equal(mem + plan.seg[i].vaddr - plan.lo,
					    image + plan.seg[i].offset,
					    plan.seg[i].filesz);
		free(mem);
	}
	free(image);
}

static void test_bin_true(void **state)
{
	(void)state;
	check_real("/bin/true", true, "/lib64/ld-linux-x86-64.so.2");
}

static void test_dynamic_loader(void **state)
{
	char path[PATH_MAX];

	(void)state;
	if (!realpath("/lib64/ld-linux-x86-64.so.2", path)) {
		skip();
		return;
	}
	check_real(path, true, "");
}

static void test_busybox(void **state)
{
	(void)state;
	if (access("/bin/busybox", R_OK)) {
		skip();
		return;
	}
	/* Static or static-PIE; either way no interpreter. */
	{
		size_t size;
		unsigned char *image = slurp("/bin/busybox", &size);
		bool pie;

		assert_non_null(image);
		pie = ((Elf64_Ehdr *)image)->e_type == ET_DYN;
		free(image);
		check_real("/bin/busybox", pie, "");
	}
}

/* The project's sample and this test binary, from the build tree. */
static void test_own_binaries(void **state)
{
	char self[PATH_MAX], demo[PATH_MAX + 32];
	ssize_t n;

	(void)state;
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	assert_true(n > 0);
	self[n] = 0;
	check_real(self, true, "/lib64/ld-linux-x86-64.so.2");
	snprintf(demo, sizeof(demo), "%s/../../samples/demo", dirname(self));
	if (access(demo, R_OK)) {
		print_message("skipping %s: not built\n", demo);
		return;
	}
	check_real(demo, true, "/lib64/ld-linux-x86-64.so.2");
}

/* Every prefix of a real file up to the end of its program headers. */
static void test_real_truncated(void **state)
{
	size_t size = 0, n, end;
	unsigned char *image = slurp("/bin/true", &size);
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)image;

	(void)state;
	assert_non_null(image);
	end = eh->e_phoff + (size_t)eh->e_phnum * eh->e_phentsize;
	assert_true(end <= size);
	for (n = 0; n < sizeof(Elf64_Ehdr); n++)
		expect_bad_image(image, n, "truncated ELF header");
	for (; n < end; n++)
		expect_bad_image(image, n, "program headers outside the file");
	free(image);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_synthetic_plan, build),
		cmocka_unit_test_setup(test_no_gnu_stack_means_exec_stack, build),
		cmocka_unit_test_setup(test_bad_ident, build),
		cmocka_unit_test_setup(test_bad_phdr_table, build),
		cmocka_unit_test_setup(test_synthetic_truncated, build),
		cmocka_unit_test_setup(test_bad_segments, build),
		cmocka_unit_test_setup(test_bad_interp, build),
		cmocka_unit_test_setup(test_bad_load_set, build),
		cmocka_unit_test_setup(test_bad_entry, build),
		cmocka_unit_test_setup(test_load, build),
		cmocka_unit_test_setup(test_load_pie, build),
		cmocka_unit_test(test_bin_true),
		cmocka_unit_test(test_dynamic_loader),
		cmocka_unit_test(test_busybox),
		cmocka_unit_test(test_own_binaries),
		cmocka_unit_test(test_real_truncated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
