/*
 * ELF parsing and loading for the kvm platform.  The file is the
 * program's, so it is hostile: headers are copied out of the buffer with
 * memcpy only after their bounds are checked, every sum of two file fields
 * is tested for overflow before it is compared, and the plan is validated
 * as a whole (no overlap, entry in executable code, bounded span) before
 * the monitor sees it.
 */
#include <elf.h>
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "platform/kvm/linux/elf.h"

/* Linux refuses mappings below mmap_min_addr (64 KiB by default). */
#define MIN_EXEC_ADDR	0x10000ull
/* The lower canonical half: what a CPL3 program can address. */
#define USER_TOP	(1ull << 47)

struct parse {
	const unsigned char *image;
	size_t size;
	Elf64_Ehdr eh;
	struct cabin_elf_plan plan;
	bool have_interp, have_stack, have_phdr;
	const char *why;
};

static int fail(struct parse *p, const char *why)
{
	p->why = why;
	return -ENOEXEC;
}

/* Is [off, off + len) inside the file?  Tested without overflow. */
static bool in_file(const struct parse *p, uint64_t off, uint64_t len)
{
	return off <= p->size && len <= p->size - off;
}

static int check_header(struct parse *p)
{
	const Elf64_Ehdr *eh = &p->eh;

	if (p->size < sizeof(*eh))
		return fail(p, "truncated ELF header");
	memcpy(&p->eh, p->image, sizeof(p->eh));
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG))
		return fail(p, "not an ELF file (bad magic)");
	if (eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return fail(p, "not ELF64 little-endian");
	if (eh->e_ident[EI_VERSION] != EV_CURRENT || eh->e_version != EV_CURRENT)
		return fail(p, "unknown ELF version");
	if (eh->e_machine != EM_X86_64)
		return fail(p, "not x86-64");
	if (eh->e_type != ET_EXEC && eh->e_type != ET_DYN)
		return fail(p, "not an executable or shared object");
	/* A different size would mean a layout we do not know. */
	if (eh->e_phentsize != sizeof(Elf64_Phdr))
		return fail(p, "e_phentsize is not sizeof(Elf64_Phdr)");
	if (!eh->e_phnum)
		return fail(p, "no program headers");
	/* PN_XNUM (0xffff) and anything like it is refused here as well. */
	if (eh->e_phnum > CABIN_ELF_MAX_PHNUM)
		return fail(p, "too many program headers");
	if (!in_file(p, eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr)))
		return fail(p, "program headers outside the file");
	return 0;
}

static unsigned int prot_of(uint32_t flags)
{
	return (flags & PF_R ? PROT_READ : 0) |
	       (flags & PF_W ? PROT_WRITE : 0) |
	       (flags & PF_X ? PROT_EXEC : 0);
}

static int add_load(struct parse *p, const Elf64_Phdr *ph)
{
	struct cabin_elf_plan *plan = &p->plan;
	struct cabin_elf_segment *s;

	if (ph->p_filesz > ph->p_memsz)
		return fail(p, "filesz larger than memsz");
	if (ph->p_memsz > CABIN_ELF_MAX_SPAN)
		return fail(p, "absurd size (segment over 64 GiB)");
	if (ph->p_offset > UINT64_MAX - ph->p_filesz ||
	    (ph->p_filesz && !in_file(p, ph->p_offset, ph->p_filesz)))
		return fail(p, "segment file range outside the file");
	if (ph->p_vaddr > UINT64_MAX - ph->p_memsz)
		return fail(p, "segment address wraps");
	/* The page rounding of the end below must not wrap either. */
	if (ph->p_vaddr + ph->p_memsz > USER_TOP)
		return fail(p, "segment beyond the user address space");
	/* Pages are copied whole by mmap-like loaders: offsets must agree. */
	if ((ph->p_vaddr ^ ph->p_offset) & (CABIN_ELF_PAGE - 1))
		return fail(p, "misaligned segment (vaddr and offset differ mod page size)");
	/* An empty PT_LOAD maps nothing; Linux skips it too. */
	if (!ph->p_memsz)
		return 0;
	if (plan->nseg == CABIN_ELF_MAX_SEGMENTS)
		return fail(p, "too many segments");
	s = &plan->seg[plan->nseg++];
	s->vaddr = ph->p_vaddr;
	s->memsz = ph->p_memsz;
	s->filesz = ph->p_filesz;
	s->offset = ph->p_offset;
	s->prot = prot_of(ph->p_flags);
	return 0;
}

