/* The root overlay: a read-only lower filesystem (the gofer-served
 * rootfs) under a tmpfs upper layer in sentry memory that takes every
 * change, so that the workload never modifies the bundle. Semantics follow
 * Linux's overlayfs with redirect_dir=off, index=off, xino=on; see
 * docs/architecture.md ("Filesystems") for the details and differences. */
#ifndef SENTRY_FS_OVERLAY_H
#define SENTRY_FS_OVERLAY_H

#include <stdbool.h>

struct file;
struct inode;

#define OVERLAYFS_SUPER_MAGIC 0x794c7630

/* An overlay of upper_root (a tmpfs directory, taken over) on lower_root
 * (a reference is taken): its root inode. sb_flags: MS_RDONLY... */
int overlay_new(struct inode *lower_root, struct inode *upper_root, unsigned long sb_flags,
		struct inode **root);
bool inode_is_overlay(const struct inode *ino);
/* The inode that holds ino's data now: its upper inode once copied up,
 * else its lower one (file mmap maps that one's pages). No reference. */
struct inode *overlay_real_inode(struct inode *ino);
/* The file of the real inode under an open overlay file (NULL for
 * directories and for files that are not the overlay's). No reference.
 * A mapping of an overlay file is a mapping of this file: its page cache
 * belongs to the real inode, whose I/O goes through it. */
struct file *overlay_real_file(struct file *f);

#endif
