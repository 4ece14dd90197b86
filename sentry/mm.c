/* Address spaces. The VMA list is the truth; every change is mirrored into
 * the platform address space (mm->as) so the application sees the same
 * memory-file pages the sentry reads and writes.
 *
 * Anonymous memory is mapped in the platform in full when created. File
 * mappings map the file's page cache (sentry/pagecache.h): shared ones
 * and private ones never written to map the cache pages themselves, and a
 * private mapping gets its own copy when it becomes writable. Their pages
 * are loaded when mapped (up to MMAP_EAGER_MAX at mmap time) or on a
 * fault (mm_handle_fault), and pages past the end of the file are left
 * unmapped in the platform so that an access faults and becomes SIGBUS. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>

#include "runsc/log.h"
#include "runsc/util.h"
#include "sentry/fs/overlay.h"
#include "sentry/cowmap.h"
#include "sentry/kernel.h"
#include "sentry/memfile.h"
#include "sentry/mm.h"
#include "sentry/pagecache.h"
#include "sentry/vfs.h"

/* Default top of the mmap area: below the stack region, as Linux leaves a
 * gap for stack growth (RLIMIT_STACK, at least 128 MiB). */
#define MMAP_BASE_GAP (256ULL << 20)
#define STACK_TOP (APP_MAX_ADDR - PAGE_SIZE)
/* Linux's stack_guard_gap: a stack does not grow closer than this to the
 * mapping below it, and mmap does not place mappings there. */
#define STACK_GUARD_GAP (256ULL * PAGE_SIZE)
/* A fault on a file page loads and maps the aligned window around it. */
#define FAULT_WINDOW (1ULL << 20)
/* mmap of a file loads and maps this much of it at once. */
#define MMAP_EAGER_MAX (16ULL << 20)
#ifndef MAP_UNINITIALIZED
#define MAP_UNINITIALIZED 0x4000000
#endif
/* Linux's LEGACY_MAP_MASK: the flags MAP_SHARED_VALIDATE accepts. */
#define LEGACY_MAP_MASK                                                                         \
	(MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS | MAP_DENYWRITE | MAP_EXECUTABLE | \
	 MAP_UNINITIALIZED | MAP_GROWSDOWN | MAP_LOCKED | MAP_NORESERVE | MAP_POPULATE |         \
	 MAP_NONBLOCK | MAP_STACK | MAP_HUGETLB)
#ifndef F_SEAL_WRITE
#define F_SEAL_WRITE 0x0008
#endif
#ifndef F_SEAL_FUTURE_WRITE
#define F_SEAL_FUTURE_WRITE 0x0010
#endif

static const struct platform_ops *pops(void) { return kernel ? kernel->pops : NULL; }
static struct memfile *mf(void) { return kernel ? kernel->mf : NULL; }

/* ---- memory-file ranges ---- */

struct mf_range *mf_range_get(struct mf_range *r)
{
	r->refcount++;
	return r;
}

static void cow_unborrow_range(struct mf_range *r, uint64_t idx, uint64_t n);

void mf_range_put(struct mf_range *r)
{
	if (!r || --r->refcount > 0)
		return;
	if (r->cow) {
		cow_unborrow_range(r, 0, r->len / PAGE_SIZE);
		cow_map_free(r->cow);
		r->cow = NULL;
	}
	if (r->nborrow > 0 && mf()) {
		/* Other address spaces borrow some pages: those stay until
		 * their last borrower goes (cow_unborrow), the rest go now. */
		r->dead = true;
		for (uint64_t a = r->off, end = r->off + r->len; a < end;) {
			uint64_t b = memfile_next_ref(mf(), a, end);
			if (b > a)
				memfile_free(mf(), a, b - a);
			a = b + PAGE_SIZE;
		}
		return;
	}
	if (mf())
		memfile_free(mf(), r->off, r->len);
	free(r);
}

struct mf_range *mf_range_alloc(uint64_t len, int *err)
{
	struct mf_range *r = xzalloc(sizeof(*r));
	r->refcount = 1;
	r->len = len;
	if (mf()) {
		*err = memfile_alloc(mf(), len, &r->off);
		if (*err < 0) {
			free(r);
			return NULL;
		}
	}
	return r;
}

/* ---- VMAs ---- */

static uint64_t vma_foff(const struct vma *v, uint64_t addr) { return v->file_off + (addr - v->start); }
static uint64_t vma_mfoff(const struct vma *v, uint64_t addr)
{
	return v->range->off + v->range_off + (addr - v->start);
}

/* Whether v's pages are its own (freed with it), not shared or the cache's. */
static bool vma_private_pages(const struct vma *v)
{
	return v->range && !(v->flags & VMA_SHARED) && (!v->cache || (v->flags & VMA_COPIED));
}

/* ---- copy-on-write ----
 *
 * fork shares private memory (anonymous, and the private copies of file
 * mappings) instead of copying it, as Linux does. The private range of
 * each VMA that holds data is replaced, in the parent and in the child,
 * by a fresh range (memory-file space only: it costs nothing until
 * written) whose cow_map borrows the old range's pages that hold data,
 * and the pages the old range itself borrowed. Pages that were holes
 * become the fresh ranges' own at once: no sharing, no fault.
 *
 * A borrowed page counts its borrowers (memfile_page_ref). While there
 * are several, every one maps it read-only in the platform; a write
 * (mm_handle_wp_fault, or a sentry write through mm_vma_mfoff) copies it
 * into the writer's own page at the same place, which only that address
 * space maps writable. The last borrower just maps the page writable.
 * The old range, once no VMA holds it, gives back its unborrowed pages at
 * once and each borrowed one when its last borrower lets go (munmap,
 * MADV_DONTNEED, a copy, exit, exec), so file space and memory follow
 * what is still shared. Entries never chain: a fork copies the entry of
 * a borrowed page, not a reference to the borrower. */

/* A write fault copies the shared pages of an aligned block this long
 * when it is not the first in it (mm_handle_wp_fault). */
#define COW_BLOCK (64 * PAGE_SIZE)
/* Holes up to this long between pages with data are shared at fork. */
#define COW_BRIDGE (64 * PAGE_SIZE)

static uint64_t vma_pgidx(const struct vma *v, uint64_t addr)
{
	return (v->range_off + (addr - v->start)) / PAGE_SIZE;
}

static bool vma_has_cow(const struct vma *v)
{
	return v->range && v->range->cow && v->range->cow->count;
}

static void cow_borrow(struct mf_range *r, uint64_t idx, struct mf_range *src, uint64_t off)
{
	if (!r->cow)
		r->cow = cow_map_new(r->len / PAGE_SIZE);
	cow_map_set(r->cow, idx, src, off);
	memfile_page_ref_inc(mf(), off);
	src->nborrow++;
}

static void cow_unborrow(struct mf_range *r, uint64_t idx)
{
	struct cow_ent *e = cow_map_lookup(r->cow, idx);
	if (!e)
		return;
	struct mf_range *src = e->src;
	uint64_t off = e->off;
	cow_map_clear(r->cow, idx);
	if (memfile_page_ref_dec(mf(), off) == 0) {
		if (src->dead)
			memfile_free(mf(), off, PAGE_SIZE);
		else
			memfile_decommit(mf(), off, PAGE_SIZE);
	}
	if (--src->nborrow == 0 && src->dead)
		free(src);
}

/* Drops the entries of pages [idx, idx+n) of r. */
static void cow_unborrow_range(struct mf_range *r, uint64_t idx, uint64_t n)
{
	if (!r->cow)
		return;
	for (uint64_t i = cow_map_next(r->cow, idx, idx + n); i < idx + n;
	     i = cow_map_next(r->cow, i + 1, idx + n))
		cow_unborrow(r, i);
}

/* Where page idx of r is, whether it is borrowed, and whether others
 * borrow it too (so it must stay read-only). */
static uint64_t cow_page(const struct mf_range *r, uint64_t idx, struct cow_ent **ent, bool *shared)
{
	struct cow_ent *e = cow_map_lookup(r->cow, idx);
	*ent = e;
	*shared = e && memfile_page_ref(mf(), e->off) > 1;
	return e ? e->off : r->off + idx * PAGE_SIZE;
}

