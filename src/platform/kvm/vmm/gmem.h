/*
 * Guest memory for the kvm platform: the one host mapping the monitor
 * owns and hands to KVM as guest RAM, and the monitor's table of the
 * guest-virtual ranges the proxy kernel maps into it.  Every pointer a
 * forwarded syscall carries goes through this table before the monitor
 * touches a byte: the program can reach nothing of the host outside the
 * region, and nothing inside it that its own mappings do not grant.
 */
#ifndef CABIN_PLATFORM_KVM_GMEM_H
#define CABIN_PLATFORM_KVM_GMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "platform/kvm/shared/gmem_table.h"

/* Region sizes are whole large pages, so KVM can back them with 2 MiB pages. */
#define CABIN_GMEM_ALIGN	(2ull << 20)
#define CABIN_GMEM_MAX_SIZE	(16ull << 30)

struct cabin_gmem {
	unsigned char *host;	/* NULL until init, and after free */
	uint64_t size;
	uint64_t gpa_base;	/* where host[0] appears in guest-physical space */
	/* The regions: our own allocation, or moved into guest memory. */
	struct cabin_gmem_table *tab;
	bool own_tab;
	/*
	 * Called for each region's piece of a range about to be written
	 * through the monitor, so that its pages are mapped before the
	 * program sees them (the kvm guest maps anonymous pages lazily).
	 */
	void (*on_write)(void *ctx, uint64_t gva, uint64_t len,
			 unsigned int prot);
	void *on_write_ctx;
	/*
	 * Moves bytes to or from guest memory for the copies below: 0, or
	 * -EFAULT when the host no longer backs a page (a shared file cut
	 * short).  NULL: memmove, which cannot fail.
	 */
	int (*copy)(void *dst, const void *src, size_t n);
};

/*
 * Map size bytes (a non-zero multiple of CABIN_GMEM_ALIGN, at most
 * CABIN_GMEM_MAX_SIZE) of zeroed, lazily backed memory at guest-physical
 * 0 (or gpa_base, 2 MiB aligned).  -EINVAL for a bad size, else mmap's
 * error.
 */
int cabin_gmem_init(struct cabin_gmem *g, uint64_t size);
int cabin_gmem_init_at(struct cabin_gmem *g, uint64_t gpa_base,
		       uint64_t size);
/* Unmaps the region; safe to call twice. */
void cabin_gmem_free(struct cabin_gmem *g);

/*
 * Move the region table to tab (in guest memory, where the proxy kernel
 * shares it), keeping its contents.
 */
void cabin_gmem_move_table(struct cabin_gmem *g, struct cabin_gmem_table *tab);

/*
 * Record that guest-virtual [gva, gva + len) maps guest-physical
 * [gpa, gpa + len) with prot.  All three page aligned, len > 0.
 * -EINVAL: misaligned, empty, no R/W/X/USER bit (USER alone reserves a
 * PROT_NONE range that no access passes), unknown bits, or the range
 * wraps past 2^64; -ERANGE: the guest-physical range leaves the region;
 * -EEXIST: it overlaps a mapped guest-virtual range; -ENOSPC: table full.
 * A range may end exactly at 2^64.
 */
int cabin_gmem_map(struct cabin_gmem *g, uint64_t gva, uint64_t gpa,
		   uint64_t len, unsigned int prot);

/* cabin_gmem_map with the monitor's tag and file offset for the range. */
int cabin_gmem_map_tagged(struct cabin_gmem *g, uint64_t gva, uint64_t gpa,
			  uint64_t len, unsigned int prot, unsigned int tag,
			  uint64_t foff);

/*
 * [gva, gva + len) becomes one region identity mapped (guest-physical
 * gva; gpa_base must be 0) with prot, tag and foff, whatever was there.
 * -EINVAL as for map; -ERANGE: outside the region; -ENOSPC: table full.
 */
int cabin_gmem_set(struct cabin_gmem *g, uint64_t gva, uint64_t len,
		   unsigned int prot, unsigned int tag, uint64_t foff);

/*
 * Join the region holding gva with neighbours it continues exactly (same
 * protection, tag and backing), so long-lived programs do not fill the
 * table with pieces of one mapping.
 */
void cabin_gmem_merge(struct cabin_gmem *g, uint64_t gva);

/* The region holding gva, or NULL. */
const struct cabin_gmem_region *cabin_gmem_find(const struct cabin_gmem *g,
						uint64_t gva);

/*
 * Forget whatever is mapped in [gva, gva + len), trimming or splitting
 * regions as munmap does; nothing mapped there is not an error.  -EINVAL
 * as for map; -ENOSPC when a split needs a slot the table lacks (then
 * nothing changed).
 */
int cabin_gmem_unmap(struct cabin_gmem *g, uint64_t gva, uint64_t len);

/*
 * The host pointer for the whole of [gva, gva + len), only if every byte
 * is mapped with all of access's bits and the range is contiguous in
 * guest-physical memory (adjacent regions may continue one another).
 * -EFAULT otherwise, including gva + len past 2^64; -EINVAL for an empty
 * or unknown access.  len 0 succeeds without touching memory: *host is
 * the pointer when gva is mapped with access, else NULL.
 */
int cabin_gmem_translate(const struct cabin_gmem *g, uint64_t gva,
			 uint64_t len, unsigned int access, void **host);

/* The same for a guest-physical range (loader, page tables); -EFAULT. */
int cabin_gmem_gpa(const struct cabin_gmem *g, uint64_t gpa, uint64_t len,
		   void **host);

/*
 * Copies for the program's pointers: every byte must be mapped with
 * CABIN_GMEM_USER and R (read) or W (write), possibly across several
 * regions.  The whole range is checked before the first byte moves, so
 * on -EFAULT for an unmapped byte the destination is untouched; a page
 * the host no longer backs is -EFAULT too, after the bytes before it.
 */
int cabin_gmem_read(const struct cabin_gmem *g, uint64_t gva, void *buf,
		    size_t len);
int cabin_gmem_write(const struct cabin_gmem *g, uint64_t gva,
		     const void *buf, size_t len);

/*
 * Copy the NUL-terminated string at gva (USER|R, across regions) into
 * buf, cap bytes with the NUL.  Returns its length; -EFAULT when an
 * unmapped byte comes before the NUL, -ENAMETOOLONG when the first cap
 * bytes hold no NUL, -EINVAL for cap 0.  On error buf holds "".
 */
ssize_t cabin_gmem_string(const struct cabin_gmem *g, uint64_t gva,
			  char *buf, size_t cap);

#endif
