/* The page cache (see pagecache.h). */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "runsc/log.h"
#include "runsc/util.h"
#include "sentry/kernel.h"
#include "sentry/memfile.h"
#include "sentry/mm.h"
#include "sentry/pagecache.h"
#include "sentry/vfs.h"

/* Extents are allocated in granules so that a file written or mapped
 * piecewise still ends up in few extents (few VMAs per mapping); a file
 * up to WHOLE_MAX gets one extent for all of it at the first use. Unused
 * pages of an extent are holes in the memory file and cost nothing. */
#define EXTENT_GRANULE (2ULL << 20)
#define WHOLE_MAX (256ULL << 20)

static struct memfile *mf(void) { return kernel ? kernel->mf : NULL; }

static uint8_t *ext_ptr(const struct pc_extent *e, uint64_t foff)
{
	return memfile_ptr(mf(), e->range->off + (foff - e->foff));
}

static bool page_valid(const struct pagecache *pc, const struct pc_extent *e, uint64_t foff)
{
	if (!e->valid)
		return true;
	uint64_t i = (foff - e->foff) / PAGE_SIZE;
	return e->valid[i / 64] & (1ULL << (i % 64));
}

static void set_valid(struct pc_extent *e, uint64_t foff, uint64_t len, bool v)
{
	if (!e->valid)
		return;
	for (uint64_t i = (foff - e->foff) / PAGE_SIZE, n = len / PAGE_SIZE; n; i++, n--) {
		if (v)
			e->valid[i / 64] |= 1ULL << (i % 64);
		else
			e->valid[i / 64] &= ~(1ULL << (i % 64));
	}
}

static uint64_t file_size(const struct pagecache *pc)
{
	return pc->inode && pc->inode->size > 0 ? (uint64_t)pc->inode->size : 0;
}

struct pagecache *pagecache_new(struct inode *ino, const struct pagecache_ops *ops)
{
	struct pagecache *pc = xzalloc(sizeof(*pc));
	pc->inode = ino;
	pc->ops = ops;
	list_init(&pc->vmas);
	return pc;
}

void pagecache_destroy(struct pagecache *pc)
{
	if (!pc)
		return;
	if (!list_empty(&pc->vmas))
		log_error("pagecache: destroyed while mapped");
	for (size_t i = 0; i < pc->next; i++) {
		mf_range_put(pc->ext[i].range);
		free(pc->ext[i].valid);
	}
	free(pc->ext);
	free(pc);
}