/* Before a write to page idx of r: a page shared with other borrowers is
 * copied into r's own page. Returns true if the page moved. */
static bool cow_break(struct mf_range *r, uint64_t idx)
{
	struct cow_ent *e = cow_map_lookup(r->cow, idx);
	if (!e || memfile_page_ref(mf(), e->off) <= 1)
		return false;
	memcpy(memfile_ptr(mf(), r->off + idx * PAGE_SIZE), memfile_ptr(mf(), e->off), PAGE_SIZE);
	cow_unborrow(r, idx);
	return true;
}

/* fork: pages [idx, idx+n) of old become borrowed by p and c (fresh
 * ranges, from their page 0): the pages holding data, and those old
 * borrowed itself, whose entries move over. */
static int cow_share(struct mf_range *old, uint64_t idx, uint64_t n, struct mf_range *p, struct mf_range *c)
{
	uint64_t start = old->off + idx * PAGE_SIZE, end = start + n * PAGE_SIZE, prev = 0;
	for (uint64_t a = start; a < end;) {
		uint64_t ds, de;
		int r = memfile_next_data(mf(), a, end, &ds, &de);
		if (r < 0)
			return r;
		if (r == 0)
			break;
		ds = ALIGN_DOWN(ds, PAGE_SIZE);
		de = PAGE_ALIGN(de);
		/* A short hole between pages with data is borrowed too (it
		 * costs no memory): one run is one platform mapping, and the
		 * stub's mappings are limited (vm.max_map_count). */
		if (prev && ds - prev <= COW_BRIDGE)
			ds = prev;
		prev = de;
		for (uint64_t q = ds; q < de; q += PAGE_SIZE) {
			uint64_t i = (q - old->off) / PAGE_SIZE;
			if (cow_map_lookup(old->cow, i))
				continue; /* a page of old's own not in use */
			cow_borrow(p, i - idx, old, q);
			cow_borrow(c, i - idx, old, q);
		}
		a = de;
	}
	if (old->cow) {
		for (uint64_t i = cow_map_next(old->cow, idx, idx + n); i < idx + n;
		     i = cow_map_next(old->cow, i + 1, idx + n)) {
			struct cow_ent *e = cow_map_lookup(old->cow, i);
			cow_borrow(p, i - idx, e->src, e->off);
			cow_borrow(c, i - idx, e->src, e->off);
			cow_unborrow(old, i);
		}
	}
	return 0;
}

/* Whether [idx, idx+n) of r holds anything fork must share. */
static bool cow_worth_sharing(struct mf_range *r, uint64_t idx, uint64_t n)
{
	uint64_t ds, de;
	if (r->cow && cow_map_next(r->cow, idx, idx + n) < idx + n)
		return true;
	return memfile_next_data(mf(), r->off + idx * PAGE_SIZE, r->off + (idx + n) * PAGE_SIZE, &ds, &de) != 0;
}

/* Where the file's pages end in v: the page holding the last byte of the
 * file is the last one an access may touch. */
static uint64_t vma_file_limit(const struct vma *v)
{
	if (!v->cache)
		return v->end;
	int64_t size = v->cache->inode ? v->cache->inode->size : 0;
	uint64_t fend = PAGE_ALIGN(size > 0 ? (uint64_t)size : 0);
	if (fend <= v->file_off)
		return v->start;
	uint64_t n = fend - v->file_off;
	return n >= v->end - v->start ? v->end : v->start + n;
}

static void vma_cache_link(struct vma *v)
{
	list_init(&v->cache_link);
	if (v->cache)
		list_add_tail(&v->cache_link, &v->cache->vmas);
}

int mm_new(struct mm **out)
{
	struct mm *mm = xzalloc(sizeof(*mm));
	mm->refcount = 1;
	list_init(&mm->vmas);
	mm->stack_top = STACK_TOP;
	mm->mmap_base = STACK_TOP - MMAP_BASE_GAP;
	mm->stack_limit = 8ULL << 20;
	if (pops()) {
		int err = pops()->as_new(kernel->platform, &mm->as);
		if (err < 0) {
			free(mm);
			return err;
		}
	}
	*out = mm;
	return 0;
}

struct mm *mm_get(struct mm *mm)
{
	mm->refcount++;
	return mm;
}

static void vma_free(struct mm *mm, struct vma *v)
{
	list_del(&v->link);
	mm->nr_vmas--;
	mm->total_vm -= v->end - v->start;
	if (v->cache) {
		/* Stores through a shared mapping reach the file by the time
		 * the mapping goes (Linux writes them back later; the host
		 * file must not miss them when the sandbox ends). */
		if ((v->flags & VMA_DIRTIED) && !(v->flags & VMA_COPIED) && v->file)
			pagecache_writeback(v->cache, v->file, v->file_off, v->end - v->start);
		list_del(&v->cache_link);
	}
	mf_range_put(v->range);
	/* Last: the file may hold the last reference to the cache's inode. */
	if (v->file)
		file_put(v->file);
	free(v->name);
	free(v);
}

void mm_put(struct mm *mm)
{
	if (!mm || --mm->refcount > 0)
		return;
	struct vma *v, *n;
	list_for_each_entry_safe(v, n, &mm->vmas, link)
		vma_free(mm, v);
	if (mm->as && pops())
		pops()->as_release(mm->as);
	if (mm->exe_file)
		file_put(mm->exe_file);
	free(mm);
}

struct vma *mm_find_vma(struct mm *mm, uint64_t addr)
{
	struct vma *v;
	list_for_each_entry(v, &mm->vmas, link) {
		if (addr < v->start)
			return NULL;
		if (addr < v->end)
			return v;
	}
	return NULL;
}

/* The first VMA ending above addr (containing it or above it), or NULL. */
static struct vma *find_vma_from(struct mm *mm, uint64_t addr)
{
	struct vma *v;
	list_for_each_entry(v, &mm->vmas, link)
		if (addr < v->end)
			return v;
	return NULL;
}

static struct vma *vma_next(struct mm *mm, struct vma *v)
{
	return v->link.next == &mm->vmas ? NULL : list_entry(v->link.next, struct vma, link);
}

static struct vma *vma_clone(const struct vma *v)
{
	struct vma *c = xmalloc(sizeof(*c));
	*c = *v;
	list_init(&c->link);
	if (c->range)
		mf_range_get(c->range);
	if (c->file)
		file_get(c->file);
	c->name = v->name ? xstrdup(v->name) : NULL;
	vma_cache_link(c);
	return c;
}

/* Splits v at addr (strictly inside it); returns the upper half. */
static struct vma *vma_split(struct mm *mm, struct vma *v, uint64_t addr)
{
	struct vma *hi = vma_clone(v);
	hi->start = addr;
	hi->range_off += addr - v->start;
	hi->file_off += addr - v->start;
	v->end = addr;
	list_add(&hi->link, &v->link);
	mm->nr_vmas++;
	return hi;
}

/* Inserts v in address order; -EEXIST (v untouched) if it overlaps. */
static int vma_link(struct mm *mm, struct vma *v)
{
	struct list_head *pos = &mm->vmas;
	struct vma *it;
	list_for_each_entry(it, &mm->vmas, link) {
		if (it->start >= v->end) {
			pos = &it->link;
			break;
		}
		if (it->end > v->start)
			return -EEXIST;
	}
	list_add_tail(&v->link, pos);
	mm->nr_vmas++;
	mm->total_vm += v->end - v->start;
	return 0;
}

/* Frees a VMA that never made it into an mm. */
static void vma_discard(struct vma *v)
{
	if (v->cache)
		list_del(&v->cache_link);
	mf_range_put(v->range);
	if (v->file)
		file_put(v->file);
	free(v->name);
	free(v);
}

