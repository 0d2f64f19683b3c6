/*
 * Memory calls answered by the monitor.  The host pages of a range are
 * replaced wholesale (fresh anonymous pages, a file's bytes read in, or a
 * shared file mapping), so nothing of an old mapping survives its unmap;
 * private file mappings are copies, immune to the file changing later.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "platform/kvm/shared/abi.h"
#include "platform/kvm/shared/anon.h"
#include "platform/kvm/linux/mm.h"
#include "platform/proclink.h"

#define PAGE		CABIN_KVM_PAGE
#define RWX		CABIN_GMEM_RWX
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE	23
#endif

static uint64_t page_up(uint64_t v)
{
	return (v + PAGE - 1) & ~(PAGE - 1);
}

unsigned int cabin_kvm_mm_gmem_prot(const struct cabin_kvm_mm *mm, int prot)
{
	return cabin_anon_prot(prot, mm->xom);
}

static int linux_prot(unsigned int p)
{
	return ((p & CABIN_GMEM_R) ? PROT_READ : 0) |
	       ((p & CABIN_GMEM_W) ? PROT_WRITE : 0) |
	       ((p & CABIN_GMEM_X) ? PROT_EXEC : 0);
}

static __thread unsigned int lock_depth;

void cabin_kvm_mm_lock(struct cabin_kvm_mm *mm)
{
	if (!lock_depth++)
		cabin_anon_lock(&mm->vm->ms->lock);
}

void cabin_kvm_mm_unlock(struct cabin_kvm_mm *mm)
{
	if (!--lock_depth)
		cabin_anon_unlock(&mm->vm->ms->lock);
}

/*
 * The monitor writes the program's memory (a read(2) into a buffer never
 * touched): the pages get their entries first, so that a frame behind no
 * entry stays zero, which the proxy kernel relies on when it unmaps.
 */
static void map_written(void *ctx, uint64_t gva, uint64_t len,
			unsigned int prot)
{
	struct cabin_kvm_mm *mm = ctx;
	uint64_t a;

	cabin_kvm_mm_lock(mm);
	for (a = gva & ~(PAGE - 1); a < gva + len; a += PAGE) {
		uint64_t *e = cabin_pt_leaf(&mm->vm->pt, a, 1);

		if (e && !(*e & CABIN_PTE_P))
			*e = cabin_pt_entry(a, prot);
	}
	cabin_kvm_mm_unlock(mm);
}

void cabin_kvm_mm_init(struct cabin_kvm_mm *mm, struct cabin_kvm_vm *vm)
{
	struct cabin_kvm_mmstate *ms = vm->ms;

	memset(mm, 0, sizeof(*mm));
	mm->vm = vm;
	mm->stack_hi = vm->user_top;
	mm->stack_lo = vm->user_top - CABIN_KVM_STACK_SIZE;
	mm->nnames = CABIN_KVM_TAG_FIRST_FILE;
	ms->mmap_base = mm->stack_lo - CABIN_ANON_GAP;
	ms->brk_start = ms->brk = 0;
	memset(ms->shared_tags, 0, sizeof(ms->shared_tags));
	vm->mem.on_write = map_written;
	vm->mem.on_write_ctx = mm;
}

void cabin_kvm_mm_free(struct cabin_kvm_mm *mm)
{
	unsigned int i;

	for (i = 0; i < mm->nnames; i++)
		free(mm->names[i].path);
	mm->nnames = CABIN_KVM_TAG_FIRST_FILE;
}

static bool in_user(const struct cabin_kvm_mm *mm, uint64_t addr, uint64_t len)
{
	return cabin_anon_user(mm->vm->ms, addr, len);
}

/*
 * Fresh zero pages behind [addr, addr + len) on the host: shared ones
 * for MAP_SHARED|MAP_ANONYMOUS, which the monitor's fork keeps shared
 * with the program's children.
 */
