/*
 * The region table of the kvm guest's user address space: sorted,
 * non-overlapping guest-virtual ranges with their protection and backing.
 * It lives in guest kernel memory and both the monitor and the proxy
 * kernel change it, so only fixed-size types and no host pointers.
 */
#ifndef CABIN_PLATFORM_KVM_GMEM_TABLE_H
#define CABIN_PLATFORM_KVM_GMEM_TABLE_H

#include <stdbool.h>
#include <stdint.h>

/* Guest-virtual ranges are whole small pages, as the page tables map them. */
#define CABIN_GMEM_PAGE		4096ull
#define CABIN_GMEM_MAX_REGIONS	4096

/* Permissions of a guest-virtual range; an access asks for all its bits. */
#define CABIN_GMEM_R		0x1u
#define CABIN_GMEM_W		0x2u
#define CABIN_GMEM_X		0x4u
#define CABIN_GMEM_USER		0x8u	/* reachable from CPL3 */
#define CABIN_GMEM_PROT_MASK	0xfu
#define CABIN_GMEM_RWX		(CABIN_GMEM_R | CABIN_GMEM_W | CABIN_GMEM_X)

/* Guest-virtual [gva, gva + len) is host offset [off, off + len). */
struct cabin_gmem_region {
	uint64_t gva;
	uint64_t len;
	uint64_t off;		/* guest-physical address - gpa_base */
	unsigned int prot;
	/* The monitor's: what backs the range (kept across splits). */
	unsigned int tag;
	uint64_t foff;		/* file offset of gva, moved with trims */
};

struct cabin_gmem_table {
	uint32_t n;
	uint32_t pad;
	/* Sorted by gva, never overlapping. */
	struct cabin_gmem_region r[CABIN_GMEM_MAX_REGIONS];
};

/* Last byte of a region; insertion checked that it does not wrap. */
static inline uint64_t cabin_gmem_region_last(const struct cabin_gmem_region *r)
{
	return r->gva + (r->len - 1);
}

/*
 * Insert a region the caller validated (non-empty, not wrapping).
 * -EEXIST: it overlaps one; -ENOSPC: the table is full.
 */
int cabin_gmem_table_insert(struct cabin_gmem_table *t,
			    const struct cabin_gmem_region *r);

/* Join the region holding gva with neighbours it continues exactly. */
void cabin_gmem_table_merge(struct cabin_gmem_table *t, uint64_t gva);

/* The region holding gva, or NULL. */
const struct cabin_gmem_region *
cabin_gmem_table_find(const struct cabin_gmem_table *t, uint64_t gva);

/*
 * Forget whatever is mapped in [gva, gva + len) (page aligned, len > 0,
 * not wrapping), trimming or splitting regions as munmap does.  -EINVAL
 * for a bad range; -ENOSPC when a split needs a slot the table lacks
 * (then nothing changed).
 */
int cabin_gmem_table_unmap(struct cabin_gmem_table *t, uint64_t gva,
			   uint64_t len);

/*
 * [gva, gva + len) becomes one region with prot, tag and foff, whatever
 * was there (identity: off is gva), joined with neighbours it continues.
 * -ENOSPC when the table cannot take it (then nothing changed).
 */
int cabin_gmem_table_set(struct cabin_gmem_table *t, uint64_t gva,
			 uint64_t len, unsigned int prot, unsigned int tag,
			 uint64_t foff);

/* No region overlaps [gva, gva + len). */
bool cabin_gmem_table_is_free(const struct cabin_gmem_table *t, uint64_t gva,
			      uint64_t len);

/*
 * The highest free range of len bytes inside [lo, hi), 0 when none: how
 * mmap places a mapping that names no address.
 */
uint64_t cabin_gmem_table_free_below(const struct cabin_gmem_table *t,
				     uint64_t lo, uint64_t hi, uint64_t len);

/* Room for one more change (a split and an insert). */
static inline bool cabin_gmem_table_room(const struct cabin_gmem_table *t)
{
	return t->n + 2 < CABIN_GMEM_MAX_REGIONS;
}

#endif
