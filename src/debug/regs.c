/*
 * The x86-64 registers as gdb numbers them for Linux: the description
 * cabin sends (core, sse, linux's orig_rax, segments' fs_base and
 * gs_base, in gdbserver's order) and each register to and from ptrace's
 * structures.  Segment selectors are shown but never written.
 */
#include <stddef.h>
#include <string.h>

#include "debug/debug.h"

#define REG(name, bits, type) \
	"<reg name=\"" name "\" bitsize=\"" #bits "\" type=\"" type "\"/>"
#define R64(name) REG(name, 64, "int64")
#define R32(name) REG(name, 32, "int32")
#define ST(n) REG("st" #n, 80, "i387_ext")
#define XMM(n) REG("xmm" #n, 128, "vec128")

static const char tdesc[] =
	"<?xml version=\"1.0\"?><!DOCTYPE target SYSTEM \"gdb-target.dtd\">"
	"<target><architecture>i386:x86-64</architecture><osabi>GNU/Linux</osabi>"
	"<feature name=\"org.gnu.gdb.i386.core\">"
	R64("rax") R64("rbx") R64("rcx") R64("rdx") R64("rsi") R64("rdi")
	REG("rbp", 64, "data_ptr") REG("rsp", 64, "data_ptr")
	R64("r8") R64("r9") R64("r10") R64("r11") R64("r12") R64("r13")
	R64("r14") R64("r15") REG("rip", 64, "code_ptr")
	R32("eflags") R32("cs") R32("ss") R32("ds") R32("es") R32("fs")
	R32("gs") ST(0) ST(1) ST(2) ST(3) ST(4) ST(5) ST(6) ST(7)
	R32("fctrl") R32("fstat") R32("ftag") R32("fiseg") R32("fioff")
	R32("foseg") R32("fooff") R32("fop")
	"</feature><feature name=\"org.gnu.gdb.i386.sse\">"
	"<vector id=\"v4f\" type=\"ieee_single\" count=\"4\"/>"
	"<vector id=\"v2d\" type=\"ieee_double\" count=\"2\"/>"
	"<vector id=\"v16i8\" type=\"int8\" count=\"16\"/>"
	"<vector id=\"v8i16\" type=\"int16\" count=\"8\"/>"
	"<vector id=\"v4i32\" type=\"int32\" count=\"4\"/>"
	"<vector id=\"v2i64\" type=\"int64\" count=\"2\"/>"
	"<union id=\"vec128\"><field name=\"v4_float\" type=\"v4f\"/>"
	"<field name=\"v2_double\" type=\"v2d\"/>"
	"<field name=\"v16_int8\" type=\"v16i8\"/>"
	"<field name=\"v8_int16\" type=\"v8i16\"/>"
	"<field name=\"v4_int32\" type=\"v4i32\"/>"
	"<field name=\"v2_int64\" type=\"v2i64\"/>"
	"<field name=\"uint128\" type=\"uint128\"/></union>"
	XMM(0) XMM(1) XMM(2) XMM(3) XMM(4) XMM(5) XMM(6) XMM(7)
	XMM(8) XMM(9) XMM(10) XMM(11) XMM(12) XMM(13) XMM(14) XMM(15)
	R32("mxcsr")
	"</feature><feature name=\"org.gnu.gdb.i386.linux\">"
	R64("orig_rax")
	"</feature><feature name=\"org.gnu.gdb.i386.segments\">"
	R64("fs_base") R64("gs_base")
	"</feature></target>";

const char *cabin_debug_regs_tdesc(void)
{
	return tdesc;
}

#define GP(f) offsetof(struct user_regs_struct, f)

/* Registers 0-23 and 57-59: offsets in user_regs_struct. */
static const size_t gp_off[] = {
	GP(rax), GP(rbx), GP(rcx), GP(rdx), GP(rsi), GP(rdi), GP(rbp),
	GP(rsp), GP(r8), GP(r9), GP(r10), GP(r11), GP(r12), GP(r13),
	GP(r14), GP(r15), GP(rip), GP(eflags), GP(cs), GP(ss), GP(ds),
	GP(es), GP(fs), GP(gs),
};

/*
 * FXSAVE keeps one bit per register (valid or empty); gdb wants the full
 * tag word.  Valid registers are shown as valid (00), the rest empty.
 */
