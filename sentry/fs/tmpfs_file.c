/* tmpfs regular files: data in memory-file pages. Until a file is
 * mmapped, a radix tree of page index -> memory-file offset finds its
 * pages, one page each (many small files cost no more than their data);
 * the first mmap moves them into an anonymous page cache (inode->cache),
 * whose contiguous extents the mm maps and shares with read and write.
 * Either way holes cost nothing: a page appears on the first write to it
 * (a hole reads as zeroes), and SEEK_DATA/SEEK_HOLE report which pages
 * exist, as Linux's shmem does. size= is enforced on writes; a page first
 * touched through a shared mapping is not counted against it. */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/falloc.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <time.h>

#include "runsc/util.h"
#include "sentry/fs/tmpfs_impl.h"
#include "sentry/kernel.h"
#include "sentry/memfile.h"
#include "sentry/mm.h"
#include "sentry/pagecache.h"

/* Five levels of 512 slots: 2^45 pages, files up to 2^57 bytes. */
#define TMPFS_MAX_HEIGHT 5
#define TMPFS_MAX_PAGES (1ULL << (TMPFS_RADIX_BITS * TMPFS_MAX_HEIGHT))
#define TMPFS_MAX_FILE_SIZE ((int64_t)(TMPFS_MAX_PAGES * PAGE_SIZE))

static uint64_t capacity(int height)
{
	return height ? 1ULL << (TMPFS_RADIX_BITS * height) : 0;
}

static uintptr_t *node_new(void)
{
	return xzalloc(TMPFS_RADIX_SLOTS * sizeof(uintptr_t));
}

/* The slot of page index, or NULL when absent (create: made). */
static uintptr_t *page_slot(struct tmpfs_pages *pg, uint64_t index, bool create)
{
	uintptr_t *node;

	if (index >= capacity(pg->height)) {
		if (!create)
			return NULL;
		while (index >= capacity(pg->height)) {
			uintptr_t *n = node_new();

			n[0] = pg->root;
			pg->root = (uintptr_t)n;
			pg->height++;
		}
	}
	node = (uintptr_t *)pg->root;
	for (int h = pg->height; h > 1; h--) {
		unsigned int i = (unsigned int)(index >> (TMPFS_RADIX_BITS * (h - 1))) & (TMPFS_RADIX_SLOTS - 1);

		if (!node[i]) {
			if (!create)
				return NULL;
			node[i] = (uintptr_t)node_new();
		}
		node = (uintptr_t *)node[i];
	}
	return &node[index & (TMPFS_RADIX_SLOTS - 1)];
}

/* Frees the pages at or past `from` under node (covering indexes from
 * base); true if node is then empty. */
static bool prune(struct tmpfs_sb *s, uintptr_t *node, int h, uint64_t base, uint64_t from,
		  uint64_t *freed)
{
	uint64_t span = 1ULL << (TMPFS_RADIX_BITS * (h - 1));
	bool empty = true;

	for (unsigned int i = 0; i < TMPFS_RADIX_SLOTS; i++) {
		uint64_t lo = base + i * span;

		if (!node[i])
			continue;
		if (lo + span <= from) {
			empty = false;
			continue;
		}
		if (h == 1) {
			memfile_free(s->mf, node[i] - 1, PAGE_SIZE);
			node[i] = 0;
			(*freed)++;
			continue;
		}
		if (prune(s, (uintptr_t *)node[i], h - 1, lo, from, freed)) {
			free((void *)node[i]);
			node[i] = 0;
		} else {
			empty = false;
		}
	}
	return empty;
}

static void pages_truncate(struct inode *ino, uint64_t from)
{
	struct tmpfs_pages *pg = &TI(ino)->pages;
	uint64_t freed = 0;

	if (!pg->root)
		return;
	if (prune(TSB(ino), (uintptr_t *)pg->root, pg->height, 0, from, &freed)) {
		free((void *)pg->root);
		pg->root = 0;
		pg->height = 0;
	}
	pg->count -= freed;
	tmpfs_release_pages(TSB(ino), freed);
	ino->blocks = (int64_t)(pg->count * (PAGE_SIZE / 512));
}

/* The first present page at or after from under node; false if none. */
static bool find_present(uintptr_t *node, int h, uint64_t base, uint64_t from, uint64_t *out)
{
	uint64_t span = 1ULL << (TMPFS_RADIX_BITS * (h - 1));
	unsigned int i = from > base ? (unsigned int)((from - base) / span) : 0;

	for (; i < TMPFS_RADIX_SLOTS; i++) {
		uint64_t lo = base + i * span;

		if (!node[i])
			continue;
		if (h == 1) {
			*out = lo;
			return true;
		}
		if (find_present((uintptr_t *)node[i], h - 1, lo, MAX(from, lo), out))
			return true;
	}
	return false;
}

