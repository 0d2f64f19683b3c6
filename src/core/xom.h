/*
 * Sealed execute-only memory (XOM) by protection keys.  The kernel makes
 * a PROT_EXEC-only mapping unreadable through its execute-only key; this
 * module makes every executable mapping of the confined program such a
 * mapping and keeps the program from switching the key's protection off:
 * code that could write PKRU (WRPKRU, XRSTOR) never becomes executable
 * outside trusted files, and PKRU itself is checked at every stop.
 * Platform-independent: it knows a platform only through
 * struct cabin_platform, so the kvm platform can reuse it.
 */
#ifndef CABIN_CORE_XOM_H
#define CABIN_CORE_XOM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/guard.h"
#include "core/router.h"

struct cabin_proxy;
struct cabin_task;
struct cabin_syscall;
struct cabin_fault;

enum cabin_xom_insn {
	CABIN_XOM_WRPKRU,	/* 0f 01 ef */
	CABIN_XOM_XRSTOR,	/* 0f ae /5, memory operand (ERIM) */
};

#define CABIN_XOM_MAX_HITS	8

/* What a scan found: the first few offsets and how many in all. */
struct cabin_xom_hits {
	size_t total;
	size_t n;
	uint64_t off[CABIN_XOM_MAX_HITS];
	enum cabin_xom_insn insn[CABIN_XOM_MAX_HITS];
};

/* A file identified by device and inode, never by path. */
struct cabin_xom_file {
	uint64_t dev, ino;
	bool listed;		/* its occurrences were reported */
	char path[256];
};

#define CABIN_XOM_MAX_FILES	32

struct cabin_xom_files {
	struct cabin_xom_file file[CABIN_XOM_MAX_FILES];
	size_t n;
};

struct cabin_xom {
	struct cabin_xom_files trusted;	/* may hold WRPKRU or XRSTOR */
	struct cabin_xom_files readable; /* code stays readable (memory readable-code) */
	int pkey;		/* the kernel's execute-only key, -1 unknown */
	size_t pkru_offset;	/* of PKRU in the XSAVE image, 0 unknown */
	unsigned long violations;
};

/*
 * Find WRPKRU and XRSTOR in buf[0, len), starting at every offset below
 * limit (bytes past limit only complete an instruction that starts
 * before it); offsets are reported as base + index.
 */
void cabin_xom_scan(const unsigned char *buf, size_t len, size_t limit,
		    uint64_t base, struct cabin_xom_hits *hits);

/* Reads len bytes at pos; returns bytes read (0 at the end) or -errno. */
typedef long (*cabin_xom_read_fn)(void *ctx, uint64_t pos, void *buf,
				  size_t len);

/* A chunk of a scan, and the two bytes an instruction may cross it by. */
#define CABIN_XOM_SCAN_CHUNK	(64 * 1024)
struct cabin_xom_scan_buf {
	unsigned char b[CABIN_XOM_SCAN_CHUNK + 2];
};

/*
 * Scan [pos, pos + len) read in chunks through read into sb (the
 * caller's, so that threads scan at once), across chunk boundaries.  0,
 * or -errno when reading failed or len is too large to scan (more than
 * CABIN_XOM_SCAN_MAX).
 */
#define CABIN_XOM_SCAN_MAX	(1ull << 30)
int cabin_xom_scan_range(cabin_xom_read_fn read, void *ctx, uint64_t pos,
			 uint64_t len, struct cabin_xom_scan_buf *sb,
			 struct cabin_xom_hits *hits);

const char *cabin_xom_insn_name(enum cabin_xom_insn insn);

/* PKRU from an XSAVE image (the value at its offset; see xom.c). */
int cabin_xom_pkru_of(const void *xsave, size_t len, size_t pkru_offset,
		      uint32_t *pkru);
/* True when pkru lets data reads through key. */
bool cabin_xom_pkru_reads(uint32_t pkru, int key);

/*
 * Set up: the PKRU offset from CPUID, the default trusted files (the
 * dynamic loader and libc cabin itself runs with, and the standard
 * paths), plus extra (the program named on the command line, or -1).
 * -errno when this CPU cannot say where PKRU is.
 */
int cabin_xom_init(struct cabin_xom *x, int extra_fd);
/* Add the file behind fd to a list; -ENOSPC when the list is full. */
int cabin_xom_add_fd(struct cabin_xom_files *l, int fd, const char *path);


/*
 * The guard, on when the proxy's xom is set: at a routed syscall's
 * entry, executable mmaps become execute-only and are scanned, code
 * keeps its protection; at the exit, an executable mmap that completes
 * an instruction with the code next to it kills the task; an exec seals
 * the new image; every stop checks PKRU; a fault on execute-only code
 * is reported as an XOM violation.
 */
extern const struct cabin_guard cabin_xom_guard;

#endif
