/*
 * libFuzzer target for the kvm platform's ELF loader: arbitrary bytes are
 * planned, a plan that is accepted must keep every promise the monitor
 * relies on (segments inside the file and the span, no overlap, entry in
 * executable code), and a small one is loaded and checked byte for byte.
 * The input is copied to a heap block of its exact size so ASan sees any
 * read past it.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "platform/kvm/linux/elf.h"

#define LOAD_MAX	(4u << 20)	/* spans loaded for real */

static void check_plan(const uint8_t *data, size_t size,
		       const struct cabin_elf_plan *p)
{
	bool entry_ok = false;
	size_t i, j;

	if (!p->nseg || p->nseg > CABIN_ELF_MAX_SEGMENTS || p->lo >= p->hi ||
	    p->lo % CABIN_ELF_PAGE || p->hi % CABIN_ELF_PAGE ||
	    p->hi - p->lo > CABIN_ELF_MAX_SPAN ||
	    !memchr(p->interp, 0, sizeof(p->interp)))
		abort();
	for (i = 0; i < p->nseg; i++) {
		const struct cabin_elf_segment *s = &p->seg[i];

		if (!s->memsz || s->filesz > s->memsz || s->vaddr < p->lo ||
		    s->vaddr + s->memsz > p->hi ||
		    (s->filesz && (s->offset > size ||
				   s->filesz > size - s->offset)))
			abort();
		for (j = 0; j < i; j++)
			if (s->vaddr < p->seg[j].vaddr + p->seg[j].memsz &&
			    p->seg[j].vaddr < s->vaddr + s->memsz)
				abort();
		if ((s->prot & PROT_EXEC) && p->entry >= s->vaddr &&
		    p->entry - s->vaddr < s->memsz)
			entry_ok = true;
	}
	if (!entry_ok)
		abort();
	(void)data;
}

static void check_load(const uint8_t *data, size_t size,
		       const struct cabin_elf_plan *p)
{
	uint64_t bias = p->pie ? 0x10000 : 0, span = p->hi - p->lo;
	unsigned char *mem;
	size_t i;

	if (span > LOAD_MAX)
		return;
	mem = malloc(span);
	if (!mem)
		return;
	if (cabin_elf_load(data, size, p, bias, mem, span - 1, bias + p->lo)
	    != -ENOMEM ||
	    cabin_elf_load(data, size, p, bias, mem, span,
			   bias + p->lo + 1) != -EFAULT ||
	    cabin_elf_load(data, size, p, bias, mem, span, bias + p->lo))
		abort();
	for (i = 0; i < p->nseg; i++) {
		const struct cabin_elf_segment *s = &p->seg[i];
		const unsigned char *at = mem + (s->vaddr - p->lo);
		uint64_t k;

		if (s->filesz && memcmp(at, data + s->offset, s->filesz))
			abort();
		for (k = s->filesz; k < s->memsz; k++)
			if (at[k])
				abort();
	}
	free(mem);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cabin_elf_plan plan;
	const char *why = NULL;
	uint8_t *copy = malloc(size ? size : 1);
	int err;

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	err = cabin_elf_plan(copy, size, &plan, &why);
	if (err) {
		if (err != -ENOEXEC || !why || plan.nseg)
			abort();
	} else {
		if (why)
			abort();
		check_plan(copy, size, &plan);
		check_load(copy, size, &plan);
	}
	free(copy);
	return 0;
}