/* The first hole at or after from (the tree ends in an infinite one). */
static uint64_t find_hole(struct tmpfs_pages *pg, uint64_t from)
{
	for (uint64_t i = from;; i++) {
		uintptr_t *slot = page_slot(pg, i, false);

		if (!slot || !*slot)
			return i;
	}
}

/* The memory-file offset of page index of an unmapped file; with alloc, a
 * hole gets a zeroed page (-ENOSPC past the size limit), else it is
 * -ENOENT. */
static int radix_page(struct inode *ino, uint64_t index, bool alloc, uint64_t *mf_off)
{
	struct tmpfs_inode *ti = TI(ino);
	struct tmpfs_sb *s = TSB(ino);
	uintptr_t *slot;
	uint64_t off;
	int rc;

	if (index >= TMPFS_MAX_PAGES)
		return -EFBIG;
	slot = page_slot(&ti->pages, index, alloc);
	if (slot && *slot) {
		*mf_off = *slot - 1;
		return 0;
	}
	if (!alloc)
		return -ENOENT;
	if ((rc = tmpfs_reserve_pages(s, 1)) < 0)
		return rc;
	if ((rc = memfile_alloc(s->mf, PAGE_SIZE, &off)) < 0) {
		tmpfs_release_pages(s, 1);
		return rc == -ENOMEM ? -ENOSPC : rc;
	}
	*slot = off + 1;
	ti->pages.count++;
	ino->blocks = (int64_t)(ti->pages.count * (PAGE_SIZE / 512));
	*mf_off = off;
	return 0;
}

/* ---- mapped files: the page cache ---- */

static struct pagecache *PC(const struct inode *ino)
{
	return ino->cache;
}

static bool limited(const struct tmpfs_sb *s)
{
	return s->opts.max_pages != 0;
}

/* Pages of [off, off+len) the file does not have yet. */
static uint64_t missing_pages(struct inode *ino, uint64_t off, uint64_t len)
{
	uint64_t n = 0;

	for (uint64_t p = ALIGN_DOWN(off, PAGE_SIZE); p < off + len; p += PAGE_SIZE) {
		if (PC(ino)) {
			n += !pagecache_resident(PC(ino), p);
		} else {
			uintptr_t *slot = page_slot(&TI(ino)->pages, p / PAGE_SIZE, false);

			n += !slot || !*slot;
		}
	}
	return n;
}

/* Pages of a mapped file present in [from, to) (page aligned). */
static uint64_t mapped_present(struct inode *ino, uint64_t from, uint64_t to)
{
	uint64_t n = 0;

	for (uint64_t p = from; p < to;) {
		bool valid;
		uint64_t run = pagecache_run(PC(ino), p, to - p, &valid);

		/* Outside every extent: a hole all along. */
		if (valid) {
			for (uint64_t q = p; q < p + run; q += PAGE_SIZE)
				n += pagecache_resident(PC(ino), q);
		}
		p += run;
	}
	return n;
}

/* Accounts n more pages of a mapped file (only with a size limit: without
 * one, tmpfs_uncharged_pages counts them when asked). */
static int charge_mapped(struct inode *ino, uint64_t n)
{
	int rc;

	if (!limited(TSB(ino)) || !n)
		return 0;
	if ((rc = tmpfs_reserve_pages(TSB(ino), n)) < 0)
		return rc;
	TI(ino)->charged += n;
	return 0;
}

static void uncharge_mapped(struct inode *ino, uint64_t n)
{
	n = MIN(n, TI(ino)->charged);
	TI(ino)->charged -= n;
	tmpfs_release_pages(TSB(ino), n);
}

uint64_t tmpfs_uncharged_pages(struct tmpfs_sb *s)
{
	struct tmpfs_inode *ti;
	uint64_t n = 0;

	list_for_each_entry(ti, &s->mapped, mapped_link) {
		uint64_t resident = pagecache_resident_bytes(PC(ti->inode)) / PAGE_SIZE;

		n += resident - MIN(resident, ti->charged);
	}
	return n;
}