static uint32_t full_tag(uint16_t abridged)
{
	uint32_t tag = 0;
	int i;

	for (i = 0; i < 8; i++)
		if (!(abridged & (1u << i)))
			tag |= 3u << (2 * i);
	return tag;
}

static uint16_t abridged_tag(uint32_t full)
{
	uint16_t tag = 0;
	int i;

	for (i = 0; i < 8; i++)
		if (((full >> (2 * i)) & 3) != 3)
			tag |= (uint16_t)(1u << i);
	return tag;
}

static void *fp_field(struct cabin_debug_regs *r, int n, int *size,
		      uint32_t *scratch)
{
	struct user_fpregs_struct *f = &r->fp;

	*size = 4;
	if (n >= 24 && n < 32) {
		*size = 10;
		return (char *)f->st_space + (n - 24) * 16;
	}
	if (n >= 40 && n < 56) {
		*size = 16;
		return (char *)f->xmm_space + (n - 40) * 16;
	}
	switch (n) {
	case 32: *scratch = f->cwd; break;
	case 33: *scratch = f->swd; break;
	case 34: *scratch = full_tag(f->ftw); break;
	case 35: *scratch = (uint32_t)(f->rip >> 32) & 0xffff; break;
	case 36: *scratch = (uint32_t)f->rip; break;
	case 37: *scratch = (uint32_t)(f->rdp >> 32) & 0xffff; break;
	case 38: *scratch = (uint32_t)f->rdp; break;
	case 39: *scratch = f->fop; break;
	case 56: return &f->mxcsr;
	default: return NULL;
	}
	return scratch;
}

int cabin_debug_reg_get(const struct cabin_debug_regs *r, int n,
			unsigned char *out)
{
	struct cabin_debug_regs copy = *r;
	uint32_t scratch;
	size_t off;
	void *p;
	int size;

	if (n < 0 || n >= CABIN_DEBUG_NREGS)
		return -1;
	if (n < 24 || n >= 57) {
		off = n < 24 ? gp_off[n] : n == 57 ? GP(orig_rax) :
		      n == 58 ? GP(fs_base) : GP(gs_base);
		size = n >= 17 && n < 24 ? 4 : 8;
		memcpy(out, (const char *)&r->gp + off, (size_t)size);
		return size;
	}
	p = fp_field(&copy, n, &size, &scratch);
	if (!p)
		return -1;
	memcpy(out, p, (size_t)size);
	return size;
}

int cabin_debug_reg_set(struct cabin_debug_regs *r, int n,
			const unsigned char *in)
{
	struct user_fpregs_struct *f = &r->fp;
	uint64_t v = 0;
	uint32_t scratch, w;
	size_t off;
	void *p;
	int size;

	if (n < 0 || n >= CABIN_DEBUG_NREGS)
		return -1;
	if (n >= 18 && n < 24)
		return 0;	/* selectors stay the kernel's */
	if (n < 18 || n >= 57) {
		off = n < 24 ? gp_off[n] : n == 57 ? GP(orig_rax) :
		      n == 58 ? GP(fs_base) : GP(gs_base);
		memcpy(&v, in, n == 17 ? 4 : 8);
		memcpy((char *)&r->gp + off, &v, 8);
		return 0;
	}
	p = fp_field(r, n, &size, &scratch);
	if (!p)
		return -1;
	if (p != &scratch) {
		memcpy(p, in, (size_t)size);
		return 0;
	}
	memcpy(&w, in, 4);
	switch (n) {
	case 32: f->cwd = (uint16_t)w; break;
	case 33: f->swd = (uint16_t)w; break;
	case 34: f->ftw = abridged_tag(w); break;
	case 35: f->rip = (f->rip & 0xffffffffull) | (uint64_t)(w & 0xffff) << 32; break;
	case 36: f->rip = (f->rip & ~0xffffffffull) | w; break;
	case 37: f->rdp = (f->rdp & 0xffffffffull) | (uint64_t)(w & 0xffff) << 32; break;
	case 38: f->rdp = (f->rdp & ~0xffffffffull) | w; break;
	case 39: f->fop = (uint16_t)w; break;
	}
	return 0;
}
