/*
 * The program's ELF file as the kvm monitor loads it: a validated load
 * plan (segments, span, entry, interpreter, program headers, stack) made
 * from untrusted bytes, and the copy of that plan into guest memory.
 * Nothing here trusts a field of the file; every offset and size is
 * checked in 64 bits against the buffer before it is used.
 */
#ifndef CABIN_PLATFORM_KVM_ELF_H
#define CABIN_PLATFORM_KVM_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CABIN_ELF_MAX_SEGMENTS	32		/* PT_LOAD entries kept */
#define CABIN_ELF_MAX_PHNUM	128		/* program headers read */
#define CABIN_ELF_MAX_SPAN	(64ull << 30)	/* lo..hi, and any memsz */
#define CABIN_ELF_MAX_FILE	(256ull << 20)	/* what a caller should read */
#define CABIN_ELF_PAGE		4096ull

struct cabin_elf_segment {
	uint64_t vaddr, memsz, filesz, offset;
	unsigned int prot;			/* PROT_* */
};

struct cabin_elf_plan {
	bool pie;				/* ET_DYN */
	uint64_t entry;				/* relative to the bias for PIE */
	uint64_t lo, hi;			/* page-aligned span of all PT_LOAD */
	struct cabin_elf_segment seg[CABIN_ELF_MAX_SEGMENTS];
	size_t nseg;
	char interp[256];			/* PT_INTERP, "" if none */
	uint64_t phdr_vaddr;			/* 0 when no loaded copy exists */
	uint16_t phnum, phentsize;		/* for AT_PHDR/AT_PHNUM */
	bool exec_stack;			/* PT_GNU_STACK has PF_X */
};

/*
 * Parse an ELF64 x86-64 executable or shared object held in image[0..size)
 * into *out.  Returns 0, or -ENOEXEC with *why (may be NULL) a short static
 * message naming the first defect; *out is then all zero.  Segments never
 * overlap byte-wise, but two may share a page (the monitor decides that
 * page's protection).
 */
int cabin_elf_plan(const void *image, size_t size, struct cabin_elf_plan *out,
		   const char **why);

/*
 * Copy the planned segments into mem, a flat area standing for the
 * addresses [mem_base, mem_base + memsize), at bias (0 for ET_EXEC, page
 * aligned for PIE): the whole span is zeroed first, so bss and the gaps
 * between segments hold nothing stale.  Returns 0; -EINVAL for a plan that
 * does not match image or a bad bias; -EFAULT when the span starts outside
 * the area or its address wraps; -ENOMEM when it starts inside but does
 * not fit.  Nothing is written unless the whole plan fits.
 */
int cabin_elf_load(const void *image, size_t size,
		   const struct cabin_elf_plan *plan, uint64_t bias,
		   void *mem, size_t memsize, uint64_t mem_base);

#endif