static int fresh_pages(struct cabin_kvm_mm *mm, uint64_t addr, uint64_t len,
		       bool shared)
{
	void *want = mm->vm->mem.host + addr;

	if (mmap(want, len, PROT_READ | PROT_WRITE,
		 (shared ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS |
		 MAP_FIXED | MAP_NORESERVE, -1, 0) != want)
		return -ENOMEM;
	/* As all guest memory (gmem.c): no huge page behind one touch. */
	madvise(want, len, MADV_NOHUGEPAGE);
	return 0;
}

static int fresh_host(struct cabin_kvm_mm *mm, uint64_t addr, uint64_t len)
{
	return fresh_pages(mm, addr, len, false);
}

/*
 * Room for one more change of the region table (a split and an insert),
 * checked before any host page is replaced, so the table never falls
 * behind the pages it describes.
 */
static bool table_room(const struct cabin_kvm_mm *mm)
{
	return cabin_gmem_table_room(mm->vm->mem.tab);
}

/*
 * The region table and the page tables for a range.  PROT_NONE keeps
 * the range reserved with no page the CPU allows; unless its frames are
 * fresh zeros, their entries are kept (CABIN_PTE_KEPT) so that whoever
 * unmaps the range later knows to zero them.
 */
static int views(struct cabin_kvm_mm *mm, uint64_t addr, uint64_t len,
		 unsigned int prot, unsigned int tag, uint64_t foff, bool fresh)
{
	int err;

	err = cabin_gmem_set(&mm->vm->mem, addr, len, prot | CABIN_GMEM_USER,
			     tag, foff);
	if (err < 0)
		return err == -ENOSPC ? -ENOMEM : err;
	if (fresh && !(prot & RWX))
		return cabin_kvm_pt_unmap(mm->vm, addr, len);
	return cabin_kvm_pt_map(mm->vm, addr, len, prot);
}

int cabin_kvm_mm_set_views(struct cabin_kvm_mm *mm, uint64_t addr,
			   uint64_t len, unsigned int prot, unsigned int tag,
			   uint64_t foff)
{
	return views(mm, addr, len, prot, tag, foff, false);
}

int cabin_kvm_mm_place(struct cabin_kvm_mm *mm, uint64_t addr, uint64_t len,
		       unsigned int prot, unsigned int tag)
{
	int err;

	if (!len || addr % PAGE || len % PAGE || !in_user(mm, addr, len))
		return -EINVAL;
	if (!table_room(mm))
		return -ENOMEM;
	err = fresh_pages(mm, addr, len, tag == CABIN_KVM_TAG_SHARED_ANON);
	if (!err)
		err = views(mm, addr, len, prot, tag, 0, true);
	return err;
}

unsigned int cabin_kvm_mm_tag(struct cabin_kvm_mm *mm, const char *path,
			      bool shared)
{
	unsigned int i;

	for (i = CABIN_KVM_TAG_FIRST_FILE; i < mm->nnames; i++)
		if (mm->names[i].shared == shared &&
		    !strcmp(mm->names[i].path, path))
			return i;
	if (mm->nnames == CABIN_KVM_MM_NAMES)
		return CABIN_KVM_TAG_ANON;
	mm->names[i].path = strdup(path);
	if (!mm->names[i].path)
		return CABIN_KVM_TAG_ANON;
	mm->names[i].shared = shared;
	if (shared)
		mm->vm->ms->shared_tags[i / 8] |= (uint8_t)(1u << (i % 8));
	{
		struct stat st;

		if (stat(path, &st) == 0) {
			mm->names[i].dev = st.st_dev;
			mm->names[i].ino = st.st_ino;
		}
	}
	return mm->nnames++;
}

bool cabin_kvm_mm_is_free(const struct cabin_kvm_mm *mm, uint64_t addr,
			  uint64_t len)
{
	return cabin_anon_is_free(mm->vm->mem.tab, mm->vm->ms, addr, len);
}

uint64_t cabin_kvm_mm_find_free(const struct cabin_kvm_mm *mm, uint64_t len)
{
	return cabin_anon_find_free(mm->vm->mem.tab, mm->vm->ms, len);
}

ssize_t cabin_kvm_pread_all(int fd, void *buf, size_t len, uint64_t off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(fd, (char *)buf + done, len - done,
				  (off_t)(off + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		done += (size_t)n;
	}
	return (ssize_t)done;
}

/* Copy the file's bytes in; pages past its end stay zero. */
static int read_file(struct cabin_kvm_mm *mm, uint64_t addr, uint64_t len,
		     int fd, uint64_t off)
{
	ssize_t n = cabin_kvm_pread_all(fd, mm->vm->mem.host + addr, len, off);

	if (n == -EISDIR || n == -ESPIPE || n == -EINVAL)
		return -ENODEV;
	return n < 0 ? (int)n : 0;
}

/*
 * Only the pages the file has are shared: past its end the monitor would
 * meet SIGBUS where the program's own copy meets zeros.
 */
static int map_shared_file(struct cabin_kvm_mm *mm, uint64_t addr,
			   uint64_t len, int prot, int fd, uint64_t off,
			   uint64_t size)
{
	void *want = mm->vm->mem.host + addr;
	int hprot = PROT_READ | (prot & PROT_WRITE);
	uint64_t have = size > off ? page_up(size - off) : 0;

	if (fresh_host(mm, addr, len) < 0)
		return -ENOMEM;
	if (have > len)
		have = len;
	if (have && mmap(want, have, hprot, MAP_SHARED | MAP_FIXED, fd,
			 (off_t)off) != want) {
		int err = -errno;

		fresh_host(mm, addr, len);
		return err;
	}
	return 0;
}

static long map_file(struct cabin_kvm_mm *mm, uint64_t addr, uint64_t len,
		     int prot, int flags, int fd, uint64_t off)
{
	bool shared = (flags & MAP_TYPE) == MAP_SHARED ||
		      (flags & MAP_TYPE) == MAP_SHARED_VALIDATE;
	char path[4096];
	struct stat st;
	unsigned int tag;
	int err;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode))
		return -ENODEV;
	if (!table_room(mm))
		return -ENOMEM;
	if (cabin_proclink_self_fd(fd, path, sizeof(path)) < 0)
		snprintf(path, sizeof(path), "[fd %d]", fd);
	tag = cabin_kvm_mm_tag(mm, path, shared);
	/* A shared mapping's host pages follow its tag: it must have one. */
	if (shared && tag == CABIN_KVM_TAG_ANON)
		return -ENOMEM;
	if (shared && S_ISREG(st.st_mode))
		err = map_shared_file(mm, addr, len, prot, fd, off,
				      (uint64_t)st.st_size);
	else {
		err = fresh_host(mm, addr, len);
		if (!err)
			err = read_file(mm, addr, len, fd, off);
	}
	if (!err)
		err = cabin_kvm_mm_set_views(mm, addr, len, cabin_kvm_mm_gmem_prot(mm, prot), tag, off);
	if (err < 0) {
		cabin_kvm_mm_munmap(mm, addr, len);
		return err;
	}
	return (long)addr;
}

