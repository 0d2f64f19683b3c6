/*
 * The program's address space on the kvm platform: which user ranges are
 * mapped, with what protection and backing.  One change updates the three
 * views together: the host pages behind the range, the monitor's region
 * table (pointer checks) and the guest page tables (what the CPU allows).
 */
#ifndef CABIN_PLATFORM_KVM_MM_H
#define CABIN_PLATFORM_KVM_MM_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "platform/kvm/shared/abi.h"
#include "platform/kvm/vmm/vm.h"

#define CABIN_KVM_MM_NAMES	CABIN_KVM_TAGS
#define CABIN_KVM_STACK_SIZE	(8ull << 20)
#define CABIN_KVM_AUXV_MAX	24

struct cabin_kvm_name {
	char *path;
	bool shared;		/* MAP_SHARED of a file: host-mapped */
	uint64_t dev, ino;	/* the file's identity, 0 when unknown */
};

/* brk and mmap_base live in vm->ms, shared with the proxy kernel. */
struct cabin_kvm_mm {
	struct cabin_kvm_vm *vm;
	uint64_t stack_lo, stack_hi;
	struct cabin_kvm_name names[CABIN_KVM_MM_NAMES];
	unsigned int nnames;
	bool wx;		/* W^X: the loader maps nothing writable and executable */
	bool xom;		/* PROT_EXEC alone is execute-only (key 1) */
	/* The auxiliary vector the program was started with (for --gdb). */
	uint64_t auxv[2 * CABIN_KVM_AUXV_MAX];
	unsigned int auxv_words;
};

/*
 * Also makes the monitor's writes through vm->mem map the pages they
 * reach (the proxy kernel maps anonymous pages only when first touched).
 */
void cabin_kvm_mm_init(struct cabin_kvm_mm *mm, struct cabin_kvm_vm *vm);
void cabin_kvm_mm_free(struct cabin_kvm_mm *mm);
/* r maps a shared file or shared anonymous memory (not a private copy). */
bool cabin_kvm_mm_shared(const struct cabin_kvm_mm *mm,
			 const struct cabin_gmem_region *r);
/* Unmap every user range (execve). */
int cabin_kvm_mm_reset(struct cabin_kvm_mm *mm);

/* Fresh zeroed pages at a fixed, page-aligned range; prot CABIN_GMEM_R/W/X. */
int cabin_kvm_mm_place(struct cabin_kvm_mm *mm, uint64_t addr, uint64_t len,
		       unsigned int prot, unsigned int tag);
/*
 * CABIN_GMEM_R/W/X for PROT_* (W and X imply R, as on x86, except that
 * PROT_EXEC alone is execute-only under --xom).
 */
unsigned int cabin_kvm_mm_gmem_prot(const struct cabin_kvm_mm *mm, int prot);
/*
 * Give [addr, addr + len) (page aligned) prot in the region table and the
 * page tables, its host pages untouched; prot 0 reserves it (PROT_NONE,
 * the frames kept for a later mprotect).
 */
int cabin_kvm_mm_set_views(struct cabin_kvm_mm *mm, uint64_t addr,
			   uint64_t len, unsigned int prot, unsigned int tag,
			   uint64_t foff);

/* The tag for a file path (the same path shares one). */
unsigned int cabin_kvm_mm_tag(struct cabin_kvm_mm *mm, const char *path,
			      bool shared);
/* A free range of len bytes below mmap_base, 0 when none. */
uint64_t cabin_kvm_mm_find_free(const struct cabin_kvm_mm *mm, uint64_t len);
bool cabin_kvm_mm_is_free(const struct cabin_kvm_mm *mm, uint64_t addr,
			  uint64_t len);

/* The syscalls, with Linux's arguments and results. */
long cabin_kvm_mm_mmap(struct cabin_kvm_mm *mm, uint64_t addr, uint64_t len,
		       int prot, int flags, int fd, uint64_t off);
long cabin_kvm_mm_munmap(struct cabin_kvm_mm *mm, uint64_t addr, uint64_t len);
long cabin_kvm_mm_mprotect(struct cabin_kvm_mm *mm, uint64_t addr,
			   uint64_t len, int prot);
long cabin_kvm_mm_brk(struct cabin_kvm_mm *mm, uint64_t addr);
long cabin_kvm_mm_mremap(struct cabin_kvm_mm *mm, uint64_t old, uint64_t oldlen,
			 uint64_t newlen, int flags, uint64_t newaddr);
long cabin_kvm_mm_madvise(struct cabin_kvm_mm *mm, uint64_t addr, uint64_t len,
			  int advice);

/*
 * The proxy kernel found the run of page (a page number) not granted:
 * commit the run's host memory in one call and grant it.  -EINVAL for a
 * page outside user space.  Called while the kernel holds the lock.
 */
int cabin_kvm_mm_refill(struct cabin_kvm_mm *mm, uint64_t page);

/*
 * The proxy kernel freed the frames of [release_lo, release_hi) in the
 * shared state (their entries are gone): the host pages are dropped, so
 * they read as zero and cost the host nothing, and the grants of the
 * runs wholly inside are taken back.  -EINVAL for a range outside user
 * space, misaligned, or over memory that is not the program's private
 * memory (a shared mapping's pages are not the kernel's to free).
 * Called while the kernel holds the lock.
 */
int cabin_kvm_mm_release(struct cabin_kvm_mm *mm);

/*
 * The lock shared with the proxy kernel over the region table, the page
 * tables and the shared state; a thread may take it again.
 */
void cabin_kvm_mm_lock(struct cabin_kvm_mm *mm);
void cabin_kvm_mm_unlock(struct cabin_kvm_mm *mm);

/* pread until len bytes or the end of the file; bytes read or -errno. */
ssize_t cabin_kvm_pread_all(int fd, void *buf, size_t len, uint64_t off);

/* PROT_* of the mappings overlapping a range (platform range_prot). */
int cabin_kvm_mm_range_prot(const struct cabin_kvm_mm *mm, uint64_t addr,
			    uint64_t len);
/* "path+0xoff", "[heap]", "[stack]" or "[anon]" for addr; -EFAULT. */
int cabin_kvm_mm_describe(const struct cabin_kvm_mm *mm, uint64_t addr,
			  char *buf, size_t len);

#endif