int vma_insert_range(struct mm *mm, uint64_t start, uint64_t end, int prot, int flags,
		     struct mf_range *range, uint64_t range_off)
{
	struct vma *v = xzalloc(sizeof(*v));
	list_init(&v->link);
	list_init(&v->cache_link);
	v->start = start;
	v->end = end;
	v->prot = prot;
	v->flags = flags;
	v->range = range ? mf_range_get(range) : NULL;
	v->range_off = range_off;
	v->mm = mm;
	int err = vma_link(mm, v);
	if (err)
		vma_discard(v);
	return err;
}

static int vma_remove(struct mm *mm, uint64_t start, uint64_t end, bool decommit);

int vma_remove_range(struct mm *mm, uint64_t start, uint64_t end)
{
	return vma_remove(mm, start, end, true);
}

/* decommit: whether private pages die with the VMA (munmap) or live on in
 * another VMA that took over the range (mremap moving a mapping). */
static int vma_remove(struct mm *mm, uint64_t start, uint64_t end, bool decommit)
{
	struct vma *v, *n;
	list_for_each_entry_safe(v, n, &mm->vmas, link) {
		if (v->start >= end)
			break;
		if (v->end <= start)
			continue;
		if (v->start < start) {
			n = vma_split(mm, v, start); /* visit the upper half next */
			continue;
		}
		if (v->end > end)
			vma_split(mm, v, end);
		/* Private pages belong to this VMA alone: give them back now
		 * rather than when the whole range dies. */
		if (decommit && vma_private_pages(v) && mf()) {
			cow_unborrow_range(v->range, vma_pgidx(v, v->start), (v->end - v->start) / PAGE_SIZE);
			memfile_decommit(mf(), vma_mfoff(v, v->start), v->end - v->start);
		}
		n = list_entry(v->link.next, struct vma, link);
		vma_free(mm, v);
	}
	return 0;
}

/* Start of the gap below v that mmap may use: a stack keeps its guard gap. */
static uint64_t vma_start_gap(const struct vma *v)
{
	if ((v->flags & VMA_GROWSDOWN) && v->start >= STACK_GUARD_GAP)
		return v->start - STACK_GUARD_GAP;
	return v->start;
}

uint64_t mm_get_unmapped_area(struct mm *mm, uint64_t len)
{
	uint64_t top = mm->mmap_base;
	struct vma *v;
	/* Walk down from the highest VMA below top looking for a gap. */
	for (struct list_head *p = mm->vmas.prev; p != &mm->vmas; p = p->prev) {
		v = list_entry(p, struct vma, link);
		uint64_t vstart = vma_start_gap(v);
		if (vstart >= top)
			continue;
		if (v->end <= top && top - v->end >= len)
			return top - len;
		top = MIN(top, vstart);
	}
	if (top >= APP_MIN_ADDR + len)
		return top - len;
	return 0;
}

static bool range_is_free(struct mm *mm, uint64_t start, uint64_t end)
{
	struct vma *v;
	list_for_each_entry(v, &mm->vmas, link) {
		if (v->start >= end)
			break;
		if (v->end > start)
			return false;
	}
	return true;
}

/* ---- the platform side ---- */

/* Maps [start, end) of v's own or private range into the platform: its
 * own pages with v's protection, borrowed ones read-only while others
 * borrow them too (one call per run). */
static int vma_map_pages(struct mm *mm, struct vma *v, uint64_t start, uint64_t end)
{
	if (!vma_has_cow(v))
		return pops()->as_map(mm->as, start, end - start, v->prot, vma_mfoff(v, start));
	struct mf_range *r = v->range;
	bool wr = v->prot & PROT_WRITE;
	uint64_t i0 = vma_pgidx(v, start), iend = vma_pgidx(v, end);
	for (uint64_t i = i0; i < iend;) {
		uint64_t a = start + (i - i0) * PAGE_SIZE;
		uint64_t j = cow_map_next(r->cow, i, iend);
		int err;
		if (j > i) {
			err = pops()->as_map(mm->as, a, (j - i) * PAGE_SIZE, v->prot, r->off + i * PAGE_SIZE);
			i = j;
		} else {
			struct cow_ent *e;
			bool sh;
			uint64_t off = cow_page(r, i, &e, &sh), n = 1;
			sh = sh && wr;
			for (; i + n < iend; n++) {
				struct cow_ent *e2;
				bool sh2;
				uint64_t o2 = cow_page(r, i + n, &e2, &sh2);
				if (!e2 || (sh2 && wr) != sh || o2 != off + n * PAGE_SIZE)
					break;
			}
			err = pops()->as_map(mm->as, a, n * PAGE_SIZE, sh ? v->prot & ~PROT_WRITE : v->prot, off);
			if (!err && !sh && wr)
				for (uint64_t k = i; k < i + n; k++)
					cow_map_lookup(r->cow, k)->mapped_rw = true;
			i += n;
		}
		if (err)
			return err;
	}
	return 0;
}

/* Maps [start, end) of v into the platform. A file mapping stops at the
 * file's last page (the rest faults: SIGBUS). Cache pages are loaded first
 * if fill, else only the loaded ones are mapped (the rest faults in).
 * A page that cannot be read is left to fault too. */
static int vma_populate(struct mm *mm, struct vma *v, uint64_t start, uint64_t end, bool fill)
{
	if (!mm->as || !v->range)
		return 0;
	if (v->cache)
		end = MIN(end, vma_file_limit(v));
	if (start >= end)
		return 0;
	if (v->cache && !(v->flags & VMA_COPIED)) {
		if (fill)
			pagecache_fill(v->cache, v->file, vma_foff(v, start), end - start);
		/* The cache's pages are the file: only a shared mapping may
		 * write them. */
		int prot = (v->flags & VMA_SHARED) ? v->prot : (v->prot & ~PROT_WRITE);
		for (uint64_t a = start; a < end;) {
			bool valid;
			uint64_t run = pagecache_run(v->cache, vma_foff(v, a), end - a, &valid);
			if (valid) {
				int err = pops()->as_map(mm->as, a, run, prot, vma_mfoff(v, a));
				if (err)
					return err;
			}
			a += run;
		}
		return 0;
	}
	return vma_map_pages(mm, v, start, end);
}

/* Re-establishes [start, end) of v (v's protection or pages changed). */
static int vma_remap(struct mm *mm, struct vma *v, uint64_t start, uint64_t end)
{
	if (!mm->as)
		return 0;
	if (!v->cache && !vma_has_cow(v))
		return pops()->as_protect(mm->as, start, end - start, v->prot);
	if (!v->cache) /* borrowed pages stay read-only */
		return vma_map_pages(mm, v, start, end);
	/* File mappings may have unmapped pages, which mprotect refuses. */
	int err = pops()->as_unmap(mm->as, start, end - start);
	return err ? err : vma_populate(mm, v, start, end, false);
}

/* Gives a private file mapping its own copy of its pages. Linux copies a
 * page on the first write to it; the sandbox copies the whole VMA when it
 * becomes writable. */
static int vma_privatize(struct mm *mm, struct vma *v)
{
	if (!v->cache || (v->flags & (VMA_COPIED | VMA_SHARED)))
		return 0;
	uint64_t len = v->end - v->start, lim = vma_file_limit(v);
	int err = 0;
	struct mf_range *r = mf_range_alloc(len, &err);
	if (!r)
		return err;
	if (lim > v->start && mf()) {
		err = pagecache_fill(v->cache, v->file, v->file_off, lim - v->start);
		if (!err)
			err = memfile_copy(mf(), r->off, vma_mfoff(v, v->start), lim - v->start);
		if (err) {
			mf_range_put(r);
			return err;
		}
	}
	mf_range_put(v->range);
	v->range = r;
	v->range_off = 0;
	v->flags |= VMA_COPIED;
	return vma_populate(mm, v, v->start, v->end, false);
}

/* ---- mmap ---- */

static bool file_can_read(const struct file *f)
{
	int acc = f->flags & O_ACCMODE;
	return !(f->flags & O_PATH) && (acc == O_RDONLY || acc == O_RDWR);
}

static bool file_can_write(const struct file *f)
{
	int acc = f->flags & O_ACCMODE;
	return !(f->flags & O_PATH) && (acc == O_WRONLY || acc == O_RDWR);
}