int tmpfs_charge_all(struct tmpfs_sb *s, uint64_t max_pages)
{
	struct tmpfs_inode *ti;
	uint64_t extra = tmpfs_uncharged_pages(s);

	if (max_pages && s->used_pages + extra > max_pages)
		return -EINVAL;
	list_for_each_entry(ti, &s->mapped, mapped_link)
		ti->charged = MAX(ti->charged, pagecache_resident_bytes(PC(ti->inode)) / PAGE_SIZE);
	s->used_pages += extra;
	return 0;
}

/* The first mmap: the data moves into a page cache, which mappings, read
 * and write then share. */
static int make_mapped(struct inode *ino)
{
	struct tmpfs_inode *ti = TI(ino);
	struct tmpfs_sb *s = TSB(ino);
	struct pagecache *pc = pagecache_new(ino, NULL);
	uint64_t pages = ti->pages.count, off;

	for (uint64_t idx = 0; ti->pages.count && idx * PAGE_SIZE < (uint64_t)ino->size; idx++) {
		uintptr_t *slot = page_slot(&ti->pages, idx, false);
		ssize_t n;

		if (!slot || !*slot)
			continue;
		off = *slot - 1;
		n = pagecache_anon_rw(pc, memfile_ptr(s->mf, off), PAGE_SIZE, idx * PAGE_SIZE, true);
		if (n < 0) {
			pagecache_destroy(pc);
			return (int)n;
		}
	}
	pages_truncate(ino, 0);
	/* pages_truncate gave their count back; the copies replace them. */
	if (limited(s)) {
		s->used_pages += pages;
		ti->charged = pages;
	}
	ino->cache = pc;
	list_add(&ti->mapped_link, &s->mapped);
	tmpfs_update_blocks(ino);
	return 0;
}

void tmpfs_release_data(struct inode *ino)
{
	struct tmpfs_inode *ti = TI(ino);

	pages_truncate(ino, 0);
	if (PC(ino)) {
		uncharge_mapped(ino, ti->charged);
		list_del(&ti->mapped_link);
		pagecache_destroy(PC(ino));
		ino->cache = NULL;
	}
}

void tmpfs_update_blocks(struct inode *ino)
{
	if (PC(ino))
		ino->blocks = (int64_t)(pagecache_resident_bytes(PC(ino)) / 512);
	else
		ino->blocks = (int64_t)(TI(ino)->pages.count * (PAGE_SIZE / 512));
}

/* ---- size ---- */

int tmpfs_set_size(struct inode *ino, int64_t size)
{
	uint64_t off, cut;

	if (size < 0)
		return -EINVAL;
	if (size > TMPFS_MAX_FILE_SIZE)
		return -EFBIG;
	if (size < ino->size) {
		cut = PAGE_ALIGN((uint64_t)size);
		if (PC(ino)) {
			if (limited(TSB(ino)))
				uncharge_mapped(ino, mapped_present(ino, cut, PAGE_ALIGN((uint64_t)ino->size)));
			/* Zeroes the tail, drops the pages past the end and
			 * unmaps them from every mapping (SIGBUS there). */
			pagecache_truncate(PC(ino), (uint64_t)ino->size, (uint64_t)size);
		} else {
			pages_truncate(ino, cut / PAGE_SIZE);
			/* Whatever lay past the new end in its last page must
			 * read as zeroes if the file grows again. */
			if ((size % PAGE_SIZE) && radix_page(ino, (uint64_t)size / PAGE_SIZE, false, &off) == 0)
				memset(memfile_ptr(TSB(ino)->mf, off + (uint64_t)size % PAGE_SIZE), 0,
				       PAGE_SIZE - (uint64_t)size % PAGE_SIZE);
		}
	}
	ino->size = size;
	tmpfs_update_blocks(ino);
	return 0;
}

/* ---- data ---- */

static bool all_zero(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i])
			return false;
	}
	return true;
}

/* How much of a write of len bytes at pos fits in what size= leaves:
 * the bytes up to the first page that would not (Linux writes page by
 * page and stops there). Takes the space for it. */
static size_t reserve_for_write(struct inode *ino, uint64_t pos, size_t len, int *rc)
{
	struct tmpfs_sb *s = TSB(ino);
	uint64_t avail, need = 0, end = pos + len;

	*rc = 0;
	if (!limited(s))
		return len;
	avail = s->opts.max_pages - MIN(s->used_pages, s->opts.max_pages);
	for (uint64_t p = ALIGN_DOWN(pos, PAGE_SIZE); p < end; p += PAGE_SIZE) {
		uint64_t n = missing_pages(ino, p, 1);

		if (need + n > avail) {
			end = MAX(p, pos);
			break;
		}
		need += n;
	}
	if (end == pos) {
		*rc = -ENOSPC;
		return 0;
	}
	if (PC(ino))
		*rc = charge_mapped(ino, need);
	/* Unmapped files take their pages one by one as they get them. */
	return *rc ? 0 : (size_t)(end - pos);
}