/* Index of the first extent ending after off (pc->next if none). */
static size_t ext_search(const struct pagecache *pc, uint64_t off)
{
	size_t lo = 0, hi = pc->next;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (pc->ext[mid].foff + pc->ext[mid].len <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static struct pc_extent *ext_find(struct pagecache *pc, uint64_t off)
{
	size_t i = ext_search(pc, off);
	if (i < pc->next && pc->ext[i].foff <= off)
		return &pc->ext[i];
	return NULL;
}

/* Creates the extent around off, in the gap that holds it, for at least
 * [off, off+len) of the gap. */
static int ext_create(struct pagecache *pc, uint64_t off, uint64_t len, struct pc_extent **out)
{
	size_t i = ext_search(pc, off);
	uint64_t gap_lo = i > 0 ? pc->ext[i - 1].foff + pc->ext[i - 1].len : 0;
	uint64_t gap_hi = i < pc->next ? pc->ext[i].foff : UINT64_MAX;
	uint64_t want_end = off + len < off ? UINT64_MAX : off + len;
	uint64_t start = MAX(ALIGN_DOWN(off, EXTENT_GRANULE), gap_lo);
	uint64_t end = want_end > UINT64_MAX - EXTENT_GRANULE ? UINT64_MAX : ALIGN_UP(want_end, EXTENT_GRANULE);
	uint64_t whole = PAGE_ALIGN(file_size(pc));
	if (pc->next == 0 && whole <= WHOLE_MAX) {
		start = 0;
		end = MAX(end, whole);
	}
	end = MIN(end, gap_hi);
	if (end <= start || end - start > APP_MAX_ADDR)
		return -ENOMEM;
	int err = 0;
	struct mf_range *r = mf_range_alloc(end - start, &err);
	if (!r)
		return err;
	if (pc->next == pc->cap) {
		pc->cap = pc->cap ? pc->cap * 2 : 4;
		pc->ext = xrealloc(pc->ext, pc->cap * sizeof(*pc->ext));
	}
	memmove(&pc->ext[i + 1], &pc->ext[i], (pc->next - i) * sizeof(*pc->ext));
	pc->next++;
	struct pc_extent *e = &pc->ext[i];
	e->foff = start;
	e->len = end - start;
	e->range = r;
	e->valid = NULL;
	if (!pagecache_is_anon(pc)) {
		uint64_t pages = e->len / PAGE_SIZE;
		e->valid = xzalloc(((pages + 63) / 64) * sizeof(uint64_t));
	}
	*out = e;
	return 0;
}

int pagecache_get_range(struct pagecache *pc, uint64_t off, uint64_t len, struct mf_range **r,
			uint64_t *roff, uint64_t *avail)
{
	struct pc_extent *e = ext_find(pc, off);
	if (!e) {
		int err = ext_create(pc, off, len, &e);
		if (err)
			return err;
	}
	*r = mf_range_get(e->range);
	*roff = off - e->foff;
	*avail = MIN(len, e->foff + e->len - off);
	return 0;
}

/* Loads [off, off+len) (within one extent, all invalid, below EOF). */
static int load_run(struct pagecache *pc, struct pc_extent *e, struct file *f, uint64_t off, uint64_t len)
{
	uint8_t *p = ext_ptr(e, off);
	uint64_t done = 0, want = MIN(len, file_size(pc) - off); /* off is below EOF */
	while (done < want) {
		ssize_t n = pc->ops->read(f, p + done, want - done, off + done);
		if (n < 0)
			return (int)n;
		if (n == 0)
			break; /* the host file is shorter than we knew: the rest stays zero */
		done += (uint64_t)n;
	}
	/* Bytes past the end of the file read as zeroes, whatever a page held
	 * before (it may be a page that truncate gave back). */
	if (done < len)
		memset(p + done, 0, len - done);
	set_valid(e, off, len, true);
	return 0;
}

int pagecache_fill(struct pagecache *pc, struct file *f, uint64_t off, uint64_t len)
{
	if (pagecache_is_anon(pc) || !mf())
		return 0;
	uint64_t end = MIN(PAGE_ALIGN(off + len), PAGE_ALIGN(file_size(pc)));
	off = ALIGN_DOWN(off, PAGE_SIZE);
	while (off < end) {
		struct pc_extent *e = ext_find(pc, off);
		if (!e) {
			size_t i = ext_search(pc, off);
			if (i >= pc->next)
				break;
			off = pc->ext[i].foff;
			continue;
		}
		uint64_t eend = MIN(end, e->foff + e->len);
		while (off < eend) {
			bool valid = page_valid(pc, e, off);
			uint64_t run = PAGE_SIZE;
			while (off + run < eend && page_valid(pc, e, off + run) == valid)
				run += PAGE_SIZE;
			if (!valid) {
				if (!f)
					return -EIO;
				int err = load_run(pc, e, f, off, run);
				if (err)
					return err;
			}
			off += run;
		}
	}
	return 0;
}

uint64_t pagecache_run(struct pagecache *pc, uint64_t off, uint64_t len, bool *valid)
{
	struct pc_extent *e = ext_find(pc, off);
	if (!e) {
		*valid = false;
		size_t i = ext_search(pc, off);
		uint64_t next = i < pc->next ? pc->ext[i].foff : UINT64_MAX;
		return MIN(len, next - off);
	}
	uint64_t end = MIN(off + len, e->foff + e->len);
	*valid = page_valid(pc, e, off);
	uint64_t run = PAGE_SIZE;
	while (off + run < end && page_valid(pc, e, off + run) == *valid)
		run += PAGE_SIZE;
	return MIN(run, len);
}

bool pagecache_resident(struct pagecache *pc, uint64_t off)
{
	struct pc_extent *e = ext_find(pc, off);
	if (!e)
		return false;
	if (e->valid)
		return page_valid(pc, e, off);
	/* Anonymous: a page is there once something touched it. */
	return memfile_page_present(mf(), e->range->off + (off - e->foff));
}

ssize_t pagecache_read(struct pagecache *pc, struct file *f, void *buf, size_t len, uint64_t off)
{
	uint8_t *out = buf;
	size_t done = 0;
	while (done < len) {
		uint64_t pos = off + done;
		struct pc_extent *e = ext_find(pc, pos);
		size_t chunk;
		if (e && page_valid(pc, e, ALIGN_DOWN(pos, PAGE_SIZE))) {
			/* Valid pages hold the newest data (shared mappings store
			 * into them); they end at the end of the file. */
			uint64_t size = file_size(pc);
			if (pos >= size)
				break;
			uint64_t end = MIN(e->foff + e->len, size);
			chunk = MIN(len - done, end - pos);
			uint64_t p = ALIGN_DOWN(pos, PAGE_SIZE) + PAGE_SIZE;
			while (p < pos + chunk && page_valid(pc, e, p))
				p += PAGE_SIZE;
			chunk = MIN(chunk, p - pos);
			memcpy(out + done, ext_ptr(e, pos), chunk);
			done += chunk;
			continue;
		}
		/* Not cached: straight from the file, up to the next valid page. */
		uint64_t stop;
		if (e) {
			uint64_t p = ALIGN_DOWN(pos, PAGE_SIZE) + PAGE_SIZE;
			uint64_t eend = e->foff + e->len;
			while (p < eend && !page_valid(pc, e, p) && p < pos + (len - done))
				p += PAGE_SIZE;
			stop = p;
		} else {
			size_t i = ext_search(pc, pos);
			stop = i < pc->next ? pc->ext[i].foff : UINT64_MAX;
		}
		chunk = (size_t)MIN((uint64_t)(len - done), stop - pos);
		ssize_t n = pc->ops->read(f, out + done, chunk, pos);
		if (n < 0)
			return done ? (ssize_t)done : n;
		done += (size_t)n;
		if ((size_t)n < chunk)
			break; /* end of file */
	}
	return (ssize_t)done;
}

void pagecache_write_update(struct pagecache *pc, const void *buf, size_t len, uint64_t off)
{
	const uint8_t *in = buf;
	uint64_t end = off + len;
	uint64_t pos = off;
	while (pos < end) {
		struct pc_extent *e = ext_find(pc, pos);
		if (!e) {
			size_t i = ext_search(pc, pos);
			if (i >= pc->next)
				return;
			pos = pc->ext[i].foff;
			continue;
		}
		uint64_t pend = MIN(MIN(ALIGN_DOWN(pos, PAGE_SIZE) + PAGE_SIZE, end), e->foff + e->len);
		if (page_valid(pc, e, ALIGN_DOWN(pos, PAGE_SIZE)))
			memcpy(ext_ptr(e, pos), in + (pos - off), pend - pos);
		pos = pend;
	}
}

ssize_t pagecache_anon_rw(struct pagecache *pc, void *buf, size_t len, uint64_t off, bool write)
{
	uint8_t *p = buf;
	size_t done = 0;
	while (done < len) {
		uint64_t pos = off + done;
		struct pc_extent *e = ext_find(pc, pos);
		if (!e && write) {
			int err = ext_create(pc, ALIGN_DOWN(pos, PAGE_SIZE), PAGE_ALIGN(pos + (len - done)) - ALIGN_DOWN(pos, PAGE_SIZE), &e);
			if (err)
				return done ? (ssize_t)done : err;
		}
		size_t chunk;
		if (!e) {
			size_t i = ext_search(pc, pos);
			uint64_t next = i < pc->next ? pc->ext[i].foff : UINT64_MAX;
			chunk = (size_t)MIN((uint64_t)(len - done), next - pos);
			memset(p + done, 0, chunk); /* never written: zeroes */
		} else {
			chunk = (size_t)MIN((uint64_t)(len - done), e->foff + e->len - pos);
			if (write)
				memcpy(ext_ptr(e, pos), p + done, chunk);
			else
				memcpy(p + done, ext_ptr(e, pos), chunk);
		}
		done += chunk;
	}
	return (ssize_t)done;
}

int pagecache_writeback(struct pagecache *pc, struct file *f, uint64_t off, uint64_t len)
{
	if (pagecache_is_anon(pc) || !pc->ops->write || !mf())
		return 0;
	uint64_t size = file_size(pc);
	uint64_t end = MIN(off + len, size);
	int ret = 0;
	while (off < end) {
		bool valid;
		uint64_t page = ALIGN_DOWN(off, PAGE_SIZE);
		uint64_t run = pagecache_run(pc, page, PAGE_ALIGN(end) - page, &valid);
		uint64_t rend = MIN(page + run, end);
		if (valid) {
			struct pc_extent *e = ext_find(pc, off);
			uint64_t pos = off;
			while (pos < rend) {
				ssize_t n = pc->ops->write(f, ext_ptr(e, pos), rend - pos, pos);
				if (n <= 0) {
					if (!ret)
						ret = n < 0 ? (int)n : -EIO;
					break;
				}
				pos += (uint64_t)n;
			}
		}
		off = rend;
	}
	return ret;
}

int pagecache_sync(struct pagecache *pc, uint64_t off, uint64_t len)
{
	if (pagecache_is_anon(pc))
		return 0;
	uint64_t end = off + len < off ? UINT64_MAX : off + len;
	int ret = 0;
	struct vma *v;
	list_for_each_entry(v, &pc->vmas, cache_link) {
		if (!(v->flags & VMA_DIRTIED) || (v->flags & VMA_COPIED) || !v->file)
			continue;
		uint64_t vs = v->file_off, ve = v->file_off + (v->end - v->start);
		uint64_t s = MAX(vs, off), e = MIN(ve, end);
		if (s >= e)
			continue;
		int err = pagecache_writeback(pc, v->file, s, e - s);
		if (err && !ret)
			ret = err;
	}
	return ret;
}

void pagecache_truncate(struct pagecache *pc, uint64_t oldsize, uint64_t newsize)
{
	if (newsize >= oldsize || !mf())
		return;
	/* The tail of the new last page reads as zeroes from now on. */
	if (newsize % PAGE_SIZE) {
		struct pc_extent *e = ext_find(pc, newsize);
		if (e && page_valid(pc, e, ALIGN_DOWN(newsize, PAGE_SIZE)))
			memset(ext_ptr(e, newsize), 0, PAGE_SIZE - newsize % PAGE_SIZE);
	}
	uint64_t cut = PAGE_ALIGN(newsize);
	for (size_t i = ext_search(pc, cut); i < pc->next; i++) {
		struct pc_extent *e = &pc->ext[i];
		uint64_t s = MAX(e->foff, cut);
		uint64_t l = e->foff + e->len - s;
		memfile_decommit(mf(), e->range->off + (s - e->foff), l);
		set_valid(e, s, l, false);
	}
	/* Linux unmaps the pages from every mapping, private copies included,
	 * so that accesses fault with SIGBUS. */
	struct vma *v;
	list_for_each_entry(v, &pc->vmas, cache_link) {
		uint64_t vcut = cut <= v->file_off ? v->start : v->start + (cut - v->file_off);
		if (vcut < v->start || vcut >= v->end)
			continue;
		if (v->mm && v->mm->as && kernel && kernel->pops) {
			/* A running address space may refuse (the ptrace platform
			 * edits stopped stubs only); its pages read as zeroes
			 * then, instead of faulting. */
			int err = kernel->pops->as_unmap(v->mm->as, vcut, v->end - vcut);
			if (err)
				log_once("pagecache-truncate-busy", "truncate: could not unmap a running address space: %s", strerror(-err));
		}
	}
}

void pagecache_punch(struct pagecache *pc, uint64_t off, uint64_t len)
{
	uint64_t end = off + len;
	for (size_t i = ext_search(pc, off); i < pc->next && pc->ext[i].foff < end; i++) {
		struct pc_extent *e = &pc->ext[i];
		uint64_t s = MAX(e->foff, off), t = MIN(e->foff + e->len, end);
		if (s < t && mf())
			memfile_decommit(mf(), e->range->off + (s - e->foff), t - s);
	}
}

uint64_t pagecache_resident_bytes(struct pagecache *pc)
{
	uint64_t n = 0;
	for (size_t i = 0; i < pc->next && mf(); i++) {
		struct pc_extent *e = &pc->ext[i];
		if (!e->valid) {
			n += memfile_present_bytes(mf(), e->range->off, e->len);
			continue;
		}
		for (uint64_t p = e->foff; p < e->foff + e->len; p += PAGE_SIZE)
			if (page_valid(pc, e, p))
				n += PAGE_SIZE;
	}
	return n;
}

int pagecache_nr_maps(struct pagecache *pc)
{
	int n = 0;
	struct vma *v;
	list_for_each_entry(v, &pc->vmas, cache_link)
		n++;
	return n;
}

int pagecache_nr_writable_maps(struct pagecache *pc)
{
	int n = 0;
	struct vma *v;
	list_for_each_entry(v, &pc->vmas, cache_link)
		if ((v->flags & VMA_SHARED) && !(v->flags & VMA_NOMAYWRITE))
			n++;
	return n;
}