static long choose_addr(struct cabin_kvm_mm *mm, uint64_t addr, uint64_t len,
			int flags, uint64_t *out)
{
	if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
		if (addr % PAGE)
			return -EINVAL;
		if (addr < CABIN_KVM_USER_MIN)
			return -EPERM;
		if (!in_user(mm, addr, len))
			return -ENOMEM;
		if ((flags & MAP_FIXED_NOREPLACE) && !(flags & MAP_FIXED) &&
		    !cabin_kvm_mm_is_free(mm, addr, len))
			return -EEXIST;
		*out = addr;
		return 0;
	}
	addr &= ~(PAGE - 1);
	if (addr && cabin_kvm_mm_is_free(mm, addr, len)) {
		*out = addr;
		return 0;
	}
	*out = cabin_kvm_mm_find_free(mm, len);
	return *out ? 0 : -ENOMEM;
}

long cabin_kvm_mm_mmap(struct cabin_kvm_mm *mm, uint64_t addr, uint64_t len,
		       int prot, int flags, int fd, uint64_t off)
{
	uint64_t at;
	long err;

	if (!len || off % PAGE)
		return -EINVAL;
	if (len > UINT64_MAX - PAGE)
		return -ENOMEM;
	len = page_up(len);
	if ((flags & MAP_TYPE) != MAP_SHARED && (flags & MAP_TYPE) != MAP_PRIVATE &&
	    (flags & MAP_TYPE) != MAP_SHARED_VALIDATE)
		return -EINVAL;
	if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC))
		return -EINVAL;
	err = choose_addr(mm, addr, len, flags, &at);
	if (err < 0)
		return err;
	if (flags & MAP_ANONYMOUS) {
		err = cabin_kvm_mm_place(mm, at, len, cabin_kvm_mm_gmem_prot(mm, prot),
					 (flags & MAP_TYPE) == MAP_PRIVATE ?
					 CABIN_KVM_TAG_ANON :
					 CABIN_KVM_TAG_SHARED_ANON);
		return err < 0 ? err : (long)at;
	}
	return map_file(mm, at, len, prot, flags, fd, off);
}

long cabin_kvm_mm_munmap(struct cabin_kvm_mm *mm, uint64_t addr, uint64_t len)
{
	int err;

	if (addr % PAGE || !len || len > UINT64_MAX - PAGE)
		return -EINVAL;
	len = page_up(len);
	if (!in_user(mm, addr, len))
		return -EINVAL;
	err = cabin_gmem_unmap(&mm->vm->mem, addr, len);
	if (err < 0)
		return err == -ENOSPC ? -ENOMEM : err;
	err = cabin_kvm_pt_unmap(mm->vm, addr, len);
	if (!err)
		err = fresh_host(mm, addr, len);
	return err;
}