/* Creates the VMAs of a file mapping of [start, end) at file offset foff:
 * one per page-cache extent it spans. */
static int map_file_region(struct mm *mm, uint64_t start, uint64_t end, int prot, int vflags,
			   struct file *file, struct pagecache *pc, uint64_t foff)
{
	for (uint64_t a = start; a < end;) {
		struct mf_range *r;
		uint64_t roff, avail;
		int err = pagecache_get_range(pc, foff + (a - start), end - a, &r, &roff, &avail);
		if (err) {
			vma_remove_range(mm, start, a);
			return err;
		}
		struct vma *v = xzalloc(sizeof(*v));
		list_init(&v->link);
		v->start = a;
		v->end = a + avail;
		v->prot = prot;
		v->flags = vflags;
		v->range = r;
		v->range_off = roff;
		v->file = file_get(file);
		v->file_off = foff + (a - start);
		v->cache = pc;
		v->mm = mm;
		vma_cache_link(v);
		err = vma_link(mm, v);
		if (err) {
			vma_discard(v);
			vma_remove_range(mm, start, a);
			return err;
		}
		a += avail;
	}
	return 0;
}

/* After map_file_region: private writable mappings get their copy, and the
 * beginning of the mapping is loaded and mapped. */
static int file_region_setup(struct mm *mm, uint64_t start, uint64_t end, uint64_t eager)
{
	for (uint64_t a = start; a < end;) {
		struct vma *v = mm_find_vma(mm, a);
		if (!v)
			break;
		int err = 0;
		if ((v->prot & PROT_WRITE) && !(v->flags & VMA_SHARED))
			err = vma_privatize(mm, v);
		else if (v->prot & PROT_WRITE)
			v->flags |= VMA_DIRTIED;
		if (!err && v->start < start + eager)
			err = vma_populate(mm, v, v->start, MIN(v->end, start + eager), true);
		if (err)
			return err;
		a = v->end;
	}
	return 0;
}

int64_t mm_mmap(struct mm *mm, uint64_t addr, uint64_t len, int prot, int flags,
		struct file *file, uint64_t off)
{
	if (off % PAGE_SIZE)
		return -EINVAL;
	if (len == 0)
		return -EINVAL;
	if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_GROWSDOWN | PROT_GROWSUP))
		return -EINVAL;
	if (flags & MAP_ANONYMOUS)
		file = NULL;
	uint64_t alen = PAGE_ALIGN(len);
	if (alen < len || alen > APP_MAX_ADDR)
		return -ENOMEM;
	bool fixed = flags & (MAP_FIXED | MAP_FIXED_NOREPLACE);
	if (fixed) {
		if (addr % PAGE_SIZE)
			return -EINVAL;
		if (addr < APP_MIN_ADDR || addr + alen > APP_MAX_ADDR || addr + alen < addr)
			return -ENOMEM;
		if ((flags & MAP_FIXED_NOREPLACE) && !range_is_free(mm, addr, addr + alen))
			return -EEXIST;
	} else {
		addr = PAGE_ALIGN(addr);
		if (!addr || addr < APP_MIN_ADDR || addr + alen > APP_MAX_ADDR ||
		    !range_is_free(mm, addr, addr + alen))
			addr = mm_get_unmapped_area(mm, alen);
		if (!addr)
			return -ENOMEM;
	}

	/* The checks of Linux's do_mmap, in its order. */
	int type = flags & MAP_TYPE;
	int vflags = 0;
	struct pagecache *pc = NULL;
	if (file) {
		if (off > INT64_MAX || alen > (uint64_t)INT64_MAX - off)
			return -EOVERFLOW;
		switch (type) {
		case MAP_SHARED_VALIDATE:
			if (flags & ~LEGACY_MAP_MASK)
				return -EOPNOTSUPP;
			/* fallthrough */
		case MAP_SHARED:
			if ((prot & PROT_WRITE) && !file_can_write(file))
				return -EACCES;
			vflags |= VMA_SHARED;
			if (!file_can_write(file))
				vflags |= VMA_NOMAYWRITE;
			/* fallthrough */
		case MAP_PRIVATE:
			if (!file_can_read(file))
				return -EACCES;
			if (file->path.mnt && (path_mnt_flags(&file->path) & MS_NOEXEC)) {
				if (prot & PROT_EXEC)
					return -EPERM;
				vflags |= VMA_NOMAYEXEC;
			}
			if (!file->ops || !file->ops->mmap)
				return -ENODEV;
			if (flags & MAP_GROWSDOWN)
				return -EINVAL;
			break;
		default:
			return -EINVAL;
		}
		int err = file->ops->mmap(file, &pc);
		if (err)
			return err;
		/* A file of the root overlay maps its real file's pages: the
		 * mapping is the real file's, whose I/O fills them. */
		struct file *real = overlay_real_file(file);
		if (real)
			file = real;
		if (pc && (vflags & VMA_SHARED) && (pc->seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE))) {
			if (prot & PROT_WRITE)
				return -EPERM;
			vflags |= VMA_NOMAYWRITE;
		}
		if (!pc) /* the file maps as anonymous memory (/dev/zero) */
			file = NULL;
	} else {
		switch (type) {
		case MAP_SHARED:
		case MAP_SHARED_VALIDATE:
			if (flags & MAP_GROWSDOWN)
				return -EINVAL;
			vflags |= VMA_SHARED;
			break;
		case MAP_PRIVATE:
			break;
		default:
			return -EINVAL;
		}
		if (flags & MAP_GROWSDOWN)
			vflags |= VMA_GROWSDOWN;
	}
	prot &= PROT_READ | PROT_WRITE | PROT_EXEC;
	vflags |= mm->def_flags;
	if (flags & MAP_LOCKED)
		vflags |= VMA_LOCKED;

	int err = 0;
	if (fixed && !range_is_free(mm, addr, addr + alen)) {
		vma_remove_range(mm, addr, addr + alen);
		/* A file mapping may leave pages unmapped: nothing of the old
		 * mapping may show through. */
		if (file && mm->as)
			pops()->as_unmap(mm->as, addr, alen);
	}
	if (file) {
		err = map_file_region(mm, addr, addr + alen, prot, vflags, file, pc, off);
		if (!err)
			err = file_region_setup(mm, addr, addr + alen,
						(flags & MAP_POPULATE) ? alen : MMAP_EAGER_MAX);
		if (err) {
			vma_remove_range(mm, addr, addr + alen);
			if (mm->as)
				pops()->as_unmap(mm->as, addr, alen);
			return err;
		}
		return (int64_t)addr;
	}

	struct mf_range *r = mf_range_alloc(alen, &err);
	if (!r)
		return err;
	err = vma_insert_range(mm, addr, addr + alen, prot, vflags, r, 0);
	mf_range_put(r); /* the VMA holds it now */
	if (err < 0)
		return err;
	if (mm->as) {
		err = pops()->as_map(mm->as, addr, alen, prot, r->off);
		if (err < 0) {
			vma_remove_range(mm, addr, addr + alen);
			return err;
		}
	}
	return (int64_t)addr;
}

int mm_munmap(struct mm *mm, uint64_t addr, uint64_t len)
{
	if (addr % PAGE_SIZE || len == 0)
		return -EINVAL;
	uint64_t alen = PAGE_ALIGN(len);
	if (addr + alen < addr || addr + alen > APP_MAX_ADDR)
		return -EINVAL;
	vma_remove_range(mm, addr, addr + alen);
	if (mm->as)
		return pops()->as_unmap(mm->as, addr, alen);
	return 0;
}

/* ---- mprotect ---- */