static int add_interp(struct parse *p, const Elf64_Phdr *ph)
{
	char *interp = p->plan.interp;

	if (p->have_interp)
		return fail(p, "more than one PT_INTERP");
	p->have_interp = true;
	if (ph->p_filesz < 2 || ph->p_filesz > sizeof(p->plan.interp))
		return fail(p, "PT_INTERP not NUL-terminated or too long");
	if (!in_file(p, ph->p_offset, ph->p_filesz))
		return fail(p, "PT_INTERP outside the file");
	memcpy(interp, p->image + ph->p_offset, ph->p_filesz);
	/* Linux checks only the last byte; an embedded NUL would cut the path. */
	if (interp[ph->p_filesz - 1] || strlen(interp) != ph->p_filesz - 1)
		return fail(p, "PT_INTERP not NUL-terminated or too long");
	return 0;
}

static int read_phdr(struct parse *p, size_t i)
{
	Elf64_Phdr ph;

	memcpy(&ph, p->image + p->eh.e_phoff + i * sizeof(ph), sizeof(ph));
	switch (ph.p_type) {
	case PT_LOAD:
		return add_load(p, &ph);
	case PT_INTERP:
		return add_interp(p, &ph);
	case PT_GNU_STACK:
		p->have_stack = true;
		p->plan.exec_stack = ph.p_flags & PF_X;
		return 0;
	case PT_PHDR:
		/* The linker's word for where the table sits; ld.so uses it. */
		p->have_phdr = true;
		p->plan.phdr_vaddr = ph.p_vaddr;
		return 0;
	default:
		return 0;
	}
}

static bool overlap(const struct cabin_elf_segment *a,
		    const struct cabin_elf_segment *b)
{
	/* Ends cannot wrap: add_load bounded them below USER_TOP. */
	return a->vaddr < b->vaddr + b->memsz && b->vaddr < a->vaddr + a->memsz;
}

/* Span, overlap and PIE base: properties of the segments taken together. */
static int check_segments(struct parse *p)
{
	struct cabin_elf_plan *plan = &p->plan;
	uint64_t lo = UINT64_MAX, hi = 0;
	size_t i, j;

	if (!plan->nseg)
		return fail(p, "no PT_LOAD");
	for (i = 0; i < plan->nseg; i++) {
		const struct cabin_elf_segment *s = &plan->seg[i];

		for (j = 0; j < i; j++)
			if (overlap(s, &plan->seg[j]))
				return fail(p, "overlapping segments");
		if (s->vaddr < lo)
			lo = s->vaddr;
		if (s->vaddr + s->memsz > hi)
			hi = s->vaddr + s->memsz;
	}
	plan->lo = lo & ~(CABIN_ELF_PAGE - 1);
	plan->hi = (hi + CABIN_ELF_PAGE - 1) & ~(CABIN_ELF_PAGE - 1);
	if (plan->hi - plan->lo > CABIN_ELF_MAX_SPAN)
		return fail(p, "absurd size (load span over 64 GiB)");
	if (!plan->pie && plan->lo < MIN_EXEC_ADDR)
		return fail(p, "segment in the first 64 KiB of an executable");
	return 0;
}

static int check_entry(struct parse *p)
{
	const struct cabin_elf_plan *plan = &p->plan;
	size_t i;

	for (i = 0; i < plan->nseg; i++) {
		const struct cabin_elf_segment *s = &plan->seg[i];

		if ((s->prot & PROT_EXEC) && plan->entry >= s->vaddr &&
		    plan->entry - s->vaddr < s->memsz)
			return 0;
	}
	return fail(p, "entry outside any executable segment");
}

/*
 * Without PT_PHDR, the table is where a PT_LOAD holding its file bytes
 * puts it (what Linux passes as AT_PHDR); otherwise no loaded copy exists.
 */