int cabin_kvm_mm_reset(struct cabin_kvm_mm *mm)
{
	struct cabin_kvm_vm *vm = mm->vm;
	bool wx = mm->wx, xom = mm->xom;
	int err = cabin_kvm_mm_munmap(mm, CABIN_KVM_USER_MIN,
				      vm->user_top - CABIN_KVM_USER_MIN);

	cabin_kvm_mm_free(mm);
	cabin_kvm_mm_init(mm, vm);
	mm->wx = wx;
	mm->xom = xom;
	return err;
}

/* A shared file's host pages must allow what the guest is given. */
static int reprotect_host(struct cabin_kvm_mm *mm,
			  const struct cabin_gmem_region *r, uint64_t a,
			  uint64_t n, unsigned int prot)
{
	if (r->tag < CABIN_KVM_TAG_FIRST_FILE || !mm->names[r->tag].shared)
		return 0;
	if (mprotect(mm->vm->mem.host + a, n,
		     PROT_READ | ((prot & CABIN_GMEM_W) ? PROT_WRITE : 0)) < 0)
		return -errno;
	return 0;
}

long cabin_kvm_mm_mprotect(struct cabin_kvm_mm *mm, uint64_t addr,
			   uint64_t len, int prot)
{
	uint64_t a, end;
	unsigned int p = cabin_kvm_mm_gmem_prot(mm, prot);

	if (addr % PAGE || (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)))
		return -EINVAL;
	if (!len)
		return 0;
	if (len > UINT64_MAX - PAGE)
		return -ENOMEM;
	len = page_up(len);
	if (!in_user(mm, addr, len))
		return -ENOMEM;
	end = addr + len;
	/* Every page must be mapped, as Linux wants; check before changing. */
	for (a = addr; a < end;) {
		const struct cabin_gmem_region *r = cabin_gmem_find(&mm->vm->mem, a);

		if (!r)
			return -ENOMEM;
		a = r->gva + r->len;
	}
	for (a = addr; a < end;) {
		const struct cabin_gmem_region *r = cabin_gmem_find(&mm->vm->mem, a);
		uint64_t stop = r->gva + r->len < end ? r->gva + r->len : end;
		unsigned int tag = r->tag;
		uint64_t foff = r->foff + (a - r->gva);
		int err = table_room(mm) ? reprotect_host(mm, r, a, stop - a, p)
					 : -ENOMEM;

		if (!err)
			err = cabin_kvm_mm_set_views(mm, a, stop - a, p, tag, foff);
		if (err < 0)
			return err;
		a = stop;
	}
	return 0;
}

long cabin_kvm_mm_brk(struct cabin_kvm_mm *mm, uint64_t addr)
{
	struct cabin_kvm_mmstate *ms = mm->vm->ms;
	uint64_t old = page_up(ms->brk), want = page_up(addr);

	if (addr < ms->brk_start || addr > mm->vm->user_top)
		return (long)ms->brk;
	if (want > old) {
		if (!cabin_kvm_mm_is_free(mm, old, want - old) ||
		    cabin_kvm_mm_place(mm, old, want - old,
				       CABIN_GMEM_R | CABIN_GMEM_W,
				       CABIN_KVM_TAG_HEAP) < 0)
			return (long)ms->brk;
	} else if (want < old) {
		cabin_kvm_mm_munmap(mm, want, old - want);
	}
	ms->brk = addr;
	return (long)addr;
}

/* A private, non-file range: the only kind mremap may move or grow. */
static const struct cabin_gmem_region *movable(const struct cabin_kvm_mm *mm,
					       uint64_t addr, uint64_t len)
{
	const struct cabin_gmem_region *r = cabin_gmem_find(&mm->vm->mem, addr);

	if (!r || addr + len > r->gva + r->len)
		return NULL;
	if (cabin_kvm_mm_shared(mm, r))
		return NULL;
	return r;
}

bool cabin_kvm_mm_shared(const struct cabin_kvm_mm *mm,
			 const struct cabin_gmem_region *r)
{
	return (r->tag >= CABIN_KVM_TAG_FIRST_FILE && mm->names[r->tag].shared) ||
	       r->tag == CABIN_KVM_TAG_SHARED_ANON;
}