int mm_mprotect(struct mm *mm, uint64_t addr, uint64_t len, int prot)
{
	if (addr % PAGE_SIZE)
		return -EINVAL;
	if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_GROWSDOWN | PROT_GROWSUP))
		return -EINVAL;
	if ((prot & PROT_GROWSDOWN) && (prot & PROT_GROWSUP))
		return -EINVAL;
	uint64_t end = addr + PAGE_ALIGN(len);
	if (end < addr)
		return -ENOMEM;
	if (len == 0)
		return 0;
	if (prot & (PROT_GROWSDOWN | PROT_GROWSUP)) {
		/* The change extends to the start of the growing mapping; x86
		 * has no upward-growing ones. */
		struct vma *v = find_vma_from(mm, addr);
		if (!v || v->start >= end)
			return -ENOMEM;
		if ((prot & PROT_GROWSUP) || !(v->flags & VMA_GROWSDOWN))
			return -EINVAL;
		addr = v->start;
	}
	prot &= PROT_READ | PROT_WRITE | PROT_EXEC;
	/* Linux fails with ENOMEM if any page of the range is unmapped, and
	 * then leaves the range unchanged: check first. */
	uint64_t cur = addr;
	struct vma *v;
	list_for_each_entry(v, &mm->vmas, link) {
		if (v->end <= cur)
			continue;
		if (v->start > cur)
			return -ENOMEM;
		if (((prot & PROT_WRITE) && (v->flags & VMA_NOMAYWRITE)) ||
		    ((prot & PROT_EXEC) && (v->flags & VMA_NOMAYEXEC)))
			return -EACCES;
		cur = v->end;
		if (cur >= end)
			break;
	}
	if (cur < end)
		return -ENOMEM;
	struct vma *n;
	list_for_each_entry_safe(v, n, &mm->vmas, link) {
		if (v->start >= end)
			break;
		if (v->end <= addr)
			continue;
		if (v->start < addr) {
			n = vma_split(mm, v, addr); /* visit the upper half next */
			continue;
		}
		if (v->end > end)
			vma_split(mm, v, end);
		if (v->cache && (prot & PROT_WRITE)) {
			if (v->flags & VMA_SHARED) {
				v->flags |= VMA_DIRTIED;
			} else if (!(v->flags & VMA_COPIED)) {
				/* Copied first: a private mapping never gets write
				 * access to cache pages. */
				int err = vma_privatize(mm, v);
				if (err)
					return err;
			}
		}
		v->prot = prot;
		n = list_entry(v->link.next, struct vma, link);
	}
	if (!mm->as)
		return 0;
	/* One platform call for the whole range unless file mappings (which
	 * may have holes) are in it. */
	bool files = false;
	for (v = find_vma_from(mm, addr); v && v->start < end; v = vma_next(mm, v))
		files |= v->cache != NULL || vma_has_cow(v);
	if (!files)
		return pops()->as_protect(mm->as, addr, end - addr, prot);
	for (v = find_vma_from(mm, addr); v && v->start < end; v = vma_next(mm, v)) {
		int err = vma_remap(mm, v, v->start, v->end);
		if (err)
			return err;
	}
	return 0;
}

uint64_t mm_brk(struct mm *mm, uint64_t newbrk)
{
	if (newbrk < mm->brk_start)
		return mm->brk;
	uint64_t old_end = PAGE_ALIGN(mm->brk), new_end = PAGE_ALIGN(newbrk);
	if (new_end > old_end) {
		if (new_end > mm->mmap_base || !range_is_free(mm, old_end, new_end))
			return mm->brk;
		int64_t r = mm_mmap(mm, old_end, new_end - old_end, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, NULL, 0);
		if (r < 0)
			return mm->brk;
		struct vma *v = mm_find_vma(mm, old_end);
		if (v)
			v->flags |= VMA_HEAP;
	} else if (new_end < old_end) {
		mm_munmap(mm, new_end, old_end - new_end);
	}
	mm->brk = newbrk;
	return mm->brk;
}

/* ---- fork ---- */

/* The child's range for the private VMA v of parent: fresh pages that
 * borrow v's, which v then borrows too from a fresh range of its own
 * (see copy-on-write above), remapped read-only where shared. */
static int vma_fork_private(struct mm *parent, struct vma *v, struct mf_range **child)
{
	uint64_t len = v->end - v->start, idx = vma_pgidx(v, v->start), n = len / PAGE_SIZE;
	int err = 0;
	struct mf_range *c = mf_range_alloc(len, &err);
	if (!c)
		return err;
	*child = c;
	if (!mf() || (v->flags & VMA_WIPEONFORK) || !cow_worth_sharing(v->range, idx, n))
		return 0; /* the child starts with zeroes, the parent keeps its own */
	struct mf_range *p = mf_range_alloc(len, &err);
	if (!p)
		goto fail;
	err = cow_share(v->range, idx, n, p, c);
	if (err) {
		/* Undo what was borrowed; the parent keeps its own pages. */
		mf_range_put(p);
		goto fail;
	}
	mf_range_put(v->range);
	v->range = p;
	v->range_off = 0;
	if (parent->as) {
		err = vma_populate(parent, v, v->start, v->end, false);
		if (err) {
			/* Nothing of the old pages may stay mapped: the parent
			 * faults its pages back in (mm_handle_fault). */
			pops()->as_unmap(parent->as, v->start, len);
			goto fail;
		}
	}
	return 0;
fail:
	mf_range_put(c);
	*child = NULL;
	return err;
}

int mm_fork(struct mm *parent, struct mm **out)
{
	struct mm *mm;
	int err = mm_new(&mm);
	if (err < 0)
		return err;
	mm->brk_start = parent->brk_start;
	mm->brk = parent->brk;
	mm->mmap_base = parent->mmap_base;
	mm->stack_top = parent->stack_top;
	mm->stack_limit = parent->stack_limit;
	mm->arg_start = parent->arg_start;
	mm->arg_end = parent->arg_end;
	mm->env_start = parent->env_start;
	mm->env_end = parent->env_end;
	memcpy(mm->auxv, parent->auxv, sizeof(mm->auxv));
	mm->auxv_len = parent->auxv_len;
	mm->exe_file = parent->exe_file ? file_get(parent->exe_file) : NULL;

	struct vma *v;
	list_for_each_entry(v, &parent->vmas, link) {
		if (v->flags & VMA_DONTFORK)
			continue;
		struct mf_range *priv = NULL;
		if (vma_private_pages(v)) {
			/* Private memory: shared copy-on-write, or fresh
			 * (nothing to share, MADV_WIPEONFORK). */
			err = vma_fork_private(parent, v, &priv);
			if (err)
				goto fail;
		}
		struct vma *c = vma_clone(v);
		c->mm = mm;
		c->flags &= ~VMA_LOCKED; /* locks are not inherited */
		if (priv) {
			mf_range_put(c->range);
			c->range = priv;
			c->range_off = 0;
		}
		err = vma_link(mm, c);
		if (err) {
			vma_discard(c);
			goto fail;
		}
		err = vma_populate(mm, c, c->start, c->end, false);
		if (err)
			goto fail;
	}
	*out = mm;
	return 0;
fail:
	mm_put(mm);
	return err;
}

/* ---- mremap ---- */

/* Whether b continues a as one Linux VMA would (mremap works on one). */
static bool vma_continues(const struct vma *a, const struct vma *b)
{
	const int ignore = VMA_DIRTIED | VMA_HEAP | VMA_STACK;
	if (a->end != b->start || a->prot != b->prot || (a->flags & ~ignore) != (b->flags & ~ignore) ||
	    a->cache != b->cache)
		return false;
	return !a->cache || b->file_off == a->file_off + (a->end - a->start);
}

/* Adds [start, end) after v (v->end == start), continuing v's mapping:
 * more of the file for a file mapping, fresh memory otherwise. */
static int mm_extend(struct mm *mm, const struct vma *v, uint64_t start, uint64_t end)
{
	int err = 0;
	if (v->cache) {
		int vflags = v->flags & (VMA_SHARED | VMA_NOMAYWRITE | VMA_NOMAYEXEC);
		err = map_file_region(mm, start, end, v->prot, vflags, v->file, v->cache, vma_foff(v, v->start) + (start - v->start));
		if (!err)
			err = file_region_setup(mm, start, end, 0);
		if (err)
			vma_remove_range(mm, start, end);
		return err;
	}
	struct mf_range *r = mf_range_alloc(end - start, &err);
	if (!r)
		return err;
	err = vma_insert_range(mm, start, end, v->prot, v->flags & (VMA_SHARED | VMA_GROWSDOWN | VMA_STACK), r, 0);
	mf_range_put(r);
	if (!err && mm->as)
		err = pops()->as_map(mm->as, start, end - start, v->prot, r->off);
	if (err)
		vma_remove_range(mm, start, end);
	return err;
}