static void find_phdr(struct parse *p)
{
	struct cabin_elf_plan *plan = &p->plan;
	uint64_t off = p->eh.e_phoff;
	uint64_t len = (uint64_t)p->eh.e_phnum * sizeof(Elf64_Phdr);
	size_t i;

	if (p->have_phdr)
		return;
	for (i = 0; i < plan->nseg; i++) {
		const struct cabin_elf_segment *s = &plan->seg[i];

		if (off >= s->offset && off - s->offset <= s->filesz &&
		    len <= s->filesz - (off - s->offset)) {
			plan->phdr_vaddr = s->vaddr + (off - s->offset);
			return;
		}
	}
}

static int parse(struct parse *p)
{
	size_t i;
	int err;

	err = check_header(p);
	if (err)
		return err;
	p->plan.pie = p->eh.e_type == ET_DYN;
	p->plan.entry = p->eh.e_entry;
	p->plan.phnum = p->eh.e_phnum;
	p->plan.phentsize = p->eh.e_phentsize;
	for (i = 0; i < p->eh.e_phnum; i++) {
		err = read_phdr(p, i);
		if (err)
			return err;
	}
	/* No PT_GNU_STACK: Linux's legacy default is an executable stack. */
	if (!p->have_stack)
		p->plan.exec_stack = true;
	err = check_segments(p);
	if (err)
		return err;
	err = check_entry(p);
	if (err)
		return err;
	find_phdr(p);
	return 0;
}

int cabin_elf_plan(const void *image, size_t size, struct cabin_elf_plan *out,
		   const char **why)
{
	struct parse p;
	int err;

	memset(&p, 0, sizeof(p));
	p.image = image;
	p.size = image ? size : 0;
	err = parse(&p);
	if (err)
		memset(&p.plan, 0, sizeof(p.plan));
	*out = p.plan;
	if (why)
		*why = err ? p.why : NULL;
	return err;
}

/* The plan comes from the caller: recheck what the copy relies on. */
static int check_plan(const void *image, size_t size,
		      const struct cabin_elf_plan *plan, uint64_t bias)
{
	size_t i;

	if (!plan || !image || !plan->nseg ||
	    plan->nseg > CABIN_ELF_MAX_SEGMENTS || plan->lo > plan->hi ||
	    plan->hi - plan->lo > CABIN_ELF_MAX_SPAN)
		return -EINVAL;
	/* ET_EXEC addresses are absolute; a PIE moves by whole pages. */
	if ((!plan->pie && bias) || (bias & (CABIN_ELF_PAGE - 1)))
		return -EINVAL;
	for (i = 0; i < plan->nseg; i++) {
		const struct cabin_elf_segment *s = &plan->seg[i];

		/* A bss-only segment's offset only fixes its alignment. */
		if (s->filesz > s->memsz ||
		    (s->filesz && (s->offset > size ||
				   s->filesz > size - s->offset)) ||
		    s->vaddr < plan->lo ||
		    s->vaddr > plan->hi || s->memsz > plan->hi - s->vaddr)
			return -EINVAL;
	}
	return 0;
}

int cabin_elf_load(const void *image, size_t size,
		   const struct cabin_elf_plan *plan, uint64_t bias,
		   void *mem, size_t memsize, uint64_t mem_base)
{
	unsigned char *area = mem;
	uint64_t start, span, at;
	size_t i;
	int err;

	err = check_plan(image, size, plan, bias);
	if (err)
		return err;
	if (!mem)
		return -EFAULT;
	if (bias > UINT64_MAX - plan->hi)
		return -EFAULT;
	start = bias + plan->lo;
	span = plan->hi - plan->lo;
	if (start < mem_base || start - mem_base > memsize)
		return -EFAULT;
	at = start - mem_base;
	if (span > memsize - at)
		return -ENOMEM;
	memset(area + at, 0, span);
	for (i = 0; i < plan->nseg; i++) {
		const struct cabin_elf_segment *s = &plan->seg[i];

		if (!s->filesz)
			continue;
		memcpy(area + at + (s->vaddr - plan->lo),
		       (const unsigned char *)image + s->offset, s->filesz);
	}
	return 0;
}