long cabin_kvm_mm_mremap(struct cabin_kvm_mm *mm, uint64_t old, uint64_t oldlen,
			 uint64_t newlen, int flags, uint64_t newaddr)
{
	const struct cabin_gmem_region *r;
	unsigned int prot, tag;
	uint64_t to;
	int err;

	if (old % PAGE || !newlen || newlen > UINT64_MAX - PAGE ||
	    oldlen > UINT64_MAX - PAGE ||
	    (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED)) ||
	    ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE)))
		return -EINVAL;
	oldlen = page_up(oldlen);
	newlen = page_up(newlen);
	if (!oldlen || !in_user(mm, old, oldlen))
		return -EINVAL;
	r = movable(mm, old, oldlen);
	if (!r)
		return -EFAULT;
	prot = r->prot & RWX;
	tag = r->tag;
	if (newlen <= oldlen && !(flags & MREMAP_FIXED)) {
		if (newlen < oldlen)
			cabin_kvm_mm_munmap(mm, old + newlen, oldlen - newlen);
		return (long)old;
	}
	if (!(flags & MREMAP_FIXED) &&
	    cabin_kvm_mm_is_free(mm, old + oldlen, newlen - oldlen)) {
		err = cabin_kvm_mm_place(mm, old + oldlen, newlen - oldlen,
					 prot, tag);
		return err < 0 ? err : (long)old;
	}
	if (!(flags & MREMAP_MAYMOVE))
		return -ENOMEM;
	if (flags & MREMAP_FIXED) {
		if (newaddr % PAGE || !in_user(mm, newaddr, newlen) ||
		    (newaddr < old + oldlen && old < newaddr + newlen))
			return -EINVAL;
		to = newaddr;
		cabin_kvm_mm_munmap(mm, to, newlen);
	} else {
		to = cabin_kvm_mm_find_free(mm, newlen);
		if (!to)
			return -ENOMEM;
	}
	err = cabin_kvm_mm_place(mm, to, newlen, prot, tag);
	if (err < 0)
		return err;
	memcpy(mm->vm->mem.host + to, mm->vm->mem.host + old,
	       oldlen < newlen ? oldlen : newlen);
	cabin_kvm_mm_munmap(mm, old, oldlen);
	return (long)to;
}

long cabin_kvm_mm_madvise(struct cabin_kvm_mm *mm, uint64_t addr, uint64_t len,
			  int advice)
{
	uint64_t a, end;

	if (addr % PAGE || len > UINT64_MAX - PAGE)
		return -EINVAL;
	len = page_up(len);
	if (!in_user(mm, addr, len))
		return -ENOMEM;
	if (advice != MADV_DONTNEED && advice != MADV_FREE)
		return 0;
	/* Private anonymous pages read back as zero, as on Linux. */
	end = addr + len;
	for (a = addr; a < end;) {
		const struct cabin_gmem_region *r = cabin_gmem_find(&mm->vm->mem, a);
		uint64_t stop;

		if (!r)
			return -ENOMEM;
		stop = r->gva + r->len < end ? r->gva + r->len : end;
		if (r->tag < CABIN_KVM_TAG_FIRST_FILE &&
		    madvise(mm->vm->mem.host + a, stop - a, MADV_DONTNEED) < 0)
			return -errno;
		a = stop;
	}
	return 0;
}

/* Commit host memory, leaving out what a shared file maps. */
static void commit(struct cabin_kvm_mm *mm, uint64_t lo, uint64_t hi)
{
	const struct cabin_gmem_table *t = mm->vm->mem.tab;
	unsigned int i;

	for (i = 0; i < t->n && lo < hi; i++) {
		const struct cabin_gmem_region *r = &t->r[i];

		if (r->gva + r->len <= lo || r->tag < CABIN_KVM_TAG_FIRST_FILE ||
		    !mm->names[r->tag].shared)
			continue;
		if (r->gva >= hi)
			break;
		/* Old kernels lack POPULATE_WRITE: the pages come at first touch. */
		if (r->gva > lo)
			madvise(mm->vm->mem.host + lo, r->gva - lo,
				MADV_POPULATE_WRITE);
		lo = r->gva + r->len;
	}
	if (lo < hi)
		madvise(mm->vm->mem.host + lo, hi - lo, MADV_POPULATE_WRITE);
}