/* The last VMA of the mapping [addr, addr+len) if it is one mapping, else
 * NULL. */
static struct vma *mapping_last(struct mm *mm, uint64_t addr, uint64_t len)
{
	struct vma *v = mm_find_vma(mm, addr);
	while (v && v->end < addr + len) {
		struct vma *n = vma_next(mm, v);
		if (!n || !vma_continues(v, n))
			return NULL;
		v = n;
	}
	return v;
}

int64_t mm_mremap(struct mm *mm, uint64_t old_addr, uint64_t old_size, uint64_t new_size, int flags,
		  uint64_t new_addr)
{
	if (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP))
		return -EINVAL;
	if ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE))
		return -EINVAL;
	if (old_addr % PAGE_SIZE)
		return -EINVAL;
	if (flags & MREMAP_DONTUNMAP) {
		log_once("mremap-dontunmap", "mremap(MREMAP_DONTUNMAP) is not supported");
		return -EINVAL;
	}
	old_size = PAGE_ALIGN(old_size);
	new_size = PAGE_ALIGN(new_size);
	if (!new_size)
		return -EINVAL;
	if (old_addr + old_size < old_addr || new_size > APP_MAX_ADDR)
		return -EINVAL;
	struct vma *v = mm_find_vma(mm, old_addr);
	if (!v)
		return -EFAULT;
	if (!old_size) {
		/* Linux duplicates a shared mapping; private ones are refused. */
		if (!(v->flags & VMA_SHARED))
			return -EINVAL;
		log_once("mremap-dup", "mremap with old_size 0 (duplicating a mapping) is not supported");
		return -EINVAL;
	}
	if (flags & MREMAP_FIXED) {
		if (new_addr % PAGE_SIZE || new_addr < APP_MIN_ADDR || new_addr + new_size > APP_MAX_ADDR)
			return -EINVAL;
		if (new_addr < old_addr + old_size && old_addr < new_addr + new_size)
			return -EINVAL; /* overlapping ranges */
		mm_munmap(mm, new_addr, new_size);
		if (old_size > new_size) {
			mm_munmap(mm, old_addr + new_size, old_size - new_size);
			old_size = new_size;
		}
	} else if (new_size <= old_size) {
		if (new_size < old_size)
			mm_munmap(mm, old_addr + new_size, old_size - new_size);
		return (int64_t)old_addr;
	}
	struct vma *last = mapping_last(mm, old_addr, old_size);
	if (!last)
		return -EFAULT;
	if (!(flags & MREMAP_FIXED)) {
		/* Grow in place when the pages after it are free. */
		uint64_t end = old_addr + old_size, nend = old_addr + new_size;
		if (end == last->end && nend <= APP_MAX_ADDR && nend > end && range_is_free(mm, end, nend)) {
			int err = mm_extend(mm, last, end, nend);
			return err ? err : (int64_t)old_addr;
		}
		if (!(flags & MREMAP_MAYMOVE))
			return -ENOMEM;
		new_addr = mm_get_unmapped_area(mm, new_size);
		if (!new_addr)
			return -ENOMEM;
	}

	/* Move: new VMAs take over the same memory-file pages (no copy), then
	 * the old ones go without releasing them. */
	uint64_t keep = MIN(old_size, new_size);
	int64_t delta = (int64_t)(new_addr - old_addr);
	struct vma *nlast = NULL;
	for (uint64_t a = old_addr; a < old_addr + keep;) {
		struct vma *ov = mm_find_vma(mm, a);
		uint64_t pe = MIN(ov->end, old_addr + keep);
		struct vma *c = vma_clone(ov);
		c->start = a + (uint64_t)delta;
		c->end = pe + (uint64_t)delta;
		c->range_off += a - ov->start;
		c->file_off += a - ov->start;
		int err = vma_link(mm, c);
		if (!err)
			err = vma_populate(mm, c, c->start, c->end, false);
		if (err) {
			if (list_linked(&c->link))
				vma_remove(mm, c->start, c->end, false);
			else
				vma_discard(c);
			vma_remove(mm, new_addr, a + (uint64_t)delta, false);
			if (mm->as)
				pops()->as_unmap(mm->as, new_addr, new_size);
			return err;
		}
		nlast = c;
		a = pe;
	}
	vma_remove(mm, old_addr, old_addr + keep, false);
	if (old_size > keep)
		vma_remove_range(mm, old_addr + keep, old_addr + old_size);
	if (mm->as)
		pops()->as_unmap(mm->as, old_addr, old_size);
	if (new_size > keep) {
		int err = mm_extend(mm, nlast, new_addr + keep, new_addr + new_size);
		if (err)
			return err;
	}
	return (int64_t)new_addr;
}

/* ---- faults ---- */

/* A fault just below a MAP_GROWSDOWN mapping grows it down to the page,
 * within RLIMIT_STACK and away from the mapping below (Linux's
 * expand_downwards and acct_stack_growth). */
static int grow_stack(struct mm *mm, uint64_t page)
{
	struct vma *prev = NULL, *next = NULL, *it;
	list_for_each_entry(it, &mm->vmas, link) {
		if (it->start > page) {
			next = it;
			break;
		}
		prev = it;
	}
	if (!next || !(next->flags & VMA_GROWSDOWN) || page < APP_MIN_ADDR)
		return -EFAULT;
	if (prev && !(prev->flags & VMA_GROWSDOWN) && prev->prot != PROT_NONE &&
	    page - prev->end < STACK_GUARD_GAP)
		return -EFAULT;
	uint64_t top = next->end;
	for (it = vma_next(mm, next); it && it->start == top && (it->flags & VMA_GROWSDOWN); it = vma_next(mm, it))
		top = it->end;
	if (mm->stack_limit != RLIM_INFINITY && top - page > mm->stack_limit)
		return -EFAULT;
	return mm_extend(mm, next, page, next->start);
}

int mm_handle_fault(struct mm *mm, uint64_t addr, bool write)
{
	uint64_t page = ALIGN_DOWN(addr, PAGE_SIZE);
	struct vma *v = mm_find_vma(mm, addr);
	if (!v)
		return grow_stack(mm, page);
	if (v->prot == PROT_NONE || (write && !(v->prot & PROT_WRITE)))
		return -EFAULT;
	if (v->cache && page >= vma_file_limit(v))
		return -EFAULT;
	uint64_t ws = MAX(v->start, ALIGN_DOWN(page, FAULT_WINDOW));
	uint64_t we = MIN(v->end, ALIGN_DOWN(page, FAULT_WINDOW) + FAULT_WINDOW);
	if (v->cache && !(v->flags & VMA_COPIED)) {
		/* The faulting page must load; its neighbours only may. */
		int err = pagecache_fill(v->cache, v->file, vma_foff(v, page), PAGE_SIZE);
		if (err)
			return -EIO;
	}
	int err = vma_populate(mm, v, ws, we, true);
	return err ? -EFAULT : 0;
}

