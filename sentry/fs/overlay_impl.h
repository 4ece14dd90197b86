/* Overlay internals shared by sentry/fs/overlay*.c. */
#ifndef SENTRY_FS_OVERLAY_IMPL_H
#define SENTRY_FS_OVERLAY_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sentry/fs/overlay.h"
#include "sentry/vfs.h"

#define OVL_XATTR_PREFIX "trusted.overlay."
#define OVL_XATTR_OPAQUE "trusted.overlay.opaque"

/* One name under which an overlay inode is known in a directory. The
 * overlay keeps its own name cache so that every operation reaches the
 * same struct inode as the dentry cache does (a copy-up must be seen by
 * every holder of the inode). An entry holds a reference on its directory,
 * none on the child: the child's eviction removes its entries. */
struct ovl_name {
	struct ovl_name *hnext;     /* hash chain */
	struct ovl_name *next_alias;
	struct inode *dir, *child;
	char *name;
	uint64_t hash;
};

struct ovl_inode {
	/* Each a reference, or NULL. upper is set by copy-up (never unset);
	 * lower of a directory is what it merges (NULL once opaque), of a
	 * non-directory what it was copied up from (dropped at copy-up). */
	struct inode *upper, *lower;
	struct ovl_name *aliases;
};

struct ovl_sb {
	struct superblock *upper_sb;
};

static inline struct ovl_inode *OI(const struct inode *ino) { return ino->priv; }

extern const struct inode_ops ovl_iops;
extern const struct file_ops ovl_reg_fops;
extern const struct file_ops ovl_dir_fops;

/* overlay.c */
struct inode *ovl_real(const struct inode *ino);
/* Copies the real inode's attributes into the overlay inode. */
void ovl_copyattr(struct inode *ino);
bool ovl_is_whiteout(const struct inode *ino);
/* The directory and name ino was found under (first alias), or NULL. */
struct ovl_name *ovl_first_alias(struct inode *ino);
/* Calls fn for every entry of a layer's directory (not "." or ".."):
 * upper directories straight from tmpfs, lower ones through a file. */
int ovl_layer_readdir(struct inode *dir, int (*fn)(const char *name, int len, uint64_t ino,
						  unsigned int dtype, void *arg),
		      void *arg);
/* A file over a real inode, outside the tree (copy-up, overlay opens). */
int ovl_open_real(struct inode *real, int flags, struct file **out);

/* overlay_file.c: sets f up as a listing of the directory ino. */
int ovl_dir_open(struct inode *ino, struct file *f);

/* overlay_copyup.c: gives ino an upper inode (and its parents first).
 * For regular files, copies at most len bytes of data (the rest is
 * truncated away: O_TRUNC and truncate copy up less). */
int ovl_copy_up_len(struct inode *ino, int64_t len);
static inline int ovl_copy_up(struct inode *ino) { return ovl_copy_up_len(ino, INT64_MAX); }

#endif