int cabin_kvm_mm_refill(struct cabin_kvm_mm *mm, uint64_t page)
{
	struct cabin_kvm_mmstate *ms = mm->vm->ms;
	uint64_t run;

	if (page >= mm->vm->user_top / PAGE || page < CABIN_KVM_USER_MIN / PAGE)
		return -EINVAL;
	run = cabin_anon_run(ms, page * PAGE);
	if (run >= CABIN_KVM_GRANTS_SIZE * 8ull)
		return -EINVAL;
	/*
	 * The page faulted on is committed now (an error is the monitor's to
	 * see, here); the run's others come at their first touch, so the
	 * host grows by what the program touches, not by whole runs.
	 */
	commit(mm, page * PAGE, page * PAGE + PAGE);
	__atomic_fetch_or(mm->vm->mem.host + CABIN_KVM_GRANTS + run / 8,
			  (uint8_t)(1u << (run % 8)), __ATOMIC_RELEASE);
	return 0;
}

/* Every region over [lo, hi) is private: anonymous, or a file's copy. */
static bool private_range(const struct cabin_kvm_mm *mm, uint64_t lo,
			  uint64_t hi)
{
	const struct cabin_gmem_table *t = mm->vm->mem.tab;
	unsigned int i;

	for (i = 0; i < t->n; i++) {
		const struct cabin_gmem_region *r = &t->r[i];

		if (r->gva + r->len <= lo || r->gva >= hi)
			continue;
		if (r->tag == CABIN_KVM_TAG_SHARED_ANON ||
		    (r->tag >= CABIN_KVM_TAG_FIRST_FILE &&
		     mm->names[r->tag].shared))
			return false;
	}
	return true;
}

/* Runs wholly inside [lo, hi) are no longer granted. */
static void take_back_grants(struct cabin_kvm_mm *mm, uint64_t lo,
			     uint64_t hi)
{
	const struct cabin_kvm_mmstate *ms = mm->vm->ms;
	uint64_t span = PAGE * (ms->batch ? ms->batch : 1);
	uint64_t run = (lo + span - 1) / span, end = hi / span;
	uint8_t *grants = mm->vm->mem.host + CABIN_KVM_GRANTS;

	for (; run < end && run < CABIN_KVM_GRANTS_SIZE * 8ull; run++)
		__atomic_fetch_and(&grants[run / 8],
				   (uint8_t)~(1u << (run % 8)),
				   __ATOMIC_RELEASE);
}

int cabin_kvm_mm_release(struct cabin_kvm_mm *mm)
{
	struct cabin_kvm_mmstate *ms = mm->vm->ms;
	uint64_t lo = ms->release_lo, hi = ms->release_hi;
	unsigned char *p;

	if (lo % PAGE || hi % PAGE || lo >= hi || !in_user(mm, lo, hi - lo) ||
	    !private_range(mm, lo, hi))
		return -EINVAL;
	/*
	 * Private anonymous host memory (what the monitor frees it replaces
	 * with fresh private pages): the pages come back as zeros.
	 */
	p = mm->vm->mem.host + lo;
	if (madvise(p, hi - lo, MADV_DONTNEED) < 0)
		memset(p, 0, hi - lo);
	take_back_grants(mm, lo, hi);
	ms->released += (hi - lo) / PAGE;
	return 0;
}

int cabin_kvm_mm_range_prot(const struct cabin_kvm_mm *mm, uint64_t addr,
			    uint64_t len)
{
	const struct cabin_gmem_table *t = mm->vm->mem.tab;
	unsigned int i, p = 0;

	for (i = 0; i < t->n; i++) {
		const struct cabin_gmem_region *r = &t->r[i];

		if (r->gva < addr + len && addr < r->gva + r->len)
			p |= r->prot;
	}
	return linux_prot(p);
}

int cabin_kvm_mm_describe(const struct cabin_kvm_mm *mm, uint64_t addr,
			  char *buf, size_t len)
{
	const struct cabin_gmem_region *r = cabin_gmem_find(&mm->vm->mem, addr);
	static const char *const names[] = {
		"[anonymous]", "[stack]", "[heap]", "[anonymous shared]",
	};

	if (!r)
		return -EFAULT;
	/* As /proc/PID/maps would name it on the process platform. */
	if (r->tag < CABIN_KVM_TAG_FIRST_FILE)
		snprintf(buf, len, "%s+%#llx", names[r->tag],
			 (unsigned long long)(addr - r->gva));
	else
		snprintf(buf, len, "%s+%#llx", mm->names[r->tag].path,
			 (unsigned long long)(r->foff + (addr - r->gva)));
	return 0;
}