int mm_handle_wp_fault(struct mm *mm, uint64_t addr)
{
	uint64_t page = ALIGN_DOWN(addr, PAGE_SIZE);
	struct vma *v = mm_find_vma(mm, addr);
	if (!v || !(v->prot & PROT_WRITE) || !vma_private_pages(v) || !vma_has_cow(v) || !mf())
		return -EFAULT;
	if (v->cache && page >= vma_file_limit(v))
		return -EFAULT;
	struct mf_range *r = v->range;
	struct cow_ent *e = cow_map_lookup(r->cow, vma_pgidx(v, page));
	/* A page of our own, or one already ours and writable, faulted for
	 * some other reason (an instruction fetch from a no-exec page). */
	if (!e || (e->mapped_rw && memfile_page_ref(mf(), e->off) <= 1))
		return -EFAULT;
	/* The faulting page gets its copy, as on Linux. Each fault is a
	 * round trip to the sentry, though (tens of microseconds, a copy of a
	 * page is well under one), so: the borrowed pages no one else holds
	 * any more in the whole fault window become writable at once (no
	 * copy needed), and a second fault in a block of COW_BLOCK pages
	 * (some page of it holds data of our own already) copies the rest:
	 * a process writing over its memory after fork takes two faults per
	 * block, not one per page, while a single write still copies one
	 * page, as Linux's figures show it. */
	uint64_t ws = MAX(v->start, ALIGN_DOWN(page, FAULT_WINDOW));
	uint64_t we = MIN(v->end, ALIGN_DOWN(page, FAULT_WINDOW) + FAULT_WINDOW);
	if (v->cache)
		we = MIN(we, vma_file_limit(v));
	uint64_t bs = MAX(ws, ALIGN_DOWN(page, COW_BLOCK)), be = MIN(we, ALIGN_DOWN(page, COW_BLOCK) + COW_BLOCK);
	uint64_t ds, de;
	if (memfile_next_data(mf(), vma_mfoff(v, bs), vma_mfoff(v, be), &ds, &de) != 1)
		bs = page, be = page + PAGE_SIZE; /* the first write in the block */
	uint64_t lo = page, hi = page + PAGE_SIZE;
	uint64_t i0 = vma_pgidx(v, ws), iend = vma_pgidx(v, we);
	for (uint64_t i = cow_map_next(r->cow, i0, iend); i < iend; i = cow_map_next(r->cow, i + 1, iend)) {
		uint64_t a = ws + (i - i0) * PAGE_SIZE;
		e = cow_map_lookup(r->cow, i);
		if (memfile_page_ref(mf(), e->off) <= 1) {
			if (e->mapped_rw)
				continue;
			e->mapped_rw = true; /* ours alone now: mapped writable below */
		} else if (a < bs || a >= be || !cow_break(r, i)) {
			continue;
		}
		lo = MIN(lo, a);
		hi = MAX(hi, a + PAGE_SIZE);
	}
	if (mm->as && vma_map_pages(mm, v, lo, hi))
		return -EFAULT;
	return 0;
}

int64_t mm_vma_mfoff(struct mm *mm, struct vma *v, uint64_t addr, uint64_t len, bool write,
		     uint64_t *mfoff)
{
	uint64_t n = MIN(len, v->end - addr);
	if (!vma_has_cow(v) || !mf()) {
		*mfoff = vma_mfoff(v, addr);
		return (int64_t)n;
	}
	uint64_t idx = vma_pgidx(v, addr), in_page = addr % PAGE_SIZE;
	struct cow_ent *e = cow_map_lookup(v->range->cow, idx);
	if (e && write && cow_break(v->range, idx)) {
		/* The application must see the sentry's store too. */
		uint64_t page = ALIGN_DOWN(addr, PAGE_SIZE);
		if (mm->as) {
			int err = vma_map_pages(mm, v, page, page + PAGE_SIZE);
			if (err)
				return err;
		}
		e = NULL;
	}
	if (e) {
		*mfoff = e->off + in_page;
		return (int64_t)MIN(n, PAGE_SIZE - in_page);
	}
	/* A run of our own pages, up to the next borrowed one. */
	uint64_t next = cow_map_next(v->range->cow, idx + 1, vma_pgidx(v, v->end));
	*mfoff = vma_mfoff(v, addr);
	return (int64_t)MIN(n, next * PAGE_SIZE - (v->range_off + (addr - v->start)));
}

void mm_vma_cow_usage(const struct vma *v, uint64_t *borrowed, uint64_t *shared, uint64_t *pss)
{
	*borrowed = *shared = *pss = 0;
	if (!vma_has_cow(v) || !mf())
		return;
	/* Only borrowed pages that hold memory count (holes may be borrowed
	 * too): mincore on the sentry's mapping, a run of pages at a time. */
	uint64_t i0 = vma_pgidx(v, v->start), iend = vma_pgidx(v, v->end);
	const struct cow_map *m = v->range->cow;
	unsigned char vec[256];
	for (uint64_t i = cow_map_next(m, i0, iend); i < iend;) {
		uint64_t off = cow_map_lookup(m, i)->off, n = 1;
		while (n < sizeof(vec) && i + n < iend && cow_map_lookup(m, i + n) &&
		       cow_map_lookup(m, i + n)->off == off + n * PAGE_SIZE)
			n++;
		if (mincore(memfile_ptr(mf(), off), n * PAGE_SIZE, vec) < 0)
			memset(vec, 1, n);
		for (uint64_t k = 0; k < n; k++) {
			if (!(vec[k] & 1))
				continue;
			uint32_t refs = memfile_page_ref(mf(), off + k * PAGE_SIZE);
			*borrowed += PAGE_SIZE;
			if (refs > 1)
				*shared += PAGE_SIZE;
			*pss += PAGE_SIZE / (refs ? refs : 1);
		}
		i = cow_map_next(m, i + n, iend);
	}
}

void mm_fault_signal(struct mm *mm, uint64_t addr, int err, int *signo, int *code)
{
	struct vma *v = mm_find_vma(mm, addr);
	if (err == -EIO || (v && v->cache && ALIGN_DOWN(addr, PAGE_SIZE) >= vma_file_limit(v))) {
		*signo = SIGBUS;
		*code = BUS_ADRERR;
	} else {
		*signo = SIGSEGV;
		*code = v ? SEGV_ACCERR : SEGV_MAPERR;
	}
}

int mm_prepare_access(struct mm *mm, struct vma *v, uint64_t addr, uint64_t len, bool write)
{
	if (!v->cache)
		return 0;
	if (addr + len > vma_file_limit(v))
		return -EFAULT; /* past the end of the file: SIGBUS for the CPU */
	if (v->flags & VMA_COPIED)
		return 0;
	if (write && !(v->flags & VMA_SHARED))
		return vma_privatize(mm, v) ? -EFAULT : 0;
	if (write)
		v->flags |= VMA_DIRTIED;
	return pagecache_fill(v->cache, v->file, vma_foff(v, addr), len) ? -EFAULT : 0;
}

/* ---- msync, mincore, madvise ---- */

int mm_msync(struct mm *mm, uint64_t start, uint64_t len, int flags)
{
	/* Linux's msync(2), step by step. */
	if (flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC))
		return -EINVAL;
	if (start % PAGE_SIZE)
		return -EINVAL;
	if ((flags & MS_ASYNC) && (flags & MS_SYNC))
		return -EINVAL;
	len = PAGE_ALIGN(len);
	uint64_t end = start + len;
	if (end < start)
		return -ENOMEM;
	if (end == start)
		return 0;
	int unmapped_error = 0;
	struct vma *v = find_vma_from(mm, start);
	for (;;) {
		if (!v)
			return -ENOMEM;
		if (start < v->start) {
			if (flags == MS_ASYNC)
				return -ENOMEM;
			start = v->start;
			if (start >= end)
				return -ENOMEM;
			unmapped_error = -ENOMEM;
		}
		if ((flags & MS_INVALIDATE) && (v->flags & VMA_LOCKED))
			return -EBUSY;
		uint64_t fstart = vma_foff(v, start);
		uint64_t flen = MIN(end, v->end) - start;
		start = v->end;
		if ((flags & MS_SYNC) && v->cache && (v->flags & VMA_SHARED) && (v->flags & VMA_DIRTIED) &&
		    v->file) {
			int err = pagecache_writeback(v->cache, v->file, fstart, flen);
			if (err)
				return err;
		}
		if (start >= end)
			return unmapped_error;
		v = find_vma_from(mm, start);
	}
}

/* Resident bytes per page of [addr, end) of v. */
static void vma_mincore(struct vma *v, uint64_t addr, uint64_t end, uint8_t *vec)
{
	for (uint64_t a = addr; a < end; a += PAGE_SIZE, vec++) {
		if (!v->range || !mf())
			*vec = 0;
		else if (v->cache && !(v->flags & VMA_COPIED))
			*vec = pagecache_resident(v->cache, vma_foff(v, a));
		else if (vma_has_cow(v) && cow_map_lookup(v->range->cow, vma_pgidx(v, a)))
			*vec = memfile_page_present(mf(), cow_map_lookup(v->range->cow, vma_pgidx(v, a))->off);
		else
			*vec = memfile_page_present(mf(), vma_mfoff(v, a));
	}
}