static int write_at(struct inode *ino, uint64_t pos, const void *buf, size_t len, bool sparse)
{
	struct memfile *mf = TSB(ino)->mf;
	size_t done = 0;
	int rc;

	if (PC(ino) && !sparse) {
		ssize_t w = pagecache_anon_rw(PC(ino), (void *)buf, len, pos, true);

		return w < 0 ? (int)w : (int)MIN((size_t)w, (size_t)INT32_MAX);
	}
	while (done < len) {
		uint64_t p = pos + done, off;
		size_t in_page = p % PAGE_SIZE, n = MIN(len - done, PAGE_SIZE - in_page);
		const char *src = (const char *)buf + done;

		if (sparse && all_zero(src, n) && missing_pages(ino, p, 1)) {
			/* A hole already reads as these zeroes. */
		} else if (PC(ino)) {
			ssize_t w = pagecache_anon_rw(PC(ino), (void *)src, n, p, true);

			if (w < 0)
				return done ? (int)done : (int)w;
		} else {
			if ((rc = radix_page(ino, p / PAGE_SIZE, true, &off)) < 0)
				return done ? (int)done : rc;
			memcpy(memfile_ptr(mf, off + in_page), src, n);
		}
		done += n;
	}
	return (int)MIN(done, (size_t)INT32_MAX);
}

int tmpfs_write_data(struct inode *ino, int64_t pos, const void *buf, size_t len)
{
	int rc;

	if (!inode_is_tmpfs(ino) || !S_ISREG(ino->mode))
		return -EINVAL;
	if (pos < 0 || (uint64_t)pos + len > (uint64_t)TMPFS_MAX_FILE_SIZE)
		return -EFBIG;
	for (size_t done = 0; done < len;) {
		size_t n = MIN(len - done, (size_t)1 << 20);

		if ((rc = write_at(ino, (uint64_t)pos + done, (const char *)buf + done, n, true)) < 0)
			return rc;
		if ((size_t)rc < n)
			return -ENOSPC;
		done += n;
	}
	if (pos + (int64_t)len > ino->size)
		ino->size = pos + (int64_t)len;
	tmpfs_update_blocks(ino);
	return 0;
}

/* ---- file operations ---- */

static int ts_cmp(struct timespec a, struct timespec b)
{
	if (a.tv_sec != b.tv_sec)
		return a.tv_sec < b.tv_sec ? -1 : 1;
	return a.tv_nsec < b.tv_nsec ? -1 : a.tv_nsec > b.tv_nsec;
}

/* relatime (relatime_need_update): atime moves when it is not newer than
 * mtime or ctime, or is a day old. */
static void touch_atime(struct file *f)
{
	struct inode *ino = f->inode;
	struct timespec now;

	if ((f->flags & O_NOATIME) || (f->path.mnt && (path_mnt_flags(&f->path) & MS_NOATIME)))
		return;
	clock_gettime(CLOCK_REALTIME, &now);
	if (ts_cmp(ino->mtime, ino->atime) < 0 && ts_cmp(ino->ctime, ino->atime) < 0 &&
	    now.tv_sec - ino->atime.tv_sec < 86400)
		return;
	ino->atime = now;
}

static ssize_t tmpfs_read(struct file *f, struct task *t, void *buf, size_t len, int64_t *pos)
{
	struct inode *ino = f->inode;
	struct memfile *mf = TSB(ino)->mf;
	size_t done = 0;

	if (*pos < 0)
		return -EINVAL;
	if (*pos >= ino->size)
		return 0;
	len = (size_t)MIN((uint64_t)len, (uint64_t)(ino->size - *pos));
	if (PC(ino)) {
		ssize_t n = pagecache_anon_rw(PC(ino), buf, len, (uint64_t)*pos, false);

		if (n < 0)
			return n;
		done = (size_t)n;
	}
	while (done < len) {
		uint64_t p = (uint64_t)*pos + done, off;
		size_t in_page = p % PAGE_SIZE, n = MIN(len - done, PAGE_SIZE - in_page);

		if (radix_page(ino, p / PAGE_SIZE, false, &off) == 0)
			memcpy((char *)buf + done, memfile_ptr(mf, off + in_page), n);
		else
			memset((char *)buf + done, 0, n);
		done += n;
	}
	*pos += (int64_t)done;
	touch_atime(f);
	return (ssize_t)done;
}

