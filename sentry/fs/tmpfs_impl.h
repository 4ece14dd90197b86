/* tmpfs internals shared by sentry/fs/tmpfs*.c. */
#ifndef SENTRY_FS_TMPFS_IMPL_H
#define SENTRY_FS_TMPFS_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sentry/fs/tmpfs.h"
#include "sentry/vfs.h"
#include "sentry/vfs/xattr.h"

struct tmpfs_sb {
	struct memfile *mf;
	struct tmpfs_opts opts;
	/* Pages counted against size=: every page of unmapped files, and of
	 * mapped ones what writes added when there is a limit to enforce
	 * (tmpfs_usage adds the rest when there is none). */
	uint64_t used_pages;
	uint64_t used_inodes;
	struct list_head mapped;         /* tmpfs_inode.mapped_link */
};

/* A regular file's data: a radix tree of page index -> memory-file offset
 * (stored plus one, so zero is a hole), RADIX_BITS per level. */
#define TMPFS_RADIX_BITS 9
#define TMPFS_RADIX_SLOTS (1u << TMPFS_RADIX_BITS)

struct tmpfs_pages {
	uintptr_t root;
	int height;              /* levels; indexes < SLOTS^height fit */
	uint64_t count;          /* pages present */
};

/* A directory entry. pos is its stable position: getdents offsets are
 * positions, which no later change shifts. A removed entry stays in the
 * position array as a tombstone (ino NULL) until compaction. */
struct tmpfs_dirent {
	char *name;
	size_t len;
	uint64_t hash;
	uint64_t pos;
	struct inode *ino;       /* the directory's reference; NULL: removed */
	struct tmpfs_dirent *hnext;
};

struct tmpfs_dir {
	struct tmpfs_dirent **by_pos;    /* sorted by pos */
	size_t npos, cap, nlive;
	struct tmpfs_dirent **buckets;   /* by name */
	size_t nbuckets;
	uint64_t next_pos;
};

/* A regular file keeps its data in one of two places: its own pages (a
 * radix tree of single memory-file pages, cheap for the many small files a
 * tmpfs holds), or, once it is mmapped, an anonymous page cache
 * (inode->cache, sentry/pagecache.h) whose extents the mm maps. The first
 * mmap moves the data over for good. */
struct tmpfs_inode {
	struct tmpfs_pages pages;        /* S_IFREG, until mapped */
	struct inode *inode;             /* whose data this is (no reference) */
	struct list_head mapped_link;    /* on tmpfs_sb.mapped once mapped */
	uint64_t charged;                /* mapped: its pages in used_pages */
	struct tmpfs_dir dir;            /* S_IFDIR */
	char *target;                    /* S_IFLNK */
	struct simple_xattrs xattrs;
	bool linkable;                   /* O_TMPFILE: linkat may name it */
};

static inline struct tmpfs_sb *TSB(const struct inode *ino) { return ino->sb->priv; }
static inline struct tmpfs_inode *TI(const struct inode *ino) { return ino->priv; }

extern const struct inode_ops tmpfs_iops;
extern const struct file_ops tmpfs_reg_fops;
extern const struct file_ops tmpfs_dir_fops;

/* ---- data (tmpfs_file.c) ---- */
/* Sets the size, freeing pages past it and zeroing the tail of the last
 * page, so that growing again reads zeroes. */
int tmpfs_set_size(struct inode *ino, int64_t size);
/* Frees a regular file's data (eviction). */
void tmpfs_release_data(struct inode *ino);
/* Refreshes st_blocks. */
void tmpfs_update_blocks(struct inode *ino);
/* Pages of mapped files not counted in used_pages (no size limit). */
uint64_t tmpfs_uncharged_pages(struct tmpfs_sb *s);
/* Counts them in, for a size limit coming in by remount (-EINVAL if the
 * instance already holds more than max_pages). */
int tmpfs_charge_all(struct tmpfs_sb *s, uint64_t max_pages);

/* ---- directories (tmpfs_dir.c) ---- */
void tmpfs_dir_init(struct tmpfs_dir *d);
void tmpfs_dir_destroy(struct tmpfs_dir *d);
struct tmpfs_dirent *tmpfs_dir_find(struct tmpfs_dir *d, const char *name);
/* Adds name -> ino, taking over the caller's reference on ino. */
void tmpfs_dir_add(struct tmpfs_dir *d, const char *name, struct inode *ino);
/* Removes e; returns its inode with the directory's reference. */
struct inode *tmpfs_dir_remove(struct tmpfs_dir *d, struct tmpfs_dirent *e);

/* ---- accounting (tmpfs.c) ---- */
int tmpfs_reserve_pages(struct tmpfs_sb *s, uint64_t n);
void tmpfs_release_pages(struct tmpfs_sb *s, uint64_t n);
void tmpfs_touch(struct inode *ino, bool m, bool c); /* mtime/ctime = now */

#endif