int mm_mincore(struct mm *mm, uint64_t addr, uint64_t npages, uint8_t *vec, uint64_t *done)
{
	*done = 0;
	while (*done < npages) {
		uint64_t a = addr + *done * PAGE_SIZE;
		struct vma *v = mm_find_vma(mm, a);
		if (!v)
			return -ENOMEM;
		uint64_t n = MIN(npages - *done, (v->end - a) / PAGE_SIZE);
		vma_mincore(v, a, a + n * PAGE_SIZE, vec + *done);
		*done += n;
	}
	return 0;
}

/* MADV_DONTNEED on [a, e) of v: private pages are dropped, so they read as
 * zeroes, or as the file again for a private file mapping. */
static int madvise_dontneed(struct mm *mm, struct vma *v, uint64_t a, uint64_t e)
{
	if (!vma_private_pages(v) || !mf())
		return 0; /* shared and cache pages keep their contents */
	/* Borrowed pages are let go: the platform maps our own again. */
	bool borrowed = vma_has_cow(v) &&
			cow_map_next(v->range->cow, vma_pgidx(v, a), vma_pgidx(v, e)) < vma_pgidx(v, e);
	cow_unborrow_range(v->range, vma_pgidx(v, a), (e - a) / PAGE_SIZE);
	memfile_decommit(mf(), vma_mfoff(v, a), e - a);
	if (v->cache) {
		uint64_t lim = MIN(e, vma_file_limit(v));
		if (lim > a) {
			int err = pagecache_fill(v->cache, v->file, vma_foff(v, a), lim - a);
			if (err)
				return err;
			/* The cache extent of these file pages (the VMA lost its
			 * link to it when it got its copy). */
			struct mf_range *r;
			uint64_t roff, avail;
			for (uint64_t p = a; p < lim; p += avail) {
				err = pagecache_get_range(v->cache, vma_foff(v, p), lim - p, &r, &roff, &avail);
				if (err)
					return err;
				memfile_copy(mf(), vma_mfoff(v, p), r->off + roff, avail);
				mf_range_put(r);
			}
		}
	}
	if (borrowed && mm->as)
		return vma_populate(mm, v, a, e, false);
	return 0;
}

int mm_madvise(struct mm *mm, uint64_t start, uint64_t len_in, int advice)
{
	switch (advice) {
	case MADV_NORMAL:
	case MADV_RANDOM:
	case MADV_SEQUENTIAL:
	case MADV_WILLNEED:
	case MADV_DONTNEED:
	case MADV_FREE:
	case MADV_REMOVE:
	case MADV_DONTFORK:
	case MADV_DOFORK:
	case MADV_MERGEABLE:
	case MADV_UNMERGEABLE:
	case MADV_HUGEPAGE:
	case MADV_NOHUGEPAGE:
	case MADV_DONTDUMP:
	case MADV_DODUMP:
	case MADV_WIPEONFORK:
	case MADV_KEEPONFORK:
	case MADV_COLD:
	case MADV_PAGEOUT:
		break;
	default:
		log_once("madvise", "madvise advice %d is not supported (EINVAL)", advice);
		return -EINVAL;
	}
	if (start % PAGE_SIZE)
		return -EINVAL;
	uint64_t len = PAGE_ALIGN(len_in);
	if (len_in && !len)
		return -EINVAL;
	uint64_t end = start + len;
	if (end < start)
		return -EINVAL;
	if (end == start)
		return 0;
	/* Holes in the range: the mapped parts get the advice, then ENOMEM. */
	int unmapped_error = 0;
	for (uint64_t cur = start; cur < end;) {
		struct vma *v = find_vma_from(mm, cur);
		if (!v || v->start >= end)
			return -ENOMEM;
		if (v->start > cur) {
			unmapped_error = -ENOMEM;
			cur = v->start;
		}
		uint64_t e = MIN(v->end, end);
		int err = 0;
		if ((v->flags & VMA_LOCKED) && (advice == MADV_DONTNEED || advice == MADV_FREE ||
						advice == MADV_REMOVE || advice == MADV_COLD ||
						advice == MADV_PAGEOUT))
			return -EINVAL; /* locked pages stay */
		switch (advice) {
		case MADV_DONTNEED:
			err = madvise_dontneed(mm, v, cur, e);
			break;
		case MADV_FREE:
			if (v->cache || (v->flags & VMA_SHARED))
				return -EINVAL; /* private anonymous memory only */
			err = madvise_dontneed(mm, v, cur, e);
			break;
		case MADV_REMOVE:
			/* Punches the shared memory behind the mapping. */
			if (!v->cache && !(v->flags & VMA_SHARED))
				return -EINVAL;
			if (!(v->flags & VMA_SHARED) || (v->flags & VMA_NOMAYWRITE))
				return -EACCES;
			if (!v->cache) {
				if (mf())
					memfile_decommit(mf(), vma_mfoff(v, cur), e - cur);
			} else if (pagecache_is_anon(v->cache)) {
				pagecache_punch(v->cache, vma_foff(v, cur), e - cur);
			} else {
				log_once("madvise-remove", "madvise(MADV_REMOVE) on a host file is not supported");
				return -EOPNOTSUPP;
			}
			break;
		case MADV_WIPEONFORK:
		case MADV_KEEPONFORK:
			if (v->cache || (v->flags & VMA_SHARED))
				return -EINVAL;
			/* fallthrough */
		case MADV_DONTFORK:
		case MADV_DOFORK: {
			int flag = (advice == MADV_DONTFORK || advice == MADV_DOFORK) ? VMA_DONTFORK : VMA_WIPEONFORK;
			bool set = advice == MADV_DONTFORK || advice == MADV_WIPEONFORK;
			if (v->start < cur)
				v = vma_split(mm, v, cur);
			if (v->end > e)
				vma_split(mm, v, e);
			v->flags = set ? (v->flags | flag) : (v->flags & ~flag);
			break;
		}
		default:
			break; /* advice only: nothing the sandbox must do */
		}
		if (err)
			return err;
		cur = e;
	}
	return unmapped_error;
}

/* ---- mlock ---- */

static void vma_set_locked(struct mm *mm, struct vma *v, bool lock)
{
	if (lock) {
		v->flags |= VMA_LOCKED;
		/* mlock faults every page in: file pages are loaded now. */
		if (v->cache)
			vma_populate(mm, v, v->start, v->end, true);
	} else {
		v->flags &= ~VMA_LOCKED;
	}
}

int mm_mlock(struct mm *mm, uint64_t start, uint64_t end, bool lock)
{
	/* A hole anywhere: ENOMEM and nothing changes (as Linux 6.x does). */
	for (uint64_t cur = start; cur < end;) {
		struct vma *h = mm_find_vma(mm, cur);
		if (!h)
			return -ENOMEM;
		cur = h->end;
	}
	struct vma *v = mm_find_vma(mm, start);
	uint64_t cur = start;
	while (cur < end) {
		if (v->start < cur)
			v = vma_split(mm, v, cur);
		if (v->end > end)
			vma_split(mm, v, end);
		vma_set_locked(mm, v, lock);
		cur = v->end;
		v = vma_next(mm, v);
	}
	return 0;
}

void mm_mlock_all(struct mm *mm, bool lock)
{
	struct vma *v;
	list_for_each_entry(v, &mm->vmas, link)
		vma_set_locked(mm, v, lock);
}

uint64_t mm_locked_bytes(struct mm *mm, uint64_t start, uint64_t end)
{
	uint64_t n = 0;
	struct vma *v;
	list_for_each_entry(v, &mm->vmas, link)
		if ((v->flags & VMA_LOCKED) && v->end > start && v->start < end)
			n += MIN(v->end, end) - MAX(v->start, start);
	return n;
}