/* file_remove_privs(): a write by someone without CAP_FSETID drops
 * set-user-ID, and set-group-ID when it means something (group exec). */
static void remove_privs(struct inode *ino, struct task *t)
{
	bool kill = (ino->mode & S_ISUID) || (ino->mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP);

	if (kill && t && !cred_capable(t->cred, CAP_FSETID))
		ino->mode &= ~(uint32_t)(S_ISUID | ((ino->mode & S_IXGRP) ? S_ISGID : 0));
}

static ssize_t tmpfs_write(struct file *f, struct task *t, const void *buf, size_t len,
			   int64_t *pos)
{
	struct inode *ino = f->inode;
	int rc, n;

	if (*pos < 0)
		return -EINVAL;
	if (len == 0)
		return 0;
	if (*pos >= TMPFS_MAX_FILE_SIZE)
		return -EFBIG;
	len = (size_t)MIN((uint64_t)len, (uint64_t)(TMPFS_MAX_FILE_SIZE - *pos));
	len = MIN(len, (size_t)INT32_MAX & ~(PAGE_SIZE - 1));
	len = reserve_for_write(ino, (uint64_t)*pos, len, &rc);
	if (rc < 0)
		return rc;
	n = write_at(ino, (uint64_t)*pos, buf, len, false);
	if (n <= 0)
		return n < 0 ? n : -ENOSPC;
	*pos += n;
	if (*pos > ino->size)
		ino->size = *pos;
	tmpfs_update_blocks(ino);
	remove_privs(ino, t);
	tmpfs_touch(ino, true, true);
	return n;
}

/* Is page index present (SEEK_DATA/SEEK_HOLE)? */
static bool page_present(struct inode *ino, uint64_t idx)
{
	uintptr_t *slot;

	if (PC(ino))
		return pagecache_resident(PC(ino), idx * PAGE_SIZE);
	slot = page_slot(&TI(ino)->pages, idx, false);
	return slot && *slot;
}

static int64_t seek_data_hole(struct inode *ino, int64_t off, bool data)
{
	struct tmpfs_pages *pg = &TI(ino)->pages;
	uint64_t idx = (uint64_t)off / PAGE_SIZE, last = (uint64_t)(ino->size - 1) / PAGE_SIZE;
	int64_t npos;

	if (!PC(ino) && data) {
		/* The tree skips empty subtrees at once. */
		if (!pg->root || !find_present((uintptr_t *)pg->root, pg->height, 0, idx, &idx))
			return -ENXIO;
	} else if (!PC(ino)) {
		idx = find_hole(pg, idx);
	} else {
		while (idx <= last && page_present(ino, idx) != data) {
			bool valid;
			uint64_t run = pagecache_run(PC(ino), idx * PAGE_SIZE, (last + 1 - idx) * PAGE_SIZE, &valid);

			/* Beyond every extent nothing is present. */
			if (!valid && !data) 
				break;
			idx += valid ? 1 : MAX(run / PAGE_SIZE, (uint64_t)1);
		}
	}
	if (data) {
		npos = MAX(off, (int64_t)(idx * PAGE_SIZE));
		return npos >= ino->size ? -ENXIO : npos;
	}
	return MIN(MAX(off, (int64_t)(idx * PAGE_SIZE)), ino->size);
}

static int64_t tmpfs_llseek(struct file *f, int64_t off, int whence)
{
	struct inode *ino = f->inode;
	int64_t base, npos;

	switch (whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = f->pos;
		break;
	case SEEK_END:
		base = ino->size;
		break;
	case SEEK_DATA:
	case SEEK_HOLE:
		if (off < 0 || off >= ino->size)
			return -ENXIO;
		npos = seek_data_hole(ino, off, whence == SEEK_DATA);
		if (npos >= 0)
			f->pos = npos;
		return npos;
	default:
		return -EINVAL;
	}
	if (__builtin_add_overflow(base, off, &npos) || npos < 0)
		return -EINVAL;
	f->pos = npos;
	return npos;
}

static unsigned int tmpfs_poll(struct file *f, struct task *t, unsigned int events)
{
	return POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
}

/* Nothing is ever dirty: the data already is where it lives. */
static int tmpfs_fsync(struct file *f, bool datasync)
{
	return 0;
}

