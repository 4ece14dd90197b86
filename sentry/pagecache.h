/* The page cache: memory-file pages holding a file's contents, shared by
 * every mapping of the file (Linux's address_space).
 *
 * A cache belongs to one inode (inode->cache) and is a sorted set of
 * extents, each a contiguous run of file offsets backed by one contiguous
 * run of memory-file pages, so a mapping of an extent is one platform
 * mapping. Two kinds:
 *
 * - File caches (ops set: goferfs) hold copies of a host file's pages.
 *   A page is loaded (pread through an open file of the inode) the first
 *   time a mapping or a user copy needs it, and is then "valid". write(2)
 *   goes through to the host file and updates valid pages; read(2) takes
 *   valid pages from the cache (they may hold stores made through shared
 *   mappings) and the rest from the host. Pages that shared writable
 *   mappings may have changed are written back on msync(MS_SYNC), fsync,
 *   and when those mappings go away.
 * - Anonymous caches (ops NULL: memfd, SysV shared memory) are the data
 *   itself; pages never written read as zeroes.
 *
 * Pages past the end of the file are never valid: mappings leave them
 * unmapped so that an access faults (SIGBUS), as on Linux. */
#ifndef SENTRY_PAGECACHE_H
#define SENTRY_PAGECACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sentry/list.h"

struct file;
struct inode;
struct mf_range;

struct pagecache_ops {
	/* Transfer bytes between buf and the backing file at off, through
	 * f (an open file of the cache's inode). Return the count (short at
	 * the end of the file) or -errno. */
	ssize_t (*read)(struct file *f, void *buf, size_t len, uint64_t off);
	ssize_t (*write)(struct file *f, const void *buf, size_t len, uint64_t off);
};

struct pc_extent {
	uint64_t foff, len;        /* file range, page aligned */
	struct mf_range *range;    /* its memory-file pages (VMAs take references) */
	uint64_t *valid;           /* file caches: one bit per loaded page */
};

struct pagecache {
	struct inode *inode;       /* owner; no reference (the inode owns us) */
	const struct pagecache_ops *ops;
	struct pc_extent *ext;     /* sorted by foff, disjoint */
	size_t next, cap;
	struct list_head vmas;     /* every VMA mapping the file (vma.cache_link) */
	/* memfd seals (F_SEAL_*) the mm must honour: a write seal refuses
	 * new shared writable mappings. */
	unsigned int seals;
};

struct pagecache *pagecache_new(struct inode *ino, const struct pagecache_ops *ops);
/* Frees the cache; no VMA may map it any more. */
void pagecache_destroy(struct pagecache *pc);
static inline bool pagecache_is_anon(const struct pagecache *pc) { return !pc->ops; }

/* Memory-file pages for file offset off (page aligned): a new reference
 * to the range in *r, the offset of off within it in *roff, and in *avail
 * how many of the len bytes asked for are contiguous there. Allocates
 * (unloaded) pages as needed. */
int pagecache_get_range(struct pagecache *pc, uint64_t off, uint64_t len, struct mf_range **r,
			uint64_t *roff, uint64_t *avail);
/* Loads the pages of [off, off+len) below the end of the file that are
 * not valid yet, reading through f. Anonymous caches: nothing to do. */
int pagecache_fill(struct pagecache *pc, struct file *f, uint64_t off, uint64_t len);
/* Length of the run of pages starting at off (page aligned, at most len
 * bytes) that are all loaded (*valid true) or all not (*valid false). */
uint64_t pagecache_run(struct pagecache *pc, uint64_t off, uint64_t len, bool *valid);
/* Whether the page at off has a copy in memory (mincore). */
bool pagecache_resident(struct pagecache *pc, uint64_t off);

/* read(2)/write(2) of a file cache: see the top of this file. write_update
 * runs after the bytes reached the backing file. */
ssize_t pagecache_read(struct pagecache *pc, struct file *f, void *buf, size_t len, uint64_t off);
void pagecache_write_update(struct pagecache *pc, const void *buf, size_t len, uint64_t off);
/* read(2)/write(2) of an anonymous cache: memory only (the caller checks
 * and updates the size). */
ssize_t pagecache_anon_rw(struct pagecache *pc, void *buf, size_t len, uint64_t off, bool write);

/* Writes valid pages of [off, off+len) (clamped to the file size) back
 * through f. */
int pagecache_writeback(struct pagecache *pc, struct file *f, uint64_t off, uint64_t len);
/* Writes back what shared writable mappings may have changed in
 * [off, off+len), each through its own (writable) file: fsync, msync. */
int pagecache_sync(struct pagecache *pc, uint64_t off, uint64_t len);
/* The file is now newsize bytes long (it was oldsize): a shrink zeroes and
 * drops the pages past the end and unmaps them from every mapping, so that
 * later accesses fault. */
void pagecache_truncate(struct pagecache *pc, uint64_t oldsize, uint64_t newsize);
/* Gives back the pages of [off, off+len) (page aligned) of an anonymous
 * cache: they read as zeroes (fallocate PUNCH_HOLE, MADV_REMOVE). */
void pagecache_punch(struct pagecache *pc, uint64_t off, uint64_t len);
/* Bytes of memory the cache holds for the file (st_blocks of memfd). */
uint64_t pagecache_resident_bytes(struct pagecache *pc);
/* Number of VMAs mapping the cache, and of those shared and writable or
 * allowed to become so (F_SEAL_WRITE's EBUSY check). */
int pagecache_nr_maps(struct pagecache *pc);
int pagecache_nr_writable_maps(struct pagecache *pc);

#endif
