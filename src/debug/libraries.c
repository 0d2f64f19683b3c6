/*
 * qXfer:libraries-svr4:read: the program's shared libraries as the
 * dynamic linker lists them, read from its memory: the auxiliary vector
 * names the program headers, PT_DYNAMIC's DT_DEBUG the r_debug, whose
 * r_map is the link map.  Every read goes through the target, so only
 * the debugged process's memory is read, and a list the program mangled
 * ends at the first entry that cannot be read (at most 512 entries).
 */
#include <elf.h>
#include <inttypes.h>
#include <link.h>
#include <string.h>

#include "debug/debug_int.h"

#define MAX_ENTRIES 512

static int read_word(struct cabin_debug *d, uint64_t addr, uint64_t *v)
{
	return d->t.read_mem(d->t.ctx, d->pid, addr, v, 8) == 8 ? 0 : -1;
}

static uint64_t auxv_value(struct cabin_debug *d, uint64_t type)
{
	uint64_t pair[2], off;

	for (off = 0; d->t.auxv(d->t.ctx, off, pair, 16) == 16; off += 16) {
		if (pair[0] == AT_NULL)
			break;
		if (pair[0] == type)
			return pair[1];
	}
	return 0;
}

/* The address of r_debug, or 0 before the dynamic linker has set it. */
static uint64_t r_debug_addr(struct cabin_debug *d)
{
	uint64_t phdr = auxv_value(d, AT_PHDR), phnum = auxv_value(d, AT_PHNUM);
	uint64_t bias = 0, dyn = 0, i;
	Elf64_Phdr ph;
	Elf64_Dyn de;

	if (!phdr || phnum > 64)
		return 0;
	for (i = 0; i < phnum; i++) {
		if (d->t.read_mem(d->t.ctx, d->pid, phdr + i * sizeof(ph), &ph,
				  sizeof(ph)) != sizeof(ph))
			return 0;
		if (ph.p_type == PT_PHDR)
			bias = phdr - ph.p_vaddr;
		else if (ph.p_type == PT_DYNAMIC)
			dyn = ph.p_vaddr;
	}
	if (!dyn)
		return 0;
	for (i = 0; i < 256; i++) {
		if (d->t.read_mem(d->t.ctx, d->pid, bias + dyn + i * sizeof(de),
				  &de, sizeof(de)) != sizeof(de) ||
		    de.d_tag == DT_NULL)
			return 0;
		if (de.d_tag == DT_DEBUG)
			return de.d_un.d_ptr;
	}
	return 0;
}

/* name, read from the program, as XML attribute text into out. */
static void xml_name(struct cabin_debug *d, uint64_t addr, char *out,
		     size_t len)
{
	char raw[512];
	size_t i, o = 0;
	ssize_t n = d->t.read_mem(d->t.ctx, d->pid, addr, raw, sizeof(raw) - 1);

	raw[n > 0 ? n : 0] = '\0';
	for (i = 0; raw[i] && o + 8 < len; i++) {
		const char *esc = raw[i] == '&' ? "&amp;" : raw[i] == '<' ? "&lt;" :
				  raw[i] == '>' ? "&gt;" : raw[i] == '"' ? "&quot;" :
				  NULL;

		if (esc) {
			memcpy(out + o, esc, strlen(esc));
			o += strlen(esc);
		} else if ((unsigned char)raw[i] >= 0x20) {
			out[o++] = raw[i];
		}
	}
	out[o] = '\0';
}

size_t cabin_debug_libraries(struct cabin_debug *d, char *out, size_t len)
{
	uint64_t rd = r_debug_addr(d), lm = 0, prev = 0, f[4];
	uint64_t vdso = auxv_value(d, AT_SYSINFO_EHDR);
	char name[1024];
	size_t o;
	int n;

	o = (size_t)snprintf(out, len, "<library-list-svr4 version=\"1.0\"");
	if (rd && read_word(d, rd + offsetof(struct r_debug, r_map), &lm) < 0)
		lm = 0;
	for (n = 0; lm && n < MAX_ENTRIES && o < len; n++) {
		/* l_addr, l_name, l_ld, l_next */
		if (d->t.read_mem(d->t.ctx, d->pid, lm, f, sizeof(f)) !=
		    sizeof(f))
			break;
		if (!prev) {
			o += (size_t)snprintf(out + o, len - o,
					      " main-lm=\"0x%" PRIx64 "\">", lm);
		} else if (!(vdso && f[2] >= vdso && f[2] - vdso < 0x10000)) {
			/* The vDSO is no file: gdb reads it from memory. */
			xml_name(d, f[1], name, sizeof(name));
			if (name[0])
				o += (size_t)snprintf(out + o, len - o,
					"<library name=\"%s\" lmid=\"0x0\" lm=\"0x%" PRIx64 "\" l_addr=\"0x%" PRIx64 "\" l_ld=\"0x%" PRIx64 "\"/>",
					name, lm, f[0], f[2]);
		}
		prev = lm;
		lm = f[3];
	}
	if (o + 32 >= len)
		o = len - 32;
	o += (size_t)snprintf(out + o, len - o, prev ?
			      "</library-list-svr4>" : "/>");
	return o;
}