static int punch_hole(struct inode *ino, uint64_t off, uint64_t end)
{
	struct memfile *mf = TSB(ino)->mf;
	uint64_t first = PAGE_ALIGN(off) / PAGE_SIZE, last = end / PAGE_SIZE, mfoff;
	uint64_t zero_end = MIN(end, (uint64_t)ino->size);
	static const char zeroes[PAGE_SIZE];

	/* Partial pages at the edges are zeroed, whole ones given back. */
	for (uint64_t p = off; p < zero_end;) {
		uint64_t idx = p / PAGE_SIZE, pend = MIN((idx + 1) * PAGE_SIZE, zero_end);

		if (idx < first || idx >= last) {
			if (PC(ino) && page_present(ino, idx))
				pagecache_anon_rw(PC(ino), (void *)zeroes, pend - p, p, true);
			else if (!PC(ino) && radix_page(ino, idx, false, &mfoff) == 0)
				memset(memfile_ptr(mf, mfoff + p % PAGE_SIZE), 0, pend - p);
		}
		p = pend;
	}
	if (first >= last)
		return 0;
	if (PC(ino)) {
		if (limited(TSB(ino)))
			uncharge_mapped(ino, mapped_present(ino, first * PAGE_SIZE, last * PAGE_SIZE));
		pagecache_punch(PC(ino), first * PAGE_SIZE, (last - first) * PAGE_SIZE);
		return 0;
	}
	for (uint64_t idx = first; idx < last; idx++) {
		uintptr_t *slot = page_slot(&TI(ino)->pages, idx, false);

		if (slot && *slot) {
			memfile_free(mf, *slot - 1, PAGE_SIZE);
			*slot = 0;
			TI(ino)->pages.count--;
			tmpfs_release_pages(TSB(ino), 1);
		}
	}
	return 0;
}

static int tmpfs_fallocate(struct file *f, int mode, int64_t off, int64_t len)
{
	struct inode *ino = f->inode;
	static const char zeroes[PAGE_SIZE];
	int64_t end;
	int rc = 0;

	if (mode & ~(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE))
		return -EOPNOTSUPP;
	if (__builtin_add_overflow(off, len, &end) || end > TMPFS_MAX_FILE_SIZE)
		return -EFBIG;
	if (mode & FALLOC_FL_PUNCH_HOLE) {
		if (!(mode & FALLOC_FL_KEEP_SIZE))
			return -EOPNOTSUPP;
		rc = punch_hole(ino, (uint64_t)off, (uint64_t)end);
	} else {
		/* Every page of the range must exist afterwards: room for the
		 * missing ones first, so that it is all or nothing. */
		struct tmpfs_sb *s = TSB(ino);
		uint64_t need = missing_pages(ino, (uint64_t)off, (uint64_t)len);

		if (limited(s) && s->used_pages + need > s->opts.max_pages)
			return -ENOSPC;
		if (PC(ino) && (rc = charge_mapped(ino, need)) < 0)
			return rc;
		for (uint64_t p = ALIGN_DOWN((uint64_t)off, PAGE_SIZE); p < (uint64_t)end && !rc; p += PAGE_SIZE) {
			uint64_t mfoff;

			if (!missing_pages(ino, p, 1))
				continue;
			if (PC(ino)) {
				ssize_t w = pagecache_anon_rw(PC(ino), (void *)zeroes, PAGE_SIZE, p, true);

				rc = w < 0 ? (int)w : 0;
			} else {
				rc = radix_page(ino, p / PAGE_SIZE, true, &mfoff);
			}
		}
		if (rc == 0 && !(mode & FALLOC_FL_KEEP_SIZE) && end > ino->size)
			ino->size = end;
	}
	tmpfs_update_blocks(ino);
	if (rc == 0)
		tmpfs_touch(ino, !!(mode & FALLOC_FL_PUNCH_HOLE), true);
	return rc;
}

static int tmpfs_mmap(struct file *f, struct pagecache **out)
{
	int rc;

	if (!PC(f->inode) && (rc = make_mapped(f->inode)) < 0)
		return rc;
	*out = PC(f->inode);
	return 0;
}

const struct file_ops tmpfs_reg_fops = {
	.read = tmpfs_read,
	.write = tmpfs_write,
	.llseek = tmpfs_llseek,
	.poll = tmpfs_poll,
	.fsync = tmpfs_fsync,
	.fallocate = tmpfs_fallocate,
	.mmap = tmpfs_mmap,
};
